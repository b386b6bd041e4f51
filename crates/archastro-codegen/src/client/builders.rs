//! The `builder` module of the client's `types.rs`, written from the structs typify made.
//!
//! Progenitor's builder interface needs a builder for each request struct (and for the structs
//! those reach). typify writes them only in a run with `struct_builder` set, and that run
//! converts and writes every type it touches a second time (the types job already did, without
//! builders) only for its builders to be kept. Yet a builder is a function of its struct alone:
//! typify derives it from the struct's fields (names, types, and how each is defaulted), all of
//! which the struct's tokens show. So the builders are read here from the tokens of the types
//! job's structs, and written as invocations of the client support's `request_builder!`, which
//! expands to the shape `typify_impl::type_entry::TypeEntry::output_struct` gives them
//! (typify 0.8): one line per field instead of about fifteen. A test holds each field's type
//! and start against typify's own builder; the support crate's tests hold the macro's
//! behaviour.
//!
//! What a field's tokens tell (typify's `generate_serde_attr`):
//! - its builder starts as `Err("no value supplied for …")` unless its `#[serde(...)]` has
//!   `default` or `skip_serializing_if` (the field may be left out: `Ok(Default::default())`),
//!   or `default = "path"` (`Ok(super::path())`);
//! - its type is written with `super::` before each name of a type of the same module (typify
//!   names a type of its own by its bare name, and every other type by a path from `::`).
//!
//! The token-level readers of typify's items ([`braced_item`], [`defined_type`]...) live here
//! too: the layout of `types.rs` ([`super::shared_types`]) uses them as well.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};
use quote::quote;

/// The name of the type an item of a types module defines (`struct`, `enum` or `type`), if
/// any.
pub(super) fn defined_type(item: &[TokenTree]) -> Option<String> {
    let position = item.iter().position(
        |t| matches!(t, TokenTree::Ident(i) if i == "struct" || i == "enum" || i == "type"),
    )?;
    match item.get(position + 1) {
        Some(TokenTree::Ident(name)) => Some(name.to_string()),
        _ => None,
    }
}

/// `[attrs] [pub] KEYWORD NAME { ... }` (`mod`, `struct`): `NAME` and the body.
pub(super) fn braced_item<'i>(
    item: &'i [TokenTree],
    keyword: &str,
) -> Option<(&'i proc_macro2::Ident, &'i proc_macro2::Group)> {
    let [
        ..,
        TokenTree::Ident(kw),
        TokenTree::Ident(name),
        TokenTree::Group(body),
    ] = item
    else {
        return None;
    };
    (kw == keyword && body.delimiter() == Delimiter::Brace).then_some((name, body))
}

/// `NAME` of [`braced_item`].
fn braced_item_name(item: &[TokenTree], keyword: &str) -> Option<String> {
    braced_item(item, keyword).map(|(name, _)| name.to_string())
}

/// The name of a `mod NAME { ... }` item.
pub(super) fn mod_item_name(item: &[TokenTree]) -> Option<String> {
    braced_item_name(item, "mod")
}

/// The name of a braced `struct NAME { ... }` item.
pub(super) fn struct_name(item: &[TokenTree]) -> Option<String> {
    braced_item_name(item, "struct")
}

/// The type an item of typify's types module is about: the last name before its body
/// (`struct X`, `impl X`, `impl Default for X`, `impl From<&X> for X`).
pub(super) fn last_ident_before_body(item: &[TokenTree]) -> Option<String> {
    let (TokenTree::Group(_), rest) = item.split_last()? else {
        return None;
    };
    rest.iter().rev().find_map(|t| match t {
        TokenTree::Ident(i) => Some(i.to_string()),
        _ => None,
    })
}

/// How a field's builder starts (typify's `DefaultFunction`).
enum Start {
    /// Required: an error until it is set.
    Missing,
    /// `Default::default()`.
    Default,
    /// A function of the `defaults` module (its path as typify wrote it).
    Custom(syn::Path),
}

/// One field of a struct, as its builder needs it.
struct Field {
    name: Ident,
    /// Its type as seen from the `builder` module.
    ty: TokenStream,
    start: Start,
}

