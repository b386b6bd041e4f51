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
//!
//! Generated code repeats itself: the same setter in many builders, the same statements in
//! every operation's `send`. So an `impl` block is printed piece by piece too (its header,
//! then each associated item; a function as its signature, then each statement of its body),
//! and a piece already printed in the same file at the same depth is not parsed again: its
//! text is looked up by its exact tokens (`Memo`). The pieces are cut at the token level
//! only where the cut is plain (a statement ends at its `;`, or at the closing brace of a
//! block-like expression); each piece must parse as exactly one item or statement, and
//! anything else is printed whole. Prettyplease breaks every statement and associated item
//! with a hard line break and lays it out from its own indentation, so the pieces' texts
//! concatenate to the text of the whole.
//!
//! What makes pieces unique is often text prettyplease only copies, so it is kept out of the
//! memo keys, always by a rule of prettyplease that a test holds against prettyplease itself:
//! - doc attributes are printed here as the comment lines prettyplease makes of them
//!   (`peel_docs`);
//! - a plain struct header is its attributes (from the memo) and a `pub struct Name {` line
//!   written here (`print_plain_struct_header`);
//! - a field whose line fits the margin is written here around its type, printed once per
//!   distinct type; a longer one is printed with a placeholder name as wide as its own
//!   (`print_plain_field`): prettyplease lays a name out by its width alone;
//! - a function's name is replaced by a placeholder as wide in its signature and statements
//!   (`Renamed`), so the setters of equally long fields share their prints.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use proc_macro2::{Delimiter, Group, Ident, Spacing, Span, TokenStream, TokenTree};

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
    Formatter::default().items(tokens, out)
}

/// Prints the items of one file given in several token streams: what one stream's items
/// printed is reused for the next (see the module doc).
#[derive(Default)]
pub struct Formatter {
    memo: Memo,
}

impl Formatter {
    /// Appends the pretty-printed items of `tokens` to `out`.
    pub fn items(&mut self, tokens: TokenStream, out: &mut String) -> Result<(), FormatError> {
        format_level(tokens, 0, out, &mut self.memo)
    }

    /// Appends the pretty-printed items of `tokens` as they print `depth` modules deep.
    pub fn items_nested(
        &mut self,
        tokens: TokenStream,
        depth: usize,
        out: &mut String,
    ) -> Result<(), FormatError> {
        format_level(tokens, depth, out, &mut self.memo)
    }
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
fn format_level(
    tokens: TokenStream,
    depth: usize,
    out: &mut String,
    memo: &mut Memo,
) -> Result<(), FormatError> {
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
    format_level_items(items, depth, out, memo)
}

fn format_level_items(
    items: Items,
    depth: usize,
    out: &mut String,
    memo: &mut Memo,
) -> Result<(), FormatError> {
    for mut item in items {
        if let Some(body_at) = module_body(&item) {
            let TokenTree::Group(body) = item.pop().expect("checked") else {
                unreachable!("checked by module_body")
            };
            debug_assert_eq!(item.len(), body_at);
            let body_stream = into_stream(body);
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
            format_level(body_stream, depth + 1, out, memo)?;
            push_indent(out, depth);
            out.push_str("}\n");
        } else if let Some(body_at) = impl_body(&item) {
            print_impl(item, body_at, depth, memo, out)?;
        } else if struct_body(&item) {
            print_struct(item, depth, memo, out)?;
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
    print_cut(parse_item(item)?, depth, 0, 0)
}

/// Prints `item` `depth` modules deep and cuts off the wrapper modules' lines, plus `lead`
/// more lines at the start and `trail` more at the end (those of wrappers inside `item`).
fn print_cut(
    mut item: syn::Item,
    depth: usize,
    lead: usize,
    trail: usize,
) -> Result<String, FormatError> {
    for _ in 0..depth {
        item = syn::Item::Mod(syn::ItemMod {
            attrs: Vec::new(),
            vis: syn::Visibility::Inherited,
            unsafety: None,
            mod_token: Default::default(),
            ident: wrapper_ident(),
            content: Some((Default::default(), vec![item])),
            semi: None,
        });
    }
    let text = prettyplease::unparse(&syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    });
    let (lead, trail) = (depth + lead, depth + trail);
    if lead == 0 && trail == 0 {
        return Ok(text);
    }
    // Cut the wrappers' opening lines and their closing lines.
    let mut start = 0;
    for _ in 0..lead {
        start += text[start..]
            .find('\n')
            .ok_or_else(|| FormatError("wrapper without a line".into()))?
            + 1;
    }
    let mut end = text.len();
    for _ in 0..trail {
        end = text[start..end.saturating_sub(1).max(start)]
            .rfind('\n')
            .map(|at| start + at + 1)
            .ok_or_else(|| FormatError("wrapper without a closing line".into()))?;
    }
    Ok(text[start..end].to_owned())
}

fn wrapper_ident() -> Ident {
    Ident::new("__wrapper", Span::call_site())
}

/// The texts already printed in one file (see the module doc), by depth and exact tokens:
/// associated items of `impl` blocks other than functions with a body, the signatures of
/// those functions, and their statements; the fields of structs, their types and the
/// attributes of both fields and struct headers.
#[derive(Default)]
struct Memo {
    attributes: Pieces,
    types: Pieces,
    fields: Pieces,
    members: Pieces,
    signatures: Pieces,
    statements: Pieces,
}

/// Printed pieces of one kind. Only looked up, never iterated, so it does not affect the
/// order of anything.
#[derive(Default)]
struct Pieces {
    texts: HashMap<String, String>,
    /// The key being built (reused).
    key: String,
}

impl Pieces {
    /// The text of `tokens` (`kind` tells apart pieces that print differently in different
    /// places), printed by `print` unless the same piece was printed before.
    fn text<T: AsRef<[TokenTree]>>(
        &mut self,
        kind: &str,
        depth: usize,
        tokens: T,
        print: impl FnOnce(T) -> Result<String, FormatError>,
    ) -> Result<&str, FormatError> {
        self.key.clear();
        let _ = write!(self.key, "{kind}{depth} ");
        write_tokens(&mut self.key, tokens.as_ref());
        self.at_key(|| print(tokens))
    }

    /// The text under the key just built, printed by `print` if it is not there yet.
    fn at_key(
        &mut self,
        print: impl FnOnce() -> Result<String, FormatError>,
    ) -> Result<&str, FormatError> {
        if !self.texts.contains_key(&self.key) {
            let text = print()?;
            self.texts.insert(self.key.clone(), text);
        }
        Ok(&self.texts[&self.key])
    }
}

impl Pieces {
    /// Like [`Pieces::text`] for a piece of a function that `renamed` renames: when the name
    /// occurs in the piece, it is looked up (and printed) with the name replaced by its
    /// placeholder, then given the name back (see [`Renamed`]).
    fn text_renamed(
        &mut self,
        kind: &str,
        depth: usize,
        tokens: &[TokenTree],
        renamed: Option<&Renamed>,
        print: impl FnOnce(&[TokenTree]) -> Result<String, FormatError>,
    ) -> Result<Cow<'_, str>, FormatError> {
        self.key.clear();
        let _ = write!(self.key, "{kind}{depth} ");
        let prefix = self.key.len();
        write_tokens(&mut self.key, tokens);
        // Only the tokens' text is renamed, never the kind and depth before it.
        let text = &self.key[prefix..];
        let renamed = renamed
            .filter(|r| text.contains(r.name.as_str()) && !text.contains(PLACEHOLDER_LETTER));
        let Some(renamed) = renamed else {
            return self.at_key(|| print(tokens)).map(Cow::Borrowed);
        };
        // The key of the renamed piece is its key with the name replaced: the key is the
        // tokens' text, and a name is replaced in identifiers and literals as text.
        let mut key = self.key[..prefix].to_owned();
        key.push_str(&self.key[prefix..].replace(renamed.name.as_str(), &renamed.placeholder));
        if !self.texts.contains_key(&key) {
            let text = match renamed.apply(tokens) {
                Some(copy) => print(&copy)?,
                None => {
                    // A use that cannot be renamed: printed as it is, under its own key.
                    return self.at_key(|| print(tokens)).map(Cow::Borrowed);
                }
            };
            self.texts.insert(key.clone(), text);
        }
        Ok(Cow::Owned(
            self.texts[&key].replace(&renamed.placeholder, &renamed.name),
        ))
    }
}

/// The letter placeholders are made of (see [`Renamed`]); a piece that has it of its own is
/// not renamed, so every one of it in a renamed piece's text comes from a placeholder.
const PLACEHOLDER_LETTER: char = 'q';

/// A function's name, stood in for in its signature and statements by a placeholder as wide
/// (`qqq…`), wherever it occurs in an identifier or a string literal: prettyplease lays out
/// identifiers and literals by their width alone, so the setters of equally long fields
/// (`self.name = value.try_into()…`, "… for name failed") share one print. Pieces whose
/// renamed text is the same are the same but for the name, since the placeholder's letter
/// occurs in neither. A name that is part of a word prettyplease or syn treat specially
/// (keywords of every edition, `self`, `crate`, `doc`, the words of `cfg`) is not renamed, so
/// no identifier changes its kind; nor is a use inside a raw identifier or a literal with
/// escapes (see [`Renamed::apply`]).
struct Renamed {
    name: String,
    placeholder: String,
}

impl Renamed {
    /// The renaming of the function `member` (an associated item's tokens), if its name can
    /// be renamed.
    fn of(member: &[TokenTree]) -> Option<Renamed> {
        let at = member
            .iter()
            .position(|t| matches!(t, TokenTree::Ident(i) if i == "fn"))?;
        let TokenTree::Ident(name) = member.get(at + 1)? else {
            return None;
        };
        let name = name.to_string();
        let plain = name.len() >= 3
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !name.contains(PLACEHOLDER_LETTER)
            && !SPECIAL_WORDS
                .iter()
                .any(|word| word.contains(name.as_str()));
        plain.then(|| Renamed {
            placeholder: PLACEHOLDER_LETTER.to_string().repeat(name.len()),
            name,
        })
    }

