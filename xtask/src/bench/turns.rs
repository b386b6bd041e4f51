//! Whole-process regen next to the peers, taken in turns: on each spec the peers run on, run
//! by run, ours (this binary's `regen --spec … --families … --out <fresh dir>`, as a user runs
//! it), then `@archastro/sdk-generator`, then openapi-generator (fewer runs: it takes seconds),
//! so that all three see the same machine. Wall time of each process, runtime start-up
//! included; medians after one warm-up turn.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::system::{remove_dir, run_quiet};
use super::timing::{Figure, Timing};
use super::{Bench, SpecCase};

/// One process's samples in the turns, or why it stopped.
struct Turn {
    name: &'static str,
    samples: Vec<f64>,
    failed: Option<String>,
}

impl Turn {
    fn new(name: &'static str) -> Turn {
        Turn {
            name,
            samples: Vec::new(),
            failed: None,
        }
    }

    /// Runs `run` into the fresh directory `out`, timed; the sample is kept when `measured`
    /// (not in the warm-up turn). After a failure the process is not run again.
    fn take(&mut self, out: &Path, measured: bool, run: impl FnOnce(&Path) -> Figure<()>) {
        if self.failed.is_some() {
            return;
        }
        if let Err(e) = remove_dir(out) {
            self.failed = Some(format!("{e:#}"));
            return;
        }
        let t = Instant::now();
        match run(out) {
            Ok(()) if measured => self.samples.push(t.elapsed().as_secs_f64()),
            Ok(()) => {}
            Err(e) => self.failed = Some(format!("{}: {e}", self.name)),
        }
    }

    fn timing(self) -> Figure<Timing> {
        match self.failed {
            Some(reason) => Err(reason),
            None => Ok(Timing::of(&self.samples)),
        }
    }
}

impl Bench {
    /// Ours and the peers as processes, in turns, on every spec they run on
    /// ([`Bench::peers_on`]): [`Bench::fast_runs`] turns of ours and sdk-generator, the first
    /// [`Bench::runs`] of them with openapi-generator too, after one warm-up turn.
    pub(super) fn measure_turns(&mut self) -> Result<()> {
        let exe = std::env::current_exe().context("locating the running xtask")?;
        for index in 0..self.specs.len() {
            let case = &self.specs[index];
            if !self.peers_on(case) {
                continue;
            }
            eprintln!("bench: {} as processes, in turns", case.label);
            let (mut ours, mut sdk, mut oag) = (
                Turn::new("regen"),
                Turn::new("sdk-generator"),
                Turn::new("openapi-generator"),
            );
            let out = self.work.join("turns-out");
            for turn in 0..=self.fast_runs() {
                let measured = turn > 0;
                ours.take(&out, measured, |out| self.run_ours(&exe, case, out));
                sdk.take(&out, measured, |out| self.run_sdk_generator(case, out));
                if turn <= self.runs {
                    oag.take(&out, measured, |out| self.run_openapi_generator(case, out));
                }
            }
            remove_dir(&out)?;
            let ours = ours.timing();
            if let Err(reason) = &ours {
                bail!("regen of {} as a process failed: {reason}", case.label);
            }
            let row = &mut self.regen_rows[index];
            row.ours_process = ours;
            row.sdk_generator = sdk.timing();
            row.openapi_generator = oag.timing();
        }
        Ok(())
    }

    /// One `xtask regen` process on `case` into `out`.
    fn run_ours(&self, exe: &Path, case: &SpecCase, out: &Path) -> Figure<()> {
        let mut cmd = Command::new(exe);
        cmd.current_dir(&self.root)
            .arg("regen")
            .arg("--spec")
            .arg(&case.path)
            .arg("--families")
            .arg(&case.families)
            .arg("--out")
            .arg(out);
        run_quiet(&mut cmd)
    }
}
