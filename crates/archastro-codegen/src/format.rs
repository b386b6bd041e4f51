//! Pretty-printing generated token streams one item at a time.
//!
//! `syn::parse2::<syn::File>` of a whole generated file followed by `prettyplease::unparse`
//! keeps the syntax tree of every item alive at once (gigabytes on large specs). Here the
//! token stream is split into its items at the token level (outer attributes, then tokens up
//! to the `;` or the `{ ... }` body that ends the item), and each item is parsed and printed
//! on its own; a module's items are printed one by one inside it. The text is the same as
//! printing the whole file: prettyplease ends every item with a hard line break, so a file's
//! text is the concatenation of its items' texts, and an item nested `d` modules deep is
//! printed inside `d` wrapper modules whose lines are then cut off. Plain structs and enums
//! (most of the shared types) are written straight from their tokens instead, as prettyplease
//! prints them ([`plain`]); an item that printer does not take is parsed and printed.
//!
//! No memo of repeated pieces: printing `impl` blocks, functions and structs piece by piece
//! and looking up the pieces printed before (a thousand lines here, with copies of
//! prettyplease's layout rules) saved under 15% of regen time, so it was removed. Measured on
//! the largest shared platform spec, release builds with and without it, alternating runs
//! under `chrt -f 10` on a loaded 2-core machine: `xtask regen --spec
//! ../shared/specs/archastro-current/platform-openapi-2026-09-24.json --families <its
//! families file> --out /tmp/fmt-out` took a median of 411 ms of wall time with the memo and
//! 458 ms without (10% saved; 7% in a second series) and 635 ms against 710 ms of CPU (11%);
//! callgrind counted 3.09 G against 3.69 G instructions (16%, leaving out the kernel and
//! memory stalls; cachegrind's cycle estimate gives 14.7%). A synthetic spec of 10 000
//! operations peaks at the same 946 MB either way, and takes 14.5–15.3 s of CPU instead of
//! 11.5–12.3 s. On a quiet machine (hyperfine, 10 whole-process runs of the same command):
//! 442 ms with the memo, 508 ms without, 13%.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};

mod conversions;
pub(crate) mod plain;

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
    format_level(tokens, 0, out)
}

/// Appends the pretty-printed items of `tokens` as they print `depth` inline modules deep
/// (indented, and with long lines broken where they break inside those modules).
pub fn format_items_nested(
    tokens: TokenStream,
    depth: usize,
    out: &mut String,
) -> Result<(), FormatError> {
    format_level(tokens, depth, out)
}

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

