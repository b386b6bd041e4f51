//! Fetching the OpenAPI document (`cargo xtask fetch`): download it over https, check that it is
//! an OpenAPI 3.0/3.1/3.2 document, and replace `spec/openapi.json` and `spec/openapi.lock`
//! together, or not at all.
//!
//! Rules:
//! - The URL must be `https`; plain `http` is allowed only for loopback hosts (`127.0.0.0/8`,
//!   `::1`, `localhost`), which is what the tests use. Redirects are followed (at most
//!   [`MAX_REDIRECTS`]) only from https URLs, and only to https URLs.
//! - The whole exchange, body included, is bounded by [`FetchOptions::timeout`], and the body by
//!   [`FetchOptions::max_bytes`] (checked against `Content-Length` first, then while reading).
//! - When the lock names the same URL, has an ETag, and the spec file still hashes to the locked
//!   sha256, the request carries `If-None-Match`; `304 Not Modified` then means
//!   [`FetchOutcome::Unchanged`].
//! - Nothing is written when the downloaded bytes and the lock would be the same as what is on
//!   disk. Otherwise both files are written to `*.tmp` siblings and renamed into place, spec
//!   first; on any failure the temporaries are removed and the files are left as they were.
//!
//! The lock is TOML without timestamps, so it only changes when the content, the source or the
//! ETag does:
//!
//! ```toml
//! # Written by `cargo xtask fetch`; do not edit by hand.
//! source = "https://api.archastro.ai/openapi.json"
//! sha256 = "<hex>"
//! etag = "\"abc\""
//! ```

use std::fmt::Write as _;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};
use ureq::ResponseExt as _;
use ureq::http::{HeaderValue, StatusCode, Uri, header};

use crate::{Error, Result};

/// Where the ArchAstro API publishes its OpenAPI document.
pub const DEFAULT_URL: &str = "https://api.archastro.ai/openapi.json";

/// Limit for the whole download: connecting, redirects, headers and body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest body accepted (32 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 32 * 1024 * 1024;

/// Most redirects followed (https to https only).
pub const MAX_REDIRECTS: u32 = 5;

/// First line of every lock file.
const LOCK_HEADER: &str = "# Written by `cargo xtask fetch`; do not edit by hand.";

/// What to fetch and where to put it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The document's URL (https, or http on a loopback host).
    pub url: String,
    /// The document on disk (`spec/openapi.json`).
    pub spec_path: PathBuf,
    /// The lock on disk (`spec/openapi.lock`).
    pub lock_path: PathBuf,
    /// Limit for the whole download.
    pub timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
}

