//! Versions of the generated crates: `spec/release.toml` holds the released version;
//! `cargo xtask release` bumps it by the API diff's verdict (Cargo's semver rules: below 1.0 a
//! breaking change bumps the minor number and anything else the patch number).
//! [`plan`] works out a release without writing anything: the version bump, the CHANGELOG
//! section and the order `cargo publish` uploads the crates in; [`write_changelog`] puts the
//! section at the top of `CHANGELOG.md`, where the release workflow takes it from.

use std::fmt::Write as _;
use std::path::Path;

use crate::diff::{Bump, DiffReport};
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

/// The heading `CHANGELOG.md` starts with.
const CHANGELOG_TITLE: &str = "# Changelog\n";

/// Puts `section` (a [`ReleasePlan::changelog`]) at the top of the changelog at `path`, under
/// its title, newest first; a missing file is started.
pub fn write_changelog(path: &Path, section: &str) -> Result<()> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, e)),
    };
    let earlier = text
        .strip_prefix(CHANGELOG_TITLE)
        .unwrap_or(&text)
        .trim_start();
    let mut out = format!("{CHANGELOG_TITLE}\n{}\n", section.trim_end());
    if !earlier.is_empty() {
        out.push('\n');
        out.push_str(earlier);
    }
    std::fs::write(path, out).map_err(|e| Error::io(path, e))
}

/// Rewrites the version requirement of `dependency` in the manifest at `path` (its
/// `name = { ..., version = "..." }` line) to `version`: a hand-written crate that depends on
/// a generated one (the emulator on the server) follows it at every release, or the workspace
/// stops resolving once the generated crate's version moves past the requirement.
pub fn write_dependency_version(path: &Path, dependency: &str, version: &str) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut replaced = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let is_dependency = line
            .strip_prefix(dependency)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        match line.find("version = \"").filter(|_| is_dependency) {
            Some(at) => {
                let start = at + "version = \"".len();
                let end = line[start..].find('"').map_or(line.len(), |e| start + e);
                out.push_str(&line[..start]);
                out.push_str(version);
                out.push_str(&line[end..]);
                replaced = true;
            }
            None => out.push_str(line),
        }
    }
    if !replaced {
        return Err(Error::Config {
            file: path.display().to_string(),
            message: format!("no `{dependency} = {{ ..., version = \"...\" }}` line to update"),
        });
    }
    std::fs::write(path, out).map_err(|e| Error::io(path, e))
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

/// The published crates, each after the crates it depends on: the server traits use the
/// client's types and the server support crate, and the emulator implements the server traits.
pub const PUBLISH_ORDER: &[&str] = &[
    "archastro-client",
    "archastro-server-support",
    "archastro-server",
    "archastro-emulator",
];

/// What a release would do, worked out without writing a file or building anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleasePlan {
    /// The version in `spec/release.toml`.
    pub current: String,
    /// The version after the release; `None` when the API did not change.
    pub next: Option<String>,
    /// The CHANGELOG section the release writes (empty when the API did not change).
    pub changelog: String,
    /// The crates `cargo publish` uploads, in this order.
    pub publish_order: Vec<&'static str>,
}

/// The release that `report` (the API diff since the last release) calls for, starting from the
/// version recorded in `release_file`. Reads `release_file` and nothing else; writes nothing.
pub fn plan(release_file: &Path, report: &DiffReport) -> Result<ReleasePlan> {
    let current = read_version(release_file)?;
    let next = if report.changes.is_empty() {
        None
    } else {
        Some(
            next_version(&current, report.semver).map_err(|message| Error::Config {
                file: release_file.display().to_string(),
                message,
            })?,
        )
    };
    let changelog = next
        .as_deref()
        .map(|next| changelog_section(next, report))
        .unwrap_or_default();
    Ok(ReleasePlan {
        current,
        next,
        changelog,
        publish_order: PUBLISH_ORDER.to_vec(),
    })
}

