//! Reading a whole document as `openapiv3::OpenAPI` and, when it does not read, saying where
//! as deeply as can be told. serde's tracked path stops at the first untagged value on the
//! way (`paths` itself is a map of untagged `ReferenceOr`s, and so are parameters, responses
//! and schemas), so a fault deep in an operation was reported at `#/paths`. From where the
//! tracking stopped, the value there is read again as the OpenAPI object its place says it
//! is (a path item, an operation, a parameter, a schema...), and the place moves down to
//! where that read stops, until no deeper place is found.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{get, push_escaped, read_at, tokens};

/// HTTP methods of a path item (the operations OpenAPI 3.0 names), in output order.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The OpenAPI objects a place can hold, told by the place's last tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Object {
    PathItem,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Header,
    MediaType,
    Schema,
}

/// How many times a place is moved down at most (each move is one more read).
const MAX_MOVES: usize = 64;

/// `value` read as an OpenAPI document, or the deepest place where it does not read (a
/// pointer from `value`'s root) and serde's reason.
pub fn read_openapi(value: &Value) -> Result<openapiv3::OpenAPI, (String, String)> {
    read_at::<openapiv3::OpenAPI>(value).map_err(|(at, reason)| (deepest(value, at), reason))
}

/// From `at`, where reading stopped, down to the deepest place whose object does not read.
fn deepest(root: &Value, mut at: String) -> String {
    for _ in 0..MAX_MOVES {
        let Some(value) = get(root, &at[1..]) else {
            break;
        };
        let Some(tokens) = tokens(&at[1..]) else {
            break;
        };
        let tokens: Vec<String> = tokens.map(|t| t.into_owned()).collect();
        let below = match (collection_at(&tokens), object_at(&tokens)) {
            (Some(entries), _) => failing_entry(entries, value),
            (None, Some(object)) if value.get("$ref").is_none() => failing_place(object, value),
            _ => None,
        };
        match below {
            Some(below) if !below.is_empty() => at.push_str(&below),
            _ => break,
        }
    }
    at
}

/// The kind of the entries of the place `tokens`, if it is a map or list of OpenAPI objects
/// (`paths`, an operation's `responses` or `parameters`, a `content` map, `components/schemas`).
fn collection_at(tokens: &[String]) -> Option<Object> {
    let last = tokens.last().map(String::as_str);
    let in_components = tokens.len() == 2 && tokens[0] == "components";
    let object = match last? {
        "paths" if tokens.len() == 1 => Object::PathItem,
        "responses" => Object::Response,
        "parameters" => Object::Parameter,
        "content" => Object::MediaType,
        "headers" => Object::Header,
        "schemas" | "properties" => Object::Schema,
        "requestBodies" if in_components => Object::RequestBody,
        _ => return None,
    };
    // A schema's `properties` or a component named like a collection is a single object.
    let parent = tokens.len().checked_sub(2).map(|i| tokens[i].as_str());
    if matches!(parent, Some("properties" | "schemas")) {
        return None;
    }
    Some(object)
}

/// What the place `tokens` holds, if it is an OpenAPI object this module reads.
fn object_at(tokens: &[String]) -> Option<Object> {
    let from_end = |i: usize| {
        tokens
            .len()
            .checked_sub(i)
            .and_then(|j| tokens.get(j))
            .map(String::as_str)
    };
    let is_index = |t: Option<&str>| t.is_some_and(|t| t.parse::<usize>().is_ok());
    let (last, parent) = (from_end(1), from_end(2));
    let object = match (tokens.first().map(String::as_str), tokens.len()) {
        (Some("paths"), 2) => Object::PathItem,
        (Some("paths"), 3) if last.is_some_and(|m| METHODS.contains(&m)) => Object::Operation,
        _ => match (parent, last) {
            (Some("properties" | "schemas"), _) => Object::Schema,
            (Some("allOf" | "oneOf" | "anyOf"), _) if is_index(last) => Object::Schema,
            (_, Some("schema" | "items" | "not" | "additionalProperties")) => Object::Schema,
            (Some("parameters"), _) => Object::Parameter,
            (Some("requestBodies"), _) | (_, Some("requestBody")) => Object::RequestBody,
            (Some("responses"), _) => Object::Response,
            (Some("headers"), _) => Object::Header,
            (Some("content"), _) => Object::MediaType,
            _ => return None,
        },
    };
    Some(object)
}

/// Where inside `value` reading it as `object` stops (relative, `/a/b`), if it does not read:
/// where serde's tracking says; else (it stopped at the value itself: a tagged, untagged or
/// flattened part) a schema held by the value that does not read; else the one member
/// without which the value reads.
fn failing_place(object: Object, value: &Value) -> Option<String> {
    let tracked = match object {
        Object::PathItem => failing_path::<openapiv3::PathItem>(value),
        Object::Operation => failing_path::<openapiv3::Operation>(value),
        Object::Parameter => failing_path::<openapiv3::Parameter>(value),
        Object::RequestBody => failing_path::<openapiv3::RequestBody>(value),
        Object::Response => failing_path::<openapiv3::Response>(value),
        Object::Header => failing_path::<openapiv3::Header>(value),
        Object::MediaType => failing_path::<openapiv3::MediaType>(value),
        Object::Schema => failing_path::<openapiv3::Schema>(value),
    }?;
    if !tracked.is_empty() {
        return Some(tracked);
    }
    failing_schema_member(value).or_else(|| failing_without_one_member(object, value))
}