impl FetchOptions {
    /// `spec_dir/openapi.json` and `spec_dir/openapi.lock`, with the default timeout and size cap.
    pub fn new(url: impl Into<String>, spec_dir: &Path) -> Self {
        FetchOptions {
            url: url.into(),
            spec_path: spec_dir.join("openapi.json"),
            lock_path: spec_dir.join("openapi.lock"),
            timeout: DEFAULT_TIMEOUT,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// What [`fetch`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The spec and the lock were (re)written; `sha256` and `bytes` describe the new spec.
    Updated { sha256: String, bytes: u64 },
    /// Nothing was written: the server answered 304, or sent what is already on disk.
    Unchanged { sha256: String },
}

/// Downloads the document at `opts.url` and, if it is a usable OpenAPI document that differs
/// from what is on disk, replaces the spec and the lock. See the module documentation.
///
/// Every failure before the write is an [`Error::Fetch`] and leaves both files untouched; a
/// failure while writing is an [`Error::Io`].
pub fn fetch(opts: &FetchOptions) -> Result<FetchOutcome> {
    let url = opts.url.as_str();
    let fail = |message: String| Error::Fetch {
        url: url.to_owned(),
        message,
    };

    let target = check_url(url).map_err(&fail)?;
    let current = Current::read(opts)?;

    // Only ask for a 304 when it would mean "the file on disk is right".
    let if_none_match = current
        .lock
        .as_ref()
        .filter(|lock| {
            lock.source == url && current.spec_sha256.as_deref() == Some(lock.sha256.as_str())
        })
        .and_then(|lock| lock.etag.as_deref())
        .and_then(|etag| HeaderValue::from_str(etag).ok());
    let conditional = if_none_match.is_some();

    let (body, etag) = match download_checked(opts, &target, if_none_match)? {
        Downloaded::Body { body, etag } => (body, etag),
        Downloaded::NotModified => {
            return match (&current.lock, conditional) {
                (Some(lock), true) => Ok(FetchOutcome::Unchanged {
                    sha256: lock.sha256.clone(),
                }),
                _ => Err(fail(format!(
                    "{} although the request was not conditional",
                    status_text(StatusCode::NOT_MODIFIED)
                ))),
            };
        }
    };

    crate::load::parse_document(url, &body).map_err(|e| {
        let text = e.to_string();
        let text = text.strip_prefix(&format!("{url}: ")).unwrap_or(&text);
        fail(format!(
            "the response is not a usable OpenAPI document: {text}"
        ))
    })?;

    let sha256 = sha256_hex(&body);
    let lock = Lock {
        source: url.to_owned(),
        sha256: sha256.clone(),
        etag,
    };
    if current.spec_sha256.as_deref() == Some(sha256.as_str())
        && current.lock.as_ref() == Some(&lock)
    {
        return Ok(FetchOutcome::Unchanged { sha256 });
    }

    write_both(opts, &body, &lock.to_toml())?;
    Ok(FetchOutcome::Updated {
        sha256,
        bytes: body.len() as u64,
    })
}

/// What the server answered to a (possibly conditional) GET.
enum Downloaded {
    NotModified,
    Body { body: Vec<u8>, etag: Option<String> },
}

/// Downloads `opts.url` (a checked `target`) within the timeout and size cap.
fn download_checked(
    opts: &FetchOptions,
    target: &Target,
    if_none_match: Option<HeaderValue>,
) -> Result<Downloaded> {
    let url = opts.url.as_str();
    let fail = |message: String| Error::Fetch {
        url: url.to_owned(),
        message,
    };
    let agent = agent(opts, target);
    let mut request = agent.get(target.uri.clone());
    if let Some(etag) = if_none_match {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    let mut response = request
        .call()
        .map_err(|e| fail(describe(e, opts, Phase::Response)))?;

    // Redirects are only followed https -> https (ureq enforces it), but check the end anyway.
    let final_url = response.get_uri().to_string();
    if final_url != target.uri.to_string() {
        check_url(&final_url).map_err(|m| fail(format!("redirected to {final_url}: {m}")))?;
    }

    let status = response.status();
    if status == StatusCode::NOT_MODIFIED {
        return Ok(Downloaded::NotModified);
    }
    if !status.is_success() {
        let mut message = status_text(status);
        if status.is_redirection() {
            let location = response
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok());
            let why = if target.https {
                ""
            } else {
                ": plain-http URLs follow no redirects"
            };
            match location {
                Some(location) => {
                    let _ = write!(message, " (redirect to {location} not followed{why})");
                }
                None => message.push_str(" (redirect without a Location header)"),
            }
        }
        return Err(fail(message));
    }

    let content_length = match response.headers().get(header::CONTENT_LENGTH) {
        None => None,
        Some(value) => match value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            Some(n) => Some(n),
            None => return Err(fail(format!("invalid Content-Length header {value:?}"))),
        },
    };
    if let Some(n) = content_length.filter(|n| *n > opts.max_bytes) {
        return Err(fail(format!(
            "the response is {n} bytes (Content-Length), more than the cap of {} bytes",
            opts.max_bytes
        )));
    }
    let etag = response
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned);

    let body = response
        .body_mut()
        .with_config()
        .limit(opts.max_bytes)
        .read_to_vec()
        .map_err(|e| fail(describe(e, opts, Phase::Body)))?;
    let bytes = body.len() as u64;
    if let Some(n) = content_length.filter(|n| *n != bytes) {
        return Err(fail(format!(
            "the response body is truncated: Content-Length is {n} bytes but {bytes} arrived"
        )));
    }

    Ok(Downloaded::Body { body, etag })
}

/// Downloads the document at `url` without writing anything (for `regen --spec URL`): same
/// URL rules, timeout and size cap as [`fetch`].
pub fn download(url: &str, timeout: Duration, max_bytes: u64) -> Result<Vec<u8>> {
    let opts = FetchOptions {
        url: url.to_owned(),
        spec_path: PathBuf::new(),
        lock_path: PathBuf::new(),
        timeout,
        max_bytes,
    };
    let target = check_url(url).map_err(|message| Error::Fetch {
        url: url.to_owned(),
        message,
    })?;
    match download_checked(&opts, &target, None)? {
        Downloaded::Body { body, .. } => Ok(body),
        Downloaded::NotModified => Err(Error::Fetch {
            url: url.to_owned(),
            message: "HTTP 304 Not Modified although the request was not conditional".into(),
        }),
    }
}

/// A URL that passed [`check_url`].
struct Target {
    uri: Uri,
    https: bool,
    loopback: bool,
}

/// https anywhere, http only on a loopback host; nothing else.
fn check_url(url: &str) -> std::result::Result<Target, String> {
    let uri: Uri = url
        .parse()
        .map_err(|e| format!("not a valid URL (expected https://host/path): {e}"))?;
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| "the URL has no host".to_owned())?;
    let loopback = is_loopback(host);
    let https = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => true,
        Some(s) if s.eq_ignore_ascii_case("http") => {
            if !loopback {
                return Err(format!(
                    "refusing plain http to {host}: use https (plain http is allowed only for \
                     loopback hosts: 127.0.0.1, ::1, localhost)"
                ));
            }
            false
        }
        Some(s) => return Err(format!("unsupported URL scheme `{s}`: use https")),
        None => return Err("the URL has no scheme: use https://".to_owned()),
    };
    Ok(Target {
        uri,
        https,
        loopback,
    })
}

