//! Printing plain structs and enums straight from their tokens, as prettyplease prints them,
//! without parsing them into a syntax tree first.
//!
//! Most of a large spec's shared types are such items: outer attributes (docs, `derive`,
//! `serde`), named fields or tuple and unit variants, and field types that are paths with
//! generic arguments. Parsing each with syn and printing it with prettyplease was a third of
//! the printing time of a regeneration; here they are written directly. Only what can be
//! printed exactly as prettyplease 0.2 prints it is taken: any other token shape, or a line
//! whose layout is not certain, returns `None`, and the caller prints the item the usual way.
//! A test holds the two printers' texts equal.
//!
//! The rules followed (prettyplease's `item_struct`, `item_enum`, `variant`, `field`, `attr`,
//! `attr_tokens`, `path`): a doc attribute whose text has no line break and does not start
//! with `/` prints as `///` and the text, trailing spaces trimmed; any other attribute prints
//! as `#[path(tokens)]` or `#[path = literal]`, the tokens spaced as `attr_tokens` spaces
//! them (a space between two words, ` = ` after a word, `, ` after a comma, a trailing comma
//! dropped); a type path prints its segments joined by `::` and its generic arguments as
//! `<A, B>`. On a line that fits the margin, nothing breaks; an attribute list or a field's
//! generic arguments that do not fit break one entry per line, as prettyplease breaks them
//! (a line that overhangs only by what follows the list's box is left to prettyplease).

use proc_macro2::{Delimiter, Ident, Literal, TokenStream, TokenTree};

/// prettyplease's right margin: a line no longer than this has no break in it.
pub(crate) const MARGIN: usize = 89;

/// The text of `item` printed `depth` modules deep, when it is a plain struct or enum.
pub(super) fn print(item: &[TokenTree], depth: usize) -> Option<String> {
    let mut out = Lines::new(depth * 4);
    let (attrs, rest) = outer_attributes(item)?;
    let (public, rest) = visibility(rest)?;
    let [
        TokenTree::Ident(keyword),
        TokenTree::Ident(name),
        TokenTree::Group(body),
    ] = rest
    else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let is_struct = keyword == "struct";
    if !is_struct && keyword != "enum" {
        return None;
    }
    for attr in attrs {
        out.attribute(attr)?;
    }
    let tokens: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut header = String::from(if public { "pub " } else { "" });
    header.push_str(keyword_text(is_struct));
    push_ident(&mut header, name);
    if tokens.is_empty() {
        header.push_str(" {}");
        return out.code(&header).map(|()| out.text);
    }
    header.push_str(" {");
    out.code(&header)?;
    out.indent += 4;
    let mut rest = &tokens[..];
    while !rest.is_empty() {
        rest = if is_struct {
            out.field(rest)?
        } else {
            out.variant(rest)?
        };
    }
    out.indent -= 4;
    out.code("}")?;
    Some(out.text)
}

fn keyword_text(is_struct: bool) -> &'static str {
    if is_struct { "struct " } else { "enum " }
}

/// Printed lines, and the indentation of the next.
pub(crate) struct Lines {
    pub(crate) text: String,
    pub(crate) indent: usize,
}

impl Lines {
    /// No lines yet; the first indented by `indent` columns.
    pub(crate) fn new(indent: usize) -> Lines {
        Lines {
            text: String::new(),
            indent,
        }
    }

    /// Whether `line` fits on one line at the current indentation (prettyplease breaks
    /// nothing in such a line).
    pub(crate) fn fits(&self, line: &str) -> bool {
        self.indent + line.len() <= MARGIN
    }

    /// A line of code; `None` when prettyplease could break it.
    pub(crate) fn code(&mut self, line: &str) -> Option<()> {
        self.fits(line).then(|| self.push(line))
    }

