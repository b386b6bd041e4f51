//! Path parameters whose value is an array or an object, and how OpenAPI's `style: simple`
//! writes them in their segment: an array's items joined by `,`; an object's properties as
//! `key,value,key,value`, or `key=value,key=value` when `explode` is true. The normalizer gives
//! every such parameter a component schema of scalar items or properties (and makes the
//! others strings), so the generators have one named type to write and read.

use serde_json::Value;

use super::{Location, Parameter, ref_name};
use crate::normalize::schema::resolve_schema;
use crate::pointer;

/// What the segment of an array or object path parameter holds.
#[derive(Debug, Clone, PartialEq)]
pub enum SegmentValue<'a> {
    /// Scalar items, joined by `,`.
    Array {
        /// The component schema of the parameter (unescaped).
        component: String,
        /// The items' schema, as declared (maybe a `$ref`).
        items: &'a Value,
    },
    /// Scalar properties, as `key,value` pairs (`key=value` when `explode`), joined by `,`.
    Object {
        /// The component schema of the parameter (unescaped).
        component: String,
        /// In the document's order.
        properties: Vec<SegmentProperty<'a>>,
        explode: bool,
    },
}

/// One property of an object path parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentProperty<'a> {
    pub name: &'a str,
    /// As declared (maybe a `$ref`).
    pub schema: &'a Value,
    pub required: bool,
}

impl SegmentValue<'_> {
    /// The component schema of the parameter.
    pub fn component(&self) -> &str {
        match self {
            SegmentValue::Array { component, .. } | SegmentValue::Object { component, .. } => {
                component
            }
        }
    }
}

impl<'a> Parameter<'a> {
    /// What the segment holds when this is a path parameter whose schema (in the family
    /// document `doc`) is a component that is an array or an object; `None` for any other
    /// parameter.
    pub fn segment_value(&self, doc: &'a Value) -> Option<SegmentValue<'a>> {
        if self.location != Location::Path {
            return None;
        }
        let schema = self.schema?;
        let component = pointer::unescape(ref_name(schema)?);
        let definition = resolve_schema(doc, schema);
        if let Some(items) = definition.get("items") {
            return Some(SegmentValue::Array { component, items });
        }
        let required: Vec<&str> = definition
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let properties = definition
            .get("properties")?
            .as_object()?
            .iter()
            .map(|(name, schema)| SegmentProperty {
                name,
                schema,
                required: required.contains(&name.as_str()),
            })
            .collect();
        Some(SegmentValue::Object {
            component,
            properties,
            explode: self.explode == Some(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parameters(doc: &Value) -> Vec<Parameter<'_>> {
        doc["paths"]["/a/{ids}/{point}/{name}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| Parameter::new(p, "#").unwrap())
            .collect()
    }

    #[test]
    fn array_and_object_components_are_segment_values() {
        let doc = json!({
            "paths": {"/a/{ids}/{point}/{name}": {"get": {"parameters": [
                {"name": "ids", "in": "path", "schema": {"$ref": "#/components/schemas/Ids"}},
                {"name": "point", "in": "path", "explode": true, "schema": {"$ref": "#/components/schemas/Point"}},
                {"name": "name", "in": "path", "schema": {"type": "string"}},
                {"name": "q", "in": "query", "schema": {"$ref": "#/components/schemas/Ids"}}
            ]}}},
            "components": {"schemas": {
                "Ids": {"type": "array", "items": {"type": "integer"}},
                "Point": {"type": "object", "required": ["y"], "properties": {"x": {"type": "number"}, "y": {"type": "number"}}}
            }}
        });
        let params = parameters(&doc);
        assert_eq!(
            params[0].segment_value(&doc),
            Some(SegmentValue::Array {
                component: "Ids".into(),
                items: &json!({"type": "integer"})
            })
        );
        let Some(SegmentValue::Object {
            component,
            properties,
            explode,
        }) = params[1].segment_value(&doc)
        else {
            panic!("an object");
        };
        assert_eq!((component.as_str(), explode), ("Point", true));
        let names: Vec<_> = properties.iter().map(|p| (p.name, p.required)).collect();
        assert_eq!(names, [("x", false), ("y", true)]);
        assert_eq!(params[2].segment_value(&doc), None);
        assert_eq!(params[3].segment_value(&doc), None);
    }
}
