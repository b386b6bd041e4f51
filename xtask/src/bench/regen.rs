//! Regen of every spec in-process, into a fresh `--out` directory: its median time, its time
//! per operation, what it wrote, and the names of the shared types in the client it wrote
//! (`client::shared_type_names`, the figures the type-name test checks). The peers' columns
//! of the same rows are filled by [`super::turns`].

use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use archastro_codegen::client::{self, NameLengths};
use archastro_codegen::regen;

use super::Bench;
use super::system::{remove_dir, tree_size};
use super::timing::{Figure, Timing};

/// Regen of one spec, and the peers on it.
pub(super) struct RegenRow {
    pub(super) label: String,
    pub(super) operations: usize,
    /// In-process regen.
    pub(super) ours: Timing,
    pub(super) output_files: usize,
    pub(super) output_bytes: u64,
    /// The names of the shared types of the client.
    pub(super) type_names: Figure<NameLengths>,
    /// Regen as a process, taken in turns with the peers.
    pub(super) ours_process: Figure<Timing>,
    pub(super) sdk_generator: Figure<Timing>,
    pub(super) openapi_generator: Figure<Timing>,
}

impl RegenRow {
    /// Milliseconds of in-process regen per operation of the spec.
    pub(super) fn ms_per_operation(&self) -> f64 {
        1e3 * self.ours.median / self.operations as f64
    }

    /// Milliseconds of regen as a process per operation of the spec.
    pub(super) fn process_ms_per_operation(&self) -> Figure<f64> {
        let ours = self.ours_process.as_ref().map_err(Clone::clone)?;
        Ok(1e3 * ours.median / self.operations as f64)
    }

    /// Peer median / our process median.
    pub(super) fn speedup(&self, peer: &Figure<Timing>) -> Figure<f64> {
        let ours = self.ours_process.as_ref().map_err(Clone::clone)?;
        let theirs = peer.as_ref().map_err(Clone::clone)?;
        Ok(theirs.median / ours.median)
    }
}

impl Bench {
    /// In-process regen of every spec, median of [`Bench::fast_runs`] after a warm-up (in
    /// `--quick`, of [`Bench::runs`] on the specs the peers do not run on).
    pub(super) fn measure_regen(&mut self) -> Result<()> {
        for case in &self.specs {
            eprintln!("bench: regen {}", case.label);
            let out = self.work.join("regen-out");
            let opts = self.options(&case.path, &case.families, &out)?;
            let runs = if self.peers_on(case) {
                self.fast_runs()
            } else {
                self.runs
            };
            let mut samples = Vec::new();
            for i in 0..=runs {
                remove_dir(&out)?;
                let t = Instant::now();
                regen::regen(&opts).with_context(|| format!("regen of {}", case.label))?;
                if i > 0 {
                    samples.push(t.elapsed().as_secs_f64());
                }
            }
            let (output_files, output_bytes) = tree_size(&out)?;
            let not_run = || Err("not run in --quick (only on the key and baseline specs)".into());
            self.regen_rows.push(RegenRow {
                label: case.label.clone(),
                operations: case.operations,
                ours: Timing::of(&samples),
                output_files,
                output_bytes,
                type_names: type_name_lengths(&out),
                ours_process: not_run(),
                sdk_generator: not_run(),
                openapi_generator: not_run(),
            });
        }
        Ok(())
    }
}

/// The lengths of the shared types' names in the client regen wrote under `out`.
fn type_name_lengths(out: &Path) -> Figure<NameLengths> {
    let path = out.join(client::CLIENT_DIR).join(client::TYPES_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    NameLengths::of(&client::shared_type_names(&text))
        .ok_or_else(|| format!("{} declares no types", path.display()))
}
