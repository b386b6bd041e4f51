//! `cargo xtask regen`: load the spec, normalize it into its scope families, and bring the
//! output tree up to date, or, with `--check`, report what is stale. Everything is computed in
//! memory before the first byte is written, so a failure leaves `spec/normalized/` and
//! `generated/` untouched.

use std::path::Path;

use crate::client::{self, Files, SupportSources};
use crate::contract;
use crate::families::FamiliesConfig;
use crate::jobs::Job;
use crate::load::{self, Document};
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

/// The complete output tree for a normalized spec.
pub fn output_tree(
    opts: &RegenOptions,
    normalized: &Normalized,
    config: &FamiliesConfig,
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
    let plan = client::ClientPlan::new(normalized, config, &support, &opts.crate_version)?;
    let mut client_jobs = plan.jobs().into_iter();
    let server_jobs =
        server::server_jobs(normalized, config, &server_support, &opts.crate_version).into_iter();
    fn in_dir<'a>(dir: &'static str, job: Job<'a, Result<Files>>) -> Job<'a, Result<Files>> {
        Box::new(move || {
            Ok(job()?
                .into_iter()
                .map(|(rel, mut text)| {
                    // Held until every job is done: without the slack of its growth.
                    text.shrink_to_fit();
                    (format!("{dir}/{rel}"), text)
                })
                .collect())
        })
    }
    let mut jobs: Vec<Job<'_, Result<Files>>> = Vec::new();
    // The shared types first (the largest job, at the peak of memory), then what runs beside
    // it: the server crate, the contract and the normalized JSON (all small in memory); then
    // the client's `lib.rs` and its family modules (each a large progenitor run, the largest
    // first) last, so that as little as possible of them overlaps the types job. With many
    // shared types, none of them starts before the types job has converted the schemas
    // (`ClientPlan::after_conversion`).
    jobs.extend(
        client_jobs
            .by_ref()
            .take(client::ClientPlan::TYPES_JOBS)
            .map(|j| in_dir(client::CLIENT_DIR, j)),
    );
    jobs.extend(server_jobs.map(|j| plan.after_conversion(in_dir(server::SERVER_DIR, j))));
    jobs.push(plan.after_conversion(in_dir(
        contract::CONTRACT_DIR,
        Box::new(|| {
            Ok(contract::generate_contract(normalized)?
                .into_iter()
                .collect())
        }),
    )));
    jobs.push(plan.after_conversion(Box::new(|| {
        let mut files = Vec::new();
        for (name, document) in &normalized.families {
            let mut text =
                serde_json::to_string_pretty(document).map_err(|e| crate::Error::Invalid {
                    file: name.clone(),
                    pointer: "#".into(),
                    message: e.to_string(),
                })?;
            text.push('\n');
            files.push((format!("{NORMALIZED_DIR}/{name}.json"), text));
        }
        Ok(files)
    })));
    jobs.extend(client_jobs.map(|j| in_dir(client::CLIENT_DIR, j)));
    for part in crate::jobs::run(jobs) {
        for (rel, text) in part? {
            tree.add(rel, text);
        }
    }
    for (rel, text) in plan.finish()? {
        tree.add(format!("{}/{rel}", client::CLIENT_DIR), text);
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

/// Runs the whole pipeline. With a stamp path in `opts`, a tree that its stamp shows up to
/// date is not generated again ([`crate::stamp`]), and a `--check` that finds nothing stale
/// writes the stamp.
pub fn regen(opts: &RegenOptions) -> Result<RegenOutcome> {
    // Taken before the inputs are read, and again before a stamp is written: a stamp is only
    // written when the inputs did not change while they were used.
    let stamped = opts.stamp.as_deref().map(|path| {
        let stamp = Stamp::read(path);
        // A fingerprint is only worth its reads when a stamp can use or take it.
        let inputs = (stamp.is_some() || opts.mode == Mode::Check)
            .then(|| stamp::fingerprint(opts))
            .flatten();
        (path, stamp, inputs)
    });
    let config = FamiliesConfig::load(&opts.families)?;
    let document = read_spec(&opts.spec)?;
    // What the summary says about the input, taken before the document is consumed.
    let spec_operations = crate::model::operation_count(&document.root);
    let spec_openapi = document.root["openapi"].as_str().unwrap_or("?").to_owned();
    let origin = document.origin.clone();
    let normalized = normalize::normalize_for_generation(document, &config)?;
    if let Some((_, Some(stamp), Some(inputs))) = &stamped
        && stamp.holds(inputs, &opts.out)
    {
        return Ok(RegenOutcome {
            spec_operations,
            spec_openapi,
            normalized,
            changes: Vec::new(),
            by_stamp: true,
        });
    }
    let tree = output_tree(opts, &normalized, &config).map_err(|e| match e {
        // The client generator is where each family is first read as OpenAPI 3.0.
        Error::NotOpenApi { family, reason } => {
            normalize::not_openapi_error(&origin, &family, reason)
        }
        other => other,
    })?;
    let changes = tree.apply(opts.mode)?;
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
