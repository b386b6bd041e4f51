use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;

/// A document whose only content is `schemas` as its component schemas.
fn doc(schemas: Value) -> Value {
    json!({"components": {"schemas": schemas}})
}

/// `example` of `schema` in `root`, checked to finish within a second and to stay within the
/// budget, with whether it fits.
fn bounded_example(root: &Value, schema: &Value) -> (Value, Result<(), String>) {
    let start = Instant::now();
    let value = example(root, schema, 0);
    let fit = fits(root, schema, &value);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );
    let nodes = node_count(&value, usize::MAX);
    assert!(nodes <= MAX_NODES + 1, "{nodes} values");
    (value, fit)
}

#[test]
fn fits_checks_types_and_says_where() {
    let root = doc(json!({
        "Question": {"type": "object", "required": ["id", "kind"], "properties": {
            "id": {"type": "string", "minLength": 2},
            "kind": {"type": "string", "enum": ["boolean", "choice"]},
            "weight": {"type": "integer", "minimum": 0, "exclusiveMinimum": true},
            "at": {"type": "string", "format": "date-time", "nullable": true}
        }},
        "Request": {"type": "object", "required": ["questions"], "properties": {
            "questions": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Question"}}
        }}
    }));
    let schema = json!({"$ref": "#/components/schemas/Request"});
    let good = json!({"questions": [{"id": "q1", "kind": "choice", "weight": 2, "at": null}]});
    assert_eq!(fits(&root, &schema, &good), Ok(()));
    let cases = [
        (json!({}), "required property \"questions\" is missing"),
        (json!({"questions": []}), "0 items, fewer than minItems 1"),
        (
            json!({"questions": [{"id": "q1"}]}),
            "at /questions/0: required property \"kind\" is missing",
        ),
        (
            json!({"questions": [{"id": "q", "kind": "choice"}]}),
            "at /questions/0/id: 1 characters",
        ),
        (
            json!({"questions": [{"id": "q1", "kind": "score"}]}),
            "at /questions/0/kind: \"score\" is not one of the enum values",
        ),
        (
            json!({"questions": [{"id": "q1", "kind": "choice", "weight": 0}]}),
            "beyond the exclusive minimum 0",
        ),
        (
            json!({"questions": [{"id": "q1", "kind": "choice", "weight": 1.5}]}),
            "expected integer, found 1.5",
        ),
        (
            json!({"questions": [{"id": "q1", "kind": "choice", "at": "2026-13-01T00:00:00Z"}]}),
            "is not a date-time",
        ),
    ];
    for (value, why) in cases {
        let error = fits(&root, &schema, &value).expect_err(why);
        assert!(error.contains(why), "{error:?} should say {why:?}");
    }
}

#[test]
fn fits_reads_composition_and_references() {
    let root = doc(json!({
        "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}},
        "Closed": {"type": "object", "additionalProperties": false, "properties": {"a": {"type": "boolean"}}},
        "Loop": {"$ref": "#/components/schemas/Loop"}
    }));
    let all_of = json!({"allOf": [{"$ref": "#/components/schemas/Base"}, {"required": ["n"], "properties": {"n": {"type": "number"}}}]});
    assert_eq!(
        fits(
            &root,
            &all_of,
            &json!({"id": "00000000-0000-4000-8000-000000000000", "n": 1})
        ),
        Ok(())
    );
    assert!(fits(&root, &all_of, &json!({"id": "nope", "n": 1})).is_err());
    let one_of = json!({"oneOf": [{"type": "string", "format": "email"}, {"type": "integer", "format": "int32"}]});
    assert_eq!(fits(&root, &one_of, &json!("ada@example.com")), Ok(()));
    assert_eq!(fits(&root, &one_of, &json!(7)), Ok(()));
    let error = fits(&root, &one_of, &json!(5_000_000_000_i64)).unwrap_err();
    assert!(
        error.contains("fits none of the 2 oneOf alternatives"),
        "{error}"
    );
    let closed = json!({"$ref": "#/components/schemas/Closed"});
    assert!(
        fits(&root, &closed, &json!({"b": 1}))
            .unwrap_err()
            .contains("at /b: no such property")
    );
    assert!(
        fits(
            &root,
            &json!({"$ref": "#/components/schemas/Loop"}),
            &json!(1)
        )
        .is_err()
    );
    assert!(
        fits(&root, &json!({"$ref": "#/nowhere"}), &json!(1))
            .unwrap_err()
            .contains("does not resolve")
    );
    assert!(fits(&root, &json!({"not": {"type": "string"}}), &json!("s")).is_err());
    assert_eq!(fits(&root, &json!({}), &json!(null)), Ok(()));
    assert!(fits(&root, &json!({"type": "string"}), &json!(null)).is_err());
}

