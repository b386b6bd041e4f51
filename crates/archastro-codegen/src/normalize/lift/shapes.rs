//! Finding the shapes: one read-only walk over every schema, bottom-up, that gives each schema
//! typify would turn into a type of its own (see [`is_named_by_typify`]) a shape class. Two
//! schemas are in the same class when they are the same schema apart from their annotations
//! and how they are used; each class is found by its canonical text, in which every nested
//! class stands as its number, so the walk writes each schema's text once (linear in the
//! spec's size) and identical subtrees get identical classes.
//!
//! What the canonical text leaves out, and why:
//! - annotations (`description`, `title`, `example`, `deprecated`, `readOnly`...) and `x-`
//!   keywords: two shapes that differ only in their docs are one type;
//! - at the top of a nested schema, `nullable` and `default`: they say how the schema is used
//!   where it stands (`Option<T>`, a serde default), not what the type is; where the schema is
//!   replaced by a reference they stay beside it (`{allOf: [$ref], nullable: true}`).
//!
//! `required` is compared as a set; `enum` values, property names and every other keyword as
//! written.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::normalize::push_json_string;
use crate::normalize::schema::ANNOTATIONS;
use crate::pointer;

/// A shape class: an index into [`Shapes::classes`].
pub(super) type ClassId = usize;

/// The keywords that stay with a use of a shape rather than with the shape.
pub(super) const USE_KEYWORDS: &[&str] = &["default", "nullable"];

/// How the schema at a use is reached from the type that holds it, as far as naming goes: the
/// last property on the way (if any) and the steps after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Hint {
    pub property: Option<String>,
    pub steps: Vec<Step>,
}

/// A step below a property (or below the type itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// The items of an array.
    Items,
    /// The values of a map (`additionalProperties`).
    Value,
    /// An alternative of a `oneOf` or `anyOf`, with the one value its discriminating property
    /// allows (see [`discriminator_value`]), if any.
    Alternative(Option<String>),
}

impl Hint {
    fn property(name: &str) -> Hint {
        Hint {
            property: Some(name.to_owned()),
            steps: Vec::new(),
        }
    }

    fn then(&self, step: Step) -> Hint {
        let mut next = self.clone();
        next.steps.push(step);
        next
    }
}

/// The type that holds a use: the nested schema around it that becomes a type, if any, else
/// its root: the component, or the operation or channel message the schema belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Owner {
    /// [`Shapes::node_class`] gives its class.
    pub node: Option<usize>,
    /// An index into [`Shapes::roots`].
    pub root: usize,
}

/// One place a shape stands inside another type.
#[derive(Debug, Clone)]
pub(super) struct Use {
    pub owner: Owner,
    pub hint: Hint,
}

/// What is known of one shape class.
#[derive(Debug, Default)]
pub(super) struct Class {
    /// The first component (in name order) whose schema is this shape, used as it is (neither
    /// nullable nor with a default).
    pub component: Option<String>,
    /// Every nested place the shape stands, in walk order.
    pub uses: Vec<Use>,
    /// Whether it has properties (an object rather than an enum or a union).
    pub is_object: bool,
}

/// A schema that stands where the shape walk started (an operation's body or response, a
/// channel's params, reply or payload) and that can become a reference to its class.
#[derive(Debug)]
pub(super) struct Slot {
    pub pointer: String,
    pub class: ClassId,
}

/// A nested schema that becomes a reference to its class's type.
#[derive(Debug)]
pub(super) struct Nested {
    pub pointer: String,
    pub class: ClassId,
    /// Whether it is a property's schema (whose docs are the field's).
    pub is_property: bool,
}

/// The result of the walk.
#[derive(Debug, Default)]
pub(super) struct Shapes {
    pub classes: Vec<Class>,
    /// Every nested schema that becomes a type, children before their parents.
    pub nested: Vec<Nested>,
    pub slots: Vec<Slot>,
    /// The names the roots' types have (or would have): components, and operations' or
    /// channel messages' slots.
    pub roots: Vec<String>,
    /// The class of each [`Owner::node`].
    nodes: Vec<ClassId>,
    by_text: HashMap<String, ClassId>,
}

/// Where a schema stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// Where the walk starts: a component or a slot.
    Root,
    /// Where typify would name a type of its own: a property, array items, map values, an
    /// alternative of a `oneOf`/`anyOf`.
    Nested,
    /// Merged into the schema around it by typify (`allOf` parts, `not`): never a type.
    Merged,
}

