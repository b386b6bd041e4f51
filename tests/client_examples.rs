//! The client's example programs (`generated/archastro-client/examples/`, copied from
//! `spec/client-examples/`) run against the emulator on 127.0.0.1: each test starts one, seeds
//! what its example reads, runs `cargo run -p archastro-client --example NAME` with the
//! emulator's URL and keys in the environment, and checks the exit status and the lines the
//! program prints.

use std::process::Command;

use archastro_client::{ArchAstro, types};
use archastro_emulator::{Config, DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, Emulator, Running};
use archastro_tests::workspace_root;

#[path = "seeding/runtime.rs"]
mod seeding;
use seeding::{create_team, create_thread};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";

/// What an example is run with, and the lines its output must hold.
struct Seeded {
    env: Vec<(&'static str, String)>,
    expected: Vec<String>,
}

/// Starts the emulator, seeds it for `example`, runs the example and checks its output.
async fn runs(example: &str) {
    let running = Emulator::new(Config::default())
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0");
    let seeded = match example {
        "team_threads" => team_threads(&running).await,
        "thread_messages" => thread_messages(&running).await,
        "app_agents" => app_agents(&running).await,
        other => panic!("no seed for the example {other}"),
    };
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .current_dir(workspace_root())
        .args([
            "run",
            "--quiet",
            "-p",
            "archastro-client",
            "--example",
            example,
        ])
        .env("ARCHASTRO_BASE_URL", running.url());
    for (name, value) in &seeded.env {
        command.env(name, value);
    }
    // The emulator answers on this runtime while the example runs.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("running cargo: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{example}: {}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        output.status
    );
    let lines: Vec<&str> = stdout.lines().collect();
    for line in &seeded.expected {
        assert!(
            lines.contains(&line.as_str()),
            "{example} did not print {line:?}; it printed:\n{stdout}"
        );
    }
}

/// A client of a newly registered user, holding its tokens.
async fn registered_user(running: &Running) -> (ArchAstro, types::AuthTokens) {
    let api = ArchAstro::builder()
        .base_url(running.url())
        .publishable_key(DEFAULT_PUBLISHABLE_KEY)
        .build()
        .unwrap();
    let tokens = api
        .auth()
        .register()
        .body(types::RegisterRequest::new(EMAIL, PASSWORD))
        .send()
        .await
        .unwrap();
    api.store_tokens(&tokens).unwrap();
    (api, tokens)
}

/// The environment of the examples that log in as the registered user.
fn login_env() -> Vec<(&'static str, String)> {
    vec![
        (
            "ARCHASTRO_PUBLISHABLE_KEY",
            DEFAULT_PUBLISHABLE_KEY.to_owned(),
        ),
        ("ARCHASTRO_EMAIL", EMAIL.to_owned()),
        ("ARCHASTRO_PASSWORD", PASSWORD.to_owned()),
    ]
}

/// A user with a team of two threads.
async fn team_threads(running: &Running) -> Seeded {
    let (api, tokens) = registered_user(running).await;
    let team = create_team(&api, "Launch crew").await;
    let mut expected = vec![
        format!("logged in as {EMAIL} ({})", tokens.user.id),
        format!("team {} has 2 threads", team.id),
    ];
    for title in ["Q3 launch", "Hiring"] {
        let thread = create_thread(&api, &team.id, title).await;
        expected.push(format!("thread {}: {title}", thread.id));
    }
    let mut env = login_env();
    env.push(("ARCHASTRO_TEAM_ID", team.id));
    Seeded { env, expected }
}

/// A user with a team thread of two messages.
async fn thread_messages(running: &Running) -> Seeded {
    let (api, _) = registered_user(running).await;
    let team = create_team(&api, "Launch crew").await;
    let thread = create_thread(&api, &team.id, "Q3 launch").await;
    let mut expected = vec![format!(
        "joined thread:{} with 2 recent messages",
        thread.id
    )];
    for content in ["launch at noon", "bring snacks"] {
        let message = api
            .runtime()
            .team(&team.id)
            .thread(&thread.id)
            .messages()
            .create()
            .body(types::CreateMessageRequest::new(content))
            .send()
            .await
            .unwrap();
        expected.push(format!("recent {}: {content}", message.id));
    }
    let mut env = login_env();
    env.extend([
        ("ARCHASTRO_TEAM_ID", team.id),
        ("ARCHASTRO_THREAD_ID", thread.id),
    ]);
    Seeded { env, expected }
}

/// A developer app with two agents.
async fn app_agents(running: &Running) -> Seeded {
    let api = ArchAstro::builder()
        .base_url(running.url())
        .secret_key(DEFAULT_SECRET_KEY)
        .build()
        .unwrap();
    let app = api
        .developer()
        .apps()
        .create()
        .body(types::CreateAppRequest::builder().name("Launch Pad"))
        .send()
        .await
        .unwrap();
    let mut expected = vec![
        format!("app {} (Launch Pad)", app.id),
        "2 agents".to_owned(),
    ];
    for name in ["Pilot", "Navigator"] {
        let agent = api
            .developer()
            .app(&app.id)
            .agents()
            .create()
            .body(types::CreateAgentRequest::builder().name(name))
            .send()
            .await
            .unwrap();
        expected.push(format!("agent {}: {name}", agent.id));
    }
    let env = vec![
        ("ARCHASTRO_SECRET_KEY", DEFAULT_SECRET_KEY.to_owned()),
        ("ARCHASTRO_APP_ID", app.id),
    ];
    Seeded { env, expected }
}

#[tokio::test(flavor = "multi_thread")]
async fn team_threads_example() {
    runs("team_threads").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn thread_messages_example() {
    runs("thread_messages").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn app_agents_example() {
    runs("app_agents").await;
}