/// The members that hold one schema, and those that hold a map or a list of them.
const SCHEMA_MEMBERS: &[&str] = &["schema", "items", "not", "additionalProperties"];
const SCHEMA_COLLECTIONS: &[&str] = &["properties", "allOf", "oneOf", "anyOf"];

/// Whether `schema` is an inline schema that does not read.
fn schema_fails(schema: &Value) -> bool {
    schema.is_object()
        && schema.get("$ref").is_none()
        && openapiv3::Schema::deserialize(schema).is_err()
}

/// A schema `value` holds that does not read (`/items`, `/properties/name`, `/allOf/1`).
fn failing_schema_member(value: &Value) -> Option<String> {
    let obj = value.as_object()?;
    let mut place = String::new();
    for key in SCHEMA_MEMBERS {
        if obj.get(*key).is_some_and(schema_fails) {
            place.push('/');
            place.push_str(key);
            return Some(place);
        }
    }
    for key in SCHEMA_COLLECTIONS {
        let found = match obj.get(*key) {
            Some(Value::Object(map)) => map
                .iter()
                .find(|(_, s)| schema_fails(s))
                .map(|(k, _)| k.clone()),
            Some(Value::Array(list)) => list.iter().position(schema_fails).map(|i| i.to_string()),
            _ => None,
        };
        if let Some(found) = found {
            place.push('/');
            place.push_str(key);
            place.push('/');
            push_escaped(&mut place, &found);
            return Some(place);
        }
    }
    None
}

/// The member of the object `value` without which it reads as `object` (`/required`).
fn failing_without_one_member(object: Object, value: &Value) -> Option<String> {
    let obj = value.as_object()?;
    let key = obj.keys().find(|key| {
        let mut without = obj.clone();
        without.remove(*key);
        reads(object, &Value::Object(without))
    })?;
    let mut place = String::new();
    place.push('/');
    push_escaped(&mut place, key);
    Some(place)
}

/// Whether `value` reads as `object`.
fn reads(object: Object, value: &Value) -> bool {
    match object {
        Object::PathItem => openapiv3::PathItem::deserialize(value).is_ok(),
        Object::Operation => openapiv3::Operation::deserialize(value).is_ok(),
        Object::Parameter => openapiv3::Parameter::deserialize(value).is_ok(),
        Object::RequestBody => openapiv3::RequestBody::deserialize(value).is_ok(),
        Object::Response => openapiv3::Response::deserialize(value).is_ok(),
        Object::Header => openapiv3::Header::deserialize(value).is_ok(),
        Object::MediaType => openapiv3::MediaType::deserialize(value).is_ok(),
        Object::Schema => openapiv3::Schema::deserialize(value).is_ok(),
    }
}

/// The first entry of the map or list `value` that does not read as `object` (`/key`, `/2`).
fn failing_entry(object: Object, value: &Value) -> Option<String> {
    let fails = |entry: &Value| entry.get("$ref").is_none() && !reads(object, entry);
    let key = match value {
        Value::Object(map) => map.iter().find(|(_, e)| fails(e)).map(|(k, _)| k.clone()),
        Value::Array(list) => list.iter().position(fails).map(|i| i.to_string()),
        _ => None,
    }?;
    let mut place = String::new();
    place.push('/');
    push_escaped(&mut place, &key);
    Some(place)
}

/// Where inside `value` reading it as `T` stops (relative), if it does not read.
fn failing_path<T: DeserializeOwned>(value: &Value) -> Option<String> {
    read_at::<T>(value).err().map(|(at, _)| at[1..].to_owned())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::read_openapi;

    fn place(document: serde_json::Value) -> String {
        read_openapi(&document).unwrap_err().0
    }

    #[test]
    fn a_fault_is_placed_at_the_keyword_that_holds_it() {
        let with = |item: serde_json::Value, components: serde_json::Value| {
            json!({"openapi": "3.0.3", "info": {"title": "T", "version": "1"},
                "paths": {"/ok": {"get": {"responses": {}}}, "/a": item}, "components": components})
        };
        let get = |operation: serde_json::Value| with(json!({"get": operation}), json!({}));
        let parameter = json!({"name": "q", "in": "query", "required": "yes", "schema": {}});
        assert_eq!(
            place(get(json!({"parameters": [parameter], "responses": {}}))),
            "#/paths/~1a/get/parameters/0/required"
        );
        assert_eq!(
            place(get(json!({"deprecated": "yes", "responses": {}}))),
            "#/paths/~1a/get/deprecated"
        );
        let schema =
            json!({"type": "object", "properties": {"n": {"type": "string", "maxLength": "x"}}});
        let body = json!({"content": {"application/json": {"schema": schema}}});
        assert_eq!(
            place(get(json!({"requestBody": body, "responses": {}}))),
            "#/paths/~1a/get/requestBody/content/application~1json/schema/properties/n/maxLength"
        );
        let response = json!({"description": 5});
        assert_eq!(
            place(get(json!({"responses": {"200": response}}))),
            "#/paths/~1a/get/responses/200/description"
        );
        let components = json!({"schemas": {"S": {"type": "array", "items": {"minItems": "2"}}}});
        assert_eq!(
            place(with(json!({}), components)),
            "#/components/schemas/S/items/minItems"
        );
        // A fault the reading of an object cannot place stays where serde left it.
        assert_eq!(
            place(with(
                json!({"get": {"responses": {}, "servers": "x"}}),
                json!({})
            )),
            "#/paths/~1a/get/servers"
        );
    }
}
