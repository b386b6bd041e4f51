//! Spec `pattern`s (ECMAScript regular expressions, as JSON Schema says) rewritten for the
//! `regex` crate, whose automata match in time linear in the input. A backtracking engine
//! (typify's `regress`) can take exponential time on `^(a+)+$` and a long run of `a`s: data a
//! server sends would be enough to hang the client. So the generated client checks a pattern
//! only through [`linear`]'s rewrite; a pattern without one (a backreference, a lookaround,
//! syntax the `regex` crate refuses or a pattern over its size limit) is dropped by the
//! normalizer, with a warning, and not checked at all.
//!
//! The rewrite keeps ECMAScript's meaning where the two dialects differ: `\d`, `\w` and `\b`
//! are ASCII, `\s` is ECMAScript's white space, `.` stops at every line terminator, and a `[`
//! inside a class is a literal.

use std::fmt::Write as _;

/// ECMAScript's `\s`, as the items of a `regex` class.
const SPACE: &str = r"\t\n\x0B\x0C\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";
/// ECMAScript's `\d`, as the items of a class.
const DIGIT: &str = "0-9";
/// ECMAScript's `\w`, as the items of a class.
const WORD: &str = "0-9A-Za-z_";
/// ECMAScript's `.`: anything but a line terminator.
const ANY: &str = r"[^\n\r\x{2028}\x{2029}]";

/// `pattern` in the `regex` crate's syntax with the meaning ECMAScript gives it, or `None` when
/// the `regex` crate cannot run it (see the module doc). The result compiles with
/// `regex::Regex::new`.
pub fn linear(pattern: &str) -> Option<String> {
    let rewritten = rewrite(pattern)?;
    regex::Regex::new(&rewritten).ok()?;
    Some(rewritten)
}

/// The rewrite of [`linear`], before the check that the `regex` crate compiles it.
fn rewrite(pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    // Inside a class, and whether the class has no item yet.
    let mut class: Option<bool> = None;
    while let Some(c) = chars.next() {
        let in_class = class.is_some();
        let class_start = class == Some(true);
        if in_class {
            class = Some(false);
        }
        match c {
            '\\' => escape(chars.next()?, in_class, chars.peek().copied(), &mut out)?,
            '[' if in_class => out.push_str(r"\["),
            '[' => {
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // `[]` and `[^]` mean nothing and anything in ECMAScript, a literal `]` here.
                if chars.peek() == Some(&']') {
                    return None;
                }
                class = Some(true);
            }
            ']' if in_class => {
                out.push(']');
                class = None;
            }
            // Set operators of `regex` classes, literals in ECMAScript.
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '-' if in_class && (class_start || out.ends_with('-')) => out.push_str(r"\-"),
            '.' if !in_class => out.push_str(ANY),
            '(' if !in_class && chars.peek() == Some(&'?') => {
                chars.next();
                match chars.next()? {
                    ':' => out.push_str("(?:"),
                    // A named group; `(?<=` and `(?<!` are lookbehinds.
                    '<' if chars.peek().is_some_and(|n| *n != '=' && *n != '!') => {
                        out.push_str("(?<");
                    }
                    _ => return None,
                }
            }
            _ => out.push(c),
        }
    }
    (class.is_none()).then_some(out)
}

