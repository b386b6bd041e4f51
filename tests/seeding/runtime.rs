//! Seeding the emulator through the generated client's runtime family: a team and its threads,
//! as the end-to-end tests and the example programs' tests both need them.

use archastro_client::{ArchAstro, types};

/// A team named `name`, created by the signed-in user of `api`.
pub async fn create_team(api: &ArchAstro, name: &str) -> types::Team {
    api.runtime()
        .teams()
        .create()
        .body(types::CreateTeamRequest::new(name))
        .send()
        .await
        .unwrap()
}

/// A thread titled `title` in the team `team_id`.
pub async fn create_thread(api: &ArchAstro, team_id: &str, title: &str) -> types::Thread {
    api.runtime()
        .team(team_id)
        .threads()
        .create()
        .body(types::CreateThreadRequest::builder().title(title))
        .send()
        .await
        .unwrap()
}
