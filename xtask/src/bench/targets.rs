//! The targets: each headline figure, what it must be and whether this run met it, for the
//! `targets` of `summary.json` and the first table of the report; and the figures made of
//! several measurements (the growth of the time per operation, the longest type names over
//! every platform spec, our client next to the vendor's).

use super::clients::ClientRow;
use super::regen::RegenRow;
use super::timing::{Figure, Timing};
use super::{BASELINE_SPEC, Bench, KEY_SPEC, VENDOR_SPEC};

const TARGET_SDK_GENERATOR: f64 = 2.0;
const TARGET_OPENAPI_GENERATOR: f64 = 20.0;
/// How much more time per operation (regen as a process) the key spec may take than the
/// baseline spec and still count as growing no faster than the spec: the noise of the ratio of
/// two medians taken in turns on a shared machine.
pub(super) const TARGET_GROWTH: f64 = 1.10;
const TARGET_NAME_LONGEST: usize = 60;
const TARGET_NAME_P90: usize = 40;
const TARGET_CLIENT_LINES: usize = 45_000;
const TARGET_BUILD_VS_VENDOR: f64 = 0.85;
const TARGET_X_FLOOR: f64 = 10.0;
const TARGET_OPS10K_SECONDS: f64 = 10.0;
const TARGET_OPS10K_MIB: f64 = 1024.0;
const TARGET_DIFF_SECONDS: f64 = 1.0;

/// One target, judged.
pub(super) struct TargetRow {
    /// Its key in the `targets` of `summary.json`.
    pub(super) key: &'static str,
    pub(super) what: String,
    /// The figure, with what it was made of.
    pub(super) figure: String,
    pub(super) target: &'static str,
    /// Met, missed, or not measured (`None`).
    pub(super) met: Option<bool>,
}

/// The longest shared type names over every platform spec.
pub(super) struct WorstNames {
    pub(super) longest: usize,
    pub(super) longest_name: String,
    pub(super) longest_spec: String,
    pub(super) p90: usize,
    pub(super) p90_spec: String,
}

impl Bench {
    /// The row of spec `label`.
    pub(super) fn row(&self, label: &str) -> &RegenRow {
        self.regen_rows
            .iter()
            .find(|r| r.label == label)
            .expect("every spec is measured")
    }

    /// The key spec's time per operation over the baseline spec's, regen as a process (the
    /// two are taken in the same turns).
    pub(super) fn growth(&self) -> Figure<f64> {
        let key = self.row(KEY_SPEC).process_ms_per_operation()?;
        Ok(key / self.row(BASELINE_SPEC).process_ms_per_operation()?)
    }

    /// The longest name and the largest 90th percentile of the shared types' names, over
    /// every platform spec (a spec whose names could not be read: no figure).
    pub(super) fn worst_names(&self) -> Figure<WorstNames> {
        let mut worst: Option<WorstNames> = None;
        for row in self
            .regen_rows
            .iter()
            .filter(|r| r.label.starts_with("platform-"))
        {
            let names = row
                .type_names
                .as_ref()
                .map_err(|e| format!("{}: {e}", row.label))?;
            let w = worst.get_or_insert_with(|| WorstNames {
                longest: 0,
                longest_name: String::new(),
                longest_spec: String::new(),
                p90: 0,
                p90_spec: String::new(),
            });
            if names.longest > w.longest {
                w.longest = names.longest;
                w.longest_name.clone_from(&names.longest_name);
                w.longest_spec.clone_from(&row.label);
            }
            if names.ninetieth_percentile > w.p90 {
                w.p90 = names.ninetieth_percentile;
                w.p90_spec.clone_from(&row.label);
            }
        }
        worst.ok_or_else(|| "no platform spec".into())
    }

    /// Our client of [`VENDOR_SPEC`] and the vendor's crate.
    pub(super) fn vendor_rows(&self) -> Figure<(&ClientRow, &ClientRow)> {
        self.vendor
            .as_ref()
            .map(|(ours, theirs)| (ours, theirs))
            .ok_or_else(|| "not measured".into())
    }

