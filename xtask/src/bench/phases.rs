//! Where the time of one regen goes, measured on regen's own code path: the bench runs
//! [`regen::Pipeline`] with [`Phases`] as its observer, so the phases and the parts are the
//! library's ([`Phase`], [`Part`]) and nothing of the pipeline is rebuilt here.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use archastro_codegen::client;
use archastro_codegen::regen::{self, Part, Phase, PhaseObserver, RegenOptions};
use serde_json::{Value, json};

use super::system::{read_tree, remove_dir};
use super::timing::median;
use super::{Bench, KEY_SPEC};

/// Where the time of one regen goes, in seconds: the wall time of its phases as the pipeline
/// reports them (`load`, `normalize`, `model`, `generate`: every file, in memory, on the job
/// pool; `apply`: writing them into a fresh directory), each part's work inside `generate` as
/// the pipeline reports it (`client`, `server`, `contract`, `normalized_json`: the sum of the
/// part's jobs, each timed on the pool thread that ran it, and of its steps before and after
/// the pool; jobs run on two threads, so the parts do not add up to `generate`, and one can
/// exceed it), and
/// `client_reprint`: the client's files as written, re-parsed and re-printed with syn +
/// prettyplease on one thread, an upper bound of what formatting costs the client (its files
/// come out of progenitor as tokens).
#[derive(Debug, Clone, Default)]
pub(super) struct Phases {
    load: f64,
    normalize: f64,
    model: f64,
    generate: f64,
    apply: f64,
    client: f64,
    server: f64,
    contract: f64,
    normalized_json: f64,
    client_reprint: f64,
}

impl PhaseObserver for Phases {
    fn phase(&mut self, phase: Phase, took: Duration) {
        let field = match phase {
            Phase::Load => &mut self.load,
            Phase::Normalize => &mut self.normalize,
            Phase::Model => &mut self.model,
            Phase::Generate => &mut self.generate,
            Phase::Apply => &mut self.apply,
        };
        *field = took.as_secs_f64();
    }

    fn part(&mut self, part: Part, took: Duration) {
        let field = match part {
            Part::Client => &mut self.client,
            Part::Server => &mut self.server,
            Part::Contract => &mut self.contract,
            Part::NormalizedJson => &mut self.normalized_json,
        };
        *field = took.as_secs_f64();
    }
}

impl Bench {
    /// Where regen's time goes on the key spec: medians of [`Bench::runs`] observed regens,
    /// after a warm-up one.
    pub(super) fn measure_phases(&mut self) -> Result<()> {
        eprintln!("bench: phases of regen on {KEY_SPEC}");
        let case = self.case(KEY_SPEC);
        let (spec, families) = (case.path.clone(), case.families.clone());
        let opts = self.options(&spec, &families, &self.work.join("phases-out"))?;
        Phases::measure(&opts)?;
        let mut all = Vec::new();
        for _ in 0..self.runs {
            all.push(Phases::measure(&opts)?);
        }
        self.phases = Some(Phases::median_of(&all));
        Ok(())
    }
}

impl Phases {
    /// One regen with `opts` (write mode) into a fresh directory, observed; then the client's
    /// files it wrote, re-printed.
    pub(super) fn measure(opts: &RegenOptions) -> Result<Phases> {
        let mut phases = Phases::default();
        remove_dir(&opts.out)?;
        regen::Pipeline::new(opts, &mut phases).run()?;
        phases.client_reprint = reprint_seconds(&opts.out.join(client::CLIENT_DIR))?;
        Ok(phases)
    }

    fn total(&self) -> f64 {
        self.load + self.normalize + self.model + self.generate + self.apply
    }

    fn median_of(all: &[Phases]) -> Phases {
        let m = |f: fn(&Phases) -> f64| median(&all.iter().map(f).collect::<Vec<_>>());
        Phases {
            load: m(|p| p.load),
            normalize: m(|p| p.normalize),
            model: m(|p| p.model),
            generate: m(|p| p.generate),
            apply: m(|p| p.apply),
            client: m(|p| p.client),
            server: m(|p| p.server),
            contract: m(|p| p.contract),
            normalized_json: m(|p| p.normalized_json),
            client_reprint: m(|p| p.client_reprint),
        }
    }

    /// The fields of `phases_key_spec` and `phases_ops10k` in `summary.json`.
    pub(super) fn to_json(&self) -> Value {
        json!({
            "load_seconds": self.load,
            "normalize_seconds": self.normalize,
            "model_seconds": self.model,
            "generate_seconds": self.generate,
            "write_seconds": self.apply,
            "total_seconds": self.total(),
            "alone_client_seconds": self.client,
            "alone_server_seconds": self.server,
            "alone_contract_seconds": self.contract,
            "alone_normalized_json_seconds": self.normalized_json,
            "client_reprint_seconds": self.client_reprint,
        })
    }

