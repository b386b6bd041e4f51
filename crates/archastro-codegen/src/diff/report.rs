//! Rendering a [`DiffReport`]: plain text, Markdown for the pull-request comment (counts first,
//! grouped by scope family and endpoint, details collapsible), JSON (the documented schema in
//! `docs/api-diff.schema.json`), and GitHub workflow annotations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Bump, Change, DiffReport, Level};

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
        Format::Markdown => markdown(report),
        Format::Json => serde_json::to_string_pretty(report).unwrap_or_default() + "\n",
        Format::Github => github(report),
    }
}

fn bump(b: Bump) -> &'static str {
    match b {
        Bump::Major => "major",
        Bump::Minor => "minor",
        Bump::Patch => "patch",
    }
}

fn counts(report: &DiffReport) -> String {
    format!(
        "{} breaking, {} warning, {} info; generated crates: {} bump",
        report.count(Level::Breaking),
        report.count(Level::Warning),
        report.count(Level::Info),
        bump(report.semver)
    )
}

fn text(report: &DiffReport) -> String {
    let mut out = format!(
        "API diff {} → {}: {}\n",
        report.base,
        report.head,
        counts(report)
    );
    for c in &report.changes {
        let _ = writeln!(
            out,
            "{:<8} {:<40} {} {}{}: {}\n         rust: {}{}",
            c.level.as_str(),
            c.id,
            c.operation,
            c.path,
            if c.path.is_empty() { "" } else { " " },
            c.text,
            c.rust,
            if c.rust_breaking {
                " [breaks Rust callers]"
            } else {
                ""
            }
        );
    }
    for r in &report.semver_reasons {
        let _ = writeln!(out, "semver: {r}");
    }
    out
}

fn icon(level: Level) -> &'static str {
    match level {
        Level::Breaking => "🔴",
        Level::Warning => "🟡",
        Level::Info => "🟢",
    }
}

/// Markdown table cells must not break the table or inject markup.
fn cell(s: &str) -> String {
    s.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn markdown(report: &DiffReport) -> String {
    let mut out = String::from("<!-- archastro-api-diff -->\n## API changes\n\n");
    let _ = writeln!(
        out,
        "| breaking | warning | info | Rust-breaking | generated crates |\n|---:|---:|---:|---:|---|\n| {} | {} | {} | {} | **{}** |\n",
        report.count(Level::Breaking),
        report.count(Level::Warning),
        report.count(Level::Info),
        report.changes.iter().filter(|c| c.rust_breaking).count(),
        bump(report.semver)
    );
    if report.changes.is_empty() {
        out.push_str("No API changes.\n");
        return out;
    }
    for r in &report.semver_reasons {
        let _ = writeln!(out, "- {}", cell(r));
    }
    out.push('\n');
    let mut by_family: BTreeMap<&str, BTreeMap<&str, Vec<&Change>>> = BTreeMap::new();
    for c in &report.changes {
        by_family
            .entry(&c.family)
            .or_default()
            .entry(&c.operation)
            .or_default()
            .push(c);
    }
    for (family, ops) in by_family {
        let n: usize = ops.values().map(Vec::len).sum();
        let worst = ops
            .values()
            .flatten()
            .map(|c| c.level)
            .max()
            .unwrap_or(Level::Info);
        let _ = writeln!(
            out,
            "### {} `{family}` ({n} change{})\n",
            icon(worst),
            if n == 1 { "" } else { "s" }
        );
        for (operation, changes) in ops {
            let worst = changes.iter().map(|c| c.level).max().unwrap_or(Level::Info);
            let title = if operation.is_empty() {
                "document".to_owned()
            } else {
                format!("`{operation}`")
            };
            let _ = writeln!(
                out,
                "<details{}><summary>{} {title} ({} change{})</summary>\n\n| level | rule | where | change | Rust |\n|---|---|---|---|---|",
                if worst == Level::Breaking {
                    " open"
                } else {
                    ""
                },
                icon(worst),
                changes.len(),
                if changes.len() == 1 { "" } else { "s" }
            );
            for c in changes {
                let _ = writeln!(
                    out,
                    "| {} {} | `{}` | {} | {} | {}{} |",
                    icon(c.level),
                    c.level.as_str(),
                    c.id,
                    if c.path.is_empty() {
                        "".to_owned()
                    } else {
                        format!("`{}`", cell(&c.path))
                    },
                    cell(&c.text),
                    cell(&c.rust),
                    if c.rust_breaking {
                        " **(breaks Rust callers)**"
                    } else {
                        ""
                    }
                );
            }
            out.push_str("\n</details>\n\n");
        }
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
            property(&format!("{} {}", c.id, c.operation)),
            data(&format!(
                "{} {}: {} (rust: {})",
                c.operation, c.path, c.text, c.rust
            ))
        );
    }
    let _ = writeln!(out, "::notice title=API diff::{}", data(&counts(report)));
    out
}
