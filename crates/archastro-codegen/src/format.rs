//! Pretty-printing generated token streams one item at a time.
//!
//! `syn::parse2::<syn::File>` of a whole generated file followed by `prettyplease::unparse`
//! keeps the syntax tree of every item alive at once (gigabytes on large specs). Here the
//! token stream is split into its items at the token level (outer attributes, then tokens up
//! to the `;` or the `{ ... }` body that ends the item), and each item is parsed and printed
//! on its own; a module's items are printed one by one inside it. The text is the same as
//! printing the whole file: prettyplease ends every item with a hard line break, so a file's
//! text is the concatenation of its items' texts, and an item nested `d` modules deep is
//! printed inside `d` wrapper modules whose lines are then cut off.

use proc_macro2::{Delimiter, Ident, Span, TokenStream, TokenTree};

/// Why a generated token stream could not be printed.
#[derive(Debug)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Appends the pretty-printed items of `tokens` (a file's contents) to `out`.
pub fn format_items(tokens: TokenStream, out: &mut String) -> Result<(), FormatError> {
    format_level(tokens, &mut Vec::new(), out, &mut |_, _| true)
}

/// Like [`format_items`], keeping only the items for which `keep(module path, item)` is true
/// (the path names the inline modules the item is in, outermost first).
pub fn format_items_filtered(
    tokens: TokenStream,
    out: &mut String,
    keep: &mut Keep<'_>,
) -> Result<(), FormatError> {
    format_level(tokens, &mut Vec::new(), out, keep)
}

/// Like [`format_items_filtered`], for items that sit `depth` inline modules deep (the
/// caller writes the modules' lines).
pub fn format_items_nested(
    tokens: TokenStream,
    depth: usize,
    out: &mut String,
    keep: &mut Keep<'_>,
) -> Result<(), FormatError> {
    let mut path = vec![String::new(); depth];
    format_level(tokens, &mut path, out, keep)
}

/// A filter for [`format_items_filtered`].
pub type Keep<'a> = dyn FnMut(&[String], &[TokenTree]) -> bool + 'a;

/// The items of `tokens`, each with its outer attributes, in order.
pub fn split_items(tokens: TokenStream) -> Items {
    Items {
        iter: Vec::new().into_iter().chain(tokens).peekable(),
    }
}

type Trees = std::iter::Chain<std::vec::IntoIter<TokenTree>, proc_macro2::token_stream::IntoIter>;

/// Iterator over the items of a token stream (see [`split_items`]).
pub struct Items {
    iter: std::iter::Peekable<Trees>,
}

impl Iterator for Items {
    type Item = Vec<TokenTree>;

    fn next(&mut self) -> Option<Vec<TokenTree>> {
        let mut item = Vec::new();
        // Outer attributes (`#` then `[...]`; inner ones, `#!`, are handled by the caller).
        loop {
            match self.iter.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == '#' => {
                    item.push(self.iter.next()?);
                    if let Some(TokenTree::Punct(p)) = self.iter.peek()
                        && p.as_char() == '!'
                    {
                        item.push(self.iter.next()?);
                    }
                    if let Some(TokenTree::Group(g)) = self.iter.peek()
                        && g.delimiter() == Delimiter::Bracket
                    {
                        item.push(self.iter.next()?);
                    }
                }
                Some(_) => break,
                None => return (!item.is_empty()).then_some(item),
            }
        }
        // What kind of item: `use`, `const` (not `const fn`), `static` and `type` end at their
        // `;` even when a `{ ... }` comes first; everything else ends at its first `;` or body.
        let mut semicolon_only = None;
        while let Some(tree) = self.iter.next() {
            let ends = match &tree {
                TokenTree::Punct(p) => p.as_char() == ';',
                TokenTree::Group(g) => {
                    g.delimiter() == Delimiter::Brace && semicolon_only != Some(true)
                }
                TokenTree::Ident(i) if semicolon_only.is_none() => {
                    let word = i.to_string();
                    match word.as_str() {
                        "pub" | "crate" | "unsafe" | "async" | "extern" | "default" => {}
                        "const" => {
                            let is_fn = matches!(self.iter.peek(), Some(TokenTree::Ident(n)) if n == "fn" || n == "unsafe" || n == "async");
                            semicolon_only = Some(!is_fn);
                        }
                        "use" | "static" | "type" => semicolon_only = Some(true),
                        _ => semicolon_only = Some(false),
                    }
                    false
                }
                _ => false,
            };
            item.push(tree);
            if ends {
                // `use a::{b, c};`, `const X: T = T { .. };`: the `;` belongs to the item.
                if let Some(TokenTree::Punct(p)) = self.iter.peek()
                    && p.as_char() == ';'
                    && !matches!(item.last(), Some(TokenTree::Punct(_)))
                {
                    item.push(self.iter.next()?);
                }
                break;
            }
        }
        Some(item)
    }
}

/// `[attrs] [pub] mod NAME { ... }`: the index of the body group, when the item is an inline
/// module whose body has no inner attributes.
fn module_body(item: &[TokenTree]) -> Option<usize> {
    let last = item.len().checked_sub(1)?;
    let TokenTree::Group(body) = &item[last] else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace || last < 2 || body.stream().is_empty() {
        return None;
    }
    let is_mod = matches!(&item[last - 2], TokenTree::Ident(i) if i == "mod")
        && matches!(&item[last - 1], TokenTree::Ident(_));
    if !is_mod {
        return None;
    }
    let mut inner = body.stream().into_iter();
    let inner_attrs = matches!(inner.next(), Some(TokenTree::Punct(p)) if p.as_char() == '#')
        && matches!(inner.next(), Some(TokenTree::Punct(p)) if p.as_char() == '!');
    (!inner_attrs).then_some(last)
}

