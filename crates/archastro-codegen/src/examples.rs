//! Example values for the schemas of a normalized (OpenAPI 3.0.3) document, and the check that
//! a value fits its schema ([`fits`]): the contract crate's arguments, the server's probe
//! bodies, and the normalizer's repair of spec examples that do not fit.
//!
//! [`example`] uses a schema's own `example`, else its `default`, else its first enum value,
//! each only when it fits; else it builds a value from the type, format, bounds and required
//! properties: through `allOf` (the parts merged), `oneOf`/`anyOf` (the first alternative
//! whose example fits), `$ref` and `nullable` (`null` when nothing else fits).
//!
//! Both are bounded, whatever the schema: an example holds at most [`MAX_NODES`] values, nests
//! at most [`MAX_DEPTH`] levels and has strings of at most [`MAX_STRING_LENGTH`] characters;
//! what a schema asks beyond that (a huge `minItems` or `minLength`, required properties that
//! refer to their own schema) is cut short, and the example then does not fit, which [`fits`]
//! tells, instead of being allocated. Bound arithmetic saturates.
//!
//! This module reads only JSON: it sits below the normalizer and the model, which both use it.

mod fits;

use serde_json::{Map, Value, json};

use crate::pointer;

pub use fits::{MAX_CHECK_DEPTH, MAX_CHECK_STEPS};

/// How many levels a generated example nests (properties, items, `allOf`/`oneOf`/`anyOf`
/// parts): below that, a schema without a fitting example of its own gives `null`.
pub const MAX_DEPTH: usize = 12;

/// How many values (objects, arrays, strings, numbers, ...) one generated example holds at
/// most, give or take the `null` that marks where the budget ran out.
pub const MAX_NODES: usize = 4_096;

/// The longest generated string, in characters (a longer `minLength` is not met).
pub const MAX_STRING_LENGTH: usize = 1_024;

/// How many `$ref`s in a row are followed before a reference counts as broken.
pub const MAX_REFS: usize = 32;

/// How many `allOf` parts (nested ones included) are searched for a property's schema.
pub const MAX_PARTS: usize = 64;

/// How many of a schema's enum values are tried as its example.
const ENUM_CANDIDATES: usize = 16;

/// How many check steps one generation spends on the spec's own examples and on choosing
/// alternatives; once spent, it builds values without checking them.
const GENERATION_CHECK_STEPS: usize = 4 * MAX_CHECK_STEPS;

/// `Ok` when `value` fits `schema` (its `$ref`s resolved against `root`), else where inside
/// the value it does not and why, as `at /questions/0: required property "id" is missing`.
/// See the `fits` module for what is checked (`pattern` is not).
pub fn fits(root: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    fits::Checker {
        root,
        steps_left: MAX_CHECK_STEPS,
        closed: false,
        in_part: false,
    }
    .check(schema, value)
}

/// Like [`fits`], for a schema's `default` as typify reads it: an object may hold only the
/// properties its schema declares, unless `additionalProperties` allows others (typify
/// refuses the whole schema otherwise).
pub fn fits_as_default(root: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    fits::Checker {
        root,
        steps_left: MAX_CHECK_STEPS,
        closed: true,
        in_part: false,
    }
    .check(schema, value)
}

/// A value for `schema`: its own example where it has one that fits, else built from its
/// type, format, enum, bounds and required properties. `depth` is how deep `schema` already
/// is inside an example being built (0 for a whole one).
pub fn example(doc: &Value, schema: &Value, depth: usize) -> Value {
    Generator::new(doc).generate(schema, depth)
}

/// `value` made to fit `schema`: as it is when it fits; else, for an object, its properties
/// that fit (each repaired in turn), without those the schema forbids, with the missing
/// required ones generated; for an array, its items repaired; else a generated example. The
/// result may still not fit (an unsatisfiable schema); check it with [`fits`].
pub fn repaired(root: &Value, schema: &Value, value: &Value) -> Value {
    Generator::new(root).repair(schema, value, 0)
}

/// The schema `schema`'s `$ref`s lead to, or why there is none.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> Result<&'a Value, String> {
    for _ in 0..=MAX_REFS {
        let Some(reference) = schema.get("$ref") else {
            return Ok(schema);
        };
        let reference = reference
            .as_str()
            .ok_or_else(|| "`$ref` is not a string".to_owned())?;
        schema = pointer::resolve(root, reference)
            .ok_or_else(|| format!("`$ref` {reference:?} does not resolve"))?;
    }
    Err(format!("more than {MAX_REFS} `$ref`s in a row"))
}