    /// A line as it is, whatever its length.
    pub(crate) fn push(&mut self, line: &str) {
        self.text.extend(std::iter::repeat_n(' ', self.indent));
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// A function's signature opening its body, `{head}{params}) -> {returns} {` (`head`
    /// ends in the `(`), on one line where it fits, else as prettyplease breaks it: the
    /// parameters on a line of their own, with a trailing comma. `None` when a line of that
    /// form does not fit either.
    pub(crate) fn signature(&mut self, head: &str, params: &str, returns: &str) -> Option<()> {
        let one = format!("{head}{params}) -> {returns} {{");
        if self.fits(&one) {
            self.push(&one);
            return Some(());
        }
        self.code(head)?;
        self.indent += 4;
        self.code(&format!("{params},"))?;
        self.indent -= 4;
        self.code(&format!(") -> {returns} {{"))
    }

    /// One outer attribute (the `[...]` group after `#`).
    pub(crate) fn attribute(&mut self, attr: &TokenTree) -> Option<()> {
        let TokenTree::Group(group) = attr else {
            return None;
        };
        let tokens: Vec<TokenTree> = group.stream().into_iter().collect();
        if let [
            TokenTree::Ident(doc),
            TokenTree::Punct(eq),
            TokenTree::Literal(text),
        ] = &tokens[..]
            && doc == "doc"
            && eq.as_char() == '='
        {
            let text = string_value(text)?;
            if text.contains('\n') || text.starts_with('/') {
                return None;
            }
            self.push(&format!("///{}", text.trim_end_matches(' ')));
            return Some(());
        }
        let mut line = String::from("#[");
        let rest = simple_path(&tokens, &mut line)?;
        match rest {
            [] => {}
            [TokenTree::Group(list)] if list.delimiter() == Delimiter::Parenthesis => {
                let head = line.clone();
                attr_tokens(list.stream(), &mut line)?;
                line.push(']');
                if self.fits(&line) {
                    self.push(&line);
                    return Some(());
                }
                // Too long: the list breaks (unless the line only overhangs by the `]` that
                // follows the list's box, where prettyplease may keep it whole).
                if self.fits(&line[..line.len() - 1]) {
                    return None;
                }
                return self.broken_list(&head, list.stream());
            }
            [TokenTree::Punct(eq), TokenTree::Literal(value)] if eq.as_char() == '=' => {
                line.push_str(" = ");
                line.push_str(&value.to_string());
            }
            _ => return None,
        }
        line.push(']');
        self.code(&line)
    }

    /// An attribute list that does not fit on its line, as prettyplease breaks it: `head(`,
    /// then each comma-separated entry on a line of its own, then `)]`; `None` unless every
    /// entry prints without a space prettyplease could break at, on a line that fits.
    fn broken_list(&mut self, head: &str, list: TokenStream) -> Option<()> {
        let tokens: Vec<TokenTree> = list.into_iter().collect();
        let mut entries: Vec<&[TokenTree]> = tokens
            .split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
            .collect();
        let trailing_comma = entries.last().is_some_and(|e| e.is_empty());
        if trailing_comma {
            entries.pop();
        }
        if entries.iter().any(|e| e.is_empty()) {
            return None;
        }
        let mut lines = Lines::new(self.indent + 4);
        for (i, entry) in entries.iter().enumerate() {
            let mut text = unbreakable_entry(entry)?;
            if i + 1 < entries.len() || trailing_comma {
                text.push(',');
            }
            lines.code(&text)?;
        }
        self.push(&format!("{head}("));
        self.text.push_str(&lines.text);
        self.push(")]");
        Some(())
    }

    /// One named field and its comma; returns the tokens after them.
    fn field<'t>(&mut self, tokens: &'t [TokenTree]) -> Option<&'t [TokenTree]> {
        let (attrs, rest) = outer_attributes(tokens)?;
        let (public, rest) = visibility(rest)?;
        let [TokenTree::Ident(name), TokenTree::Punct(colon), rest @ ..] = rest else {
            return None;
        };
        if colon.as_char() != ':' || colon.spacing() != proc_macro2::Spacing::Alone {
            return None;
        }
        let (ty, rest) = until_comma(rest);
        for attr in attrs {
            self.attribute(attr)?;
        }
        let mut line = String::from(if public { "pub " } else { "" });
        push_ident(&mut line, name);
        line.push_str(": ");
        let head_len = line.len();
        type_path(ty, &mut line)?;
        line.push(',');
        if self.fits(&line) {
            self.push(&line);
            return Some(rest);
        }
        // Too long: the type's first generic arguments break, one per line (unless the line
        // only overhangs by the `>,` after their box, where prettyplease may keep it whole).
        if self.fits(&line[..line.len() - 2]) {
            return None;
        }
        let open = ty
            .iter()
            .position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '<'))?;
        let [TokenTree::Punct(close)] = &ty[ty.len() - 1..] else {
            return None;
        };
        if close.as_char() != '>' {
            return None;
        }
        let mut head = line[..head_len].to_owned();
        type_prefix(&ty[..open], &mut head)?;
        let mut arguments = Lines::new(self.indent + 4);
        let mut inside = &ty[open + 1..ty.len() - 1];
        while !inside.is_empty() {
            let (argument, after) = until_comma(inside);
            let mut text = String::new();
            type_path(argument, &mut text)?;
            text.push(',');
            arguments.code(&text)?;
            inside = after;
        }
        if arguments.text.is_empty() {
            return None;
        }
        self.code(&format!("{head}<"))?;
        self.text.push_str(&arguments.text);
        self.push(">,");
        Some(rest)
    }

    /// One unit or tuple variant and its comma; returns the tokens after them.
    fn variant<'t>(&mut self, tokens: &'t [TokenTree]) -> Option<&'t [TokenTree]> {
        let (attrs, rest) = outer_attributes(tokens)?;
        let [TokenTree::Ident(name), rest @ ..] = rest else {
            return None;
        };
        let mut line = String::new();
        push_ident(&mut line, name);
        let rest = match rest {
            [TokenTree::Group(fields), rest @ ..]
                if fields.delimiter() == Delimiter::Parenthesis =>
            {
                let fields: Vec<TokenTree> = fields.stream().into_iter().collect();
                let mut fields = &fields[..];
                line.push('(');
                let mut first = true;
                while !fields.is_empty() {
                    let (ty, after) = until_comma(fields);
                    if !first {
                        line.push_str(", ");
                    }
                    type_path(ty, &mut line)?;
                    first = false;
                    fields = after;
                }
                if first {
                    return None;
                }
                line.push(')');
                rest
            }
            rest => rest,
        };
        let rest = match rest {
            [] => rest,
            [TokenTree::Punct(comma), rest @ ..] if comma.as_char() == ',' => rest,
            _ => return None,
        };
        for attr in attrs {
            self.attribute(attr)?;
        }
        line.push(',');
        self.code(&line)?;
        Some(rest)
    }
}

