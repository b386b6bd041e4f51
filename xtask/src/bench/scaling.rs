//! Scaling: regen of deterministic synthetic specs of 100 to 10 000 operations
//! ([`super::synthetic`]), each in a measuring child process for its peak RSS; in the full run,
//! also where the time goes at 10 000 operations.

use anyhow::Result;

use super::Bench;
use super::child::run_child;
use super::phases::Phases;
use super::synthetic::{synthetic_families, synthetic_spec};
use super::system::remove_dir;
use super::timing::median;

/// Regen of one synthetic spec.
pub(super) struct ScalingRow {
    pub(super) operations: usize,
    pub(super) spec_bytes: u64,
    pub(super) seconds: f64,
    pub(super) wall_seconds: f64,
    pub(super) peak_mib: Option<f64>,
}

impl Bench {
    /// Every size in turn: the spec written to `target/bench/synthetic/`, then regenerated.
    pub(super) fn measure_scaling(&mut self) -> Result<()> {
        let sizes: &[usize] = if self.quick {
            &[100, 1000, 10_000]
        } else {
            &[100, 1000, 5000, 10_000]
        };
        // The synthetic specs stay in target/bench/synthetic/ for profiling.
        let dir = self.bench_dir.join("synthetic");
        std::fs::create_dir_all(&dir)?;
        let families = dir.join("families.toml");
        std::fs::write(&families, synthetic_families())?;
        let out = self.work.join("scaling-out");
        for &ops in sizes {
            eprintln!("bench: scaling, {ops} operations");
            let spec = dir.join(format!("synthetic-{ops}.json"));
            let text = serde_json::to_string_pretty(&synthetic_spec(ops))?;
            std::fs::write(&spec, &text)?;
            // Small sizes: median of several children; large ones (and 1000 in --quick): one
            // run each.
            let runs = if ops <= 100 || (ops <= 1000 && !self.quick) {
                self.runs
            } else {
                1
            };
            let mut seconds = Vec::new();
            let mut walls = Vec::new();
            let mut peaks = Vec::new();
            for _ in 0..runs {
                remove_dir(&out)?;
                let (v, wall) = run_child(&self.root, "regen", &spec, &families, &out)?;
                seconds.push(v["seconds"].as_f64().unwrap_or(f64::NAN));
                walls.push(wall);
                if let Some(k) = v["peak_rss_kib"].as_f64() {
                    peaks.push(k / 1024.0);
                }
            }
            self.scaling.push(ScalingRow {
                operations: ops,
                spec_bytes: text.len() as u64,
                seconds: median(&seconds),
                wall_seconds: median(&walls),
                peak_mib: peaks.iter().copied().reduce(f64::max),
            });
            // Where the time goes at the largest size (full run only: it costs one more regen).
            if !self.quick && ops == 10_000 {
                remove_dir(&out)?;
                let (v, _) = run_child(&self.root, "phases", &spec, &families, &out)?;
                self.scaling_phases = Some((
                    ops,
                    Phases::from_json(&v),
                    v["peak_rss_kib"].as_f64().map(|k| k / 1024.0),
                ));
            }
        }
        remove_dir(&out)?;
        Ok(())
    }
}
