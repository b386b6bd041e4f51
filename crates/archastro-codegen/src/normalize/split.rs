//! One OpenAPI 3.0.3 document per scope family: its paths, the components they reach, the
//! security schemes they use, the tags they carry and the root extensions the family claims.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::refs::reachable_components;
use super::{Ctx, METHODS};
use crate::families::{FamiliesConfig, Family};
use crate::report::FamilyStats;

/// The components (`(kind, name)`) that the document of `family` needs: those its path items
/// and its root extensions (`claimed` by it alone, or else the whole's) reach.
pub fn reached_components(
    root: &Value,
    family: &Family,
    paths: &Map<String, Value>,
    claimed: &Map<String, Value>,
) -> BTreeSet<(String, String)> {
    let paths = paths.values();
    let extensions = family
        .extensions
        .iter()
        .filter_map(|ext| claimed.get(ext).or_else(|| root.get(ext)));
    let starts: Vec<&Value> = paths.chain(extensions).collect();
    reachable_components(root, &starts)
}

/// Builds the document of `family` from the normalized whole, the path items placed in it,
/// the root extensions it alone claims and the components it reaches
/// ([`reached_components`], by kind and name), all moved out of the whole.
pub fn family_document(
    ctx: &mut Ctx,
    root: &Value,
    family: &Family,
    paths: Map<String, Value>,
    mut claimed: Map<String, Value>,
    mut components: Map<String, Value>,
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
    for (ext, v) in extensions {
        doc.insert(ext.clone(), v);
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::families::FamiliesConfig;
    use crate::load::parse_document;
    use crate::normalize::normalize;

    #[test]
    fn each_family_gets_the_components_it_reaches_shared_ones_in_each() {
        let config = FamiliesConfig::parse(
            "families.toml",
            r#"
[[family]]
name = "runtime"
title = "Runtime"
description = "d"
paths = ["/threads/**"]
[[family]]
name = "developer"
title = "Developer"
description = "d"
paths = ["/apps/**"]
"#,
        )
        .unwrap();
        let get = |schema: &str| {
            json!({"get": {"operationId": format!("get{schema}"), "security": [{"key": []}],
                "responses": {"200": {"description": "ok", "content": {"application/json":
                    {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}}}})
        };
        let spec = json!({
            "openapi": "3.0.3",
            "info": {"title": "T", "version": "1"},
            "paths": {"/threads": get("Thread"), "/apps": get("App")},
            "components": {
                "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "k"}},
                "schemas": {
                    "Thread": {"type": "object", "properties": {
                        "owner": {"$ref": "#/components/schemas/Owner"},
                        "title": {"type": "string", "example": "Hi"}}},
                    "App": {"type": "object", "properties": {
                        "owner": {"$ref": "#/components/schemas/Owner"}}},
                    "Owner": {"type": "object", "properties": {"id": {"type": "string"}}},
                    "Unused": {"type": "object", "properties": {"x": {"type": "string"}}}
                }
            }
        });
        let doc = parse_document("spec.json", spec.to_string().as_bytes()).unwrap();
        let normalized = normalize(&doc, &config).unwrap();
        let components = |family: usize| normalized.families[family].1["components"].clone();
        let names = |family: usize| -> Vec<String> {
            components(family)["schemas"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        assert_eq!(names(0), ["Owner", "Thread"]);
        assert_eq!(names(1), ["App", "Owner"]);
        let spec_schemas = &spec["components"]["schemas"];
        for family in [0, 1] {
            assert_eq!(
                components(family)["schemas"]["Owner"],
                spec_schemas["Owner"]
            );
            assert_eq!(
                components(family)["securitySchemes"]["key"],
                spec["components"]["securitySchemes"]["key"]
            );
        }
        assert_eq!(components(0)["schemas"]["Thread"], spec_schemas["Thread"]);
        assert_eq!(components(1)["schemas"]["App"], spec_schemas["App"]);
    }
}
