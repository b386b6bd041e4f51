//! `oneOf`/`anyOf` alternatives of two schemas: paired by component name, else by shape;
//! those gone or new reported, those present on both sides under one component compared
//! inside it.
//!
//! An alternative is named as a reader recognises it: by its `title`, else by its
//! discriminator value (from the `discriminator` mapping, or the one-value `enum` of the
//! property every alternative tags itself with), else by the component it `$ref`s, else by the
//! variant name typify gives it in the generated enum (`String`, `User`, or `Variant1` when
//! typify cannot name the alternatives apart).

use std::collections::BTreeSet;

use heck::{ToKebabCase, ToUpperCamelCase};
use serde_json::Value;

use super::schema::{Dir, SchemaDiff, compare_schema};
use super::shape::{Flat, Side};
use super::{Level, RustVerdict};

/// One alternative of a `oneOf`/`anyOf`.
pub(super) struct Variant<'a> {
    /// The component it names, when it is a `$ref` to one.
    pub name: Option<String>,
    /// Its [`Side::canonical`] shape.
    pub shape: String,
    /// The alternative as written.
    pub schema: &'a Value,
    /// What the report calls it (without backticks: it goes into code spans).
    pub label: String,
}

impl Variant<'_> {
    /// Whether an alternative of `others` is this one: the same component, or the same shape.
    fn pairs_with_any(&self, others: &[Variant]) -> bool {
        others
            .iter()
            .any(|o| (self.name.is_some() && self.name == o.name) || self.shape == o.shape)
    }
}

/// The alternatives of `side`'s schema (`oneOf`, then `anyOf`), named.
pub(super) fn variants(side: Side<'_>) -> Vec<Variant<'_>> {
    let members: Vec<&Value> = ["oneOf", "anyOf"]
        .iter()
        .flat_map(|k| side.schema[*k].as_array().into_iter().flatten())
        .collect();
    let generated = generated_names(side, &members);
    let tag = tag_property(side, &members);
    members
        .iter()
        .zip(generated)
        .map(|(member, generated)| {
            let (resolved, name) = side.at(member).resolve();
            let label = title(member, resolved)
                .or_else(|| tag.and_then(|t| tag_value(side, t, member)))
                .or_else(|| name.clone())
                .unwrap_or(generated);
            Variant {
                name,
                shape: side.at(resolved).canonical(),
                schema: member,
                label: label.replace('`', "'"),
            }
        })
        .collect()
}

/// A schema without alternatives, as the one alternative of its side.
fn as_variant<'a>(flat: &Flat<'a>) -> Variant<'a> {
    let label = title(flat.written.schema, flat.schema)
        .or_else(|| flat.name.clone())
        .or_else(|| typify_name(flat.written))
        .unwrap_or_else(|| "Variant0".into());
    Variant {
        name: flat.name.clone(),
        shape: flat.resolved().canonical(),
        schema: flat.written.schema,
        label: label.replace('`', "'"),
    }
}

/// The `title` of an alternative as written, else of what it resolves to.
fn title(written: &Value, resolved: &Value) -> Option<String> {
    [written, resolved]
        .iter()
        .find_map(|s| s.get("title").and_then(Value::as_str))
        .map(str::to_owned)
}

/// The property that tells the alternatives apart: the `discriminator`'s, else one every
/// alternative has with a one-value `enum`.
fn tag_property<'a>(side: Side<'a>, members: &[&'a Value]) -> Option<&'a str> {
    if let Some(p) = side.schema.pointer("/discriminator/propertyName") {
        return p.as_str();
    }
    let first = side.at(members.first()?).flatten();
    first.properties.keys().copied().find(|p| {
        members
            .iter()
            .all(|m| single_value(side.at(m), p).is_some())
    })
}

/// `tag: value` of an alternative: from the `discriminator` mapping, else its one-value enum.
fn tag_value(side: Side, tag: &str, member: &Value) -> Option<String> {
    let mapped = side
        .schema
        .pointer("/discriminator/mapping")
        .and_then(Value::as_object)
        .and_then(|mapping| {
            let target = member.get("$ref")?;
            mapping
                .iter()
                .find(|(_, r)| *r == target)
                .map(|(k, _)| k.clone())
        });
    let value = mapped
        .map(Value::String)
        .or_else(|| single_value(side.at(member), tag).cloned())?;
    Some(format!("{tag}: {value}"))
}

/// The one value property `tag` of `side`'s schema may have (its one-value `enum`).
fn single_value<'a>(side: Side<'a>, tag: &str) -> Option<&'a Value> {
    let flat = side.flatten();
    let (property, _) = side.at(flat.properties.get(tag)?).resolve();
    match property.get("enum").and_then(Value::as_array)?.as_slice() {
        [only] => Some(only),
        _ => None,
    }
}

