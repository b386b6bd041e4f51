//! Whole-process regen next to the peers, taken in turns: turn by turn, on each spec the
//! peers run on, ours (this binary's `regen --spec … --families … --out <fresh dir>`, as a user
//! runs it), then `@archastro/sdk-generator`, then openapi-generator (fewer turns: it takes
//! seconds), so that every process and every spec sees the same machine. Wall time of each
//! process, runtime start-up included; medians after one warm-up turn.

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

/// The three processes' samples on one spec.
struct SpecTurns {
    index: usize,
    ours: Turn,
    sdk: Turn,
    oag: Turn,
}

impl Bench {
    /// Ours and the peers as processes, in turns, on every spec they run on
    /// ([`Bench::peers_on`]): turn by turn, each spec in order, ours, sdk-generator and (in the
    /// first [`Bench::slow_runs`] turns) openapi-generator; [`Bench::fast_runs`] turns after one
    /// warm-up turn. The specs share every turn, so the time per operation of one spec can be
    /// compared with another's.
    pub(super) fn measure_turns(&mut self) -> Result<()> {
        let exe = std::env::current_exe().context("locating the running xtask")?;
        let mut specs: Vec<SpecTurns> = (0..self.specs.len())
            .filter(|&index| self.peers_on(&self.specs[index]))
            .map(|index| SpecTurns {
                index,
                ours: Turn::new("regen"),
                sdk: Turn::new("sdk-generator"),
                oag: Turn::new("openapi-generator"),
            })
            .collect();
        let labels: Vec<&str> = specs
            .iter()
            .map(|s| self.specs[s.index].label.as_str())
            .collect();
        eprintln!(
            "bench: ours and the peers as processes, in turns, on {}",
            labels.join(", ")
        );
        let out = self.work.join("turns-out");
        for turn in 0..=self.fast_runs() {
            let measured = turn > 0;
            for spec in &mut specs {
                let case = &self.specs[spec.index];
                spec.ours
                    .take(&out, measured, |out| self.run_ours(&exe, case, out));
                spec.sdk
                    .take(&out, measured, |out| self.run_sdk_generator(case, out));
                if turn <= self.slow_runs() {
                    spec.oag
                        .take(&out, measured, |out| self.run_openapi_generator(case, out));
                }
            }
        }
        remove_dir(&out)?;
        for spec in specs {
            let ours = spec.ours.timing();
            if let Err(reason) = &ours {
                let label = &self.specs[spec.index].label;
                bail!("regen of {label} as a process failed: {reason}");
            }
            let row = &mut self.regen_rows[spec.index];
            row.ours_process = ours;
            row.sdk_generator = spec.sdk.timing();
            row.openapi_generator = spec.oag.timing();
        }
        Ok(())
    }

    /// One `xtask regen` process on `case` into `out`.
    fn run_ours(&self, exe: &Path, case: &SpecCase, out: &Path) -> Figure<()> {
        run_quiet(&mut self.ours_command(exe, case, out))
    }

    /// The `xtask regen` command (`exe`, this binary) that regenerates `case` into `out`.
    pub(super) fn ours_command(&self, exe: &Path, case: &SpecCase, out: &Path) -> Command {
        let mut cmd = Command::new(exe);
        cmd.current_dir(&self.root)
            .arg("regen")
            .arg("--spec")
            .arg(&case.path)
            .arg("--families")
            .arg(&case.families)
            .arg("--out")
            .arg(out);
        cmd
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warm_up_turn_is_not_a_sample_and_a_failure_stops_the_process() {
        let out = std::env::temp_dir().join(format!("bench-turns-{}", std::process::id()));
        let mut turn = Turn::new("peer");
        turn.take(&out, false, |_| Ok(()));
        turn.take(&out, true, |_| Ok(()));
        assert_eq!(turn.samples.len(), 1);
        turn.take(&out, true, |_| Err("exited with 1".into()));
        let mut ran = false;
        turn.take(&out, true, |_| {
            ran = true;
            Ok(())
        });
        assert!(!ran, "a failed process runs again");
        assert_eq!(turn.timing().unwrap_err(), "peer: exited with 1");
    }
}
