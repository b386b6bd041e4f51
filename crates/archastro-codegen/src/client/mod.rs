//! The generated client crate (`generated/archastro-client`): progenitor, used as a library,
//! writes one module per scope family from the normalized documents; the types the families
//! share are generated once, in `types.rs`, and every family refers to them through
//! progenitor's type replacement. A generated `lib.rs` ties the families to the hand-written
//! runtime (`archastro-client-support`: credentials, retries, token refresh, pagination) through
//! progenitor's `ClientHooks`. Everything here is data-driven: names and texts from the spec
//! only reach the output through `quote!` (escaped literals, sanitized identifiers).
//!
//! One module per job: `plan` schedules them; `progenitor` runs progenitor; `shared_types`
//! lays out `types.rs` with the `builders` of the request structs; `glue` writes `lib.rs` (with
//! `pagination`'s streams and the path segment texts of `segments`); `realtime` the channels
//! and event streams; `packaging` the manifest, the README, the copied support sources and example programs;
//! `resources` writes each family's resource tree (the model's) in place of progenitor's flat
//! methods; `surface` lists that public API for review; `file` prints a generated file;
//! `type_names` reads the shared types' names back from `types.rs`. `variant_names` gives typify's lower-case variant names (`plus1`) upper camel case. The glue, pagination, segments and realtime read the typed model
//! ([`crate::model`]).

mod builders;
mod field_names;
mod file;
mod glue;
mod locate;
mod operation_builders;
mod packaging;
mod pagination;
mod patterns;
mod plan;
mod progenitor;
mod realtime;
mod resources;
mod segments;
mod send;
mod send_print;
mod shared_types;
mod surface;
mod type_names;
mod variant_names;

use std::collections::BTreeMap;

use crate::Result;
use crate::families::FamiliesConfig;
use crate::model::Api;

pub use file::{Files, GENERATED_MARKER};
pub use packaging::{RUST_VERSION, SUPPORT_MODULE_DIR, SupportSources, example_programs};
pub use plan::ClientPlan;
pub use surface::public_api;
pub use type_names::{NameLengths, TYPES_FILE, shared_type_names};

/// Where the client crate lives, relative to the output root.
pub const CLIENT_DIR: &str = "generated/archastro-client";

/// Generates every file of the client crate, keyed by path relative to the crate directory.
/// `crate_version` is the released version (`spec/release.toml`), before the `+<info.version>`
/// build metadata.
pub fn generate_client(
    api: &Api<'_>,
    config: &FamiliesConfig,
    support: &SupportSources,
    crate_version: &str,
) -> Result<BTreeMap<String, String>> {
    let plan = ClientPlan::new(api, config, support, crate_version)?;
    let mut files = BTreeMap::new();
    for part in crate::jobs::run(plan.jobs()) {
        files.extend(part?);
    }
    files.extend(plan.finish()?);
    Ok(files)
}