/// The type a schema gives its values: its `type`, else `object` when it describes
/// properties, `array` when it describes items; `None` for any value.
fn implied_type(schema: &Value) -> Option<&str> {
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        return Some(ty);
    }
    let has = |key| schema.get(key).is_some();
    if has("properties") || has("required") || has("additionalProperties") {
        Some("object")
    } else if has("items") {
        Some("array")
    } else {
        None
    }
}

/// Values in `value` (1 for a scalar), counting no further than `limit`.
fn node_count(value: &Value, limit: usize) -> usize {
    let mut count = 1;
    let mut stack: Vec<&Value> = vec![value];
    while let Some(v) = stack.pop() {
        if count > limit {
            break;
        }
        match v {
            Value::Array(items) => {
                count += items.len();
                stack.extend(items);
            }
            Value::Object(map) => {
                count += map.len();
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    count
}

/// A `u64` keyword of `schema` as a length or count (saturating).
fn count_keyword(schema: &Value, key: &str) -> Option<usize> {
    schema
        .get(key)
        .and_then(Value::as_u64)
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
}

/// Builds examples within [`MAX_NODES`] and [`MAX_DEPTH`].
struct Generator<'a> {
    checker: fits::Checker<'a>,
    nodes_left: usize,
}

impl<'a> Generator<'a> {
    fn new(root: &'a Value) -> Self {
        Generator {
            checker: fits::Checker {
                root,
                steps_left: GENERATION_CHECK_STEPS,
                closed: false,
                in_part: false,
            },
            nodes_left: MAX_NODES,
        }
    }

    /// Whether `value` fits `schema`; `false` too once the check budget is spent.
    fn fits(&mut self, schema: &'a Value, value: &Value) -> bool {
        self.checker.check(schema, value).is_ok()
    }

    /// Whether `value` is known not to fit `schema` (`false` once the check budget is spent).
    fn misfits(&mut self, schema: &'a Value, value: &Value) -> bool {
        self.checker.check(schema, value).is_err() && self.checker.steps_left > 0
    }

    fn resolve(&self, schema: &'a Value) -> Option<&'a Value> {
        resolve(self.checker.root, schema).ok()
    }

    fn generate(&mut self, schema: &'a Value, depth: usize) -> Value {
        if self.nodes_left == 0 {
            return Value::Null;
        }
        let Some(schema) = self.resolve(schema) else {
            self.nodes_left -= 1;
            return Value::Null;
        };
        if let Some(own) = self.own_example(schema) {
            let nodes = node_count(own, self.nodes_left);
            if nodes <= self.nodes_left {
                self.nodes_left -= nodes;
                return own.clone();
            }
        }
        self.nodes_left -= 1;
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let mut value = self.of_own_type(schema, depth);
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let part = self.generate(part, depth + 1);
            value = merged(value, part);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
                let chosen = self.alternative(schema, alternatives, value.as_ref(), depth);
                value = merged(value, chosen);
            }
        }
        let value = value.unwrap_or_else(|| json!({}));
        if schema.get("nullable") == Some(&Value::Bool(true)) && self.misfits(schema, &value) {
            return Value::Null;
        }
        value
    }

    /// The schema's `example`, `default` or one of its first [`ENUM_CANDIDATES`] non-null enum
    /// values, the first that fits (each check looks the value up in the enum again).
    fn own_example(&mut self, schema: &'a Value) -> Option<&'a Value> {
        let values = schema.get("enum").and_then(Value::as_array);
        ["example", "default"]
            .into_iter()
            .filter_map(|key| schema.get(key))
            .chain(
                values
                    .into_iter()
                    .flatten()
                    .filter(|v| !v.is_null())
                    .take(ENUM_CANDIDATES),
            )
            .find(|candidate| self.fits(schema, candidate))
    }

    /// The example of the first alternative that makes `base` (what the schema's other
    /// keywords gave) fit `schema`, else of the first alternative.
    fn alternative(
        &mut self,
        schema: &'a Value,
        alternatives: &'a [Value],
        base: Option<&Value>,
        depth: usize,
    ) -> Value {
        let mut first = None;
        for alternative in alternatives {
            let value = self.generate(alternative, depth + 1);
            if self.fits(
                schema,
                &merged(base.cloned(), value.clone()).unwrap_or_default(),
            ) {
                return value;
            }
            first.get_or_insert(value);
            if self.nodes_left == 0 {
                break;
            }
        }
        first.unwrap_or(Value::Null)
    }

    /// A value of the schema's own type, or `None` when it gives none.
    fn of_own_type(&mut self, schema: &'a Value, depth: usize) -> Option<Value> {
        Some(match implied_type(schema)? {
            "object" => Value::Object(self.object(schema, depth)),
            "array" => self.array(schema, depth),
            "integer" => json!(integer(schema)),
            "number" => json!(number(schema)),
            "boolean" => json!(true),
            "string" => json!(string(schema)),
            _ => return None,
        })
    }

    /// The required properties, then optional ones in order up to `minProperties`, then
    /// additional ones (`property1`, ...) when that is still short.
    fn object(&mut self, schema: &'a Value, depth: usize) -> Map<String, Value> {
        let mut out = Map::new();
        let parts = self.with_parts(schema);
        for name in required_names(&parts[..1]) {
            if self.nodes_left == 0 {
                break;
            }
            if !out.contains_key(name) {
                let property = property_schema(&parts, name).unwrap_or(&Value::Null);
                let value = self.generate(property, depth + 1);
                out.insert(name.to_owned(), value);
            }
        }
        let min = count_keyword(schema, "minProperties").unwrap_or(0);
        let properties = schema.get("properties").and_then(Value::as_object);
        for (name, property) in properties.into_iter().flatten() {
            if out.len() >= min || self.nodes_left == 0 {
                break;
            }
            if !out.contains_key(name) {
                let value = self.generate(property, depth + 1);
                out.insert(name.clone(), value);
            }
        }
        let additional = schema.get("additionalProperties").unwrap_or(&Value::Null);
        let mut n = 1;
        while out.len() < min && self.nodes_left > 0 && *additional != Value::Bool(false) {
            let name = format!("property{n}");
            n += 1;
            if !out.contains_key(&name) {
                let value = self.generate(additional, depth + 1);
                out.insert(name, value);
            }
        }
        out
    }

    /// `schema` and its `allOf` parts, theirs in turn, each once (`$ref`s resolved), at most
    /// [`MAX_PARTS`] in all: where its properties and required names are.
    fn with_parts(&self, schema: &'a Value) -> Vec<&'a Value> {
        let mut all = vec![schema];
        let mut next = 0;
        while let Some(&current) = all.get(next) {
            next += 1;
            let parts = current.get("allOf").and_then(Value::as_array);
            for part in parts.into_iter().flatten().filter_map(|p| self.resolve(p)) {
                if all.len() < MAX_PARTS && !all.iter().any(|seen| std::ptr::eq(*seen, part)) {
                    all.push(part);
                }
            }
        }
        all
    }

    /// `minItems` copies of the item's example (at least one, at most `maxItems`), as many
    /// as the budget holds.
    fn array(&mut self, schema: &'a Value, depth: usize) -> Value {
        let mut count = count_keyword(schema, "minItems").unwrap_or(0).max(1);
        if let Some(max) = count_keyword(schema, "maxItems") {
            count = count.min(max);
        }
        if count == 0 {
            return json!([]);
        }
        let item = self.generate(schema.get("items").unwrap_or(&Value::Null), depth + 1);
        let size = node_count(&item, MAX_NODES).max(1);
        count = count.min(1 + self.nodes_left / size);
        self.nodes_left = self.nodes_left.saturating_sub((count - 1) * size);
        Value::Array(vec![item; count])
    }

    fn repair(&mut self, schema: &'a Value, value: &Value, depth: usize) -> Value {
        let Some(resolved) = self.resolve(schema) else {
            return value.clone();
        };
        if self.fits(resolved, value) {
            return value.clone();
        }
        if depth <= MAX_DEPTH {
            let candidate = match value {
                Value::Object(map) if matches!(implied_type(resolved), Some("object") | None) => {
                    Some(Value::Object(self.repair_object(resolved, map, depth)))
                }
                Value::Array(items) if implied_type(resolved) == Some("array") => {
                    let item_schema = resolved.get("items").unwrap_or(&Value::Null);
                    let limit = count_keyword(resolved, "maxItems").unwrap_or(usize::MAX);
                    let items = items.iter().take(limit);
                    Some(Value::Array(
                        items
                            .map(|item| self.repair(item_schema, item, depth + 1))
                            .collect(),
                    ))
                }
                _ => None,
            };
            if let Some(candidate) = candidate
                && self.fits(resolved, &candidate)
            {
                return candidate;
            }
        }
        self.generate(resolved, depth)
    }

    fn repair_object(
        &mut self,
        schema: &'a Value,
        map: &Map<String, Value>,
        depth: usize,
    ) -> Map<String, Value> {
        let additional = schema.get("additionalProperties");
        let parts = self.with_parts(schema);
        let mut out = Map::new();
        for (name, v) in map {
            let property = match property_schema(&parts, name) {
                Some(property) => property,
                None if additional == Some(&Value::Bool(false)) => continue,
                None => additional.unwrap_or(&Value::Null),
            };
            out.insert(name.clone(), self.repair(property, v, depth + 1));
        }
        for name in required_names(&parts) {
            if !out.contains_key(name) {
                let property = property_schema(&parts, name).unwrap_or(&Value::Null);
                let value = self.generate(property, depth + 1);
                out.insert(name.to_owned(), value);
            }
        }
        out
    }
}

/// The schema of property `name` in the first of `parts` that has one.
fn property_schema<'a>(parts: &[&'a Value], name: &str) -> Option<&'a Value> {
    parts
        .iter()
        .find_map(|part| part.get("properties").and_then(|p| p.get(name)))
}

