//! Every `example` of the document fits its schema: a schema's own (components, inline,
//! nested, in `x-*` extensions) and a parameter's, header's or media type's beside its
//! `schema`. One that does not fit is repaired (what fits kept, what is missing generated),
//! else replaced by a generated example, else dropped; each with a warning naming the
//! example's pointer and why it did not fit. Real specs carry examples without a required
//! property, and the contract crate decodes them into the generated types. A schema's
//! `default` that does not fit it is dropped, and so is an `enum` value of the wrong type
//! (typify refuses both), each with a warning.
//!
//! One walk over the document finds the fixes (reading it whole, for `$ref`s), then they are
//! applied; every example is checked once, within the budget of [`crate::examples::fits`].

use serde_json::Value;

use super::{Ctx, looks_like_schema};
use crate::examples::{fits, fits_as_default, repaired};
use crate::pointer;

/// What a node of the document is to the walk.
#[derive(Clone, Copy)]
enum Place {
    /// Part of the document's structure (paths, operations, components, ...).
    Structure,
    /// Inside an `x-*` extension: a schema wherever a value looks like one.
    Extension,
    /// A schema.
    Schema,
}

/// A misfit example (or default, or enum) and what becomes of it.
struct Fix {
    /// The object that holds the `example` (a schema, parameter, header or media type).
    holder: String,
    /// What is fixed: `example`, `default` or `enum`.
    key: &'static str,
    /// The value that fits, or `None` to drop it.
    replacement: Option<Value>,
    rule: &'static str,
    message: String,
}

/// The walk's findings, in document order.
enum Found<'a> {
    Fix(Fix),
    /// A subtree left to the job pool by the first walk (see [`SPLIT_DEPTH`]).
    Subtree(&'a Value, String, Place),
}

/// How deep the first walk goes before it leaves subtrees to the job pool: path items,
/// component schemas and channels are two levels below the root.
const SPLIT_DEPTH: usize = 2;

/// One walk: the document it reads `$ref`s in, and what it found.
struct Walk<'a> {
    root: &'a Value,
    found: Vec<Found<'a>>,
    /// The depth at which subtrees are left for later, on the first walk.
    split_at: Option<usize>,
}

/// Checks every example of `root` and repairs, replaces or drops those that do not fit.
pub fn run(ctx: &mut Ctx, root: &mut Value) {
    let fixes = find_fixes(root);
    for fix in fixes {
        let at = fix.holder.strip_prefix('#').unwrap_or_default();
        if let Some(Value::Object(holder)) = root.pointer_mut(at) {
            match fix.replacement {
                Some(value) => holder.insert(fix.key.into(), value),
                None => holder.remove(fix.key),
            };
        }
        ctx.report
            .warn(fix.rule, pointer::join(&fix.holder, fix.key), fix.message);
    }
}

/// The fixes of `root`'s misfit examples, in document order: the walk's top levels on this
/// thread, the subtrees below them on the job pool.
fn find_fixes(root: &Value) -> Vec<Fix> {
    let mut top = Walk {
        root,
        found: Vec::new(),
        split_at: Some(SPLIT_DEPTH),
    };
    visit(&mut top, root, &mut String::from("#"), Place::Structure, 0);
    let mut subtrees = Vec::new();
    for found in &mut top.found {
        if let Found::Subtree(v, at, place) = found {
            subtrees.push((*v, std::mem::take(at), *place));
        }
    }
    let mut below = crate::jobs::map_chunks(subtrees, |(v, mut at, place)| {
        let mut walk = Walk {
            root,
            found: Vec::new(),
            split_at: None,
        };
        visit(&mut walk, v, &mut at, place, SPLIT_DEPTH);
        walk.found
    })
    .into_iter();
    let mut fixes = Vec::new();
    for found in top.found {
        match found {
            Found::Fix(fix) => fixes.push(fix),
            Found::Subtree(..) => fixes.extend(below.next().into_iter().flatten().filter_map(
                |found| match found {
                    Found::Fix(fix) => Some(fix),
                    Found::Subtree(..) => None,
                },
            )),
        }
    }
    fixes
}

