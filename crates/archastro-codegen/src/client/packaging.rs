//! The client crate as a package: the hand-written runtime copied in as its `support` module
//! (whose dependencies join the manifest), `Cargo.toml` (versioned `<crate version>+<API
//! version>`, with the optional dependencies the generated code uses) and `README.md` (the
//! crate's documentation).

use crate::families::FamiliesConfig;
use crate::model::{Api, Family, Info, Location, Resources};
use crate::names::{module_name, str_lit};
use crate::{Error, Result};

use super::file::{Files, GENERATED_MARKER};
use super::progenitor::Uses;
use super::realtime::Realtime;

/// The oldest Rust the generated crates build with (their `rust-version`), the workspace's
/// too: let chains (1.88) in the support sources, and progenitor-client 0.15's own
/// `rust-version`.
pub const RUST_VERSION: &str = "1.88";

/// Where the support sources go inside the client crate.
pub const SUPPORT_MODULE_DIR: &str = "src/support";

/// The hand-written runtime (`crates/archastro-client-support`), copied into the client as its
/// `support` module so that the published client is one self-contained crate.
#[derive(Debug, Clone, Default)]
pub struct SupportSources {
    /// `(file name, contents)` of `src/*.rs`; `lib.rs` becomes `support/mod.rs`.
    pub files: Vec<(String, String)>,
    /// The support crate's `[dependencies]` and `[dev-dependencies]`.
    pub dependencies: toml::Table,
    pub dev_dependencies: toml::Table,
    /// The support crate's `[features]` (TLS stack, tracing), the client's features.
    pub features: toml::Table,
}

impl SupportSources {
    /// Reads the support crate at `dir`.
    pub fn read(dir: &std::path::Path) -> Result<Self> {
        let manifest_path = dir.join("Cargo.toml");
        let manifest =
            std::fs::read_to_string(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        let manifest: toml::Table =
            manifest
                .parse()
                .map_err(|e: toml::de::Error| Error::Config {
                    file: manifest_path.display().to_string(),
                    message: e.to_string(),
                })?;
        let table = |key: &str| {
            manifest
                .get(key)
                .and_then(toml::Value::as_table)
                .cloned()
                .unwrap_or_default()
        };
        let src = dir.join("src");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&src).map_err(|e| Error::io(&src, e))? {
            let path = entry.map_err(|e| Error::io(&src, e))?.path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
                let name = path
                    .file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned();
                files.push((name, text));
            }
        }
        files.sort();
        Ok(SupportSources {
            files,
            dependencies: table("dependencies"),
            dev_dependencies: table("dev-dependencies"),
            features: table("features"),
        })
    }
}

/// The support sources as files of the client (`lib.rs` becomes `support/mod.rs`), each
/// behind the marker line.
pub(super) fn support_files(support: &SupportSources) -> Files {
    support
        .files
        .iter()
        .map(|(name, text)| {
            let target = if name == "lib.rs" {
                "mod.rs"
            } else {
                name.as_str()
            };
            (
                format!("{SUPPORT_MODULE_DIR}/{target}"),
                format!("{GENERATED_MARKER}\n//! Copied from `crates/archastro-client-support/src/{name}`: edit it there.\n//!\n{text}"),
            )
        })
        .collect()
}

/// Where the example programs go inside the client crate.
const EXAMPLES_DIR: &str = "examples";

/// The hand-written example programs in `dir` (every `*.rs`, sorted) as files of the client's
/// `examples/`, each behind the marker line.
pub fn example_programs(dir: &std::path::Path) -> Result<Files> {
    let folder = dir.file_name().unwrap_or_default().to_string_lossy();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            files.push((
                format!("{EXAMPLES_DIR}/{name}"),
                format!("{GENERATED_MARKER}\n//! Copied from `{folder}/{name}` beside the spec: edit it there.\n//!\n{text}"),
            ));
        }
    }
    files.sort();
    Ok(files)
}

