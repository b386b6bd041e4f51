//! A family's file, with the `builder` module of progenitor's output shortened: each
//! operation's builder struct, its `new` and its setters (progenitor 0.15.1's
//! `builder_struct`, about fifteen printed lines per parameter) become one
//! `operation_builder!` (the client support's macro, the same items) with one line per
//! parameter; `send` stays as progenitor wrote it.
//!
//! Only a builder whose tokens are exactly what the macro stands for is replaced: `new` and
//! every setter are compared, token for token, with progenitor's shape for the field's type
//! and presence (`required`: an error until set; `optional`: `None` until set). Any other
//! builder is printed as progenitor wrote it.

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

use super::builders::{mod_item_name, type_text};
use super::file::{file_header, format_file, generate_error};
use crate::Result;
use crate::format::{FormatError, format_items, format_items_nested, split_items};

/// The module of a family's file that holds the operations' builders.
const BUILDER_MODULE: &str = "builder";

/// The family file of `tokens` (progenitor's output for family `what`) behind its header.
pub(super) fn family_text(what: &str, tokens: TokenStream, doc: &str) -> Result<String> {
    let starts_with_inner_attribute = matches!(
        &tokens.clone().into_iter().take(2).collect::<Vec<_>>()[..],
        [TokenTree::Punct(a), TokenTree::Punct(b)] if a.as_char() == '#' && b.as_char() == '!'
    );
    if starts_with_inner_attribute {
        return format_file(what, tokens, doc);
    }
    let error = |e: FormatError| generate_error(what, format!("generated code does not parse: {e}"));
    let mut out = file_header(doc);
    for item in split_items(tokens) {
        if mod_item_name(&item).as_deref() == Some(BUILDER_MODULE) {
            builder_module(item, &mut out).map_err(error)?;
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
    item.push(TokenTree::Group(Group::new(Delimiter::Brace, TokenStream::new())));
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
            && let Some(invocation) = Invocation::read(builder, implementation)
        {
            inside.push_str(&invocation.text);
            format_items_nested(invocation.rest, 1, &mut inside)?;
            invoked = true;
            i += 2;
            continue;
        }
        format_items_nested(members[i].iter().cloned().collect(), 1, &mut inside)?;
        i += 1;
    }
    out.push_str(header);
    out.push_str("{\n");
    if invoked {
        out.push_str("    use crate::support::builders::operation_builder;\n");
    }
    out.push_str(&inside);
    out.push_str("}\n");
    Ok(())
}

/// One builder as an `operation_builder!`: its text, and what is left of its `impl`.
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
    /// (`impl<'a> Name<'a> { new, setters, others }`) as an invocation, when both are exactly
    /// progenitor's shape.
    fn read(builder: &[TokenTree], implementation: &[TokenTree]) -> Option<Invocation> {
        let (attributes, name, body) = builder_struct(builder)?;
        let fns = impl_fns(implementation, &name)?;
        let fields = fields(body)?;
        let expected_new = new_fn(&fields).to_string();
        let mut rest = Vec::new();
        let mut setters = 0;
        let text = |f: &[TokenTree]| f.iter().cloned().collect::<TokenStream>().to_string();
        for f in fns {
            let fn_name = fn_name(&f)?;
            if fn_name == "new" {
                (text(&f) == expected_new).then_some(())?;
            } else if let Some(field) = fields.iter().find(|field| field.name == fn_name) {
                let message = conversion_message(f.iter().cloned().collect())?;
                (text(&f) == setter_fn(field, &message).to_string()).then_some(())?;
                setters += 1;
            } else {
                rest.extend(f);
            }
        }
        (setters == fields.len()).then_some(())?;
        let rest: TokenStream = rest.into_iter().collect();
        Some(Invocation {
            text: invocation_text(attributes, &name, &fields),
            rest: quote! { impl<'a> #name<'a> { #rest } },
        })
    }
}

/// `#[attrs] pub struct Name<'a> { ... }`: the attributes, the name and the body.
pub(super) fn builder_struct(item: &[TokenTree]) -> Option<(&[TokenTree], Ident, TokenStream)> {
    let at = item
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "pub"))?;
    let (attributes, rest) = item.split_at(at);
    let [_, TokenTree::Ident(kw), TokenTree::Ident(name), generics @ .., TokenTree::Group(body)] =
        rest
    else {
        return None;
    };
    let lifetime = quote! { <'a> }.to_string();
    (kw == "struct"
        && body.delimiter() == Delimiter::Brace
        && generics.iter().cloned().collect::<TokenStream>().to_string() == lifetime)
        .then(|| (attributes, name.clone(), body.stream()))
}

/// The functions of `impl<'a> Name<'a> { ... }`, each as its tokens.
fn impl_fns(item: &[TokenTree], name: &Ident) -> Option<Vec<Vec<TokenTree>>> {
    let (TokenTree::Group(body), head) = item.split_last()? else {
        return None;
    };
    let head = head.iter().cloned().collect::<TokenStream>().to_string();
    (head == quote! { impl<'a> #name<'a> }.to_string() && body.delimiter() == Delimiter::Brace)
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
    let client = client.iter().cloned().collect::<TokenStream>().to_string();
    (client == quote! { client: &'a super::Client }.to_string()).then_some(())?;
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
    let [TokenTree::Ident(head), TokenTree::Punct(open), inside @ .., TokenTree::Punct(close)] = ty
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

/// `operation_builder! { #[attrs] Name { field: Type = required|optional, ... } }`, one
/// module deep.
fn invocation_text(attributes: &[TokenTree], name: &Ident, fields: &[Field]) -> String {
    let mut out = String::from("    operation_builder! {\n");
    for attribute in attributes.chunks(2) {
        if let [TokenTree::Punct(_), TokenTree::Group(inner)] = attribute {
            out.push_str(&format!("        #[{}]\n", type_text(&inner.stream())));
        }
    }
    out.push_str(&format!("        {name} {{"));
    if !fields.is_empty() {
        out.push('\n');
    }
    for Field { name, ty, optional } in fields {
        let presence = if *optional { "optional" } else { "required" };
        out.push_str(&format!("            {name}: {} = {presence},\n", type_text(ty)));
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
            Field { name: quote::format_ident!("owner"), ty: quote! { ::std::string::String }, optional: false },
            Field { name: quote::format_ident!("limit"), ty: quote! { ::std::num::NonZeroU64 }, optional: true },
            Field { name: quote::format_ident!("body"), ty: quote! { crate::types::PetQuery }, optional: false },
        ];
        let new = new_fn(&fields);
        let setters = fields.iter().map(|field| {
            let message = format!("conversion to `{}` for {} failed", field.ty, field.name);
            setter_fn(field, &TokenTree::Literal(proc_macro2::Literal::string(&message)))
        });
        quote! {
            #builder
            impl<'a> ListPets<'a> {
                #new
                #(#setters)*
                pub async fn send(self) -> Result<(), ()> { Ok(()) }
            }
        }
    }

    #[test]
    fn a_builder_in_progenitors_shape_becomes_one_invocation() {
        let members = items(progenitor_builder());
        let invocation = Invocation::read(&members[0], &members[1]).expect("progenitor's shape");
        assert_eq!(
            invocation.text,
            "    operation_builder! {
        #[doc = \"Builder for `list_pets`\"]
        #[derive(Debug, Clone)]
        ListPets {
            owner: ::std::string::String = required,
            limit: ::std::num::NonZeroU64 = optional,
            body: crate::types::PetQuery = required,
        }
    }
"
        );
        assert_eq!(
            invocation.rest.to_string(),
            quote! { impl<'a> ListPets<'a> { pub async fn send(self) -> Result<(), ()> { Ok(()) } } }
                .to_string()
        );
    }

    #[test]
    fn a_builder_in_any_other_shape_is_kept() {
        let members = items(progenitor_builder());
        let text = |item: &Vec<TokenTree>| item.iter().cloned().collect::<TokenStream>().to_string();
        let changed = |from: &str, to: &str| {
            let implementation: TokenStream = text(&members[1]).replacen(from, to, 1).parse().unwrap();
            let implementation: Vec<TokenTree> = implementation.into_iter().collect();
            Invocation::read(&members[0], &implementation).is_none()
        };
        // A setter converting differently, a missing `map(Some)`, another start in `new`.
        assert!(changed("map_err (| _ |", "map_err (| e |"));
        assert!(changed(". map (Some)", ""));
        assert!(changed("limit : Ok (None)", "limit : Ok (Some (1))"));
        // A setter missing, and a struct without the client first.
        assert!(changed("pub fn owner", "pub fn owner_"));
        let struct_without_client: TokenStream =
            text(&members[0]).replace("client : & 'a super :: Client ,", "").parse().unwrap();
        let struct_without_client: Vec<TokenTree> = struct_without_client.into_iter().collect();
        assert!(Invocation::read(&struct_without_client, &members[1]).is_none());
        assert!(Invocation::read(&members[1], &members[0]).is_none());
    }

    #[test]
    fn the_builder_module_invokes_the_macro_only_when_it_replaced_a_builder() {
        let builder = progenitor_builder();
        let module = items(quote! { pub mod builder { use super::types; #builder } });
        let mut out = String::new();
        builder_module(module.into_iter().next().unwrap(), &mut out).unwrap();
        assert!(out.starts_with("pub mod builder {\n    use crate::support::builders::operation_builder;\n    use super::types;\n    operation_builder! {\n"), "{out}");
        assert!(out.ends_with("    impl<'a> ListPets<'a> {\n        pub async fn send(self) -> Result<(), ()> {\n            Ok(())\n        }\n    }\n}\n"), "{out}");
        let module = items(quote! { pub mod builder { pub struct Other; } });
        let mut out = String::new();
        builder_module(module.into_iter().next().unwrap(), &mut out).unwrap();
        assert_eq!(out, "pub mod builder {\n    pub struct Other;\n}\n");
    }

    /// Progenitor's own builders (path, query and body parameters, required and optional,
    /// a body of a shared type) all become invocations; one with an inline body builder
    /// (`body_map`) is kept.
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
        let replacements = [("Pet".to_owned(), super::super::progenitor::replacement_impls(&pet))].into();
        let (tokens, _) = super::super::progenitor::run_progenitor("f", &doc, &replacements).unwrap();
        let module = split_items(tokens)
            .find(|item| mod_item_name(item).as_deref() == Some(BUILDER_MODULE))
            .unwrap();
        let mut out = String::new();
        builder_module(module, &mut out).unwrap();
        assert!(out.contains("        CreatePet {\n            owner: ::std::string::String = required,\n            kind: ::std::vec::Vec<::std::string::String> = required,\n            limit: i64 = optional,\n            body: crate::types::Pet = required,\n        }\n"), "{out}");
        assert!(out.contains("        Ping {}\n"), "{out}");
        assert!(out.contains("pub struct CreateToy<'a>"), "{out}");
        assert_eq!(out.matches("operation_builder! {").count(), 2, "{out}");
    }
}
