//! The realtime client (typed channel facades over Phoenix channels, SSE event streams) against
//! the vendor's contract harness and against our emulator.
//!
//! - `harness_<date>`: `@archastro/channel-harness` 0.7.1 on 127.0.0.1 with one platform spec
//!   (`x-channels` and its `x-sdk-streaming` operations), against the client generated from
//!   that spec. The scenario runner (`tests/realtime/runner/`, with the `surface.rs` that
//!   `tests/realtime/sweep_source.rs` writes for the spec) is built against the client under
//!   `target/realtime-platform/`, sharing `target/platform-client` with the other builds of
//!   platform clients; every scenario runs against one harness, reset in between.
//! - `emulator_*`: the repository's client (`spec/openapi.json`) against the emulator's
//!   WebSocket: a message posted over REST reaches the thread's subscribers; typing is relayed
//!   between two users.

#[path = "realtime/sweep_source.rs"]
mod sweep_source;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use archastro_codegen::model::Api;
use archastro_codegen::output::Mode;
use archastro_codegen::{regen, stamp};
use archastro_tests::{ChannelHarness, platform_cargo, platform_specs, regen_options, workspace_root};

const FAMILIES: &str = "spec/families-platform-v1.toml";

/// The runner's hand-written sources, copied beside the `surface.rs` written for the spec.
const RUNNER_SOURCES: &[&str] = &["main.rs", "harness.rs", "sweep.rs", "behaviors.rs"];

fn platform_spec(date: &str) -> PathBuf {
    platform_specs()
        .into_iter()
        .find(|s| s.to_string_lossy().contains(date))
        .unwrap_or_else(|| panic!("the {date} platform spec (../shared/specs)"))
}

/// Brings the client generated from `spec` under `out` up to date. Its stamp lets a later run
/// with the same inputs skip generating it; a run that had to generate checks the tree once
/// more, which records the stamp.
fn regen_stamped(spec: &Path, out: &Path) -> regen::RegenOutcome {
    let mut opts = regen_options(spec, FAMILIES, out, true, Mode::Write);
    opts.stamp = Some(stamp::path_for(&workspace_root().join("target/regen-stamps"), out));
    let outcome = regen::regen(&opts).unwrap_or_else(|e| panic!("regenerating {}: {e}", spec.display()));
    if !outcome.by_stamp {
        opts.mode = Mode::Check;
        let check = regen::regen(&opts).unwrap_or_else(|e| panic!("checking {}: {e}", out.display()));
        assert!(check.changes.is_empty(), "{} changed between two regenerations", out.display());
    }
    outcome
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

/// The scenario runner's manifest. Each spec's runner and client have paths of their own
/// (cargo tells path crates apart by their path relative to the workspace), so the three
/// clients coexist in `target/platform-client`.
fn runner_manifest(date: &str) -> String {
    format!(
        r#"# Written by tests/realtime_contract.rs.
[package]
name = "realtime-runner-{date}"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
archastro-client = {{ path = "../client-{date}/generated/archastro-client" }}
futures = "0.3"
reqwest = {{ version = "0.13", default-features = false, features = ["json", "query"] }}
serde = "1"
serde_json = "1"
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "time"] }}
"#
    )
}

/// Regenerates the client of the platform spec of `date`, writes the runner's sources (its
/// `surface.rs` made for that client) and builds it; returns the runner's executable.
fn build_runner(date: &str, spec: &Path) -> PathBuf {
    let root = workspace_root();
    let dir = root.join("target/realtime-platform");
    let client = dir.join(format!("client-{date}"));
    let outcome = regen_stamped(spec, &client);
    let api = Api::new(&outcome.normalized).expect("the model of a spec that generated");
    let channels_rs = std::fs::read_to_string(client.join("generated/archastro-client/src/channels.rs")).ok();
    let crate_dir = dir.join(format!("runner-{date}"));
    std::fs::create_dir_all(crate_dir.join("src")).unwrap();
    write_if_changed(&crate_dir.join("Cargo.toml"), runner_manifest(date).as_bytes());
    for file in RUNNER_SOURCES {
        let source = std::fs::read(root.join("tests/realtime/runner").join(file)).unwrap();
        write_if_changed(&crate_dir.join("src").join(file), &source);
    }
    let surface = sweep_source::surface_rs(&api, channels_rs.as_deref());
    write_if_changed(&crate_dir.join("src/surface.rs"), surface.as_bytes());
    // The workspace's resolved versions, so the runner builds with what CI already has.
    let lock = crate_dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root.join("Cargo.lock"), &lock).unwrap();
    }
    let output = platform_cargo()
        .args(["build", "--quiet", "--manifest-path"])
        .arg(crate_dir.join("Cargo.toml"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && !stderr.contains("warning"),
        "building the scenario runner against the {date} client failed or warned:\n{stderr}"
    );
    root.join(format!("target/platform-client/debug/realtime-runner-{date}"))
}