    /// Our crate-only build time over the vendor's.
    pub(super) fn build_vs_vendor(&self) -> Figure<f64> {
        let (ours, theirs) = self.vendor_rows()?;
        let median = |t: &Figure<Timing>| t.as_ref().map(|t| t.median).map_err(Clone::clone);
        Ok(median(&ours.build)? / median(&theirs.build)?)
    }

    /// Every target, judged.
    pub(super) fn targets(&self) -> Vec<TargetRow> {
        let mut rows = vec![
            self.speedup_target(KEY_SPEC, "speedup_vs_sdk_generator_at_least_2"),
            self.speedup_target(
                BASELINE_SPEC,
                "speedup_vs_sdk_generator_baseline_at_least_2",
            ),
        ];
        let key = self.row(KEY_SPEC);
        let oag = key.speedup(&key.openapi_generator);
        rows.push(TargetRow {
            key: "speedup_vs_openapi_generator_at_least_20",
            what: format!("speedup vs openapi-generator (rust), whole process, {KEY_SPEC}"),
            figure: figure_text(&oag, |x| format!("{x:.1}×")),
            target: "≥ 20×",
            met: oag.ok().map(|x| x >= TARGET_OPENAPI_GENERATOR),
        });
        rows.push(self.growth_target());
        rows.extend(self.name_targets());
        rows.extend(self.vendor_targets());
        rows.extend(self.other_targets());
        rows
    }

    /// Regen time per operation, key spec / baseline spec.
    fn growth_target(&self) -> TargetRow {
        let (key, base) = (self.row(KEY_SPEC), self.row(BASELINE_SPEC));
        let growth = self.growth();
        let figure = match (
            &growth,
            key.process_ms_per_operation(),
            base.process_ms_per_operation(),
        ) {
            (Ok(x), Ok(k), Ok(b)) => format!(
                "{x:.2}× ({k:.2} ms/op on {} ops, {b:.2} on {} ops)",
                key.operations, base.operations
            ),
            (Err(e), ..) => format!("n/a ({e})"),
            _ => "n/a".into(),
        };
        TargetRow {
            key: "ms_per_operation_grows_no_faster_than_spec_size",
            what: format!(
                "regen time grows no faster than spec size: ms per operation (whole process), {KEY_SPEC} / {BASELINE_SPEC}"
            ),
            figure,
            target: "≤ 1.10×",
            met: growth.ok().map(|x| x <= TARGET_GROWTH),
        }
    }

    /// Peer / ours as processes against sdk-generator on `label`.
    fn speedup_target(&self, label: &str, key: &'static str) -> TargetRow {
        let row = self.row(label);
        let speedup = row.speedup(&row.sdk_generator);
        let figure = match (&row.ours_process, &row.sdk_generator, &speedup) {
            (Ok(ours), Ok(theirs), Ok(x)) => format!(
                "{x:.2}× (ours {:.0} ms, sdk-generator {:.0} ms)",
                ours.median * 1e3,
                theirs.median * 1e3
            ),
            (.., Err(e)) => format!("n/a ({e})"),
            _ => "n/a".into(),
        };
        TargetRow {
            key,
            what: format!("speedup vs @archastro/sdk-generator, whole process, {label}"),
            figure,
            target: "≥ 2×",
            met: speedup.ok().map(|x| x >= TARGET_SDK_GENERATOR),
        }
    }

    fn name_targets(&self) -> [TargetRow; 2] {
        let worst = self.worst_names();
        [
            TargetRow {
                key: "type_names_longest_at_most_60",
                what: "longest shared type name, every platform spec (characters)".into(),
                figure: figure_text(&worst, |w| {
                    format!("{} ({}: `{}`)", w.longest, w.longest_spec, w.longest_name)
                }),
                target: "≤ 60",
                met: worst
                    .as_ref()
                    .ok()
                    .map(|w| w.longest <= TARGET_NAME_LONGEST),
            },
            TargetRow {
                key: "type_names_p90_at_most_40",
                what: "90th percentile of the shared type names' lengths, every platform spec"
                    .into(),
                figure: figure_text(&worst, |w| format!("{} ({})", w.p90, w.p90_spec)),
                target: "≤ 40",
                met: worst.as_ref().ok().map(|w| w.p90 <= TARGET_NAME_P90),
            },
        ]
    }

