//! The floor of the key spec: what reading the spec and writing regen's files costs without
//! generating anything (parsing the spec as an OpenAPI document, and, for the strict floor, as
//! JSON only), next to regen and to `regen --check` of the unchanged tree (without and with
//! its stamp); the same floors of the baseline spec, so that the growth of the time per
//! operation can be set beside the floor's own growth; and the peak RSS of one regen of the
//! key spec.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use archastro_codegen::output::Mode;
use archastro_codegen::regen::{self, RegenOptions};
use serde_json::Value;

use super::child::run_child;
use super::system::{read_tree, remove_dir};
use super::timing::Timing;
use super::{BASELINE_SPEC, Bench, KEY_SPEC};

/// What the floor parses the spec into (`floor_parses` in `summary.json`).
pub(super) const FLOOR_PARSES: &str =
    "an OpenAPI 3.0 document (openapiv3::OpenAPI, from the JSON text)";

/// The floor of the key spec and what is compared with it.
#[derive(Clone)]
pub(super) struct FloorRow {
    /// Read, parse as an OpenAPI document, write the same files.
    pub(super) floor: Timing,
    /// Read, parse as JSON only, write the same files.
    pub(super) json_floor: Timing,
    /// The same two floors of the baseline spec (its own files).
    pub(super) baseline_floor: Timing,
    pub(super) baseline_json_floor: Timing,
    /// `regen --check` without the tree's stamp: everything generated and compared.
    pub(super) check_cold: Timing,
    /// `regen --check` trusting the stamp its clean warm-up run wrote.
    pub(super) check: Timing,
    /// regen into a fresh directory.
    pub(super) ours: Timing,
}

/// From the baseline spec to the key spec, per operation: how the spec's bytes, the floors
/// and in-process regen grew (each the key spec's figure per operation over the baseline's).
pub(super) struct PerOperationGrowth {
    pub(super) bytes: f64,
    pub(super) floor: f64,
    pub(super) json_floor: f64,
    pub(super) regen: f64,
}

impl Bench {
    /// How the bytes, the floors and regen grew per operation, once the floors are measured.
    pub(super) fn per_operation_growth(&self) -> Option<PerOperationGrowth> {
        let floor = self.floor.as_ref()?;
        let (key, base) = (self.row(KEY_SPEC), self.row(BASELINE_SPEC));
        let ops = key.operations as f64 / base.operations as f64;
        let bytes = |label: &str| {
            std::fs::metadata(&self.case(label).path).map_or(f64::NAN, |m| m.len() as f64)
        };
        Some(PerOperationGrowth {
            bytes: bytes(KEY_SPEC) / bytes(BASELINE_SPEC) / ops,
            floor: floor.floor.median / floor.baseline_floor.median / ops,
            json_floor: floor.json_floor.median / floor.baseline_json_floor.median / ops,
            regen: key.ours.median / base.ours.median / ops,
        })
    }

