//! Loading an OpenAPI document: JSON or YAML, 3.0.x, 3.1.x or 3.2.x, from a file or from bytes
//! (what `cargo xtask fetch` received). Everything past this point works on a
//! [`serde_json::Value`] whose maps are sorted, so output order never depends on input order.

use std::path::Path;

use serde_json::{Map, Value};

use crate::{Error, Result};

mod json;

/// The OpenAPI versions the pipeline reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenApiVersion {
    V3_0,
    V3_1,
    V3_2,
}

/// A parsed OpenAPI document and where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// How errors name the document: the path or URL it was read from.
    pub origin: String,
    pub version: OpenApiVersion,
    pub root: Value,
}

/// Reads and parses the document at `path`.
pub fn load_file(path: &Path) -> Result<Document> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_document(&path.display().to_string(), &bytes)
}

/// Parses `bytes` (JSON or YAML) as an OpenAPI 3.0, 3.1 or 3.2 document; `origin` names it
/// in errors.
pub fn parse_document(origin: &str, bytes: &[u8]) -> Result<Document> {
    let root = parse_value(origin, bytes)?;
    let version = check_openapi(origin, &root)?;
    Ok(Document {
        origin: origin.to_owned(),
        version,
        root,
    })
}

/// Parses JSON or YAML into a JSON value (YAML keys become strings: `200:` is `"200"`).
pub fn parse_value(origin: &str, bytes: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Syntax {
        file: origin.to_owned(),
        format: "UTF-8",
        line: 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        column: 0,
        message: e.to_string(),
    })?;
    // Only the byte-order mark goes: line numbers in errors must match the file.
    let trimmed = text.trim_start_matches('\u{feff}');
    if trimmed.trim().is_empty() {
        return Err(Error::Empty {
            file: origin.to_owned(),
        });
    }
    let looks_like_json = trimmed.trim_start().starts_with(['{', '[']) || origin.ends_with(".json");
    if looks_like_json {
        json::parse(trimmed).map_err(|e| Error::Syntax {
            file: origin.to_owned(),
            format: "JSON",
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    } else {
        let mut yaml: serde_yaml::Value = serde_yaml::from_str(trimmed).map_err(|e| {
            let loc = e.location();
            Error::Syntax {
                file: origin.to_owned(),
                format: "YAML",
                line: loc.as_ref().map_or(0, |l| l.line()),
                column: loc.as_ref().map_or(0, |l| l.column()),
                message: e.to_string(),
            }
        })?;
        // Merge keys (`<<: *shared`) are YAML 1.1, which serde_yaml reads as a key named `<<`.
        yaml.apply_merge().map_err(|e| {
            Error::invalid(
                origin,
                "#",
                format!("a YAML merge key (`<<`) that cannot be applied: {e}"),
            )
        })?;
        yaml_to_json(origin, yaml, &mut String::from("#"))
    }
}

fn yaml_to_json(origin: &str, yaml: serde_yaml::Value, at: &mut String) -> Result<Value> {
    use serde_yaml::Value as Y;
    Ok(match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                serde_json::Number::from_f64(f)
                    .map(Value::Number)
                    .ok_or_else(|| {
                        Error::invalid(origin, at, format!("number {f} has no JSON form"))
                    })?
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = at.len();
                at.push_str(&format!("/{i}"));
                out.push(yaml_to_json(origin, item, at)?);
                at.truncate(len);
            }
            Value::Array(out)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => {
                        return Err(Error::invalid(
                            origin,
                            at,
                            format!("mapping key {other:?} is not a string"),
                        ));
                    }
                };
                let len = at.len();
                at.push('/');
                at.push_str(&crate::pointer::escape(&key));
                let value = yaml_to_json(origin, v, at)?;
                at.truncate(len);
                out.insert(key, value);
            }
            Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(origin, tagged.value, at)?,
    })
}

/// Checks the document is OpenAPI 3.0.x, 3.1.x or 3.2.x with a `paths` object.
fn check_openapi(origin: &str, root: &Value) -> Result<OpenApiVersion> {
    let Some(obj) = root.as_object() else {
        return Err(Error::invalid(
            origin,
            "#",
            "not an OpenAPI document: the top level is not an object",
        ));
    };
    if obj.contains_key("swagger") {
        return Err(Error::invalid(
            origin,
            "#/swagger",
            "Swagger 2.0 is not supported; convert the document to OpenAPI 3.0 or 3.1",
        ));
    }
    let version = match obj.get("openapi") {
        None => {
            return Err(Error::invalid(
                origin,
                "#/openapi",
                "not an OpenAPI document: there is no `openapi` version field",
            ));
        }
        Some(Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => OpenApiVersion::V3_0,
        Some(Value::String(v)) if v.starts_with("3.1.") || v == "3.1" => OpenApiVersion::V3_1,
        Some(Value::String(v)) if v.starts_with("3.2.") || v == "3.2" => OpenApiVersion::V3_2,
        Some(other) => {
            return Err(Error::invalid(
                origin,
                "#/openapi",
                format!("unsupported OpenAPI version {other}; expected 3.0.x, 3.1.x or 3.2.x"),
            ));
        }
    };
    match obj.get("paths") {
        Some(Value::Object(_)) => {}
        Some(_) => {
            return Err(Error::invalid(
                origin,
                "#/paths",
                "`paths` must be an object",
            ));
        }
        None => {
            return Err(Error::invalid(
                origin,
                "#/paths",
                "not an OpenAPI document this pipeline can use: there is no `paths` object",
            ));
        }
    }
    if !obj.get("info").is_some_and(Value::is_object) {
        return Err(Error::invalid(
            origin,
            "#/info",
            "`info` is missing or not an object",
        ));
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::{OpenApiVersion, parse_document};

    fn version(v: &str) -> Result<OpenApiVersion, String> {
        let text = format!(
            r#"{{"openapi": "{v}", "info": {{"title": "T", "version": "1"}}, "paths": {{}}}}"#
        );
        parse_document("spec.json", text.as_bytes())
            .map(|d| d.version)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn yaml_merge_keys_are_applied() {
        let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n\
            x-ok: &ok {description: ok, headers: {X-A: {schema: {type: string}}}}\n\
            x-one: {<<: *ok, description: mine}\nx-list: {<<: [{a: 1}, {a: 2, b: 2}]}\n";
        let root = parse_document("spec.yaml", yaml.as_bytes()).unwrap().root;
        assert_eq!(root["x-one"]["description"], "mine");
        assert_eq!(root["x-one"]["headers"], root["x-ok"]["headers"]);
        assert_eq!(root["x-list"], serde_json::json!({"a": 1, "b": 2}));
        let scalar = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\nx: {<<: 1}\n";
        let error = parse_document("spec.yaml", scalar.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("spec.yaml: #: a YAML merge key (`<<`)"),
            "{error}"
        );
    }

    #[test]
    fn openapi_3_0_to_3_2_are_read_and_others_refused_at_the_field() {
        assert_eq!(version("3.0.3"), Ok(OpenApiVersion::V3_0));
        assert_eq!(version("3.1.1"), Ok(OpenApiVersion::V3_1));
        assert_eq!(version("3.2.0"), Ok(OpenApiVersion::V3_2));
        for other in ["3.3.0", "4.0.0", "2.0"] {
            let error = version(other).unwrap_err();
            assert!(
                error.starts_with("spec.json: #/openapi: unsupported OpenAPI version"),
                "{error}"
            );
        }
    }
}
