//! Versions of the generated crates: `spec/release.toml` holds the released version;
//! `cargo xtask release` bumps it by the API diff's verdict (Cargo's semver rules: below 1.0 a
//! breaking change bumps the minor number and anything else the patch number).

use std::path::Path;

use crate::diff::Bump;
use crate::{Error, Result};

/// The version used when a checkout has no `spec/release.toml`.
pub const INITIAL_VERSION: &str = "0.1.0";

/// The released version recorded in `path` (`INITIAL_VERSION` when the file is missing).
pub fn read_version(path: &Path) -> Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(INITIAL_VERSION.to_owned()),
        Err(e) => return Err(Error::io(path, e)),
    };
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| Error::Config {
        file: path.display().to_string(),
        message: e.to_string(),
    })?;
    let version = table
        .get("version")
        .and_then(toml::Value::as_str)
        .ok_or_else(|| Error::Config {
            file: path.display().to_string(),
            message: "`version` (a string) is missing".into(),
        })?;
    parse(version).map_err(|message| Error::Config {
        file: path.display().to_string(),
        message,
    })?;
    Ok(version.to_owned())
}

/// Rewrites the `version = "..."` line of `path`, keeping its comments.
pub fn write_version(path: &Path, version: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut replaced = false;
    let mut out: Vec<String> = text
        .lines()
        .map(|line| {
            if !replaced && line.trim_start().starts_with("version") {
                replaced = true;
                format!("version = \"{version}\"")
            } else {
                line.to_owned()
            }
        })
        .collect();
    if !replaced {
        out.push(format!("version = \"{version}\""));
    }
    std::fs::write(path, out.join("\n") + "\n").map_err(|e| Error::io(path, e))
}

fn parse(version: &str) -> std::result::Result<(u64, u64, u64), String> {
    let core = version.split(['+', '-']).next().unwrap_or_default();
    let parts: Vec<u64> = core
        .split('.')
        .map(|p| {
            p.parse::<u64>()
                .map_err(|_| format!("`{version}` is not MAJOR.MINOR.PATCH"))
        })
        .collect::<std::result::Result<_, _>>()?;
    match parts.as_slice() {
        [a, b, c] => Ok((*a, *b, *c)),
        _ => Err(format!("`{version}` is not MAJOR.MINOR.PATCH")),
    }
}

/// The version after a change of kind `bump`.
pub fn next_version(current: &str, bump: Bump) -> std::result::Result<String, String> {
    let (major, minor, patch) = parse(current)?;
    Ok(match (major, bump) {
        (0, Bump::Major) => format!("0.{}.0", minor + 1),
        (0, Bump::Minor | Bump::Patch) => format!("0.{minor}.{}", patch + 1),
        (_, Bump::Major) => format!("{}.0.0", major + 1),
        (_, Bump::Minor) => format!("{major}.{}.0", minor + 1),
        (_, Bump::Patch) => format!("{major}.{minor}.{}", patch + 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bumps_follow_cargo_semver() {
        assert_eq!(next_version("0.1.0", Bump::Major).unwrap(), "0.2.0");
        assert_eq!(next_version("0.1.0", Bump::Minor).unwrap(), "0.1.1");
        assert_eq!(next_version("1.4.2", Bump::Major).unwrap(), "2.0.0");
        assert_eq!(next_version("1.4.2", Bump::Minor).unwrap(), "1.5.0");
        assert_eq!(next_version("1.4.2", Bump::Patch).unwrap(), "1.4.3");
        assert!(next_version("1.4", Bump::Patch).is_err());
    }
}
