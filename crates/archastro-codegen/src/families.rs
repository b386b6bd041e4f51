//! Scope families: which path of the spec belongs to which generated family (`auth`, `runtime`,
//! `developer`), read from a TOML file such as `spec/families.toml`. Classification fails
//! closed: a path that matches no family, or more than one, is an error; internal-only
//! surfaces are either dropped (and reported) or rejected, as the configuration says.

use std::path::Path;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::{Error, Result};

/// A parsed families file.
#[derive(Debug)]
pub struct FamiliesConfig {
    /// How errors name the file.
    pub origin: String,
    pub families: Vec<Family>,
    pub exclusions: Vec<Exclusion>,
    /// Leading path segments that carry no meaning for derived method names, longest first.
    pub name_prefixes: Vec<String>,
}

/// One scope family.
#[derive(Debug)]
pub struct Family {
    /// Lower-case identifier: the output file and module name.
    pub name: String,
    pub title: String,
    pub description: String,
    /// Root `x-*` extensions of the spec that travel with this family (`x-channels`, ...).
    pub extensions: Vec<String>,
    patterns: Vec<String>,
    matcher: GlobSet,
}

/// What to do with a path of an internal-only surface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExclusionAction {
    /// Leave it out of every family and report it.
    Drop,
    /// Refuse the whole document: it must never contain this path.
    Reject,
}

/// Paths of an internal-only surface.
#[derive(Debug)]
pub struct Exclusion {
    pub reason: String,
    pub action: ExclusionAction,
    patterns: Vec<String>,
    matcher: GlobSet,
}

/// Where one path of the document goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Index into [`FamiliesConfig::families`].
    Family(usize),
    /// Index into [`FamiliesConfig::exclusions`].
    Excluded(usize),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    name_prefixes: Vec<String>,
    #[serde(default, rename = "family")]
    families: Vec<RawFamily>,
    #[serde(default, rename = "exclude")]
    exclusions: Vec<RawExclusion>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    name: String,
    title: String,
    #[serde(default)]
    description: String,
    paths: Vec<String>,
    #[serde(default)]
    extensions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExclusion {
    reason: String,
    action: ExclusionAction,
    paths: Vec<String>,
}

impl FamiliesConfig {
    /// Reads and checks a families file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses a families file; `origin` names it in errors.
    pub fn parse(origin: &str, text: &str) -> Result<Self> {
        let config_error = |message: String| Error::Config {
            file: origin.to_owned(),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| config_error(e.to_string()))?;
        if raw.families.is_empty() {
            return Err(config_error("no [[family]] is defined".into()));
        }
        let mut families = Vec::new();
        for (i, f) in raw.families.into_iter().enumerate() {
            let valid_name = !f.name.is_empty()
                && f.name.starts_with(|c: char| c.is_ascii_lowercase())
                && f.name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !valid_name {
                return Err(config_error(format!(
                    "family[{i}].name `{}` must be a lower-case identifier ([a-z][a-z0-9_]*)",
                    f.name
                )));
            }
            if families.iter().any(|g: &Family| g.name == f.name) {
                return Err(config_error(format!(
                    "family `{}` is defined twice",
                    f.name
                )));
            }
            let matcher = build_matcher(&f.paths)
                .map_err(|m| config_error(format!("family `{}`: {m}", f.name)))?;
            families.push(Family {
                name: f.name,
                title: f.title,
                description: f.description,
                extensions: f.extensions,
                patterns: f.paths,
                matcher,
            });
        }
        let mut exclusions = Vec::new();
        for (i, x) in raw.exclusions.into_iter().enumerate() {
            let matcher =
                build_matcher(&x.paths).map_err(|m| config_error(format!("exclude[{i}]: {m}")))?;
            exclusions.push(Exclusion {
                reason: x.reason,
                action: x.action,
                patterns: x.paths,
                matcher,
            });
        }
        let mut name_prefixes = raw.name_prefixes;
        for p in &name_prefixes {
            if !p.starts_with('/') || p.ends_with('/') {
                return Err(config_error(format!(
                    "name_prefixes entry `{p}` must start with `/` and not end with one"
                )));
            }
        }
        name_prefixes.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        Ok(FamiliesConfig {
            origin: origin.to_owned(),
            families,
            exclusions,
            name_prefixes,
        })
    }