/// The builder of `item` (a braced struct, as typify writes one): an invocation of the client
/// support's `request_builder!`, which declares what typify writes with `struct_builder`,
/// printed at `indent` spaces; `local` holds the names of the types defined beside it.
/// `Ok(None)` when `item` is not a braced struct; an error when a field is not in typify's
/// shape.
pub(super) fn builder_invocation(
    item: &[TokenTree],
    local: &BTreeSet<String>,
    indent: usize,
) -> Result<Option<String>, String> {
    let Some((type_name, body)) = braced_item(item, "struct") else {
        return Ok(None);
    };
    let fields = fields(body.stream(), local).map_err(|e| format!("struct `{type_name}`: {e}"))?;
    let pad = " ".repeat(indent);
    // The required fields again after the name: the struct's `new` takes them.
    let required: Vec<String> = fields
        .iter()
        .filter(|f| matches!(f.start, Start::Missing))
        .map(|f| format!("{}: {}", f.name, type_text(&f.ty)))
        .collect();
    let required = match required.is_empty() {
        true => String::new(),
        false => format!("({})", required.join(", ")),
    };
    let mut out = format!("{pad}request_builder! {{\n{pad}    {type_name}{required} {{");
    if !fields.is_empty() {
        out.push('\n');
    }
    for field in &fields {
        let mut ty = type_text(&field.ty);
        let start = match &field.start {
            Start::Missing => "required".to_owned(),
            Start::Default => match optional_of(&ty) {
                Some(inner) => {
                    ty = inner.to_owned();
                    "optional".to_owned()
                }
                None => "default".to_owned(),
            },
            Start::Custom(path) => format!("custom(super::{})", type_text(&quote! { #path })),
        };
        let name = &field.name;
        out.push_str(&format!("{pad}        {name}: {ty} = {start},\n"));
    }
    if !fields.is_empty() {
        out.push_str(&format!("{pad}    "));
    }
    out.push_str(&format!("}}\n{pad}}}\n"));
    Ok(Some(out))
}

/// `T` of a field type `::std::option::Option<T>` that starts as `None`: the macro's
/// `optional` field, whose setter takes a `T` (or anything converting to it) as well as an
/// `Option<T>`.
fn optional_of(ty: &str) -> Option<&str> {
    ty.strip_prefix("::std::option::Option<")?.strip_suffix('>')
}

/// A type (or path) as Rust source on one line: `::std::option::Option<super::Kind>`, tokens
/// joined as rustfmt joins them.
pub(super) fn type_text(tokens: &TokenStream) -> String {
    let mut out = String::new();
    push_type_text(tokens.clone(), &mut out);
    out
}

fn push_type_text(tokens: TokenStream, out: &mut String) {
    let word_before =
        |out: &String| out.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"');
    for tree in tokens {
        match tree {
            TokenTree::Ident(ident) => {
                if word_before(out) {
                    out.push(' ');
                }
                out.push_str(&ident.to_string());
            }
            TokenTree::Literal(literal) => {
                if word_before(out) {
                    out.push(' ');
                }
                out.push_str(&literal.to_string());
            }
            TokenTree::Punct(punct) => match punct.as_char() {
                ',' => out.push_str(", "),
                ';' => out.push_str("; "),
                '=' => out.push_str(" = "),
                c => out.push(c),
            },
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                push_type_text(group.stream(), out);
                if out.ends_with(", ") {
                    out.truncate(out.len() - 2);
                }
                out.push_str(close);
            }
        }
    }
}

/// The fields of a braced struct's body: `#[attr]* [pub] name: Type,` each.
fn fields(body: TokenStream, local: &BTreeSet<String>) -> Result<Vec<Field>, String> {
    let tokens: Vec<TokenTree> = body.into_iter().collect();
    let mut fields = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let mut start = Start::Missing;
        while let (Some(TokenTree::Punct(p)), Some(TokenTree::Group(attr))) =
            (tokens.get(i), tokens.get(i + 1))
        {
            if p.as_char() != '#' || attr.delimiter() != Delimiter::Bracket {
                break;
            }
            if let Some(s) = serde_start(attr.stream())? {
                start = s;
            }
            i += 2;
        }
        if matches!(tokens.get(i), Some(TokenTree::Ident(v)) if v == "pub") {
            i += 1;
            if matches!(tokens.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
            {
                i += 1;
            }
        }
        let (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(colon))) =
            (tokens.get(i), tokens.get(i + 1))
        else {
            return Err(format!("a field is not `name: Type` at token {i}"));
        };
        if colon.as_char() != ':' {
            return Err(format!("field `{name}` is not followed by `:`"));
        }
        i += 2;
        let mut depth = 0usize;
        let ty_start = i;
        while let Some(t) = tokens.get(i) {
            if let TokenTree::Punct(p) = t {
                match p.as_char() {
                    '<' => depth += 1,
                    '>' => depth = depth.saturating_sub(1),
                    ',' if depth == 0 => break,
                    _ => {}
                }
            }
            i += 1;
        }
        if ty_start == i {
            return Err(format!("field `{name}` has no type"));
        }
        fields.push(Field {
            name: name.clone(),
            ty: scoped(&tokens[ty_start..i], local),
            start,
        });
        i += 1; // the `,`
    }
    Ok(fields)
}

/// How a field starts, from one of its attributes: `Some` for `#[serde(...)]`.
fn serde_start(attr: TokenStream) -> Result<Option<Start>, String> {
    let mut tokens = attr.into_iter();
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(args)), None) =
        (tokens.next(), tokens.next(), tokens.next())
    else {
        return Ok(None);
    };
    if name != "serde" {
        return Ok(None);
    }
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    let mut start = Start::Missing;
    for option in args.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        match option {
            [TokenTree::Ident(key)] if key == "default" => start = Start::Default,
            [
                TokenTree::Ident(key),
                TokenTree::Punct(eq),
                TokenTree::Literal(value),
            ] if eq.as_char() == '=' => {
                if key == "skip_serializing_if" {
                    if matches!(start, Start::Missing) {
                        start = Start::Default;
                    }
                } else if key == "default" {
                    let value =
                        syn::parse2::<syn::LitStr>(TokenTree::Literal(value.clone()).into())
                            .map_err(|e| format!("`default = {value}`: {e}"))?;
                    let path = syn::parse_str::<syn::Path>(&value.value())
                        .map_err(|e| format!("`default = {:?}`: {e}", value.value()))?;
                    start = Start::Custom(path);
                }
            }
            _ => {}
        }
    }
    Ok(Some(start))
}