/// Whether typify turns `m` into a type of its own when it stands in a property, array items
/// or map values: an object with properties (a struct), an `enum` with a value other than
/// `null` (an enum or a constrained newtype), a union of two or more alternatives, a merge of two or more parts, or a string
/// with a pattern or length bounds (a validated newtype). A `$ref`, or the one-part `allOf`
/// that makes one nullable, is not.
pub(in crate::normalize) fn is_named_by_typify(m: &Map<String, Value>) -> bool {
    let at_least = |value: &Value, min: usize| match value {
        Value::Object(o) => o.len() >= min,
        Value::Array(a) => a.len() >= min,
        _ => false,
    };
    // One pass over the keys (this runs on every schema object of the document).
    let (mut named, mut string, mut bounded) = (false, false, false);
    for (key, value) in m {
        match key.as_str() {
            "$ref" => return false,
            "properties" => named |= at_least(value, 1),
            "enum" => named |= matches!(value, Value::Array(v) if v.iter().any(|v| !v.is_null())),
            "oneOf" | "anyOf" | "allOf" => named |= at_least(value, 2),
            "type" => string = value.as_str() == Some("string"),
            "pattern" | "minLength" | "maxLength" => bounded = true,
            _ => {}
        }
    }
    named || (string && bounded)
}

impl Shapes {
    /// Walks the component schema `name`.
    pub(super) fn component(&mut self, name: &str, schema: &Value) {
        let mut at = pointer::from_tokens(["components", "schemas", name]);
        let owner = self.root(name.to_owned());
        let class = self.visit(
            schema,
            &mut at,
            Position::Root,
            owner,
            &Hint::default(),
            &mut String::new(),
        );
        let used_as_is = schema
            .as_object()
            .is_some_and(|m| !USE_KEYWORDS.iter().any(|k| m.contains_key(*k)));
        if let Some(class) = class
            && used_as_is
        {
            self.classes[class]
                .component
                .get_or_insert_with(|| name.to_owned());
        }
    }

    /// Walks the schema of a slot at `at`, whose type would be named `owner`.
    pub(super) fn slot(&mut self, at: &str, owner: String, schema: &Value) {
        let mut at = at.to_owned();
        let owner = self.root(owner);
        let class = self.visit(
            schema,
            &mut at,
            Position::Root,
            owner,
            &Hint::default(),
            &mut String::new(),
        );
        if let Some(class) = class {
            self.slots.push(Slot { pointer: at, class });
        }
    }

    /// The owner of what stands directly in a new root named `name`.
    fn root(&mut self, name: String) -> Owner {
        self.roots.push(name);
        Owner {
            node: None,
            root: self.roots.len() - 1,
        }
    }

    /// The class of the schema an [`Owner::node`] stands for.
    pub(super) fn node_class(&self, node: usize) -> ClassId {
        self.nodes[node]
    }

    /// Visits `v` (at pointer `at`) and writes its canonical text into `out` (its parent's):
    /// a type's class number where `v` becomes a type, its text otherwise. Returns `v`'s class
    /// when typify would name it.
    fn visit(
        &mut self,
        v: &Value,
        at: &mut String,
        position: Position,
        owner: Owner,
        hint: &Hint,
        out: &mut String,
    ) -> Option<ClassId> {
        let Value::Object(m) = v else {
            let _ = write!(out, "{v}");
            return None;
        };
        if position == Position::Merged || !is_named_by_typify(m) {
            self.write_schema(m, at, owner, hint, out, true);
            return None;
        }
        let node = self.nodes.len();
        self.nodes.push(ClassId::MAX);
        let inner = match position {
            Position::Root => owner,
            _ => Owner {
                node: Some(node),
                ..owner
            },
        };
        let mut text = String::new();
        self.write_schema(m, at, inner, &Hint::default(), &mut text, false);
        let class = self.class_of(text, m);
        self.nodes[node] = class;
        if position == Position::Nested {
            self.classes[class].uses.push(Use {
                owner,
                hint: hint.clone(),
            });
            self.nested.push(Nested {
                pointer: at.clone(),
                class,
                is_property: hint.property.is_some() && hint.steps.is_empty(),
            });
            let _ = write!(out, "{{\"$ref\":\"#{class}\"");
            for key in USE_KEYWORDS {
                if let Some(value) = m.get(*key) {
                    let _ = write!(out, ",\"{key}\":{value}");
                }
            }
            out.push('}');
        }
        Some(class)
    }

    fn class_of(&mut self, text: String, m: &Map<String, Value>) -> ClassId {
        let next = self.classes.len();
        let class = *self.by_text.entry(text).or_insert(next);
        if class == next {
            self.classes.push(Class {
                is_object: m.contains_key("properties"),
                ..Class::default()
            });
        }
        class
    }

