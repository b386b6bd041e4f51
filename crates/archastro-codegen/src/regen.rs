//! `cargo xtask regen`: load the spec, normalize it into its scope families, and bring the
//! output tree up to date, or, with `--check`, report what is stale. Everything is computed in
//! memory before the first byte is written, so a failure leaves `spec/normalized/` and
//! `generated/` untouched.
//!
//! A regeneration is a [`Pipeline`] of [`Phase`]s: load the spec and the families file,
//! normalize, build the typed API model once, generate the output tree in memory, apply it
//! (write or compare). [`regen`] runs it; a [`PhaseObserver`] given to [`Pipeline::new`] is
//! told how long each phase, and each [`Part`] of the output tree inside generation, took
//! (`cargo xtask bench` times regen that way, on the same code path).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::client::{self, Files, SupportSources};
use crate::contract;
use crate::families::FamiliesConfig;
use crate::jobs::Job;
use crate::load::{self, Document};
use crate::model::Api;
use crate::normalize::{self, Normalized};
use crate::output::{Change, Mode, OutputTree};
use crate::server;
use crate::stamp::{self, Stamp};
use crate::{Error, Result};

pub use crate::options::RegenOptions;

/// The directory, relative to the output root, that holds one normalized document per family.
pub const NORMALIZED_DIR: &str = "spec/normalized";

/// What a regeneration did.
#[derive(Debug)]
pub struct RegenOutcome {
    /// Operations in the spec as read (before exclusions).
    pub spec_operations: usize,
    /// The spec's `openapi` version field.
    pub spec_openapi: String,
    pub normalized: Normalized,
    /// Files that differed (and, in write mode, were brought up to date).
    pub changes: Vec<Change>,
    /// True when the tree was found up to date by its stamp ([`crate::stamp`]), without
    /// generating it.
    pub by_stamp: bool,
}

/// Reads the spec named by `spec`, a file path or a URL.
pub fn read_spec(spec: &str) -> Result<Document> {
    if spec.starts_with("https://") || spec.starts_with("http://") {
        let body = crate::fetch::download(
            spec,
            crate::fetch::DEFAULT_TIMEOUT,
            crate::fetch::DEFAULT_MAX_BYTES,
        )?;
        load::parse_document(spec, &body)
    } else {
        load::load_file(Path::new(spec))
    }
}

/// A phase of a regeneration, in the order [`Pipeline::run`] runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// Read the families configuration and the spec (a file or a URL), and parse both.
    Load,
    /// Normalize the spec into one OpenAPI 3.0.3 document per family.
    Normalize,
    /// Build the typed API model of the normalized families ([`Api::new`]), once.
    Model,
    /// Generate every file of the output tree in memory, on the job pool ([`crate::jobs`]).
    Generate,
    /// Write the tree, or compare it with the disk ([`OutputTree::apply`]).
    Apply,
}

/// A part of the output tree, made by its own generator during [`Phase::Generate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The client crate ([`crate::client`]): its plan, its jobs, and putting `src/types.rs`
    /// and the crate's other files together.
    Client,
    /// The server crate ([`crate::server`]).
    Server,
    /// The contract crate ([`crate::contract`]).
    Contract,
    /// The normalized family documents as pretty JSON ([`NORMALIZED_DIR`]).
    NormalizedJson,
}

/// Told how long the phases of a regeneration took (wall time).
pub trait PhaseObserver {
    /// `phase` succeeded after `took`. Called once per phase, in order; a tree found up to
    /// date by its stamp ends the regeneration after [`Phase::Model`].
    fn phase(&mut self, phase: Phase, took: Duration);

    /// What `part`'s work took inside a successful [`Phase::Generate`], reported just before
    /// it, once per part, in [`Part`] order: the sum of its jobs' times (each timed on the pool
    /// thread that ran it, from when it may start: a job held back by
    /// [`client::ClientPlan::after_conversion`] is timed once let through) and of its steps
    /// before and after the pool. Jobs run on several threads, so the parts' times do not add
    /// up to [`Phase::Generate`], and one part's can exceed it.
    fn part(&mut self, part: Part, took: Duration);
}