    /// `tokens` with the name replaced in every identifier and string literal, or `None`
    /// when a use cannot be: in a raw identifier, or in a literal other than a plain string
    /// without escapes.
    fn apply(&self, tokens: &[TokenTree]) -> Option<Vec<TokenTree>> {
        let name = self.name.as_str();
        let mut out = Vec::with_capacity(tokens.len());
        for tree in tokens {
            match tree {
                TokenTree::Ident(ident) => {
                    let text = ident.to_string();
                    if !text.contains(name) {
                        out.push(tree.clone());
                        continue;
                    }
                    if text.starts_with("r#") {
                        return None;
                    }
                    let renamed = text.replace(name, &self.placeholder);
                    out.push(TokenTree::Ident(Ident::new(&renamed, ident.span())));
                }
                TokenTree::Literal(literal) => {
                    let repr = literal.to_string();
                    if !repr.contains(name) {
                        out.push(tree.clone());
                        continue;
                    }
                    let inner = repr.strip_prefix('"')?.strip_suffix('"')?;
                    if inner.contains(['\\', '"']) {
                        return None;
                    }
                    let mut renamed =
                        proc_macro2::Literal::string(&inner.replace(name, &self.placeholder));
                    if renamed.to_string().len() != repr.len() {
                        return None;
                    }
                    renamed.set_span(literal.span());
                    out.push(TokenTree::Literal(renamed));
                }
                TokenTree::Group(g) => {
                    let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                    let renamed = self.apply(&inner)?;
                    let mut copy = Group::new(g.delimiter(), renamed.into_iter().collect());
                    copy.set_span(g.span());
                    out.push(TokenTree::Group(copy));
                }
                TokenTree::Punct(_) => out.push(tree.clone()),
            }
        }
        Some(out)
    }
}

/// Words whose parts [`Renamed`] leaves alone: keywords of every edition (strict, reserved
/// and weak), the path roots, and the words prettyplease looks for in attributes and macros.
const SPECIAL_WORDS: &[&str] = &[
    "abstract",
    "all",
    "any",
    "as",
    "async",
    "auto",
    "await",
    "become",
    "box",
    "break",
    "const",
    "continue",
    "crate",
    "default",
    "doc",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "final",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "macro",
    "macro_rules",
    "match",
    "mod",
    "move",
    "mut",
    "not",
    "override",
    "priv",
    "pub",
    "raw",
    "ref",
    "return",
    "safe",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "trait",
    "true",
    "try",
    "type",
    "typeof",
    "union",
    "unsafe",
    "unsized",
    "use",
    "virtual",
    "where",
    "while",
    "yield",
];

/// Writes `tokens` as `TokenStream`'s `Display` does: exact for every token, including literal
/// escapes and joint punctuation. (Only an invisible `Delimiter::None` group prints without
/// delimiters: quote, progenitor and typify never make one, and syn only re-emits one it
/// parsed from such a group.)
fn write_tokens(key: &mut String, tokens: &[TokenTree]) {
    let mut joint = false;
    for (i, tree) in tokens.iter().enumerate() {
        if i != 0 && !joint {
            key.push(' ');
        }
        joint = matches!(tree, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
        let _ = write!(key, "{tree}");
    }
}

/// `[attrs] [unsafe] impl ... { ... }` with a non-empty body: the index of the body group.
fn impl_body(item: &[TokenTree]) -> Option<usize> {
    let last = item.len().checked_sub(1)?;
    let TokenTree::Group(body) = &item[last] else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace || body.stream().is_empty() {
        return None;
    }
    let mut at = 0;
    while matches!(&item[at], TokenTree::Punct(p) if p.as_char() == '#') {
        at += 2;
        if at >= last {
            return None;
        }
    }
    if matches!(&item[at], TokenTree::Ident(i) if i == "unsafe") {
        at += 1;
    }
    matches!(&item[at], TokenTree::Ident(i) if i == "impl").then_some(last)
}

/// `[attrs] [pub[(...)]] struct Name[<...>] { ... }` (no `where`) with named fields.
fn struct_body(item: &[TokenTree]) -> bool {
    let Some(TokenTree::Group(body)) = item.last() else {
        return false;
    };
    if body.delimiter() != Delimiter::Brace || body.stream().is_empty() {
        return false;
    }
    let mut at = 0;
    while matches!(item.get(at), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        at += 2;
    }
    if matches!(item.get(at), Some(TokenTree::Ident(i)) if i == "pub") {
        at += 1;
        if matches!(item.get(at), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            at += 1;
        }
    }
    let generics = item.get(at + 2..item.len() - 1).unwrap_or_default();
    matches!(item.get(at), Some(TokenTree::Ident(i)) if i == "struct")
        && matches!(item.get(at + 1), Some(TokenTree::Ident(_)))
        && (generics.is_empty()
            || matches!(generics.first(), Some(TokenTree::Punct(p)) if p.as_char() == '<')
                && !generics
                    .iter()
                    .any(|t| matches!(t, TokenTree::Ident(i) if i == "where")))
}

/// A struct with named fields `depth` modules deep: its header, then its fields one by one.
fn print_struct(
    mut item: Vec<TokenTree>,
    depth: usize,
    memo: &mut Memo,
    out: &mut String,
) -> Result<(), FormatError> {
    let Some(TokenTree::Group(body)) = item.pop() else {
        unreachable!("checked by struct_body")
    };
    let fields = match split_fields(into_stream(body)) {
        Ok(fields) => fields,
        // No plain cut: printed whole.
        Err(body) => {
            item.push(group(Delimiter::Brace, body));
            out.push_str(&print_item(item, depth)?);
            return Ok(());
        }
    };
    let mut text = String::new();
    peel_docs(&mut item, depth, &mut text);
    if !print_plain_struct_header(&item, depth, memo, &mut text)? {
        if fields.len() < 2 {
            // One field and a header with more to it: nothing to share, printed whole.
            item.push(group(
                Delimiter::Brace,
                fields.into_iter().flatten().collect(),
            ));
            text.push_str(&print_item(item, depth)?);
            out.push_str(&text);
            return Ok(());
        }
        // The header, printed with a placeholder field whose line and the closing line are
        // cut.
        let mut header = item;
        header.push(group(
            Delimiter::Brace,
            [
                TokenTree::Ident(wrapper_ident()),
                TokenTree::Punct(proc_macro2::Punct::new(':', Spacing::Alone)),
                group(Delimiter::Parenthesis, TokenStream::new()),
            ]
            .into_iter()
            .collect(),
        ));
        text.push_str(&print_cut(parse_item(header)?, depth, 0, 2)?);
    }
    for mut field in fields {
        peel_docs(&mut field, depth + 1, &mut text);
        if print_plain_field(&field, depth + 1, memo, &mut text)? {
            continue;
        }
        text.push_str(memo.fields.text("", depth, field, |field| {
            let mut wrapper = vec![
                TokenTree::Ident(Ident::new("struct", Span::call_site())),
                TokenTree::Ident(wrapper_ident()),
            ];
            wrapper.push(group(Delimiter::Brace, field.into_iter().collect()));
            print_cut(parse_item(wrapper)?, depth, 1, 1)
        })?);
    }
    push_indent(&mut text, depth);
    text.push_str("}\n");
    out.push_str(&text);
    Ok(())
}

/// How many of `tokens`' first tokens are outer attributes (`#` and its `[...]`).
fn outer_attributes_len(tokens: &[TokenTree]) -> usize {
    let mut at = 0;
    while let [TokenTree::Punct(hash), TokenTree::Group(attr), ..] = &tokens[at..] {
        if hash.as_char() != '#' || attr.delimiter() != Delimiter::Bracket {
            break;
        }
        at += 2;
    }
    at
}

/// The header of a struct with named fields whose attributes are followed by just `[pub]
/// struct Name`: each attribute as prettyplease prints it before an item (on lines of its own,
/// looked up in the memo: the same `derive`s and `serde` attributes come back struct after
/// struct), then `pub struct Name {`, written here. Writes nothing and returns false for any
/// other header.
fn print_plain_struct_header(
    item: &[TokenTree],
    depth: usize,
    memo: &mut Memo,
    out: &mut String,
) -> Result<bool, FormatError> {
    let at = outer_attributes_len(item);
    let (public, name) = match &item[at..] {
        [TokenTree::Ident(keyword), TokenTree::Ident(name)] if keyword == "struct" => (false, name),
        [
            TokenTree::Ident(vis),
            TokenTree::Ident(keyword),
            TokenTree::Ident(name),
        ] if vis == "pub" && keyword == "struct" => (true, name),
        _ => return Ok(false),
    };
    for attr in item[..at].chunks(2) {
        out.push_str(attribute_text(attr, depth, memo)?);
    }
    push_indent(out, depth);
    if public {
        out.push_str("pub ");
    }
    let _ = writeln!(out, "struct {name} {{");
    Ok(true)
}

/// An outer attribute (`#` and its `[...]`) as prettyplease prints it on the lines before an
/// item or a field indented `depth` levels (looked up in the memo).
fn attribute_text<'m>(
    attr: &[TokenTree],
    depth: usize,
    memo: &'m mut Memo,
) -> Result<&'m str, FormatError> {
    memo.attributes.text("", depth, attr, |attr| {
        let mut wrapper = attr.to_vec();
        wrapper.extend([
            TokenTree::Ident(Ident::new("struct", Span::call_site())),
            TokenTree::Ident(wrapper_ident()),
            TokenTree::Punct(proc_macro2::Punct::new(';', Spacing::Alone)),
        ]);
        print_cut(parse_item(wrapper)?, depth, 0, 1)
    })
}

