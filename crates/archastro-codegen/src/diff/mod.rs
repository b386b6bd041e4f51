//! `cargo xtask diff`: what changed between two versions of the API, for pull requests.
//!
//! Both sides are normalized with the same families file first, so both dialects compare and
//! the traps of spec-level diffing disappear (an inline schema moved to a `$ref` of the same
//! shape, a parameter moved to path level, reordered enums or keys). Both sides are read as the
//! typed [`model::Api`]: operations are matched by method and route ([`operation`]), their
//! security ([`security`]), parameters and request body ([`request`]) and responses
//! ([`response`]) compared, and schemas compared aspect by aspect after following `$ref`s
//! ([`schema`], [`alternative`], [`property`], reading them through [`shape`] and
//! [`rust_type`]).
//!
//! **One change, one entry.** A change inside a component schema is found once, in the
//! schema's own scope, and reported once, at the schema (`types::User`, path `email`), with
//! every operation that reaches the schema; a change of an operation itself (its parameters,
//! security, statuses, or a schema written inline in it) is reported at the operation
//! ([`collect`]).
//!
//! **Two verdicts.** Every change has a rule id (oasdiff's where one exists) and two verdicts:
//! - the wire [`Level`], oasdiff's, for clients in any language;
//! - the [`RustVerdict`]: what upgrading the generated crate does to code written against the
//!   previous one. The generated Rust types are read as typify writes them ([`rust_type`],
//!   held against the generated client by the tests), so a change whose generated type is the
//!   same (a property that became nullable but already was an `Option`, `integer` that became
//!   `integer(int64)`) is `unchanged`: it stays visible at its wire level but does not decide
//!   the crates' semver step.
//!
//! **Adding a field.** typify's structs are not `#[non_exhaustive]`, and every struct a
//! request body reaches has a builder (`types::X::builder()`). A new optional request property
//! or any new response property therefore breaks only code that names every field of the
//! struct (a struct literal, a pattern without `..`): its verdict is `struct-literals`, an
//! addition (minor), never in the headline. A new required request property is breaking: the
//! builder fails until it is set.
//!
//! **Semver.** Major when a change breaks Rust callers, minor when one adds to the crate (an
//! operation, a setter, a field, a variant), patch otherwise. Wire-breaking changes that leave
//! the crate's Rust as it was (a tightened bound, a new scope) do not bump the crates; they are
//! reported at their wire level and fail `--fail-on breaking`.
//!
//! The [`report`] renders it: text, JSON (`docs/api-diff.schema.json`), GitHub annotations,
//! and the pull-request comment within its size budget.

mod alternative;
mod collect;
mod operation;
mod property;
mod report;
mod request;
mod response;
mod rust_type;
mod schema;
mod security;
mod shape;

use serde::Serialize;

use crate::Result;
use crate::families::FamiliesConfig;
use crate::load::Document;
use crate::model;
use crate::normalize::{self, Normalized};

pub use report::{DEFAULT_BUDGET, Format, markdown, render};
pub use rust_type::{INLINE_ENUM, INLINE_STRUCT, predicted_fields};

/// How much a change matters on the wire, to clients in any language (oasdiff's levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
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

/// What upgrading the generated crate does to code written against the previous one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RustVerdict {
    /// The generated Rust is the same where the change is, and already accepts the new data
    /// (`Option<String>` stays `Option<String>`): Rust callers are not affected.
    Unchanged,
    /// Code keeps compiling and the crate behaves the same for it: something was added, or
    /// only the server changed (the wire level says whether calls are affected).
    Compatible,
    /// Only code that names every field of a generated struct breaks: struct literals and
    /// struct patterns without `..`. Builders (`types::X::builder()`), field reads and
    /// patterns with `..` keep working.
    StructLiterals,
    /// Code stops compiling, or the crate handles the same calls and data differently.
    Breaking,
}

impl RustVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            RustVerdict::Unchanged => "unchanged",
            RustVerdict::Compatible => "compatible",
            RustVerdict::StructLiterals => "struct-literals",
            RustVerdict::Breaking => "breaking",
        }
    }
}

/// An operation a change reaches.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct OperationRef {
    /// The scope family of the operation (head side, base side when removed).
    pub family: String,
    /// `METHOD /path`.
    pub operation: String,
    /// The operation id (head side, base side when removed).
    #[serde(rename = "operationId")]
    pub operation_id: String,
}