/// Finds the misfit examples in `v` (at pointer `at`), as a `place` of the document.
fn visit<'a>(walk: &mut Walk<'a>, v: &'a Value, at: &mut String, place: Place, depth: usize) {
    if walk.split_at == Some(depth) {
        walk.found.push(Found::Subtree(v, at.clone(), place));
        return;
    }
    let place = match place {
        Place::Extension if looks_like_schema(v) => Place::Schema,
        other => other,
    };
    match (v, place) {
        (Value::Object(map), Place::Schema) => {
            if let Some(example) = map.get("example") {
                check(walk, v, example, at);
            }
            check_default_and_enum(walk, v, map, at);
            for (key, child) in map {
                match key.as_str() {
                    "properties" => {
                        for (name, property) in child.as_object().into_iter().flatten() {
                            within(at, &["properties", name], |at| {
                                visit(walk, property, at, Place::Schema, depth + 1)
                            });
                        }
                    }
                    "items" | "additionalProperties" | "not" => within(at, &[key], |at| {
                        visit(walk, child, at, Place::Schema, depth + 1)
                    }),
                    "allOf" | "oneOf" | "anyOf" => {
                        for (i, part) in child.as_array().into_iter().flatten().enumerate() {
                            within(at, &[key, &i.to_string()], |at| {
                                visit(walk, part, at, Place::Schema, depth + 1)
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        (Value::Object(map), _) => {
            if let (Some(schema), Some(example)) = (map.get("schema"), map.get("example")) {
                check(walk, schema, example, at);
            }
            // Example values (of a holder, an extension or `components.examples`) are data.
            let components = at == "#/components";
            let data = components
                || matches!(place, Place::Extension)
                || map.contains_key("schema")
                || map.contains_key("content");
            for (key, child) in map {
                let child_place = match key.as_str() {
                    "example" | "examples" if data => continue,
                    "schema" => Place::Schema,
                    "schemas" if components => {
                        for (name, schema) in child.as_object().into_iter().flatten() {
                            within(at, &[key, name], |at| {
                                visit(walk, schema, at, Place::Schema, depth + 1)
                            });
                        }
                        continue;
                    }
                    k if k.starts_with("x-") => Place::Extension,
                    _ => place,
                };
                within(at, &[key], |at| {
                    visit(walk, child, at, child_place, depth + 1)
                });
            }
        }
        (Value::Array(items), Place::Structure | Place::Extension) => {
            for (i, item) in items.iter().enumerate() {
                within(at, &[&i.to_string()], |at| {
                    visit(walk, item, at, place, depth + 1)
                });
            }
        }
        _ => {}
    }
}

/// Runs `f` with `tokens` appended to the pointer `at`, then takes them off again.
fn within(at: &mut String, tokens: &[&str], f: impl FnOnce(&mut String)) {
    let len = at.len();
    for token in tokens {
        at.push('/');
        pointer::push_escaped(at, token);
    }
    f(at);
    at.truncate(len);
}

/// Records the fix for `example` (held by the object at `at`) when it does not fit `schema`.
fn check(walk: &mut Walk<'_>, schema: &Value, example: &Value, at: &str) {
    let root = walk.root;
    let Err(why) = fits(root, schema, example) else {
        return;
    };
    let repair = repaired(root, schema, example);
    let (replacement, rule, outcome) = if fits(root, schema, &repair).is_err() {
        (
            None,
            "example-dropped",
            "no example that fits could be made; dropped",
        )
    } else if repair == crate::examples::example(root, schema, 0) {
        (
            Some(repair),
            "example-replaced",
            "replaced by a generated one",
        )
    } else {
        (
            Some(repair),
            "example-repaired",
            "what fits kept, the rest generated",
        )
    };
    walk.found.push(Found::Fix(Fix {
        holder: at.to_owned(),
        key: "example",
        replacement,
        rule,
        message: format!("the example does not fit its schema ({why}); {outcome}"),
    }));
}

/// Records the fixes for the schema `map`'s `enum` values of the wrong type (kept: those of
/// the type) and for its `default` when it does not fit (dropped).
fn check_default_and_enum(
    walk: &mut Walk<'_>,
    schema: &Value,
    map: &serde_json::Map<String, Value>,
    at: &str,
) {
    let root = walk.root;
    if let Some(Value::Array(values)) = map.get("enum") {
        let mut without_enum = map.clone();
        without_enum.remove("enum");
        let without_enum = Value::Object(without_enum);
        let (kept, misfits): (Vec<&Value>, Vec<&Value>) = values
            .iter()
            .partition(|v| v.is_null() || fits(root, &without_enum, v).is_ok());
        if let Some(first) = misfits.first() {
            let why = fits(root, &without_enum, first).err().unwrap_or_default();
            walk.found.push(Found::Fix(Fix {
                holder: at.to_owned(),
                key: "enum",
                replacement: (!kept.is_empty())
                    .then(|| Value::Array(kept.into_iter().cloned().collect())),
                rule: "enum-value-dropped",
                message: format!(
                    "{} enum value(s) do not fit the schema ({why}); dropped",
                    misfits.len()
                ),
            }));
        }
    }
    if let Some(default) = map.get("default")
        && let Err(why) = fits_as_default(root, schema, default)
    {
        walk.found.push(Found::Fix(Fix {
            holder: at.to_owned(),
            key: "default",
            replacement: None,
            rule: "default-dropped",
            message: format!("the default does not fit its schema ({why}); dropped"),
        }));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::report::Level;

    fn fixed(mut root: Value) -> (Value, Vec<(Level, &'static str, String, String)>) {
        let mut ctx = Ctx::new("spec.json");
        run(&mut ctx, &mut root);
        let entries = ctx.report.entries.into_iter();
        (
            root,
            entries
                .map(|e| (e.level, e.rule, e.pointer, e.message))
                .collect(),
        )
    }

    #[test]
    fn misfit_examples_are_repaired_replaced_or_dropped_with_a_warning() {
        let (root, warnings) = fixed(json!({
            "paths": {"/things/{id}": {"post": {
                "parameters": [{"name": "id", "in": "path", "schema": {"type": "integer"}, "example": "seven"}],
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"},
                    "example": {"name": "n"}
                }}},
                "x-events": {"payload": {"type": "object", "required": ["at"],
                    "properties": {"at": {"type": "string", "format": "date"}}, "example": {"at": "soon"}}}
            }}},
            "components": {"schemas": {
                "Thing": {"type": "object", "required": ["name", "size"], "properties": {
                    "name": {"type": "string", "example": "fits"},
                    "size": {"type": "integer", "minimum": 1, "example": 0}
                }, "example": {"name": "a", "size": 2, "tags": []}},
                "Never": {"type": "string", "minLength": 3, "maxLength": 2, "example": "x"}
            }}
        }));
        let schema = "#/components/schemas";
        let body = "#/paths/~1things~1{id}/post/requestBody/content/application~1json";
        let expected = [
            (
                "example-dropped",
                format!("{schema}/Never/example"),
                "1 characters, outside minLength 3 and maxLength 2",
            ),
            (
                "example-replaced",
                format!("{schema}/Thing/properties/size/example"),
                "0 is beyond the minimum 1",
            ),
            (
                "example-replaced",
                "#/paths/~1things~1{id}/post/parameters/0/example".into(),
                "expected integer",
            ),
            (
                "example-repaired",
                format!("{body}/example"),
                "required property \"size\" is missing",
            ),
            (
                "example-replaced",
                "#/paths/~1things~1{id}/post/x-events/payload/example".into(),
                "at /at: \"soon\" is not a date",
            ),
        ];
        assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
        for ((level, rule, at, message), (want_rule, want_at, why)) in
            warnings.iter().zip(&expected)
        {
            assert_eq!((*level, *rule, at), (Level::Warning, *want_rule, want_at));
            assert!(message.contains(why), "{message:?} should say {why:?}");
        }
        assert!(root.pointer("/components/schemas/Never/example").is_none());
        assert_eq!(
            root["components"]["schemas"]["Thing"]["properties"]["size"]["example"],
            json!(1)
        );
        let op = &root["paths"]["/things/{id}"]["post"];
        assert_eq!(op["parameters"][0]["example"], json!(1));
        assert_eq!(
            op["requestBody"]["content"]["application/json"]["example"],
            json!({"name": "n", "size": 1})
        );
        assert_eq!(
            op["x-events"]["payload"]["example"],
            json!({"at": "2026-01-01"})
        );
        // The fitting component example stays as it is (an extra property is allowed).
        assert_eq!(
            root["components"]["schemas"]["Thing"]["example"],
            json!({"name": "a", "size": 2, "tags": []})
        );
    }

    /// Each warning's rule and pointer.
    fn rules_at<'a>(
        warnings: &'a [(Level, &'static str, String, String)],
    ) -> Vec<(&'static str, &'a str)> {
        warnings
            .iter()
            .map(|(_, rule, at, _)| (*rule, at.as_str()))
            .collect()
    }

    #[test]
    fn misfit_defaults_and_enum_values_are_dropped_with_a_warning() {
        let (root, warnings) = fixed(json!({"components": {"schemas": {
            "Flag": {"type": "boolean", "default": 0},
            "Size": {"type": "integer", "enum": [1, "two", null], "nullable": true, "default": 1},
            "Name": {"type": "string", "enum": [3]}
        }}}));
        let rules = rules_at(&warnings);
        assert_eq!(
            rules,
            [
                ("default-dropped", "#/components/schemas/Flag/default"),
                ("enum-value-dropped", "#/components/schemas/Name/enum"),
                ("enum-value-dropped", "#/components/schemas/Size/enum"),
            ]
        );
        let schemas = &root["components"]["schemas"];
        assert_eq!(schemas["Flag"], json!({"type": "boolean"}));
        assert_eq!(schemas["Name"], json!({"type": "string"}));
        assert_eq!(
            schemas["Size"],
            json!({"type": "integer", "enum": [1, null], "nullable": true, "default": 1})
        );
    }

    #[test]
    fn a_default_with_a_property_its_type_lacks_is_dropped() {
        let language = json!({"type": "object", "required": ["value"],
            "properties": {"value": {"type": "string"}},
            "default": {"id": 20, "value": "jinja2"}});
        let (root, warnings) = fixed(json!({"components": {"schemas": {
            "Closed": language,
            "Open": {"type": "object", "additionalProperties": true,
                "properties": {"value": {"type": "string"}}, "default": {"id": 20}},
            "Merged": {"allOf": [{"$ref": "#/components/schemas/Open"},
                {"properties": {"value": {"type": "string"}}}], "default": {"value": "a", "id": 1}},
            "When": {"anyOf": [{"type": "string", "format": "date-time"},
                {"type": "string", "format": "date"}], "default": "2025-10-15"},
            "Either": {"anyOf": [{"type": "string"}, {"type": "integer"}], "default": "a"},
            "Color": {"anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/Gradient"}]},
            "Gradient": {"anyOf": [{"type": "object"}, {"type": "object"}]},
            "Module": {"type": "object", "properties": {"color": {
                "allOf": [{"$ref": "#/components/schemas/Color"}], "default": "black"}}},
            "Holder": {"type": "object", "properties": {"language": {
                "allOf": [{"$ref": "#/components/schemas/Closed"}],
                "default": {"id": 20, "value": "jinja2"}}}}
        }}}));
        let rules = rules_at(&warnings);
        assert_eq!(
            rules,
            [
                ("default-dropped", "#/components/schemas/Closed/default"),
                (
                    "default-dropped",
                    "#/components/schemas/Holder/properties/language/default"
                ),
                (
                    "default-dropped",
                    "#/components/schemas/Module/properties/color/default"
                ),
                ("default-dropped", "#/components/schemas/When/default"),
            ]
        );
        assert!(
            root["components"]["schemas"]["Merged"]
                .get("default")
                .is_some()
        );
        assert!(
            root["components"]["schemas"]["Open"]
                .get("default")
                .is_some()
        );
        assert!(
            root["components"]["schemas"]["Either"]
                .get("default")
                .is_some()
        );
    }

    #[test]
    fn example_data_is_not_walked() {
        let data = json!({"schema": {"type": "integer"}, "example": "looks like a parameter"});
        let (root, warnings) = fixed(json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"type": "object"},
                "example": {"nested": data},
                "examples": {"one": {"value": data}}
            }}}}}}},
            "components": {"examples": {"two": {"value": data}}}
        }));
        assert_eq!(warnings, []);
        assert_eq!(root["components"]["examples"]["two"]["value"], data);
    }
}