/// Lines of at most this many columns are never broken by prettyplease: its margin (counted
/// from the start of the line while the indentation is at most [`UNBROKEN_INDENT`] columns).
const UNBROKEN_WIDTH: usize = 89;

/// See [`UNBROKEN_WIDTH`] (prettyplease keeps at least 60 columns after deeper indentation).
const UNBROKEN_INDENT: usize = 29;

/// Writes a named field indented `indent` levels, `[attributes] [pub] name: Type`, mostly
/// without parsing it. Each attribute must print as one line (looked up in the memo). When the
/// field's line is at most [`UNBROKEN_WIDTH`] columns and the type prints as one line (printed
/// once per distinct type, as the right-hand side of a type alias: prettyplease prints a type
/// the same wherever it stands when it does not break it), the line is written here. Otherwise
/// the field is printed with a placeholder name of the same width (prettyplease lays out a
/// name by its width alone), looked up in the memo, and the name put back: fields of one type
/// whose names are as long share one print. Writes nothing and returns false for any other
/// field.
fn print_plain_field(
    field: &[TokenTree],
    indent: usize,
    memo: &mut Memo,
    out: &mut String,
) -> Result<bool, FormatError> {
    let at = outer_attributes_len(field);
    let rest = match &field[at..] {
        [rest @ .., TokenTree::Punct(comma)] if comma.as_char() == ',' => rest,
        rest => rest,
    };
    let (public, name, ty) = match rest {
        [
            TokenTree::Ident(vis),
            TokenTree::Ident(name),
            TokenTree::Punct(colon),
            ty @ ..,
        ] if vis == "pub" && colon.as_char() == ':' && colon.spacing() == Spacing::Alone => {
            (true, name, ty)
        }
        [TokenTree::Ident(name), TokenTree::Punct(colon), ty @ ..]
            if colon.as_char() == ':' && colon.spacing() == Spacing::Alone =>
        {
            (false, name, ty)
        }
        _ => return Ok(false),
    };
    if ty.is_empty() || indent * 4 > UNBROKEN_INDENT {
        return Ok(false);
    }
    let mut text = String::new();
    for attr in field[..at].chunks(2) {
        let line = attribute_text(attr, indent, memo)?;
        if line.matches('\n').count() != 1 {
            return Ok(false);
        }
        text.push_str(line);
    }
    let name = name.to_string();
    let mut head = String::new();
    push_indent(&mut head, indent);
    if public {
        head.push_str("pub ");
    }
    let alias = memo.types.text("", 0, ty, |ty| {
        let mut wrapper = vec![
            TokenTree::Ident(Ident::new("type", Span::call_site())),
            TokenTree::Ident(wrapper_ident()),
            TokenTree::Punct(proc_macro2::Punct::new('=', Spacing::Alone)),
        ];
        wrapper.extend(ty.iter().cloned());
        wrapper.push(TokenTree::Punct(proc_macro2::Punct::new(
            ';',
            Spacing::Alone,
        )));
        print_cut(parse_item(wrapper)?, 0, 0, 0)
    })?;
    let flat = alias
        .strip_prefix("type __wrapper = ")
        .and_then(|t| t.strip_suffix(";\n"))
        .filter(|t| !t.contains('\n'));
    if let Some(flat) = flat
        && head.len() + name.len() + ": ".len() + flat.len() + ",".len() <= UNBROKEN_WIDTH
    {
        let _ = writeln!(text, "{head}{name}: {flat},");
        out.push_str(&text);
        return Ok(true);
    }
    // Broken over lines: printed with a placeholder name as wide as the real one.
    let placeholder = "x".repeat(name.len());
    let mut tokens = Vec::with_capacity(ty.len() + 4);
    if public {
        tokens.push(TokenTree::Ident(Ident::new("pub", Span::call_site())));
    }
    tokens.push(TokenTree::Ident(Ident::new(
        &placeholder,
        Span::call_site(),
    )));
    tokens.push(TokenTree::Punct(proc_macro2::Punct::new(
        ':',
        Spacing::Alone,
    )));
    tokens.extend(ty.iter().cloned());
    let depth = indent - 1;
    let printed = memo.fields.text("", depth, tokens, |field| {
        let wrapper = vec![
            TokenTree::Ident(Ident::new("struct", Span::call_site())),
            TokenTree::Ident(wrapper_ident()),
            group(Delimiter::Brace, field.into_iter().collect()),
        ];
        print_cut(parse_item(wrapper)?, depth, 1, 1)
    })?;
    let Some(after) = printed
        .strip_prefix(head.as_str())
        .and_then(|t| t.strip_prefix(placeholder.as_str()))
        .filter(|t| t.starts_with(':'))
    else {
        return Ok(false);
    };
    text.push_str(&head);
    text.push_str(&name);
    text.push_str(after);
    out.push_str(&text);
    Ok(true)
}