/// One classified change, reported once where it is: in a component schema (and then listed
/// with every operation that reaches the schema) or in one operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Stable rule id (oasdiff's where one exists).
    pub id: String,
    /// The wire verdict.
    pub level: Level,
    /// The Rust verdict.
    pub rust_verdict: RustVerdict,
    /// The generated type of the component schema the change is in (`types::User`); empty
    /// for a change of the operation itself (its parameters, security, statuses, or a schema
    /// written inline in it).
    pub schema: String,
    /// Where: in the schema (`email`, `members[].role`; empty for the schema itself) or in the
    /// operation (`request.query.limit`, `response.200.body`).
    pub path: String,
    pub text: String,
    /// The generated Rust item it touches and how.
    pub rust: String,
    /// Every operation that reaches the change, sorted.
    pub operations: Vec<OperationRef>,
    /// First 12 hex digits of sha256(`id:subject:path:text`), the subject being the schema or
    /// else the operation.
    pub fingerprint: String,
}

impl Change {
    /// Where the change is: the schema, else the operation.
    pub fn subject(&self) -> &str {
        if !self.schema.is_empty() {
            &self.schema
        } else {
            self.operations.first().map_or("", |o| o.operation.as_str())
        }
    }

    /// Whether it breaks code written against the previous generated crate.
    pub fn breaks_rust(&self) -> bool {
        self.rust_verdict == RustVerdict::Breaking
    }

    /// Whether it breaks existing clients on the wire (Rust callers too, at run time) while
    /// Rust code still compiles: not a change the generated Rust already absorbs.
    pub fn breaks_wire_only(&self) -> bool {
        self.level == Level::Breaking
            && matches!(
                self.rust_verdict,
                RustVerdict::Compatible | RustVerdict::StructLiterals
            )
    }
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

/// The Rust type the generated client gives a value of `schema` (resolved in `doc`), as the
/// diff predicts typify's choice: `types::Name` for a component, `i32`, `f32`,
/// `std::num::NonZeroU64`, `String`...
pub(crate) fn generated_type(doc: &serde_json::Value, schema: &serde_json::Value) -> String {
    rust_type::value_type(shape::Side { doc, schema })
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
    let changes = operation::compare_apis(&base_api, &head_api);
    let (semver, semver_reasons) = verdict(&changes);
    Ok(DiffReport {
        base: base_name.to_owned(),
        head: head_name.to_owned(),
        changes,
        semver,
        semver_reasons,
    })
}

/// The most changes a verdict names before it counts the rest.
const REASONS: usize = 10;

/// The crates' semver step, from the Rust verdicts alone: major when something breaks Rust
/// callers, minor when something is added, patch otherwise.
fn verdict(changes: &[Change]) -> (Bump, Vec<String>) {
    let wire_only = changes
        .iter()
        .filter(|c| c.level == Level::Breaking && !c.breaks_rust())
        .count();
    let wire_note = (wire_only > 0).then(|| {
        format!("{wire_only} change(s) break the wire but not the generated Rust; they do not decide the version")
    });
    let mut breaking: Vec<&Change> = changes.iter().filter(|c| c.breaks_rust()).collect();
    if !breaking.is_empty() {
        breaking.sort_by_key(|c| std::cmp::Reverse(c.operations.len()));
        let mut reasons: Vec<String> = breaking
            .iter()
            .take(REASONS)
            .map(|c| format!("{} ({}): {}", c.id, reach(c), c.rust))
            .collect();
        if breaking.len() > REASONS {
            reasons.push(format!(
                "and {} more changes that break Rust callers",
                breaking.len() - REASONS
            ));
        }
        reasons.extend(wire_note);
        return (Bump::Major, reasons);
    }
    let additions = changes.iter().filter(|c| is_addition(c)).count();
    let (bump, first) = if additions > 0 {
        (
            Bump::Minor,
            format!("{additions} additive change(s), nothing breaks Rust callers"),
        )
    } else if changes.is_empty() {
        (Bump::Patch, "no API change".into())
    } else {
        (
            Bump::Patch,
            format!(
                "{} change(s), none breaking Rust callers or additive",
                changes.len()
            ),
        )
    };
    (bump, std::iter::once(first).chain(wire_note).collect())
}

/// Rules that add something to the generated crate: a method, a setter, a variant, a
/// media type or status it accepts, a security scheme.
const ADDITIONS: [&str; 8] = [
    "endpoint-added",
    "new-optional-request-parameter",
    "request-body-added-optional",
    "media-type-added",
    "status-added",
    "enum-value-added",
    "one-of-added",
    "api-security-added",
];

/// Something new in the generated crate that breaks no Rust caller (a new struct field only
/// breaks struct literals).
fn is_addition(c: &Change) -> bool {
    match c.rust_verdict {
        RustVerdict::StructLiterals => true,
        RustVerdict::Compatible => ADDITIONS.iter().any(|a| c.id.ends_with(a)),
        RustVerdict::Unchanged | RustVerdict::Breaking => false,
    }
}

/// `types::User (12 operations)` or the operation itself.
fn reach(c: &Change) -> String {
    match (c.schema.is_empty(), c.operations.len()) {
        (true, _) => c.subject().to_owned(),
        (false, 1) => format!("{}, 1 operation", c.schema),
        (false, n) => format!("{}, {n} operations", c.schema),
    }
}