    /// The floor and the strict floor of the key spec, in alternation, and of the baseline
    /// spec; `regen --check` of the key spec's unchanged tree without and with its stamp; the
    /// peak RSS of one regen of it.
    pub(super) fn measure_floor(&mut self) -> Result<()> {
        eprintln!("bench: floor and regen --check on {KEY_SPEC}");
        let case = self.case(KEY_SPEC);
        let (spec, families) = (case.path.clone(), case.families.clone());
        let out = self.work.join("floor-regen");
        let opts = self.options(&spec, &families, &out)?;
        let (floor, json_floor) = self.floors(&opts)?;
        eprintln!("bench: floor on {BASELINE_SPEC}");
        let baseline = self.case(BASELINE_SPEC);
        let (baseline_spec, baseline_families) = (baseline.path.clone(), baseline.families.clone());
        let baseline_opts = self.options(
            &baseline_spec,
            &baseline_families,
            &self.work.join("floor-regen-baseline"),
        )?;
        let (baseline_floor, baseline_json_floor) = self.floors(&baseline_opts)?;

        // regen --check of the unchanged tree: without its stamp (every file generated and
        // compared), then with it (written by the warm-up run, then trusted).
        let check_cold = self.time_check(&opts, None)?;
        let stamp = self.work.join("regen-stamps/floor-regen.json");
        let _ = std::fs::remove_file(&stamp);
        let check = self.time_check(&opts, Some(stamp))?;
        let ours = self
            .regen_rows
            .iter()
            .find(|r| r.label == KEY_SPEC)
            .map(|r| r.ours.clone())
            .expect("regen measured first");
        self.floor = Some(FloorRow {
            floor,
            json_floor,
            baseline_floor,
            baseline_json_floor,
            check_cold,
            check,
            ours,
        });

        // Peak RSS of one regen of the key spec, in a child.
        let child_out = self.work.join("child-out");
        remove_dir(&child_out)?;
        let (v, _) = run_child(&self.root, "regen", &spec, &families, &child_out)?;
        self.key_peak_mib = v["peak_rss_kib"].as_f64().map(|k| k / 1024.0);
        Ok(())
    }

    /// The floor and the strict floor of the spec `opts` regenerates (into its `out`, left
    /// there), each writing the files regen wrote, in alternation so that both see the same
    /// machine.
    fn floors(&self, opts: &RegenOptions) -> Result<(Timing, Timing)> {
        let spec = PathBuf::from(&opts.spec);
        remove_dir(&opts.out)?;
        regen::regen(opts)?;
        let files = read_tree(&opts.out)?;
        let floor_out = self.work.join("floor-out");
        let write_files = || -> Result<()> {
            for (rel, contents) in &files {
                let path = floor_out.join(rel);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(&path, contents)?;
            }
            Ok(())
        };
        let (mut samples, mut json_samples) = (Vec::new(), Vec::new());
        for i in 0..=self.fast_runs() {
            remove_dir(&floor_out)?;
            let t = Instant::now();
            let bytes = std::fs::read(&spec)?;
            let document: openapiv3::OpenAPI =
                serde_json::from_slice(&bytes).with_context(|| {
                    format!("{}: the floor reads it as OpenAPI 3.0", spec.display())
                })?;
            std::hint::black_box(&document);
            write_files()?;
            let took = t.elapsed();
            drop(document);
            remove_dir(&floor_out)?;
            let t = Instant::now();
            let bytes = std::fs::read(&spec)?;
            let value: Value = serde_json::from_slice(&bytes)?;
            std::hint::black_box(&value);
            write_files()?;
            let json_took = t.elapsed();
            if i > 0 {
                samples.push(took.as_secs_f64());
                json_samples.push(json_took.as_secs_f64());
            }
        }
        remove_dir(&floor_out)?;
        Ok((Timing::of(&samples), Timing::of(&json_samples)))
    }

    /// Median time of `regen --check` of the tree `opts` writes, which must be up to date;
    /// with `stamp`, every measured run must have trusted it.
    fn time_check(&self, opts: &RegenOptions, stamp: Option<PathBuf>) -> Result<Timing> {
        let mut check = opts.clone();
        check.mode = Mode::Check;
        let stamped = stamp.is_some();
        check.stamp = stamp;
        let mut samples = Vec::new();
        for i in 0..=self.fast_runs() {
            let t = Instant::now();
            let outcome = regen::regen(&check)?;
            if i > 0 {
                samples.push(t.elapsed().as_secs_f64());
                if stamped && !outcome.by_stamp {
                    bail!("regen --check did not trust the stamp its clean warm-up run wrote");
                }
            }
            if !outcome.changes.is_empty() {
                bail!(
                    "regen --check of a tree just written found {} change(s): regen is not deterministic",
                    outcome.changes.len()
                );
            }
        }
        Ok(Timing::of(&samples))
    }
}
