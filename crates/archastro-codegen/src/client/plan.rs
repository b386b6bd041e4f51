//! The plan of a client generation: what every file is made from, computed once from the
//! model, and the jobs that make the files (the shared types first, then `lib.rs` with the
//! realtime modules, then one per family), with [`ClientPlan::finish`] after them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use proc_macro2::TokenStream;
use progenitor_impl::TypeImpl;
use serde_json::Value;

use super::file::{Files, format_file, generate_error};
use super::glue::lib_rs;
use super::operation_builders::family_text;
use super::packaging::{SupportSources, cargo_toml, readme, support_files};
use super::progenitor::{
    Uses, extract_types_module, replacement_impls, run_progenitor, run_progenitor_api,
    types_document, with_lint_free_idents,
};
use super::realtime::Realtime;
use super::resources::{builder_field_types, resources_text, without_flat_methods};
use super::shared_types::TypesFile;
use crate::Result;
use crate::families::FamiliesConfig;
use crate::jobs::{Job, Latch, OpensOnDrop};
use crate::model::{Api, Family, Info};
use crate::names::{module_name, type_name};

/// What the client's files are generated from, computed once; [`ClientPlan::jobs`] are
/// independent of each other, [`ClientPlan::finish`] comes after them.
pub struct ClientPlan<'a> {
    api: &'a Api<'a>,
    config: &'a FamiliesConfig,
    support: &'a SupportSources,
    crate_version: &'a str,
    /// Every component schema, by name.
    shared: BTreeMap<String, &'a Value>,
    /// Progenitor's replacement of every shared component, by type name.
    replacements: BTreeMap<String, Vec<TypeImpl>>,
    info: Info<'a>,
    /// Channels and event streams; their inline schemas join the shared types.
    realtime: Realtime,
    uses: Mutex<Uses>,
    /// The components a request body reaches: their structs get builders.
    with_builder: BTreeSet<String>,
    /// What the types job made, for [`ClientPlan::finish`].
    types_file: Mutex<Option<TypesFile>>,
    /// Opened when the types job has converted the schemas (its memory peak).
    types_converted: Latch,
    /// Whether the types job converts the schemas alone: with many shared types (see
    /// [`SHARED_TYPES_CONVERTED_BESIDE_OTHERS`]).
    converts_alone: bool,
}

/// With more shared types than this, no other job runs while the types job converts the
/// schemas, the memory peak of a regeneration: on a large spec it takes hundreds of megabytes
/// (about 400 MiB for the 8 000 schemas of 10 000 operations), and whatever runs beside it adds
/// its own (a family module of 2 500 operations about 350 MiB; even the texts written by the
/// small jobs, held until the end). Below it, other jobs run beside the conversion (it takes a
/// few MiB), which keeps both threads busy.
const SHARED_TYPES_CONVERTED_BESIDE_OTHERS: usize = 2000;

impl<'a> ClientPlan<'a> {
    /// The plan for the client of `api`, whose families `config` describes.
    pub fn new(
        api: &'a Api<'a>,
        config: &'a FamiliesConfig,
        support: &'a SupportSources,
        crate_version: &'a str,
    ) -> Result<Self> {
        let info = api.families.first().map_or(
            Info {
                title: Some("API"),
                version: Some("0"),
            },
            Family::info,
        );
        let shared = shared_schemas(api);
        let replacements = shared
            .iter()
            .map(|(name, schema)| (type_name(name), replacement_impls(schema)))
            .collect();
        let realtime = Realtime::collect(api, shared.keys())?;
        let with_builder = request_types(api, &shared);
        let converts_alone = shared.len() > SHARED_TYPES_CONVERTED_BESIDE_OTHERS;
        Ok(ClientPlan {
            api,
            config,
            support,
            crate_version,
            shared,
            replacements,
            info,
            realtime,
            uses: Default::default(),
            with_builder,
            types_file: Default::default(),
            types_converted: Latch::default(),
            converts_alone,
        })
    }