    fn vendor_targets(&self) -> [TargetRow; 2] {
        let rows = self.vendor_rows();
        let lines =
            rows.and_then(|(ours, theirs)| Ok((ours.lines.clone()?, theirs.lines.clone()?)));
        let build = self.build_vs_vendor();
        [
            TargetRow {
                key: "client_lines_at_most_45000",
                what: format!("generated client of {VENDOR_SPEC}, lines"),
                figure: figure_text(&lines, |(ours, theirs)| {
                    format!(
                        "{} ({:.2}× the vendor's {})",
                        grouped(*ours),
                        *ours as f64 / *theirs as f64,
                        grouped(*theirs)
                    )
                }),
                target: "≤ 45 000",
                met: lines.as_ref().ok().map(|(l, _)| *l <= TARGET_CLIENT_LINES),
            },
            TargetRow {
                key: "client_build_at_most_0_85_of_vendor",
                what: "crate-only build of that client / the vendor's crate".into(),
                figure: figure_text(&build, |x| format!("{x:.2}")),
                target: "≤ 0.85",
                met: build.ok().map(|x| x <= TARGET_BUILD_VS_VENDOR),
            },
        ]
    }

    fn other_targets(&self) -> Vec<TargetRow> {
        let x_floor = self.floor.as_ref().map(|f| f.ours.median / f.floor.median);
        let ops10k = self.scaling.iter().find(|r| r.operations == 10_000);
        let diff = self
            .diff
            .as_ref()
            .map(|(t, _, _)| t.median)
            .map_err(Clone::clone);
        vec![
            TargetRow {
                key: "x_floor_at_most_10",
                what: format!("regen / floor (read, parse as OpenAPI, write), {KEY_SPEC}"),
                figure: x_floor.map_or("n/a".into(), |x| format!("{x:.1}×")),
                target: "≤ 10×",
                met: x_floor.map(|x| x <= TARGET_X_FLOOR),
            },
            TargetRow {
                key: "ops10k_under_10_seconds",
                what: "10 000 synthetic operations: time".into(),
                figure: ops10k.map_or("n/a".into(), |r| format!("{:.2} s", r.seconds)),
                target: "< 10 s",
                met: ops10k.map(|r| r.seconds < TARGET_OPS10K_SECONDS),
            },
            TargetRow {
                key: "ops10k_under_1_gib",
                what: "10 000 synthetic operations: peak RSS".into(),
                figure: ops10k
                    .and_then(|r| r.peak_mib)
                    .map_or("n/a".into(), |m| format!("{m:.0} MiB")),
                target: "< 1024 MiB",
                met: ops10k
                    .and_then(|r| r.peak_mib)
                    .map(|m| m < TARGET_OPS10K_MIB),
            },
            TargetRow {
                key: "diff_under_1_second",
                what: "API diff of the two largest real specs".into(),
                figure: figure_text(&diff, |s| format!("{s:.3} s")),
                target: "< 1 s",
                met: diff.ok().map(|s| s < TARGET_DIFF_SECONDS),
            },
        ]
    }
}

/// The figure as text, or `n/a` with the reason.
fn figure_text<T>(figure: &Figure<T>, text: impl Fn(&T) -> String) -> String {
    match figure {
        Ok(v) => text(v),
        Err(e) => format!("n/a ({e})"),
    }
}

/// `n` with its digits grouped by three (`45 000`).
pub(super) fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(grouped(7), "7");
        assert_eq!(grouped(45_000), "45 000");
        assert_eq!(grouped(1_234_567), "1 234 567");
    }
}