/// The variant names typify gives the alternatives of an untagged enum: each one's own name
/// (its `$ref`, `title` or type), less the words they all start with; `VariantN` when one
/// has none, two are the same, or one is only the common words.
fn generated_names(side: Side, members: &[&Value]) -> Vec<String> {
    let fallback = || (0..members.len()).map(|i| format!("Variant{i}")).collect();
    let Some(names) = members
        .iter()
        .map(|m| typify_name(side.at(m)))
        .collect::<Option<Vec<String>>>()
    else {
        return fallback();
    };
    if names.iter().collect::<BTreeSet<_>>().len() != names.len() {
        return fallback();
    }
    let prefix = names
        .iter()
        .cloned()
        .reduce(|a, b| common_prefix(&a, &b))
        .unwrap_or_default();
    let pruned: Vec<String> = names
        .iter()
        .map(|n| n.get(prefix.len()..).unwrap_or_default().to_owned())
        .collect();
    if pruned.iter().any(String::is_empty) {
        fallback()
    } else {
        pruned
    }
}

/// typify's name for one alternative: the last segment of its `$ref`, its `title`, the name
/// inside a one-member `allOf`/`oneOf`/`anyOf`, or its format or type.
fn typify_name(side: Side) -> Option<String> {
    let s = side.schema;
    let raw = if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        r.rsplit('/').next()?.to_owned()
    } else if let Some(t) = s.get("title").and_then(Value::as_str) {
        t.to_owned()
    } else if let Some(only) = ["allOf", "oneOf", "anyOf"]
        .iter()
        .find_map(|k| s.get(*k).and_then(Value::as_array).filter(|a| a.len() == 1))
    {
        return typify_name(side.at(&only[0]));
    } else if s.get("nullable") == Some(&Value::Bool(true)) {
        return None;
    } else if let Some(f) = s.get("format").and_then(Value::as_str) {
        f.to_owned()
    } else {
        match s.get("type").and_then(Value::as_str)? {
            "boolean" => "Boolean",
            "integer" => "Integer",
            "number" => "Number",
            "string" => "String",
            "array" => "Array",
            "object" => "Object",
            _ => return None,
        }
        .to_owned()
    };
    Some(raw.to_upper_camel_case())
}

/// The words two names start with, as typify finds them.
fn common_prefix(a: &str, b: &str) -> String {
    let (a, b) = (a.to_kebab_case(), b.to_kebab_case());
    let common: Vec<&str> = a
        .split('-')
        .zip(b.split('-'))
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect();
    common.join("-").to_upper_camel_case()
}

