//! Whether a value fits a schema of the OpenAPI 3.0.3 dialect the normalizer writes: `type`
//! (an integer is a number without a fraction, as serde reads it), `nullable`, `enum`,
//! `required`, `properties`, `additionalProperties`, `items`, `minItems`/`maxItems`,
//! `minLength`/`maxLength` (in characters), `minProperties`/`maxProperties`, `minimum`/`maximum`
//! with their boolean `exclusiveMinimum`/`exclusiveMaximum` (or 3.1's numeric ones), the
//! formats `date-time`, `date`, `email`, `uuid`, `uri` and `int32` (loosely: the shape, not
//! every rule of their RFCs), `allOf` (every part), `oneOf` and `anyOf` (at least one
//! alternative, as an untagged decoder reads them), `not`, and `$ref`s.
//!
//! Not checked: `pattern` (no regular-expression engine here), `multipleOf`, `uniqueItems`
//! and discriminator mappings. A value passes a keyword this module does not know.
//!
//! A default is read as typify reads it ([`Checker::closed`]): an object may hold only the
//! properties its schema declares, unless `additionalProperties` allows others.
//!
//! Every check is bounded: [`MAX_CHECK_STEPS`] schema-value pairs and [`MAX_CHECK_DEPTH`]
//! nested steps at most, beyond which the value is reported as not fitting.

use std::cmp::Ordering;

use serde_json::{Number, Value};

use super::resolve;
use crate::report::short_json;

/// How many (schema, value) pairs one check visits at most.
pub const MAX_CHECK_STEPS: usize = 100_000;

/// How deep one check goes, counting every property, item, `allOf`/`oneOf`/`anyOf`/`not`
/// part on the way (a `$ref` is resolved within the step that reaches it).
pub const MAX_CHECK_DEPTH: usize = 64;

/// Why a value does not fit: where inside it (a JSON pointer into the value) and what is wrong.
struct Misfit {
    at: String,
    why: String,
}

/// The keywords of one schema object the checks read, found in one pass over its entries (a
/// check visits every (schema, value) pair: a map lookup per keyword cost more than the rest).
#[derive(Default)]
struct Keywords<'a> {
    nullable: Option<&'a Value>,
    enumeration: Option<&'a Value>,
    ty: Option<&'a Value>,
    properties: Option<&'a Value>,
    required: Option<&'a Value>,
    additional: Option<&'a Value>,
    items: Option<&'a Value>,
    min_items: Option<&'a Value>,
    max_items: Option<&'a Value>,
    min_properties: Option<&'a Value>,
    max_properties: Option<&'a Value>,
    min_length: Option<&'a Value>,
    max_length: Option<&'a Value>,
    format: Option<&'a Value>,
    minimum: Option<&'a Value>,
    maximum: Option<&'a Value>,
    exclusive_minimum: Option<&'a Value>,
    exclusive_maximum: Option<&'a Value>,
    all_of: Option<&'a Value>,
    one_of: Option<&'a Value>,
    any_of: Option<&'a Value>,
    not: Option<&'a Value>,
}

impl<'a> Keywords<'a> {
    fn of(schema: &'a serde_json::Map<String, Value>) -> Self {
        let mut k = Keywords::default();
        for (key, value) in schema {
            let slot = match key.as_str() {
                "nullable" => &mut k.nullable,
                "enum" => &mut k.enumeration,
                "type" => &mut k.ty,
                "properties" => &mut k.properties,
                "required" => &mut k.required,
                "additionalProperties" => &mut k.additional,
                "items" => &mut k.items,
                "minItems" => &mut k.min_items,
                "maxItems" => &mut k.max_items,
                "minProperties" => &mut k.min_properties,
                "maxProperties" => &mut k.max_properties,
                "minLength" => &mut k.min_length,
                "maxLength" => &mut k.max_length,
                "format" => &mut k.format,
                "minimum" => &mut k.minimum,
                "maximum" => &mut k.maximum,
                "exclusiveMinimum" => &mut k.exclusive_minimum,
                "exclusiveMaximum" => &mut k.exclusive_maximum,
                "allOf" => &mut k.all_of,
                "oneOf" => &mut k.one_of,
                "anyOf" => &mut k.any_of,
                "not" => &mut k.not,
                _ => continue,
            };
            *slot = Some(value);
        }
        k
    }

    /// [`super::implied_type`], from the keywords.
    fn implied_type(&self) -> Option<&'a str> {
        if let Some(ty) = self.ty.and_then(Value::as_str) {
            return Some(ty);
        }
        if self.properties.is_some() || self.required.is_some() || self.additional.is_some() {
            Some("object")
        } else if self.items.is_some() {
            Some("array")
        } else {
            None
        }
    }
}

