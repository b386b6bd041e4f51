//! The realtime client (typed channel facades over Phoenix channels, SSE event streams) against
//! the vendor's contract harness and against our emulator.
//!
//! - `harness_*`: `@archastro/channel-harness` 0.7.1 on 127.0.0.1 with the 2026-06-30 platform
//!   spec (it declares channels and an SSE route). The client generated from that spec runs
//!   the scenarios of `tests/realtime/platform_scenarios.rs` (regenerated and built once, under
//!   `target/realtime-platform/`, sharing `target/platform-client` with the other builds of
//!   platform clients).
//! - `emulator_*`: the repository's client (`spec/openapi.json`) against the emulator's
//!   WebSocket: a message posted over REST reaches the thread's subscribers; typing is relayed
//!   between two users.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use archastro_codegen::output::Mode;
use archastro_codegen::regen;
use archastro_tests::{ChannelHarness, platform_cargo, platform_specs, regen_options, workspace_root};

fn platform_spec() -> PathBuf {
    platform_specs()
        .into_iter()
        .find(|s| s.to_string_lossy().contains("2026-06-30"))
        .expect("the 2026-06-30 platform spec (../shared/specs)")
}

/// Regenerates the 2026-06-30 client and builds the scenario runner against it, once.
fn scenario_runner() -> &'static Path {
    static RUNNER: OnceLock<PathBuf> = OnceLock::new();
    RUNNER.get_or_init(|| {
        let root = workspace_root();
        let dir = root.join("target/realtime-platform");
        let generated = dir.join("gen");
        regen::regen(&regen_options(&platform_spec(), "spec/families-platform-v1.toml", &generated, true, Mode::Write))
        .expect("regenerating the 2026-06-30 platform client");
        let crate_dir = dir.join("scenarios");
        std::fs::create_dir_all(crate_dir.join("src")).unwrap();
        let manifest = r#"# Written by tests/realtime_contract.rs.
[package]
name = "platform_scenarios"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
archastro-client = { path = "../gen/generated/archastro-client" }
futures = "0.3"
reqwest = { version = "0.13", default-features = false, features = ["json", "query"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread", "time"] }
"#;
        write_if_changed(&crate_dir.join("Cargo.toml"), manifest.as_bytes());
        write_if_changed(
            &crate_dir.join("src/main.rs"),
            &std::fs::read(root.join("tests/realtime/platform_scenarios.rs")).unwrap(),
        );
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
        assert!(
            output.status.success(),
            "building the scenario runner against the 2026-06-30 client failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        root.join("target/platform-client/debug/platform_scenarios")
    })
}

fn write_if_changed(path: &Path, bytes: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(bytes) {
        std::fs::write(path, bytes).unwrap();
    }
}

/// Runs one scenario against a fresh harness.
fn harness_scenario(name: &str) {
    let runner = scenario_runner();
    let harness = ChannelHarness::start(&platform_spec());
    let output = Command::new(runner)
        .args([name, &harness.ws_url, &harness.control_url])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn harness_join_with_typed_params_and_typed_reply() {
    harness_scenario("join");
}

#[test]
fn harness_message_gets_typed_reply_and_refusal_reason() {
    harness_scenario("message");
}

#[test]
fn harness_scripted_pushes_arrive_typed_and_in_order() {
    harness_scenario("pushes");
}

#[test]
fn harness_refused_join_surfaces_the_reason() {
    harness_scenario("refused");
}

#[test]
fn harness_closed_socket_reconnects_rejoins_and_keeps_delivering() {
    harness_scenario("reconnect");
}

#[test]
fn harness_missing_reply_times_out() {
    harness_scenario("reply_timeout");
}

#[test]
fn harness_sse_events_arrive_typed_and_in_order() {
    harness_scenario("sse_emit");
}

#[test]
fn harness_sse_error_status_is_a_typed_error() {
    harness_scenario("sse_status");
}

#[test]
fn harness_sse_disconnect_and_error_event_are_typed_errors() {
    harness_scenario("sse_disconnect");
}

// --- the emulator ---------------------------------------------------------------------------

mod emulator {
    use std::time::Duration;

    use archastro_client::auth::prelude::*;
    use archastro_client::channels::{SocketOptions, ThreadChannel, ThreadChannelEvent};
    use archastro_client::runtime::prelude::*;
    use archastro_client::{ArchAstro, Error, types};
    use archastro_emulator::{Config, DEFAULT_PUBLISHABLE_KEY, Emulator, Running};
    use futures::StreamExt;
    use futures::stream::BoxStream;
    use serde_json::json;

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
            .unwrap()
            .into_inner();
        api.store_tokens(&registered).unwrap();
        (api, registered.user.id)
    }

    /// `owner`'s team with `member` in it, and a thread of the team.
    async fn team_thread(owner: &ArchAstro, member: &ArchAstro) -> (String, String) {
        let team = owner
            .runtime()
            .create_team()
            .body(types::CreateTeamRequest::builder().name("Launch crew"))
            .send()
            .await
            .unwrap()
            .into_inner();
        let invitation = owner
            .runtime()
            .invite_team_member()
            .team_id(&team.id)
            .body(serde_json::from_value::<types::InviteTeamMemberRequest>(json!({"role": "member"})).unwrap())
            .send()
            .await
            .unwrap()
            .into_inner();
        member
            .runtime()
            .join_team()
            .body(types::JoinTeamRequest::builder().code(invitation.code.as_str()))
            .send()
            .await
            .unwrap();
        let thread = owner
            .runtime()
            .create_team_thread()
            .team_id(&team.id)
            .body(serde_json::from_value::<types::CreateThreadRequest>(json!({"title": "Q3 launch"})).unwrap())
            .send()
            .await
            .unwrap()
            .into_inner();
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
        let (_channel, mut events) = join(&member, &thread).await;

        let posted = owner
            .runtime()
            .create_team_thread_message()
            .team_id(&team)
            .thread_id(&thread)
            .body(serde_json::from_value::<types::CreateMessageRequest>(json!({"content": "launch at noon"})).unwrap())
            .send()
            .await
            .unwrap()
            .into_inner();
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