#[test]
fn generated_examples_have_every_required_property_and_fit() {
    let root = doc(json!({
        "Id": {"type": "string", "format": "uuid"},
        "Base": {"type": "object", "required": ["id", "created"], "properties": {
            "id": {"$ref": "#/components/schemas/Id"},
            "created": {"type": "string", "format": "date-time"}
        }},
        "Choice": {"type": "object", "required": ["type", "options"], "properties": {
            "type": {"type": "string", "enum": ["choice"]},
            "options": {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "string", "minLength": 3, "maxLength": 4}}
        }},
        "Score": {"type": "object", "required": ["type", "max"], "properties": {
            "type": {"type": "string", "enum": ["score"]},
            "max": {"type": "integer", "minimum": 10, "maximum": 20, "exclusiveMaximum": true}
        }},
        "Question": {
            "allOf": [{"$ref": "#/components/schemas/Base"}],
            "oneOf": [{"$ref": "#/components/schemas/Choice"}, {"$ref": "#/components/schemas/Score"}],
            "required": ["weight", "owner"],
            "properties": {
                "weight": {"type": "number", "minimum": 0, "maximum": 1, "exclusiveMaximum": true},
                "owner": {"allOf": [{"$ref": "#/components/schemas/Base"}], "nullable": true},
                "email": {"type": "string", "format": "email"}
            }
        }
    }));
    let schema = json!({"$ref": "#/components/schemas/Question"});
    let (value, fit) = bounded_example(&root, &schema);
    assert_eq!(fit, Ok(()), "{value}");
    for key in ["id", "created", "type", "options", "weight", "owner"] {
        assert!(value.get(key).is_some(), "{key} missing from {value}");
    }
    assert_eq!(
        value["owner"]["id"],
        json!("00000000-0000-4000-8000-000000000000")
    );
}

#[test]
fn own_examples_defaults_and_enums_are_used_only_when_they_fit() {
    let root = json!({});
    let schema = json!({"type": "object", "required": ["state"], "properties": {"state": {}},
                        "example": {"model": "m"}});
    assert_eq!(example(&root, &schema, 0), json!({"state": {}}));
    let with_default = json!({"type": "integer", "example": "one", "default": 3});
    assert_eq!(example(&root, &with_default, 0), json!(3));
    let with_enum = json!({"type": "string", "enum": [null, 4, "b"], "nullable": true});
    assert_eq!(example(&root, &with_enum, 0), json!("b"));
    let fitting = json!({"type": "string", "format": "date", "example": "2025-02-03"});
    assert_eq!(example(&root, &fitting, 0), json!("2025-02-03"));
}

#[test]
fn repairs_keep_what_fits_and_fill_in_the_rest() {
    let root = doc(json!({
        "Item": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "maximum": 5}}}
    }));
    let schema = json!({"type": "object", "required": ["name", "state"], "additionalProperties": false,
    "properties": {
        "name": {"type": "string"},
        "state": {},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
    }});
    let broken = json!({"name": "kept", "extra": 1, "items": [{"n": 2}, {"n": 9}, {}]});
    let repair = repaired(&root, &schema, &broken);
    assert_eq!(
        repair,
        json!({"name": "kept", "state": {}, "items": [{"n": 2}, {"n": 1}, {"n": 1}]})
    );
    assert_eq!(fits(&root, &schema, &repair), Ok(()));
    assert_eq!(
        repaired(&root, &schema, &json!("text")),
        json!({"name": "example", "state": {}})
    );
}

#[test]
fn bounds_are_met_with_saturating_arithmetic() {
    let root = json!({});
    let cases = [
        (json!({"type": "integer", "minimum": 5}), json!(5)),
        (
            json!({"type": "integer", "maximum": 0, "exclusiveMaximum": true}),
            json!(-1),
        ),
        (json!({"type": "integer", "minimum": 2.5}), json!(3)),
        (
            json!({"type": "integer", "minimum": i64::MIN, "exclusiveMaximum": i64::MIN}),
            json!(i64::MIN),
        ),
        (
            json!({"type": "number", "minimum": 2, "exclusiveMinimum": true}),
            json!(3.0),
        ),
        (
            json!({"type": "number", "minimum": 0, "maximum": 0.5}),
            json!(0.25),
        ),
        (
            json!({"type": "string", "minLength": 10}),
            json!("examplexxx"),
        ),
        (json!({"type": "string", "maxLength": 3}), json!("exa")),
        (
            json!({"type": "array", "maxItems": 0, "items": {"type": "string"}}),
            json!([]),
        ),
        (
            json!({"type": "object", "minProperties": 2, "additionalProperties": {"type": "boolean"}}),
            json!({"property1": true, "property2": true}),
        ),
    ];
    for (schema, expected) in cases {
        assert_eq!(example(&root, &schema, 0), expected, "{schema}");
    }
}

