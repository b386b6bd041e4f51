//! The corpus report: each spec's outcome read off its child (ok, error, panic, timeout; with
//! `--build`, whether `cargo clippy` and `cargo doc` accepted the output), the outcomes grouped into classes (a
//! message with its places, names and numbers taken out), totals, Markdown and JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::CorpusOptions;
use super::run::Finished;

/// How the regeneration of one spec ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// The library's error (the spec path taken off the front).
    Error(String),
    /// The child died of a panic or a signal: where, or how.
    Panic(String),
    Timeout,
}

impl Outcome {
    /// Reads the outcome off a finished regen child; `spec` is taken off its error's front.
    pub(super) fn from_child(finished: &Finished, spec: &Path) -> Outcome {
        let Some(status) = finished.status else {
            return Outcome::Timeout;
        };
        if status.success() {
            return Outcome::Ok;
        }
        if status.code() == Some(1) {
            let line = last_line_starting(&finished.stderr, "error: ")
                .unwrap_or_else(|| last_line(&finished.stderr));
            let spec = format!("{}: ", spec.display());
            return Outcome::Error(line.strip_prefix(&spec).unwrap_or(line).to_owned());
        }
        Outcome::Panic(crash(&finished.stderr, status))
    }

    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error(_) => "error",
            Outcome::Panic(_) => "panic",
            Outcome::Timeout => "timeout",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            Outcome::Error(message) | Outcome::Panic(message) => Some(message),
            Outcome::Ok | Outcome::Timeout => None,
        }
    }
}

/// Where a crashed child panicked (`crate-x.y.z/src/file.rs:line`), or how it died.
fn crash(stderr: &str, status: std::process::ExitStatus) -> String {
    if let Some(at) = stderr.lines().find_map(|l| l.split_once("panicked at ")) {
        let location = at.1.trim_end_matches(':');
        return format!("panicked at {}", short_source_path(location));
    }
    if stderr.contains("has overflowed its stack") {
        return "stack overflow".to_owned();
    }
    if let Some(line) = stderr
        .lines()
        .find(|l| l.starts_with("memory allocation of "))
    {
        return line.to_owned();
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => format!("killed ({status})"),
    }
}

/// A source path of a panic location without the cargo registry's directories in front.
fn short_source_path(location: &str) -> &str {
    match location.find("/registry/src/") {
        Some(at) => {
            let rest = &location[at + "/registry/src/".len()..];
            rest.split_once('/').map_or(rest, |(_, path)| path)
        }
        None => location,
    }
}

/// One step of `--build`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildStep {
    /// `cargo clippy -- -D warnings`.
    Clippy,
    /// `cargo doc --no-deps` with `RUSTDOCFLAGS=-D warnings`.
    Doc,
}

impl BuildStep {
    fn name(self) -> &'static str {
        match self {
            BuildStep::Clippy => "cargo clippy",
            BuildStep::Doc => "cargo doc",
        }
    }
}

/// Whether `cargo clippy` and `cargo doc` accepted a generated output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Build {
    Ok,
    /// The step that failed, its first error line (or warning line: the generated crates build
    /// without warnings), or how it ended.
    Failed(String),
}

impl Build {
    pub(super) fn from_child(finished: &Finished, step: BuildStep) -> Build {
        let step = step.name();
        match finished.status {
            Some(status) if status.success() => first_line_starting(&finished.stderr, "warning")
                .map_or(Build::Ok, |warning| {
                    Build::Failed(format!("{step}: {warning}"))
                }),
            Some(status) => {
                Build::Failed(first_line_starting(&finished.stderr, "error").map_or_else(
                    || format!("{step} failed ({status})"),
                    |error| format!("{step}: {error}"),
                ))
            }
            None => Build::Failed(format!("{step} timed out")),
        }
    }
}

/// One spec's result.
#[derive(Debug, Clone)]
pub struct SpecResult {
    pub id: String,
    pub outcome: Outcome,
    /// The child's wall time, start to exit (or kill).
    pub seconds: f64,
    /// `cargo clippy` and `cargo doc` of the output, with `--build` when it generated.
    pub build: Option<Build>,
}

impl SpecResult {
    /// The progress line: id, outcome, time and what went wrong.
    pub(super) fn line(&self) -> String {
        let mut line = format!("{}: {} {:.1} s", self.id, self.outcome.name(), self.seconds);
        if let Some(detail) = self.outcome.detail() {
            let _ = write!(line, ": {detail}");
        }
        match &self.build {
            Some(Build::Ok) => line.push_str("; clippy and rustdoc ok"),
            Some(Build::Failed(message)) => {
                let _ = write!(line, "; build failed: {message}");
            }
            None => {}
        }
        line
    }
}

