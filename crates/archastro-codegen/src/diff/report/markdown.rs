//! The pull-request comment, always within a size budget (GitHub refuses comments over 65,536
//! characters).
//!
//! Changes are grouped into entries: one subject (a schema or an operation), one rule, one
//! Rust verdict, with every field or place it concerns. The comment has, in this order:
//! - the counts of changes per family, Rust verdict and wire level (a schema's change counts in
//!   every family whose operations reach it);
//! - the headline: the entries that break Rust callers, then those that break the wire while
//!   Rust code still compiles, each ordered by how many operations it reaches, in full;
//! - every other entry, one table row each, grouped by family (a schema's entries under the
//!   shared types) in collapsed `<details>`;
//! - when the budget runs out, how many entries and changes are left out, and where all of
//!   them are (the JSON artifact and the job summary of the workflow run).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::super::{Change, DiffReport, Level, RustVerdict};
use super::bump;

/// The comment's size limit in bytes (so in characters too), below GitHub's 65,536.
pub const DEFAULT_BUDGET: usize = 60_000;

/// Entries of each headline section shown in full.
const HEADLINE_ENTRIES: usize = 20;
/// Changes listed under one headline entry.
const ENTRY_CHANGES: usize = 6;
/// The longest text of one cell or line, in bytes.
const CELL: usize = 300;
/// Families of the counts table (the rest share one row).
const FAMILY_ROWS: usize = 30;
/// Room kept for the line that says what was left out.
const TRAILER: usize = 400;

/// Changes of one subject, rule and Rust verdict.
struct Entry<'r> {
    /// `types::User`, or `GET /api/v1/users`.
    subject: &'r str,
    id: &'r str,
    level: Level,
    verdict: RustVerdict,
    changes: Vec<&'r Change>,
    /// How many distinct operations its changes reach.
    reach: usize,
    /// The family of an operation's entry; `None` for a schema's.
    family: Option<&'r str>,
}

impl Entry<'_> {
    /// How much the entry matters to a reader of the Rust crate, most first: breaks Rust
    /// callers; breaks them on the wire; may break them (warning); adds a field; adds
    /// something else; nothing for Rust (the generated type already absorbs it).
    fn rank(&self) -> u8 {
        match (self.verdict, self.level) {
            (RustVerdict::Breaking, _) => 0,
            (RustVerdict::Unchanged, _) => 5,
            (_, Level::Breaking) => 1,
            (_, Level::Warning) => 2,
            (RustVerdict::StructLiterals, _) => 3,
            (RustVerdict::Compatible, _) => 4,
        }
    }

    fn icon(&self) -> &'static str {
        ["🔴", "🟠", "🟡", "🟢", "🟢", "⚪"][usize::from(self.rank())]
    }

    /// Most important first: rank, reach, then subject and rule.
    fn severity(&self) -> impl Ord + '_ {
        (
            self.rank(),
            std::cmp::Reverse(self.reach),
            self.subject,
            self.id,
        )
    }

    fn reach_text(&self) -> String {
        match (self.family, self.reach) {
            (Some(family), _) => format!("`{}`", code(family)),
            (None, 1) => "1 operation".into(),
            (None, n) => format!("{n} operations"),
        }
    }
}

/// The report's changes as entries, in report order.
fn entries(report: &DiffReport) -> Vec<Entry<'_>> {
    let mut groups: BTreeMap<(&str, &str, RustVerdict), Vec<&Change>> = BTreeMap::new();
    for c in &report.changes {
        groups
            .entry((c.subject(), &c.id, c.rust_verdict))
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|((subject, id, verdict), changes)| {
            let reached: BTreeSet<&str> = changes
                .iter()
                .flat_map(|c| c.operations.iter().map(|o| o.operation.as_str()))
                .collect();
            let first = changes[0];
            Entry {
                subject,
                id,
                level: changes.iter().map(|c| c.level).max().unwrap_or(Level::Info),
                verdict,
                reach: reached.len(),
                family: first
                    .schema
                    .is_empty()
                    .then(|| first.operations.first().map(|o| o.family.as_str()))
                    .flatten(),
                changes,
            }
        })
        .collect()
}