#[test]
fn hostile_bounds_finish_fast_and_are_reported_as_not_fitting() {
    let root = json!({});
    let overflow = json!({"type": "integer", "minimum": i64::MAX, "exclusiveMinimum": true});
    let (value, fit) = bounded_example(&root, &overflow);
    assert_eq!(value, json!(i64::MAX));
    assert!(fit.is_err());
    let beyond = json!({"type": "integer", "minimum": u64::MAX});
    assert!(bounded_example(&root, &beyond).1.is_err());

    let many_items = json!({"type": "array", "minItems": u64::MAX, "items": {"type": "object",
        "required": ["a", "b"], "properties": {"a": {"type": "string"}, "b": {"type": "integer"}}}});
    let (value, fit) = bounded_example(&root, &many_items);
    assert!(value.as_array().is_some_and(|a| a.len() <= MAX_NODES));
    assert!(fit.unwrap_err().contains("fewer than minItems"));

    let long = json!({"type": "string", "minLength": 1_000_000_000_u64});
    let (value, fit) = bounded_example(&root, &long);
    assert_eq!(value.as_str().map(str::len), Some(MAX_STRING_LENGTH));
    assert!(fit.is_err());

    let many_properties = json!({"type": "object", "minProperties": u64::MAX});
    assert!(bounded_example(&root, &many_properties).1.is_err());
}

#[test]
fn self_references_stay_within_the_budget() {
    let names: Vec<String> = (0..8).map(|i| format!("p{i}")).collect();
    let properties: serde_json::Map<String, Value> = names
        .iter()
        .map(|n| (n.clone(), json!({"$ref": "#/components/schemas/Node"})))
        .collect();
    let root = doc(json!({
        "Node": {"type": "object", "required": names, "properties": properties},
        "Parts": {"allOf": (0..8).map(|_| json!({"$ref": "#/components/schemas/Parts"})).collect::<Vec<_>>()},
        "Either": {"oneOf": (0..40).map(|_| json!({"$ref": "#/components/schemas/Either"})).collect::<Vec<_>>()},
        "Maybe": {"type": "object", "nullable": true, "required": ["next"],
                  "properties": {"next": {"$ref": "#/components/schemas/Maybe"}}}
    }));
    for name in ["Node", "Parts", "Either"] {
        let schema = json!({"$ref": format!("#/components/schemas/{name}")});
        let (value, fit) = bounded_example(&root, &schema);
        assert!(fit.is_err(), "{name}: {value}");
    }
    // A nullable self-reference ends in `null` and fits.
    let (value, fit) = bounded_example(&root, &json!({"$ref": "#/components/schemas/Maybe"}));
    assert_eq!(fit, Ok(()), "{value}");
}

#[test]
fn checks_are_bounded() {
    let root = doc(json!({
        "Wide": {"anyOf": (0..40).map(|_| json!({"$ref": "#/components/schemas/Wide"})).collect::<Vec<_>>()}
    }));
    let start = Instant::now();
    let fit = fits(
        &root,
        &json!({"$ref": "#/components/schemas/Wide"}),
        &json!(1),
    );
    assert!(start.elapsed() < Duration::from_secs(1));
    assert!(fit.is_err());
}

#[test]
fn misfit_messages_quote_values_briefly() {
    let root = json!({});
    let big = Value::Array((0..100_000).map(|i| json!(format!("é{i}"))).collect());
    let why = fits(&root, &json!({"type": "string"}), &big).unwrap_err();
    assert!(why.len() < 100 && why.ends_with("\"é9\"..."), "{why}");
    let why = fits(&root, &json!({"type": "string"}), &json!(7)).unwrap_err();
    assert_eq!(why, "expected string, found 7");
}

#[test]
fn long_enums_are_tried_briefly() {
    let root = json!({});
    let values: Vec<Value> = (0..200_000).map(|i| json!(format!("v{i}"))).collect();
    let schema = json!({"type": "integer", "enum": values});
    let (value, fit) = bounded_example(&root, &schema);
    assert_eq!(value, json!(1));
    assert!(fit.is_err());
}