/// The named fields of a struct body, each with its attributes and its `,`: cut at the `,`s
/// outside `<...>` (angle brackets are not token groups). Gives the tokens back when the
/// brackets do not balance.
fn split_fields(body: TokenStream) -> Result<Vec<Vec<TokenTree>>, TokenStream> {
    let mut fields = Vec::new();
    let mut field = Vec::new();
    let mut angles = 0usize;
    let mut after_joint_minus = false;
    let mut balanced = true;
    for tree in body {
        let mut ends = false;
        let mut joint_minus = false;
        if let TokenTree::Punct(p) = &tree {
            match p.as_char() {
                '<' => angles += 1,
                '>' if !after_joint_minus => match angles.checked_sub(1) {
                    Some(n) => angles = n,
                    None => balanced = false,
                },
                ',' if angles == 0 => ends = true,
                '-' => joint_minus = p.spacing() == Spacing::Joint,
                _ => {}
            }
        }
        after_joint_minus = joint_minus;
        field.push(tree);
        if ends {
            fields.push(std::mem::take(&mut field));
        }
    }
    if !field.is_empty() {
        fields.push(field);
    }
    if !balanced || angles != 0 {
        return Err(fields.into_iter().flatten().collect());
    }
    Ok(fields)
}

/// The tokens of `group`, owned by the stream alone: iterating a stream that a group still
/// shares copies it token by token (every identifier allocated again).
fn into_stream(group: Group) -> TokenStream {
    let stream = group.stream();
    drop(group);
    stream
}

/// `tokens` as the one group of `delimiter`.
fn group(delimiter: Delimiter, tokens: TokenStream) -> TokenTree {
    TokenTree::Group(Group::new(delimiter, tokens))
}

