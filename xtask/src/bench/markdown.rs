//! The Markdown report: the targets, then one table per measurement.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use super::clients::ClientRow;
use super::floor::FloorRow;
use super::system::{machine, today};
use super::targets::grouped;
use super::timing::{Figure, Timing};
use super::{BASELINE_SPEC, Bench, KEY_SPEC, VENDOR_SPEC};

impl Bench {
    /// The whole report.
    pub(super) fn markdown(&self, elapsed: Duration) -> String {
        let mut md = self.heading();
        self.targets_table(&mut md);
        self.regen_table(&mut md);
        self.turns_table(&mut md);
        if let Some(github) = &self.github {
            md.push_str(&github.markdown());
        }
        self.floor_table(&mut md);
        if let Some(p) = &self.phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({KEY_SPEC}, medians)"
            )));
            md.push('\n');
        }
        self.scaling_table(&mut md);
        self.clients_table(&mut md);
        self.closing(&mut md, elapsed);
        md
    }

    fn heading(&self) -> String {
        let m = machine();
        let mut md = format!(
            "## `cargo xtask bench{}` — {} — {} cores ({}), {}\n\n",
            if self.quick { " --quick" } else { "" },
            today(),
            m["cores"],
            m["cpu"].as_str().unwrap_or("?"),
            m["memory"].as_str().unwrap_or("?"),
        );
        let _ = writeln!(
            md,
            "Medians after a warm-up: of {} runs for what takes well under a second (regen, the floor, `regen --check`, the processes of ours and sdk-generator), {} for openapi-generator, {} for the others, {} for crate builds. Load average (1 min) at start {}, at end {}: the machine is shared, anything above 0 slows every figure down.\n",
            self.fast_runs(),
            self.slow_runs(),
            self.runs,
            self.build_runs(),
            self.load_at_start.map_or("?".into(), |l| format!("{l:.1}")),
            m["load_average_at_end"]
                .as_f64()
                .map_or("?".into(), |l| format!("{l:.1}")),
        );
        md
    }

    fn targets_table(&self, md: &mut String) {
        md.push_str("### Targets\n\n| target | figure | wanted | met |\n|---|---|---|:-:|\n");
        for t in self.targets() {
            let met = match t.met {
                Some(true) => "met",
                Some(false) => "**missed**",
                None => "not measured",
            };
            let _ = writeln!(md, "| {} | {} | {} | {met} |", t.what, t.figure, t.target);
        }
        md.push('\n');
    }

    fn regen_table(&self, md: &mut String) {
        md.push_str("### Regen of every spec (in-process, into a fresh directory)\n\n| spec | ops | ms | ms / op | output | shared types | longest name | 90th pct |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for r in &self.regen_rows {
            let (count, longest, p90) = match &r.type_names {
                Ok(n) => (
                    n.count.to_string(),
                    n.longest.to_string(),
                    n.ninetieth_percentile.to_string(),
                ),
                Err(_) => ("n/a".into(), "n/a".into(), "n/a".into()),
            };
            let _ = writeln!(
                md,
                "| {} | {} | {:.0} | {:.2} | {} files, {:.1} MB | {count} | {longest} | {p90} |",
                r.label,
                r.operations,
                r.ours.median * 1e3,
                r.ms_per_operation(),
                r.output_files,
                r.output_bytes as f64 / 1e6,
            );
        }
        md.push_str("\nShared types: the top-level structs and enums of the client's `src/types.rs`; name lengths in characters.\n\n");
    }

    fn turns_table(&self, md: &mut String) {
        md.push_str("### Whole process, in turns with the peers (wall time)\n\n| spec | ops | ours ms | ms / op | sdk-generator ms | × | openapi-generator ms | × |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in self.regen_rows.iter().filter(|r| r.ours_process.is_ok()) {
            let mut cell = |f: &Figure<Timing>| match r.speedup(f) {
                Ok(x) => format!("{:.0} | {x:.2}", median_ms(f)),
                Err(e) => {
                    reasons.entry(e).or_default().push(r.label.clone());
                    "— | —".to_owned()
                }
            };
            let ours = median_ms(&r.ours_process);
            let (sdk, oag) = (cell(&r.sdk_generator), cell(&r.openapi_generator));
            let per_op = r.process_ms_per_operation().unwrap_or(f64::NAN);
            let _ = writeln!(
                md,
                "| {} | {} | {ours:.0} | {per_op:.2} | {sdk} | {oag} |",
                r.label, r.operations
            );
        }
        for (reason, specs) in &reasons {
            let _ = writeln!(md, "\n— {}: {reason}", specs.join(", "));
        }
        md.push_str("\nTurn by turn, every spec of this table in each turn: ours (`xtask regen --spec … --families … --out <fresh dir>`: the normalized specs and three crates), then sdk-generator (one Rust SDK, 5 files), then openapi-generator (a client crate with docs; fewer runs); × = theirs / ours.\n\n");
    }

    fn floor_table(&self, md: &mut String) {
        let Some(
            floors @ FloorRow {
                floor,
                json_floor,
                check_cold,
                check,
                ours,
                ..
            },
        ) = &self.floor
        else {
            return;
        };
        let row = |md: &mut String, what: &str, t: &Timing| {
            let _ = writeln!(
                md,
                "| {what} | {:.1} | {:.2} |",
                t.median * 1e3,
                t.median / floor.median
            );
        };
        let _ = writeln!(
            md,
            "### The floor ({KEY_SPEC})\n\n| what | ms | × floor |\n|---|---:|---:|"
        );
        let files = self.row(KEY_SPEC).output_files;
        row(
            md,
            &format!(
                "floor: read the spec, parse it as an OpenAPI document (openapiv3), write the same {files} files"
            ),
            floor,
        );
        row(
            md,
            "strict floor: read the spec, parse it as JSON only (serde_json), write the same files",
            json_floor,
        );
        row(md, "regen (write into a fresh directory)", ours);
        row(
            md,
            "regen --check of the unchanged tree, without its stamp (generated and compared)",
            check_cold,
        );
        row(
            md,
            "regen --check of the unchanged tree, trusting the stamp of its last clean check",
            check,
        );
        if let Some(p) = self.key_peak_mib {
            let _ = writeln!(md, "\nPeak RSS of one regen of this spec: {p:.0} MiB.");
        }
        if let Some(g) = self.per_operation_growth() {
            let _ = writeln!(
                md,
                "\nPer operation, from {BASELINE_SPEC} to {KEY_SPEC} (in-process, each over the same spec's figure): the spec's bytes grew {:.2}×, the strict floor {:.2}× ({:.1} → {:.1} ms), the floor {:.2}× ({:.1} → {:.1} ms), regen {:.2}×.",
                g.bytes,
                g.json_floor,
                floors.baseline_json_floor.median * 1e3,
                json_floor.median * 1e3,
                g.floor,
                floors.baseline_floor.median * 1e3,
                floor.median * 1e3,
                g.regen,
            );
        }
        md.push('\n');
    }

    fn scaling_table(&self, md: &mut String) {
        md.push_str("### Scaling (synthetic specs, one child process per run)\n\n| operations | spec MB | regen s | ms / op | peak RSS MiB |\n|---:|---:|---:|---:|---:|\n");
        for s in &self.scaling {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.2} | {:.2} | {} |",
                grouped(s.operations),
                s.spec_bytes as f64 / 1e6,
                s.seconds,
                1e3 * s.seconds / s.operations as f64,
                s.peak_mib.map_or("n/a".into(), |p| format!("{p:.0}")),
            );
        }
        md.push_str("\nThe specs stay in `target/bench/synthetic/`; to profile one: `perf record -g target/release/xtask regen --spec target/bench/synthetic/synthetic-10000.json --families target/bench/synthetic/families.toml --out /tmp/regen-10k`.\n\n");
        if let Some((ops, p, _)) = &self.scaling_phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({ops} synthetic operations, one run)"
            )));
            md.push('\n');
        }
    }

    fn clients_table(&self, md: &mut String) {
        md.push_str("### Crate-only dev builds (`cargo clean -p` the crate, then `cargo build`: dependencies built, `CARGO_INCREMENTAL=0`)\n\n| crate | lines (src/**/*.rs) | build s | dependencies built first, s |\n|---|---:|---:|---:|\n");
        let vendor = self.vendor.iter().flat_map(|(o, t)| [o, t]);
        for c in self.clients.iter().chain(vendor) {
            client_row(md, c);
        }
        let ratio = self.build_vs_vendor();
        let _ = writeln!(
            md,
            "\nThe {VENDOR_SPEC} client next to the vendor's crate, built in turns: build time ratio {}. A first build that had to compile the dependencies too (a new target directory: once) is not a sample; its time is in the last column.\n",
            ratio.map_or_else(|e| format!("n/a ({e})"), |x| format!("{x:.2}"))
        );
    }

    fn closing(&self, md: &mut String, elapsed: Duration) {
        let _ = match &self.diff {
            Ok((t, n, specs)) => writeln!(
                md,
                "### API diff\n\n{specs} (load both, normalize both, compare): {:.0} ms median, {n} changes.\n",
                t.median * 1e3
            ),
            Err(e) => writeln!(md, "### API diff\n\nnot measured: {e}\n"),
        };
        let _ = match &self.client_overhead {
            Ok(v) => writeln!(
                md,
                "### Client overhead\n\n`archastro-client-bench`, {} concurrent requests on loopback: generated client {} req/s, raw reqwest {} req/s, ratio {}.\n",
                v["concurrency"], v["client_rps"], v["raw_reqwest_rps"], v["ratio"]
            ),
            Err(reason) => writeln!(md, "### Client overhead\n\nnot measured: {reason}.\n"),
        };
        md.push_str("### Peers\n\n");
        for note in &self.install_notes {
            let _ = writeln!(md, "- {note}");
        }
        let _ = writeln!(md, "\nWhole run: {:.0} s.", elapsed.as_secs_f64());
    }
}

fn client_row(md: &mut String, c: &ClientRow) {
    let lines = c.lines.as_ref().map_or("n/a".into(), |l| grouped(*l));
    let build = match &c.build {
        Ok(t) => format!("{:.1}", t.median),
        Err(e) => format!("n/a ({e})"),
    };
    let first = c
        .dependencies_built
        .map_or("—".into(), |s| format!("{s:.1}"));
    let _ = writeln!(md, "| {} | {lines} | {build} | {first} |", c.name);
}

/// The median of `t` in milliseconds (NaN when there is none).
fn median_ms(t: &Figure<Timing>) -> f64 {
    t.as_ref().map_or(f64::NAN, |t| t.median * 1e3)
}