/// A failure class: the message with its places (JSON pointers), quoted names and numbers
/// replaced, so that one cause on many specs counts once.
pub fn class_of(message: &str) -> String {
    let mut class = String::new();
    let mut rest = message;
    while let Some(c) = rest.chars().next() {
        let tail = &rest[c.len_utf8()..];
        if (c == '#' && tail.starts_with('/')) || (c == '/' && class.is_empty()) {
            // A JSON pointer (or a leading path) runs to the next `: `.
            let end = rest.find(": ").unwrap_or(rest.len());
            class.push('…');
            rest = &rest[end..];
            continue;
        }
        if let Some(close) = matches!(c, '`' | '"').then(|| tail.find(c)).flatten() {
            let _ = write!(class, "{c}…{c}");
            rest = &tail[close + 1..];
            continue;
        }
        if c.is_ascii_digit() {
            if !class.ends_with('N') {
                class.push('N');
            }
        } else {
            class.push(c);
        }
        rest = tail;
    }
    class
}

fn last_line_starting<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines().rev().find_map(|l| l.strip_prefix(prefix))
}

fn first_line_starting<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.lines().find(|l| l.starts_with(prefix))
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("(nothing on stderr)")
}

/// Counts per outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub ok: usize,
    pub error: usize,
    pub panic: usize,
    pub timeout: usize,
    /// With `--build`: outputs `cargo clippy` and `cargo doc` accepted, and outputs they ran on.
    pub build_ok: usize,
    pub built: usize,
}

/// A run's results and settings.
#[derive(Debug, Clone)]
pub struct Summary {
    pub collection: &'static str,
    /// How many specs the collection holds.
    pub corpus_size: usize,
    pub options: CorpusOptions,
    pub results: Vec<SpecResult>,
}

