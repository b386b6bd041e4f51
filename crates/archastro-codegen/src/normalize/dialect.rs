//! The platform's own security dialect made standard: root `x-auth-schemes` become
//! `components.securitySchemes`, operation `x-auth` lists become `security` requirements.

use serde_json::{Map, Value, json};

use super::{Ctx, for_each_operation_mut};
use crate::{Error, Result};

/// Converts `x-auth-schemes` / `x-auth`, and checks every security requirement names a scheme.
pub fn convert_auth(ctx: &mut Ctx, root: &mut Value) -> Result<()> {
    if let Some(Value::Object(schemes)) = root
        .as_object_mut()
        .and_then(|r| r.remove("x-auth-schemes"))
    {
        for (name, scheme) in schemes {
            let at = crate::pointer::from_tokens(["x-auth-schemes", name.as_str()]);
            let converted = convert_scheme(&ctx.file, &at, &scheme)?;
            let components = root
                .as_object_mut()
                .expect("checked at load")
                .entry("components")
                .or_insert_with(|| json!({}));
            let target = components
                .as_object_mut()
                .ok_or_else(|| {
                    Error::invalid(&ctx.file, "#/components", "`components` must be an object")
                })?
                .entry("securitySchemes")
                .or_insert_with(|| json!({}));
            if let Some(target) = target.as_object_mut() {
                if target.contains_key(&name) {
                    ctx.report.info(
                        "auth-scheme-kept",
                        at,
                        format!("securitySchemes already defines `{name}`"),
                    );
                } else {
                    target.insert(name.clone(), converted);
                    ctx.report.info(
                        "auth-scheme-converted",
                        at,
                        format!("x-auth-schemes `{name}` became a securitySchemes entry"),
                    );
                }
            }
        }
    }
    let known: Vec<String> = root
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let file = ctx.file.clone();
    let mut failure = None;
    for_each_operation_mut(root, |at, op| {
        if failure.is_some() {
            return;
        }
        let Some(op) = op.as_object_mut() else { return };
        // Errors point where the requirement was written: `x-auth` or `security`.
        let mut written_as = "security";
        if let Some(x_auth) = op.remove("x-auth") {
            let names: Vec<String> = x_auth
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if op.contains_key("security") {
                ctx.report.info(
                    "auth-operation-kept",
                    at,
                    "operation has both `security` and `x-auth`; kept `security`",
                );
            } else {
                let reqs: Vec<Value> = names.iter().map(|n| json!({ n.as_str(): [] })).collect();
                op.insert("security".into(), Value::Array(reqs));
                written_as = "x-auth";
                ctx.report.info(
                    "auth-operation-converted",
                    at,
                    format!("x-auth {names:?} became security"),
                );
            }
        }
        if let Some(security) = op.get("security") {
            failure =
                check_requirements(&file, &format!("{at}/{written_as}"), security, &known).err();
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    match root.get("security") {
        Some(security) => check_requirements(&ctx.file, "#/security", security, &known),
        None => Ok(()),
    }
}

/// Every scheme a list of security requirements names must be defined.
fn check_requirements(file: &str, at: &str, security: &Value, known: &[String]) -> Result<()> {
    let Some(reqs) = security.as_array() else {
        return Err(Error::invalid(
            file,
            at,
            "security requirements must be an array",
        ));
    };
    for (i, req) in reqs.iter().enumerate() {
        let Some(req) = req.as_object() else {
            return Err(Error::invalid(
                file,
                &format!("{at}/{i}"),
                "a security requirement must be an object",
            ));
        };
        if let Some(name) = req.keys().find(|name| !known.contains(name)) {
            return Err(Error::invalid(
                file,
                &format!("{at}/{i}"),
                format!(
                    "security scheme `{name}` is not defined in components.securitySchemes or x-auth-schemes"
                ),
            ));
        }
    }
    Ok(())
}

fn convert_scheme(file: &str, at: &str, scheme: &Value) -> Result<Value> {
    let get = |k: &str| scheme.get(k).and_then(Value::as_str);
    let mut out = Map::new();
    let mut description = get("description").unwrap_or_default().to_owned();
    match get("type") {
        Some("http") => {
            out.insert("type".into(), json!("http"));
            out.insert("scheme".into(), json!(get("scheme").unwrap_or("bearer")));
            if let Some(f) = get("bearerFormat") {
                out.insert("bearerFormat".into(), json!(f));
            }
        }
        Some("api_key" | "apiKey") => {
            out.insert("type".into(), json!("apiKey"));
            out.insert("in".into(), json!(get("in").unwrap_or("header")));
            let name = get("name").ok_or_else(|| {
                Error::invalid(
                    file,
                    &format!("{at}/name"),
                    "API key scheme without a header `name`",
                )
            })?;
            out.insert("name".into(), json!(name));
            if let Some(prefix) = get("prefix") {
                if !description.is_empty() {
                    description.push_str(". ");
                }
                description.push_str(&format!("Keys start with `{prefix}`."));
                out.insert("x-key-prefix".into(), json!(prefix));
            }
        }
        other => {
            return Err(Error::invalid(
                file,
                &format!("{at}/type"),
                format!("unsupported auth scheme type {other:?}; expected `http` or `api_key`"),
            ));
        }
    }
    if !description.is_empty() {
        out.insert("description".into(), json!(description));
    }
    if let Some(obj) = scheme.as_object() {
        for (k, v) in obj {
            if k.starts_with("x-") {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(Value::Object(out))
}