/// The rewrite of the escape `\e` into `out`; `next` is the character after it. `None` for a
/// backreference or an escape whose class has no item form.
fn escape(e: char, in_class: bool, next: Option<char>, out: &mut String) -> Option<()> {
    let class_of = |items: &str, negated: bool, out: &mut String| {
        match (in_class, negated) {
            (true, true) => return None,
            (true, false) => out.push_str(items),
            (false, negated) => {
                let _ = write!(out, "[{}{items}]", if negated { "^" } else { "" });
            }
        }
        Some(())
    };
    match e {
        'd' | 'D' => class_of(DIGIT, e == 'D', out)?,
        'w' | 'W' => class_of(WORD, e == 'W', out)?,
        's' | 'S' => class_of(SPACE, e == 'S', out)?,
        // A backspace inside a class, an ASCII word boundary outside.
        'b' if in_class => out.push_str(r"\x08"),
        'b' | 'B' => {
            let _ = write!(out, r"(?-u:\{e})");
        }
        '0' if !next.is_some_and(|n| n.is_ascii_digit()) => out.push_str(r"\x00"),
        // Backreferences (`\1`, `\k<name>`), octal escapes, Unicode properties (a literal
        // `p` without ECMAScript's `u` flag) and control letters.
        '0'..='9' | 'k' | 'p' | 'P' | 'c' => return None,
        'f' | 'n' | 'r' | 't' | 'v' | 'x' | 'u' => {
            out.push('\\');
            out.push(e);
        }
        e if e.is_ascii_alphanumeric() => return None,
        // `\/`, `\.` and every other escaped sign stand for themselves.
        e => {
            let _ = write!(out, "{}", regex_escape(e));
        }
    }
    Some(())
}

/// `c` as a literal of the `regex` crate.
fn regex_escape(c: char) -> String {
    regex::escape(c.encode_utf8(&mut [0; 4]))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::linear;

    /// Whether the rewrite of `pattern` matches `text`.
    fn matches(pattern: &str, text: &str) -> bool {
        let rewritten = linear(pattern).unwrap_or_else(|| panic!("`{pattern}` has no rewrite"));
        regex::Regex::new(&rewritten).unwrap().is_match(text)
    }

    #[test]
    fn the_platform_patterns_keep_their_meaning() {
        assert!(matches("^[a-z0-9][a-z0-9_-]{0,63}$", "my_key-1"));
        assert!(!matches("^[a-z0-9][a-z0-9_-]{0,63}$", "-key"));
        assert!(!matches("^[a-z0-9][a-z0-9_-]{0,63}$", &"a".repeat(65)));
        assert!(matches("^[0-9]{6}$", "123456"));
        assert!(!matches("^[0-9]{6}$", "123456\n"));
    }

    #[test]
    fn classes_are_ascii_as_in_ecmascript() {
        assert!(!matches(r"^\d+$", "١٢٣"));
        assert!(matches(r"^\d+$", "123"));
        assert!(!matches(r"^\w+$", "é"));
        assert!(matches(r"^[\w.-]+$", "a.b-c"));
        assert!(matches(r"^\D$", "é"));
        assert!(matches(r"^\s$", "\u{feff}"));
        assert!(!matches(r"^\s$", "\u{85}"));
        assert!(matches(r"\bab\b", "x ab y"));
        assert!(!matches(r"^.$", "\r"));
        assert!(matches(r"^.$", "é"));
        assert!(matches(r"^[[a]+$", "[a["));
        assert!(matches(r"^[a&&b]$", "&"));
        assert!(matches(r"^[-a]$", "-"));
        assert!(matches(r"^\/api\.v1$", "/api.v1"));
        assert!(matches(r"^(?<year>\d{4})-(?:\d\d)$", "2026-12"));
        assert!(matches(r"^\x41\u0042$", "AB"));
    }

    #[test]
    fn backtracking_only_syntax_has_no_rewrite() {
        for pattern in [
            r"^(a)\1$",
            r"^(?<x>a)\k<x>$",
            "^(?=a)a$",
            "^(?!a)b$",
            "^(?<=a)b$",
            "^(?<!a)b$",
            "[]",
            "[^]",
            r"[\D]",
            "a{1000}{1000}",
            "(unclosed",
            "[unclosed",
            r"\p{L}",
        ] {
            assert_eq!(linear(pattern), None, "{pattern}");
        }
    }

    #[test]
    fn a_catastrophic_pattern_matches_in_linear_time() {
        let text = format!("{}!", "a".repeat(100_000));
        let start = Instant::now();
        assert!(!matches("^(a+)+$", &text));
        assert!(!matches("^(a|a)*$", &text));
        assert!(!matches("^(a|aa)+$", &text));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
}