/// `Cargo.toml`: the support crate's dependencies beside those of the generated code.
pub(super) fn cargo_toml(
    info: Info<'_>,
    support: &SupportSources,
    uses: &Uses,
    crate_version: &str,
) -> String {
    let api_version: String = info
        .version
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let version = if api_version.is_empty() {
        crate_version.to_owned()
    } else {
        format!("{crate_version}+{api_version}")
    };
    // What the generated code needs, then what the support module needs (same versions).
    let mut deps: toml::Table = toml::toml! {
        progenitor-client = "0.15.1"
        reqwest = { version = "0.13", default-features = false, features = ["json", "query", "stream"] }
        serde = { version = "1", features = ["derive"] }
        serde_json = "1"
    };
    if uses.chrono {
        deps.insert(
            "chrono".into(),
            toml::Value::Table(toml::toml! { version = "0.4"
            default-features = false
            features = ["serde", "std"] }),
        );
    }
    if uses.uuid {
        deps.insert(
            "uuid".into(),
            toml::Value::Table(toml::toml! { version = "1"
            features = ["serde", "v4"] }),
        );
    }
    if uses.regex {
        deps.insert("regex".into(), toml::Value::String("1".into()));
    }
    for (name, spec) in &support.dependencies {
        deps.entry(name.clone()).or_insert_with(|| spec.clone());
    }
    let mut manifest = toml::Table::new();
    manifest.insert("dependencies".into(), toml::Value::Table(deps));
    if !support.features.is_empty() {
        manifest.insert(
            "features".into(),
            toml::Value::Table(support.features.clone()),
        );
    }
    if !support.dev_dependencies.is_empty() {
        manifest.insert(
            "dev-dependencies".into(),
            toml::Value::Table(support.dev_dependencies.clone()),
        );
    }
    let tables = toml::to_string(&manifest).unwrap_or_default();
    format!(
        "# Generated by `cargo xtask regen`, do not edit by hand.\n\
         [package]\n\
         name = \"archastro-client\"\n\
         version = \"{version}\"\n\
         edition = \"2024\"\n\
         rust-version = \"{RUST_VERSION}\"\n\
         description = \"Rust client for the ArchAstro API: auth, runtime and developer control plane\"\n\
         license = \"MIT OR Apache-2.0\"\n\
         repository = \"https://github.com/archastro/archastro-rust\"\n\
         readme = \"README.md\"\n\
         keywords = [\"archastro\", \"api\", \"client\", \"sdk\", \"openapi\"]\n\
         categories = [\"api-bindings\", \"web-programming::http-client\"]\n\
         \n\
         [package.metadata.docs.rs]\n\
         all-features = true\n\
         \n\
         {tables}"
    )
}

/// `README.md`, which is also the crate's documentation (`lib.rs` includes it): the API
/// version, a first call, the scope families and the realtime surface. Its example compiles
/// as a doctest, so it names only what every generated client has, and links nothing (a link
/// to an item would not resolve on a registry's page).
pub(super) fn readme(
    api: &Api<'_>,
    info: Info<'_>,
    config: &FamiliesConfig,
    realtime: &Realtime,
) -> String {
    let mut out = String::from(
        "<!-- Generated by `cargo xtask regen`, do not edit by hand. -->\n# archastro-client\n\n",
    );
    out.push_str(&format!(
        "Rust client for the ArchAstro API (API version {}), generated from its OpenAPI document.\n\n",
        info.version.unwrap_or_default()
    ));
    out.push_str("```rust,no_run\n# async fn run() -> Result<(), archastro_client::Error> {\nlet api = archastro_client::ArchAstro::builder()\n    .secret_key(std::env::var(\"ARCHASTRO_SECRET_KEY\").unwrap_or_default())\n    .build()?;\n");
    if let Some(call) = first_call(api) {
        out.push_str(&format!("api.{call}.send().await?;\n"));
    }
    out.push_str("# Ok(()) }\n```\n\nScope families:\n\n");
    for f in &config.families {
        out.push_str(&format!("- `api.{}()`: {}\n", f.name, f.description));
    }
    out.push_str("\nEach family is the root of a tree of resources read off its paths: a collection (`teams()`), a member that holds its path parameters (`team(team_id)`), and on each the operations as methods, named by the standard verbs `list`, `get`, `create`, `update`, `replace` and `delete`, or after the action their path ends with (`activate()`). Every method returns the operation's request builder with the resource's parameters set: add the optional ones and the body, then `send()` for the response body (`send_with_response()` for its status and headers too; or `stream()` for a paginated list). Every call returns `Result<T, archastro_client::Error>`.\n");
    out.push_str("\nCrate features: `rustls` (default: rustls with the platform's certificate verifier) or `native-tls` (the operating system's TLS library), one TLS configuration for REST and channels alike; `tracing`: a span per request (`archastro.request`) with the method, the path template, the status, the attempt and the retry delay, never a key or a token; `blocking` (off by default): `send_blocking()` and `send_with_response_blocking()` on every request builder, the same resource tree called from synchronous code, on one runtime the whole process shares. Minimum Rust: ");
    out.push_str(RUST_VERSION);
    out.push_str(".\n");
    if realtime.has_channels() {
        out.push_str("\nRealtime channels: `api.connect_socket(SocketOptions::default())` opens the socket (Phoenix channels; heartbeat, reconnect and rejoin included); each channel of the API has a typed facade in `archastro_client::channels` (a constructor per join, a method per message, `events()` as a stream of typed pushes). A join whose topic a resource's path parameters give hangs off that resource too, named after its channel (`channel()` when the channel is named like the resource): it joins with the resource's parameters (the join's other params unset) and returns the same facade and reply.\n");
        if let Some(example) = channel_example(api) {
            out.push_str(&example);
        }
    }
    if realtime.has_streams() {
        out.push_str("\nServer-Sent Events: the streaming operations have `events()` on their request builder, a stream of the typed events of `archastro_client::streaming`.\n");
    }
    out
}

