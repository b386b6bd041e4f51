//! Enum variants typify 0.8 names in lower case: its names for the values `+1` and `-1` are
//! `plus1` and `minus1` whatever case it asks for (its `sanitize`), and rustc warns about a
//! variant that is not in upper camel case (GitHub's reaction contents are such an enum). They
//! become `Plus1` and `Minus1`: in the enum, in the impls typify writes for it (`Self::plus1`),
//! and wherever a path names them (`ReactionContent::plus1` in a default). The enum keeps
//! typify's `#[serde(rename = "+1")]`, so the wire values do not change.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};

use super::builders::last_ident_before_body;
use crate::tokens;

/// typify's lower-case variant names, each with the name it gets.
const RENAMED: [(&str, &str); 2] = [("plus1", "Plus1"), ("minus1", "Minus1")];

/// The enums among `items` (one module's items) with a variant typify names in lower case.
pub(super) fn lowercase_variant_enums(items: &[Vec<TokenTree>]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(|item| {
            let at = item.iter().position(|t| tokens::is_ident(t, "enum"))?;
            let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
                (item.get(at + 1), item.last())
            else {
                return None;
            };
            body.stream()
                .into_iter()
                .any(|t| matches!(&t, TokenTree::Ident(i) if renamed(i).is_some()))
                .then(|| name.to_string())
        })
        .collect()
}

/// `item` with the lower-case variants of `enums` renamed: every one of them when the item is
/// about one of the enums (the enum itself, its impls), else those a path names
/// (`Enum::plus1`).
pub(super) fn with_upper_camel_variants(
    item: Vec<TokenTree>,
    enums: &BTreeSet<String>,
) -> Vec<TokenTree> {
    if enums.is_empty() {
        return item;
    }
    let about = last_ident_before_body(&item).is_some_and(|name| enums.contains(&name));
    rename(item, about, enums)
}

/// The new name of a lower-case variant `ident`, if it is one.
fn renamed(ident: &Ident) -> Option<&'static str> {
    RENAMED
        .iter()
        .find(|(from, _)| ident == from)
        .map(|(_, to)| *to)
}

/// `trees` with the variants renamed: all of them (`all`), or those after `Enum::` with
/// `Enum` one of `enums`.
fn rename(mut trees: Vec<TokenTree>, all: bool, enums: &BTreeSet<String>) -> Vec<TokenTree> {
    for i in 0..trees.len() {
        let new_name = match &trees[i] {
            TokenTree::Ident(ident) => renamed(ident).filter(|_| {
                all || (i >= 3
                    && tokens::is_punct(&trees[i - 1], ':')
                    && tokens::is_punct(&trees[i - 2], ':')
                    && matches!(&trees[i - 3], TokenTree::Ident(e) if enums.contains(&e.to_string())))
            }),
            TokenTree::Group(group) => {
                let inside: Vec<TokenTree> = group.stream().into_iter().collect();
                let mut new = Group::new(
                    group.delimiter(),
                    rename(inside, all, enums).into_iter().collect::<TokenStream>(),
                );
                new.set_span(group.span());
                trees[i] = TokenTree::Group(new);
                None
            }
            _ => None,
        };
        if let Some(name) = new_name {
            let span = trees[i].span();
            trees[i] = TokenTree::Ident(Ident::new(name, span));
        }
    }
    trees
}

/// The module item `module` (`pub mod types { ... }`) with the lower-case variants of the
/// enums in its body renamed.
pub(super) fn module_with_upper_camel_variants(mut module: Vec<TokenTree>) -> Vec<TokenTree> {
    let Some(TokenTree::Group(body)) = module.pop() else {
        return module;
    };
    let items: Vec<Vec<TokenTree>> = crate::format::split_items(body.stream()).collect();
    let enums = lowercase_variant_enums(&items);
    let renamed: TokenStream = items
        .into_iter()
        .flat_map(|item| with_upper_camel_variants(item, &enums))
        .collect();
    let mut new = Group::new(Delimiter::Brace, renamed);
    new.set_span(body.span());
    module.push(TokenTree::Group(new));
    module
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn items(tokens: TokenStream) -> Vec<Vec<TokenTree>> {
        crate::format::split_items(tokens).collect()
    }

    fn text(items: Vec<Vec<TokenTree>>) -> String {
        items
            .into_iter()
            .flatten()
            .collect::<TokenStream>()
            .to_string()
    }

    #[test]
    fn typify_lower_case_variants_become_upper_camel_case_where_they_are_named() {
        let module = items(quote! {
            pub enum Content {
                #[serde(rename = "+1")]
                plus1,
                #[serde(rename = "-1")]
                minus1,
                Laugh,
            }
            impl ::std::fmt::Display for Content {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match *self { Self::plus1 => f.write_str("+1"), Self::minus1 => f.write_str("-1"), Self::Laugh => f.write_str("laugh") }
                }
            }
            pub struct Reactions {
                #[serde(rename = "+1")]
                pub plus1: i64,
            }
            pub mod defaults {
                pub(super) fn content() -> super::Content { super::Content::plus1 }
            }
        });
        let enums = lowercase_variant_enums(&module);
        assert_eq!(enums, BTreeSet::from(["Content".to_owned()]));
        let out = text(
            module
                .into_iter()
                .map(|item| with_upper_camel_variants(item, &enums))
                .collect(),
        );
        assert!(out.contains("(rename = \"+1\")] Plus1"), "{out}");
        assert!(out.contains("Self :: Plus1 =>") && out.contains("Self :: Minus1 =>"));
        assert!(out.contains("super :: Content :: Plus1"), "{out}");
        // A struct's field keeps its snake-case name.
        assert!(out.contains("pub plus1 : i64"), "{out}");
    }

    #[test]
    fn a_module_without_such_enums_is_unchanged() {
        let module = quote! {
            pub mod types {
                pub enum Content { Laugh, Heart }
                pub struct Reactions { pub plus1: i64 }
            }
        };
        let item: Vec<TokenTree> = module.clone().into_iter().collect();
        let out: TokenStream = module_with_upper_camel_variants(item).into_iter().collect();
        assert_eq!(out.to_string(), module.to_string());
    }

    #[test]
    fn a_types_module_gets_its_enums_renamed() {
        let item: Vec<TokenTree> = quote! {
            pub mod types {
                pub enum Content { #[serde(rename = "-1")] minus1, Heart }
            }
        }
        .into_iter()
        .collect();
        let out: TokenStream = module_with_upper_camel_variants(item).into_iter().collect();
        assert!(out.to_string().contains("Minus1 , Heart"), "{out}");
    }
}
