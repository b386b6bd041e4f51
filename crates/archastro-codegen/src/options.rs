//! What a regeneration is asked to do: [`RegenOptions`], read by the pipeline ([`crate::regen`],
//! which re-exports it) and by the stamp ([`crate::stamp`]). It sits below both, so that the
//! stamp does not import from the pipeline that uses it.

use std::path::PathBuf;

use crate::output::Mode;

/// What to regenerate from what, and where.
#[derive(Debug, Clone)]
pub struct RegenOptions {
    /// A path, or an `https://` (or loopback `http://`) URL.
    pub spec: String,
    pub families: PathBuf,
    /// The output root: the repository, or the `--out` directory.
    pub out: PathBuf,
    /// True when `out` is a standalone directory that needs its own workspace manifest.
    pub standalone: bool,
    /// The hand-written support crate whose sources the generated client includes.
    pub support_crate: PathBuf,
    /// Hand-written example programs (`spec/client-examples/*.rs`) copied into the client's
    /// `examples/`: they are written for one spec's API, so only its regeneration gives them;
    /// `None` for every other spec.
    pub client_examples: Option<PathBuf>,
    /// The released version of the generated crates (`spec/release.toml`).
    pub crate_version: String,
    pub mode: Mode,
    /// Where this output tree's stamp lives ([`crate::stamp`]), or `None` to generate every
    /// time.
    pub stamp: Option<PathBuf>,
}
