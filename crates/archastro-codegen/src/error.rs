//! The one error type of the library: every failure names the file it came from and, where it
//! concerns a place inside the document, the JSON pointer of that place (`#/paths/~1x/get`).

use std::path::PathBuf;

/// Result of every fallible operation of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading, normalizing, fetching or writing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is empty (or only whitespace).
    #[error("{file}: the file is empty; expected an OpenAPI document")]
    Empty { file: String },
    /// The file is neither valid JSON nor valid YAML.
    #[error("{file}: not valid {format} (line {line}, column {column}): {message}")]
    Syntax {
        file: String,
        format: &'static str,
        line: usize,
        column: usize,
        message: String,
    },
    /// The document is valid JSON/YAML but breaks a rule of OpenAPI or of this pipeline.
    #[error("{file}: {pointer}: {message}")]
    Invalid {
        file: String,
        pointer: String,
        message: String,
    },
    /// A normalized family does not read as OpenAPI 3.0 at `pointer` (regen names the input
    /// file by turning this into [`Error::not_openapi`]).
    #[error("{pointer}: {}", not_openapi_message(family, reason))]
    NotOpenApi {
        family: String,
        pointer: String,
        reason: String,
    },
    /// A `$ref` points at nothing.
    #[error("{file}: {pointer}: dangling $ref `{target}`: nothing in the document at that pointer")]
    DanglingRef {
        file: String,
        pointer: String,
        target: String,
    },
    /// `$ref`s that only point at each other, never at a schema.
    #[error("{file}: {pointer}: $ref cycle: {}", chain.join(" -> "))]
    RefCycle {
        file: String,
        pointer: String,
        chain: Vec<String>,
    },
    /// Two operations declare the same `operationId` (or `x-sdk-name`).
    #[error("{file}: operation id `{id}` is declared more than once: {}", pointers.join(", "))]
    DuplicateOperationId {
        file: String,
        id: String,
        pointers: Vec<String>,
    },
    /// Paths that match no scope family: fail closed, list them all.
    #[error(
        "{file}: {} path(s) match no scope family in {config}; add them to a family or to an exclusion:\n{}",
        pointers.len(),
        pointers.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n")
    )]
    UnmappedPaths {
        file: String,
        config: String,
        pointers: Vec<String>,
    },
    /// Paths of an internal-only surface that must never be in this document.
    #[error(
        "{file}: {} path(s) belong to internal-only surfaces that {config} rejects:\n{}",
        paths.len(),
        paths.iter().map(|(p, why)| format!("  {p} ({why})")).collect::<Vec<_>>().join("\n")
    )]
    InternalPaths {
        file: String,
        config: String,
        paths: Vec<(String, String)>,
    },
    /// The scope-family configuration is wrong.
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    /// Progenitor failed on the operation or schema component at `pointer` of the normalized
    /// documents (regen names the input file by turning this into [`Error::Invalid`]).
    #[error("{pointer}: {message}")]
    Located { pointer: String, message: String },
    /// Code generation failed for one target (a family module, the shared types, the glue).
    #[error("generating {target}: {message}")]
    Generate { target: String, message: String },
    /// `cargo xtask fetch` failed; nothing was written.
    #[error(
        "fetching {url} failed: {message}; spec/openapi.json and spec/openapi.lock are unchanged"
    )]
    Fetch { url: String, message: String },
}

/// What [`Error::NotOpenApi`] and [`Error::not_openapi`] say.
fn not_openapi_message(family: &str, reason: impl std::fmt::Display) -> String {
    format!(
        "the normalized `{family}` family is not valid OpenAPI 3.0 here ({reason}): the spec is not valid OpenAPI at this place, or the normalizer wrote it wrong (then please report it with the input)"
    )
}

impl Error {
    /// The error for a normalized family of `file` that does not read as OpenAPI 3.0 at
    /// `pointer` ([`crate::pointer::read_at`]).
    pub fn not_openapi(
        file: &str,
        family: &str,
        pointer: &str,
        reason: impl std::fmt::Display,
    ) -> Self {
        Error::invalid(file, pointer, not_openapi_message(family, reason))
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid(file: &str, pointer: &str, message: impl Into<String>) -> Self {
        Error::Invalid {
            file: file.to_owned(),
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}
