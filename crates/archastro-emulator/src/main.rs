//! `archastro-emulator --listen 127.0.0.1:PORT`: a local, in-memory ArchAstro API.

use std::time::Duration;

use archastro_emulator::{Config, DEFAULT_PUBLISHABLE_KEY, DEFAULT_SECRET_KEY, Emulator};
use clap::Parser;

/// A local, in-memory ArchAstro API for development and tests.
#[derive(Debug, Parser)]
#[command(name = "archastro-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:4010")]
    listen: String,
    /// The publishable key the auth flows accept.
    #[arg(long, default_value = DEFAULT_PUBLISHABLE_KEY)]
    publishable_key: String,
    /// The secret key the runtime and developer operations accept.
    #[arg(long, default_value = DEFAULT_SECRET_KEY)]
    secret_key: String,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    token_ttl: u64,
    /// Polling interval of the device flow, in seconds.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    device_interval: u64,
    /// Sample tasks created in every new team (the API has no operation creating tasks).
    #[arg(long, default_value_t = 0)]
    seed_tasks: usize,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let config = Config {
        publishable_key: args.publishable_key,
        secret_key: args.secret_key,
        token_ttl: Duration::from_secs(args.token_ttl),
        device_interval: args.device_interval,
        seed_tasks: args.seed_tasks,
        ..Config::default()
    };
    let listener = tokio::net::TcpListener::bind(&args.listen).await?;
    let addr = listener.local_addr()?;
    println!(
        "archastro-emulator listening on http://{addr} (publishable key {}, secret key {}, token TTL {} s)",
        config.publishable_key, config.secret_key, args.token_ttl
    );
    Emulator::new(config)
        .serve(listener, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
