//! Spec texts that become Rust doc comments (`description`, `summary`, `title`), made into
//! Markdown that rustdoc renders as the spec's authors meant, that no doctest comes from, and
//! that neither rustdoc's nor clippy's default lints warn about:
//!
//! - a fenced code block stays code, as `text` when rustdoc would take it for Rust (no info
//!   string, `rust`, or one of rustdoc's attributes) and run it as a doctest; an unclosed
//!   fence is closed;
//! - an indented code block is fenced as `text` (at its list item's indentation, in a list);
//! - raw HTML is escaped (`<b>` → `&lt;b>`); autolinks (`<https://…>`) stay;
//! - a bare URL becomes an autolink (`rustdoc::bare_urls`);
//! - a `[` that opens no inline link is escaped (`rustdoc::broken_intra_doc_links`: a spec's
//!   `[customerId]` or `["user:eve@example.com"]` is no Rust path), as is one whose target
//!   rustdoc would resolve as a Rust path;
//! - a line that continues a list item's paragraph is indented to the item's text, and a line
//!   that continues a quote gets its `>` (`clippy::doc_lazy_continuation`,
//!   `clippy::doc_overindented_list_items`);
//! - tabs become spaces (`clippy::tabs_in_doc_comments`), to the next multiple of four
//!   columns; control and bidirectional-text characters are dropped
//!   ([`crate::names::dropped_from_docs`]: rustc refuses the latter in comments).
//!
//! Code spans and code blocks keep their text. Sanitizing a sanitized text changes nothing.

use std::borrow::Cow;

/// `text` as Markdown fit for a doc comment (see the module doc); borrowed when nothing in it
/// needs a change, which is most texts.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    if is_plain(text) {
        return Cow::Borrowed(text);
    }
    let mut cleaned = String::with_capacity(text.len());
    let mut column = 0;
    for c in text.chars() {
        match c {
            '\t' => {
                let width = 4 - column % 4;
                cleaned.extend(std::iter::repeat_n(' ', width));
                column += width;
            }
            '\n' => {
                cleaned.push(c);
                column = 0;
            }
            c if crate::names::dropped_from_docs(c) => {}
            c => {
                cleaned.push(c);
                column += 1;
            }
        }
    }
    Cow::Owned(blocks(&cleaned))
}

/// `prefix` and a sanitized `text` as one doc text: on one line when `text` starts with a
/// paragraph, else with `text`'s first block in a paragraph of its own (`200: ```text` would
/// no longer open its fence).
pub fn prefixed(prefix: &str, text: &str) -> String {
    let first = text.split('\n').next().unwrap_or_default();
    let trimmed = first.trim_start();
    if text.trim().is_empty() {
        prefix.to_owned()
    } else if first.trim().is_empty()
        || indentation(first) >= 4
        || list_item_content(first).is_some()
        || interrupts_paragraph(trimmed)
    {
        format!("{prefix}\n\n{text}")
    } else {
        format!("{prefix} {text}")
    }
}

/// `text` (a name or a pattern from the spec) as an inline code span that shows it as it is:
/// fenced by one more backtick than its longest run of them, padded when it starts or ends
/// with one; line breaks become spaces and what [`sanitize`] drops is dropped.
pub fn code_span(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .filter(|c| !crate::names::dropped_from_docs(*c))
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Whether [`sanitize`] leaves `text` as it is, found without parsing it: no character or
/// sequence that starts one of its rewrites (a tab, `<`, `[`, a fence, a URL), and no line
/// that is indented code, a list item or a quote.
fn is_plain(text: &str) -> bool {
    let trigger = |c: char| matches!(c, '\t' | '<' | '[');
    let chars_plain = if text.is_ascii() {
        text.bytes()
            .all(|b| matches!(b, b' '..=b'~' | b'\n') && !trigger(char::from(b)))
    } else {
        !text
            .chars()
            .any(|c| trigger(c) || crate::names::dropped_from_docs(c))
    };
    chars_plain
        && !["```", "~~~", "://"].iter().any(|s| text.contains(s))
        && !text.split('\n').any(|line| {
            indentation(line) >= 4
                || line.trim_start().starts_with('>')
                || list_item_content(line).is_some()
        })
}

/// How many spaces `line` starts with (tabs are spaces by now).
fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The column of a list item's text when `line` starts one (`- `, `* `, `+ `, `1. `, `1) `).
fn list_item_content(line: &str) -> Option<usize> {
    let indent = indentation(line);
    let rest = &line[indent..];
    let marker = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&digits) || !rest[digits..].starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = &rest[marker..];
    let spaces = indentation(after);
    if spaces == 0 || after.trim().is_empty() {
        return None;
    }
    // Five spaces or more after the marker: the text starts after one, the rest is code.
    Some(indent + marker + if spaces > 4 { 1 } else { spaces })
}