/// The dummy piece that stands for a body's contents while a header is printed: `__wrapper;`
/// or `fn __wrapper() {}`.
fn placeholder(fn_item: bool) -> TokenStream {
    let name = TokenTree::Ident(wrapper_ident());
    if fn_item {
        [
            TokenTree::Ident(Ident::new("fn", Span::call_site())),
            name,
            group(Delimiter::Parenthesis, TokenStream::new()),
            group(Delimiter::Brace, TokenStream::new()),
        ]
        .into_iter()
        .collect()
    } else {
        [
            name,
            TokenTree::Punct(proc_macro2::Punct::new(';', Spacing::Alone)),
        ]
        .into_iter()
        .collect()
    }
}

/// An `impl` block `depth` modules deep: its header, then its items one by one.
fn print_impl(
    mut item: Vec<TokenTree>,
    body_at: usize,
    depth: usize,
    memo: &mut Memo,
    out: &mut String,
) -> Result<(), FormatError> {
    let Some(TokenTree::Group(body)) = item.pop() else {
        unreachable!("checked by impl_body")
    };
    debug_assert_eq!(item.len(), body_at);
    let members: Vec<Vec<TokenTree>> = split_items(into_stream(body)).collect();
    let inner_attrs = matches!(members.first().map(Vec::as_slice), Some([TokenTree::Punct(a), TokenTree::Punct(b), ..]) if a.as_char() == '#' && b.as_char() == '!');
    // One member (`From`, `Default`, ...): nothing to share, printed whole like inner attributes.
    if inner_attrs || members.len() < 2 {
        item.push(group(
            Delimiter::Brace,
            members.into_iter().flatten().collect(),
        ));
        out.push_str(&print_item(item, depth)?);
        return Ok(());
    }
    // The header, printed with one placeholder item (so that it ends in `{` like the real
    // one) whose line and the closing line are cut off.
    let mut header = item;
    header.push(group(Delimiter::Brace, placeholder(true)));
    let mut text = print_cut(parse_item(header)?, depth, 0, 2)?;
    for member in members {
        print_impl_member(member, depth, memo, &mut text)?;
    }
    push_indent(&mut text, depth);
    text.push_str("}\n");
    out.push_str(&text);
    Ok(())
}

fn parse_item(tokens: Vec<TokenTree>) -> Result<syn::Item, FormatError> {
    syn::parse2::<syn::Item>(tokens.into_iter().collect()).map_err(|e| FormatError(e.to_string()))
}

/// `impl __wrapper { #member }` (its `impl` line and closing line are cut by the caller).
fn in_wrapper_impl(member: syn::ImplItem) -> syn::Item {
    syn::Item::Impl(syn::ItemImpl {
        attrs: Vec::new(),
        defaultness: None,
        unsafety: None,
        impl_token: Default::default(),
        generics: Default::default(),
        trait_: None,
        self_ty: Box::new(syn::Type::Path(syn::TypePath {
            qself: None,
            path: wrapper_ident().into(),
        })),
        brace_token: Default::default(),
        items: vec![member],
    })
}

/// One associated item of an `impl` `depth` modules deep, appended to `out`; a function with
/// a body as its signature and its statements.
fn print_impl_member(
    mut member: Vec<TokenTree>,
    depth: usize,
    memo: &mut Memo,
    out: &mut String,
) -> Result<(), FormatError> {
    peel_docs(&mut member, depth + 1, out);
    let is_fn = member
        .iter()
        .any(|t| matches!(t, TokenTree::Ident(i) if i == "fn"));
    let body = match member.pop() {
        Some(TokenTree::Group(body))
            if is_fn && body.delimiter() == Delimiter::Brace && !body.stream().is_empty() =>
        {
            into_stream(body)
        }
        other => {
            member.extend(other);
            out.push_str(memo.members.text("", depth, member, |member| {
                print_impl_member_whole(member, depth)
            })?);
            return Ok(());
        }
    };
    let statements = match split_statements(body) {
        // Several statements: printed one by one below.
        Ok(statements) if statements.len() > 1 => statements,
        // One statement: the function is printed (and looked up) whole.
        Ok(statements) => {
            member.push(group(
                Delimiter::Brace,
                statements.into_iter().flatten().collect(),
            ));
            out.push_str(memo.members.text("", depth, member, |member| {
                print_impl_member_whole(member, depth)
            })?);
            return Ok(());
        }
        Err(body) => {
            member.push(group(Delimiter::Brace, body));
            out.push_str(&print_impl_member_whole(member, depth)?);
            return Ok(());
        }
    };
    // Each statement printed alone (a copy of it is parsed, so that the function can still
    // be printed whole if one does not parse as exactly one statement).
    let renamed = Renamed::of(&member);
    let mut body_text = String::new();
    let count = statements.len();
    for (index, statement) in statements.iter().enumerate() {
        let last = index + 1 == count;
        let kind = if last { "last" } else { "" };
        let print = |statement: &[TokenTree]| print_statement(statement, last, depth);
        let printed = memo
            .statements
            .text_renamed(kind, depth, statement, renamed.as_ref(), print);
        match printed {
            Ok(printed) => body_text.push_str(&printed),
            Err(_) => {
                member.push(group(
                    Delimiter::Brace,
                    statements.into_iter().flatten().collect(),
                ));
                out.push_str(&print_impl_member_whole(member, depth)?);
                return Ok(());
            }
        }
    }
    // The signature, printed with a placeholder statement: its line, the function's closing
    // line and the wrapper's are cut off.
    let print = |signature: &[TokenTree]| {
        let mut signature = signature.to_vec();
        signature.push(group(Delimiter::Brace, placeholder(false)));
        print_cut(in_wrapper_impl(parse_impl_item(signature)?), depth, 1, 3)
    };
    out.push_str(
        &memo
            .signatures
            .text_renamed("", depth, &member, renamed.as_ref(), print)?,
    );
    out.push_str(&body_text);
    push_indent(out, depth + 1);
    out.push_str("}\n");
    Ok(())
}