/// Every scenario of the runner built for the platform spec of `date`, against one harness
/// serving that spec; fails with every scenario that failed.
fn harness(date: &str) {
    let started = Instant::now();
    let spec = platform_spec(date);
    let runner = build_runner(date, &spec);
    let built = started.elapsed();
    let listed = Command::new(&runner).arg("list").output().unwrap();
    assert!(listed.status.success(), "{}", String::from_utf8_lossy(&listed.stderr));
    let scenarios: Vec<String> = String::from_utf8_lossy(&listed.stdout).lines().map(str::to_owned).collect();
    let harness = ChannelHarness::start(&spec);
    let mut failures = Vec::new();
    for scenario in &scenarios {
        let output = Command::new(&runner)
            .args([scenario, &harness.ws_url, &harness.control_url])
            .output()
            .unwrap();
        if !output.status.success() {
            failures.push(format!(
                "{scenario}:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    eprintln!(
        "{date}: {} scenarios ({}) in {:.1} s, of which regen and build {:.1} s",
        scenarios.len(),
        scenarios.join(", "),
        started.elapsed().as_secs_f64(),
        built.as_secs_f64()
    );
    assert!(failures.is_empty(), "{} of {} scenarios failed:\n{}", failures.len(), scenarios.len(), failures.join("\n"));
}

#[test]
fn harness_2026_06_30() {
    harness("2026-06-30");
}

#[test]
fn harness_2026_08_18() {
    harness("2026-08-18");
}

#[test]
fn harness_2026_09_24() {
    harness("2026-09-24");
}

// --- the emulator ---------------------------------------------------------------------------

mod emulator {
    use std::time::Duration;

    use archastro_client::channels::{SocketOptions, ThreadChannel, ThreadChannelEvent};
    use archastro_client::{ArchAstro, Error, types};
    use archastro_emulator::{Config, DEFAULT_PUBLISHABLE_KEY, Emulator, Running};
    use futures::StreamExt;
    use futures::stream::BoxStream;

    type Events = BoxStream<'static, Result<ThreadChannelEvent, Error>>;

    async fn start() -> Running {
        Emulator::new(Config::default()).bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0")
    }

    /// A client of a newly registered user, holding its tokens; returns the user id.
    async fn user(running: &Running, email: &str) -> (ArchAstro, String) {
        let api = ArchAstro::builder()
            .base_url(running.url())
            .publishable_key(DEFAULT_PUBLISHABLE_KEY)
            .build()
            .unwrap();
        let registered = api
            .auth()
            .register()
            .body(types::RegisterRequest::builder().email(email).password("correct horse battery"))
            .send()
            .await
            .unwrap();
        api.store_tokens(&registered).unwrap();
        (api, registered.user.id)
    }

    /// `owner`'s team with `member` in it, and a thread of the team.
    async fn team_thread(owner: &ArchAstro, member: &ArchAstro) -> (String, String) {
        let team = owner
            .runtime()
            .teams()
            .create()
            .body(types::CreateTeamRequest::builder().name("Launch crew"))
            .send()
            .await
            .unwrap();
        let invitation = owner
            .runtime()
            .team(&team.id)
            .invite()
            .body(types::InviteTeamMemberRequest::builder().role("member"))
            .send()
            .await
            .unwrap();
        member
            .runtime()
            .teams()
            .join()
            .body(types::JoinTeamRequest::builder().code(invitation.code.as_str()))
            .send()
            .await
            .unwrap();
        let thread = owner
            .runtime()
            .team(&team.id)
            .threads()
            .create()
            .body(types::CreateThreadRequest::builder().title("Q3 launch"))
            .send()
            .await
            .unwrap();
        (team.id, thread.id)
    }

    fn thread_params(thread_id: &str) -> types::ThreadChannelJoinThreadParams {
        types::ThreadChannelJoinThreadParams {
            thread_id: thread_id.to_owned(),
            limit: None,
            before_cursor: None,
            after_cursor: None,
        }
    }

    async fn join(api: &ArchAstro, thread_id: &str) -> (ThreadChannel, Events) {
        let socket = api.connect_socket(SocketOptions::default()).await.expect("socket");
        let params = thread_params(thread_id);
        let (channel, reply) = ThreadChannel::join_thread(&socket, &params).await.expect("join");
        assert_eq!(reply.thread.id, thread_id);
        let events = channel.events();
        (channel, events)
    }

    /// The next event that `pick` accepts (others, such as presence, are skipped).
    async fn next_matching<T>(events: &mut Events, mut pick: impl FnMut(ThreadChannelEvent) -> Option<T>) -> T {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                let event = events.next().await.expect("the events ended").expect("a typed event");
                if let Some(found) = pick(event) {
                    return found;
                }
            }
        })
        .await
        .expect("no matching event within 10 s")
    }

    #[tokio::test]
    async fn emulator_rest_message_reaches_thread_subscribers() {
        let running = start().await;
        let (owner, _) = user(&running, "ada@example.com").await;
        let (member, member_id) = user(&running, "grace@example.com").await;
        let (team, thread) = team_thread(&owner, &member).await;
        // Joined from the thread's resource: its ids give the topic.
        let socket = member.connect_socket(SocketOptions::default()).await.expect("socket");
        let (channel, reply) = member
            .runtime()
            .team(&team)
            .thread(&thread)
            .channel(&socket)
            .await
            .expect("join");
        assert_eq!((channel.topic(), reply.thread.id.as_str()), (format!("thread:{thread}").as_str(), thread.as_str()));
        let mut events = channel.events();

        let posted = owner
            .runtime()
            .team(&team)
            .thread(&thread)
            .messages()
            .create()
            .body(types::CreateMessageRequest::builder().content("launch at noon"))
            .send()
            .await
            .unwrap();
        let pushed = next_matching(&mut events, |e| match e {
            ThreadChannelEvent::MessageCreated(m) => Some(m),
            _ => None,
        })
        .await;
        assert_eq!((pushed.id.as_str(), pushed.content.as_str()), (posted.id.as_str(), "launch at noon"));
        assert_ne!(pushed.user.as_deref(), Some(member_id.as_str()));
    }

    #[tokio::test]
    async fn emulator_two_clients_see_each_others_typing() {
        let running = start().await;
        let (owner, owner_id) = user(&running, "ada@example.com").await;
        let (member, member_id) = user(&running, "grace@example.com").await;
        let (_, thread) = team_thread(&owner, &member).await;
        let (owner_channel, mut owner_events) = join(&owner, &thread).await;
        let (member_channel, mut member_events) = join(&member, &thread).await;

        let typing = |on: bool| types::ThreadChannelTypingParams { typing: on };
        owner_channel.typing(&typing(true)).await.expect("typing");
        let started = next_matching(&mut member_events, |e| match e {
            ThreadChannelEvent::TypingStarted(t) => Some(t),
            _ => None,
        })
        .await;
        assert_eq!((started.user.as_deref(), started.thread.as_str()), (Some(owner_id.as_str()), thread.as_str()));

        member_channel.typing(&typing(true)).await.expect("typing");
        member_channel.typing(&typing(false)).await.expect("typing");
        // The owner sees the member's typing, and never its own.
        let first = next_matching(&mut owner_events, |e| match e {
            ThreadChannelEvent::TypingStarted(t) => Some(t.user),
            ThreadChannelEvent::TypingStopped(t) => Some(t.user),
            _ => None,
        })
        .await;
        assert_eq!(first.as_deref(), Some(member_id.as_str()));
        let stopped = next_matching(&mut owner_events, |e| match e {
            ThreadChannelEvent::TypingStopped(t) => Some(t.user),
            ThreadChannelEvent::TypingStarted(t) => panic!("a second start: {t:?}"),
            _ => None,
        })
        .await;
        assert_eq!(stopped.as_deref(), Some(member_id.as_str()));
    }

    #[tokio::test]
    async fn emulator_join_of_a_stranger_is_refused_with_the_reason() {
        let running = start().await;
        let (owner, _) = user(&running, "ada@example.com").await;
        let (member, _) = user(&running, "grace@example.com").await;
        let (stranger, _) = user(&running, "eve@example.com").await;
        let (_, thread) = team_thread(&owner, &member).await;
        let socket = stranger.connect_socket(SocketOptions::default()).await.expect("socket");
        let params = thread_params(&thread);
        match ThreadChannel::join_thread(&socket, &params).await {
            Err(Error::JoinRefused { reason, topic, .. }) => {
                assert_eq!((reason.as_str(), topic), ("unauthorized", format!("thread:{thread}")));
            }
            other => panic!("expected a refused join, got {:?}", other.map(|(_, r)| r)),
        }
        // Without a token the socket itself is refused, with the API's error.
        let anonymous = ArchAstro::builder().base_url(running.url()).build().unwrap();
        match anonymous.connect_socket(SocketOptions::default()).await {
            Err(e) => assert_eq!(e.status().map(|s| s.as_u16()), Some(401), "{e:?}"),
            Ok(_) => panic!("a socket without a token"),
        }
    }
}