/// Whether `trimmed` (a line without its indentation) starts a block that ends a paragraph:
/// an ATX heading, a quote, a fence or a thematic break.
fn interrupts_paragraph(trimmed: &str) -> bool {
    let heading = {
        let hashes = trimmed.bytes().take_while(|b| *b == b'#').count();
        (1..=6).contains(&hashes) && trimmed[hashes..].chars().next().is_none_or(|c| c == ' ')
    };
    let thematic_break = ['-', '*', '_'].into_iter().any(|mark| {
        trimmed.chars().filter(|c| *c == mark).count() >= 3
            && trimmed.chars().all(|c| c == mark || c == ' ')
    });
    heading || thematic_break || trimmed.starts_with('>') || Fence::opened_by(trimmed).is_some()
}

/// Whether rustdoc takes `b` in a word of a code block's info string (its `is_bareword_char`).
fn is_bareword_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b':')
}

/// An open fenced code block: its character and how long its run is.
struct Fence {
    mark: u8,
    run: usize,
}

impl Fence {
    /// The fence `trimmed` opens, and its info string.
    fn opened_by(trimmed: &str) -> Option<(Fence, &str)> {
        let mark = *trimmed.as_bytes().first()?;
        if mark != b'`' && mark != b'~' {
            return None;
        }
        let run = trimmed.bytes().take_while(|b| *b == mark).count();
        let info = &trimmed[run..];
        // A backtick fence's info string has no backtick: "```x```" is a code span.
        if run < 3 || (mark == b'`' && info.contains('`')) {
            return None;
        }
        Some((Fence { mark, run }, info.trim()))
    }

    /// Whether `line` closes this fence.
    fn closed_by(&self, line: &str) -> bool {
        let trimmed = line.trim();
        indentation(line) < 4
            && trimmed.len() >= self.run
            && trimmed.bytes().all(|b| b == self.mark)
    }

    /// The language a code block with this info string is shown as, where rustdoc takes it:
    /// its first word, when that is no Rust ([`Fence::is_rust`]) and a bare word of rustdoc's
    /// (`json`; not `c++`); the rest of the info string (`title="..."`, a documentation
    /// site's attributes) is left out, as rustdoc refuses it.
    fn language(info: &str) -> Option<&str> {
        let first = info.split([',', ' ', '\t']).next().unwrap_or_default();
        let bare = !first.is_empty() && first.bytes().all(is_bareword_byte);
        (bare && !Fence::is_rust(info)).then_some(first)
    }

    /// Whether rustdoc reads a code block with this info string as Rust (and so compiles and
    /// runs it as a doctest): no info string, `rust`, or any of rustdoc's attributes, spelled
    /// right or nearly (a near miss is a warning of its own).
    fn is_rust(info: &str) -> bool {
        let mut words = info
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .peekable();
        words.peek().is_none()
            || words.any(|w| {
                let w = w.to_ascii_lowercase();
                w == "rust"
                    || w.starts_with('{')
                    || w.starts_with('e')
                        && w.len() > 1
                        && w[1..].bytes().all(|b| b.is_ascii_digit())
                    || [
                        "panic",
                        "run",
                        "ignore",
                        "compile",
                        "harness",
                        "edition",
                        "standalone",
                    ]
                    .iter()
                    .any(|attribute| w.contains(attribute))
            })
    }
}