/// The CHANGELOG section of version `next`: the verdict, its reasons, then one line a change.
fn changelog_section(next: &str, report: &DiffReport) -> String {
    let mut out = format!(
        "## archastro-client {next}\n\nAPI changes since {}: {} ({} bump).\n",
        report.base,
        report.changes.len(),
        format!("{:?}", report.semver).to_lowercase()
    );
    for reason in &report.semver_reasons {
        let _ = writeln!(out, "\n> {reason}");
    }
    out.push('\n');
    for change in &report.changes {
        let at = if change.path.is_empty() {
            change.subject().to_owned()
        } else {
            format!("{} `{}`", change.subject(), change.path)
        };
        let _ = writeln!(
            out,
            "- **{}** {at}: {} (Rust: {})",
            change.level.as_str(),
            change.text,
            change.rust_verdict.as_str()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Change, Level, RustVerdict};

    /// Every file under `dir` with its bytes, sorted by path.
    fn tree(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(tree(&path));
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
        files.sort();
        files
    }

    fn report_with_one_removal() -> DiffReport {
        DiffReport {
            base: "archastro-client-v0.3.1".into(),
            head: "spec/openapi.json".into(),
            changes: vec![Change {
                id: "response-property-removed".into(),
                level: Level::Breaking,
                rust_verdict: RustVerdict::Breaking,
                schema: "types::User".into(),
                path: "email".into(),
                text: "property removed".into(),
                rust: "field `email` removed".into(),
                operations: Vec::new(),
                fingerprint: "000000000000".into(),
            }],
            semver: Bump::Major,
            semver_reasons: vec!["response-property-removed: field `email` removed".into()],
        }
    }

    #[test]
    fn plan_writes_no_file() {
        let dir =
            std::env::temp_dir().join(format!("archastro-release-plan-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("spec")).unwrap();
        let release_file = dir.join("spec/release.toml");
        std::fs::write(&release_file, "# released version\nversion = \"0.3.1\"\n").unwrap();
        let before = tree(&dir);
        let plan = plan(&release_file, &report_with_one_removal()).unwrap();
        let after = tree(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(before, after);
        assert_eq!(plan.current, "0.3.1");
        assert_eq!(plan.next.as_deref(), Some("0.4.0"));
        assert!(plan.changelog.starts_with("## archastro-client 0.4.0\n"));
        assert!(
            plan.changelog
                .contains("- **breaking** types::User `email`: property removed")
        );
        assert_eq!(plan.publish_order, PUBLISH_ORDER);
    }

    #[test]
    fn the_newest_changelog_section_goes_first() {
        let dir = std::env::temp_dir().join(format!("archastro-changelog-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("CHANGELOG.md");
        write_changelog(&path, "## archastro-client 0.2.0\n\n- one\n").unwrap();
        write_changelog(&path, "## archastro-client 0.3.0\n\n- two\n\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            text,
            "# Changelog\n\n## archastro-client 0.3.0\n\n- two\n\n## archastro-client 0.2.0\n\n- one\n"
        );
    }

    #[test]
    fn plan_without_changes_keeps_the_version() {
        let mut report = report_with_one_removal();
        report.changes.clear();
        let plan = plan(Path::new("/nonexistent/spec/release.toml"), &report).unwrap();
        assert_eq!(plan.current, INITIAL_VERSION);
        assert_eq!(plan.next, None);
        assert!(plan.changelog.is_empty());
    }

    #[test]
    fn a_dependency_requirement_follows_the_release() {
        let dir =
            std::env::temp_dir().join(format!("archastro-release-dep-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        let text = "[dependencies]\narchastro-server-support = { path = \"a\", version = \"0.1.0\" }\narchastro-server = { path = \"b\", version = \"0.1.0\" } # generated\n";
        std::fs::write(&manifest, text).unwrap();
        write_dependency_version(&manifest, "archastro-server", "0.2.0").unwrap();
        assert_eq!(
            std::fs::read_to_string(&manifest).unwrap(),
            text.replace("\"b\", version = \"0.1.0\"", "\"b\", version = \"0.2.0\"")
        );
        assert!(write_dependency_version(&manifest, "serde", "1.0.0").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

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