/// `s` cut to at most [`CELL`] bytes (at a character boundary), with `…` when cut.
fn fitted(s: &str) -> String {
    if s.len() <= CELL {
        return s.to_owned();
    }
    let mut end = CELL - 3;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Text that cannot break a table, a list or inject markup: outside its code spans `<` and
/// `>` are entities (inside, they are shown as they are), and pipes are escaped everywhere.
fn cell(s: &str) -> String {
    let text = fitted(s).replace(['\n', '\r'], " ").replace('|', "\\|");
    let spans: Vec<&str> = text.split('`').collect();
    let balanced = spans.len() % 2 == 1;
    spans
        .iter()
        .enumerate()
        .map(|(i, span)| {
            let in_code = i % 2 == 1 && (balanced || i + 1 < spans.len());
            if in_code {
                (*span).to_owned()
            } else {
                span.replace('<', "&lt;").replace('>', "&gt;")
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// The inside of a code span (no backticks, no line breaks, no table pipes).
fn code(s: &str) -> String {
    fitted(s)
        .replace('`', "'")
        .replace(['\n', '\r'], " ")
        .replace('|', "\\|")
}

/// The comment for `report`, at most `budget` bytes long.
pub fn markdown(report: &DiffReport, budget: usize) -> String {
    let mut out = Budget::new(budget);
    out.push(&summary(report));
    if report.changes.is_empty() {
        return out.text;
    }
    let all = entries(report);
    let mut shown = vec![false; all.len()];
    headline(&mut out, &all, &mut shown);
    rest(&mut out, &all, &mut shown);
    out.text
}

/// Text that grows only while it fits its budget (less the room kept for the trailer).
struct Budget {
    text: String,
    limit: usize,
}

impl Budget {
    fn new(limit: usize) -> Budget {
        Budget {
            text: String::new(),
            limit,
        }
    }

    /// What may still be added before the trailer's room.
    fn room(&self) -> usize {
        self.limit
            .saturating_sub(TRAILER)
            .saturating_sub(self.text.len())
    }

    /// Adds `block` when it fits; false when it does not.
    fn push(&mut self, block: &str) -> bool {
        let fits = block.len() <= self.room();
        if fits {
            self.text.push_str(block);
        }
        fits
    }

    /// Adds the trailer, which the room kept for it always holds.
    fn finish(&mut self, trailer: &str) {
        if self.text.len() + trailer.len() <= self.limit {
            self.text.push_str(trailer);
        }
    }
}

/// The title, the verdicts and the counts table.
fn summary(report: &DiffReport) -> String {
    let mut out = String::from("<!-- archastro-api-diff -->\n## API changes\n\n");
    let _ = writeln!(out, "`{}` → `{}`\n", code(&report.base), code(&report.head));
    if report.changes.is_empty() {
        out.push_str("No API changes.\n");
        return out;
    }
    let count = |f: &dyn Fn(&Change) -> bool| report.changes.iter().filter(|c| f(c)).count();
    let _ = writeln!(
        out,
        "**{} changes** · **{}** break Rust callers · **{}** break the wire while Rust code compiles · {} break the wire but leave the generated Rust unchanged · generated crates: **{}** bump\n",
        report.changes.len(),
        count(&|c| c.breaks_rust()),
        count(&|c| c.breaks_wire_only()),
        count(&|c| c.level == Level::Breaking && c.rust_verdict == RustVerdict::Unchanged),
        bump(report.semver),
    );
    out.push_str(&counts_table(report));
    out
}

/// Counts per family, Rust verdict and wire level.
fn counts_table(report: &DiffReport) -> String {
    let mut per_family: BTreeMap<&str, [usize; 7]> = BTreeMap::new();
    let mut all = [0; 7];
    for c in &report.changes {
        let families: BTreeSet<&str> = c.operations.iter().map(|o| o.family.as_str()).collect();
        for family in families {
            tally(per_family.entry(family).or_default(), c);
        }
        tally(&mut all, c);
    }
    let mut rows: Vec<(&str, [usize; 7])> = per_family.into_iter().collect();
    rows.sort_by_key(|(family, n)| (std::cmp::Reverse(n.iter().sum::<usize>()), *family));
    let mut out = String::from(
        "| family | Rust: breaking | struct literals | compatible | unchanged | wire: breaking | warning | info |\n|---|--:|--:|--:|--:|--:|--:|--:|\n",
    );
    let row = |out: &mut String, name: &str, n: &[usize; 7]| {
        let cells: Vec<String> = n.iter().map(usize::to_string).collect();
        let _ = writeln!(out, "| {name} | {} |", cells.join(" | "));
    };
    for (family, n) in rows.iter().take(FAMILY_ROWS) {
        row(&mut out, &format!("`{}`", code(family)), n);
    }
    if rows.len() > FAMILY_ROWS {
        let mut others = [0; 7];
        for (_, n) in &rows[FAMILY_ROWS..] {
            for (o, v) in others.iter_mut().zip(n) {
                *o += v;
            }
        }
        row(
            &mut out,
            &format!("{} other families", rows.len() - FAMILY_ROWS),
            &others,
        );
    }
    row(&mut out, "**all**", &all);
    out.push_str(
        "\n_A change in a shared schema counts in every family whose operations reach it, and once in **all**._\n\n",
    );
    out
}

/// Adds `c` to counts ordered as the table's columns.
fn tally(n: &mut [usize; 7], c: &Change) {
    let rust = match c.rust_verdict {
        RustVerdict::Breaking => 0,
        RustVerdict::StructLiterals => 1,
        RustVerdict::Compatible => 2,
        RustVerdict::Unchanged => 3,
    };
    let wire = match c.level {
        Level::Breaking => 4,
        Level::Warning => 5,
        Level::Info => 6,
    };
    n[rust] += 1;
    n[wire] += 1;
}

/// The two headline sections, each entry in full while it fits.
fn headline(out: &mut Budget, all: &[Entry], shown: &mut [bool]) {
    // The entries of rank 0 and 1 (see `Entry::rank`).
    let sections = [
        ("🔴 Breaks Rust callers", 0),
        ("🟠 Breaks the wire (Rust code still compiles)", 1),
    ];
    for (title, rank) in sections {
        let mut picked: Vec<usize> = (0..all.len()).filter(|&i| all[i].rank() == rank).collect();
        if picked.is_empty() {
            continue;
        }
        picked.sort_by(|&a, &b| {
            (std::cmp::Reverse(all[a].reach), all[a].subject, all[a].id).cmp(&(
                std::cmp::Reverse(all[b].reach),
                all[b].subject,
                all[b].id,
            ))
        });
        let count = plural(picked.len(), "entry", "entries");
        if !out.push(&format!("### {title} ({count})\n\n")) {
            return;
        }
        for &i in picked.iter().take(HEADLINE_ENTRIES) {
            if out.push(&full_entry(&all[i])) {
                shown[i] = true;
            }
        }
        out.push("\n");
    }
}

/// A headline entry: its subject, rule and reach, then its changes.
fn full_entry(entry: &Entry) -> String {
    let mut out = format!(
        "- {} **`{}`** · `{}` · {}\n",
        entry.icon(),
        code(entry.subject),
        code(entry.id),
        entry.reach_text()
    );
    for c in entry.changes.iter().take(ENTRY_CHANGES) {
        let place = if c.path.is_empty() {
            String::new()
        } else {
            format!("`{}`: ", code(&c.path))
        };
        let _ = writeln!(out, "  - {place}{} — `{}`", cell(&c.text), code(&c.rust));
    }
    if entry.changes.len() > ENTRY_CHANGES {
        let _ = writeln!(out, "  - and {} more", entry.changes.len() - ENTRY_CHANGES);
    }
    out
}

/// Every entry the headline did not show, one row each, grouped in collapsed sections (the
/// most important rows first while they fit the budget); then what did not fit.
fn rest(out: &mut Budget, all: &[Entry], shown: &mut [bool]) {
    let mut candidates: Vec<usize> = (0..all.len()).filter(|&i| !shown[i]).collect();
    candidates.sort_by(|&a, &b| all[a].severity().cmp(&all[b].severity()));
    let heading = "### Everything else\n\n";
    let picked = pick_rows(all, &candidates, out.room().saturating_sub(heading.len()));
    if !picked.groups.is_empty() {
        out.push(heading);
    }
    for (&key, members) in &picked.groups {
        let total = candidates
            .iter()
            .filter(|&&i| group_key(&all[i]) == key)
            .count();
        if group(out, key, members, total, &picked.rows, all) {
            members.iter().for_each(|&i| shown[i] = true);
        }
    }
    let left: Vec<&Entry> = (0..all.len())
        .filter(|&i| !shown[i])
        .map(|i| &all[i])
        .collect();
    if !left.is_empty() {
        let changes: usize = left.iter().map(|e| e.changes.len()).sum();
        out.finish(&format!(
            "\n_{} ({changes} changes) left out to fit this comment. The `api-diff` JSON artifact and the job summary of this workflow run hold every change._\n",
            plural(left.len(), "entry", "entries")
        ));
    }
}

/// The rows chosen for the collapsed groups, by group.
struct Picked<'r> {
    groups: BTreeMap<(bool, &'r str), Vec<usize>>,
    rows: BTreeMap<usize, String>,
}

/// The rows of `candidates` (most important first) that fit in `room` with their groups'
/// frames.
fn pick_rows<'r>(all: &[Entry<'r>], candidates: &[usize], mut room: usize) -> Picked<'r> {
    let mut picked = Picked {
        groups: BTreeMap::new(),
        rows: BTreeMap::new(),
    };
    let mut misses = 0;
    for &i in candidates {
        if room < MIN_ROW || misses == MISSES {
            break;
        }
        let key = group_key(&all[i]);
        let row = row(&all[i], key.0);
        let frame = if picked.groups.contains_key(&key) {
            0
        } else {
            FRAME + key.1.len()
        };
        if row.len() + frame > room {
            misses += 1;
            continue;
        }
        misses = 0;
        room -= row.len() + frame;
        picked.groups.entry(key).or_default().push(i);
        picked.rows.insert(i, row);
    }
    picked
}

/// Below this much room no row fits.
const MIN_ROW: usize = 120;

/// Rows in a row that did not fit, after which no later one is tried.
const MISSES: usize = 50;

/// Room for a group's summary line, table header and closing tag, besides its name.
const FRAME: usize = 200;

/// The group of an entry: its family, or the shared types for a schema's (`true`).
fn group_key<'r>(entry: &Entry<'r>) -> (bool, &'r str) {
    match entry.family {
        Some(family) => (false, family),
        None => (true, "shared types (types::…)"),
    }
}

/// `1 entry`, `2 entries`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One collapsed group with its rows (`members`, most important first, of `total` entries);
/// false when it did not fit.
fn group(
    out: &mut Budget,
    (shared, name): (bool, &str),
    members: &[usize],
    total: usize,
    rows: &BTreeMap<usize, String>,
    all: &[Entry],
) -> bool {
    let count = if members.len() == total {
        plural(total, "entry", "entries")
    } else {
        format!("{} of {total} entries", members.len())
    };
    let header = if shared {
        "| | where | rule | change | Rust | reaches |\n|---|---|---|---|---|---|\n"
    } else {
        "| | where | rule | change | Rust |\n|---|---|---|---|---|\n"
    };
    let body: String = members.iter().map(|i| rows[i].as_str()).collect();
    out.push(&format!(
        "<details><summary>{} {}: {count}</summary>\n\n{header}{body}\n</details>\n\n",
        all[members[0]].icon(),
        cell(name),
    ))
}

/// One table row of an entry; with how many operations it reaches for a schema's.
fn row(entry: &Entry, with_reach: bool) -> String {
    let paths: Vec<String> = entry
        .changes
        .iter()
        .filter(|c| !c.path.is_empty())
        .take(4)
        .map(|c| format!("`{}`", code(&c.path)))
        .collect();
    let mut place = format!("`{}`", code(entry.subject));
    if !paths.is_empty() {
        let more = entry.changes.len().saturating_sub(paths.len());
        let _ = write!(place, " {}", paths.join(", "));
        if more > 0 {
            let _ = write!(place, " and {more} more");
        }
    }
    let first = entry.changes[0];
    let texts: BTreeSet<&str> = entry.changes.iter().map(|c| c.text.as_str()).collect();
    let text = match texts.len() {
        1 => cell(&first.text),
        n => format!("{} (and {} more like it)", cell(&first.text), n - 1),
    };
    // A schema's row names the schema already.
    let subject_path = format!("{}::", entry.subject);
    let rust = first
        .rust
        .strip_prefix(&subject_path)
        .unwrap_or(&first.rust);
    let rust = format!("{}: `{}`", entry.verdict.as_str(), code(rust));
    let reach = if with_reach {
        format!(" {} |", entry.reach_text())
    } else {
        String::new()
    };
    format!(
        "| {} | {place} | `{}` | {text} | {rust} |{reach}\n",
        entry.icon(),
        code(entry.id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Bump, OperationRef};

    /// Change `i` of a synthetic diff: spread over `families` families and a schema per ten
    /// changes (every third one in an operation instead), with long names.
    fn change(i: usize, families: usize) -> Change {
        let verdicts = [
            RustVerdict::Breaking,
            RustVerdict::Compatible,
            RustVerdict::Unchanged,
            RustVerdict::StructLiterals,
        ];
        let levels = [Level::Breaking, Level::Warning, Level::Info];
        let operations = (0..1 + i % 7)
            .map(|k| OperationRef {
                family: format!("family_{}", (i + k) % families),
                operation: format!("GET /api/v1/{}/{i}/{k}", "segment".repeat(20)),
                operation_id: format!("op_{i}_{k}"),
            })
            .collect();
        Change {
            id: format!("rule-{}", i % 13),
            level: levels[i % 3],
            rust_verdict: verdicts[i % 4],
            schema: if i.is_multiple_of(3) {
                String::new()
            } else {
                format!("types::{}{}", "VeryLongTypeName".repeat(8), i / 10)
            },
            path: format!("field_{i}.{}", "nested".repeat(30)),
            text: format!(
                "property `{i}` changed | <b>{}</b>\nsecond line",
                "x".repeat(500)
            ),
            rust: format!("types::T::field_{i}: {} → String", "Option<".repeat(40)),
            operations,
            fingerprint: format!("{i:012x}"),
        }
    }

    fn report(changes: usize, families: usize) -> DiffReport {
        DiffReport {
            base: "base.json".into(),
            head: "head.json".into(),
            changes: (0..changes).map(|i| change(i, families)).collect(),
            semver: Bump::Major,
            semver_reasons: vec!["reasons are in the JSON".into()],
        }
    }

    #[test]
    fn a_huge_diff_fits_the_budget_and_says_what_it_left_out() {
        let report = report(50_000, 120);
        let text = markdown(&report, DEFAULT_BUDGET);
        assert!(text.len() <= DEFAULT_BUDGET, "{} bytes", text.len());
        assert!(text.contains("### 🔴 Breaks Rust callers"));
        assert!(text.contains("90 other families"));
        let left = text.lines().last().unwrap_or_default();
        assert!(
            left.contains("left out") && left.contains("JSON artifact"),
            "{left}"
        );
    }

    #[test]
    fn every_budget_holds() {
        let report = report(3_000, 40);
        for budget in [8_000, 20_000, 45_000, DEFAULT_BUDGET] {
            let text = markdown(&report, budget);
            assert!(text.len() <= budget, "{} bytes over {budget}", text.len());
        }
    }

    #[test]
    fn a_small_diff_shows_every_entry() {
        let report = report(40, 3);
        let text = markdown(&report, DEFAULT_BUDGET);
        assert!(!text.contains("left out"), "{text}");
        let shown = text
            .lines()
            .filter(|l| {
                l.starts_with("- ")
                    || l.starts_with("| ") && !l.starts_with("| family") && !l.starts_with("| |")
            })
            .filter(|l| ["🔴", "🟠", "🟡", "🟢", "⚪"].iter().any(|i| l.contains(i)))
            .count();
        assert_eq!(shown, entries(&report).len());
    }

    #[test]
    fn spec_text_cannot_break_the_markup() {
        let text = markdown(&report(10, 2), DEFAULT_BUDGET);
        assert!(!text.contains("<b>"), "{text}");
        assert!(!text.contains("\nsecond line"), "{text}");
        assert!(text.contains("\\|"));
    }

    #[test]
    fn code_spans_keep_their_text_and_the_rest_is_escaped() {
        assert_eq!(cell("`Option<T>` and <b>"), "`Option<T>` and &lt;b&gt;");
        assert_eq!(cell("a `b <c>"), "a `b &lt;c&gt;");
        assert_eq!(cell("x | `y|z`"), "x \\| `y\\|z`");
    }
}