    /// Writes the schema `m`'s canonical text; `with_use` keeps [`USE_KEYWORDS`] (false at
    /// the top of a shape).
    fn write_schema(
        &mut self,
        m: &Map<String, Value>,
        at: &mut String,
        owner: Owner,
        hint: &Hint,
        out: &mut String,
        with_use: bool,
    ) {
        let len = at.len();
        out.push('{');
        let mut first = true;
        for (key, child) in m {
            if ANNOTATIONS.contains(&key.as_str())
                || key.starts_with("x-")
                || (!with_use && USE_KEYWORDS.contains(&key.as_str()))
            {
                continue;
            }
            if !first {
                out.push(',');
            }
            first = false;
            push_json_string(out, key);
            out.push(':');
            at.push('/');
            pointer::push_escaped(at, key);
            match (key.as_str(), child) {
                ("properties", Value::Object(properties)) => {
                    self.write_properties(properties, at, owner, out);
                }
                ("items", _) => {
                    let hint = hint.then(Step::Items);
                    self.visit(child, at, Position::Nested, owner, &hint, out);
                }
                ("additionalProperties", Value::Object(_)) => {
                    let hint = hint.then(Step::Value);
                    self.visit(child, at, Position::Nested, owner, &hint, out);
                }
                ("oneOf" | "anyOf", Value::Array(parts)) => {
                    let discriminator = m
                        .get("discriminator")
                        .and_then(|d| d.get("propertyName"))
                        .and_then(Value::as_str);
                    self.write_alternatives(parts, discriminator, at, owner, hint, out);
                }
                ("allOf", Value::Array(parts)) => {
                    self.write_parts(parts, at, owner, hint, out);
                }
                ("not", _) => {
                    self.visit(child, at, Position::Merged, owner, hint, out);
                }
                ("required", Value::Array(names)) => {
                    let mut names: Vec<String> = names.iter().map(Value::to_string).collect();
                    names.sort();
                    let _ = write!(out, "[{}]", names.join(","));
                }
                _ => {
                    let _ = write!(out, "{child}");
                }
            }
            at.truncate(len);
        }
        out.push('}');
    }

    fn write_properties(
        &mut self,
        properties: &Map<String, Value>,
        at: &mut String,
        owner: Owner,
        out: &mut String,
    ) {
        let len = at.len();
        out.push('{');
        for (i, (name, schema)) in properties.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_json_string(out, name);
            out.push(':');
            at.push('/');
            pointer::push_escaped(at, name);
            let hint = Hint::property(name);
            self.visit(schema, at, Position::Nested, owner, &hint, out);
            at.truncate(len);
        }
        out.push('}');
    }

    /// The parts of an `allOf`, merged into the schema around them.
    fn write_parts(
        &mut self,
        parts: &[Value],
        at: &mut String,
        owner: Owner,
        hint: &Hint,
        out: &mut String,
    ) {
        let len = at.len();
        out.push('[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(at, "/{i}");
            self.visit(part, at, Position::Merged, owner, hint, out);
            at.truncate(len);
        }
        out.push(']');
    }

    /// The alternatives of a `oneOf` or `anyOf` (discriminated by the property
    /// `discriminator`, when the union names one).
    fn write_alternatives(
        &mut self,
        parts: &[Value],
        discriminator: Option<&str>,
        at: &mut String,
        owner: Owner,
        hint: &Hint,
        out: &mut String,
    ) {
        let len = at.len();
        out.push('[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(at, "/{i}");
            let hint = hint.then(Step::Alternative(discriminator_value(part, discriminator)));
            self.visit(part, at, Position::Nested, owner, &hint, out);
            at.truncate(len);
        }
        out.push(']');
    }
}