/// The outer attributes at the start of `tokens` (each the `[...]` group after its `#`), and
/// the tokens after them.
pub(crate) fn outer_attributes(tokens: &[TokenTree]) -> Option<(Vec<&TokenTree>, &[TokenTree])> {
    let mut attrs = Vec::new();
    let mut rest = tokens;
    while let [TokenTree::Punct(hash), group, after @ ..] = rest
        && hash.as_char() == '#'
    {
        if !matches!(group, TokenTree::Group(g) if g.delimiter() == Delimiter::Bracket) {
            return None;
        }
        attrs.push(group);
        rest = after;
    }
    Some((attrs, rest))
}

/// Whether `tokens` start with a bare `pub` (a restricted one is not taken), and what follows.
fn visibility(tokens: &[TokenTree]) -> Option<(bool, &[TokenTree])> {
    match tokens {
        [TokenTree::Ident(public), TokenTree::Group(_), ..] if public == "pub" => None,
        [TokenTree::Ident(public), rest @ ..] if public == "pub" => Some((true, rest)),
        rest => Some((false, rest)),
    }
}

/// The tokens up to the first comma outside angle brackets, and those after the comma.
fn until_comma(tokens: &[TokenTree]) -> (&[TokenTree], &[TokenTree]) {
    let mut depth = 0usize;
    for (at, token) in tokens.iter().enumerate() {
        if let TokenTree::Punct(p) = token {
            match p.as_char() {
                '<' => depth += 1,
                '>' => depth = depth.saturating_sub(1),
                ',' if depth == 0 => return (&tokens[..at], &tokens[at + 1..]),
                _ => {}
            }
        }
    }
    (tokens, &[])
}

fn push_ident(out: &mut String, ident: &Ident) {
    out.push_str(&ident.to_string());
}

