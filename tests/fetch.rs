//! `archastro_codegen::fetch` against a tiny scripted HTTP/1.1 server on 127.0.0.1: success,
//! no-op refetches, 304, HTTP errors, timeouts, truncated and oversized bodies, bodies that are
//! not OpenAPI, and URLs that must be refused. After every failure the spec and the lock must be
//! byte-identical to what they were before.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use archastro_codegen::Error;
use archastro_codegen::fetch::{
    DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, DEFAULT_URL, FetchOptions, FetchOutcome, fetch,
};

const VALID: &str = r#"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{}}"#;
const VALID_SHA256: &str = "77793ccef6ac596b5748b3cc1a4326630a5f775c3ac9ee8c236b6c560932039f";
const OLD_SPEC: &[u8] = b"{\"old\": \"spec\"}\n";
const OLD_LOCK: &[u8] = b"# old lock\nsource = \"https://example.invalid/x\"\nsha256 = \"00\"\n";

/// How long the server waits for anything (a connection, a request, a hang-up) before giving up.
const SERVER_PATIENCE: Duration = Duration::from_secs(5);

// ---------------------------------------------------------------------------------------------
// The scripted server
// ---------------------------------------------------------------------------------------------

/// What the server does with one connection, after reading the request head.
enum Step {
    /// Write these bytes, then close the connection.
    Send(Vec<u8>),
    /// Write these bytes (maybe none), then say nothing more until the client hangs up.
    SendThenStall(Vec<u8>),
}

struct Server {
    /// `http://127.0.0.1:PORT`
    base: String,
    /// The request heads received, one per step, in order.
    requests: JoinHandle<Vec<String>>,
}

impl Server {
    fn url(&self) -> String {
        format!("{}/openapi.json", self.base)
    }

    /// The request heads, once every step has run.
    fn requests(self) -> Vec<String> {
        self.requests.join().expect("server thread panicked")
    }
}

/// Serves one connection per step, in order, then stops.
fn serve(steps: Vec<Step>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let base = format!("http://{}", listener.local_addr().expect("local addr"));
    listener
        .set_nonblocking(true)
        .expect("nonblocking listener");
    let requests = std::thread::spawn(move || {
        let mut heads = Vec::new();
        for step in steps {
            let Some(mut stream) = accept(&listener) else {
                break;
            };
            heads.push(read_head(&mut stream));
            match step {
                Step::Send(bytes) => {
                    let _ = stream.write_all(&bytes);
                    let _ = stream.flush();
                }
                Step::SendThenStall(bytes) => {
                    let _ = stream.write_all(&bytes);
                    let _ = stream.flush();
                    // Wait for the client to give up (read returns 0 or fails).
                    let mut buf = [0u8; 256];
                    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
                }
            }
        }
        heads
    });
    Server { base, requests }
}

fn accept(listener: &TcpListener) -> Option<TcpStream> {
    let deadline = Instant::now() + SERVER_PATIENCE;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).ok()?;
                stream.set_read_timeout(Some(SERVER_PATIENCE)).ok()?;
                return Some(stream);
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => return None,
        }
    }
}