/// Prints the leading `#[doc = "..."]` attributes of `piece` (a field or an associated item
/// whose lines are indented `indent` levels) to `out` and takes them off the piece, as far as
/// prettyplease prints them as comments of their own lines: `///` and the text when it is one
/// line that does not start with `/`, else `/**`, the text and `*/` when that makes a well-formed
/// block comment (the rules of prettyplease's `attr`, with the same trimming of trailing
/// spaces). Every attribute ends with a hard line break there, so the piece prints the same
/// without them, and pieces that differ only in their docs share one memo entry.
fn peel_docs(piece: &mut Vec<TokenTree>, indent: usize, out: &mut String) {
    let mut taken = 0;
    while let [TokenTree::Punct(hash), TokenTree::Group(attr), ..] = &piece[taken..] {
        if hash.as_char() != '#' || attr.delimiter() != Delimiter::Bracket {
            break;
        }
        let Some(mut doc) = doc_value(attr) else {
            break;
        };
        if !doc.contains('\n') && !doc.starts_with('/') {
            doc.truncate(doc.trim_end_matches(' ').len());
            push_indent(out, indent);
            out.push_str("///");
            out.push_str(&doc);
        } else if can_be_block_comment(&doc) && !doc.starts_with(['*', '/']) {
            push_indent(out, indent);
            out.push_str("/**");
            let mut lines = doc.split('\n').peekable();
            while let Some(line) = lines.next() {
                if lines.peek().is_some() {
                    out.push_str(line.trim_end_matches(' '));
                    out.push('\n');
                } else {
                    out.push_str(line);
                }
            }
            out.push_str("*/");
        } else {
            break;
        }
        out.push('\n');
        taken += 2;
    }
    piece.drain(..taken);
}

/// The text of a `doc = "..."` attribute body (a plain string literal without a suffix).
fn doc_value(attr: &Group) -> Option<String> {
    let mut tokens = attr.stream().into_iter();
    let (
        Some(TokenTree::Ident(name)),
        Some(TokenTree::Punct(eq)),
        Some(TokenTree::Literal(lit)),
        None,
    ) = (tokens.next(), tokens.next(), tokens.next(), tokens.next())
    else {
        return None;
    };
    if name != "doc" || eq.as_char() != '=' || eq.spacing() != Spacing::Alone {
        return None;
    }
    // Most docs are plain: no escapes to undo, so the text is the literal between its quotes.
    let repr = lit.to_string();
    let plain = |quoted: &str| {
        let text = quoted.strip_prefix('"')?.strip_suffix('"')?;
        (!text.contains(['\\', '"'])).then(|| text.to_owned())
    };
    if let Some(text) = plain(&repr).or_else(|| plain(repr.strip_prefix('r')?)) {
        return Some(text);
    }
    match syn::Lit::new(lit) {
        syn::Lit::Str(text) if text.suffix().is_empty() => Some(text.value()),
        _ => None,
    }
}

/// Whether `text` can sit between `/*` and `*/` (prettyplease's `can_be_block_comment`).
fn can_be_block_comment(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                let Some(d) = depth.checked_sub(1) else {
                    return false;
                };
                depth = d;
                i += 2;
            }
            _ => i += 1,
        }
    }
    depth == 0 && !text.is_empty() && !text.ends_with('/')
}

fn parse_impl_item(tokens: Vec<TokenTree>) -> Result<syn::ImplItem, FormatError> {
    syn::parse2::<syn::ImplItem>(tokens.into_iter().collect())
        .map_err(|e| FormatError(e.to_string()))
}

fn print_impl_member_whole(member: Vec<TokenTree>, depth: usize) -> Result<String, FormatError> {
    print_cut(in_wrapper_impl(parse_impl_item(member)?), depth, 1, 1)
}

/// One statement of a function body `depth` modules deep in an `impl`: printed as the body of
/// a wrapper function (followed by a placeholder unless it is the last statement, which
/// prettyplease treats differently), whose lines are cut off.
fn print_statement(
    statement: &[TokenTree],
    last: bool,
    depth: usize,
) -> Result<String, FormatError> {
    let block = TokenStream::from(group(Delimiter::Brace, statement.iter().cloned().collect()));
    let mut stmts = syn::parse2::<syn::Block>(block)
        .map_err(|e| FormatError(e.to_string()))?
        .stmts;
    if stmts.len() != 1 {
        return Err(FormatError("not one statement".into()));
    }
    if !last {
        stmts.push(syn::Stmt::Expr(
            syn::Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: wrapper_ident().into(),
            }),
            Some(Default::default()),
        ));
    }
    let function = syn::ImplItem::Fn(syn::ImplItemFn {
        attrs: Vec::new(),
        vis: syn::Visibility::Inherited,
        defaultness: None,
        sig: syn::Signature {
            constness: None,
            asyncness: None,
            unsafety: None,
            abi: None,
            fn_token: Default::default(),
            ident: wrapper_ident(),
            generics: Default::default(),
            paren_token: Default::default(),
            inputs: Default::default(),
            variadic: None,
            output: syn::ReturnType::Default,
        },
        block: syn::Block {
            brace_token: Default::default(),
            stmts,
        },
    });
    print_cut(
        in_wrapper_impl(function),
        depth,
        2,
        if last { 2 } else { 3 },
    )
}