/// Prints the items of `tokens` as they print `depth` inline modules deep.
fn format_level(tokens: TokenStream, depth: usize, out: &mut String) -> Result<(), FormatError> {
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
    for mut item in items {
        let Some(body_at) = module_body(&item) else {
            out.push_str(&print_item(item, depth)?);
            continue;
        };
        let Some(TokenTree::Group(body)) = item.pop() else {
            unreachable!("checked by module_body")
        };
        debug_assert_eq!(item.len(), body_at);
        let body_stream = into_stream(body);
        // The header: the module with an empty body prints `... mod name {}`.
        let mut header = item;
        header.push(TokenTree::Group(Group::new(
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
        format_level(body_stream, depth + 1, out)?;
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str("}\n");
    }
    Ok(())
}

/// The tokens of `group`, owned by the stream alone: iterating a stream that a group still
/// shares copies it token by token (every identifier allocated again).
fn into_stream(group: Group) -> TokenStream {
    let stream = group.stream();
    drop(group);
    stream
}

/// Appends `statements` (a function body's statements, or some of them) pretty-printed as
/// they print in a function body whose statements are indented `levels` levels (at least 1).
pub fn format_statements(
    statements: TokenStream,
    levels: usize,
    out: &mut String,
) -> Result<(), FormatError> {
    let wrapper = quote::quote! { fn __statements() { #statements } };
    let text = print_parsed(wrapper.into_iter().collect(), levels.saturating_sub(1))?;
    let body = text
        .split_once('\n')
        .and_then(|(_, rest)| rest.strip_suffix('\n'))
        .and_then(|rest| rest.rsplit_once('\n'))
        .map(|(body, _)| body)
        .ok_or_else(|| FormatError(format!("unexpected statements print: {text:?}")))?;
    out.push_str(body);
    out.push('\n');
    Ok(())
}

/// Prints one item as it prints `depth` modules deep: inside `depth` wrapper modules whose
/// opening and closing lines are then cut off.
fn print_item(item: Vec<TokenTree>, depth: usize) -> Result<String, FormatError> {
    match plain::print(&item, depth).or_else(|| conversions::print(&item, depth)) {
        Some(text) => Ok(text),
        None => print_parsed(item, depth),
    }
}

/// [`print_item`] through syn and prettyplease.
fn print_parsed(item: Vec<TokenTree>, depth: usize) -> Result<String, FormatError> {
    let mut item = syn::parse2::<syn::Item>(item.into_iter().collect())
        .map_err(|e| FormatError(e.to_string()))?;
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
    let mut start = 0;
    for _ in 0..depth {
        start += text[start..]
            .find('\n')
            .ok_or_else(|| FormatError("wrapper without a line".into()))?
            + 1;
    }
    let mut end = text.len();
    for _ in 0..depth {
        end = text[start..end.saturating_sub(1).max(start)]
            .rfind('\n')
            .map(|at| start + at + 1)
            .ok_or_else(|| FormatError("wrapper without a closing line".into()))?;
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

    /// Every Rust file of the repository's own crates and of the checked-in generated client
    /// (hand-written code has every construct the splitter must cut or leave whole): its
    /// items printed one by one give the bytes prettyplease gives for the whole file.
    #[test]
    fn the_repositorys_rust_files_print_like_the_whole_file() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = Vec::new();
        let mut dirs = vec![
            root.join("crates"),
            root.join("generated/archastro-client/src"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        files.sort();
        assert!(files.len() > 40, "{} files", files.len());
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = syn::parse_file(&text).unwrap();
            let items = syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: file.items,
            };
            let tokens = quote::ToTokens::to_token_stream(&items);
            let mut out = String::new();
            format_items(tokens, &mut out).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                out == prettyplease::unparse(&items),
                "{} prints differently item by item",
                path.display()
            );
        }
    }

    /// Items nested in modules are laid out from their own indentation: lines near the
    /// margin break where they break in the whole file, at every depth.
    #[test]
    fn nested_items_break_at_the_margin_like_the_whole_file() {
        for depth in 0..3 {
            let mut items = String::new();
            for len in 20..90 {
                let ty = format!("::std::option::Option<T{}>", "x".repeat(len));
                items.push_str(&format!(
                    "pub struct S{len} {{ #[serde(default)] pub f: {ty}, g: {ty} }} \
                     impl S{len} {{ pub fn get(&self) -> &{ty} {{ &self.f }} }}"
                ));
            }
            let tokens: TokenStream = format!(
                "{}{items}{}",
                "pub mod m { ".repeat(depth),
                " }".repeat(depth)
            )
            .parse()
            .unwrap();
            let mut out = String::new();
            format_items(tokens.clone(), &mut out).unwrap();
            assert!(out == whole(tokens), "depth {depth}");
        }
    }

    /// Items printed as they print one module deep are the lines between a module's braces.
    #[test]
    fn items_nested_print_like_the_inside_of_a_module() {
        let items = quote! {
            /// A struct whose field's type is long enough to be broken near the margin.
            pub struct Builder { pub value: ::std::result::Result<::std::option::Option<::std::string::String>, ::std::string::String> }
            impl Builder { pub fn new() -> Self { todo!() } }
        };
        let mut nested = String::new();
        format_items_nested(items.clone(), 1, &mut nested).unwrap();
        let module = whole(quote! { pub mod builder { #items } });
        let inside = module
            .strip_prefix("pub mod builder {\n")
            .and_then(|m| m.strip_suffix("}\n"))
            .unwrap();
        assert_eq!(nested, inside);
        assert!(nested.starts_with("    /// A struct"), "{nested}");
    }
}
