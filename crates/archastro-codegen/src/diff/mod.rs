//! `cargo xtask diff`: what changed between two versions of the API, for pull requests.
//!
//! Both sides are normalized with the same families file first, so both dialects compare and
//! the traps of spec-level diffing disappear (an inline schema moved to a `$ref` of the same
//! shape, a parameter moved to path level, reordered enums or keys). Both sides are read as the
//! typed [`model::Api`]: operations are matched by method and path ([`operation`]), their
//! security ([`security`]), parameters and request body ([`request`]) and responses
//! ([`response`]) compared, and schemas compared aspect by aspect after following `$ref`s
//! ([`schema`], reading them through [`shape`]). Every change gets a rule id (oasdiff's where
//! one exists), a level, the generated Rust item it touches and whether it breaks Rust callers
//! even when the wire format does not.

mod operation;
mod report;
mod request;
mod response;
mod schema;
mod security;
mod shape;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::Result;
use crate::families::FamiliesConfig;
use crate::load::Document;
use crate::model;
use crate::normalize::{self, Normalized};

pub use report::{Format, render};

/// How much a change matters to API consumers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Breaking,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Breaking => "breaking",
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Stable rule id (oasdiff's where one exists).
    pub id: String,
    pub level: Level,
    /// The scope family of the operation (head side, base side when removed).
    pub family: String,
    /// `METHOD /path`, or empty for document-level changes.
    pub operation: String,
    /// The operation id (head side, base side when removed).
    #[serde(rename = "operationId")]
    pub operation_id: String,
    /// Where in the operation: `request.query.limit`, `response.200.body.title`, ...
    pub path: String,
    pub text: String,
    /// The generated Rust item it touches and how.
    pub rust: String,
    /// True when it breaks code that calls the generated crate, even if the wire does not.
    pub rust_breaking: bool,
    /// First 12 hex digits of sha256(`id:operation:path:text`).
    pub fingerprint: String,
}

/// The semver step the generated crates need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    Patch,
    Minor,
    Major,
}

/// Everything `cargo xtask diff` reports.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub base: String,
    pub head: String,
    pub changes: Vec<Change>,
    pub semver: Bump,
    /// Why the verdict is what it is.
    pub semver_reasons: Vec<String>,
}

impl DiffReport {
    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level == level).count()
    }

    /// True when some change is at `level` or above.
    pub fn reaches(&self, level: Level) -> bool {
        self.changes.iter().any(|c| c.level >= level)
    }
}

/// Normalizes both documents with `config` and compares them.
pub fn diff_documents(
    base: &Document,
    head: &Document,
    config: &FamiliesConfig,
) -> Result<DiffReport> {
    let base_n = normalize::normalize(base, config)?;
    let head_n = normalize::normalize(head, config)?;
    diff_normalized(&base.origin, &base_n, &head.origin, &head_n)
}

/// Compares two normalized specs; fails when one of them cannot be read as the API model.
pub fn diff_normalized(
    base_name: &str,
    base: &Normalized,
    head_name: &str,
    head: &Normalized,
) -> Result<DiffReport> {
    let (base_api, head_api) = (model::Api::new(base)?, model::Api::new(head)?);
    let mut changes = operation::compare_apis(&base_api, &head_api);
    for c in &mut changes {
        c.fingerprint = fingerprint(c);
    }
    changes.sort_by(|a, b| {
        (&a.family, &a.operation, b.level, &a.id, &a.path, &a.text).cmp(&(
            &b.family,
            &b.operation,
            a.level,
            &b.id,
            &b.path,
            &b.text,
        ))
    });
    changes.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    let (semver, semver_reasons) = verdict(&changes);
    Ok(DiffReport {
        base: base_name.to_owned(),
        head: head_name.to_owned(),
        changes,
        semver,
        semver_reasons,
    })
}

fn fingerprint(c: &Change) -> String {
    let digest =
        Sha256::digest(format!("{}:{}:{}:{}", c.id, c.operation, c.path, c.text).as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn verdict(changes: &[Change]) -> (Bump, Vec<String>) {
    let mut breaking: Vec<&Change> = changes
        .iter()
        .filter(|c| c.level == Level::Breaking || c.rust_breaking)
        .collect();
    // Wire-breaking changes first, then those that only break Rust callers.
    breaking.sort_by_key(|c| std::cmp::Reverse(c.level));
    if !breaking.is_empty() {
        let mut reasons: Vec<String> = breaking
            .iter()
            .take(10)
            .map(|c| {
                format!(
                    "{} ({}): {}",
                    c.id,
                    if c.operation.is_empty() {
                        "document"
                    } else {
                        &c.operation
                    },
                    c.rust
                )
            })
            .collect();
        if breaking.len() > 10 {
            reasons.push(format!("and {} more breaking changes", breaking.len() - 10));
        }
        return (Bump::Major, reasons);
    }
    let additions = changes
        .iter()
        .filter(|c| c.id.contains("added") || c.id.starts_with("new-"))
        .count();
    if additions > 0 {
        return (
            Bump::Minor,
            vec![format!("{additions} additive change(s), nothing breaking")],
        );
    }
    if changes.is_empty() {
        (Bump::Patch, vec!["no API change".into()])
    } else {
        (
            Bump::Patch,
            vec![format!(
                "{} change(s), none breaking or additive",
                changes.len()
            )],
        )
    }
}