/// Checks values against the schemas of `root`, within a step budget.
pub(super) struct Checker<'a> {
    pub root: &'a Value,
    pub steps_left: usize,
    /// Whether an object's undeclared property misfits when `additionalProperties` is absent
    /// (typify's check of a `default`: the struct it generates has no field to hold it), as
    /// it does when `additionalProperties` is `false`. The object an `allOf` describes is
    /// checked against the properties all its parts declare ([`Self::declared_by_parts`]).
    pub closed: bool,
    /// Whether the value now checked is checked against a part of an `allOf`, which declares
    /// only some of its properties (its own properties and items are not).
    pub in_part: bool,
}

impl<'a> Checker<'a> {
    /// `Ok`, or where inside `value` it does not fit `schema` and why
    /// (`at /questions/0: required property "id" is missing`).
    pub fn check(&mut self, schema: &'a Value, value: &Value) -> Result<(), String> {
        let mut at = String::new();
        self.value(schema, value, &mut at, 0).map_err(|m| {
            if m.at.is_empty() {
                m.why
            } else {
                format!("at {}: {}", m.at, m.why)
            }
        })
    }

    fn value(
        &mut self,
        schema: &'a Value,
        value: &Value,
        at: &mut String,
        depth: usize,
    ) -> Result<(), Misfit> {
        let fail = |at: &String, why: String| Misfit {
            at: at.clone(),
            why,
        };
        if self.steps_left == 0 {
            return Err(fail(
                at,
                format!("too costly to check (over {MAX_CHECK_STEPS} steps)"),
            ));
        }
        self.steps_left -= 1;
        if depth > MAX_CHECK_DEPTH {
            return Err(fail(
                at,
                format!("nested too deep to check (over {MAX_CHECK_DEPTH} levels)"),
            ));
        }
        let schema = resolve(self.root, schema).map_err(|why| fail(at, why))?;
        let Some(schema) = schema.as_object() else {
            return Ok(());
        };
        let schema = Keywords::of(schema);
        if value.is_null() && schema.nullable == Some(&Value::Bool(true)) {
            return Ok(());
        }
        if let Some(values) = schema.enumeration.and_then(Value::as_array)
            && !values.contains(value)
        {
            return Err(fail(
                at,
                format!("{} is not one of the enum values", short_json(value)),
            ));
        }
        if let Some(ty) = schema.implied_type()
            && !is_of_type(value, ty)
        {
            return Err(fail(
                at,
                format!("expected {ty}, found {}", short_json(value)),
            ));
        }
        match value {
            Value::String(s) => string(&schema, s).map_err(|why| fail(at, why))?,
            Value::Number(n) => number(&schema, n).map_err(|why| fail(at, why))?,
            Value::Array(items) => self.array(&schema, items, at, depth)?,
            Value::Object(map) => self.object(&schema, map, at, depth)?,
            _ => {}
        }
        self.composition(&schema, value, at, depth)
    }

    /// [`Self::value`] for a value inside the one checked (an item, a property's value).
    fn inner(
        &mut self,
        schema: &'a Value,
        value: &Value,
        at: &mut String,
        depth: usize,
    ) -> Result<(), Misfit> {
        let in_part = std::mem::replace(&mut self.in_part, false);
        let fit = self.value(schema, value, at, depth);
        self.in_part = in_part;
        fit
    }

    fn array(
        &mut self,
        schema: &Keywords<'a>,
        items: &[Value],
        at: &mut String,
        depth: usize,
    ) -> Result<(), Misfit> {
        let count = items.len() as u64;
        if let Some(min) = schema.min_items.and_then(Value::as_u64)
            && count < min
        {
            return Err(Misfit {
                at: at.clone(),
                why: format!("{count} items, fewer than minItems {min}"),
            });
        }
        if let Some(max) = schema.max_items.and_then(Value::as_u64)
            && count > max
        {
            return Err(Misfit {
                at: at.clone(),
                why: format!("{count} items, more than maxItems {max}"),
            });
        }
        if let Some(item_schema) = schema.items {
            let len = at.len();
            for (i, item) in items.iter().enumerate() {
                at.push_str(&format!("/{i}"));
                self.inner(item_schema, item, at, depth + 1)?;
                at.truncate(len);
            }
        }
        Ok(())
    }