/// `text` (tabs expanded, nothing dropped left) with its blocks made safe and lint-free, each
/// prose line through [`inline`].
fn blocks(text: &str) -> String {
    /// What the paragraph being read belongs to: its continuation lines follow it.
    #[derive(Clone, Copy, PartialEq)]
    enum Paragraph {
        /// No paragraph: the start, or after a blank line or a block.
        None,
        /// A list item's text, at the item's column.
        Item,
        Quote,
        Text,
    }
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(lines.len() + 2);
    let mut fence: Option<Fence> = None;
    // The column of the text of the list item the blocks are in.
    let mut item: Option<usize> = None;
    let mut paragraph = Paragraph::None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(open) = &fence {
            if open.closed_by(line) {
                fence = None;
            }
            out.push(Cow::Borrowed(line));
            i += 1;
            continue;
        }
        if line.trim().is_empty() {
            paragraph = Paragraph::None;
            out.push(Cow::Borrowed(line));
            i += 1;
            continue;
        }
        let indent = indentation(line);
        let trimmed = &line[indent..];
        // Only a bullet or a `1.` starts a list inside a paragraph of text: "rejected with\n403.
        // For ..." goes on with the paragraph.
        let starts_item = list_item_content(line).filter(|_| {
            matches!(paragraph, Paragraph::None | Paragraph::Item)
                || trimmed.starts_with(['-', '*', '+'])
                || trimmed.starts_with("1.")
                || trimmed.starts_with("1)")
        });
        if paragraph == Paragraph::None && starts_item.is_none() && item.is_some_and(|c| indent < c)
        {
            item = None;
        }
        let base = item.unwrap_or(0);
        if paragraph == Paragraph::None && indent >= base + 4 {
            // An indented code block: fenced as text, at the indentation of its list item.
            let pad = " ".repeat(base);
            out.push(Cow::Owned(format!("{pad}```text")));
            while let Some(&line) = lines.get(i) {
                let blank = line.trim().is_empty();
                let blank_inside = blank
                    && lines
                        .get(i + 1)
                        .is_some_and(|next| indentation(next) >= base + 4);
                if !(indentation(line) >= base + 4 || blank_inside) {
                    break;
                }
                out.push(Cow::Owned(if blank {
                    String::new()
                } else {
                    format!("{pad}{}", &line[base + 4..])
                }));
                i += 1;
            }
            out.push(Cow::Owned(format!("{pad}```")));
            continue;
        }
        if let Some((open, info)) = Fence::opened_by(trimmed) {
            out.push(match Fence::language(info) {
                Some(_) if info.bytes().all(is_bareword_byte) => Cow::Borrowed(line),
                language => {
                    let run = &trimmed[..open.run];
                    let language = language.unwrap_or("text");
                    Cow::Owned(format!("{}{run}{language}", &line[..indent]))
                }
            });
            fence = Some(open);
            paragraph = Paragraph::None;
            i += 1;
            continue;
        }
        let line: Cow<'_, str> = if let Some(content) = starts_item {
            item = Some(content);
            paragraph = Paragraph::Item;
            Cow::Borrowed(line)
        } else if paragraph == Paragraph::Item
            && !interrupts_paragraph(trimmed)
            && let Some(content) = item
        {
            if indent == content {
                Cow::Borrowed(line)
            } else {
                Cow::Owned(format!("{}{trimmed}", " ".repeat(content)))
            }
        } else if paragraph == Paragraph::Quote && !interrupts_paragraph(trimmed) {
            Cow::Owned(format!("> {line}"))
        } else {
            paragraph = if trimmed.starts_with('>') {
                Paragraph::Quote
            } else if trimmed.starts_with('#') && interrupts_paragraph(trimmed) {
                Paragraph::None
            } else if item.is_some() {
                Paragraph::Item
            } else {
                Paragraph::Text
            };
            Cow::Borrowed(line)
        };
        let fixed = match inline(&line) {
            Cow::Owned(fixed) => Some(fixed),
            Cow::Borrowed(_) => None,
        };
        out.push(fixed.map_or(line, Cow::Owned));
        i += 1;
    }
    if let Some(open) = fence {
        out.push(Cow::Owned(
            char::from(open.mark).to_string().repeat(open.run),
        ));
    }
    out.join("\n")
}

