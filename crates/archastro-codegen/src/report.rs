//! What normalization did, rule by rule: a one-screen summary for `cargo xtask regen`, and every
//! rule application for `--verbose`. Entries are kept in the order the rules ran, which is
//! deterministic, so the report itself is stable and can be snapshot-tested.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How much an entry matters to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// A mechanical rewrite (3.1 → 3.0 conversion, `:param` → `{param}`, ...).
    Info,
    /// Something a spec author should fix or know: a guess, a drop, a rename.
    Warning,
}

/// One application of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub level: Level,
    /// Stable rule id, such as `operation-id-derived` or `path-dropped-internal`.
    pub rule: &'static str,
    /// Where in the input document it applied.
    pub pointer: String,
    pub message: String,
}

/// Per-family counts, filled in when the families are split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyStats {
    pub name: String,
    pub operations: usize,
    pub schemas: usize,
}

/// The full report of one normalization.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub entries: Vec<Entry>,
    pub families: Vec<FamilyStats>,
}

/// Rules whose every application is listed in the summary, not only counted.
const LISTED_RULES: &[&str] = &[
    "operation-id-derived",
    "operation-id-from-sdk-name",
    "operation-id-collision",
    "path-dropped-internal",
    "resource-name-collision",
];

impl Report {
    pub(crate) fn info(
        &mut self,
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Level::Info, rule, pointer, message);
    }

    pub(crate) fn warn(
        &mut self,
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Level::Warning, rule, pointer, message);
    }

    fn push(
        &mut self,
        level: Level,
        rule: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.entries.push(Entry {
            level,
            rule,
            pointer: pointer.into(),
            message: message.into(),
        });
    }

    /// Entries of one rule.
    pub fn by_rule<'a>(&'a self, rule: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.rule == rule)
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.level == Level::Warning)
    }

    /// The one-screen summary: counts per family and per rule, the renames and drops, and
    /// the warnings (the first 20, then a count).
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for f in &self.families {
            let _ = writeln!(
                out,
                "  {:<12} {:>4} operations  {:>4} schemas",
                f.name, f.operations, f.schemas
            );
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for e in &self.entries {
            *counts.entry(e.rule).or_default() += 1;
        }
        if !counts.is_empty() {
            let _ = writeln!(out, "  rules applied:");
            for (rule, n) in &counts {
                let _ = writeln!(out, "    {rule:<40} {n:>5}");
            }
        }
        for rule in LISTED_RULES {
            let listed: Vec<&Entry> = self.by_rule(rule).collect();
            if listed.is_empty() {
                continue;
            }
            let _ = writeln!(out, "  {rule}:");
            for e in listed.iter().take(12) {
                let _ = writeln!(out, "    {}", e.message);
            }
            if listed.len() > 12 {
                let _ = writeln!(
                    out,
                    "    ... and {} more (--verbose lists them all)",
                    listed.len() - 12
                );
            }
        }
        let warnings: Vec<&Entry> = self
            .warnings()
            .filter(|e| !LISTED_RULES.contains(&e.rule))
            .collect();
        if !warnings.is_empty() {
            let _ = writeln!(out, "  warnings ({}):", warnings.len());
            for e in warnings.iter().take(20) {
                let _ = writeln!(out, "    {}: {}", e.pointer, e.message);
            }
            if warnings.len() > 20 {
                let _ = writeln!(
                    out,
                    "    ... and {} more (--verbose lists them all)",
                    warnings.len() - 20
                );
            }
        }
        out
    }

    /// Every entry, one per line: `level rule pointer: message`.
    pub fn verbose(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            let level = match e.level {
                Level::Info => "info",
                Level::Warning => "warn",
            };
            let _ = writeln!(out, "  {level} {:<32} {}: {}", e.rule, e.pointer, e.message);
        }
        out
    }
}

/// A value as an error message quotes it: its JSON text, cut after 60 bytes (without
/// writing the rest: a value that fails an alternative may be large).
pub(crate) fn short_json(value: &serde_json::Value) -> String {
    /// Takes bytes up to its limit, then refuses more.
    struct Bounded(Vec<u8>);
    impl std::io::Write for Bounded {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = 61usize.saturating_sub(self.0.len());
            if room == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            let taken = buf.len().min(room);
            self.0.extend_from_slice(&buf[..taken]);
            Ok(taken)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Bounded(Vec::new());
    let complete = serde_json::to_writer(&mut out, value).is_ok() && out.0.len() <= 60;
    let mut text = String::from_utf8_lossy(&out.0[..out.0.len().min(60)]).into_owned();
    if !complete {
        // A multi-byte character cut in two reads as U+FFFD; drop it.
        text = text.trim_end_matches('\u{FFFD}').to_owned();
        text.push_str("...");
    }
    text
}