fn format_level(
    tokens: TokenStream,
    path: &mut Vec<String>,
    out: &mut String,
    keep: &mut Keep<'_>,
) -> Result<(), FormatError> {
    let depth = path.len();
    let mut trees = tokens.into_iter();
    let head: Vec<TokenTree> = trees.by_ref().take(2).collect();
    let inner_attrs = matches!(&head[..], [TokenTree::Punct(a), TokenTree::Punct(b), ..] if a.as_char() == '#' && b.as_char() == '!');
    let items = Items {
        iter: head.into_iter().chain(trees).peekable(),
    };
    // Inner attributes of a file: print the file as a whole (small files only have them).
    if inner_attrs {
        if depth > 0 {
            return Err(FormatError("inner attributes in a split module".into()));
        }
        let all: TokenStream = items.iter.collect();
        let file = syn::parse2::<syn::File>(all).map_err(|e| FormatError(e.to_string()))?;
        out.push_str(&prettyplease::unparse(&file));
        return Ok(());
    }
    format_level_items(items, path, out, keep)
}

fn format_level_items(
    items: Items,
    path: &mut Vec<String>,
    out: &mut String,
    keep: &mut Keep<'_>,
) -> Result<(), FormatError> {
    let depth = path.len();
    for mut item in items {
        if !keep(path, &item) {
            continue;
        }
        if let Some(body_at) = module_body(&item) {
            let TokenTree::Group(body) = item.pop().expect("checked") else {
                unreachable!("checked by module_body")
            };
            debug_assert_eq!(item.len(), body_at);
            let name = item.last().map(ToString::to_string).unwrap_or_default();
            let body_stream = body.stream();
            drop(body);
            // The header: the module with an empty body prints `... mod name {}`.
            let mut header: Vec<TokenTree> = item;
            header.push(TokenTree::Group(proc_macro2::Group::new(
                Delimiter::Brace,
                TokenStream::new(),
            )));
            let text = print_item(header, depth)?;
            let Some(open) = text.strip_suffix("{}\n") else {
                return Err(FormatError(format!(
                    "unexpected module header print: {text:?}"
                )));
            };
            out.push_str(open);
            out.push_str("{\n");
            path.push(name);
            format_level(body_stream, path, out, keep)?;
            path.pop();
            push_indent(out, depth);
            out.push_str("}\n");
        } else {
            out.push_str(&print_item(item, depth)?);
        }
    }
    Ok(())
}

fn push_indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("    ");
    }
}

/// Prints one item as it would be printed `depth` modules deep.
fn print_item(item: Vec<TokenTree>, depth: usize) -> Result<String, FormatError> {
    let tokens: TokenStream = item.into_iter().collect();
    let mut item = syn::parse2::<syn::Item>(tokens).map_err(|e| FormatError(e.to_string()))?;
    for _ in 0..depth {
        item = syn::Item::Mod(syn::ItemMod {
            attrs: Vec::new(),
            vis: syn::Visibility::Inherited,
            unsafety: None,
            mod_token: Default::default(),
            ident: Ident::new("__wrapper", Span::call_site()),
            content: Some((Default::default(), vec![item])),
            semi: None,
        });
    }
    let text = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    });
    if depth == 0 {
        return Ok(text);
    }
    // Cut the wrappers' `mod __wrapper {` lines and their closing `}` lines.
    let mut start = 0;
    for _ in 0..depth {
        start += text[start..]
            .find('\n')
            .ok_or_else(|| FormatError("wrapper without a line".into()))?
            + 1;
    }
    let mut end = text.len();
    for _ in 0..depth {
        end = text[..end - 1]
            .rfind('\n')
            .ok_or_else(|| FormatError("wrapper without a closing line".into()))?
            + 1;
    }
    Ok(text[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn whole(tokens: TokenStream) -> String {
        prettyplease::unparse(&syn::parse2::<syn::File>(tokens).unwrap())
    }

    #[test]
    fn item_by_item_prints_like_the_whole_file() {
        let tokens = quote! {
            #[allow(unused_imports)]
            pub use a::{b, c};
            /// Doc.
            #[derive(Debug)]
            pub struct S { pub a: u8, pub b: ::std::option::Option<::std::string::String> }
            pub struct T(u8);
            const X: S = S { a: 1, b: None };
            pub type Y = ::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<u8>>;
            impl ::std::convert::TryFrom<&str> for S {
                type Error = String;
                fn try_from(value: &str) -> ::std::result::Result<Self, Self::Error> { todo!() }
            }
            /// Types.
            #[allow(clippy::all)]
            pub mod types {
                pub enum E { A, B }
                pub mod error {
                    pub struct ConversionError(::std::borrow::Cow<'static, str>);
                    impl ::std::fmt::Display for ConversionError {
                        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> Result<(), ::std::fmt::Error> {
                            ::std::fmt::Display::fmt(&self.0, f)
                        }
                    }
                }
                pub mod empty {}
                static Z: u8 = 3;
            }
            pub async fn f() -> impl Fn() -> u8 { || 1 }
            macro_rules! m { () => {} }
        };
        let mut out = String::new();
        format_items(tokens.clone(), &mut out).unwrap();
        assert_eq!(out, whole(tokens));
    }

    #[test]
    fn inner_attributes_print_whole() {
        let tokens = quote! {
            #![forbid(unsafe_code)]
            pub mod a { pub fn f() {} }
        };
        let mut out = String::new();
        format_items(tokens.clone(), &mut out).unwrap();
        assert_eq!(out, whole(tokens));
    }
}
