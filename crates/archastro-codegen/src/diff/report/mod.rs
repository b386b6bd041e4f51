//! Rendering a [`DiffReport`]: plain text (every change), Markdown for the pull-request
//! comment ([`markdown`]: within a size budget), JSON (the documented schema in
//! `docs/api-diff.schema.json`), and GitHub workflow annotations.

mod markdown;

use std::fmt::Write as _;

use super::{Bump, Change, DiffReport, Level};

pub use markdown::{DEFAULT_BUDGET, markdown};

/// Output formats of `cargo xtask diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Github,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "json" => Ok(Format::Json),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format `{other}`: text, markdown, json or github"
            )),
        }
    }
}

/// The report in `format`.
pub fn render(report: &DiffReport, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Markdown => markdown(report, DEFAULT_BUDGET),
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Github => github(report),
    }
}

pub(super) fn bump(b: Bump) -> &'static str {
    match b {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
    }
}

fn counts(report: &DiffReport) -> String {
    format!(
        "{} change(s): {} break Rust callers; wire: {} breaking, {} warning, {} info; generated crates: {} bump",
        report.changes.len(),
        report.changes.iter().filter(|c| c.breaks_rust()).count(),
        report.count(Level::Breaking),
        report.count(Level::Warning),
        report.count(Level::Info),
        bump(report.semver)
    )
}

/// `GET /a, POST /b and 3 more`.
fn operation_list(c: &Change, shown: usize) -> String {
    let mut out: Vec<&str> = c
        .operations
        .iter()
        .take(shown)
        .map(|o| o.operation.as_str())
        .collect();
    let more = c.operations.len().saturating_sub(shown);
    let more = (more > 0).then(|| format!("and {more} more"));
    out.extend(more.as_deref());
    out.join(", ")
}

fn text(report: &DiffReport) -> String {
    let mut out = format!(
        "API diff {} → {}: {}\n",
        report.base,
        report.head,
        counts(report)
    );
    for c in &report.changes {
        let path = if c.path.is_empty() {
            String::new()
        } else {
            format!(" {}", c.path)
        };
        let _ = writeln!(
            out,
            "{:<8} {:<40} {}{path}: {}\n         rust ({}): {}",
            c.level.as_str(),
            c.id,
            c.subject(),
            c.text,
            c.rust_verdict.as_str(),
            c.rust,
        );
        if !c.schema.is_empty() {
            let _ = writeln!(out, "         reached by: {}", operation_list(c, 5));
        }
    }
    for r in &report.semver_reasons {
        let _ = writeln!(out, "semver: {r}");
    }
    out
}

/// `::error title=...::message` lines for GitHub Actions.
fn github(report: &DiffReport) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let property = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for c in &report.changes {
        let command = match c.level {
            Level::Breaking => "error",
            Level::Warning => "warning",
            Level::Info => "notice",
        };
        let _ = writeln!(
            out,
            "::{command} file=spec/openapi.json,title={}::{}",
            property(&format!("{} {}", c.id, c.subject())),
            data(&format!(
                "{} {}: {} (rust, {}: {}; reaches {})",
                c.subject(),
                c.path,
                c.text,
                c.rust_verdict.as_str(),
                c.rust,
                operation_list(c, 3)
            ))
        );
    }
    let _ = writeln!(out, "::notice title=API diff::{}", data(&counts(report)));
    out
}