/// Every name of the client's resource trees that is not the one first wanted, as report
/// entries (rule `resource-name-collision`): the trees are the model's ([`crate::model::Resources`]), the
/// same the client is generated from.
fn resource_name_warnings(api: &Api<'_>) -> Vec<(String, String)> {
    api.families
        .iter()
        .flat_map(|family| family.resources().resolutions.iter())
        .map(|resolution| (resolution.pointer.clone(), resolution.message.clone()))
        .collect()
}

/// Every parameter the client gives another argument than its name's, because the request
/// builder keeps that one for itself ([`crate::names::client_arguments`]), as report entries
/// (rule `parameter-argument-renamed`).
fn argument_rename_warnings(api: &Api<'_>) -> Vec<(String, String)> {
    let mut warnings = Vec::new();
    for operation in api.families.iter().flat_map(|family| &family.operations) {
        let has_body = operation.body.is_some();
        for (i, parameter) in operation.parameters.iter().enumerate() {
            let argument = crate::names::progenitor_method_name(parameter.name);
            let Some(why) = crate::names::taken_by_request_builder(&argument, has_body)
                .filter(|_| parameter.setter != crate::names::client_setter_name(parameter.name))
            else {
                continue;
            };
            warnings.push((
                format!("{}/parameters/{i}", operation.pointer),
                format!(
                    "{} parameter `{}` is the client's argument `{}`: `{argument}` is {why}; it is sent as `{}`",
                    parameter.location.as_str(),
                    parameter.name,
                    parameter.setter,
                    parameter.name
                ),
            ));
        }
    }
    warnings
}

/// Adds `warnings` (pointer, message), found in the model, to the report under `rule`.
fn report_model_warnings(
    normalized: &mut Normalized,
    rule: &'static str,
    warnings: Vec<(String, String)>,
) {
    for (pointer, message) in warnings {
        normalized.report.warn(rule, pointer, message);
    }
}

/// The observer of [`regen`]: it ignores every report.
impl PhaseObserver for () {
    fn phase(&mut self, _: Phase, _: Duration) {}

    fn part(&mut self, _: Part, _: Duration) {}
}

/// Runs the whole pipeline ([`Pipeline::run`]), unobserved.
pub fn regen(opts: &RegenOptions) -> Result<RegenOutcome> {
    Pipeline::new(opts, &mut ()).run()
}

/// One regeneration with `opts`, phase by phase. [`Pipeline::run`] is the whole of it; each
/// phase's method reports its time to the observer when it succeeds.
pub struct Pipeline<'o> {
    opts: &'o RegenOptions,
    observer: &'o mut dyn PhaseObserver,
}

