//! Texts that become Rust doc comments (`description`, `summary`, `title`) are made into
//! Markdown that renders as meant and that rustdoc and clippy take without a warning: code
//! blocks that rustdoc would run as doctests become `text` blocks, raw HTML is escaped, bare
//! URLs become links, brackets that would be read as links to Rust items are escaped, list
//! and quote continuations are marked, control characters dropped ([`crate::doc_text`]).
//! Example values are data and are left alone.
//!
//! The walk's top levels run on the calling thread; the subtrees [`SPLIT_DEPTH`] levels below
//! the root (path items, component schemas, channels) on the job pool, each with its own
//! report, whose entries go back where the single walk would have written them.

use serde_json::Value;

use super::{Ctx, refs};
use crate::doc_text::sanitize;
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
    /// Whether every name met is ASCII: keys, `enum` values, titles and the strings that are
    /// no doc text or example data (see [`Ctx::names_ascii`]).
    names_ascii: bool,
}

/// Sanitizes every doc text of `root`, and finds whether every name in it is ASCII (the same
/// walk: [`Ctx::names_ascii`]).
pub(super) fn run(ctx: &mut Ctx, root: &mut Value) {
    let mut top = Walk {
        report: Report {
            entries: std::mem::take(&mut ctx.report.entries),
            families: Vec::new(),
        },
        subtrees: Some(Vec::new()),
        names_ascii: true,
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
            names_ascii: true,
        };
        walk(&mut inner, value, &mut at, parent.as_deref(), SPLIT_DEPTH);
        (inner.report.entries, inner.names_ascii)
    });
    // Back to front, so that each position still counts the entries before it.
    let mut entries = top.report.entries;
    let mut names_ascii = top.names_ascii;
    for (position, (found, ascii)) in positions.into_iter().zip(below).rev() {
        entries.splice(position..position, found);
        names_ascii &= ascii;
    }
    ctx.report.entries = entries;
    ctx.names_ascii &= names_ascii;
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
                state.names_ascii &= k.is_ascii();
                if refs::is_example_or_data_key(parent, k) {
                    // typify names an enum's variants after its values.
                    if k == "enum" {
                        state.names_ascii &= child
                            .as_array()
                            .into_iter()
                            .flatten()
                            .all(|v| v.as_str().is_none_or(str::is_ascii));
                    }
                    continue;
                }
                match child {
                    Value::String(text)
                        if !names && matches!(k.as_str(), "description" | "summary" | "title") =>
                    {
                        state.names_ascii &= k != "title" || text.is_ascii();
                        if let std::borrow::Cow::Owned(clean) = sanitize(text)
                            && clean != *text
                        {
                            state.report.info(
                                "doc-text-sanitized",
                                pointer::join(at, k),
                                "made into doc Markdown: code blocks as `text`, HTML and link brackets escaped, bare URLs linked, list and quote continuations marked, control characters dropped",
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
                    Value::String(text) => state.names_ascii &= text.is_ascii(),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                if let Value::String(text) = child {
                    state.names_ascii &= text.is_ascii();
                }
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
        let mut ctx = Ctx::new("spec.json");
        run(&mut ctx, &mut root);
        let properties = "/components/schemas/A/properties";
        for name in ["examples", "example"] {
            let description = &root.pointer(properties).unwrap()[name]["description"];
            assert!(
                !description.as_str().unwrap().contains("```rust"),
                "{name}: {description}"
            );
        }
        let header = "/paths/~1a/get/responses/200/headers/example";
        let description = &root.pointer(header).unwrap()["description"];
        assert!(
            !description.as_str().unwrap().contains("```rust"),
            "{description}"
        );
        let mut expected = untouched;
        for at in [properties, header] {
            root.pointer_mut(at).unwrap().take();
            expected.pointer_mut(at).unwrap().take();
        }
        assert_eq!(root, expected);
    }

    /// Texts that are not ASCII leave the names ASCII; a key, an `enum` value or a title that
    /// is not, found on either side of the split, does not.
    #[test]
    fn names_that_are_not_ascii_are_told_from_texts() {
        let names_ascii = |mut root: Value| {
            let mut ctx = Ctx::new("spec.json");
            run(&mut ctx, &mut root);
            ctx.names_ascii
        };
        let schema = |extra: Value| {
            let mut a = json!({"description": "Zoë’s", "example": {"nom": "Zoë"},
                "properties": {"name": {"type": "string", "description": "—"}}});
            a.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            json!({"components": {"schemas": {"A": a}}, "info": {"description": "é"}})
        };
        assert!(names_ascii(schema(json!({}))));
        assert!(!names_ascii(schema(
            json!({"properties": {"größe": {"type": "string"}}})
        )));
        assert!(!names_ascii(schema(json!({"enum": ["Paʿʿel"]}))));
        assert!(!names_ascii(schema(json!({"title": "Größe"}))));
        assert!(!names_ascii(
            json!({"paths": {"/a": {"get": {"operationId": "créer"}}}})
        ));
    }

    /// Texts at the top levels (walked on the calling thread) and below them (on the pool)
    /// are all sanitized, and the report lists them in document order.
    #[test]
    fn entries_in_document_order_across_the_split() {
        let mut root = json!({
            "components": {"schemas": {"A": {"description": "<a>",
                "properties": {"description": {"description": "<p>"}}}}},
            "info": {"description": "<i>", "title": "plain"},
            "paths": {"/a": {"description": "<path>", "get": {"summary": "```\nx\n```"}}},
            "x-top": {"description": "<x>"},
        });
        let mut ctx = Ctx::new("spec.json");
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
        assert_eq!(root["paths"]["/a"]["get"]["summary"], "```text\nx\n```");
    }
}