/// The first operation a reader can call with nothing to fill in, from the root of the client
/// (`runtime().teams().list()`): in family and document order, the first with no required
/// parameter and no body; `None` when every operation needs something.
fn first_call(api: &Api<'_>) -> Option<String> {
    api.families.iter().find_map(|family| {
        let tree = family.resources();
        family
            .operations
            .iter()
            .position(|op| op.body.is_none() && op.parameters.iter().all(|p| !p.required))
            .and_then(|index| tree.call(index))
            .map(|call| format!("{}().{call}", module_name(family.name)))
    })
}

/// A README example of a channel join on a resource whose path parameters all take a string
/// (given their example values), the deepest such resource (the first of those), which shows
/// the most parameters given: `None` when there is none.
fn channel_example(api: &Api<'_>) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for family in &api.families {
        let tree = family.resources();
        for (node, resource) in tree.nodes.iter().enumerate() {
            let depth = tree.chain(node).len();
            let Some(join) = resource.channel_joins.first() else {
                continue;
            };
            if best.as_ref().is_some_and(|(deepest, _)| *deepest >= depth) {
                continue;
            }
            let Some(path) = example_path(family, tree, node) else {
                continue;
            };
            let example = format!(
                "\n```rust,no_run\n# async fn run(api: archastro_client::ArchAstro) -> Result<(), archastro_client::Error> {{\nuse archastro_client::channels::SocketOptions;\n\nlet socket = api.connect_socket(SocketOptions::default()).await?;\nlet (channel, _joined) = api\n    .{}()\n    .{path}\n    .{}(&socket)\n    .await?;\nprintln!(\"joined {{}}\", channel.topic());\n# Ok(()) }}\n```\n",
                module_name(family.name),
                join.name
            );
            best = Some((depth, example));
        }
    }
    best.map(|(_, example)| example)
}

/// How resource `node` is reached with a string literal for each parameter (its example, else
/// its name): `None` when a parameter takes anything but a plain string.
fn example_path(family: &Family<'_>, tree: &Resources, node: usize) -> Option<String> {
    let below = |op: usize| {
        tree.method_of(op)
            .is_some_and(|(at, _)| tree.chain(at).contains(&node))
    };
    let parameters: Vec<_> = (0..family.operations.len())
        .filter(|&op| below(op))
        .flat_map(|op| family.operations[op].parameters_in(Location::Path))
        .collect();
    let mut parts = Vec::new();
    for &n in &tree.chain(node)[1..] {
        let mut args = Vec::new();
        for name in &tree.nodes[n].params {
            let parameter = parameters.iter().find(|p| p.name == name)?;
            let plain = parameter
                .schema
                .and_then(serde_json::Value::as_object)
                .is_some_and(|schema| {
                    schema.get("type").and_then(serde_json::Value::as_str) == Some("string")
                        && schema
                            .keys()
                            .all(|k| ["type", "description", "example"].contains(&k.as_str()))
                });
            if !plain {
                return None;
            }
            let example = parameter
                .raw
                .get("example")
                .and_then(serde_json::Value::as_str);
            args.push(str_lit(example.unwrap_or(name)));
        }
        parts.push(format!("{}({})", tree.nodes[n].accessor, args.join(", ")));
    }
    Some(parts.join("\n    ."))
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{RUST_VERSION, first_call};
    use crate::model::{Api, Family};

    /// A family document of `paths`.
    fn family_doc(paths: Value) -> Value {
        json!({"paths": paths})
    }

    #[test]
    fn the_first_call_needs_no_parameter_and_no_body() {
        let needs_all = family_doc(json!({
            "/v1/teams": {"post": {"operationId": "create_team", "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}},
            "/v1/teams/{team_id}": {"get": {"operationId": "get_team", "parameters": [{"name": "team_id", "in": "path", "required": true, "schema": {"type": "string"}}]}}
        }));
        let bare = family_doc(json!({
            "/v1/teams/{team_id}/threads": {"get": {"operationId": "list_threads", "parameters": [{"name": "team_id", "in": "path", "required": true, "schema": {"type": "string"}}]}},
            "/v1/users/me": {"get": {"operationId": "get_me", "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}]}}
        }));
        let api = Api {
            families: vec![
                Family::new("auth", &needs_all).unwrap(),
                Family::new("runtime", &bare).unwrap(),
            ],
            ascii: true,
        };
        assert_eq!(first_call(&api).as_deref(), Some("runtime().users().me()"));
        let none = Api {
            families: vec![Family::new("auth", &needs_all).unwrap()],
            ascii: true,
        };
        assert_eq!(first_call(&none), None);
    }

    #[test]
    fn the_generated_crates_need_the_rust_the_workspace_declares() {
        let manifest = include_str!("../../../../Cargo.toml");
        let workspace: toml::Table = manifest.parse().unwrap();
        let declared = &workspace["workspace"]["package"]["rust-version"];
        assert_eq!(declared.as_str(), Some(RUST_VERSION));
    }
}
