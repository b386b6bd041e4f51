//! What to add to a families file when a spec has paths that no scope family maps: the paths
//! grouped by resource (the first segment after the configured name prefix), each with the
//! family that already serves that resource under another path when there is one, and the
//! families-file lines to add. Regen fails closed on such paths; this is what the
//! `spec-refresh` workflow puts in its pull request so that a maintainer knows what to add
//! (`cargo xtask unmapped`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

use crate::families::{FamiliesConfig, Placement};
use crate::model::Method;

/// The unmapped paths of a document, by resource.
#[derive(Debug, Default)]
pub struct Unmapped {
    /// By resource name, sorted.
    pub resources: BTreeMap<String, Resource>,
}

/// One resource with unmapped paths.
#[derive(Debug, Default)]
pub struct Resource {
    /// The pattern that would map every path of the resource (`/api/v1/tasks/**`).
    pub pattern: String,
    /// `(path, [(METHOD, summary)])`, sorted by path.
    pub paths: Vec<(String, Vec<(Method, String)>)>,
    /// The family that already maps a path ending in this resource elsewhere
    /// (`/api/v1/threads/{thread}/trajectories` for `trajectories`), if exactly one does.
    pub suggested_family: Option<String>,
}

impl Unmapped {
    /// The paths of `root` (an OpenAPI document as read) that `config` places nowhere.
    pub fn find(root: &Value, config: &FamiliesConfig) -> Unmapped {
        let paths = root.get("paths").and_then(Value::as_object);
        let mut out = Unmapped::default();
        // Which families serve a resource segment somewhere in a mapped path.
        let mut served: BTreeMap<&str, BTreeMap<usize, usize>> = BTreeMap::new();
        for path in paths.into_iter().flat_map(|p| p.keys()) {
            if let Ok(Some(Placement::Family(i))) = config.place(path) {
                for segment in path.split('/').filter(|s| is_resource_segment(s)) {
                    *served.entry(segment).or_default().entry(i).or_default() += 1;
                }
            }
        }
        for (path, item) in paths.into_iter().flatten() {
            if !matches!(config.place(path), Ok(None)) {
                continue;
            }
            let rest = config.strip_name_prefix(path);
            let prefix = &path[..path.len() - rest.len()];
            let name = rest
                .split('/')
                .find(|s| !s.is_empty())
                .unwrap_or_default()
                .to_owned();
            let operations = item
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(key, op)| {
                    let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
                    Method::from_key(key).map(|m| (m, summary.to_owned()))
                })
                .collect();
            let resource = out
                .resources
                .entry(name.clone())
                .or_insert_with(|| Resource {
                    pattern: if name.is_empty() {
                        path.clone()
                    } else {
                        format!("{prefix}/{name}/**")
                    },
                    suggested_family: served.get(name.as_str()).and_then(|families| {
                        let mut by_count: Vec<_> = families.iter().collect();
                        by_count.sort_by_key(|(_, n)| std::cmp::Reverse(**n));
                        match by_count.as_slice() {
                            [(i, _)] => Some(config.families[**i].name.clone()),
                            [(i, a), (_, b), ..] if a > b => {
                                Some(config.families[**i].name.clone())
                            }
                            _ => None,
                        }
                    }),
                    paths: Vec::new(),
                });
            resource.paths.push((path.clone(), operations));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    pub fn path_count(&self) -> usize {
        self.resources.values().map(|r| r.paths.len()).sum()
    }

    /// A Markdown report: each resource with its operations, then the lines to add, by family.
    pub fn markdown(&self, spec: &str, config: &FamiliesConfig) -> String {
        let mut out = String::new();
        if self.is_empty() {
            let _ = writeln!(
                out,
                "Every path of `{spec}` is mapped by `{}`.",
                config.origin
            );
            return out;
        }
        let _ = writeln!(
            out,
            "## {} path(s) of {} resource(s) match no scope family\n\n\
             `cargo xtask regen` fails closed until each path is added to a family or to an \
             exclusion in `{}`. Lines to add are proposed at the end; check each resource for \
             internal-only surfaces (observability, execution debugging) before publishing it.\n",
            self.path_count(),
            self.resources.len(),
            config.origin,
        );
        for (name, r) in &self.resources {
            let family = match &r.suggested_family {
                Some(f) => format!("proposed family: `{f}` (it already serves `{name}` elsewhere)"),
                None => "no family serves it yet: choose one, or an exclusion".to_owned(),
            };
            let _ = writeln!(out, "### `{name}`: {} path(s), {family}\n", r.paths.len());
            for (path, ops) in &r.paths {
                for (method, summary) in ops {
                    let summary = summary.replace(['\n', '\r', '|'], " ");
                    let _ = writeln!(out, "- `{} {path}` {summary}", method.upper());
                }
            }
            out.push('\n');
        }
        let mut by_family: BTreeMap<Option<&str>, Vec<&str>> = BTreeMap::new();
        for r in self.resources.values() {
            by_family
                .entry(r.suggested_family.as_deref())
                .or_default()
                .push(&r.pattern);
        }
        out.push_str("### Lines to add\n\n```toml\n");
        for (family, patterns) in by_family {
            let _ = match family {
                Some(family) => writeln!(out, "# [[family]] name = \"{family}\", in `paths`:"),
                None => writeln!(
                    out,
                    "# no family serves these yet: a family's `paths`, or an [[exclude]]:"
                ),
            };
            for p in patterns {
                let _ = writeln!(out, "    \"{p}\",");
            }
        }
        out.push_str("```\n");
        out
    }
}

/// A path segment that names a resource (not a `{param}`, not empty).
fn is_resource_segment(segment: &str) -> bool {
    !segment.is_empty() && !segment.starts_with('{') && !segment.starts_with(':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> FamiliesConfig {
        FamiliesConfig::parse(
            "families.toml",
            r#"
name_prefixes = ["/api/v1"]
[[family]]
name = "runtime"
title = "Runtime"
description = "d"
paths = ["/api/v1/threads/**"]
[[family]]
name = "developer"
title = "Developer"
description = "d"
paths = ["/api/v1/apps/**"]
"#,
        )
        .unwrap()
    }

    #[test]
    fn unmapped_paths_are_grouped_by_resource_with_a_family() {
        let doc = json!({"paths": {
            "/api/v1/threads/{thread}/trajectories": {"get": {"summary": "List"}},
            "/api/v1/trajectories/{trajectory}": {"get": {"summary": "Show"}, "delete": {}},
            "/api/v1/trajectories": {"post": {"summary": "Create"}},
            "/api/v1/sandboxes": {"post": {"summary": "Create a sandbox"}},
            "/api/v1/apps": {"get": {}}
        }});
        let unmapped = Unmapped::find(&doc, &config());
        assert_eq!(unmapped.path_count(), 3);
        let t = &unmapped.resources["trajectories"];
        assert_eq!(t.pattern, "/api/v1/trajectories/**");
        assert_eq!(t.suggested_family.as_deref(), Some("runtime"));
        assert_eq!(t.paths[1].1.len(), 2);
        assert_eq!(unmapped.resources["sandboxes"].suggested_family, None);
        let md = unmapped.markdown("openapi.json", &config());
        assert!(
            md.contains("### `trajectories`: 2 path(s), proposed family: `runtime`"),
            "{md}"
        );
        assert!(
            md.contains("- `DELETE /api/v1/trajectories/{trajectory}`"),
            "{md}"
        );
        assert!(
            md.contains(
                "# [[family]] name = \"runtime\", in `paths`:\n    \"/api/v1/trajectories/**\","
            ),
            "{md}"
        );
        assert!(md.contains("    \"/api/v1/sandboxes/**\","), "{md}");
    }

    #[test]
    fn a_fully_mapped_spec_says_so() {
        let doc = json!({"paths": {"/api/v1/apps": {}}});
        let unmapped = Unmapped::find(&doc, &config());
        assert!(unmapped.is_empty());
        assert!(unmapped.markdown("s", &config()).starts_with("Every path"));
    }
}