/// Reads up to the blank line that ends the request head (a GET has no body).
fn read_head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A response with the given status line and headers; `Content-Length` is added unless
/// `content_length` is `None`.
fn response(
    status: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    content_length: Option<usize>,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(n) = content_length {
        out.push_str(&format!("Content-Length: {n}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn ok(headers: &[(&str, &str)], body: &[u8]) -> Step {
    Step::Send(response("200 OK", headers, body, Some(body.len())))
}

// ---------------------------------------------------------------------------------------------
// Fixtures and assertions
// ---------------------------------------------------------------------------------------------

/// A temp dir whose `spec/` holds known, non-matching spec and lock files.
fn populated() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec");
    std::fs::create_dir_all(&spec).expect("mkdir spec");
    std::fs::write(spec.join("openapi.json"), OLD_SPEC).expect("write spec");
    std::fs::write(spec.join("openapi.lock"), OLD_LOCK).expect("write lock");
    (dir, spec)
}

fn options(url: &str, spec_dir: &Path) -> FetchOptions {
    let mut opts = FetchOptions::new(url, spec_dir);
    opts.timeout = Duration::from_millis(500);
    opts
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Runs `fetch`, expects `Error::Fetch` for `opts.url`, checks the spec, the lock and the
/// directory are exactly as before, and returns the message.
fn fetch_fails(opts: &FetchOptions) -> String {
    let dir = opts.spec_path.parent().expect("spec dir");
    let spec_before = read(&opts.spec_path);
    let lock_before = read(&opts.lock_path);
    let names_before = file_names(dir);

    let err = fetch(opts).expect_err("fetch should fail");
    let display = err.to_string();
    let message = match err {
        Error::Fetch { url, message } => {
            assert_eq!(url, opts.url);
            message
        }
        other => panic!("expected Error::Fetch, got {other:?}"),
    };
    assert!(
        display.contains("spec/openapi.json and spec/openapi.lock are unchanged"),
        "{display}"
    );

    assert_eq!(
        read(&opts.spec_path),
        spec_before,
        "spec changed after: {message}"
    );
    assert_eq!(
        read(&opts.lock_path),
        lock_before,
        "lock changed after: {message}"
    );
    assert_eq!(
        file_names(dir),
        names_before,
        "files appeared after: {message}"
    );
    message
}

fn assert_contains(message: &str, needle: &str) {
    assert!(
        message.contains(needle),
        "expected {needle:?} in: {message}"
    );
}

fn expected_lock(url: &str, etag_line: Option<&str>) -> String {
    let mut lock = format!(
        "# Written by `cargo xtask fetch`; do not edit by hand.\nsource = \"{url}\"\nsha256 = \"{VALID_SHA256}\"\n"
    );
    if let Some(line) = etag_line {
        lock.push_str(line);
        lock.push('\n');
    }
    lock
}

// ---------------------------------------------------------------------------------------------
// Success and no-op
// ---------------------------------------------------------------------------------------------

#[test]
fn options_defaults() {
    let opts = FetchOptions::new(DEFAULT_URL, Path::new("spec"));
    assert_eq!(opts.url, "https://api.archastro.ai/openapi.json");
    assert_eq!(opts.spec_path, Path::new("spec/openapi.json"));
    assert_eq!(opts.lock_path, Path::new("spec/openapi.lock"));
    assert_eq!(opts.timeout, DEFAULT_TIMEOUT);
    assert_eq!(DEFAULT_TIMEOUT, Duration::from_secs(30));
    assert_eq!(opts.max_bytes, DEFAULT_MAX_BYTES);
    assert_eq!(DEFAULT_MAX_BYTES, 32 * 1024 * 1024);
}

#[test]
fn success_writes_spec_and_lock_creating_the_directory() {
    let server = serve(vec![ok(&[("ETag", "\"abc\"")], VALID.as_bytes())]);
    let dir = tempfile::tempdir().expect("tempdir");
    let spec_dir = dir.path().join("spec");
    let opts = options(&server.url(), &spec_dir);

    let outcome = fetch(&opts).expect("fetch");
    assert_eq!(
        outcome,
        FetchOutcome::Updated {
            sha256: VALID_SHA256.to_owned(),
            bytes: VALID.len() as u64,
        }
    );
    assert_eq!(read(&opts.spec_path), VALID.as_bytes());
    let lock = String::from_utf8(read(&opts.lock_path)).expect("utf-8 lock");
    assert_eq!(lock, expected_lock(&opts.url, Some(r#"etag = "\"abc\"""#)));
    assert_eq!(file_names(&spec_dir), ["openapi.json", "openapi.lock"]);

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(
        requests[0].starts_with("GET /openapi.json HTTP/1.1\r\n"),
        "{}",
        requests[0]
    );
    assert!(
        !requests[0].to_ascii_lowercase().contains("if-none-match"),
        "{}",
        requests[0]
    );
}

#[test]
fn success_replaces_existing_files_without_etag() {
    let server = serve(vec![ok(&[], VALID.as_bytes())]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);

    let outcome = fetch(&opts).expect("fetch");
    assert!(
        matches!(outcome, FetchOutcome::Updated { .. }),
        "{outcome:?}"
    );
    assert_eq!(read(&opts.spec_path), VALID.as_bytes());
    assert_eq!(
        String::from_utf8(read(&opts.lock_path)).expect("utf-8 lock"),
        expected_lock(&opts.url, None)
    );
    assert_eq!(file_names(&spec_dir), ["openapi.json", "openapi.lock"]);
}

#[test]
fn second_fetch_of_the_same_content_writes_nothing() {
    let server = serve(vec![ok(&[], VALID.as_bytes()), ok(&[], VALID.as_bytes())]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);

    assert!(matches!(
        fetch(&opts).expect("first fetch"),
        FetchOutcome::Updated { .. }
    ));
    let spec = read(&opts.spec_path);
    let lock = read(&opts.lock_path);
    let spec_mtime = std::fs::metadata(&opts.spec_path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let lock_mtime = std::fs::metadata(&opts.lock_path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(Duration::from_millis(20));

    let outcome = fetch(&opts).expect("second fetch");
    assert_eq!(
        outcome,
        FetchOutcome::Unchanged {
            sha256: VALID_SHA256.to_owned()
        }
    );
    assert_eq!(read(&opts.spec_path), spec);
    assert_eq!(read(&opts.lock_path), lock);
    assert_eq!(
        std::fs::metadata(&opts.spec_path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        spec_mtime
    );
    assert_eq!(
        std::fs::metadata(&opts.lock_path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        lock_mtime
    );
    assert_eq!(file_names(&spec_dir), ["openapi.json", "openapi.lock"]);
    // No ETag was stored, so the second request was not conditional.
    let requests = server.requests();
    assert!(
        !requests[1].to_ascii_lowercase().contains("if-none-match"),
        "{}",
        requests[1]
    );
}

#[test]
fn not_modified_after_etag_is_unchanged_and_the_etag_round_trips() {
    // A weak ETag with a quote and a backslash: the lock must give it back byte for byte.
    let etag = r#"W/"a\b""#;
    let server = serve(vec![
        ok(&[("ETag", etag)], VALID.as_bytes()),
        Step::Send(response("304 Not Modified", &[("ETag", etag)], b"", None)),
    ]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);

    assert!(matches!(
        fetch(&opts).expect("first fetch"),
        FetchOutcome::Updated { .. }
    ));
    let lock = String::from_utf8(read(&opts.lock_path)).expect("utf-8 lock");
    assert_eq!(
        lock,
        expected_lock(&opts.url, Some(r#"etag = "W/\"a\\b\"""#))
    );
    let spec_mtime = std::fs::metadata(&opts.spec_path)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(Duration::from_millis(20));

    let outcome = fetch(&opts).expect("conditional fetch");
    assert_eq!(
        outcome,
        FetchOutcome::Unchanged {
            sha256: VALID_SHA256.to_owned()
        }
    );
    assert_eq!(read(&opts.spec_path), VALID.as_bytes());
    assert_eq!(
        String::from_utf8(read(&opts.lock_path)).expect("utf-8 lock"),
        lock
    );
    assert_eq!(
        std::fs::metadata(&opts.spec_path)
            .and_then(|m| m.modified())
            .expect("mtime"),
        spec_mtime
    );

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1]
            .to_ascii_lowercase()
            .contains(&format!("if-none-match: {}\r\n", etag.to_ascii_lowercase())),
        "{}",
        requests[1]
    );
}

#[test]
fn no_conditional_request_when_the_spec_was_edited() {
    let server = serve(vec![
        ok(&[("ETag", "\"abc\"")], VALID.as_bytes()),
        ok(&[], VALID.as_bytes()),
    ]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);

    fetch(&opts).expect("first fetch");
    std::fs::write(&opts.spec_path, b"edited by hand").expect("edit spec");
    let outcome = fetch(&opts).expect("second fetch");
    // The server sent no ETag this time: the spec is restored and the lock loses its etag.
    assert!(
        matches!(outcome, FetchOutcome::Updated { .. }),
        "{outcome:?}"
    );
    assert_eq!(read(&opts.spec_path), VALID.as_bytes());
    assert_eq!(
        String::from_utf8(read(&opts.lock_path)).expect("utf-8 lock"),
        expected_lock(&opts.url, None)
    );
    let requests = server.requests();
    assert!(
        !requests[1].to_ascii_lowercase().contains("if-none-match"),
        "{}",
        requests[1]
    );
}

#[test]
fn body_exactly_at_the_cap_is_accepted() {
    let server = serve(vec![ok(&[], VALID.as_bytes())]);
    let (_dir, spec_dir) = populated();
    let mut opts = options(&server.url(), &spec_dir);
    opts.max_bytes = VALID.len() as u64;
    assert!(matches!(
        fetch(&opts).expect("fetch"),
        FetchOutcome::Updated { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Failures: nothing changes
// ---------------------------------------------------------------------------------------------

#[test]
fn not_modified_without_a_conditional_request_fails() {
    let server = serve(vec![Step::Send(response(
        "304 Not Modified",
        &[],
        b"",
        None,
    ))]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_contains(&message, "HTTP 304 Not Modified");
}

#[test]
fn http_404_fails() {
    let server = serve(vec![Step::Send(response(
        "404 Not Found",
        &[],
        b"nope",
        Some(4),
    ))]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_eq!(message, "HTTP 404 Not Found");
}

#[test]
fn http_500_fails() {
    let body = b"{\"error\":\"boom\"}";
    let server = serve(vec![Step::Send(response(
        "500 Internal Server Error",
        &[],
        body,
        Some(body.len()),
    ))]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_eq!(message, "HTTP 500 Internal Server Error");
}

#[test]
fn redirect_from_plain_http_is_not_followed() {
    let server = serve(vec![Step::Send(response(
        "302 Found",
        &[("Location", "http://example.com/openapi.json")],
        b"",
        Some(0),
    ))]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_contains(&message, "HTTP 302 Found");
    assert_contains(&message, "http://example.com/openapi.json");
}

#[test]
fn stalled_server_times_out() {
    let server = serve(vec![Step::SendThenStall(Vec::new())]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);
    let start = Instant::now();
    let message = fetch_fails(&opts);
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        start.elapsed()
    );
    assert_contains(&message, "timed out");
    assert_contains(&message, "500ms");
}

#[test]
fn server_stalling_mid_body_times_out() {
    let head_and_part = response("200 OK", &[], &VALID.as_bytes()[..10], Some(VALID.len()));
    let server = serve(vec![Step::SendThenStall(head_and_part)]);
    let (_dir, spec_dir) = populated();
    let opts = options(&server.url(), &spec_dir);
    let start = Instant::now();
    let message = fetch_fails(&opts);
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        start.elapsed()
    );
    assert_contains(&message, "timed out");
}

#[test]
fn truncated_body_fails() {
    // Promises the whole document, sends half, closes.
    let half = &VALID.as_bytes()[..VALID.len() / 2];
    let server = serve(vec![Step::Send(response(
        "200 OK",
        &[],
        half,
        Some(VALID.len()),
    ))]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_contains(&message, "truncated");
}

#[test]
fn non_json_body_fails_and_says_why() {
    let body = b"<html><body>Service Unavailable</body></html>";
    let server = serve(vec![ok(&[("Content-Type", "text/html")], body)]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_contains(&message, "not a usable OpenAPI document");
    assert_contains(&message, "not valid JSON (line 1, column 1)");
}

#[test]
fn json_that_is_not_openapi_fails() {
    let server = serve(vec![ok(&[], br#"{"hello":"world"}"#)]);
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(&server.url(), &spec_dir));
    assert_contains(&message, "not a usable OpenAPI document");
    assert_contains(
        &message,
        "#/openapi: not an OpenAPI document: there is no `openapi` version field",
    );
}

#[test]
fn oversized_body_with_content_length_fails_early() {
    let server = serve(vec![ok(&[], VALID.as_bytes())]);
    let (_dir, spec_dir) = populated();
    let mut opts = options(&server.url(), &spec_dir);
    opts.max_bytes = 16;
    let message = fetch_fails(&opts);
    assert_eq!(
        message,
        format!(
            "the response is {} bytes (Content-Length), more than the cap of 16 bytes",
            VALID.len()
        )
    );
}

#[test]
fn oversized_body_without_content_length_fails() {
    // No Content-Length: the body runs until the server closes the connection.
    let server = serve(vec![Step::Send(response(
        "200 OK",
        &[],
        VALID.as_bytes(),
        None,
    ))]);
    let (_dir, spec_dir) = populated();
    let mut opts = options(&server.url(), &spec_dir);
    opts.max_bytes = 16;
    let message = fetch_fails(&opts);
    assert_eq!(
        message,
        "the response body is larger than the cap of 16 bytes"
    );
}

#[test]
fn oversized_chunked_body_fails() {
    let chunk = VALID.as_bytes();
    let mut body = format!("{:x}\r\n", chunk.len()).into_bytes();
    body.extend_from_slice(chunk);
    body.extend_from_slice(b"\r\n0\r\n\r\n");
    let server = serve(vec![Step::Send(response(
        "200 OK",
        &[("Transfer-Encoding", "chunked")],
        &body,
        None,
    ))]);
    let (_dir, spec_dir) = populated();
    let mut opts = options(&server.url(), &spec_dir);
    opts.max_bytes = 16;
    let message = fetch_fails(&opts);
    assert_eq!(
        message,
        "the response body is larger than the cap of 16 bytes"
    );
}

#[test]
fn plain_http_to_a_non_loopback_host_is_refused_without_connecting() {
    // On Linux, 0.0.0.0 reaches this listener; the URL must be refused before any connection.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let port = listener.local_addr().expect("addr").port();
    let (_dir, spec_dir) = populated();

    for url in [
        format!("http://0.0.0.0:{port}/openapi.json"),
        "http://example.com/openapi.json".to_owned(),
        "http://api.archastro.ai/openapi.json".to_owned(),
    ] {
        let message = fetch_fails(&options(&url, &spec_dir));
        assert_contains(&message, "refusing plain http");
        assert_contains(&message, "use https");
    }
    std::thread::sleep(Duration::from_millis(20));
    match listener.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("a connection was made from {peer}"),
        Err(e) => panic!("accept: {e}"),
    }
}

#[test]
fn other_schemes_and_malformed_urls_are_refused() {
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options("ftp://127.0.0.1/openapi.json", &spec_dir));
    assert_contains(&message, "unsupported URL scheme `ftp`");
    let message = fetch_fails(&options("api.archastro.ai/openapi.json", &spec_dir));
    assert_contains(&message, "expected https://");
    let message = fetch_fails(&options("https://exa mple.com/", &spec_dir));
    assert_contains(&message, "not a valid URL");
}

#[test]
fn https_connection_failure_is_a_fetch_error() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr").port()
    };
    let (_dir, spec_dir) = populated();
    let message = fetch_fails(&options(
        &format!("https://127.0.0.1:{port}/openapi.json"),
        &spec_dir,
    ));
    assert!(!message.is_empty());
}