/// `a::b` (segments without generic arguments) at the start of `tokens`, written to `out`;
/// returns the tokens after it.
fn simple_path<'t>(tokens: &'t [TokenTree], out: &mut String) -> Option<&'t [TokenTree]> {
    let mut rest = tokens;
    let mut expect_segment = true;
    loop {
        match rest {
            // A leading `::`, before the first segment only.
            [TokenTree::Punct(a), TokenTree::Punct(b), after @ ..]
                if a.as_char() == ':' && b.as_char() == ':' && expect_segment =>
            {
                if rest.len() != tokens.len() {
                    return None;
                }
                out.push_str("::");
                rest = after;
            }
            [TokenTree::Ident(segment), after @ ..] if expect_segment => {
                push_ident(out, segment);
                expect_segment = false;
                rest = after;
            }
            [TokenTree::Punct(a), TokenTree::Punct(b), after @ ..]
                if a.as_char() == ':' && b.as_char() == ':' =>
            {
                out.push_str("::");
                expect_segment = true;
                rest = after;
            }
            _ if expect_segment => return None,
            _ => return Some(rest),
        }
    }
}

/// A type that is a path, each segment with optional generic arguments that are themselves
/// such types: `::std::option::Option<::std::string::String>`. Anything else is `None`.
/// The unit type `()` is taken too.
pub(crate) fn type_path(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    let rest = path_with_arguments(tokens, out)?;
    rest.is_empty().then_some(())
}

fn path_with_arguments<'t>(tokens: &'t [TokenTree], out: &mut String) -> Option<&'t [TokenTree]> {
    if let [TokenTree::Group(unit), after @ ..] = tokens
        && unit.delimiter() == Delimiter::Parenthesis
        && unit.stream().is_empty()
    {
        out.push_str("()");
        return Some(after);
    }
    let mut rest = tokens;
    if let [TokenTree::Punct(a), TokenTree::Punct(b), after @ ..] = rest
        && a.as_char() == ':'
        && b.as_char() == ':'
    {
        out.push_str("::");
        rest = after;
    }
    loop {
        let [TokenTree::Ident(segment), after @ ..] = rest else {
            return None;
        };
        push_ident(out, segment);
        rest = after;
        if let [TokenTree::Punct(open), after @ ..] = rest
            && open.as_char() == '<'
        {
            rest = generic_arguments(after, out)?;
        }
        match rest {
            [TokenTree::Punct(a), TokenTree::Punct(b), after @ ..]
                if a.as_char() == ':' && b.as_char() == ':' =>
            {
                if matches!(after.first(), Some(TokenTree::Punct(p)) if p.as_char() == '<') {
                    return None;
                }
                out.push_str("::");
                rest = after;
            }
            _ => return Some(rest),
        }
    }
}

/// `A, B>` after a `<`: written as `<A, B>` (a trailing comma dropped); returns what follows
/// the `>`. No arguments is `None` (prettyplease prints no brackets then).
fn generic_arguments<'t>(tokens: &'t [TokenTree], out: &mut String) -> Option<&'t [TokenTree]> {
    out.push('<');
    let mut rest = tokens;
    let mut first = true;
    loop {
        if let [TokenTree::Punct(close), after @ ..] = rest
            && close.as_char() == '>'
        {
            if first {
                return None;
            }
            out.push('>');
            return Some(after);
        }
        if !first {
            out.push_str(", ");
        }
        rest = path_with_arguments(rest, out)?;
        first = false;
        match rest {
            [TokenTree::Punct(comma), after @ ..] if comma.as_char() == ',' => rest = after,
            [TokenTree::Punct(close), ..] if close.as_char() == '>' => {}
            _ => return None,
        }
    }
}

/// A path without generic arguments (`::std::vec::Vec`) written to `out`; `None` for any
/// other tokens.
fn type_prefix(tokens: &[TokenTree], out: &mut String) -> Option<()> {
    let mut text = String::new();
    let rest = path_with_arguments(tokens, &mut text)?;
    (rest.is_empty() && !text.contains('<')).then(|| out.push_str(&text))
}