impl SchemaDiff<'_, '_, '_> {
    /// True when either side has alternatives (then its properties are those of the
    /// alternatives, compared there).
    pub(super) fn alternatives(&mut self) -> bool {
        let mut before = variants(self.base.resolved());
        let mut after = variants(self.head.resolved());
        // One side with alternatives, the other without: the other is one alternative (the
        // normalizer writes a one-member `oneOf` as `allOf`, which `resolve` looks through).
        if before.is_empty() && !after.is_empty() {
            before.push(as_variant(self.base));
        }
        if after.is_empty() && !before.is_empty() {
            after.push(as_variant(self.head));
        }
        if before.is_empty() && after.is_empty() {
            return false;
        }
        self.alternatives_removed(&before, &after);
        self.alternatives_added(&before, &after);
        for old in &before {
            let Some(name) = &old.name else { continue };
            if let Some(new) = after.iter().find(|v| v.name.as_ref() == Some(name)) {
                let (base, head) = (
                    self.base.written.at(old.schema),
                    self.head.written.at(new.schema),
                );
                compare_schema(self.ctx, base, head, self.site);
            }
        }
        true
    }

    fn alternatives_removed(&mut self, before: &[Variant], after: &[Variant]) {
        let request = self.site.dir == Dir::Request;
        let level = if request {
            Level::Breaking
        } else {
            Level::Info
        };
        for removed in before.iter().filter(|v| !v.pairs_with_any(after)) {
            let (name, owner) = (&removed.label, &self.site.owner);
            let rust = format!("{owner}: variant {name} removed");
            let text = format!("alternative `{name}` removed");
            self.push("one-of-removed", level, RustVerdict::Breaking, text, rust);
        }
    }

    fn alternatives_added(&mut self, before: &[Variant], after: &[Variant]) {
        let (level, verdict, note) = if self.site.dir == Dir::Request {
            (Level::Info, RustVerdict::Compatible, "")
        } else {
            let note = " (exhaustive matches break)";
            (Level::Breaking, RustVerdict::Breaking, note)
        };
        for added in after.iter().filter(|v| !v.pairs_with_any(before)) {
            let (name, owner) = (&added.label, &self.site.owner);
            let rust = format!("{owner}: new variant {name}{note}");
            let text = format!("alternative `{name}` added");
            self.push("one-of-added", level, verdict, text, rust);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(doc: &Value, schema: &Value) -> Vec<String> {
        variants(Side { doc, schema })
            .into_iter()
            .map(|v| v.label)
            .collect()
    }

    #[test]
    fn alternatives_pair_by_component_name_else_by_shape() {
        let doc = json!({"components": {"schemas": {
            "Text": {"type": "string"}, "Image": {"type": "object"}}}});
        let before = json!({"oneOf": [{"$ref": "#/components/schemas/Text"}, {"type": "integer"}]});
        let after =
            json!({"oneOf": [{"type": "string"}, {"type": "boolean"}, {"type": "integer"}]});
        let side = |schema| Side { doc: &doc, schema };
        let (before, after) = (variants(side(&before)), variants(side(&after)));
        // `Text` is the inline string by shape; the integer pairs by shape too.
        assert!(before.iter().all(|v| v.pairs_with_any(&after)));
        assert!(!after[1].pairs_with_any(&before));
    }

    #[test]
    fn a_title_names_an_alternative_first() {
        let doc = json!({});
        let schema =
            json!({"oneOf": [{"title": "Text part", "type": "string"}, {"type": "integer"}]});
        assert_eq!(labels(&doc, &schema), ["Text part", "Integer"]);
    }

    #[test]
    fn discriminator_values_name_alternatives() {
        let doc = json!({"components": {"schemas": {
            "Auto": {"properties": {"type": {"enum": ["automation"]}}},
            "Manual": {"properties": {"type": {"enum": ["manual"]}}}}}});
        let mapped = json!({"discriminator": {"propertyName": "type",
                "mapping": {"auto": "#/components/schemas/Auto"}},
            "oneOf": [{"$ref": "#/components/schemas/Auto"}, {"$ref": "#/components/schemas/Manual"}]});
        assert_eq!(
            labels(&doc, &mapped),
            ["type: \"auto\"", "type: \"manual\""]
        );
        let implicit = json!({"oneOf": [{"$ref": "#/components/schemas/Auto"},
            {"$ref": "#/components/schemas/Manual"}]});
        assert_eq!(
            labels(&doc, &implicit),
            ["type: \"automation\"", "type: \"manual\""]
        );
    }

    #[test]
    fn components_then_generated_variant_names() {
        let doc = json!({"components": {"schemas": {"User": {"type": "object"}}}});
        let schema = json!({"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/User"}]});
        assert_eq!(labels(&doc, &schema), ["String", "User"]);
        let same = json!({"oneOf": [{"type": "string"}, {"type": "string", "minLength": 2}]});
        assert_eq!(labels(&doc, &same), ["Variant0", "Variant1"]);
    }

    #[test]
    fn generated_names_drop_the_words_all_start_with() {
        let doc = json!({});
        let schema = json!({"oneOf": [{"title": "UserSummary"}, {"title": "UserDetail"}]});
        let members: Vec<&Value> = schema["oneOf"].as_array().unwrap().iter().collect();
        let side = Side {
            doc: &doc,
            schema: &schema,
        };
        assert_eq!(generated_names(side, &members), ["Summary", "Detail"]);
    }
}
