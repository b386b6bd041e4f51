//! Writing Rust code as text (the server's family modules, the contract crate): the only
//! ways a name or a text from the spec reaches such code. A name goes through [`rust_ident`]
//! (or the client's `type_name`), a text through [`str_lit`] (an escaped string literal) or
//! [`doc_comment`] (`///` lines without control or bidirectional-text characters), so nothing
//! from the spec is ever code. [`fitted`] picks a layout as rustfmt would.

use std::fmt::Write as _;

use heck::ToSnakeCase;

use crate::normalize::dropped_from_docs;

/// `name` as a snake_case Rust identifier: a leading digit gets a `_` before it, a keyword a
/// `_` after it, and a character no identifier may hold becomes `_`.
pub fn rust_ident(name: &str) -> String {
    let mut snake = name.to_snake_case();
    if snake.starts_with(|c: char| c.is_ascii_digit()) {
        snake.insert(0, '_');
    }
    if syn::parse_str::<syn::Ident>(&snake).is_ok() {
        return snake;
    }
    let suffixed = format!("{snake}_");
    if syn::parse_str::<syn::Ident>(&suffixed).is_ok() {
        return suffixed;
    }
    let ascii: String = snake
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    match ascii.starts_with(|c: char| c.is_ascii_digit()) || ascii.chars().all(|c| c == '_') {
        true => format!("_{ascii}_x"),
        false => format!("{ascii}_"),
    }
}

/// `text` as `///` lines indented by `indent` (a doc comment ends at its line break, so
/// nothing in `text` can leave the comment; a bare carriage return is not allowed in one).
pub fn doc_comment(out: &mut String, indent: &str, text: &str) {
    let text: String = text
        .chars()
        .map(|c| if c == '\r' { ' ' } else { c })
        .filter(|c| !dropped_from_docs(*c))
        .collect();
    for line in text.split('\n') {
        let line = line.trim_end();
        out.push_str(indent);
        if line.is_empty() {
            out.push_str("///\n");
        } else {
            let _ = writeln!(out, "/// {line}");
        }
    }
}

/// The first of three layouts of the same code whose lines all fit in 100 columns (as
/// rustfmt would choose), else the last.
pub fn fitted(one_line: &str, wrapped: &str, broken: &str) -> String {
    let fits = |text: &str| text.lines().all(|l| l.chars().count() <= 100);
    [one_line, wrapped]
        .into_iter()
        .find(|t| fits(t))
        .unwrap_or(broken)
        .to_owned()
}

/// `text` as a Rust string literal (escaped as by `quote`).
pub fn str_lit(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(rust_ident("userId"), "user_id");
        assert_eq!(rust_ident("type"), "type_");
        assert_eq!(rust_ident("self"), "self_");
        assert_eq!(rust_ident("2fa-code"), "_2fa_code");
        assert_eq!(rust_ident("x-request-id"), "x_request_id");
        for hostile in ["²", "\"); fn evil() {", "a b", ""] {
            let ident = rust_ident(hostile);
            assert!(
                syn::parse_str::<syn::Ident>(&ident).is_ok(),
                "{hostile:?} -> {ident:?}"
            );
        }
    }

    #[test]
    fn texts_stay_in_their_comment_or_literal() {
        let mut out = String::new();
        doc_comment(
            &mut out,
            "    ",
            "first\r\nsecond \u{202e}reversed\u{2066}\n\nlast */ fn evil() {}",
        );
        assert_eq!(
            out,
            "    /// first\n    /// second reversed\n    ///\n    /// last */ fn evil() {}\n"
        );
        let lit = str_lit("\"); fn evil() { \"\\\n\u{202e}");
        assert_eq!(
            syn::parse_str::<syn::LitStr>(&lit).unwrap().value(),
            "\"); fn evil() { \"\\\n\u{202e}"
        );
        assert!(!lit.contains('\u{202e}') && !lit.contains('\n'), "{lit}");
    }

    #[test]
    fn the_first_layout_that_fits_wins() {
        let long = "x".repeat(101);
        assert_eq!(fitted("short", "wrapped", "broken"), "short");
        assert_eq!(fitted(&long, "wrapped", "broken"), "wrapped");
        assert_eq!(fitted(&long, &long, "broken"), "broken");
    }
}