/// The names in `required` of every one of `parts`.
fn required_names<'a>(parts: &[&'a Value]) -> impl Iterator<Item = &'a str> {
    parts
        .iter()
        .filter_map(|part| part.get("required").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
}

/// `value` combined with `part`: objects merged (the properties already there stay), else
/// the first of the two that is there.
fn merged(value: Option<Value>, part: Value) -> Option<Value> {
    match (value, part) {
        (None, part) => Some(part),
        (Some(Value::Object(mut map)), Value::Object(more)) => {
            for (k, v) in more {
                map.entry(k).or_insert(v);
            }
            Some(Value::Object(map))
        }
        (Some(value), _) => Some(value),
    }
}

/// 1, moved into `[minimum, maximum]` (exclusive bounds one step in), saturating.
fn integer(schema: &Value) -> i64 {
    let mut v: i64 = 1;
    if let Some(low) = integer_bound(schema, "minimum", "exclusiveMinimum", true) {
        v = v.max(low);
    }
    if let Some(high) = integer_bound(schema, "maximum", "exclusiveMaximum", false) {
        v = v.min(high);
    }
    v
}

/// The smallest (`lower`) or largest integer a bound admits, saturated to `i64`.
fn integer_bound(schema: &Value, key: &str, exclusive_key: &str, lower: bool) -> Option<i64> {
    let (bound, exclusive) = match (schema.get(key), schema.get(exclusive_key)) {
        (_, Some(Value::Number(b))) => (b, true),
        (Some(Value::Number(b)), flag) => (b, flag == Some(&Value::Bool(true))),
        _ => return None,
    };
    let step = |b: i64| match (exclusive, lower) {
        (false, _) => b,
        (true, true) => b.saturating_add(1),
        (true, false) => b.saturating_sub(1),
    };
    if let Some(b) = bound.as_i64() {
        return Some(step(b));
    }
    if bound.is_u64() {
        return Some(i64::MAX);
    }
    let b = bound.as_f64()?;
    let whole = if lower { b.ceil() } else { b.floor() };
    // `as` saturates; an exclusive bound only moves when it is a whole number.
    Some(if whole == b {
        step(whole as i64)
    } else {
        whole as i64
    })
}

