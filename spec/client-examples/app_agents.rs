//! Lists the agents of a developer app, with a secret key.
//!
//! ```text
//! ARCHASTRO_BASE_URL=https://api.archastro.ai ARCHASTRO_SECRET_KEY=sk_... ARCHASTRO_APP_ID=app_... \
//!     cargo run -p archastro-client --example app_agents
//! ```

use archastro_client::ArchAstro;
use futures::StreamExt;

/// The value of the environment variable `name`, or an error that names it.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api = ArchAstro::builder()
        .base_url(env("ARCHASTRO_BASE_URL")?)
        .secret_key(env("ARCHASTRO_SECRET_KEY")?)
        .build()?;
    let app_id = env("ARCHASTRO_APP_ID")?;
    let app = api.developer().app(&app_id).get().send().await?;
    println!("app {} ({})", app.id, app.name);
    // Every page, fetched as the stream is read.
    let mut agents = api.developer().app(&app_id).agents().list().stream();
    let mut count = 0;
    while let Some(agent) = agents.next().await {
        let agent = agent?;
        println!("agent {}: {}", agent.id, agent.name);
        count += 1;
    }
    println!("{count} agents");
    Ok(())
}
