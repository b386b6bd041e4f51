//! A family's file, with the `builder` module of progenitor's output shortened: each
//! operation's builder struct, its `new` and its setters (progenitor 0.15.1's
//! `builder_struct`, about fifteen printed lines per parameter) become one
//! `operation_builder!` (the client support's macro: the same items, the per-request settings
//! and `send`) with one line per parameter; progenitor's `send` becomes `send_with_response`
//! ([`super::send`]), which returns the client's one `Error`. The family's re-export of
//! progenitor's `Error` goes: the crate root's `Error` is the only one.
//!
//! A builder is replaced only when its tokens are exactly what the macro stands for: `new`
//! and every setter are compared, token for token, with progenitor's shape for the field's
//! type and presence (`required`: an error until set; `optional`: `None` until set). Any other
//! builder, or a parameter named like a per-request setting, is an error naming it.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

use super::builders::{defined_type, mod_item_name, type_text};
use super::file::{file_header, format_file, generate_error};
use super::variant_names::module_with_upper_camel_variants;
use crate::format::{FormatError, format_items, format_items_nested, split_items};
use crate::names::REQUEST_BUILDER_NAMES;
use crate::{Result, tokens};

/// The module of a family's file that holds the operations' builders.
const BUILDER_MODULE: &str = "builder";

/// The module of a family's file that holds its own types (inline enums of parameters).
const TYPES_MODULE: &str = "types";

/// Whether `item` ends in progenitor's re-export of its own `Error` and the other client
/// items, at the top of a family's file.
fn is_progenitor_reexport(item: &[TokenTree]) -> bool {
    let reexport: Vec<TokenTree> = quote! {
        pub use progenitor_client::{ByteStream, ClientInfo, Error, ResponseValue,};
    }
    .into_iter()
    .collect();
    item.len() >= reexport.len() && tokens::same(&item[item.len() - reexport.len()..], &reexport)
}