/// One entry of an attribute list (the tokens between two commas) as `attr_tokens` prints it,
/// when it has no space prettyplease could break at (between two words) and no group.
fn unbreakable_entry(tokens: &[TokenTree]) -> Option<String> {
    let mut out = String::new();
    let mut word = false;
    for token in tokens {
        match token {
            TokenTree::Ident(_) | TokenTree::Literal(_) if word => return None,
            TokenTree::Ident(ident) => {
                push_ident(&mut out, ident);
                word = true;
            }
            TokenTree::Literal(literal) => {
                out.push_str(&literal.to_string());
                word = true;
            }
            TokenTree::Punct(punct) => {
                let ch = punct.as_char();
                if word && ch == '=' {
                    out.push(' ');
                }
                out.push(ch);
                if ch == '=' {
                    out.push(' ');
                }
                word = false;
            }
            TokenTree::Group(_) => return None,
        }
    }
    Some(out)
}

/// The tokens of an attribute's list, `(...)` included, as prettyplease's `attr_tokens`
/// prints them on one line.
fn attr_tokens(stream: TokenStream, out: &mut String) -> Option<()> {
    #[derive(PartialEq)]
    enum State {
        Word,
        Punct,
        TrailingComma,
    }
    fn group(stream: TokenStream, out: &mut String) -> Option<()> {
        out.push('(');
        let mut state = State::Punct;
        let mut tokens = stream.into_iter().peekable();
        while let Some(token) = tokens.next() {
            match token {
                TokenTree::Ident(ident) => {
                    if state == State::Word {
                        out.push(' ');
                    }
                    push_ident(out, &ident);
                    state = State::Word;
                }
                TokenTree::Punct(punct) => {
                    let ch = punct.as_char();
                    if ch == ',' && tokens.peek().is_none() {
                        state = State::TrailingComma;
                    } else {
                        if state == State::Word && ch == '=' {
                            out.push(' ');
                        }
                        out.push(ch);
                        if ch == '=' || ch == ',' {
                            out.push(' ');
                        }
                        state = State::Punct;
                    }
                }
                TokenTree::Literal(literal) => {
                    if state == State::Word {
                        out.push(' ');
                    }
                    out.push_str(&literal.to_string());
                    state = State::Word;
                }
                TokenTree::Group(inner) if inner.delimiter() == Delimiter::Parenthesis => {
                    group(inner.stream(), out)?;
                    state = State::Punct;
                }
                TokenTree::Group(_) => return None,
            }
        }
        out.push(')');
        Some(())
    }
    group(stream, out)
}

