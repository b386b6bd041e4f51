//! Logs in with an email and a password, then lists the threads of a team.
//!
//! ```text
//! ARCHASTRO_BASE_URL=https://api.archastro.ai ARCHASTRO_PUBLISHABLE_KEY=pk_... \
//! ARCHASTRO_EMAIL=ada@example.com ARCHASTRO_PASSWORD=... ARCHASTRO_TEAM_ID=team_... \
//!     cargo run -p archastro-client --example team_threads
//! ```

use archastro_client::{ArchAstro, types};
use futures::TryStreamExt;

/// The value of the environment variable `name`, or an error that names it.
fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let api = ArchAstro::builder()
        .base_url(env("ARCHASTRO_BASE_URL")?)
        .publishable_key(env("ARCHASTRO_PUBLISHABLE_KEY")?)
        .build()?;
    let email = env("ARCHASTRO_EMAIL")?;
    let tokens = api
        .auth()
        .login()
        .body(types::LoginRequest::new(
            email.as_str(),
            env("ARCHASTRO_PASSWORD")?,
        ))
        .send()
        .await?;
    // From here on the client sends the access token, and refreshes it when it expires.
    api.store_tokens(&tokens)?;
    println!("logged in as {email} ({})", tokens.user.id);

    let team_id = env("ARCHASTRO_TEAM_ID")?;
    let threads: Vec<types::Thread> = api
        .runtime()
        .team(&team_id)
        .threads()
        .list()
        .stream()
        .try_collect()
        .await?;
    println!("team {team_id} has {} threads", threads.len());
    for thread in threads {
        let title = thread.title.as_deref().unwrap_or("(untitled)");
        println!("thread {}: {title}", thread.id);
    }
    Ok(())
}