/// The family file of `tokens` (progenitor's output for family `what`) behind its header.
pub(super) fn family_text(what: &str, tokens: TokenStream, doc: &str) -> Result<String> {
    let starts_with_inner_attribute = matches!(
        &tokens.clone().into_iter().take(2).collect::<Vec<_>>()[..],
        [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '#' && b.as_char() == '!'
    );
    if starts_with_inner_attribute {
        return format_file(what, tokens, doc);
    }
    let error =
        |e: FormatError| generate_error(what, format!("generated code does not parse: {e}"));
    let mut out = file_header(doc);
    for item in split_items(tokens) {
        let name = mod_item_name(&item);
        if name.as_deref() == Some(BUILDER_MODULE) {
            builder_module(item, &mut out).map_err(error)?;
        } else if name.as_deref() == Some(TYPES_MODULE) {
            let item = module_with_upper_camel_variants(item);
            format_items(item.into_iter().collect(), &mut out).map_err(error)?;
        } else if is_progenitor_reexport(&item) {
            let items = quote! {
                #[allow(unused_imports)]
                pub use progenitor_client::{ByteStream, ClientInfo, ResponseValue};
                use crate::Error;
            };
            format_items(items, &mut out).map_err(error)?;
        } else {
            format_items(item.into_iter().collect(), &mut out).map_err(error)?;
        }
    }
    Ok(out)
}

/// Prints the `builder` module `item`, its builders as `operation_builder!` where they can be.
fn builder_module(mut item: Vec<TokenTree>, out: &mut String) -> Result<(), FormatError> {
    let Some(TokenTree::Group(body)) = item.pop() else {
        return Err(FormatError("the builder module has no body".into()));
    };
    item.push(TokenTree::Group(Group::new(
        Delimiter::Brace,
        TokenStream::new(),
    )));
    let mut header = String::new();
    format_items(item.into_iter().collect(), &mut header)?;
    let header = header
        .strip_suffix("{}\n")
        .ok_or_else(|| FormatError(format!("unexpected module header print: {header:?}")))?;
    let members: Vec<Vec<TokenTree>> = split_items(body.stream()).collect();
    let mut inside = String::new();
    let mut invoked = false;
    let mut i = 0;
    while i < members.len() {
        if let Some([builder, implementation]) = members.get(i..i + 2)
            && let Some(invocation) =
                Invocation::read(builder, implementation).map_err(FormatError)?
        {
            inside.push_str(&invocation.text);
            super::send_print::print(invocation.rest, 1, &mut inside)?;
            invoked = true;
            i += 2;
            continue;
        }
        if let Some(name) = defined_type(&members[i]) {
            return Err(FormatError(format!(
                "the builder `{name}` is not in the shape of progenitor 0.15.1's builders"
            )));
        }
        format_items_nested(members[i].iter().cloned().collect(), 1, &mut inside)?;
        i += 1;
    }
    out.push_str(header);
    out.push_str("{\n");
    if invoked {
        out.push_str("    use crate::support::builders::operation_builder;\n");
        out.push_str("    use crate::support::{RequestSettings, RetryPolicy};\n");
        out.push_str(
            "    #[cfg(feature = \"blocking\")]\n    use crate::support::builders::block_on;\n",
        );
    }
    out.push_str(&inside);
    out.push_str("}\n");
    Ok(())
}

/// One builder as an `operation_builder!`: its text, and what is left of its `impl`
/// (`send_with_response`).
struct Invocation {
    text: String,
    rest: TokenStream,
}

/// A field of an operation's builder.
pub(super) struct Field {
    pub(super) name: Ident,
    /// The type its setter converts to.
    pub(super) ty: TokenStream,
    optional: bool,
}

impl Invocation {
    /// `builder` (`#[attrs] pub struct Name<'a> { client, fields }`) and `implementation`
    /// (`impl<'a> Name<'a> { new, setters, send }`) as an invocation, when both are exactly
    /// progenitor's shape (`None` when they are not); an error when a parameter is named like
    /// a per-request setting or `send` is not as progenitor writes it.
    fn read(
        builder: &[TokenTree],
        implementation: &[TokenTree],
    ) -> Result<Option<Invocation>, String> {
        let Some((attributes, name, body)) = builder_struct(builder) else {
            return Ok(None);
        };
        let (Some(fns), Some(fields)) = (impl_fns(implementation, &name), fields(body)) else {
            return Ok(None);
        };
        if let Some(field) = fields
            .iter()
            .find(|f| REQUEST_BUILDER_NAMES.contains(&f.name.to_string().as_str()))
        {
            return Err(format!(
                "`{name}`: the parameter `{}` is named like a method every request builder has",
                field.name
            ));
        }
        let expected_new: Vec<TokenTree> = new_fn(&fields).into_iter().collect();
        let mut send = None;
        let mut setters = 0;
        for f in fns {
            let Some(fn_name) = fn_name(&f) else {
                return Ok(None);
            };
            if fn_name == "new" {
                if !tokens::same(&f, &expected_new) {
                    return Ok(None);
                }
            } else if let Some(field) = fields.iter().find(|field| field.name == fn_name) {
                let Some(message) = conversion_message(f.iter().cloned().collect()) else {
                    return Ok(None);
                };
                if !tokens::same_as(&f, setter_fn(field, &message))
                    && !raw_body_setter_fns(field, &message)
                        .into_iter()
                        .any(|setter| tokens::same_as(&f, setter))
                {
                    return Ok(None);
                }
                setters += 1;
            } else if fn_name == "send" && send.is_none() {
                send = Some(super::send::rewrite(&f).map_err(|e| format!("`{name}::send`: {e}"))?);
            } else {
                return Ok(None);
            }
        }
        let (Some(send), true) = (send, setters == fields.len()) else {
            return Ok(None);
        };
        let function = send.function;
        Ok(Some(Invocation {
            text: invocation_text(attributes, &name, &send.output, &fields),
            rest: quote! { impl<'a> #name<'a> { #function } },
        }))
    }
}

/// `#[attrs] pub struct Name<'a> { ... }`: the attributes, the name and the body.
pub(super) fn builder_struct(item: &[TokenTree]) -> Option<(&[TokenTree], Ident, TokenStream)> {
    let at = item
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "pub"))?;
    let (attributes, rest) = item.split_at(at);
    let [
        _,
        TokenTree::Ident(kw),
        TokenTree::Ident(name),
        generics @ ..,
        TokenTree::Group(body),
    ] = rest
    else {
        return None;
    };
    (kw == "struct"
        && body.delimiter() == Delimiter::Brace
        && tokens::same_as(generics, quote! { <'a> }))
    .then(|| (attributes, name.clone(), body.stream()))
}

/// The functions of `impl<'a> Name<'a> { ... }`, each as its tokens.
fn impl_fns(item: &[TokenTree], name: &Ident) -> Option<Vec<Vec<TokenTree>>> {
    let (TokenTree::Group(body), head) = item.split_last()? else {
        return None;
    };
    (tokens::same_as(head, quote! { impl<'a> #name<'a> }) && body.delimiter() == Delimiter::Brace)
        .then(|| split_items(body.stream()).collect())
}

/// The name of `pub fn NAME...`.
fn fn_name(item: &[TokenTree]) -> Option<String> {
    let at = item
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "fn"))?;
    match item.get(at + 1) {
        Some(TokenTree::Ident(name)) => Some(name.to_string()),
        _ => None,
    }
}

/// The fields of a builder struct: `client: &'a super::Client` first, then
/// `name: Result<T, String>` each (`T` is `Option<U>` for an optional field, converted to `U`).
pub(super) fn fields(body: TokenStream) -> Option<Vec<Field>> {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let mut entries = split_top_level(&tokens).into_iter();
    let client = entries.next()?;
    tokens::same_as(client, quote! { client: &'a super::Client }).then_some(())?;
    entries
        .map(|entry| {
            let [TokenTree::Ident(name), TokenTree::Punct(colon), ty @ ..] = entry else {
                return None;
            };
            (colon.as_char() == ':').then_some(())?;
            let inner = generic_argument(ty, "Result", Some("String"))?;
            let (ty, optional) = match generic_argument(inner, "Option", None) {
                Some(inner) => (inner, true),
                None => (inner, false),
            };
            Some(Field {
                name: name.clone(),
                ty: ty.iter().cloned().collect(),
                optional,
            })
        })
        .collect()
}

/// `tokens` split at the commas outside angle brackets; a trailing comma ends no entry.
fn split_top_level(tokens: &[TokenTree]) -> Vec<&[TokenTree]> {
    let mut entries = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, token) in tokens.iter().enumerate() {
        if let TokenTree::Punct(p) = token {
            match p.as_char() {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => {
                    entries.push(&tokens[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
    }
    if start < tokens.len() {
        entries.push(&tokens[start..]);
    }
    entries
}

/// `T` of `NAME<T>` (or of `NAME<T, SECOND>`), when `ty` is exactly that.
fn generic_argument<'t>(
    ty: &'t [TokenTree],
    name: &str,
    second: Option<&str>,
) -> Option<&'t [TokenTree]> {
    let [
        TokenTree::Ident(head),
        TokenTree::Punct(open),
        inside @ ..,
        TokenTree::Punct(close),
    ] = ty
    else {
        return None;
    };
    (head == name && open.as_char() == '<' && close.as_char() == '>').then_some(())?;
    let arguments = split_top_level(inside);
    match (second, &arguments[..]) {
        (None, [only]) => Some(only),
        (Some(second), [first, [TokenTree::Ident(last)]]) if last == second => Some(first),
        _ => None,
    }
}

/// Progenitor's `new` of a builder with `fields`.
fn new_fn(fields: &[Field]) -> TokenStream {
    if fields.is_empty() {
        return quote! {
            pub fn new(client: &'a super::Client) -> Self {
                Self { client: client, }
            }
        };
    }
    let starts = fields.iter().map(|Field { name, optional, .. }| {
        if *optional {
            quote! { #name: Ok(None), }
        } else {
            let message = format!("{name} was not initialized");
            quote! { #name: Err(#message.to_string()), }
        }
    });
    quote! {
        pub fn new(client: &'a super::Client) -> Self {
            Self { client: client, #(#starts)* }
        }
    }
}

/// The string literal of a setter that says which conversion failed (progenitor names the
/// type as typify does, not as its tokens read; the macro says it with the tokens).
fn conversion_message(tokens: TokenStream) -> Option<TokenTree> {
    tokens.into_iter().find_map(|tree| match tree {
        TokenTree::Literal(ref literal) if literal.to_string().starts_with("\"conversion to `") => {
            Some(tree)
        }
        TokenTree::Group(group) => conversion_message(group.stream()),
        _ => None,
    })
}

/// Progenitor's setter of `field`, which says `message` when the conversion fails.
fn setter_fn(Field { name, ty, optional }: &Field, message: &TokenTree) -> TokenStream {
    let some = optional.then(|| quote! { .map(Some) });
    quote! {
        pub fn #name<V>(mut self, value: V,) -> Self
        where
            V: std::convert::TryInto<#ty>,
        {
            self.#name = value.try_into() #some .map_err(|_| #message.to_string());
            self
        }
    }
}

/// Progenitor's setters of a raw request body (`reqwest::Body`), of bytes (its type parameter
/// named `B`) or of text (a `String`, then made the body). The macro's setter takes what
/// converts into the body (`String`, `Vec<u8>`, `&'static str`, `Bytes`) for both.
fn raw_body_setter_fns(
    Field { name, ty, optional }: &Field,
    message: &TokenTree,
) -> Vec<TokenStream> {
    let ty_trees: Vec<TokenTree> = ty.clone().into_iter().collect();
    if *optional || !tokens::same_as(&ty_trees, quote! { reqwest::Body }) {
        return Vec::new();
    }
    let text = quote! {
        pub fn #name<V>(mut self, value: V) -> Self
        where
            V: std::convert::TryInto<String>
        {
            self.#name = value.try_into().map_err(|_| #message.to_string()).map(|v| v.into());
            self
        }
    };
    let bytes = quote! {
        pub fn #name<B>(mut self, value: B) -> Self
        where
            B: std::convert::TryInto<#ty>
        {
            self.#name = value.try_into().map_err(|_| #message.to_string());
            self
        }
    };
    vec![bytes, text]
}

/// `operation_builder! { #[attrs] Name -> Output { field: Type = required|optional, ... } }`,
/// one module deep.
fn invocation_text(
    attributes: &[TokenTree],
    name: &Ident,
    output: &TokenStream,
    fields: &[Field],
) -> String {
    let mut out = String::from("    operation_builder! {\n");
    for attribute in attributes.chunks(2) {
        if let [TokenTree::Punct(_), TokenTree::Group(inner)] = attribute {
            out.push_str(&format!("        #[{}]\n", type_text(&inner.stream())));
        }
    }
    out.push_str(&format!("        {name} -> {} {{", type_text(output)));
    if !fields.is_empty() {
        out.push('\n');
    }
    for Field { name, ty, optional } in fields {
        let presence = if *optional { "optional" } else { "required" };
        out.push_str(&format!(
            "            {name}: {} = {presence},\n",
            type_text(ty)
        ));
    }
    if !fields.is_empty() {
        out.push_str("        ");
    }
    out.push_str("}\n    }\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
        split_items(tokens).collect()
    }

    /// A builder as progenitor writes one: a required path parameter, an optional query
    /// parameter, a body, and `send`.
    fn progenitor_builder() -> TokenStream {
        let builder = quote! {
            #[doc = "Builder for `list_pets`"]
            #[derive(Debug, Clone)]
            pub struct ListPets<'a> {
                client: &'a super::Client,
                owner: Result<::std::string::String, String>,
                limit: Result<Option<::std::num::NonZeroU64>, String>,
                body: Result<crate::types::PetQuery, String>,
            }
        };
        let fields = [
            Field {
                name: quote::format_ident!("owner"),
                ty: quote! { ::std::string::String },
                optional: false,
            },
            Field {
                name: quote::format_ident!("limit"),
                ty: quote! { ::std::num::NonZeroU64 },
                optional: true,
            },
            Field {
                name: quote::format_ident!("body"),
                ty: quote! { crate::types::PetQuery },
                optional: false,
            },
        ];
        let new = new_fn(&fields);
        let setters = fields.iter().map(|field| {
            let message = format!("conversion to `{}` for {} failed", field.ty, field.name);
            setter_fn(
                field,
                &TokenTree::Literal(proc_macro2::Literal::string(&message)),
            )
        });
        quote! {
            #builder
            impl<'a> ListPets<'a> {
                #new
                #(#setters)*
                pub async fn send(self) -> Result<ResponseValue<crate::types::Pet>, Error<crate::types::ErrorEnvelope>> {
                    let Self { client, owner, limit, body } = self;
                    let info = OperationInfo { operation_id: "list_pets", };
                    let result = client.exec(request, &info).await;
                    let response = result?;
                    match response.status().as_u16() {
                        200u16 => { ResponseValue::from_response(response).await }
                        _ => Err(Error::UnexpectedResponse(response)),
                    }
                }
            }
        }
    }

    #[test]
    fn a_builder_in_progenitors_shape_becomes_one_invocation() {
        let members = items(progenitor_builder());
        let invocation = Invocation::read(&members[0], &members[1])
            .unwrap()
            .expect("progenitor's shape");
        assert_eq!(
            invocation.text,
            "    operation_builder! {
        #[doc = \"Builder for `list_pets`\"]
        #[derive(Debug, Clone)]
        ListPets -> crate::types::Pet {
            owner: ::std::string::String = required,
            limit: ::std::num::NonZeroU64 = optional,
            body: crate::types::PetQuery = required,
        }
    }
"
        );
        let rest = invocation.rest.to_string();
        assert!(
            rest.starts_with(
                "impl < 'a > ListPets < 'a > { pub async fn send_with_response (self)"
            ),
            "{rest}"
        );
        assert!(
            rest.contains("let Self { client , settings , owner , limit , body } = self ;"),
            "{rest}"
        );
    }

    #[test]
    fn a_builder_in_any_other_shape_is_kept() {
        let members = items(progenitor_builder());
        let text =
            |item: &Vec<TokenTree>| item.iter().cloned().collect::<TokenStream>().to_string();
        let changed = |from: &str, to: &str| {
            let implementation: TokenStream =
                text(&members[1]).replacen(from, to, 1).parse().unwrap();
            let implementation: Vec<TokenTree> = implementation.into_iter().collect();
            matches!(Invocation::read(&members[0], &implementation), Ok(None))
        };
        // A setter converting differently, a missing `map(Some)`, another start in `new`.
        assert!(changed("map_err (| _ |", "map_err (| e |"));
        assert!(changed(". map (Some)", ""));
        assert!(changed("limit : Ok (None)", "limit : Ok (Some (1))"));
        // A setter missing, and a struct without the client first.
        assert!(changed("pub fn owner", "pub fn owner_"));
        let struct_without_client: TokenStream = text(&members[0])
            .replace("client : & 'a super :: Client ,", "")
            .parse()
            .unwrap();
        let struct_without_client: Vec<TokenTree> = struct_without_client.into_iter().collect();
        assert!(matches!(
            Invocation::read(&struct_without_client, &members[1]),
            Ok(None)
        ));
        assert!(matches!(
            Invocation::read(&members[1], &members[0]),
            Ok(None)
        ));
    }

    #[test]
    fn a_parameter_named_like_a_settings_method_is_an_error() {
        let text = progenitor_builder().to_string().replace("limit", "timeout");
        let members = items(text.parse().unwrap());
        let error = Invocation::read(&members[0], &members[1]).err().unwrap();
        assert_eq!(
            error,
            "`ListPets`: the parameter `timeout` is named like a method every request builder has"
        );
        let text = progenitor_builder()
            .to_string()
            .replace("OperationInfo", "Info");
        let members = items(text.parse().unwrap());
        let error = Invocation::read(&members[0], &members[1]).err().unwrap();
        assert_eq!(error, "`ListPets::send`: no `OperationInfo`");
    }

    #[test]
    fn the_builder_module_invokes_the_macro_only_when_it_replaced_a_builder() {
        let builder = progenitor_builder();
        let module = items(quote! { pub mod builder { use super::types; #builder } });
        let mut out = String::new();
        builder_module(module.into_iter().next().unwrap(), &mut out).unwrap();
        assert!(out.starts_with("pub mod builder {\n    use crate::support::builders::operation_builder;\n    use crate::support::{RequestSettings, RetryPolicy};\n    #[cfg(feature = \"blocking\")]\n    use crate::support::builders::block_on;\n    use super::types;\n    operation_builder! {\n"), "{out}");
        assert!(
            out.contains("    impl<'a> ListPets<'a> {\n        pub async fn send_with_response("),
            "{out}"
        );
        let module = items(quote! { pub mod builder { use super::types; } });
        let mut out = String::new();
        builder_module(module.into_iter().next().unwrap(), &mut out).unwrap();
        assert_eq!(out, "pub mod builder {\n    use super::types;\n}\n");
        let module = items(quote! { pub mod builder { pub struct Other; } });
        let error = builder_module(module.into_iter().next().unwrap(), &mut out).unwrap_err();
        assert_eq!(
            error.0,
            "the builder `Other` is not in the shape of progenitor 0.15.1's builders"
        );
    }

    /// Progenitor's own builders (path, query and body parameters, required and optional,
    /// a body of a shared type) all become invocations; one with an inline body builder
    /// (`body_map`, which the normalizer's lifting leaves no room for) is an error naming it.
    #[test]
    fn progenitors_builders_become_invocations() {
        let pet = serde_json::json!({"type": "object", "properties": {"name": {"type": "string"}}});
        let doc = serde_json::json!({
            "openapi": "3.0.3", "info": {"title": "T", "version": "1"},
            "paths": {
                "/pets/{owner}": {"post": {"operationId": "create_pet",
                    "parameters": [
                        {"name": "owner", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                        {"name": "kind", "in": "query", "required": true, "schema": {"type": "array", "items": {"type": "string"}}}
                    ],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}},
                    "responses": {"200": {"description": "ok"}}}},
                "/ping": {"get": {"operationId": "ping", "responses": {"204": {"description": "ok"}}}},
                "/toys": {"post": {"operationId": "create_toy",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"a": {"type": "string"}}}}}},
                    "responses": {"204": {"description": "ok"}}}}
            },
            "components": {"schemas": {"Pet": pet}}
        });
        let replacements = [(
            "Pet".to_owned(),
            super::super::progenitor::replacement_impls(&pet),
        )]
        .into();
        let builder_module_of = |doc: &serde_json::Value| {
            let (tokens, _) =
                super::super::progenitor::run_progenitor("f", doc, &replacements).unwrap();
            let module = split_items(tokens)
                .find(|item| mod_item_name(item).as_deref() == Some(BUILDER_MODULE))
                .unwrap();
            let mut out = String::new();
            builder_module(module, &mut out).map(|()| out)
        };
        let error = builder_module_of(&doc).unwrap_err();
        assert_eq!(
            error.0,
            "the builder `CreateToy` is not in the shape of progenitor 0.15.1's builders"
        );
        let mut doc = doc;
        doc["paths"].as_object_mut().unwrap().remove("/toys");
        let out = builder_module_of(&doc).unwrap();
        assert!(out.contains("        CreatePet -> () {\n            owner: ::std::string::String = required,\n            kind: ::std::vec::Vec<::std::string::String> = required,\n            limit: i64 = optional,\n            body: crate::types::Pet = required,\n        }\n"), "{out}");
        assert!(out.contains("        Ping -> () {}\n"), "{out}");
        assert!(
            out.contains(
                "crate::support::call::empty(response, |status| matches!(status, 204u16))"
            ),
            "{out}"
        );
        assert_eq!(out.matches("operation_builder! {").count(), 2, "{out}");
    }
}
