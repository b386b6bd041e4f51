//! Texts that become Rust doc comments (`description`, `summary`, `title`) must stay prose:
//! code fences and indented code blocks would become doctests that run under `cargo test`, raw
//! HTML would reach the rendered docs, and control characters can break the comment. Fences and
//! angle brackets are escaped, indented code is fenced as `text`, control characters dropped
//! ([`super::sanitize_doc_text`]). Example values are data and are left alone.
//!
//! The walk's top levels run on the calling thread; the subtrees [`SPLIT_DEPTH`] levels below
//! the root (path items, component schemas, channels) on the job pool, each with its own
//! report, whose entries go back where the single walk would have written them.

use serde_json::Value;

use super::{Ctx, refs, sanitize_doc_text};
use crate::pointer;
use crate::report::Report;

/// How deep the first walk goes before it leaves subtrees to the job pool.
const SPLIT_DEPTH: usize = 2;

/// A subtree left for the pool: the value, its pointer, its parent's key, and how many
/// report entries the walk had written when it reached it.
struct Subtree<'a> {
    value: &'a mut Value,
    at: String,
    parent: Option<String>,
    entries_before: usize,
}

/// One walk: where its report entries go, and (on the first walk) the subtrees it leaves.
struct Walk<'a> {
    report: Report,
    subtrees: Option<Vec<Subtree<'a>>>,
}

/// Sanitizes every doc text of `root`.
pub(super) fn run(ctx: &mut Ctx, root: &mut Value) {
    let mut top = Walk {
        report: Report {
            entries: std::mem::take(&mut ctx.report.entries),
            families: Vec::new(),
        },
        subtrees: Some(Vec::new()),
    };
    walk(&mut top, root, &mut String::from("#"), None, 0);
    let subtrees = top.subtrees.take().unwrap_or_default();
    let positions: Vec<usize> = subtrees.iter().map(|s| s.entries_before).collect();
    let below = crate::jobs::map_chunks(subtrees, |subtree| {
        let Subtree {
            value,
            mut at,
            parent,
            ..
        } = subtree;
        let mut inner = Walk {
            report: Report::default(),
            subtrees: None,
        };
        walk(&mut inner, value, &mut at, parent.as_deref(), SPLIT_DEPTH);
        inner.report.entries
    });
    // Back to front, so that each position still counts the entries before it.
    let mut entries = top.report.entries;
    for (position, found) in positions.into_iter().zip(below).rev() {
        entries.splice(position..position, found);
    }
    ctx.report.entries = entries;
}

