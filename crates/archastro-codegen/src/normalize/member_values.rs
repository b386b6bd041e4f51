//! Members of OpenAPI objects (parameters, operations, responses, the root) whose values have
//! the wrong JSON shape: a flag written as text (`"required": "true"`), a word in another case
//! (`"in": "Query"`), a style its location does not have, a text that is a number. Each is
//! repaired where the intent is plain and dropped otherwise (the default applies), with a
//! warning at its pointer; openapiv3 refused the whole family for any of them. Schema
//! keywords have their own repair (`schema.rs`).

use serde_json::{Map, Value};

use crate::pointer;
use crate::report::{Report, short_json};

/// The JSON shape a member takes.
#[derive(Clone, Copy)]
pub(super) enum Shape {
    /// `true` or `false`.
    Flag,
    /// A string.
    Text,
    /// One of these words.
    Word(&'static [&'static str]),
}

/// Where a parameter can be.
pub(super) const LOCATIONS: &[&str] = &["path", "query", "header", "cookie"];

/// The flags of a parameter.
pub(super) const PARAMETER_FLAGS: &[&str] = &[
    "required",
    "deprecated",
    "allowEmptyValue",
    "explode",
    "allowReserved",
];

/// The styles a parameter in `location` can have.
pub(super) fn styles_of(location: &str) -> &'static [&'static str] {
    match location {
        "path" => &["simple", "label", "matrix"],
        "query" => &["form", "spaceDelimited", "pipeDelimited", "deepObject"],
        "header" => &["simple"],
        "cookie" => &["form"],
        _ => &[],
    }
}

/// Repairs `obj[key]` to `shape` (see the module doc), with a warning; nothing when it has
/// that shape or is absent.
pub(super) fn repair(
    report: &mut Report,
    obj: &mut Map<String, Value>,
    key: &str,
    shape: Shape,
    at: &str,
) {
    let Some(found) = obj.get(key) else {
        return;
    };
    let (repaired, how) = match (shape, found) {
        (Shape::Flag, Value::Bool(_)) | (Shape::Text, Value::String(_)) => return,
        (Shape::Word(words), Value::String(w)) if words.contains(&w.as_str()) => return,
        (Shape::Flag, Value::String(text)) => match text.trim().to_ascii_lowercase().as_str() {
            "true" => (Some(Value::Bool(true)), "read as the flag it spells"),
            "false" => (Some(Value::Bool(false)), "read as the flag it spells"),
            _ => (None, "dropped; the default applies"),
        },
        (Shape::Word(words), Value::String(w)) => {
            match words
                .iter()
                .find(|word| word.eq_ignore_ascii_case(w.trim()))
            {
                Some(word) => (
                    Some(Value::String((*word).to_owned())),
                    "read as the word it spells",
                ),
                None => (None, "dropped; the default applies"),
            }
        }
        (Shape::Text, _) => (None, "dropped"),
        _ => (None, "dropped; the default applies"),
    };
    let what = format!("`{}`", short_json(found));
    match repaired {
        Some(value) => obj.insert(key.to_owned(), value),
        None => obj.remove(key),
    };
    report.warn(
        "member-value-repaired",
        pointer::join(at, key),
        format!("`{key}` is {what}, not what the member takes: {how}"),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{Shape, repair};
    use crate::report::Report;

    fn repaired(value: Value, shape: Shape) -> (Option<Value>, usize) {
        let mut obj = json!({"k": value});
        let obj = obj.as_object_mut().unwrap();
        let mut report = Report::default();
        repair(&mut report, obj, "k", shape, "#/x");
        (obj.get("k").cloned(), report.entries.len())
    }

    #[test]
    fn members_are_repaired_where_plain_and_dropped_otherwise() {
        let words = Shape::Word(&["query", "path"]);
        assert_eq!(repaired(json!(true), Shape::Flag), (Some(json!(true)), 0));
        assert_eq!(
            repaired(json!(" TRUE"), Shape::Flag),
            (Some(json!(true)), 1)
        );
        assert_eq!(repaired(json!("no"), Shape::Flag), (None, 1));
        assert_eq!(repaired(json!(1), Shape::Flag), (None, 1));
        assert_eq!(repaired(json!("query"), words), (Some(json!("query")), 0));
        assert_eq!(repaired(json!("Query"), words), (Some(json!("query")), 1));
        assert_eq!(repaired(json!("body"), words), (None, 1));
        assert_eq!(repaired(json!("t"), Shape::Text), (Some(json!("t")), 0));
        assert_eq!(repaired(json!(5), Shape::Text), (None, 1));
    }
}
