//! Struct fields typify 0.8 names alike (`@id` and `id` are both `id`; it names a field only
//! after its property): the struct would not compile, so the fields are named apart by the
//! naming authority ([`distinct_field_names`]: `@id`'s field is `at_id`), each renamed field
//! keeping the `#[serde(rename = "@id")]` typify wrote for it. The normalizer reports each
//! renamed property (`normalize/fields.rs`).

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

use crate::names::distinct_field_names;

/// `item` (one item of typify's types module) with its struct fields named apart; any other
/// item, or a struct whose fields are distinct, as it is.
pub(super) fn with_distinct_fields(mut item: Vec<TokenTree>) -> Vec<TokenTree> {
    let Some(at) = struct_body_at(&item) else {
        return item;
    };
    let TokenTree::Group(body) = &item[at] else {
        return item;
    };
    let mut tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let fields = fields_of(&tokens);
    let mut names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
    names.sort_unstable();
    names.dedup();
    if names.len() == fields.len() {
        return item;
    }
    let distinct = distinct_field_names(fields.iter().map(|f| f.wire.as_str()));
    for field in &fields {
        if let Some(name) = distinct.get(field.wire.as_str())
            && *name != field.name
        {
            tokens[field.ident_at] = TokenTree::Ident(Ident::new(name, Span::call_site()));
        }
    }
    let mut group = Group::new(
        Delimiter::Brace,
        tokens.into_iter().collect::<TokenStream>(),
    );
    group.set_span(body.span());
    item[at] = TokenTree::Group(group);
    item
}

/// Where the braced body of `struct Name { .. }` is in `item`.
fn struct_body_at(item: &[TokenTree]) -> Option<usize> {
    let keyword = item
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(i) if i == "struct"))?;
    let last = item.len() - 1;
    match &item[last] {
        TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && last > keyword => Some(last),
        _ => None,
    }
}

/// One field of a struct body: its name, the property it stands for and where its name is.
struct Field {
    name: String,
    wire: String,
    ident_at: usize,
}

/// The fields of a struct body's tokens (`#[attrs] pub name: Type,` each).
fn fields_of(tokens: &[TokenTree]) -> Vec<Field> {
    let mut fields = Vec::new();
    let mut start = 0;
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '<' => depth += 1,
            TokenTree::Punct(p) if p.as_char() == '>' => depth = depth.saturating_sub(1),
            TokenTree::Punct(p) if p.as_char() == ',' && depth == 0 => {
                fields.extend(field(tokens, start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.extend(field(tokens, start, tokens.len()));
    fields
}

/// The field of `tokens[start..end]`: the identifier before its first `:`, the property named
/// by its `#[serde(rename = "..")]` or else by the identifier.
fn field(tokens: &[TokenTree], start: usize, end: usize) -> Option<Field> {
    let colon =
        (start..end).find(|&i| matches!(&tokens[i], TokenTree::Punct(p) if p.as_char() == ':'))?;
    let ident_at = colon.checked_sub(1).filter(|&i| i >= start)?;
    let TokenTree::Ident(ident) = &tokens[ident_at] else {
        return None;
    };
    let name = ident.to_string();
    let wire = tokens[start..ident_at]
        .iter()
        .find_map(serde_rename)
        .unwrap_or_else(|| name.trim_start_matches("r#").to_owned());
    Some(Field {
        name,
        wire,
        ident_at,
    })
}

/// The wire name of an attribute group `[serde(rename = "..")]`.
fn serde_rename(token: &TokenTree) -> Option<String> {
    let TokenTree::Group(attribute) = token else {
        return None;
    };
    let inner: Vec<TokenTree> = attribute.stream().into_iter().collect();
    let [TokenTree::Ident(serde), TokenTree::Group(args)] = &inner[..] else {
        return None;
    };
    if serde != "serde" {
        return None;
    }
    let args: Vec<TokenTree> = args.stream().into_iter().collect();
    args.windows(3).find_map(|w| match w {
        [
            TokenTree::Ident(key),
            TokenTree::Punct(eq),
            TokenTree::Literal(lit),
        ] if key == "rename" && eq.as_char() == '=' => {
            let repr = lit.to_string();
            // A plain string without escapes is its own value; any other goes to syn.
            match repr.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
                Some(plain) if !plain.contains(['\\', '"']) => Some(plain.to_owned()),
                _ => syn::parse_str::<syn::LitStr>(&repr).ok().map(|l| l.value()),
            }
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn renamed(item: TokenStream) -> String {
        with_distinct_fields(item.into_iter().collect())
            .into_iter()
            .collect::<TokenStream>()
            .to_string()
    }

    #[test]
    fn fields_typify_names_alike_are_named_apart_and_keep_their_wire_names() {
        let item = quote! {
            #[derive(Debug)]
            pub struct Thing {
                #[serde(rename = "@id")]
                pub id: ::std::option::Option<::std::collections::HashMap<String, i64>>,
                pub id: String,
                #[serde(rename = "a-b")]
                pub a_b: String,
                #[serde(rename = "aB", default)]
                pub a_b: String,
            }
        };
        let expected = quote! {
            #[derive(Debug)]
            pub struct Thing {
                #[serde(rename = "@id")]
                pub at_id: ::std::option::Option<::std::collections::HashMap<String, i64>>,
                pub id: String,
                #[serde(rename = "a-b")]
                pub a_b: String,
                #[serde(rename = "aB", default)]
                pub a_b_2: String,
            }
        };
        assert_eq!(renamed(item), expected.to_string());
    }

    #[test]
    fn renames_read_as_their_string_value() {
        for wire in ["@id", "a-b", "quote \" inside", "back\\slash", "é\n"] {
            let attribute: Vec<TokenTree> = quote! { #[serde(rename = #wire, default)] }
                .into_iter()
                .collect();
            assert_eq!(
                serde_rename(&attribute[1]).as_deref(),
                Some(wire),
                "{wire:?}"
            );
        }
    }

    #[test]
    fn distinct_fields_and_other_items_stay_as_they_are() {
        for item in [
            quote! { pub struct Thing { #[serde(rename = "@id")] pub id: String, pub name: String, } },
            quote! { pub struct Unit; },
            quote! { pub enum Kind { A, B } },
            quote! { impl Thing { pub fn id(&self) -> i64 { 1 } } },
        ] {
            assert_eq!(renamed(item.clone()), item.to_string());
        }
    }
}
