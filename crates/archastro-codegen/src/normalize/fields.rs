//! Object properties that typify would turn into the same struct field (`a-b`, `aB` and
//! `a_b` are all `a_b`; `self` and `Self` are both `self_`): the struct would not compile, so
//! the schema is rejected with the pointer of the second property, naming the first. typify 0.8 names a field only
//! after its property (no extension renames it), so a collision cannot be repaired here
//! without changing the wire name.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::Ctx;
use crate::names::struct_field_name;
use crate::pointer;
use crate::{Error, Result};

/// Keywords whose value is one schema.
const SCHEMA_KEYWORDS: &[&str] = &["items", "additionalProperties", "not"];
/// Keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf"];

/// Checks every component schema and every schema under a `schema` key (parameters, bodies,
/// responses, headers). Run before the hoist it names the property where the spec wrote it;
/// run after the lift (every object typify names is then a component) it sees the rest.
pub fn check(ctx: &Ctx, root: &Value) -> Result<()> {
    let mut walk = Walk {
        ctx,
        fields: HashMap::new(),
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
            walk.schema(schema)?;
        }
    }
    walk.at.clear();
    walk.schemas_under(root)
}

/// A step of a JSON pointer, kept unescaped until a pointer is needed (only for an error).
#[derive(Clone, Copy)]
enum Token<'v> {
    Key(&'v str),
    Index(usize),
}

/// One check of a document: the path of the node being checked, and the field name of every
/// property name met so far (the same names recur in most schemas).
struct Walk<'c, 'v> {
    ctx: &'c Ctx,
    fields: HashMap<&'v str, String>,
    at: Vec<Token<'v>>,
}

impl<'v> Walk<'_, 'v> {
    /// Runs `f` with `token` pushed onto the path.
    fn within(&mut self, token: Token<'v>, f: impl FnOnce(&mut Self) -> Result<()>) -> Result<()> {
        self.at.push(token);
        let result = f(self);
        self.at.pop();
        result
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

    /// Checks the value of every `schema` key in `v`.
    fn schemas_under(&mut self, v: &'v Value) -> Result<()> {
        match v {
            Value::Object(map) => map.iter().try_for_each(|(key, inner)| {
                self.within(Token::Key(key), |walk| {
                    if key == "schema" {
                        walk.schema(inner)
                    } else {
                        walk.schemas_under(inner)
                    }
                })
            }),
            Value::Array(items) => items.iter().enumerate().try_for_each(|(i, inner)| {
                self.within(Token::Index(i), |walk| walk.schemas_under(inner))
            }),
            _ => Ok(()),
        }
    }

    /// Checks the schema `schema` and the schemas it holds.
    fn schema(&mut self, schema: &'v Value) -> Result<()> {
        let Some(schema) = schema.as_object() else {
            return Ok(());
        };
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            for property in properties.keys() {
                if !self.fields.contains_key(property.as_str()) {
                    self.fields
                        .insert(property.as_str(), struct_field_name(property));
                }
            }
            let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
            for property in properties.keys() {
                let field = &self.fields[property.as_str()];
                if let Some(first) = seen.insert(field.as_str(), property) {
                    let message = format!(
                        "becomes the struct field `{field}`, as `{first}` does; rename one of the properties"
                    );
                    let at = self.pointer(&["properties", property]);
                    return Err(Error::invalid(&self.ctx.file, &at, message));
                }
            }
            self.within(Token::Key("properties"), |walk| {
                properties.iter().try_for_each(|(property, value)| {
                    walk.within(Token::Key(property), |walk| walk.schema(value))
                })
            })?;
        }
        for keyword in SCHEMA_KEYWORDS {
            if let Some(inner) = schema.get(*keyword) {
                self.within(Token::Key(keyword), |walk| walk.schema(inner))?;
            }
        }
        for keyword in SCHEMA_LIST_KEYWORDS {
            if let Some(Value::Array(inner)) = schema.get(*keyword) {
                self.within(Token::Key(keyword), |walk| {
                    inner.iter().enumerate().try_for_each(|(i, inner)| {
                        walk.within(Token::Index(i), |walk| walk.schema(inner))
                    })
                })?;
            }
        }
        Ok(())
    }
}