/// 1.0, moved into `[minimum, maximum]` (exclusive bounds: one past the minimum, or between
/// the two bounds).
fn number(schema: &Value) -> f64 {
    let bound = |key: &str, exclusive_key: &str| match (schema.get(key), schema.get(exclusive_key))
    {
        (_, Some(Value::Number(b))) => b.as_f64().map(|b| (b, true)),
        (Some(Value::Number(b)), flag) => b.as_f64().map(|b| (b, flag == Some(&Value::Bool(true)))),
        _ => None,
    };
    let low = bound("minimum", "exclusiveMinimum");
    let high = bound("maximum", "exclusiveMaximum");
    let mut v = 1.0;
    if let Some((min, exclusive)) = low
        && (v < min || (exclusive && v <= min))
    {
        v = if exclusive { min + 1.0 } else { min };
    }
    if let Some((max, exclusive)) = high
        && (v > max || (exclusive && v >= max))
    {
        v = match low {
            Some((min, _)) => min / 2.0 + max / 2.0,
            None if exclusive => max - 1.0,
            None => max,
        };
    }
    v
}

/// A string in the schema's format, padded with `x` to `minLength` (at most
/// [`MAX_STRING_LENGTH`]) and cut to `maxLength`.
fn string(schema: &Value) -> String {
    let mut s = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => "2026-01-01T00:00:00Z",
        Some("date") => "2026-01-01",
        Some("email") => "ada@example.com",
        Some("uri" | "url") => "https://example.com/",
        Some("uuid") => "00000000-0000-4000-8000-000000000000",
        Some("byte") => "ZXhhbXBsZQ==",
        _ => "example",
    }
    .to_owned();
    let min = count_keyword(schema, "minLength")
        .unwrap_or(0)
        .min(MAX_STRING_LENGTH);
    let length = s.chars().count();
    if length < min {
        s.extend(std::iter::repeat_n('x', min - length));
    }
    if let Some(max) = count_keyword(schema, "maxLength")
        && let Some((cut, _)) = s.char_indices().nth(max)
    {
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests;