/// One line of prose with its inline Markdown made safe: HTML escaped, bare URLs made
/// autolinks, `[` escaped unless it opens an inline link to a URL; code spans, escapes and
/// autolinks kept as they are.
fn inline(line: &str) -> Cow<'_, str> {
    if !line.bytes().any(|b| matches!(b, b'<' | b'[')) && !line.contains("://") {
        return Cow::Borrowed(line);
    }
    let bytes = line.as_bytes();
    // Where the line's last `)` is: an inline link needs one after its `(`.
    let last_close = memchr::memrchr(b')', bytes);
    let mut out = String::with_capacity(line.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        let kept_to = match bytes[i] {
            b'\\' => Some(i + 1 + line[i + 1..].chars().next().map_or(0, char::len_utf8)),
            b'`' => {
                let run = bytes[i..].iter().take_while(|b| **b == b'`').count();
                Some(code_span_end(bytes, i, run).unwrap_or(i + run))
            }
            b'<' => autolink_end(bytes, i),
            b'[' => inline_link_end(line, i, last_close),
            b'!' if bytes.get(i + 1) == Some(&b'[') => {
                inline_link_end(line, i + 1, last_close).or(Some(i + 1))
            }
            _ => None,
        };
        if let Some(end) = kept_to {
            out.push_str(&line[i..end]);
            i = end;
            continue;
        }
        let url_end = if bytes[i] == b'h' {
            bare_url_end(line, i)
        } else {
            None
        };
        match (bytes[i], url_end) {
            (_, Some(end)) => {
                out.push('<');
                out.push_str(&line[i..end]);
                out.push('>');
                i = end;
            }
            (b'<', None)
                if bytes.get(i + 1).is_some_and(|n| {
                    n.is_ascii_alphabetic() || matches!(n, b'/' | b'!' | b'?')
                }) =>
            {
                out.push_str("&lt;");
                i += 1;
            }
            (b'[', None) => {
                out.push_str("\\[");
                i += 1;
            }
            _ => {
                let len = line[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&line[i..i + len]);
                i += len;
            }
        }
    }
    Cow::Owned(out)
}

/// The longest code span or inline link looked for, in bytes: beyond it an opening backtick
/// run or `[` is text. Each opening is looked at once, so a hostile line of openings costs
/// its length times this at most, never its length squared.
const LONGEST_INLINE: usize = 4096;

/// The end of the code span whose opening run of `run` backticks starts at `start`: just past
/// the next run of exactly as many; `None` when there is none (the run is literal text).
fn code_span_end(bytes: &[u8], start: usize, run: usize) -> Option<usize> {
    let mut j = start + run;
    let end = bytes.len().min(j + LONGEST_INLINE);
    while j < end {
        if bytes[j] == b'`' {
            let len = bytes[j..].iter().take_while(|b| **b == b'`').count();
            if len == run {
                return Some(j + len);
            }
            j += len;
        } else {
            j += 1;
        }
    }
    None
}

/// The end of the autolink (`<scheme:…>` or `<name@host>`) that starts at `start`.
fn autolink_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = &bytes[start + 1..];
    // Up to the first `>`, or no autolink at the first character none may hold (so that a
    // line of `<`s is read once).
    let close = rest
        .iter()
        .position(|b| *b == b'>' || b.is_ascii_whitespace() || b.is_ascii_control() || *b == b'<')
        .filter(|at| rest[*at] == b'>')?;
    let inner = &rest[..close];
    let scheme = inner.iter().position(|b| *b == b':').is_some_and(|colon| {
        (2..=32).contains(&colon)
            && inner[0].is_ascii_alphabetic()
            && inner[..colon]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
    });
    let email = inner.iter().position(|b| *b == b'@').is_some_and(|at| {
        at > 0
            && at + 1 < inner.len()
            && inner[..at]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(b))
            && inner[at + 1..]
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
    });
    (scheme || email).then_some(start + 1 + close + 1)
}

