//! The bench's output: `target/bench/summary.json` (every figure, the targets met or not), and
//! the Markdown report ([`super::markdown`]) printed and written to `target/bench/summary.md`.

use std::time::Duration;

use anyhow::{Context, Result};
use archastro_codegen::client::NameLengths;
use serde_json::{Map, Value, json};

use super::clients::ClientRow;
use super::floor::FLOOR_PARSES;
use super::phases::Phases;
use super::regen::RegenRow;
use super::system::{machine, remove_dir, today};
use super::targets::TARGET_GROWTH;
use super::timing::{Figure, Timing, figure_json, reason_json};
use super::{BASELINE_SPEC, Bench, KEY_SPEC, VENDOR_CRATE, VENDOR_SPEC};

impl Bench {
    /// Writes `summary.json` and `summary.md`, prints the Markdown, removes the work directory.
    pub(super) fn finish(&self, elapsed: Duration) -> Result<()> {
        let summary = self.summary(elapsed);
        let markdown = self.markdown(elapsed);
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

    /// `--only github`: its section printed and its figures in `target/bench/github.json`.
    pub(super) fn finish_github(&self) -> Result<()> {
        let Some(row) = &self.github else {
            return Ok(());
        };
        std::fs::create_dir_all(&self.bench_dir)?;
        let path = self.bench_dir.join("github.json");
        std::fs::write(
            &path,
            format!("{}\n", serde_json::to_string_pretty(&row.to_json())?),
        )
        .with_context(|| format!("writing {}", path.display()))?;
        println!("{}", row.markdown());
        println!("bench: wrote {}", path.display());
        remove_dir(&self.work)?;
        Ok(())
    }

    /// Every figure, as `summary.json` holds them.
    fn summary(&self, elapsed: Duration) -> Value {
        let mut s = Map::new();
        let mut put = |k: &str, v: Value| {
            s.insert(k.to_owned(), v);
        };
        put("date", json!(today()));
        put(
            "github",
            self.github.as_ref().map_or(Value::Null, |g| g.to_json()),
        );
        put(
            "command",
            json!(if self.quick {
                "cargo xtask bench --quick"
            } else {
                "cargo xtask bench"
            }),
        );
        put("quick", json!(self.quick));
        put("runs_per_median", json!(self.runs));
        put("runs_per_fast_median", json!(self.fast_runs()));
        put("runs_per_build_median", json!(self.build_runs()));
        put("machine", machine());
        put("load_average_at_start", json!(self.load_at_start));
        put("elapsed_seconds", json!(elapsed.as_secs_f64()));
        put("key_spec", json!(KEY_SPEC));
        put("baseline_spec", json!(BASELINE_SPEC));
        for (label, suffix) in [(KEY_SPEC, ""), (BASELINE_SPEC, "_baseline")] {
            let row = self.row(label);
            let sdk = row.speedup(&row.sdk_generator);
            let oag = row.speedup(&row.openapi_generator);
            put(
                &format!("speedup_vs_sdk_generator{suffix}"),
                figure_json(&sdk),
            );
            put(
                &format!("speedup_vs_sdk_generator{suffix}_reason"),
                reason_json(&sdk),
            );
            put(
                &format!("speedup_vs_openapi_generator{suffix}"),
                figure_json(&oag),
            );
            put(
                &format!("speedup_vs_openapi_generator{suffix}_reason"),
                reason_json(&oag),
            );
            put(
                &format!("regen_process{suffix}_seconds"),
                median_json(&row.ours_process),
            );
            put(
                &format!("ms_per_operation{suffix}"),
                json!(row.ms_per_operation()),
            );
        }
        put("ms_per_operation_growth", json!(self.growth()));
        put("ms_per_operation_growth_allowed", json!(TARGET_GROWTH));
        let worst = self.worst_names();
        let w = worst.as_ref().ok();
        put("type_names_longest", json!(w.map(|w| w.longest)));
        put("type_names_longest_name", json!(w.map(|w| &w.longest_name)));
        put("type_names_longest_spec", json!(w.map(|w| &w.longest_spec)));
        put("type_names_p90", json!(w.map(|w| w.p90)));
        put("type_names_p90_spec", json!(w.map(|w| &w.p90_spec)));
        put("type_names_reason", reason_json(&worst));
        put("vendor", self.vendor_json());
        self.floor_fields(&mut put);
        let ops10k = self.scaling.iter().find(|r| r.operations == 10_000);
        put("ops10k_seconds", json!(ops10k.map(|r| r.seconds)));
        put("ops10k_peak_mib", json!(ops10k.and_then(|r| r.peak_mib)));
        let diff = self.diff.as_ref();
        put(
            "diff_largest_seconds",
            json!(diff.ok().map(|(t, _, _)| t.median)),
        );
        put("diff_largest_reason", reason_json(&self.diff));
        put("diff_largest_specs", json!(diff.ok().map(|(_, _, s)| s)));
        put("diff_largest_changes", json!(diff.ok().map(|(_, n, _)| n)));
        let client = self.clients.first();
        put(
            "client_lines",
            json!(client.and_then(|c| c.lines.clone().ok())),
        );
        put(
            "client_build_seconds",
            json!(client.and_then(|c| c.build.as_ref().ok().map(|t| t.median))),
        );
        put(
            "client_build_reason",
            json!(client.and_then(|c| c.build.as_ref().err())),
        );
        put(
            "client_overhead_ratio",
            json!(
                self.client_overhead
                    .as_ref()
                    .ok()
                    .map(|v| v["ratio"].clone())
            ),
        );
        put("client_overhead", figure_json(&self.client_overhead));
        put("client_overhead_reason", reason_json(&self.client_overhead));
        put("regen_medians_seconds", self.regen_medians());
        put(
            "regen",
            Value::Array(self.regen_rows.iter().map(RegenRow::to_json).collect()),
        );
        put("scaling", self.scaling_json());
        put(
            "phases_key_spec",
            json!(self.phases.as_ref().map(Phases::to_json)),
        );
        put(
            "phases_ops10k",
            json!(self.scaling_phases.as_ref().map(|(_, p, _)| p.to_json())),
        );
        let targets: Map<String, Value> = self
            .targets()
            .into_iter()
            .map(|t| (t.key.to_owned(), json!(t.met)))
            .collect();
        put("targets", Value::Object(targets));
        put("peers", json!(self.install_notes));
        Value::Object(s)
    }

    /// The floor, the strict floor and `regen --check` of the key spec.
    fn floor_fields(&self, put: &mut impl FnMut(&str, Value)) {
        let Some(row) = &self.floor else {
            return;
        };
        let (floor, ours) = (row.floor.median, row.ours.median);
        put("regen_seconds", json!(ours));
        put("floor_seconds", json!(floor));
        put("floor_parses", json!(FLOOR_PARSES));
        put("x_floor", json!(ours / floor));
        put("floor_json_seconds", json!(row.json_floor.median));
        put("x_floor_json", json!(ours / row.json_floor.median));
        put("regen_check_seconds", json!(row.check.median));
        put("x_floor_check", json!(row.check.median / floor));
        put("regen_check_cold_seconds", json!(row.check_cold.median));
        put("x_floor_check_cold", json!(row.check_cold.median / floor));
        put("regen_peak_mib", json!(self.key_peak_mib));
        put("baseline_floor_seconds", json!(row.baseline_floor.median));
        put(
            "baseline_floor_json_seconds",
            json!(row.baseline_json_floor.median),
        );
        if let Some(g) = self.per_operation_growth() {
            put(
                "per_operation_growth",
                json!({
                    "spec_bytes": g.bytes,
                    "floor": g.floor,
                    "floor_json": g.json_floor,
                    "regen": g.regen,
                }),
            );
        }
    }

    /// Our client of the vendor's spec next to the vendor's crate.
    fn vendor_json(&self) -> Value {
        let side = |row: Option<&ClientRow>| {
            json!({
                "name": row.map(|r| &r.name),
                "lines": row.and_then(|r| r.lines.clone().ok()),
                "build_seconds": row.map_or(Value::Null, |r| median_json(&r.build)),
                "build_runs": row.and_then(|r| r.build.as_ref().ok().map(|t| t.runs)),
                "build_reason": row.map_or(json!("not measured"), |r| reason_json(&r.build)),
                "dependencies_built_seconds": row.and_then(|r| r.dependencies_built),
            })
        };
        let rows = self.vendor_rows().ok();
        let build = self.build_vs_vendor();
        let lines = rows.and_then(|(o, t)| {
            Some(*o.lines.as_ref().ok()? as f64 / *t.lines.as_ref().ok()? as f64)
        });
        json!({
            "spec": VENDOR_SPEC,
            "crate": VENDOR_CRATE,
            "ours": side(rows.map(|(o, _)| o)),
            "vendor": side(rows.map(|(_, t)| t)),
            "build_ratio": figure_json(&build),
            "build_ratio_reason": reason_json(&build),
            "lines_ratio": lines,
        })
    }

    fn regen_medians(&self) -> Value {
        let medians: Map<String, Value> = self
            .regen_rows
            .iter()
            .map(|r| (r.label.clone(), json!(r.ours.median)))
            .collect();
        Value::Object(medians)
    }

    fn scaling_json(&self) -> Value {
        let rows = self.scaling.iter().map(|s| {
            json!({
                "operations": s.operations,
                "spec_bytes": s.spec_bytes,
                "seconds": s.seconds,
                "process_wall_seconds": s.wall_seconds,
                "ms_per_operation": 1e3 * s.seconds / s.operations as f64,
                "peak_mib": s.peak_mib,
            })
        });
        Value::Array(rows.collect())
    }
}

impl RegenRow {
    /// One entry of `regen[]`.
    fn to_json(&self) -> Value {
        let peer = |f: &Figure<Timing>| f.as_ref().ok().map(Timing::to_json);
        json!({
            "spec": self.label,
            "operations": self.operations,
            "ours": self.ours.to_json(),
            "ms_per_operation": self.ms_per_operation(),
            "process_ms_per_operation": self.process_ms_per_operation().ok(),
            "output_files": self.output_files,
            "output_bytes": self.output_bytes,
            "type_names": self.type_names.as_ref().ok().map(names_json),
            "type_names_reason": reason_json(&self.type_names),
            "ours_process": peer(&self.ours_process),
            "ours_process_reason": reason_json(&self.ours_process),
            "sdk_generator": peer(&self.sdk_generator),
            "sdk_generator_reason": reason_json(&self.sdk_generator),
            "speedup_vs_sdk_generator": self.speedup(&self.sdk_generator).ok(),
            "openapi_generator": peer(&self.openapi_generator),
            "openapi_generator_reason": reason_json(&self.openapi_generator),
            "speedup_vs_openapi_generator": self.speedup(&self.openapi_generator).ok(),
        })
    }
}

fn names_json(n: &NameLengths) -> Value {
    json!({
        "count": n.count,
        "longest": n.longest,
        "longest_name": n.longest_name,
        "ninetieth_percentile": n.ninetieth_percentile,
    })
}

fn median_json(t: &Figure<Timing>) -> Value {
    json!(t.as_ref().ok().map(|t| t.median))
}