impl<'o> Pipeline<'o> {
    pub fn new(opts: &'o RegenOptions, observer: &'o mut dyn PhaseObserver) -> Pipeline<'o> {
        Pipeline { opts, observer }
    }

    /// [`Phase::Load`]: the families configuration and the spec document.
    pub fn load(&mut self) -> Result<(FamiliesConfig, Document)> {
        self.timed(Phase::Load, |opts| {
            Ok((
                FamiliesConfig::load(&opts.families)?,
                read_spec(&opts.spec)?,
            ))
        })
    }

    /// [`Phase::Normalize`], consuming the document.
    pub fn normalize(&mut self, document: Document, config: &FamiliesConfig) -> Result<Normalized> {
        self.timed(Phase::Normalize, |_| {
            normalize::normalize_for_generation(document, config)
        })
    }

    /// [`Phase::Model`].
    pub fn model<'n>(&mut self, normalized: &'n Normalized) -> Result<Api<'n>> {
        self.timed(Phase::Model, |_| Api::new(normalized))
    }

    /// [`Phase::Generate`]: the complete output tree, in memory; each [`Part`]'s time goes to
    /// the observer first.
    pub fn generate(&mut self, api: &Api<'_>, config: &FamiliesConfig) -> Result<OutputTree> {
        let start = Instant::now();
        let times = PartTimes::default();
        let tree = output_tree(self.opts, api, config, &times)?;
        times.report(self.observer);
        self.observer.phase(Phase::Generate, start.elapsed());
        Ok(tree)
    }

    /// [`Phase::Apply`]: writes the tree, or compares it with the disk, as the options' mode
    /// says; returns what differed.
    pub fn apply(&mut self, tree: &OutputTree) -> Result<Vec<Change>> {
        self.timed(Phase::Apply, |opts| tree.apply(opts.mode))
    }

    /// Runs every phase. With a stamp path in the options, a tree that its stamp shows up to
    /// date is not generated again ([`crate::stamp`]), and a `--check` that finds nothing stale
    /// writes the stamp.
    pub fn run(mut self) -> Result<RegenOutcome> {
        let opts = self.opts;
        // Taken before the inputs are read, and again before a stamp is written: a stamp is
        // only written when the inputs did not change while they were used.
        let stamped = opts.stamp.as_deref().map(|path| {
            let stamp = Stamp::read(path);
            // A fingerprint is only worth its reads when a stamp can use or take it.
            let inputs = (stamp.is_some() || opts.mode == Mode::Check)
                .then(|| stamp::fingerprint(opts))
                .flatten();
            (path, stamp, inputs)
        });
        let (config, document) = self.load()?;
        // What the summary says about the input, taken before the document is consumed.
        let spec_operations = crate::model::operation_count(&document.root);
        let spec_openapi = document.root["openapi"].as_str().unwrap_or("?").to_owned();
        let origin = document.origin.clone();
        let mut normalized = self.normalize(document, &config)?;
        let by_stamp = matches!(&stamped, Some((_, Some(stamp), Some(inputs)))
            if stamp.holds(inputs, &opts.out));
        // The model is read once: the report's resource names come from the trees the client
        // is generated from, and its renamed arguments from the model's parameters; both join
        // the report once the model is done with. They are read after generation, whose jobs
        // build the trees on the pool (a tree is built once).
        let (warnings, tree) = {
            let api = self.model(&normalized)?;
            let tree = (!by_stamp)
                .then(|| self.generate(&api, &config))
                .transpose()
                .map_err(|e| match e {
                    // The client generator is where each family is first read as OpenAPI 3.0.
                    Error::NotOpenApi {
                        family,
                        pointer,
                        reason,
                    } => Error::not_openapi(&origin, &family, &pointer, reason),
                    Error::Located { pointer, message } => {
                        Error::invalid(&origin, &pointer, message)
                    }
                    other => other,
                })?;
            (
                (resource_name_warnings(&api), argument_rename_warnings(&api)),
                tree,
            )
        };
        report_model_warnings(&mut normalized, "resource-name-collision", warnings.0);
        report_model_warnings(&mut normalized, "parameter-argument-renamed", warnings.1);
        let Some(tree) = tree else {
            return Ok(RegenOutcome {
                spec_operations,
                spec_openapi,
                normalized,
                changes: Vec::new(),
                by_stamp: true,
            });
        };
        let changes = self.apply(&tree)?;
        if opts.mode == Mode::Check
            && changes.is_empty()
            && let Some((path, _, Some(inputs))) = stamped
            && stamp::fingerprint(opts).as_ref() == Some(&inputs)
        {
            Stamp::of(inputs, &tree).write(path);
        }
        Ok(RegenOutcome {
            spec_operations,
            spec_openapi,
            normalized,
            changes,
            by_stamp: false,
        })
    }

    /// Runs one phase's `step` and reports its time if it succeeds.
    fn timed<T>(
        &mut self,
        phase: Phase,
        step: impl FnOnce(&RegenOptions) -> Result<T>,
    ) -> Result<T> {
        let start = Instant::now();
        let value = step(self.opts)?;
        self.observer.phase(phase, start.elapsed());
        Ok(value)
    }
}

/// The time each [`Part`]'s work took in one generation, summed; added to from the pool's
/// threads.
#[derive(Default)]
struct PartTimes(Mutex<BTreeMap<Part, Duration>>);

impl PartTimes {
    fn add(&self, part: Part, took: Duration) {
        *self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(part)
            .or_default() += took;
    }

    /// `job`, timed as work of `part` when it runs.
    fn timed<'a, T: 'a>(&'a self, part: Part, job: Job<'a, T>) -> Job<'a, T> {
        Box::new(move || {
            let start = Instant::now();
            let value = job();
            self.add(part, start.elapsed());
            value
        })
    }

    fn report(self, observer: &mut dyn PhaseObserver) {
        for (part, took) in self.0.into_inner().unwrap_or_else(|e| e.into_inner()) {
            observer.part(part, took);
        }
    }
}

