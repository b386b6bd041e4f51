//! One OpenAPI 3.0.3 document per scope family: its paths, the components they reach, the
//! security schemes they use, the tags they carry and the root extensions the family claims.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::refs::reachable_components;
use super::{Ctx, METHODS};
use crate::families::{FamiliesConfig, Family};
use crate::report::FamilyStats;

/// Builds the document of `family` from the normalized whole, the path items placed in it and
/// the root extensions it alone claims (both moved out of the whole).
pub fn family_document(
    ctx: &mut Ctx,
    root: &Value,
    family: &Family,
    paths: Map<String, Value>,
    mut claimed: Map<String, Value>,
) -> (Value, FamilyStats) {
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.0.3"));
    let mut info = root.get("info").cloned().unwrap_or_else(|| json!({}));
    if let Some(info) = info.as_object_mut() {
        let title = info
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("API")
            .to_owned();
        info.insert("title".into(), json!(format!("{title}: {}", family.title)));
        if !family.description.is_empty() {
            let base = info
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let text = if base.is_empty() {
                family.description.clone()
            } else {
                format!("{}\n\n{base}", family.description)
            };
            info.insert("description".into(), json!(text));
        }
        info.insert("x-scope-family".into(), json!(family.name));
    }
    doc.insert("info".into(), info);
    for key in ["servers", "externalDocs", "security"] {
        if let Some(v) = root.get(key) {
            doc.insert(key.into(), v.clone());
        }
    }
    let mut operations = 0;
    let mut tags_used = BTreeSet::new();
    let mut schemes_used: BTreeSet<String> = BTreeSet::new();
    let collect_schemes = |security: &Value, schemes_used: &mut BTreeSet<String>| {
        for req in security.as_array().into_iter().flatten() {
            for name in req.as_object().into_iter().flat_map(|m| m.keys()) {
                schemes_used.insert(name.clone());
            }
        }
    };
    if let Some(sec) = root.get("security") {
        collect_schemes(sec, &mut schemes_used);
    }
    for item in paths.values() {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                operations += 1;
                for t in op
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(t) = t.as_str() {
                        tags_used.insert(t.to_owned());
                    }
                }
                if let Some(sec) = op.get("security") {
                    collect_schemes(sec, &mut schemes_used);
                }
            }
        }
    }
    if let Some(tags) = root.get("tags").and_then(Value::as_array) {
        let kept: Vec<Value> = tags
            .iter()
            .filter(|t| {
                t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| tags_used.contains(n))
            })
            .cloned()
            .collect();
        if !kept.is_empty() {
            doc.insert("tags".into(), Value::Array(kept));
        }
    }
    let out_paths = Value::Object(paths);
    let extensions: Vec<(&String, Value)> = family
        .extensions
        .iter()
        .filter_map(|ext| {
            let v = claimed.remove(ext).or_else(|| root.get(ext).cloned())?;
            Some((ext, v))
        })
        .collect();
    let mut starts: Vec<&Value> = vec![&out_paths];
    starts.extend(extensions.iter().map(|(_, v)| v));
    let reachable = reachable_components(root, &starts);
    for (ext, v) in extensions {
        doc.insert(ext.clone(), v);
    }
    let mut components = Map::new();
    for (kind, name) in &reachable {
        if let Some(v) = root
            .get("components")
            .and_then(|c| c.get(kind))
            .and_then(|c| c.get(name))
        {
            let entry = components.entry(kind.clone()).or_insert_with(|| json!({}));
            entry[name.as_str()] = v.clone();
        }
    }
    let mut schemes = Map::new();
    for name in &schemes_used {
        if let Some(s) = root
            .pointer("/components/securitySchemes")
            .and_then(|c| c.get(name))
        {
            schemes.insert(name.clone(), s.clone());
        }
    }
    if !schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    let schemas = components
        .get("schemas")
        .and_then(Value::as_object)
        .map_or(0, Map::len);
    if !components.is_empty() {
        doc.insert("components".into(), Value::Object(components));
    }
    doc.insert("paths".into(), out_paths);
    if operations == 0 {
        ctx.report.warn(
            "family-empty",
            "#/paths",
            format!("family `{}` has no operations", family.name),
        );
    }
    (
        Value::Object(doc),
        FamilyStats {
            name: family.name.clone(),
            operations,
            schemas,
        },
    )
}

/// Reports root extensions that no family claims (they are left out of every output).
pub fn report_unclaimed_extensions(ctx: &mut Ctx, root: &Value, config: &FamiliesConfig) {
    for key in root.as_object().into_iter().flat_map(|m| m.keys()) {
        if key.starts_with("x-") && !config.families.iter().any(|f| f.extensions.contains(key)) {
            ctx.report.info(
                "extension-unclaimed",
                crate::pointer::from_tokens([key.as_str()]),
                format!("root `{key}` is claimed by no family; left out"),
            );
        }
    }
}
