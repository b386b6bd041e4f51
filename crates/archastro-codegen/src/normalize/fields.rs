//! Object properties that typify would turn into the same struct field (`a-b`, `aB` and
//! `a_b` are all `a_b`; `@id` and `id` are both `id`): the client names them apart
//! ([`distinct_field_names`]: `@id`'s field is `at_id`, serde keeps the wire name), after
//! typify wrote them (typify 0.8 names a field only after its property, and no extension
//! renames it; the spec keeps its wire names). Each renamed property is a warning here,
//! where the spec wrote it.

use serde_json::Value;

use super::{Ctx, refs};
use crate::names::{distinct_field_names, is_snake_identifier, struct_field_name};
use crate::pointer;
use crate::report::Report;

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &["items", "additionalProperties", "not"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf"];

/// Reports every property of every component schema and every schema under a `schema` key
/// (parameters, bodies, responses, headers) whose struct field the client renames. Run before
/// the hoist, it names the property where the spec wrote it.
pub fn report_renamed(ctx: &mut Ctx, root: &Value) {
    let mut walk = Walk {
        report: &mut ctx.report,
        at: Vec::new(),
    };
    if let Some(schemas) = root
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            walk.at = vec![
                Token::Key("components"),
                Token::Key("schemas"),
                Token::Key(name),
            ];
            walk.schema(schema);
        }
    }
    walk.at.clear();
    walk.schemas_under(root, None);
}

/// A step of a JSON pointer, kept unescaped until a pointer is needed (only for an error).
#[derive(Clone, Copy)]
enum Token<'v> {
    Key(&'v str),
    Index(usize),
}

/// One walk of a document: the path of the node being looked at, and where its warnings go.
struct Walk<'r, 'v> {
    report: &'r mut Report,
    at: Vec<Token<'v>>,
}

impl<'v> Walk<'_, 'v> {
    /// Runs `f` with `token` pushed onto the path.
    fn within(&mut self, token: Token<'v>, f: impl FnOnce(&mut Self)) {
        self.at.push(token);
        f(self);
        self.at.pop();
    }

    /// The JSON pointer of the path, then `more`.
    fn pointer(&self, more: &[&str]) -> String {
        let mut out = String::from("#");
        for token in &self.at {
            out.push('/');
            match token {
                Token::Key(key) => pointer::push_escaped(&mut out, key),
                Token::Index(i) => out.push_str(&i.to_string()),
            }
        }
        for token in more {
            out.push('/');
            pointer::push_escaped(&mut out, token);
        }
        out
    }

    /// Looks at the value of every `schema` key in `v` (found under the key `parent`), but
    /// for those in examples and data.
    fn schemas_under(&mut self, v: &'v Value, parent: Option<&str>) {
        match v {
            Value::Object(map) => {
                for (key, inner) in map {
                    if refs::is_example_or_data_key(parent, key)
                        || !matches!(inner, Value::Object(_) | Value::Array(_))
                    {
                        continue;
                    }
                    // Under a map of names, each value's keys are keywords again.
                    let child_parent = (!refs::is_name_map(parent)).then_some(key.as_str());
                    self.within(Token::Key(key), |walk| {
                        if key == "schema" {
                            walk.schema(inner);
                        } else {
                            walk.schemas_under(inner, child_parent);
                        }
                    });
                }
            }
            Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    self.within(Token::Index(i), |walk| walk.schemas_under(inner, None));
                }
            }
            _ => {}
        }
    }

    /// Looks at the schema `schema` and the schemas it holds.
    fn schema(&mut self, schema: &'v Value) {
        let Some(schema) = schema.as_object() else {
            return;
        };
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            self.report_collisions(properties);
            self.within(Token::Key("properties"), |walk| {
                for (property, value) in properties {
                    walk.within(Token::Key(property), |walk| walk.schema(value));
                }
            });
        }
        for keyword in SCHEMA_KEYWORDS {
            if let Some(inner) = schema.get(*keyword) {
                self.within(Token::Key(keyword), |walk| walk.schema(inner));
            }
        }
        for keyword in SCHEMA_LIST_KEYWORDS {
            if let Some(Value::Array(inner)) = schema.get(*keyword) {
                self.within(Token::Key(keyword), |walk| {
                    for (i, inner) in inner.iter().enumerate() {
                        walk.within(Token::Index(i), |walk| walk.schema(inner));
                    }
                });
            }
        }
    }

    /// A warning for each of `properties` whose field is not typify's.
    fn report_collisions(&mut self, properties: &serde_json::Map<String, Value>) {
        if properties.keys().all(|p| is_snake_identifier(p)) {
            return;
        }
        let mut typify_fields = std::collections::BTreeSet::new();
        if properties
            .keys()
            .all(|p| typify_fields.insert(struct_field_name(p)))
        {
            return;
        }
        for (property, field) in distinct_field_names(properties.keys().map(String::as_str)) {
            let typify = struct_field_name(property);
            if field != typify {
                let at = self.pointer(&["properties", property]);
                self.report.warn(
                    "property-field-renamed",
                    at,
                    format!(
                        "typify makes it the struct field `{typify}`, as another property; the client names it `{field}` (serde keeps the wire name)"
                    ),
                );
            }
        }
    }
}