    /// Where `path` goes: the first exclusion that matches, else the one family that matches.
    /// `Ok(None)` when nothing matches; `Err` lists the families when several do.
    pub fn place(&self, path: &str) -> Result<Option<Placement>, Vec<String>> {
        if let Some(i) = self
            .exclusions
            .iter()
            .position(|x| x.matcher.is_match(path))
        {
            return Ok(Some(Placement::Excluded(i)));
        }
        let hits: Vec<usize> = (0..self.families.len())
            .filter(|&i| self.families[i].matcher.is_match(path))
            .collect();
        match hits.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(Placement::Family(*one))),
            many => Err(many
                .iter()
                .map(|&i| self.families[i].name.clone())
                .collect()),
        }
    }

    /// The path without its longest configured meaningless prefix (for naming).
    pub fn strip_name_prefix<'a>(&self, path: &'a str) -> &'a str {
        for p in &self.name_prefixes {
            if let Some(rest) = path.strip_prefix(p.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return rest;
            }
        }
        path
    }
}

impl Family {
    /// The glob patterns of this family, as written in the file.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

impl Exclusion {
    /// The glob patterns of this exclusion, as written in the file.
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }
}

/// `*` matches one path segment, `**` any number; `/a/**` also matches `/a` itself.
fn build_matcher(patterns: &[String]) -> std::result::Result<GlobSet, String> {
    if patterns.is_empty() {
        return Err("`paths` is empty".into());
    }
    let mut set = GlobSetBuilder::new();
    for p in patterns {
        if !p.starts_with('/') {
            return Err(format!("path pattern `{p}` must start with `/`"));
        }
        set.add(glob(p)?);
        if let Some(base) = p.strip_suffix("/**")
            && !base.is_empty()
        {
            set.add(glob(base)?);
        }
    }
    set.build().map_err(|e| e.to_string())
}

fn glob(pattern: &str) -> std::result::Result<Glob, String> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| format!("bad path pattern `{pattern}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
name_prefixes = ["/api/v2", "/protected/api/v2/developer"]
[[family]]
name = "runtime"
title = "Runtime"
paths = ["/api/v2/users/**", "/api/v2/scrape"]
[[family]]
name = "developer"
title = "Developer"
paths = ["/protected/api/v2/developer/**"]
[[exclude]]
reason = "observability"
action = "drop"
paths = ["/protected/api/v2/developer/apps/*/observability/**"]
"#;

    #[test]
    fn places_paths() {
        let c = FamiliesConfig::parse("t.toml", CONFIG).unwrap();
        assert_eq!(c.place("/api/v2/users"), Ok(Some(Placement::Family(0))));
        assert_eq!(
            c.place("/api/v2/users/{id}/threads"),
            Ok(Some(Placement::Family(0)))
        );
        assert_eq!(c.place("/api/v2/usersx"), Ok(None));
        assert_eq!(c.place("/api/v2/scrape/x"), Ok(None));
        assert_eq!(
            c.place("/protected/api/v2/developer/apps/{app_id}/observability/logs"),
            Ok(Some(Placement::Excluded(0)))
        );
        assert_eq!(
            c.strip_name_prefix("/protected/api/v2/developer/apps"),
            "/apps"
        );
        assert_eq!(c.strip_name_prefix("/api/v2x/a"), "/api/v2x/a");
    }

    #[test]
    fn rejects_bad_names() {
        let err = FamiliesConfig::parse(
            "t.toml",
            "[[family]]\nname = \"Bad-Name\"\ntitle = \"x\"\npaths = [\"/a\"]\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("lower-case identifier"), "{err}");
    }
}