/// The complete output tree for a normalized spec ([`Phase::Generate`]); what each part's
/// work took is added to `times`.
fn output_tree(
    opts: &RegenOptions,
    api: &Api<'_>,
    config: &FamiliesConfig,
    times: &PartTimes,
) -> Result<OutputTree> {
    let (out, standalone) = (opts.out.as_path(), opts.standalone);
    let mut tree = OutputTree::new(out);
    tree.own_dir(NORMALIZED_DIR);
    tree.own_dir(client::CLIENT_DIR);
    tree.own_dir(server::SERVER_DIR);
    tree.own_dir(contract::CONTRACT_DIR);
    let support = SupportSources::read(&opts.support_crate)?;
    // The server crate uses the server support crate by path: relative inside the repository,
    // absolute from a standalone output directory.
    let server_support = opts
        .support_crate
        .with_file_name("archastro-server-support");
    let server_support = if standalone {
        server_support.display().to_string()
    } else {
        "../../crates/archastro-server-support".to_owned()
    };

    // Every file is independent of the others: generate them on a small pool, the client's
    // and the server's files of one family side by side, the largest first.
    let planning = Instant::now();
    let plan = client::ClientPlan::new(api, config, &support, &opts.crate_version)?;
    times.add(Part::Client, planning.elapsed());
    let mut client_jobs = plan.jobs().into_iter();
    let server_jobs =
        server::server_jobs(api, config, &server_support, &opts.crate_version).into_iter();
    /// `job`, timed as `part`'s work, with its files moved under `dir`.
    fn in_dir<'a>(
        times: &'a PartTimes,
        part: Part,
        dir: &'static str,
        job: Job<'a, Result<Files>>,
    ) -> Job<'a, Result<Files>> {
        times.timed(
            part,
            Box::new(move || {
                Ok(job()?
                    .into_iter()
                    .map(|(rel, mut text)| {
                        // Held until every job is done: without the slack of its growth.
                        text.shrink_to_fit();
                        (format!("{dir}/{rel}"), text)
                    })
                    .collect())
            }),
        )
    }
    let mut jobs: Vec<Job<'_, Result<Files>>> = Vec::new();
    // The shared types first (the largest job). With many shared types (a large spec, where
    // memory is what counts), what runs beside it follows: the normalized JSON, the server
    // crate and the contract (all small in memory); then the client's family modules (each a
    // large progenitor run, the largest first) and `lib.rs` last, so that as little as
    // possible of them overlaps the types job, and none starts before the types job has
    // converted the schemas (`ClientPlan::after_conversion`). Otherwise (where time counts)
    // the client's family modules follow the types job at once, and the small jobs fill the
    // end, which keeps both threads busy to the last. A job's time starts once it is let
    // through; the client's own jobs are let through inside `ClientPlan::jobs`, inside their
    // time, but never wait: a job of the server or the contract, queued before them, waits
    // first.
    let client_first = if plan.converts_alone() {
        client::ClientPlan::TYPES_JOBS
    } else {
        usize::MAX
    };
    jobs.extend(
        client_jobs
            .by_ref()
            .take(client_first)
            .map(|j| in_dir(times, Part::Client, client::CLIENT_DIR, j)),
    );
    // The normalized documents (one job per family, the largest first: a platform spec's
    // runtime family writes megabytes of JSON) before the server's and the contract's jobs,
    // which are shorter, so that a long job does not start last.
    jobs.extend(api.families_largest_first().into_iter().map(|family| {
        plan.after_conversion(times.timed(
            Part::NormalizedJson,
            Box::new(move || {
                let mut text = serde_json::to_string_pretty(family.doc).map_err(|e| {
                    crate::Error::Invalid {
                        file: family.name.to_owned(),
                        pointer: "#".into(),
                        message: e.to_string(),
                    }
                })?;
                text.push('\n');
                Ok(vec![(
                    format!("{NORMALIZED_DIR}/{}.json", family.name),
                    text,
                )])
            }),
        ))
    }));
    jobs.extend(
        server_jobs
            .map(|j| plan.after_conversion(in_dir(times, Part::Server, server::SERVER_DIR, j))),
    );
    jobs.push(plan.after_conversion(in_dir(
        times,
        Part::Contract,
        contract::CONTRACT_DIR,
        Box::new(|| Ok(contract::generate_contract(api)?.into_iter().collect())),
    )));
    jobs.extend(client_jobs.map(|j| in_dir(times, Part::Client, client::CLIENT_DIR, j)));
    for part in crate::jobs::run(jobs) {
        for (rel, text) in part? {
            tree.add(rel, text);
        }
    }
    let finishing = Instant::now();
    let client_files = plan.finish()?;
    times.add(Part::Client, finishing.elapsed());
    for (rel, text) in client_files {
        tree.add(format!("{}/{rel}", client::CLIENT_DIR), text);
    }
    if let Some(dir) = &opts.client_examples {
        for (rel, text) in client::example_programs(dir)? {
            tree.add(format!("{}/{rel}", client::CLIENT_DIR), text);
        }
    }
    if standalone {
        tree.add(
            "Cargo.toml",
            format!(
                "# Generated by `cargo xtask regen --out`, do not edit by hand.\n[workspace]\nresolver = \"3\"\nmembers = [\"{}\", \"{}\", \"{}\"]\n",
                client::CLIENT_DIR,
                server::SERVER_DIR,
                contract::CONTRACT_DIR
            ),
        );
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// What a pipeline reported, in order.
    #[derive(Debug, PartialEq)]
    enum Report {
        Phase(Phase),
        Part(Part),
    }

    impl PhaseObserver for Vec<Report> {
        fn phase(&mut self, phase: Phase, took: Duration) {
            assert!(took > Duration::ZERO, "{phase:?} took no time");
            self.push(Report::Phase(phase));
        }

        fn part(&mut self, part: Part, took: Duration) {
            assert!(took > Duration::ZERO, "{part:?} took no time");
            self.push(Report::Part(part));
        }
    }

    /// Options for a one-operation spec in a fresh directory under `dir`.
    fn one_operation(dir: &Path) -> RegenOptions {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        let spec = dir.join("openapi.json");
        let ok = r#"{"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}"#;
        std::fs::write(
            &spec,
            format!(
                r#"{{"openapi": "3.0.3", "info": {{"title": "t", "version": "1"}}, "paths": {{"/api/v1/things": {{"get": {{"operationId": "list_things", "responses": {{"200": {ok}}}}}}}}}}}"#
            ),
        )
        .unwrap();
        let families = dir.join("families.toml");
        std::fs::write(
            &families,
            "name_prefixes = [\"/api/v1\"]\n\n[[family]]\nname = \"things\"\ntitle = \"Things\"\ndescription = \"Things.\"\npaths = [\"/api/v1/things/**\"]\n",
        )
        .unwrap();
        RegenOptions {
            spec: spec.display().to_string(),
            families,
            out: dir.join("out"),
            standalone: true,
            support_crate: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../archastro-client-support"),
            client_examples: None,
            crate_version: "0.1.0".into(),
            mode: Mode::Write,
            stamp: None,
        }
    }

    #[test]
    fn the_pipeline_reports_every_phase_and_part_in_order() {
        let dir = std::env::temp_dir().join(format!("archastro-regen-{}", std::process::id()));
        let opts = one_operation(&dir);
        let mut reports = Vec::new();
        let outcome = Pipeline::new(&opts, &mut reports).run().unwrap();
        assert!(!outcome.changes.is_empty());
        use {Part::*, Phase::*};
        assert_eq!(
            reports,
            [
                Report::Phase(Load),
                Report::Phase(Normalize),
                Report::Phase(Model),
                Report::Part(Client),
                Report::Part(Server),
                Report::Part(Contract),
                Report::Part(NormalizedJson),
                Report::Phase(Generate),
                Report::Phase(Apply),
            ]
        );

        // A check that finds nothing stale writes the stamp; the next one trusts it and
        // ends after the model (the report's resource names come from it).
        let check = RegenOptions {
            mode: Mode::Check,
            stamp: Some(dir.join("stamp.json")),
            ..opts
        };
        assert!(regen(&check).unwrap().changes.is_empty());
        let mut reports = Vec::new();
        assert!(Pipeline::new(&check, &mut reports).run().unwrap().by_stamp);
        assert_eq!(
            reports,
            [
                Report::Phase(Load),
                Report::Phase(Normalize),
                Report::Phase(Model)
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