/// The end of the inline link (`[text](target)`) that starts at `start`, when its target is
/// no Rust path that rustdoc would try to resolve; `last_close` is where the line's last `)`
/// is.
fn inline_link_end(line: &str, start: usize, last_close: Option<usize>) -> Option<usize> {
    let bytes = &line.as_bytes()[..line.len().min(start + LONGEST_INLINE)];
    let mut j = start + 1;
    while j < bytes.len() && bytes[j] != b']' {
        match bytes[j] {
            b'\\' => j += 2,
            b'[' => return None,
            b'`' => {
                let run = bytes[j..].iter().take_while(|b| **b == b'`').count();
                j = code_span_end(bytes, j, run).unwrap_or(j + run);
            }
            _ => j += 1,
        }
    }
    if bytes.get(j + 1) != Some(&b'(') {
        return None;
    }
    // No `)` after the `(`: no link (found without a scan, so that a line of `[x](` is read
    // once).
    let last_close = last_close.filter(|at| *at > j + 1)?;
    let mut depth = 1;
    let mut k = j + 2;
    while k <= last_close {
        match bytes[k] {
            b'\\' => k += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    if depth != 0 || k >= bytes.len() {
        return None;
    }
    let destination = line[j + 2..k].trim();
    let target = match destination.strip_prefix('<') {
        Some(rest) => rest.split('>').next().unwrap_or_default(),
        None => destination.split_whitespace().next().unwrap_or_default(),
    };
    // rustdoc resolves a target made of path characters (`Thing`, `crate::Thing#method`).
    let path = target.split('#').next().unwrap_or_default();
    let resolved_by_rustdoc = !path.trim().is_empty()
        && path
            .chars()
            .all(|c| c.is_alphanumeric() || ":_<>, !*&;".contains(c));
    (!target.is_empty() && !resolved_by_rustdoc).then_some(k + 1)
}

/// The end of the bare URL (`http://` or `https://`, not inside a word) that starts at
/// `start`, without the punctuation that ends a sentence around it.
fn bare_url_end(line: &str, start: usize) -> Option<usize> {
    let rest = &line[start..];
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|scheme| rest.starts_with(scheme))?;
    if line[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '/')
    {
        return None;
    }
    let mut url = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
        .map_or(rest, |end| &rest[..end]);
    loop {
        let trimmed = url.trim_end_matches(['.', ',', ':', ';', '!', '?', '\'', '*', '_', '~']);
        let unbalanced = [('(', ')'), ('[', ']'), ('{', '}')]
            .into_iter()
            .find(|(open, close)| {
                trimmed.ends_with(*close)
                    && trimmed.matches(*open).count() < trimmed.matches(*close).count()
            });
        url = match unbalanced {
            Some(_) => &trimmed[..trimmed.len() - 1],
            None => trimmed,
        };
        if unbalanced.is_none() {
            break;
        }
    }
    (url.len() > scheme.len()).then_some(start + url.len())
}

#[cfg(test)]
mod tests {
    use super::sanitize as clean;

    #[test]
    fn an_indented_block_becomes_a_text_fence_outside_lists_only() {
        assert_eq!(
            clean("Replace:\n\n    {\"grants\": []}\n\n    {\"a\": 1}\nthen"),
            "Replace:\n\n```text\n{\"grants\": []}\n\n{\"a\": 1}\n```\nthen"
        );
        assert_eq!(clean("\tlet x = 1;"), "```text\nlet x = 1;\n```");
        let list = "- one\n\n    more of one\n- two";
        assert_eq!(clean(list), list);
        assert_eq!(
            clean("plain text\n    continued"),
            "plain text\n    continued"
        );
        // Code inside a list item: fenced at the item's indentation.
        assert_eq!(
            clean("- one\n\n      fn main() {}\n- two"),
            "- one\n\n  ```text\n  fn main() {}\n  ```\n- two"
        );
    }

    #[test]
    fn fences_stay_code_and_rust_ones_become_text() {
        assert_eq!(
            clean("Call:\n```\nfn evil() {}\n```\nthen"),
            "Call:\n```text\nfn evil() {}\n```\nthen"
        );
        assert_eq!(clean("```rust,no_run\nx\n```"), "```text\nx\n```");
        assert_eq!(clean("~~~should-panic\nx\n~~~"), "~~~text\nx\n~~~");
        let json = "```json\n{\"a\": [1], \"url\": \"https://x.io\"} <b>\n```";
        assert_eq!(clean(json), json);
        // What rustdoc refuses in an info string goes: a site's attributes, a word it
        // does not take.
        assert_eq!(
            clean("```json title=\"A \\\"b\\\"\"\nx\n```"),
            "```json\nx\n```"
        );
        assert_eq!(clean("```c++\nx\n```"), "```text\nx\n```");
        assert_eq!(clean("  ~~~ yaml {.x}\nx\n  ~~~"), "  ~~~text\nx\n  ~~~");
        // Unclosed: closed, so that nothing after the text becomes code.
        assert_eq!(clean("```\nx"), "```text\nx\n```");
        // "```x```" opens no fence: it is a code span.
        assert_eq!(clean("```x``` and <b>"), "```x``` and &lt;b>");
    }

    #[test]
    fn html_is_escaped_outside_code_spans_and_autolinks() {
        assert_eq!(clean("`<T>` and <b>"), "`<T>` and &lt;b>");
        assert_eq!(
            clean("a < b, <https://x.io/a?b=1>"),
            "a < b, <https://x.io/a?b=1>"
        );
        assert_eq!(clean("mail <ops@x.io>"), "mail <ops@x.io>");
        assert_eq!(clean("`a`\u{7}b"), "`a`b");
        // An unmatched backtick is text: what follows it is still escaped.
        assert_eq!(clean("it`s <b>"), "it`s &lt;b>");
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            clean("See https://x.io/docs. Or (http://y.io/a_(b)), \"https://z.io\"."),
            "See <https://x.io/docs>. Or (<http://y.io/a_(b)>), \"<https://z.io>\"."
        );
        assert_eq!(
            clean("[docs](https://x.io) https://"),
            "[docs](https://x.io) https://"
        );
        assert_eq!(clean("`https://x.io`"), "`https://x.io`");
    }

    #[test]
    fn brackets_that_open_no_link_are_escaped() {
        assert_eq!(
            clean("Members [\"user:eve@x.io\"], [customerId] and [^1]."),
            "Members \\[\"user:eve@x.io\"], \\[customerId] and \\[^1]."
        );
        assert_eq!(
            clean("[Pet](Pet) and [up](../up.html)"),
            "\\[Pet](Pet) and [up](../up.html)"
        );
        assert_eq!(
            clean("![logo](https://x.io/l.png)"),
            "![logo](https://x.io/l.png)"
        );
        assert_eq!(clean("already \\[escaped]"), "already \\[escaped]");
    }

    #[test]
    fn list_and_quote_continuations_are_marked() {
        assert_eq!(
            clean("Modes:\n- fast: skips\nthe checks\n- slow: runs\n        them all\n\nThen."),
            "Modes:\n- fast: skips\n  the checks\n- slow: runs\n  them all\n\nThen."
        );
        assert_eq!(clean("1. one\ntwo"), "1. one\n   two");
        let text = "rejected with\n403. For callers\n  the run goes on";
        assert_eq!(clean(text), text);
        assert_eq!(clean("> note\nmore"), "> note\n> more");
    }

    #[test]
    fn a_prefix_leaves_a_leading_block_where_it_is() {
        use super::prefixed;
        assert_eq!(prefixed("200:", "OK"), "200: OK");
        assert_eq!(
            prefixed("200:", "```text\nx\n```"),
            "200:\n\n```text\nx\n```"
        );
        assert_eq!(prefixed("200:", "- a\n- b"), "200:\n\n- a\n- b");
        assert_eq!(prefixed("200:", ""), "200:");
    }

    #[test]
    fn code_spans_hold_any_name() {
        use super::code_span;
        assert_eq!(code_span("api:chat:{id}"), "`api:chat:{id}`");
        assert_eq!(code_span("a`[x]`"), "`` a`[x]` ``");
        assert_eq!(code_span("x\ny"), "`x y`");
    }

    /// Lines made of openings that never close take linear time.
    #[test]
    fn unclosed_openings_cost_linear_time() {
        let started = std::time::Instant::now();
        for unit in ["[x](", "``x ", "[a", "<a "] {
            let text = unit.repeat(200_000);
            let _ = clean(&text);
        }
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    #[test]
    fn tabs_become_spaces() {
        assert_eq!(clean("a\tb"), "a   b");
        assert_eq!(clean("- a\n\tb"), "- a\n  b");
    }

    #[test]
    fn plain_texts_are_borrowed_and_sanitizing_twice_changes_nothing() {
        use std::borrow::Cow;
        for text in [
            "The `dap_...` id (`null` if none).",
            "~ 5 ms, é",
            "a\nb",
            "x -> y",
        ] {
            assert_eq!(clean(text), text);
        }
        for text in ["plain, é", "The `dap_...` id, ~5 ms", "x -> y", "a\n1 item"] {
            assert!(matches!(clean(text), Cow::Borrowed(_)), "{text}");
        }
        for text in [
            "Replace:\n\n    {\"grants\": []}\n\n- a\nb\n\n      code\n> q\nr",
            "```\nfn x() {}",
            "see https://x.io, [a] <b> `c` [d](https://e.io)\n1. x\n\ty",
        ] {
            let once = clean(text).into_owned();
            assert_eq!(clean(&once), once, "{text:?}");
        }
    }
}
