//! Streams the messages of a thread over its realtime channel: joins `thread:{id}`, prints the
//! recent messages the join returns, posts a message over REST and prints the messages the
//! channel pushes until that one arrives.
//!
//! ```text
//! ARCHASTRO_BASE_URL=https://api.archastro.ai ARCHASTRO_PUBLISHABLE_KEY=pk_... \
//! ARCHASTRO_EMAIL=ada@example.com ARCHASTRO_PASSWORD=... \
//! ARCHASTRO_TEAM_ID=team_... ARCHASTRO_THREAD_ID=thr_... \
//!     cargo run -p archastro-client --example thread_messages
//! ```

use std::time::Duration;

use archastro_client::channels::{SocketOptions, ThreadChannelEvent};
use archastro_client::{ArchAstro, types};
use futures::StreamExt;

/// How long to wait for the channel to push the posted message.
const PUSH_TIMEOUT: Duration = Duration::from_secs(10);

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
    let tokens = api
        .auth()
        .login()
        .body(types::LoginRequest::new(
            env("ARCHASTRO_EMAIL")?,
            env("ARCHASTRO_PASSWORD")?,
        ))
        .send()
        .await?;
    api.store_tokens(&tokens)?;

    // The socket authenticates with the client's access token.
    let socket = api.connect_socket(SocketOptions::default()).await?;
    let team_id = env("ARCHASTRO_TEAM_ID")?;
    let thread_id = env("ARCHASTRO_THREAD_ID")?;
    // The thread's resource gives the channel's topic, `thread:{thread_id}`.
    let thread = api.runtime().team(&team_id).thread(&thread_id);
    let (channel, joined) = thread.channel(&socket).await?;
    println!(
        "joined thread:{thread_id} with {} recent messages",
        joined.messages.data.len()
    );
    for message in &joined.messages.data {
        println!("recent {}: {}", message.id, message.content);
    }
    let mut events = channel.events();

    let posted = thread
        .messages()
        .create()
        .body(types::CreateMessageRequest::new(
            "Hello from the thread_messages example",
        ))
        .send()
        .await?;
    println!("posted {} over REST", posted.id);

    tokio::time::timeout(PUSH_TIMEOUT, async {
        while let Some(event) = events.next().await {
            if let ThreadChannelEvent::MessageCreated(message) = event? {
                println!("pushed {}: {}", message.id, message.content);
                if message.id == posted.id {
                    return Ok(());
                }
            }
        }
        Err("the channel closed".into())
    })
    .await
    .map_err(|_| format!("no push of {} within {PUSH_TIMEOUT:?}", posted.id))?
}