    /// What [`Phases::to_json`] wrote (a figure that is missing is NaN).
    pub(super) fn from_json(v: &Value) -> Phases {
        let f = |k: &str| v[k].as_f64().unwrap_or(f64::NAN);
        Phases {
            load: f("load_seconds"),
            normalize: f("normalize_seconds"),
            model: f("model_seconds"),
            generate: f("generate_seconds"),
            apply: f("write_seconds"),
            client: f("alone_client_seconds"),
            server: f("alone_server_seconds"),
            contract: f("alone_contract_seconds"),
            normalized_json: f("alone_normalized_json_seconds"),
            client_reprint: f("client_reprint_seconds"),
        }
    }

    /// The Markdown tables: the phases with their shares, then the parts.
    pub(super) fn table(&self, title: &str) -> String {
        let total = self.total();
        let row = |name: &str, s: f64| {
            format!(
                "| {name} | {:.0} | {:.0}% |\n",
                s * 1e3,
                100.0 * s / total.max(1e-9)
            )
        };
        let mut t = format!("{title}\n\n| phase (wall time) | ms | share |\n|---|---:|---:|\n");
        t.push_str(&row("load (read + parse spec and families)", self.load));
        t.push_str(&row("normalize", self.normalize));
        t.push_str(&row("model (the typed API model, once)", self.model));
        t.push_str(&row(
            "generate: every file, on the 2-thread job pool",
            self.generate,
        ));
        t.push_str(&row("write (compare, stage, rename)", self.apply));
        t.push_str(&format!("| **total** | **{:.0}** | 100% |\n", total * 1e3));
        let part = |name: &str, s: f64| format!("| {name} | {:.0} |\n", s * 1e3);
        t.push_str("\nThe generated parts, as the pipeline times them inside *generate* (each part's jobs, timed on the pool thread that ran them, and its steps before and after the pool; jobs run on two threads, so the parts do not add up to *generate*, and one can exceed it):\n\n| part | ms |\n|---|---:|\n");
        t.push_str(&part(
            "client crate (progenitor, then printed: plain items and send impls as text, the rest by syn + prettyplease)",
            self.client,
        ));
        t.push_str(&part("&nbsp;&nbsp;for scale: its files re-parsed and re-printed whole by syn + prettyplease, one thread", self.client_reprint));
        t.push_str(&part("server crate (written as text)", self.server));
        t.push_str(&part("contract crate", self.contract));
        t.push_str(&part(
            "normalized JSON (serde_json pretty)",
            self.normalized_json,
        ));
        t
    }
}

/// Seconds to re-parse and re-print, with syn + prettyplease on one thread, every `.rs` file
/// of the client crate at `crate_dir` but the support module's (copied, not generated).
fn reprint_seconds(crate_dir: &Path) -> Result<f64> {
    let mut texts = Vec::new();
    for (rel, bytes) in read_tree(crate_dir)? {
        if rel.extension().is_some_and(|e| e == "rs")
            && !rel.starts_with(client::SUPPORT_MODULE_DIR)
        {
            texts.push(String::from_utf8(bytes).context("a generated client file")?);
        }
    }
    let start = Instant::now();
    for text in &texts {
        let file = syn::parse_file(text).context("re-parsing a generated client file")?;
        std::hint::black_box(prettyplease::unparse(&file));
    }
    Ok(start.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_and_parts_land_in_their_own_fields_and_survive_json() {
        let mut phases = Phases::default();
        let ms = |n: u64| Duration::from_millis(n);
        for (i, phase) in [
            Phase::Load,
            Phase::Normalize,
            Phase::Model,
            Phase::Generate,
            Phase::Apply,
        ]
        .into_iter()
        .enumerate()
        {
            phases.phase(phase, ms(1 + i as u64));
        }
        for (i, part) in [
            Part::Client,
            Part::Server,
            Part::Contract,
            Part::NormalizedJson,
        ]
        .into_iter()
        .enumerate()
        {
            phases.part(part, ms(10 + i as u64));
        }
        let v = phases.to_json();
        assert_eq!(v["load_seconds"], 0.001);
        assert_eq!(v["model_seconds"], 0.003);
        assert_eq!(v["write_seconds"], 0.005);
        assert!((v["total_seconds"].as_f64().unwrap() - 0.015).abs() < 1e-12);
        assert_eq!(v["alone_client_seconds"], 0.01);
        assert_eq!(v["alone_normalized_json_seconds"], 0.013);
        assert_eq!(Phases::from_json(&v).to_json(), v);
    }
}
