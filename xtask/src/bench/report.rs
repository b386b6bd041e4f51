//! The bench's output: `target/bench/summary.json` (every figure, the targets met or not)
//! and the Markdown report printed and written to `target/bench/summary.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::{Map, Value, json};

use super::clients::ClientRow;
use super::floor::{FLOOR_PARSES, FloorRow};
use super::phases::Phases;
use super::regen::RegenRow;
use super::scaling::ScalingRow;
use super::system::{machine, remove_dir, today};
use super::timing::{Figure, Timing, figure_json, reason_json};
use super::{
    Bench, KEY_SPEC, TARGET_DIFF_SECONDS, TARGET_OPENAPI_GENERATOR, TARGET_OPS10K_MIB,
    TARGET_OPS10K_SECONDS, TARGET_SDK_GENERATOR, TARGET_X_FLOOR,
};

impl Bench {
    /// Writes `summary.json` and `summary.md`, prints the Markdown, removes the work directory.
    pub(super) fn finish(&self, elapsed: Duration) -> Result<()> {
        let summary = self.summary(elapsed);
        let markdown = self.markdown(&summary, elapsed);
        std::fs::create_dir_all(&self.bench_dir)?;
        let path = self.bench_dir.join("summary.json");
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string_pretty(&summary)?),
        )
        .with_context(|| format!("writing {}", path.display()))?;
        std::fs::write(self.bench_dir.join("summary.md"), &markdown)?;
        println!("{markdown}");
        println!("bench: wrote {} and summary.md", path.display());
        remove_dir(&self.work)?;
        Ok(())
    }

    fn key_row(&self) -> &RegenRow {
        self.regen_rows
            .iter()
            .find(|r| r.label == KEY_SPEC)
            .expect("measured")
    }

    fn speedup(&self, peer: fn(&RegenRow) -> &Figure<Timing>) -> Figure<f64> {
        let row = self.key_row();
        peer(row)
            .as_ref()
            .map(|t| t.median / row.ours.median)
            .map_err(Clone::clone)
    }

    fn ops10k(&self) -> Option<&ScalingRow> {
        self.scaling.iter().find(|r| r.operations == 10_000)
    }

    fn client_figure<T: Clone>(&self, i: usize, f: fn(&ClientRow) -> Figure<T>) -> Figure<T> {
        self.clients
            .get(i)
            .map_or_else(|| Err("not measured".into()), f)
    }

    /// Every figure, as `summary.json` holds them.
    fn summary(&self, elapsed: Duration) -> Value {
        let sdk = self.speedup(|r| &r.sdk_generator);
        let oag = self.speedup(|r| &r.openapi_generator);
        let FloorRow {
            floor,
            json_floor,
            check_cold,
            check,
            ours,
        } = self.floor.clone().expect("measured");
        let x_floor = ours.median / floor.median;
        let ops10k = self.ops10k();
        let diff = self
            .diff
            .as_ref()
            .map(|(t, _, _)| t.median)
            .map_err(Clone::clone);
        let client_build = self.client_figure(0, |c| {
            c.build.as_ref().map(|t| t.median).map_err(Clone::clone)
        });
        let client_lines = self.client_figure(0, |c| c.lines.clone());
        let platform_build = self.client_figure(1, |c| {
            c.build.as_ref().map(|t| t.median).map_err(Clone::clone)
        });
        let platform_lines = self.client_figure(1, |c| c.lines.clone());

        let mut regen_medians = Map::new();
        let mut regen = Vec::new();
        for r in &self.regen_rows {
            regen_medians.insert(r.label.clone(), json!(r.ours.median));
            let ratio = |f: &Figure<Timing>| f.as_ref().ok().map(|t| t.median / r.ours.median);
            regen.push(json!({
                "spec": r.label,
                "operations": r.operations,
                "ours": r.ours.to_json(),
                "output_files": r.output_files,
                "output_bytes": r.output_bytes,
                "sdk_generator": r.sdk_generator.as_ref().ok().map(Timing::to_json),
                "sdk_generator_reason": reason_json(&r.sdk_generator),
                "speedup_vs_sdk_generator": ratio(&r.sdk_generator),
                "openapi_generator": r.openapi_generator.as_ref().ok().map(Timing::to_json),
                "openapi_generator_reason": reason_json(&r.openapi_generator),
                "speedup_vs_openapi_generator": ratio(&r.openapi_generator),
            }));
        }
        let scaling: Vec<Value> = self
            .scaling
            .iter()
            .map(|s| {
                json!({
                    "operations": s.operations,
                    "spec_bytes": s.spec_bytes,
                    "seconds": s.seconds,
                    "process_wall_seconds": s.wall_seconds,
                    "ms_per_operation": 1e3 * s.seconds / s.operations as f64,
                    "peak_mib": s.peak_mib,
                })
            })
            .collect();
        let met = |v: Option<f64>, ok: fn(f64) -> bool| v.map(ok);
        let targets = json!({
            "speedup_vs_sdk_generator_at_least_2": met(sdk.as_ref().ok().copied(), |v| v >= TARGET_SDK_GENERATOR),
            "speedup_vs_openapi_generator_at_least_20": met(oag.as_ref().ok().copied(), |v| v >= TARGET_OPENAPI_GENERATOR),
            "x_floor_at_most_10": x_floor <= TARGET_X_FLOOR,
            "ops10k_under_10_seconds": met(ops10k.map(|r| r.seconds), |v| v < TARGET_OPS10K_SECONDS),
            "ops10k_under_1_gib": met(ops10k.and_then(|r| r.peak_mib), |v| v < TARGET_OPS10K_MIB),
            "diff_under_1_second": met(diff.as_ref().ok().copied(), |v| v < TARGET_DIFF_SECONDS),
        });
        let mut summary = json!({
            "date": today(),
            "command": if self.quick { "cargo xtask bench --quick" } else { "cargo xtask bench" },
            "quick": self.quick,
            "runs_per_median": self.runs,
            "runs_per_fast_median": self.fast_runs(),
            "machine": machine(),
            "load_average_at_start": self.load_at_start,
            "elapsed_seconds": elapsed.as_secs_f64(),
            "key_spec": KEY_SPEC,
            "speedup_vs_sdk_generator": figure_json(&sdk),
            "speedup_vs_sdk_generator_reason": reason_json(&sdk),
            "speedup_vs_openapi_generator": figure_json(&oag),
            "speedup_vs_openapi_generator_reason": reason_json(&oag),
            "x_floor": x_floor,
            "floor_seconds": floor.median,
            "regen_seconds": ours.median,
            "regen_check_seconds": check.median,
            "x_floor_check": check.median / floor.median,
            "regen_peak_mib": self.key_peak_mib,
            "ops10k_seconds": ops10k.map(|r| r.seconds),
            "ops10k_peak_mib": ops10k.and_then(|r| r.peak_mib),
            "diff_largest_seconds": figure_json(&diff),
            "diff_largest_reason": reason_json(&diff),
            "diff_largest_specs": self.diff.as_ref().ok().map(|(_, _, s)| s.clone()),
            "diff_largest_changes": self.diff.as_ref().ok().map(|(_, n, _)| *n),
            "client_build_seconds": figure_json(&client_build),
            "client_build_reason": reason_json(&client_build),
            "client_lines": figure_json(&client_lines),
            "platform_client_build_seconds": figure_json(&platform_build),
            "platform_client_build_reason": reason_json(&platform_build),
            "platform_client_lines": figure_json(&platform_lines),
            "client_overhead_ratio": self.client_overhead.as_ref().ok().map(|v| v["ratio"].clone()),
            "client_overhead": figure_json(&self.client_overhead),
            "client_overhead_reason": reason_json(&self.client_overhead),
            "regen_medians_seconds": regen_medians,
            "regen": regen,
            "scaling": scaling,
            "phases_key_spec": self.phases.as_ref().map(Phases::to_json),
            "phases_ops10k": self.scaling_phases.as_ref().map(|(_, p, _)| p.to_json()),
            "targets": targets,
            "peers": self.install_notes,
        });
        // (Outside `json!`, whose expansion of the object above is at the recursion limit.)
        summary["regen_check_cold_seconds"] = check_cold.median.into();
        summary["x_floor_check_cold"] = (check_cold.median / floor.median).into();
        summary["floor_parses"] = FLOOR_PARSES.into();
        summary["floor_json_seconds"] = json_floor.median.into();
        summary["x_floor_json"] = (ours.median / json_floor.median).into();
        summary
    }

    /// The Markdown report of `summary`.
    fn markdown(&self, summary: &Value, elapsed: Duration) -> String {
        let mut md = String::new();
        let m = machine();
        let _ = writeln!(
            md,
            "## `{}` — {} — {} cores ({}), {}\n",
            summary["command"].as_str().unwrap_or("?"),
            summary["date"].as_str().unwrap_or("?"),
            m["cores"],
            m["cpu"].as_str().unwrap_or("?"),
            m["memory"].as_str().unwrap_or("?"),
        );
        let _ = writeln!(
            md,
            "Medians after a warm-up, of {} runs for the figures that take well under a second (ours, the floor, `regen --check`, sdk-generator) and of {} for the others; ours in-process (regen into a fresh `--out` directory), peers as processes (wall time, runtime start-up included).\n",
            self.fast_runs(),
            self.runs
        );

        let _ = writeln!(
            md,
            "Load average (1 min) at start {}, at end {}: the machine is shared, anything above 0 slows every figure down.\n",
            self.load_at_start.map_or("?".into(), |l| format!("{l:.1}")),
            m["load_average_at_end"]
                .as_f64()
                .map_or("?".into(), |l| format!("{l:.1}")),
        );
        md.push_str("### Headline (on the 2026-06-11 platform spec)\n\n| figure | value | target | met |\n|---|---:|---|:-:|\n");
        let yes = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "n/a",
        };
        let t = &summary["targets"];
        let num = |v: &Value, digits: usize, unit: &str| match v.as_f64() {
            Some(x) => format!("{x:.digits$}{unit}"),
            None => "n/a".to_owned(),
        };
        let rows: [(&str, String, &str, &str); 8] = [
            (
                "speedup vs @archastro/sdk-generator",
                num(&summary["speedup_vs_sdk_generator"], 2, "×"),
                "≥ 2×",
                "speedup_vs_sdk_generator_at_least_2",
            ),
            (
                "speedup vs openapi-generator (rust)",
                num(&summary["speedup_vs_openapi_generator"], 2, "×"),
                "≥ 20×",
                "speedup_vs_openapi_generator_at_least_20",
            ),
            (
                "regen / floor (`x_floor`; the floor parses the spec as OpenAPI)",
                num(&summary["x_floor"], 1, "×"),
                "≤ 10×",
                "x_floor_at_most_10",
            ),
            (
                "regen / strict floor (`x_floor_json`; JSON only)",
                num(&summary["x_floor_json"], 1, "×"),
                "—",
                "",
            ),
            (
                "10 000 operations: time",
                num(&summary["ops10k_seconds"], 2, " s"),
                "< 10 s",
                "ops10k_under_10_seconds",
            ),
            (
                "10 000 operations: peak RSS",
                num(&summary["ops10k_peak_mib"], 0, " MiB"),
                "< 1024 MiB",
                "ops10k_under_1_gib",
            ),
            (
                "API diff, two largest real specs",
                num(&summary["diff_largest_seconds"], 3, " s"),
                "< 1 s",
                "diff_under_1_second",
            ),
            (
                "client overhead (req/s, generated client / raw reqwest)",
                match &self.client_overhead {
                    Ok(v) => format!("{}", v["ratio"]),
                    Err(_) => "n/a".to_owned(),
                },
                "—",
                "",
            ),
        ];
        for (name, value, target, key) in rows {
            let met = if key.is_empty() {
                "n/a"
            } else {
                yes(t[key].as_bool())
            };
            let _ = writeln!(md, "| {name} | {value} | {target} | {met} |");
        }
        let _ = match &self.client_overhead {
            Ok(v) => writeln!(
                md,
                "\nClient overhead (`archastro-client-bench`, {} concurrent requests on loopback): generated client {} req/s, raw reqwest {} req/s, ratio {}.\n",
                v["concurrency"], v["client_rps"], v["raw_reqwest_rps"], v["ratio"]
            ),
            Err(reason) => writeln!(md, "\nClient overhead: not measured: {reason}.\n"),
        };

        md.push_str("### Regen, next to the peers\n\n| spec | ops | ours ms | output | sdk-generator ms | ×  | openapi-generator ms | × |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        let mut reasons: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in &self.regen_rows {
            let peer = |f: &Figure<Timing>, reasons: &mut BTreeMap<String, Vec<String>>| match f {
                Ok(t) => (
                    format!("{:.0}", t.median * 1e3),
                    format!("{:.2}", t.median / r.ours.median),
                ),
                Err(e) => {
                    let specs = reasons.entry(e.clone()).or_default();
                    if !specs.contains(&r.label) {
                        specs.push(r.label.clone());
                    }
                    ("—".to_owned(), "—".to_owned())
                }
            };
            let (sdk, sdk_x) = peer(&r.sdk_generator, &mut reasons);
            let (oag, oag_x) = peer(&r.openapi_generator, &mut reasons);
            let _ = writeln!(
                md,
                "| {} | {} | {:.0} | {} files, {:.1} MB | {sdk} | {sdk_x} | {oag} | {oag_x} |",
                r.label,
                r.operations,
                r.ours.median * 1e3,
                r.output_files,
                r.output_bytes as f64 / 1e6,
            );
        }
        for (reason, specs) in &reasons {
            let _ = writeln!(md, "\n— {}: {reason}", specs.join(", "));
        }
        md.push_str("\nOurs writes the normalized specs and three crates (client, server, contract); sdk-generator writes one Rust SDK (5 files); openapi-generator writes a Rust client crate with docs.\n\n");

        if let Some(FloorRow {
            floor,
            json_floor,
            check_cold,
            check,
            ours,
        }) = &self.floor
        {
            let _ = writeln!(
                md,
                "### The floor ({KEY_SPEC})\n\n| what | ms | × floor |\n|---|---:|---:|\n| floor: read the spec, parse it as an OpenAPI document (openapiv3), write the same {} files | {:.1} | 1 |\n| strict floor: read the spec, parse it as JSON only (serde_json), write the same files | {:.1} | {:.2} |\n| regen (write into a fresh directory) | {:.0} | {:.1} |\n| regen --check of the unchanged tree, without its stamp (generated and compared) | {:.0} | {:.1} |\n| regen --check of the unchanged tree, trusting the stamp of its last clean check | {:.0} | {:.1} |\n",
                self.key_row().output_files,
                floor.median * 1e3,
                json_floor.median * 1e3,
                json_floor.median / floor.median,
                ours.median * 1e3,
                ours.median / floor.median,
                check_cold.median * 1e3,
                check_cold.median / floor.median,
                check.median * 1e3,
                check.median / floor.median,
            );
            if let Some(p) = self.key_peak_mib {
                let _ = writeln!(md, "Peak RSS of one regen of this spec: {p:.0} MiB.\n");
            }
        }
        if let Some(p) = &self.phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({KEY_SPEC}, medians)"
            )));
            md.push('\n');
        }

        md.push_str("### Scaling (synthetic specs, one child process per run)\n\n| operations | spec MB | regen s | ms / operation | peak RSS MiB |\n|---:|---:|---:|---:|---:|\n");
        for s in &self.scaling {
            let _ = writeln!(
                md,
                "| {} | {:.1} | {:.2} | {:.2} | {} |",
                s.operations,
                s.spec_bytes as f64 / 1e6,
                s.seconds,
                1e3 * s.seconds / s.operations as f64,
                s.peak_mib.map_or("n/a".into(), |p| format!("{p:.0}")),
            );
        }
        let _ = writeln!(
            md,
            "\nThe specs stay in `target/bench/synthetic/`; to profile one: `perf record -g target/release/xtask regen --spec target/bench/synthetic/synthetic-10000.json --families target/bench/synthetic/families.toml --out /tmp/regen-10k`.\n"
        );
        if let Some((ops, p, _)) = &self.scaling_phases {
            md.push_str(&p.table(&format!(
                "### Where regen's time goes ({ops} synthetic operations, one run)"
            )));
            md.push('\n');
        }

        md.push_str("### The generated client (crate-only dev build after touching src/lib.rs: dependencies warm, `CARGO_INCREMENTAL=0`)\n\n| crate | lines (src/**/*.rs) | build s |\n|---|---:|---:|\n");
        for c in &self.clients {
            let lines = c.lines.as_ref().map_or("n/a".into(), |l| l.to_string());
            let build = match &c.build {
                Ok(t) => format!("{:.1}", t.median),
                Err(e) => format!("n/a ({e})"),
            };
            let _ = writeln!(md, "| {} | {lines} | {build} |", c.name);
        }
        for c in &self.clients {
            if let Ok(w) = c.warm_seconds
                && w > 5.0
            {
                let _ = writeln!(
                    md,
                    "\nWarming the dependencies of {} took {w:.0} s in this run (first run only).",
                    c.name
                );
            }
        }
        md.push('\n');

        match &self.diff {
            Ok((t, n, specs)) => {
                let _ = writeln!(
                    md,
                    "### API diff\n\n{specs} (load both, normalize both, compare): {:.0} ms median, {n} changes.\n",
                    t.median * 1e3
                );
            }
            Err(e) => {
                let _ = writeln!(md, "### API diff\n\nnot measured: {e}\n");
            }
        }
        md.push_str("### Peers\n\n");
        for note in &self.install_notes {
            let _ = writeln!(md, "- {note}");
        }
        let _ = writeln!(md, "\nWhole run: {:.0} s.", elapsed.as_secs_f64());
        md
    }
}