impl Summary {
    pub(super) fn new(
        collection: &'static str,
        corpus_size: usize,
        options: &CorpusOptions,
        results: Vec<SpecResult>,
    ) -> Summary {
        Summary {
            collection,
            corpus_size,
            options: options.clone(),
            results,
        }
    }

    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for result in &self.results {
            match result.outcome {
                Outcome::Ok => totals.ok += 1,
                Outcome::Error(_) => totals.error += 1,
                Outcome::Panic(_) => totals.panic += 1,
                Outcome::Timeout => totals.timeout += 1,
            }
            if let Some(build) = &result.build {
                totals.built += 1;
                totals.build_ok += usize::from(*build == Build::Ok);
            }
        }
        totals
    }

    /// The failure classes (regen and build), most frequent first: (kind, class, specs).
    fn classes(&self) -> Vec<(&'static str, String, Vec<&str>)> {
        let mut classes: BTreeMap<(&'static str, String), Vec<&str>> = BTreeMap::new();
        for result in &self.results {
            let failure = match (&result.outcome, &result.build) {
                (Outcome::Ok, Some(Build::Failed(message))) => Some(("build", message.as_str())),
                (outcome, _) => outcome.detail().map(|d| (outcome.name(), d)),
            };
            let key = match (failure, &result.outcome) {
                (Some((kind, message)), _) => (kind, class_of(message)),
                (None, Outcome::Timeout) => ("timeout", String::new()),
                (None, _) => continue,
            };
            classes.entry(key).or_default().push(&result.id);
        }
        let mut classes: Vec<_> = classes
            .into_iter()
            .map(|((kind, class), ids)| (kind, class, ids))
            .collect();
        classes.sort_by(|a, b| b.2.len().cmp(&a.2.len()).then_with(|| a.0.cmp(b.0)));
        classes
    }

    /// What was run: how many specs, picked how, with which timeout.
    fn scope(&self) -> String {
        let o = &self.options;
        let picked = match o.sample {
            Some(_) => format!(" (a sample, seed {})", o.seed),
            None => String::new(),
        };
        format!(
            "{} of the {} specs of `{}`{picked}, each with every path in one family; timeout {} s{}.",
            self.results.len(),
            self.corpus_size,
            self.collection,
            o.timeout_secs,
            if o.build {
                "; `cargo clippy` and `cargo doc` on each output, warnings denied"
            } else {
                ""
            }
        )
    }

    pub fn markdown(&self) -> String {
        let t = self.totals();
        let n = self.results.len().max(1) as f64;
        let share = |k: usize| format!("{:.1}%", 100.0 * k as f64 / n);
        let mut md = format!("# Corpus: `{}`\n\n{}\n\n", self.collection, self.scope());
        md.push_str("| outcome | specs | share |\n|---|---|---|\n");
        for (name, count) in [
            ("ok", t.ok),
            ("error", t.error),
            ("panic", t.panic),
            ("timeout", t.timeout),
        ] {
            let _ = writeln!(md, "| {name} | {count} | {} |", share(count));
        }
        let _ = writeln!(md, "| total | {} | |", self.results.len());
        if self.options.build {
            let _ = writeln!(
                md,
                "\n`cargo clippy` and `cargo doc` accepted {} of the {} generated outputs.",
                t.build_ok, t.built
            );
        }
        let _ = writeln!(md, "\n{}", self.timing());
        let classes = self.classes();
        if !classes.is_empty() {
            md.push_str("\n## Failure classes, most frequent first\n\n| kind | class | specs | for example |\n|---|---|---|---|\n");
            for (kind, class, ids) in &classes {
                let examples: Vec<_> = ids.iter().take(3).map(|id| format!("`{id}`")).collect();
                let _ = writeln!(
                    md,
                    "| {kind} | {} | {} | {} |",
                    cell(class),
                    ids.len(),
                    examples.join(", ")
                );
            }
            md.push_str("\n## Every failure\n\n");
            for result in self
                .results
                .iter()
                .filter(|r| r.outcome != Outcome::Ok || matches!(r.build, Some(Build::Failed(_))))
            {
                let _ = writeln!(md, "- {}", result.line());
            }
        }
        md
    }

    /// The median and slowest regeneration times of the specs that generated.
    fn timing(&self) -> String {
        let mut times: Vec<f64> = self
            .results
            .iter()
            .filter(|r| r.outcome == Outcome::Ok)
            .map(|r| r.seconds)
            .collect();
        times.sort_by(f64::total_cmp);
        let Some(slowest) = times.last() else {
            return "No spec generated.".to_owned();
        };
        let slowest_id = self
            .results
            .iter()
            .filter(|r| r.outcome == Outcome::Ok)
            .max_by(|a, b| a.seconds.total_cmp(&b.seconds))
            .map_or("", |r| r.id.as_str());
        format!(
            "Regeneration time of the specs that generated: median {:.2} s, slowest {slowest:.1} s (`{slowest_id}`).",
            times[times.len() / 2]
        )
    }

    pub fn to_json(&self) -> Value {
        let t = self.totals();
        let o = &self.options;
        json!({
            "collection": self.collection,
            "corpus_size": self.corpus_size,
            "sample": o.sample,
            "seed": o.sample.map(|_| o.seed),
            "timeout_secs": o.timeout_secs,
            "build": o.build,
            "totals": {
                "specs": self.results.len(),
                "ok": t.ok, "error": t.error, "panic": t.panic, "timeout": t.timeout,
                "build_ok": o.build.then_some(t.build_ok),
                "built": o.build.then_some(t.built),
            },
            "classes": self.classes().iter().map(|(kind, class, ids)| json!({
                "kind": kind, "class": class, "count": ids.len(), "specs": ids,
            })).collect::<Vec<_>>(),
            "specs": self.results.iter().map(|r| json!({
                "id": r.id,
                "outcome": r.outcome.name(),
                "detail": r.outcome.detail(),
                "seconds": (r.seconds * 1000.0).round() / 1000.0,
                "build": r.build.as_ref().map(|b| match b {
                    Build::Ok => json!("ok"),
                    Build::Failed(message) => json!({"failed": message}),
                }),
            })).collect::<Vec<_>>(),
        })
    }

    /// Writes `summary.md` and `summary.json` into `dir`.
    pub(super) fn write(&self, dir: &Path) -> Result<()> {
        let md = dir.join("summary.md");
        std::fs::write(&md, self.markdown())
            .with_context(|| format!("writing {}", md.display()))?;
        let json = dir.join("summary.json");
        let text = serde_json::to_string_pretty(&self.to_json())? + "\n";
        std::fs::write(&json, text).with_context(|| format!("writing {}", json.display()))?;
        Ok(())
    }
}

/// Text in a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_leaves_out_pointers_names_and_numbers() {
        assert_eq!(
            class_of(
                "#/paths/~1a~1{id}/get/requestBody: media type `application/xml` (3 of 12) is not supported"
            ),
            "…: media type `…` (N of N) is not supported"
        );
        assert_eq!(
            class_of("/tmp/x.json: #/components/schemas/A: value \"1.5\" does not fit"),
            "…: …: value \"…\" does not fit"
        );
    }

    #[test]
    fn a_panic_location_drops_the_registry_directories() {
        assert_eq!(
            short_source_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/typify-impl-0.8.0/src/convert.rs:788:17"
            ),
            "typify-impl-0.8.0/src/convert.rs:788:17"
        );
        assert_eq!(
            short_source_path("xtask/src/main.rs:3:1"),
            "xtask/src/main.rs:3:1"
        );
    }
}