    fn object(
        &mut self,
        schema: &Keywords<'a>,
        map: &serde_json::Map<String, Value>,
        at: &mut String,
        depth: usize,
    ) -> Result<(), Misfit> {
        for name in schema
            .required
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !map.contains_key(name) {
                return Err(Misfit {
                    at: at.clone(),
                    why: format!("required property {name:?} is missing"),
                });
            }
        }
        let count = map.len() as u64;
        let bounds = [
            ("minProperties", schema.min_properties, Ordering::Less),
            ("maxProperties", schema.max_properties, Ordering::Greater),
        ];
        for (key, bound, wrong) in bounds {
            if let Some(bound) = bound.and_then(Value::as_u64)
                && count.cmp(&bound) == wrong
            {
                return Err(Misfit {
                    at: at.clone(),
                    why: format!("{count} properties, against {key} {bound}"),
                });
            }
        }
        let properties = schema.properties.and_then(Value::as_object);
        let additional = schema.additional;
        let len = at.len();
        for (name, v) in map {
            at.push('/');
            crate::pointer::push_escaped(at, name);
            match (properties.and_then(|p| p.get(name)), additional) {
                (Some(property), _) => self.inner(property, v, at, depth + 1)?,
                (None, Some(Value::Bool(false))) => {
                    return Err(Misfit {
                        at: at.clone(),
                        why: "no such property, and additionalProperties is false".into(),
                    });
                }
                (None, Some(extra @ Value::Object(_))) => self.inner(extra, v, at, depth + 1)?,
                (None, None)
                    if self.closed && !self.in_part && !self.declared_by_parts(schema, name, 0) =>
                {
                    return Err(Misfit {
                        at: at.clone(),
                        why: "no such property (the generated type has no field for it)".into(),
                    });
                }
                (None, _) => {}
            }
            at.truncate(len);
        }
        Ok(())
    }

    /// Whether a part of `schema` lets an object hold the property `name` its own
    /// `properties` lack: an `allOf` part (nested ones too) that declares it or allows
    /// additional properties; any `oneOf` or `anyOf` is given the benefit of the doubt, and so
    /// is a search beyond the check's budget.
    fn declared_by_parts(&mut self, schema: &Keywords<'a>, name: &str, depth: usize) -> bool {
        if schema.one_of.is_some() || schema.any_of.is_some() || depth > MAX_CHECK_DEPTH {
            return true;
        }
        let parts = schema
            .all_of
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for part in parts {
            if self.steps_left == 0 {
                return true;
            }
            self.steps_left -= 1;
            let Some(part) = resolve(self.root, part).ok().and_then(Value::as_object) else {
                continue;
            };
            let part = Keywords::of(part);
            let declares = part
                .properties
                .and_then(Value::as_object)
                .is_some_and(|p| p.contains_key(name));
            if declares
                || part.additional.is_some_and(|a| a != &Value::Bool(false))
                || self.declared_by_parts(&part, name, depth + 1)
            {
                return true;
            }
        }
        false
    }

    /// Whether `alternatives` surely exclude one another: each (its `$ref` resolved) declares
    /// a `type` none of the others has. typify generates such an `anyOf` as an enum, and one
    /// whose alternatives may overlap (as far as it can tell) as a struct of optional
    /// flattened parts.
    fn exclusive(&self, alternatives: &'a [Value]) -> bool {
        let mut types = Vec::with_capacity(alternatives.len());
        for alternative in alternatives {
            let ty = resolve(self.root, alternative)
                .ok()
                .and_then(|schema| schema.get("type")?.as_str());
            match ty {
                Some(ty) if !types.contains(&ty) => types.push(ty),
                _ => return false,
            }
        }
        true
    }

    /// `allOf` (every part), `oneOf` and `anyOf` (at least one alternative) and `not`.
    fn composition(
        &mut self,
        schema: &Keywords<'a>,
        value: &Value,
        at: &mut String,
        depth: usize,
    ) -> Result<(), Misfit> {
        let len = at.len();
        let in_part = std::mem::replace(&mut self.in_part, true);
        let mut parts = schema
            .all_of
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        let all_of = parts.try_for_each(|part| self.value(part, value, at, depth + 1));
        self.in_part = in_part;
        all_of?;
        for (key, alternatives) in [("oneOf", schema.one_of), ("anyOf", schema.any_of)] {
            let Some(alternatives) = alternatives.and_then(Value::as_array) else {
                continue;
            };
            if self.closed && key == "anyOf" && !value.is_object() && !self.exclusive(alternatives)
            {
                return Err(Misfit {
                    at: at.clone(),
                    why: "an `anyOf` whose alternatives may overlap is generated as a struct \
                          of optional parts, which only an object fits"
                        .into(),
                });
            }
            let mut first_misfit = None;
            for alternative in alternatives {
                let fit = self.value(alternative, value, at, depth + 1);
                at.truncate(len);
                match fit {
                    Ok(()) => {
                        first_misfit = None;
                        break;
                    }
                    Err(m) => {
                        first_misfit.get_or_insert(m);
                    }
                }
            }
            if let Some(m) = first_misfit {
                return Err(Misfit {
                    at: at.clone(),
                    why: format!(
                        "fits none of the {} {key} alternatives (the first: {}{})",
                        alternatives.len(),
                        if m.at == *at {
                            String::new()
                        } else {
                            format!("at {}: ", m.at)
                        },
                        m.why
                    ),
                });
            }
        }
        if let Some(not) = schema.not
            && self.value(not, value, &mut at.clone(), depth + 1).is_ok()
        {
            return Err(Misfit {
                at: at.clone(),
                why: "fits the schema under `not`".into(),
            });
        }
        Ok(())
    }
}

