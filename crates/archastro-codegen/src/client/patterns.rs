//! typify checks a string's `pattern` with `::regress::Regex`, a backtracking engine. This
//! rewrite makes every such check `::regex::Regex` on the pattern's linear-time form
//! ([`crate::pattern::linear`]), so no value a server sends can make the client match in
//! exponential time. The normalizer has already dropped the spec's patterns without one; a
//! pattern typify writes itself (a lookahead for each part of an `allOf` it merges) can still
//! have none, and is an error that the caller locates.

use proc_macro2::{Delimiter, Group, Ident, Literal, TokenStream, TokenTree};

/// `tokens` with `regress` paths made `regex` paths and each `Regex::new("...")` pattern
/// rewritten into the `regex` crate's syntax; or why a pattern cannot be.
pub(super) fn linear_patterns(tokens: TokenStream) -> Result<TokenStream, String> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(trees.len());
    let mut i = 0;
    while i < trees.len() {
        match &trees[i] {
            TokenTree::Ident(ident) if ident == "regress" => {
                out.push(TokenTree::Ident(Ident::new("regex", ident.span())));
                // `regress :: Regex :: new (literal)`, each colon a tree of its own.
                if let Some(TokenTree::Group(args)) = trees.get(i + 7)
                    && is_colon_regex_new(&trees[i + 1..i + 7])
                {
                    out.extend(trees[i + 1..i + 7].iter().cloned());
                    out.push(TokenTree::Group(linear_argument(args)?));
                    i += 8;
                    continue;
                }
            }
            TokenTree::Group(group) => {
                let inner = linear_patterns(group.stream())?;
                let mut rewritten = Group::new(group.delimiter(), inner);
                rewritten.set_span(group.span());
                out.push(TokenTree::Group(rewritten));
            }
            tree => out.push(tree.clone()),
        }
        i += 1;
    }
    Ok(out.into_iter().collect())
}

/// Whether `trees` are `:: Regex :: new`.
fn is_colon_regex_new(trees: &[TokenTree]) -> bool {
    trees
        .iter()
        .map(ToString::to_string)
        .eq([":", ":", "Regex", ":", ":", "new"])
}

/// The arguments `("pattern")` of `Regex::new` with the pattern in its linear form.
fn linear_argument(args: &Group) -> Result<Group, String> {
    let literal: syn::LitStr = syn::parse2(args.stream())
        .map_err(|e| format!("typify's `Regex::new` without a string: {e}"))?;
    let pattern = literal.value();
    let linear = crate::pattern::linear(&pattern).ok_or_else(|| {
        format!(
            "typify's pattern `{pattern}` has no linear-time form (typify writes a lookahead for each part of an `allOf` it merges; no linear-time engine checks it)"
        )
    })?;
    let mut rewritten = Group::new(
        Delimiter::Parenthesis,
        TokenTree::Literal(Literal::string(&linear)).into(),
    );
    rewritten.set_span(args.span());
    Ok(rewritten)
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::linear_patterns;

    #[test]
    fn typifys_check_becomes_a_linear_one() {
        let typify = quote! {
            fn from_str(value: &str) -> Result<Self, String> {
                static PATTERN: ::std::sync::LazyLock<::regress::Regex> =
                    ::std::sync::LazyLock::new(|| { ::regress::Regex::new("^\\d(a+)+$").unwrap() });
                if PATTERN.find(value).is_none() {
                    return Err("doesn't match pattern \"^\\d(a+)+$\"".into());
                }
            }
        };
        let expected = quote! {
            fn from_str(value: &str) -> Result<Self, String> {
                static PATTERN: ::std::sync::LazyLock<::regex::Regex> =
                    ::std::sync::LazyLock::new(|| { ::regex::Regex::new("^[0-9](a+)+$").unwrap() });
                if PATTERN.find(value).is_none() {
                    return Err("doesn't match pattern \"^\\d(a+)+$\"".into());
                }
            }
        };
        let rewritten = linear_patterns(typify).unwrap();
        assert_eq!(rewritten.to_string(), expected.to_string());
    }

    #[test]
    fn a_pattern_without_a_linear_form_is_an_error() {
        let typify = quote! { ::regress::Regex::new("^(a)\\1$").unwrap() };
        let error = linear_patterns(typify).unwrap_err();
        assert!(error.contains("no linear-time form"), "{error}");
    }
}