/// The value of a string literal as proc-macro2 writes one (`"..."`, escaped as
/// `char::escape_debug` escapes); `None` for any other literal or escape.
fn string_value(literal: &Literal) -> Option<String> {
    let repr = literal.to_string();
    let inner = repr.strip_prefix('"')?.strip_suffix('"')?;
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => value.push(match chars.next()? {
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                '0' => '\0',
                '\\' => '\\',
                '"' => '"',
                '\'' => '\'',
                'x' => {
                    let code = u8::from_str_radix(chars.as_str().get(..2)?, 16).ok()?;
                    chars.nth(1)?;
                    (code < 0x80).then_some(char::from(code))?
                }
                'u' => {
                    let rest = chars.as_str().strip_prefix('{')?;
                    let end = rest.find('}')?;
                    let code = u32::from_str_radix(&rest[..end], 16).ok()?;
                    chars.nth(end + 1)?;
                    char::from_u32(code)?
                }
                _ => return None,
            }),
            '"' => return None,
            ch => value.push(ch),
        }
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::quote;

    /// prettyplease's text of `item`, `depth` modules deep.
    fn prettyplease_text(item: TokenStream, depth: usize) -> String {
        super::super::print_parsed(item.into_iter().collect(), depth).unwrap()
    }

    /// The item prints here exactly as prettyplease prints it, at two depths.
    fn same(item: TokenStream) {
        let tokens: Vec<_> = item.clone().into_iter().collect();
        for depth in [0, 1] {
            let fast = super::print(&tokens, depth)
                .unwrap_or_else(|| panic!("not taken at depth {depth}: {item}"));
            assert_eq!(
                fast,
                prettyplease_text(item.clone(), depth),
                "depth {depth}"
            );
        }
    }

    /// The item is left to prettyplease.
    fn declined(item: TokenStream) {
        let tokens: Vec<_> = item.into_iter().collect();
        assert_eq!(super::print(&tokens, 0), None);
    }

    #[test]
    fn a_struct_with_docs_attributes_and_generic_fields() {
        let doc = "The principal's id: `\"user\"`, \\, tab\there, é, \u{200b} and 'quotes'.  ";
        same(quote! {
            #[doc = #doc]
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Debug,)]
            #[serde(deny_unknown_fields)]
            pub struct AclRemoveTarget {
                #[doc = "Principal."]
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub principal: ::std::option::Option<::std::string::String>,
                #[serde(rename = "type")]
                pub r#type: ::std::collections::BTreeMap<i64, ::std::vec::Vec<i64>>,
                pub created_at: ::std::option::Option<::chrono::DateTime<::chrono::offset::Utc>>,
                kind: super::Kind,
                nothing: ::std::option::Option<()>
            }
        });
        same(quote! { pub struct Empty {} });
        same(quote! { #[doc = ""] struct Unit {} });
    }

    #[test]
    fn an_enum_with_unit_and_tuple_variants() {
        same(quote! {
            #[doc = "Either."]
            #[derive(Clone, Debug, PartialEq)]
            #[serde(untagged)]
            pub enum Agent {
                #[serde(rename = "agent-x")]
                AgentX,
                String(::std::string::String),
                Pair(i64, ::std::vec::Vec<Agent>,),
                Last
            }
        });
    }

    #[test]
    fn long_attribute_lists_and_field_types_break_as_prettyplease_breaks_them() {
        same(quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
            #[serde(default, skip_serializing_if = "::std::option::Option::is_none", rename = "x",)]
            pub struct S {
                #[serde(default, skip_serializing_if = "::serde_json::Map::is_empty", rename = "a")]
                pub attachments: ::std::vec::Vec<::serde_json::Map<::std::string::String, ::serde_json::Value>>,
                pub pair: ::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<::std::string::String>>,
                pub two: ::std::vec::Vec<::serde_json::Map<::std::string::String, ::serde_json::Value>, ::serde_json::Map<::std::string::String, ::serde_json::Value>>,
            }
        });
        same(quote! {
            #[derive(::serde::Deserialize, ::serde::Serialize, Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd)]
            pub enum E { A, B }
        });
    }

    #[test]
    fn attribute_spacing_follows_attr_tokens() {
        same(quote! {
            #[serde(tag = "type", content = "value")]
            #[cfg_attr(feature = "x", derive(Hash), allow(dead_code))]
            #[must_use = "why"]
            #[non_exhaustive]
            #[a::b(c d "e" f)]
            pub struct S { pub a: u8 }
        });
    }

    #[test]
    fn what_could_break_or_is_not_plain_is_left_to_prettyplease() {
        // A line past the margin that is not an attribute list or a field with generic
        // arguments.
        declined(quote! {
            pub struct Long {
                pub attachments_of_the_activity_feed_entry_in_its_longest_form: ::std::string::String,
            }
        });
        declined(quote! {
            pub struct Long {
                pub attachments: ::std::vec::Vec<::std::collections::BTreeMap<::std::string::String, ::std::vec::Vec<::serde_json::Value>>>,
            }
        });
        // A doc with a line break, or starting with `/`.
        declined(quote! { #[doc = "a\nb"] pub struct A { pub a: u8 } });
        declined(quote! { #[doc = "/a"] pub struct A { pub a: u8 } });
        // Generics, tuple structs, named variants, discriminants, restricted visibility,
        // references and tuples in types.
        declined(quote! { pub struct A<T> { pub a: T } });
        declined(quote! { pub struct A(pub u8); });
        declined(quote! { pub enum A { B { c: u8 } } });
        declined(quote! { pub enum A { B = 1 } });
        declined(quote! { pub(crate) struct A { pub a: u8 } });
        declined(quote! { pub struct A { pub(crate) a: u8 } });
        declined(quote! { pub struct A { pub a: &'static str } });
        declined(quote! { pub struct A { pub a: (u8, u8) } });
        declined(quote! { pub struct A { pub a: Vec::<u8> } });
        declined(quote! { pub struct A { pub a: Vec<> } });
        declined(quote! { #[doc = r"raw"] pub struct A { pub a: u8 } });
        declined(quote! { #[a[b]] pub struct A { pub a: u8 } });
        declined(quote! { impl A {} });
    }
}