/// Whether `value` is a JSON value of OpenAPI type `ty` (an unknown type name admits anything).
fn is_of_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

fn string(schema: &Keywords<'_>, s: &str) -> Result<(), String> {
    let min = schema.min_length.and_then(Value::as_u64);
    let max = schema.max_length.and_then(Value::as_u64);
    if min.is_some() || max.is_some() {
        let length = s.chars().count() as u64;
        if min.is_some_and(|min| length < min) || max.is_some_and(|max| length > max) {
            return Err(format!(
                "{length} characters, outside minLength {} and maxLength {}",
                min.map_or("-".to_owned(), |m| m.to_string()),
                max.map_or("-".to_owned(), |m| m.to_string())
            ));
        }
    }
    let format = schema.format.and_then(Value::as_str).unwrap_or_default();
    let ok = match format {
        "date-time" => is_date_time(s),
        "date" => is_date(s),
        "email" => is_email(s),
        "uuid" => is_uuid(s),
        "uri" | "url" => is_uri(s),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{:?} is not a {format}", short_str(s)))
    }
}

fn short_str(s: &str) -> &str {
    s.char_indices().nth(60).map_or(s, |(cut, _)| &s[..cut])
}

fn number(schema: &Keywords<'_>, n: &Number) -> Result<(), String> {
    if schema.format.and_then(Value::as_str) == Some("int32")
        && n.as_i64().is_none_or(|i| i32::try_from(i).is_err())
    {
        return Err(format!("{n} is not an int32"));
    }
    let bounds = [
        (
            "minimum",
            schema.minimum,
            schema.exclusive_minimum,
            Ordering::Less,
        ),
        (
            "maximum",
            schema.maximum,
            schema.exclusive_maximum,
            Ordering::Greater,
        ),
    ];
    for (key, inclusive, exclusive, wrong) in bounds {
        // 3.0's boolean flag beside the bound, or 3.1's numeric exclusive bound.
        let (bound, exclusive) = match (inclusive, exclusive) {
            (_, Some(Value::Number(b))) => (b, true),
            (Some(Value::Number(b)), flag) => (b, flag == Some(&Value::Bool(true))),
            _ => continue,
        };
        let order = compare(n, bound);
        if order == Some(wrong) || (exclusive && order == Some(Ordering::Equal)) {
            let kind = if exclusive { "exclusive " } else { "" };
            return Err(format!("{n} is beyond the {kind}{key} {bound}"));
        }
    }
    Ok(())
}

/// Orders two JSON numbers exactly when both are integers, else as floats.
fn compare(a: &Number, b: &Number) -> Option<Ordering> {
    let integer = |n: &Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    match (integer(a), integer(b)) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// `s[range]` is all ASCII digits, read as a number.
fn digits(s: &[u8], range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    part.iter()
        .all(u8::is_ascii_digit)
        .then(|| part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// `YYYY-MM-DD` with a month and day in range.
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10 && date_prefix(b)
}

fn date_prefix(b: &[u8]) -> bool {
    digits(b, 0..4).is_some()
        && b.get(4) == Some(&b'-')
        && digits(b, 5..7).is_some_and(|m| (1..=12).contains(&m))
        && b.get(7) == Some(&b'-')
        && digits(b, 8..10).is_some_and(|d| (1..=31).contains(&d))
}

/// RFC 3339: `YYYY-MM-DDTHH:MM:SS`, an optional fraction, then `Z` or `±HH:MM`.
fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let time = date_prefix(b)
        && matches!(b.get(10), Some(b'T' | b't'))
        && digits(b, 11..13).is_some_and(|h| h <= 23)
        && b.get(13) == Some(&b':')
        && digits(b, 14..16).is_some_and(|m| m <= 59)
        && b.get(16) == Some(&b':')
        && digits(b, 17..19).is_some_and(|s| s <= 60);
    if !time {
        return false;
    }
    let mut rest = &b[19..];
    if let Some(fraction) = rest.strip_prefix(b".") {
        let n = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', ..] => {
            rest.len() == 6
                && digits(rest, 1..3).is_some_and(|h| h <= 23)
                && rest[3] == b':'
                && digits(rest, 4..6).is_some_and(|m| m <= 59)
        }
        _ => false,
    }
}

/// One `@` between a non-empty local part and a domain with a dot, no spaces.
fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// The hyphenated form `8-4-4-4-12` of hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A scheme (a letter, then letters, digits, `+`, `-` or `.`), a colon, and no spaces.
fn is_uri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}
