//! Token trees compared as their printed text would compare, without printing them. The
//! rewrites of progenitor's output recognise its shapes token by token; printing both sides
//! to compare them (`TokenStream::to_string`) costs more than the rest of the rewrite.
//!
//! Two sequences are the same when they have the same trees in the same order: identifiers
//! with the same text, punctuation with the same character and spacing, literals with the same
//! source text, groups with the same delimiter and the same contents. Spans are ignored, as
//! printing ignores them.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Whether `a` and `b` are the same trees.
pub fn same(a: &[TokenTree], b: &[TokenTree]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_tree(a, b))
}

/// Whether `a` holds the same trees as the stream `b`.
pub fn same_as(a: &[TokenTree], b: TokenStream) -> bool {
    same(a, &b.into_iter().collect::<Vec<_>>())
}

/// Whether two trees are the same.
pub fn same_tree(a: &TokenTree, b: &TokenTree) -> bool {
    match (a, b) {
        (TokenTree::Ident(a), TokenTree::Ident(b)) => a == b,
        (TokenTree::Punct(a), TokenTree::Punct(b)) => {
            a.as_char() == b.as_char() && a.spacing() == b.spacing()
        }
        (TokenTree::Literal(a), TokenTree::Literal(b)) => a.to_string() == b.to_string(),
        (TokenTree::Group(a), TokenTree::Group(b)) => {
            a.delimiter() == b.delimiter()
                && same(
                    &a.stream().into_iter().collect::<Vec<_>>(),
                    &b.stream().into_iter().collect::<Vec<_>>(),
                )
        }
        _ => false,
    }
}

/// Whether `tree` is the identifier `text` (`fn`, `header_map`).
pub fn is_ident(tree: &TokenTree, text: &str) -> bool {
    matches!(tree, TokenTree::Ident(i) if i == text)
}

/// Whether `tree` is the punctuation character `c`.
pub fn is_punct(tree: &TokenTree, c: char) -> bool {
    matches!(tree, TokenTree::Punct(p) if p.as_char() == c)
}

/// Whether `tree` is a group delimited by `delimiter` holding exactly `inside`.
pub fn is_group_of(tree: &TokenTree, delimiter: Delimiter, inside: TokenStream) -> bool {
    matches!(tree, TokenTree::Group(g)
        if g.delimiter() == delimiter
            && same_as(&g.stream().into_iter().collect::<Vec<_>>(), inside))
}

/// Whether the literal whose source text is `repr` (`"api-version"`, quotes included) is
/// anywhere in `stream`, groups included.
pub fn has_literal(stream: TokenStream, repr: &str) -> bool {
    stream.into_iter().any(|tree| match tree {
        TokenTree::Literal(l) => l.to_string() == repr,
        TokenTree::Group(g) => has_literal(g.stream(), repr),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn trees(stream: TokenStream) -> Vec<TokenTree> {
        stream.into_iter().collect()
    }

    /// Over pairs of streams, `same` says what comparing their printed texts says.
    #[test]
    fn same_agrees_with_the_printed_text() {
        let pairs = [
            (
                quote! { pub fn new(client: &'a super::Client) -> Self {} },
                quote! { pub fn new(client: &'a super::Client) -> Self {} },
            ),
            (quote! { a -> b }, quote! { a - > b }),
            (quote! { f("x") }, quote! { f("y") }),
            (quote! { f("x") }, quote! { f(x) }),
            (quote! { [a] }, quote! { (a) }),
            (quote! { Vec<T> }, quote! { Vec<T,> }),
            (quote! { r#type }, quote! { type }),
            (quote! { 1u16 }, quote! { 1u16 }),
            (quote! { 1u16 }, quote! { 1 }),
            (quote! {}, quote! {}),
        ];
        for (a, b) in pairs {
            assert_eq!(
                same(&trees(a.clone()), &trees(b.clone())),
                a.to_string() == b.to_string(),
                "{a} / {b}"
            );
        }
    }

    #[test]
    fn a_literal_is_found_inside_groups() {
        let stream = quote! { m.append(H::from_static("api-version"), v); };
        assert!(has_literal(stream.clone(), "\"api-version\""));
        assert!(!has_literal(stream, "\"api\""));
    }

    #[test]
    fn a_group_is_recognised_by_its_delimiter_and_contents() {
        let [_, group] = &trees(quote! { #[allow(unused_mut)] })[..] else {
            panic!("two trees");
        };
        assert!(is_group_of(
            group,
            Delimiter::Bracket,
            quote! { allow(unused_mut) }
        ));
        assert!(!is_group_of(
            group,
            Delimiter::Parenthesis,
            quote! { allow(unused_mut) }
        ));
        assert!(!is_group_of(
            group,
            Delimiter::Bracket,
            quote! { allow(dead_code) }
        ));
    }
}