fn is_loopback(host: &str) -> bool {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => {
            let name = bare.strip_suffix('.').unwrap_or(bare);
            name.eq_ignore_ascii_case("localhost")
        }
    }
}

fn agent(opts: &FetchOptions, target: &Target) -> ureq::Agent {
    let mut config = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .https_only(target.https)
        // Plain http is loopback only, so it follows no redirect at all.
        .max_redirects(if target.https { MAX_REDIRECTS } else { 0 })
        .user_agent(concat!("archastro-codegen/", env!("CARGO_PKG_VERSION")))
        .accept("application/json, application/yaml;q=0.9, */*;q=0.5");
    if target.loopback {
        // A proxy from the environment must not see (or break) loopback requests.
        config = config.proxy(None);
    }
    config.build().into()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Response,
    Body,
}

/// A ureq error as a sentence for [`Error::Fetch`].
fn describe(e: ureq::Error, opts: &FetchOptions, phase: Phase) -> String {
    use std::io::ErrorKind;
    let timed_out = || {
        format!(
            "timed out after {:?} (the limit for the whole download)",
            opts.timeout
        )
    };
    match e {
        ureq::Error::Timeout(_) => timed_out(),
        ureq::Error::BodyExceedsLimit(_) => format!(
            "the response body is larger than the cap of {} bytes",
            opts.max_bytes
        ),
        ureq::Error::TooManyRedirects => format!("more than {MAX_REDIRECTS} redirects"),
        ureq::Error::RequireHttpsOnly(to) => {
            format!("refusing to follow a redirect to {to}: only https URLs are allowed")
        }
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::TimedOut | ErrorKind::WouldBlock => timed_out(),
            ErrorKind::UnexpectedEof if phase == Phase::Body => {
                "the response body is truncated: the server closed the connection before sending all of it"
                    .to_owned()
            }
            ErrorKind::UnexpectedEof => "the server closed the connection without a complete response".to_owned(),
            _ if phase == Phase::Body => format!("reading the response body failed: {io}"),
            _ => format!("no response: {io}"),
        },
        other => other.to_string(),
    }
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("HTTP {} {reason}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

/// SHA-256 of `bytes`, in lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `bytes` in lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The contents of `spec/openapi.lock`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lock {
    source: String,
    sha256: String,
    etag: Option<String>,
}

impl Lock {
    /// Reads a lock; anything that is not a lock of this shape counts as no lock (it will be
    /// rewritten on the next successful fetch).
    fn parse(text: &str) -> Option<Lock> {
        let table: toml::Table = text.parse().ok()?;
        let string = |key: &str| {
            table
                .get(key)
                .and_then(toml::Value::as_str)
                .map(str::to_owned)
        };
        let etag = match table.get("etag") {
            None => None,
            Some(value) => Some(value.as_str()?.to_owned()),
        };
        Some(Lock {
            source: string("source")?,
            sha256: string("sha256")?,
            etag,
        })
    }

    fn to_toml(&self) -> String {
        let mut out = format!(
            "{LOCK_HEADER}\nsource = {}\nsha256 = {}\n",
            toml_string(&self.source),
            toml_string(&self.sha256)
        );
        if let Some(etag) = &self.etag {
            let _ = writeln!(out, "etag = {}", toml_string(etag));
        }
        out
    }
}

/// A TOML basic string: `"` and `\` escaped, control characters as `\uXXXX`.
fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What is on disk before the fetch.
struct Current {
    spec_sha256: Option<String>,
    lock: Option<Lock>,
}

impl Current {
    fn read(opts: &FetchOptions) -> Result<Current> {
        let spec_sha256 = read_optional(&opts.spec_path)?.map(|bytes| sha256_hex(&bytes));
        let lock = read_optional(&opts.lock_path)?
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| Lock::parse(&text));
        Ok(Current { spec_sha256, lock })
    }
}

fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// `path` with `.tmp` appended to its file name.
fn tmp_sibling(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    PathBuf::from(name)
}

/// Writes both temporaries, then renames spec, then lock; removes the temporaries on failure.
fn write_both(opts: &FetchOptions, spec: &[u8], lock: &str) -> Result<()> {
    let spec_tmp = tmp_sibling(&opts.spec_path);
    let lock_tmp = tmp_sibling(&opts.lock_path);
    let result = (|| -> Result<()> {
        for path in [&opts.spec_path, &opts.lock_path] {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
        }
        write_synced(&spec_tmp, spec)?;
        write_synced(&lock_tmp, lock.as_bytes())?;
        std::fs::rename(&spec_tmp, &opts.spec_path).map_err(|e| Error::io(&opts.spec_path, e))?;
        std::fs::rename(&lock_tmp, &opts.lock_path).map_err(|e| Error::io(&opts.lock_path, e))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&spec_tmp);
        let _ = std::fs::remove_file(&lock_tmp);
    }
    result
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}