    /// The shared types (the first job, [`ClientPlan::TYPES_JOBS`] long), one job per family,
    /// the largest first (so that no large job starts last), then `lib.rs` with the realtime
    /// modules; each after [`ClientPlan::after_conversion`]. `src/types.rs` comes out of
    /// [`ClientPlan::finish`].
    pub fn jobs(&self) -> Vec<Job<'_, Result<Files>>> {
        let mut jobs: Vec<Job<'_, Result<Files>>> = vec![Box::new(|| self.types_job())];
        for family in self.api.families_largest_first() {
            jobs.push(Box::new(move || self.family_file(family)));
        }
        jobs.push(Box::new(|| self.lib_files()));
        let others = jobs.split_off(Self::TYPES_JOBS);
        jobs.extend(others.into_iter().map(|job| self.after_conversion(job)));
        jobs
    }

    /// Whether the types job converts the schemas with no other job beside it (a spec with
    /// many shared types; see [`SHARED_TYPES_CONVERTED_BESIDE_OTHERS`]).
    pub fn converts_alone(&self) -> bool {
        self.converts_alone
    }

    /// How many of the first [`ClientPlan::jobs`] make the shared types.
    pub const TYPES_JOBS: usize = 1;

    /// `job`, made to wait until the types job has converted the schemas when it converts them
    /// alone. Every job that follows the types job goes through here (those of
    /// [`ClientPlan::jobs`] already do).
    pub fn after_conversion<'j>(&'j self, job: Job<'j, Result<Files>>) -> Job<'j, Result<Files>> {
        if !self.converts_alone {
            return job;
        }
        Box::new(move || {
            self.types_converted.wait();
            job()
        })
    }

    /// `tokens` (progenitor's) with identifiers rustc would warn about rewritten, when the spec
    /// has a name that is not ASCII ([`Api::ascii`], see [`with_lint_free_idents`]).
    fn lint_free(&self, tokens: TokenStream) -> TokenStream {
        if self.api.ascii {
            tokens
        } else {
            with_lint_free_idents(tokens)
        }
    }

    /// The shared types: progenitor over a document with every component and no paths, without
    /// builders; the builders of the request structs are written from their structs. The
    /// printed parts wait in [`ClientPlan::types_file`] for [`ClientPlan::finish`].
    fn types_job(&self) -> Result<Files> {
        // The first job: it has started before any other job can wait for the conversion.
        let converting = OpensOnDrop(&self.types_converted);
        let schemas = self.shared.iter().map(|(name, schema)| (name, *schema));
        let document = types_document(schemas.chain(&self.realtime.schemas), self.info)?;
        let (types_tokens, uses) = run_progenitor_api("types", document, &BTreeMap::new(), false)?;
        let types_tokens = self.lint_free(types_tokens);
        drop(converting);
        self.add_uses(uses);
        let types_module = extract_types_module(types_tokens)
            .ok_or_else(|| generate_error("types", "progenitor produced no `types` module"))?;
        let file = TypesFile::lay_out(types_module, &self.with_builder)?;
        *self.types_file.lock().unwrap_or_else(|e| e.into_inner()) = Some(file);
        Ok(Vec::new())
    }

    /// `src/lib.rs`, with `src/channels.rs` and `src/streaming.rs` when the spec has channels
    /// or streaming operations.
    fn lib_files(&self) -> Result<Files> {
        let lib = lib_rs(self.api, self.config, &self.realtime);
        let mut files = vec![("src/lib.rs".to_owned(), format_file("lib.rs", lib, "")?)];
        if self.realtime.has_channels() {
            files.push((
                "src/channels.rs".to_owned(),
                format_file(
                    "channels.rs",
                    self.realtime.channels_rs(),
                    "Typed facades of the realtime channels (`x-channels`) over `support::channels`.",
                )?,
            ));
        }
        if self.realtime.has_streams() {
            files.push((
                "src/streaming.rs".to_owned(),
                format_file(
                    "streaming.rs",
                    self.realtime.streaming_rs(),
                    "Typed events of the streaming operations (`x-sdk-streaming`, Server-Sent Events).",
                )?,
            ));
        }
        Ok(files)
    }

    /// One scope family's module; its components refer to the shared types.
    fn family_file(&self, family: &Family<'_>) -> Result<Files> {
        let name = family.name;
        let configured = self
            .config
            .families
            .iter()
            .find(|f| f.name == name)
            .expect("families come from config");
        let (tokens, uses) = run_progenitor(name, family.doc, &self.replacements)?;
        let tokens = self.lint_free(tokens);
        self.add_uses(uses);
        let doc_line = format!("{}: {}", configured.title, configured.description);
        let tree = family.resources();
        let tokens = without_flat_methods(tokens, family, tree);
        let field_types = builder_field_types(&tokens);
        let mut text = family_text(name, tokens, &doc_line)?;
        text.push_str(&resources_text(family, tree, &field_types, &self.realtime));
        Ok(vec![(format!("src/{}.rs", module_name(name)), text)])
    }

    fn add_uses(&self, uses: Uses) {
        self.uses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .merge(uses);
    }

    /// `src/types.rs` (from the parts its job made), the support module, `Cargo.toml` (which
    /// needs what the jobs found) and the README. Call it after every job succeeded.
    pub fn finish(&self) -> Result<Files> {
        let types = self
            .types_file
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| generate_error("types", "a part of types.rs was not generated"))?;
        let mut files = vec![(super::TYPES_FILE.to_owned(), types.into_text()?)];
        files.extend(support_files(self.support));
        let uses = self.uses.lock().unwrap_or_else(|e| e.into_inner());
        files.push((
            "Cargo.toml".to_owned(),
            cargo_toml(self.info, self.support, &uses, self.crate_version),
        ));
        files.push((
            "README.md".to_owned(),
            readme(self.api, self.info, self.config, &self.realtime),
        ));
        Ok(files)
    }
}

/// Every component schema of every family, once (they come from one document, so a name
/// means the same schema everywhere).
fn shared_schemas<'a>(api: &Api<'a>) -> BTreeMap<String, &'a Value> {
    let mut out = BTreeMap::new();
    for family in &api.families {
        if let Some(schemas) = family
            .doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for (name, schema) in schemas {
                out.entry(name.clone()).or_insert(schema);
            }
        }
    }
    out
}

/// The components a request body uses, directly or through other components.
fn request_types(api: &Api<'_>, shared: &BTreeMap<String, &Value>) -> BTreeSet<String> {
    let mut pending = Vec::new();
    for (_, op) in api.operations() {
        if let Some(schema) = op.body.as_ref().and_then(|b| b.schema) {
            schema_refs(schema, &mut pending);
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.to_owned())
            && let Some(schema) = shared.get(name)
        {
            schema_refs(schema, &mut pending);
        }
    }
    seen
}

/// The component names `schema` refers to.
fn schema_refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                match (k.as_str(), child) {
                    ("$ref", Value::String(r)) => {
                        out.extend(r.strip_prefix("#/components/schemas/"));
                    }
                    _ => schema_refs(child, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| schema_refs(i, out)),
        _ => {}
    }
}
