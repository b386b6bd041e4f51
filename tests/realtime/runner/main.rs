//! The scenario runner of `tests/realtime_contract.rs`: the client generated from one platform
//! spec against `@archastro/channel-harness` serving the same spec. The test regenerates that
//! client, copies these files into a crate under `target/realtime-platform/runner-<date>/` with the
//! `surface.rs` it writes for the spec (`tests/realtime/sweep_source.rs`: one sweep per channel
//! facade and per streaming operation the client has), builds it (it is no workspace member:
//! its client exists only after regen), lists the scenarios with `runner list`, and runs each
//! with `runner SCENARIO WS_URL CONTROL_URL` against one harness. Exit status 0 means every
//! check passed; otherwise stderr says which failed.

use std::process::ExitCode;

/// Fails the check with a message unless `cond` holds.
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)+) => {
        if !$cond {
            return Err(format!($($fmt)+));
        }
    };
}

mod behaviors;
mod harness;
mod surface;
mod sweep;

use harness::Harness;

/// What a scenario found: `Err` says which check failed.
pub type Check = Result<(), String>;

/// Runs `name` against the harness after a reset, then checks that the harness saw no
/// contract violation while it ran.
async fn run(name: &str, h: &Harness) -> Check {
    h.post("/reset", serde_json::json!({})).await?;
    let outcome = match behaviors::run(name, h).await {
        Some(outcome) => outcome,
        None => surface::run(name, h).await.ok_or_else(|| format!("unknown scenario `{name}`"))?,
    };
    outcome?;
    let errors = h.handler_errors().await?;
    ensure!(errors.is_empty(), "the harness saw contract violations: {errors:?}");
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, list] if list == "list" => {
            for name in behaviors::SCENARIOS.iter().chain(surface::SCENARIOS) {
                println!("{name}");
            }
            ExitCode::SUCCESS
        }
        [_, scenario, ws_url, control] => {
            let h = Harness::new(ws_url, control);
            match run(scenario, &h).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(message) => {
                    eprintln!("scenario `{scenario}` failed: {message}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: runner list | runner SCENARIO WS_URL CONTROL_URL");
            ExitCode::from(2)
        }
    }
}