/// Sanitizes the doc texts in `v`; `at` is its pointer (children extend it and truncate it
/// back), `parent` the key it is held under, `depth` its depth below the root.
fn walk<'a>(
    state: &mut Walk<'a>,
    v: &'a mut Value,
    at: &mut String,
    parent: Option<&str>,
    depth: usize,
) {
    if depth == SPLIT_DEPTH
        && let Some(subtrees) = &mut state.subtrees
    {
        subtrees.push(Subtree {
            value: v,
            at: at.clone(),
            parent: parent.map(str::to_owned),
            entries_before: state.report.entries.len(),
        });
        return;
    }
    let len = at.len();
    match v {
        Value::Object(map) => {
            let names = refs::is_name_map(parent);
            for (k, child) in map.iter_mut() {
                if refs::is_example_or_data_key(parent, k) {
                    continue;
                }
                match child {
                    Value::String(text)
                        if !names && matches!(k.as_str(), "description" | "summary" | "title") =>
                    {
                        if let std::borrow::Cow::Owned(clean) = sanitize_doc_text(text)
                            && clean != *text
                        {
                            state.report.info(
                                "doc-text-sanitized",
                                pointer::join(at, k),
                                "code fences, HTML, control or bidirectional-text characters escaped, indented code fenced as text",
                            );
                            *text = clean;
                        }
                    }
                    Value::Object(_) | Value::Array(_) => {
                        at.push('/');
                        pointer::push_escaped(at, k);
                        let parent = if names { None } else { Some(k.as_str()) };
                        walk(state, child, at, parent, depth + 1);
                        at.truncate(len);
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                if matches!(child, Value::Object(_) | Value::Array(_)) {
                    use std::fmt::Write as _;
                    let _ = write!(at, "/{i}");
                    walk(state, child, at, None, depth + 1);
                    at.truncate(len);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Texts at the top levels (walked on the calling thread) and below them (on the pool)
    /// are all sanitized, and the report lists them in document order.
    #[test]
    fn an_indented_block_becomes_a_text_fence_outside_lists_only() {
        use super::super::sanitize_doc_text as clean;
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
    }

    #[test]
    fn code_spans_without_html_or_fences_stay_as_they_are() {
        use std::borrow::Cow;

        use super::super::sanitize_doc_text as clean;
        for text in [
            "The `dap_...` id of the app (`null` if none).",
            "~ 5 ms, `é`",
            "a\n`b`\nc",
        ] {
            assert!(
                matches!(clean(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
        // What is escaped still is: HTML outside a code span, fences, controls.
        assert_eq!(clean("`<T>` and <b>"), "`<T>` and &lt;b>");
        assert_eq!(clean("`a` ```x```"), "`a` \\`\\`\\`x\\`\\`\\`");
        assert_eq!(clean("`a`\u{7}b"), "`a`b");
    }

    /// A name is a name whatever its spelling: a property or a header called `examples` or
    /// `example` has its description sanitized (a fence left in a property's would be a
    /// doctest), while example values and Example objects, data, are left as they are.
    #[test]
    fn names_spelled_like_example_keywords_hold_docs() {
        let fence = "```rust\nfn evil() {}\n```";
        let mut root = json!({
            "components": {
                "schemas": {"A": {
                    "properties": {
                        "examples": {"type": "string", "description": fence},
                        "example": {"type": "string", "description": fence}
                    },
                    "example": {"description": fence}
                }},
                "examples": {"E": {"description": fence, "value": {"description": fence}}}
            },
            "paths": {"/a": {"get": {"responses": {"200": {
                "description": "ok",
                "headers": {"example": {"description": fence}},
                "content": {
                    "application/json": {"examples": {"one": {"summary": fence, "value": fence}}}
                }
            }}}}}
        });
        let untouched = root.clone();
        let mut ctx = Ctx {
            file: "spec.json".into(),
            report: Report::default(),
            refs_into_paths: false,
        };
        run(&mut ctx, &mut root);
        let properties = "/components/schemas/A/properties";
        for name in ["examples", "example"] {
            let description = &root.pointer(properties).unwrap()[name]["description"];
            assert!(
                !description.as_str().unwrap().contains("```"),
                "{name}: {description}"
            );
        }
        let header = "/paths/~1a/get/responses/200/headers/example";
        let description = &root.pointer(header).unwrap()["description"];
        assert!(
            !description.as_str().unwrap().contains("```"),
            "{description}"
        );
        let mut expected = untouched;
        for at in [properties, header] {
            root.pointer_mut(at).unwrap().take();
            expected.pointer_mut(at).unwrap().take();
        }
        assert_eq!(root, expected);
    }

    #[test]
    fn entries_in_document_order_across_the_split() {
        let mut root = json!({
            "components": {"schemas": {"A": {"description": "<a>",
                "properties": {"description": {"description": "<p>"}}}}},
            "info": {"description": "<i>", "title": "plain"},
            "paths": {"/a": {"description": "<path>", "get": {"summary": "```x```"}}},
            "x-top": {"description": "<x>"},
        });
        let mut ctx = Ctx {
            file: "spec.json".into(),
            report: Report::default(),
            refs_into_paths: false,
        };
        run(&mut ctx, &mut root);
        let pointers: Vec<&str> = ctx
            .report
            .entries
            .iter()
            .map(|e| e.pointer.as_str())
            .collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/A/description",
                "#/components/schemas/A/properties/description/description",
                "#/info/description",
                "#/paths/~1a/description",
                "#/paths/~1a/get/summary",
                "#/x-top/description",
            ]
        );
        assert_eq!(root["info"]["title"], "plain");
        assert_ne!(root["paths"]["/a"]["get"]["summary"], "```x```");
    }
}