/// The statements of a function body, cut at the token level where the cut is plain: outer
/// attributes, then up to and including the first `;`, or, for a statement that starts with a
/// block-like expression (`if`, `match`, `loop`, `while`, `for`, `unsafe { }`, `{ }`), up to its
/// closing brace (and an `else` chain), plus a `;` if one follows. Gives the tokens back when
/// a cut is not plain (inner attributes, a block-like expression continued by `.` or `?`). A
/// cut that is still wrong (`if let S { .. } = s { }`) leaves a piece that does not parse as one
/// statement, and the caller prints the function whole.
fn split_statements(body: TokenStream) -> Result<Vec<Vec<TokenTree>>, TokenStream> {
    let mut trees = body.into_iter().peekable();
    let mut statements: Vec<Vec<TokenTree>> = Vec::new();
    let give_back =
        |statements: Vec<Vec<TokenTree>>,
         current: Vec<TokenTree>,
         rest: std::iter::Peekable<proc_macro2::token_stream::IntoIter>| {
            Err(statements
                .into_iter()
                .flatten()
                .chain(current)
                .chain(rest)
                .collect())
        };
    loop {
        let mut statement = Vec::new();
        while let Some(TokenTree::Punct(p)) = trees.peek() {
            if p.as_char() != '#' {
                break;
            }
            statement.extend(trees.next());
            match trees.peek() {
                Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Bracket => {
                    statement.extend(trees.next());
                }
                // `#!` or a stray `#`.
                _ => return give_back(statements, statement, trees),
            }
        }
        let block_like = match trees.peek() {
            None if statement.is_empty() => break,
            None => return give_back(statements, statement, trees),
            Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Brace,
            // (`unsafe fn`, `unsafe impl` are items ending at their braces too.)
            Some(TokenTree::Ident(word)) => matches!(
                word.to_string().as_str(),
                "if" | "match" | "loop" | "while" | "for" | "unsafe"
            ),
            Some(_) => false,
        };
        if block_like {
            while let Some(tree) = trees.next() {
                let closes =
                    matches!(&tree, TokenTree::Group(g) if g.delimiter() == Delimiter::Brace);
                statement.push(tree);
                if closes && !matches!(trees.peek(), Some(TokenTree::Ident(i)) if i == "else") {
                    break;
                }
            }
            match trees.peek() {
                Some(TokenTree::Punct(p)) if p.as_char() == ';' => statement.extend(trees.next()),
                Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == '?' => {
                    return give_back(statements, statement, trees);
                }
                _ => {}
            }
        } else {
            for tree in trees.by_ref() {
                let ends = matches!(&tree, TokenTree::Punct(p) if p.as_char() == ';');
                statement.push(tree);
                if ends {
                    break;
                }
            }
        }
        statements.push(statement);
    }
    Ok(statements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::{format_ident, quote};

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

    /// Prints `tokens` piece by piece, twice over (the second time every piece comes from
    /// the memo), and checks both against the whole file printed at once.
    fn assert_pieces_print_like_the_whole(tokens: TokenStream) {
        let expected = whole(tokens.clone());
        let mut formatter = Formatter::default();
        for round in ["first", "memoized"] {
            let mut out = String::new();
            formatter.items(tokens.clone(), &mut out).unwrap();
            assert_eq!(out, expected, "{round} round");
        }
        // The pieces were printed as pieces, not only whole.
        let memo = &formatter.memo;
        assert!(!memo.statements.texts.is_empty() || !memo.fields.texts.is_empty());
    }

    #[test]
    fn statements_print_like_the_whole_function() {
        assert_pieces_print_like_the_whole(quote! {
            impl<'a> Builder<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self { client: client, limit: Ok(None), cursor: Ok(None) }
                }
                pub fn limit<V>(mut self, value: V) -> Self where V: std::convert::TryInto<::std::num::NonZeroU64> {
                    self.limit = value.try_into().map(Some).map_err(|_| "conversion to `:: std :: num :: NonZeroU64` for limit failed".to_string());
                    self
                }
                pub async fn send(self) -> Result<ResponseValue<crate::types::AgentSessionListResponseWithAVeryLongName>, Error<()>> {
                    let Self { client, limit, cursor } = self;
                    let limit = limit.map_err(Error::InvalidRequest)?;
                    #[allow(unused_mut)]
                    let mut request = client.client.get(url).header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json")).query(&progenitor_client::QueryParam::new("limit", &limit)).build()?;
                    if let Some(x) = limit { println!("{}", x); } else if cursor.is_ok() { return Err(Error::InvalidRequest("x".into())); } else { loop { break; } }
                    match response.status().as_u16() { 200u16 => ResponseValue::from_response(response).await, _ => Err(Error::UnexpectedResponse(response)) }
                    for x in 0..3 { let _ = x; }
                    while false {}
                    unsafe { std::hint::unreachable_unchecked() };
                    { let scoped = 1; }
                    let Some(y) = limit else { return Ok(()) };
                    let closure = |a: u8| -> u8 { a + 1 };
                    format!("{}", 1)
                }
                fn labeled(&self) { 'outer: loop { break 'outer; } let x = 1; }
                fn items_inside(&self) { fn nested() -> u8 { 1 } struct Local; let x = nested(); }
                fn struct_pattern(&self) { if let Point { x, y } = p { drop((x, y)); } let z = 1; }
                fn struct_pattern_for(&self) { for Point { x, .. } in points {} }
                fn method_on_match(&self) { match x { _ => {} }.to_string(); }
                fn unsafe_items(&self) { unsafe fn raw() {} unsafe { raw() } let x = 1; }
                fn macro_last(&self) { println!("last") }
                fn macro_not_last(&self) { println!("a"); println!("b") }
                fn tail(&self) -> u8 { self.0.clone() }
                fn async_block(&self) { let f = async move { 1 }; async { 2 }.await; }
                const ANSWER: u8 = 42;
                type Output = u8;
                fn empty() {}
            }
            impl ::std::convert::TryFrom<&::std::string::String> for SomeLongTypeNameThatPushesTheLineTo {
                type Error = self::error::ConversionError;
                fn try_from(value: &::std::string::String) -> ::std::result::Result<Self, self::error::ConversionError> { value.parse() }
            }
            impl<T> Wrapper<T> where T: ::std::fmt::Debug + ::std::clone::Clone + ::std::default::Default + Send {
                pub fn get(&self) -> &T { &self.0 }
                pub fn set(&mut self, value: T) { self.0 = value; self.1 += 1; }
            }
            pub mod builder {
                impl Default for super::Thing {
                    fn default() -> Self { Self { a: Ok(Default::default()), b: Ok(Default::default()) } }
                }
                impl Thing {
                    pub fn a<T>(mut self, value: T) -> Self where T: ::std::convert::TryInto<::std::string::String>, T::Error: ::std::fmt::Display {
                        self.a = value.try_into().map_err(|e| format!("error converting supplied value for a: {}", e));
                        self
                    }
                    fn inner(&self) { #![allow(unused)] let x = 1; }
                }
            }
        });
    }

    /// Every Rust file of the repository's own crates and of the checked-in generated client
    /// (hand-written code has every construct the splitter must cut or leave whole): its
    /// items printed piece by piece give the bytes prettyplease gives for the whole file.
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
                "{} prints differently piece by piece",
                path.display()
            );
        }
    }

    /// Doc attributes are printed here, not by prettyplease (see [`peel_docs`]): every shape
    /// of doc text prettyplease prints differently, on fields and on associated items, and the
    /// attributes it does not print as comments (which stay with their piece).
    #[test]
    fn docs_print_like_the_whole_item() {
        let docs = [
            "plain",
            " leading space and trailing spaces   ",
            "",
            "/starts with a slash",
            "*starts with a star\nand has two lines",
            "two lines  \nthe first with trailing spaces  ",
            "/two lines\nstarting with a slash",
            "closes */ a comment\nit never opened",
            "nested /* comment */ is fine\nin a block",
            "ends with a slash\n/",
            "quotes \" and backslashes \\ and tabs \t and unicode \u{e9}",
            "\n",
            "trailing newline\n",
        ];
        let fields = docs.iter().enumerate().map(|(i, doc)| {
            let name = format_ident!("field_{i}");
            quote! {
                #[doc = #doc]
                #[doc = "second line"]
                #[serde(default)]
                #[doc = "after another attribute"]
                pub #name: ::std::string::String,
            }
        });
        let methods = docs.iter().enumerate().map(|(i, doc)| {
            let name = format_ident!("method_{i}");
            quote! {
                #[doc = #doc]
                #[doc(hidden)]
                pub fn #name(&self) -> u8 {
                    let x = 1;
                    x + 1
                }
                #[doc = #doc]
                pub fn #name(&self) -> u8 { 1 }
            }
        });
        assert_pieces_print_like_the_whole(quote! {
            /// A struct.
            pub struct Documented {
                /// A doc comment, as `quote!` turns it into a raw string.
                pub a: u8,
                #(#fields)*
            }
            impl Documented {
                /// A method.
                pub fn a(&self) -> u8 { let y = 2; y }
                #[doc = r#"raw "string""#]
                pub const B: u8 = 1;
                #(#methods)*
            }
            pub mod builder {
                pub struct Nested {
                    #[doc = "nested\ntwo lines"]
                    pub a: u8,
                    #[doc = "one line"]
                    pub b: u8,
                }
            }
        });
    }

    /// Fields written without prettyplease (see [`print_plain_field`]) on both sides of the
    /// margin: types that break and types that cannot, with and without `pub`, in modules.
    #[test]
    fn plain_fields_print_like_the_whole_struct_up_to_the_margin() {
        let shapes: [fn(&str) -> String; 6] = [
            |n| format!("::std::option::Option<{n}>"),
            |n| format!("::std::option::Option<::chrono::DateTime<{n}>>"),
            |n| format!("::std::result::Result<::std::option::Option<{n}>, ::std::string::String>"),
            |n| format!("::std::vec::Vec<::serde_json::Map<::std::string::String, {n}>>"),
            |n| n.to_owned(),
            |n| format!("&'a {n}"),
        ];
        for shape in shapes {
            for vis in ["pub ", ""] {
                for depth in 0..3 {
                    let mut fields = String::new();
                    for len in 20..90 {
                        let ty = shape(&format!("T{}", "x".repeat(len)));
                        fields.push_str(&format!(
                            "#[serde(default)] {vis}f{len}: {ty}, {vis}g{len}: {ty},"
                        ));
                    }
                    let src = format!(
                        "{}pub struct S {{ {fields} }}{}",
                        "pub mod m { ".repeat(depth),
                        " }".repeat(depth)
                    );
                    assert_pieces_print_like_the_whole(src.parse().unwrap());
                }
            }
        }
    }

    /// Functions whose name is stood in for by a placeholder (see [`Renamed`]): setters of
    /// equally long names share prints, and every use of a name that cannot be renamed, or
    /// that is part of something else, still prints as prettyplease prints it.
    #[test]
    fn renamed_functions_print_like_the_whole_impl() {
        let names = [
            "agent", "topic", "limit_x", "limit_y", "cursor", "name2", "team_id", "elf", "sel",
            "per", "query", "format", "value", "self_", "abc",
        ];
        let setters = names.iter().map(|name| {
            let ident = format_ident!("{name}");
            let message = format!("error converting supplied value for {name}: {{}}");
            let conversion =
                format!("conversion to `:: std :: string :: String` for {name} failed");
            quote! {
                pub fn #ident<T>(mut self, value: T) -> Self
                where
                    T: ::std::convert::TryInto<::std::option::Option<::std::string::String>>,
                    T::Error: ::std::fmt::Display,
                {
                    self.#ident = value.try_into().map_err(|e| format!(#message, e));
                    self.#ident = value.try_into().map_err(|_| #conversion.to_string());
                    let #ident = self.#ident.clone();
                    self
                }
            }
        });
        assert_pieces_print_like_the_whole(quote! {
            impl Builder {
                #(#setters)*
                pub fn agent_name(&self) -> u8 {
                    let agent = r#agent_name;
                    let s = "escaped \" agent_name";
                    let b = b"agent_name";
                    agent_name!(agent_name);
                    'agent_name: loop { break 'agent_name; }
                    let request = agent_name;
                    1
                }
                pub fn topic(&self) -> u8 {
                    let qtopic = topicq;
                    3
                }
                pub fn st0(&self) -> u8 {
                    let x = 1;
                    st0
                }
            }
            pub mod nested {
                impl Builder {
                    pub fn st1(&self) -> u8 {
                        let x = 1;
                        st1
                    }
                    pub fn other(&self) {}
                }
            }
            impl Builder {
                pub fn thread(&self) -> u8 {
                    let x = thread_local;
                    let y = "thread \n thread";
                    2
                }
            }
        });
    }

    #[test]
    fn fields_print_like_the_whole_struct() {
        assert_pieces_print_like_the_whole(quote! {
            #[doc = "A struct."]
            #[derive(Clone, Debug, ::serde::Deserialize, ::serde::Serialize)]
            pub struct Agent {
                #[doc = "The id."]
                pub id: ::std::string::String,
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub metadata: ::std::option::Option<::std::collections::HashMap<::std::string::String, ::serde_json::Value>>,
                pub callback: fn(u8, u16) -> ::std::result::Result<::std::vec::Vec<u8>, ::std::string::String>,
                pub(crate) nested: ::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<::std::collections::BTreeMap<::std::string::String, AVeryLongTypeName>>>,
                r#type: u8
            }
            pub struct Same { pub id: ::std::string::String, }
            struct Private { a: u8, b: u8 }
            pub(crate) struct CrateOne { pub a: u8 }
            pub(crate) struct CrateTwo { pub a: u8, pub b: u8 }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, ::schemars::JsonSchema, SomeVeryLongDeriveName)]
            #[serde(rename_all = "camelCase", deny_unknown_fields)]
            #[doc = "a doc after other attributes"]
            #[doc(hidden)]
            pub struct Long { pub a: u8 }
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug)]
            pub struct r#match { pub a: u8 }
            pub struct Two { pub id: ::std::string::String, pub same: Same }
            pub struct Generic<T> { pub value: T }
            #[derive(Debug, Clone)]
            pub struct Builder<'a> { client: &'a super::Client, body: Result<types::builder::Body, String>, limit: Result<Option<::std::num::NonZeroU64>, String> }
            pub struct Bounded<T: Clone, const N: usize> { pub value: [T; N], pub other: T }
            pub struct Wherever<T> where T: Clone { pub value: T, pub other: T }
            pub struct Tuple(pub u8, pub u16);
            pub mod builder {
                pub struct Agent {
                    id: ::std::result::Result<::std::string::String, ::std::string::String>,
                    metadata: ::std::result::Result<::std::option::Option<::std::collections::HashMap<::std::string::String, ::serde_json::Value>>, ::std::string::String>,
                }
            }
        });
    }
}