/// `ty` with `super::` before each name of a type in `local` that is not the tail of a path.
fn scoped(ty: &[TokenTree], local: &BTreeSet<String>) -> TokenStream {
    let mut out = TokenStream::new();
    let mut after_colon = false;
    for tree in ty {
        match tree {
            TokenTree::Ident(name) if !after_colon && local.contains(&name.to_string()) => {
                out.extend(quote! { super::#name });
            }
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let mut copy = Group::new(group.delimiter(), scoped(&inner, local));
                copy.set_span(group.span());
                out.extend([TokenTree::Group(copy)]);
            }
            other => out.extend([other.clone()]),
        }
        after_colon = matches!(tree, TokenTree::Punct(p) if p.as_char() == ':');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};

    use super::*;
    use crate::client::progenitor::{extract_types_module, run_progenitor_api};

    /// Every shape of field typify's builders distinguish: required, optional (`Option`,
    /// `Vec`, maps), required and nullable, defaults equal to the implicit one and other
    /// defaults (custom default functions), flattened maps, references to other types (some
    /// named like std types), inline objects and enums, keywords as names, no field at all.
    fn builder_fixture() -> Value {
        json!({
            "Pet": {
                "type": "object",
                "required": ["name", "kind", "owner", "nickname"],
                "properties": {
                    "name": {"type": "string", "description": "The pet's name."},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "owner": {"$ref": "#/components/schemas/Owner"},
                    "nickname": {"type": "string", "nullable": true},
                    "age": {"type": "integer", "format": "int64"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "toys": {"type": "array", "items": {"$ref": "#/components/schemas/Toy"}},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "friends": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Pet"}},
                    "extra": {"type": "object", "additionalProperties": true},
                    "vaccinated": {"type": "boolean", "default": false},
                    "indoor": {"type": "boolean", "default": true},
                    "legs": {"type": "integer", "default": 4},
                    "sound": {"type": "string", "default": "purr \"loud\""},
                    "weights": {"type": "array", "items": {"type": "number"}, "default": [1.5]},
                    "type": {"type": "string"},
                    "self": {"type": "string"},
                    "born": {"type": "string", "format": "date-time"},
                    "id": {"type": "string", "format": "uuid"},
                    "collar": {"type": "object", "required": ["color"], "properties": {"color": {"type": "string"}, "size": {"type": "string", "enum": ["s", "m"]}}},
                    "result": {"$ref": "#/components/schemas/Result"},
                    "options": {"type": "array", "items": {"$ref": "#/components/schemas/Option"}}
                }
            },
            "Owner": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}, "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}},
            "Toy": {"type": "object", "properties": {}},
            "Empty": {"type": "object", "properties": {}, "additionalProperties": false},
            "Kind": {"type": "string", "enum": ["cat", "dog"]},
            "Result": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
            "Option": {"type": "object", "required": ["value"], "properties": {"value": {"$ref": "#/components/schemas/Result"}}},
            "Settings": {"type": "object", "properties": {"theme": {"type": "string"}}, "additionalProperties": {"type": "integer"}}
        })
    }

    /// typify's own builders of the fixture's types, by the type they build, as token text.
    fn typifys_builders(items: &[Vec<TokenTree>]) -> BTreeMap<String, String> {
        let mut builders: BTreeMap<String, String> = BTreeMap::new();
        for item in items {
            if mod_item_name(item).as_deref() != Some("builder") {
                continue;
            }
            let Some(TokenTree::Group(body)) = item.last() else {
                continue;
            };
            for member in crate::format::split_items(body.stream()) {
                let name = last_ident_before_body(&member).unwrap();
                let text = member.into_iter().collect::<TokenStream>().to_string();
                let builder = builders.entry(name).or_default();
                builder.push_str(&text);
                builder.push(' ');
            }
        }
        builders
    }

    #[test]
    fn fields_read_from_the_structs_match_typifys_builders() {
        let api: openapiv3::OpenAPI = serde_json::from_value(json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {},
            "components": {"schemas": builder_fixture()}
        }))
        .unwrap();
        let (tokens, _) = run_progenitor_api("types", api, &BTreeMap::new(), true).unwrap();
        let items: Vec<Vec<TokenTree>> =
            crate::format::split_items(extract_types_module(tokens).unwrap()).collect();
        let local: BTreeSet<String> = items.iter().filter_map(|item| defined_type(item)).collect();
        assert!(
            local.contains("Option") && local.contains("Result"),
            "{local:?}"
        );
        let mut expected = typifys_builders(&items);
        let mut compared = Vec::new();
        for item in &items {
            let Some((name, body)) = braced_item(item, "struct") else {
                continue;
            };
            let theirs = expected
                .remove(&name.to_string())
                .expect("typify wrote its builder");
            let ours = fields(body.stream(), &local).unwrap();
            // typify's builder struct: one `Result<type, String>` per field, in this order.
            let their_struct = theirs.split(" impl ").next().unwrap().trim_end();
            let declared = ours.iter().map(|Field { name, ty, .. }| {
                quote! { #name: ::std::result::Result<#ty, ::std::string::String>, }
            });
            let declared = quote! { { #(#declared)* } }.to_string();
            assert!(
                their_struct.ends_with(&declared),
                "`{name}`: {their_struct}\nours: {declared}"
            );
            for Field {
                name: field, start, ..
            } in &ours
            {
                let start = match start {
                    Start::Missing => {
                        let message = format!("no value supplied for {field}");
                        quote! { #field: Err(#message.to_string()), }
                    }
                    Start::Default => quote! { #field: Ok(Default::default()), },
                    Start::Custom(path) => quote! { #field: Ok(super::#path()), },
                };
                let start = start.to_string();
                assert!(
                    theirs.contains(&start),
                    "`{name}.{field}` starts as {start}: {theirs}"
                );
            }
            compared.push(name.to_string());
        }
        assert!(
            expected.is_empty(),
            "builders without a struct: {expected:?}"
        );
        // The fixture's structs (`Toy` is a map), and the inline one typify named.
        assert_eq!(
            compared,
            [
                "Empty",
                "Option",
                "Owner",
                "Pet",
                "PetCollar",
                "Result",
                "Settings"
            ]
        );
    }

    #[test]
    fn invocations_list_one_field_a_line() {
        let item = |tokens: TokenStream| tokens.into_iter().collect::<Vec<_>>();
        let local = BTreeSet::from(["Kind".to_owned()]);
        let pet = item(quote! {
            pub struct Pet {
                pub name: ::std::string::String,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub kind: ::std::option::Option<Kind>,
                #[serde(default = "defaults::pet_legs")]
                pub legs: i64,
                #[serde(rename = "type", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub type_: ::std::vec::Vec<::std::collections::HashMap<::std::string::String, [u8; 4]>>,
            }
        });
        assert_eq!(
            builder_invocation(&pet, &local, 4).unwrap().unwrap(),
            "    request_builder! {
        Pet(name: ::std::string::String) {
            name: ::std::string::String = required,
            kind: super::Kind = optional,
            legs: i64 = custom(super::defaults::pet_legs),
            type_: ::std::vec::Vec<::std::collections::HashMap<::std::string::String, [u8; 4]>> = default,
        }
    }
"
        );
        let empty = item(quote! { pub struct Empty {} });
        assert_eq!(
            builder_invocation(&empty, &local, 0).unwrap().unwrap(),
            "request_builder! {\n    Empty {}\n}\n"
        );
        assert_eq!(
            builder_invocation(&item(quote! { pub struct Unit; }), &local, 0),
            Ok(None)
        );
    }
}