/// The one value an alternative allows for its discriminating property (the union's
/// `discriminator.propertyName`, else `type` or `kind`): `score` of `{properties: {type:
/// {enum: [score]}}}`.
fn discriminator_value(part: &Value, discriminator: Option<&str>) -> Option<String> {
    let properties = part.get("properties")?;
    let candidates = match discriminator {
        Some(name) => vec![name],
        None => vec!["type", "kind"],
    };
    candidates
        .into_iter()
        .find_map(|name| match properties.get(name)?.get("enum")? {
            Value::Array(values) if values.len() == 1 => values[0].as_str().map(str::to_owned),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn what_typify_names() {
        let cases = [
            (json!({"type": "object", "properties": {"a": {}}}), true),
            (json!({"type": "object", "properties": {}}), false),
            (
                json!({"properties": {"a": {}}, "$ref": "#/components/schemas/A"}),
                false,
            ),
            (json!({"enum": ["a", null]}), true),
            (json!({"enum": [null]}), false),
            (json!({"oneOf": [{}, {}]}), true),
            (json!({"anyOf": [{}]}), false),
            (
                json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true}),
                false,
            ),
            (json!({"allOf": [{}, {}]}), true),
            (json!({"type": "string", "maxLength": 3}), true),
            (json!({"type": "string", "pattern": "^a$"}), true),
            (json!({"type": "string", "format": "uuid"}), false),
            (json!({"type": "integer", "maxLength": 3}), false),
        ];
        for (schema, named) in cases {
            let m = schema.as_object().expect("an object");
            assert_eq!(is_named_by_typify(m), named, "{schema}");
        }
    }

    fn walk(components: &[(&str, Value)]) -> Shapes {
        let mut shapes = Shapes::default();
        for (name, schema) in components {
            shapes.component(name, schema);
        }
        shapes
    }

    #[test]
    fn copies_that_differ_in_docs_and_use_are_one_class() {
        let shapes = walk(&[
            (
                "A",
                json!({"type": "object", "properties": {"owner": {
                    "type": "object", "description": "one", "nullable": true,
                    "properties": {"id": {"type": "string"}}, "required": ["id", "x"]}}}),
            ),
            (
                "B",
                json!({"type": "object", "properties": {"owner": {
                    "type": "object", "title": "two", "x-tag": 1,
                    "properties": {"id": {"type": "string", "example": "e"}},
                    "required": ["x", "id"]}}}),
            ),
        ]);
        assert_eq!(shapes.nested.len(), 2);
        assert_eq!(shapes.nested[0].class, shapes.nested[1].class);
        // A and B still differ: A's owner is nullable.
        assert_ne!(shapes.node_class(0), shapes.node_class(2));
    }

    #[test]
    fn a_property_named_like_an_annotation_counts() {
        let shapes = walk(&[
            (
                "A",
                json!({"properties": {"p": {"properties": {"description": {"type": "string"}}}}}),
            ),
            (
                "B",
                json!({"properties": {"p": {"properties": {"title": {"type": "string"}}}}}),
            ),
        ]);
        assert_ne!(shapes.nested[0].class, shapes.nested[1].class);
    }

    #[test]
    fn identical_subtrees_share_their_classes_and_children_come_first() {
        let inner = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let outer = json!({"type": "object", "properties": {"inner": inner}});
        let shapes = walk(&[
            ("A", json!({"properties": {"outer": outer}})),
            (
                "B",
                json!({"properties": {"list": {"type": "array", "items": outer}}}),
            ),
        ]);
        let pointers: Vec<&str> = shapes.nested.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "#/components/schemas/A/properties/outer/properties/inner",
                "#/components/schemas/A/properties/outer",
                "#/components/schemas/B/properties/list/items/properties/inner",
                "#/components/schemas/B/properties/list/items",
            ]
        );
        assert_eq!(shapes.nested[0].class, shapes.nested[2].class);
        assert_eq!(shapes.nested[1].class, shapes.nested[3].class);
        let uses = &shapes.classes[shapes.nested[3].class].uses;
        assert_eq!(shapes.roots[uses[1].owner.root], "B");
        assert_eq!(uses[1].owner.node, None);
        assert_eq!(
            uses[1].hint,
            Hint {
                property: Some("list".into()),
                steps: vec![Step::Items]
            }
        );
    }

    #[test]
    fn a_component_names_its_shape_unless_it_is_nullable() {
        let shape = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let mut nullable = shape.clone();
        nullable["nullable"] = json!(true);
        let shapes = walk(&[
            ("A", nullable),
            ("B", shape.clone()),
            ("C", shape.clone()),
            ("D", json!({"properties": {"b": shape}})),
        ]);
        let class = shapes.nested[0].class;
        assert_eq!(shapes.classes[class].component.as_deref(), Some("B"));
    }

    #[test]
    fn merged_parts_are_no_types_but_their_properties_are() {
        let shapes = walk(&[(
            "A",
            json!({"allOf": [{"$ref": "#/components/schemas/B"},
                             {"properties": {"e": {"enum": ["x"]}}}]}),
        )]);
        let pointers: Vec<&str> = shapes.nested.iter().map(|n| n.pointer.as_str()).collect();
        assert_eq!(pointers, ["#/components/schemas/A/allOf/1/properties/e"]);
    }
}
