//! End to end on 127.0.0.1: the generated client (`archastro_client`) against the emulator
//! (`archastro_emulator`), started in-process on a free port for every test.
//!
//! register → login → team → thread → 120 messages → the cursor stream yields all of them,
//! newest first (the spec: "Lists messages newest first"); a transparent refresh after the
//! access token expires; 401, 403, 404, 409 and 422 as typed `Error::Api`; the acceptance
//! checks of the issue on the raw HTTP level; the device flow; teams, invitations, tasks and
//! objects; the developer apps, agents, routines and installations; concurrent writes.

use std::collections::HashSet;
use std::fmt::Debug;
use std::time::Duration;

use archastro_client::{ArchAstro, Error, types};
use archastro_emulator::{
    Config, DEFAULT_PUBLISHABLE_KEY as PK, DEFAULT_SECRET_KEY as SK, Emulator, Running,
};
use futures::StreamExt;
use serde_json::{Value, json};

#[path = "seeding/runtime.rs"]
mod seeding;
use seeding::{create_team, create_thread};

const PASSWORD: &str = "correct horse battery";

async fn start(config: Config) -> Running {
    Emulator::new(config)
        .bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1:0")
}

/// A client with the publishable key (for the auth flows); tokens come from `login`.
fn public_client(running: &Running) -> ArchAstro {
    ArchAstro::builder()
        .base_url(running.url())
        .publishable_key(PK)
        .build()
        .unwrap()
}

fn secret_client(running: &Running) -> ArchAstro {
    ArchAstro::builder()
        .base_url(running.url())
        .secret_key(SK)
        .build()
        .unwrap()
}

/// The typed error of a failed call, asserting that it is `Error::Api`.
fn api_error<T: Debug>(result: Result<T, Error>) -> (u16, String, Value) {
    match result {
        Err(Error::Api {
            status,
            code,
            message,
            details,
        }) => {
            assert!(!message.is_empty(), "an error message for {status} {code}");
            (status.as_u16(), code, details)
        }
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// Registers `email` and logs in: the client then holds the access and refresh tokens.
async fn register_and_login(api: &ArchAstro, email: &str) -> types::AuthTokens {
    let registered = api
        .auth()
        .register()
        .body(types::RegisterRequest::new(email, PASSWORD))
        .send_with_response()
        .await
        .unwrap();
    assert_eq!(registered.status().as_u16(), 201);
    assert_eq!(registered.user.email, email);
    let tokens = api
        .auth()
        .login()
        .body(types::LoginRequest::new(email, PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(tokens.user.id, registered.user.id);
    assert_ne!(tokens.access_token, registered.access_token);
    api.store_tokens(&tokens).unwrap();
    tokens
}

fn message_body(content: &str) -> types::builder::CreateMessageRequest {
    types::CreateMessageRequest::new(content)
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn register_login_team_thread_and_120_messages_stream_back_newest_first() {
    let running = start(Config::default()).await;
    let api = public_client(&running);
    let tokens = register_and_login(&api, "ada@example.com").await;
    assert_eq!(tokens.user.id, "usr_000001");
    assert_eq!(tokens.expires_in.get(), 3600);

    let me = api
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(
        (me.id.as_str(), me.email.as_str()),
        ("usr_000001", "ada@example.com")
    );

    let team = create_team(&api, "Launch crew").await;
    assert_eq!(team.id, "team_000001");
    assert_eq!(team.role, Some(types::TeamRole::Owner));
    assert_eq!(team.member_count, 1);

    let thread = create_thread(&api, &team.id, "Q3 launch").await;
    assert_eq!(thread.id, "thr_000001");
    assert_eq!(thread.participants, ["usr_000001"]);

    let mut posted = Vec::new();
    for i in 0..120 {
        let message = api
            .runtime()
            .team(&team.id)
            .thread(&thread.id)
            .messages()
            .create()
            .body(message_body(&format!("message {i}")))
            .send_with_response()
            .await
            .unwrap();
        assert_eq!(message.status().as_u16(), 201);
        assert_eq!(message.user.as_deref(), Some("usr_000001"));
        posted.push(message.into_inner().id);
    }
    assert_eq!(posted.iter().collect::<HashSet<_>>().len(), 120);

    // The spec lists messages newest first and pages towards older ones with `before_cursor`:
    // the stream yields the 120 messages exactly in reverse posting order.
    let newest_first: Vec<String> = posted.iter().rev().cloned().collect();
    for limit in [Some(25u64), Some(7), Some(100), None] {
        let mut request = api
            .runtime()
            .team(&team.id)
            .thread(&thread.id)
            .messages()
            .list();
        if let Some(limit) = limit {
            request = request.limit(limit);
        }
        let messages: Vec<types::Message> = request.stream().map(|m| m.unwrap()).collect().await;
        let ids: Vec<String> = messages.iter().map(|m| m.id.clone()).collect();
        assert_eq!(ids, newest_first, "limit {limit:?}");
        let contents: Vec<String> = messages.iter().map(|m| m.content.clone()).collect();
        let expected: Vec<String> = (0..120).rev().map(|i| format!("message {i}")).collect();
        assert_eq!(contents, expected, "limit {limit:?}");
    }

    // The pages themselves: the first is the newest, with a cursor to older messages only.
    let first = api
        .runtime()
        .team(&team.id)
        .thread(&thread.id)
        .messages()
        .list()
        .limit(25u64)
        .send()
        .await
        .unwrap();
    assert_eq!(first.data.len(), 25);
    assert_eq!(first.data[0].id, posted[119]);
    assert_eq!(first.before_cursor.as_deref(), Some(posted[95].as_str()));
    assert_eq!(first.after_cursor, None);
    assert!(first.has_more);
    let older = api
        .runtime()
        .team(&team.id)
        .thread(&thread.id)
        .messages()
        .list()
        .limit(25u64)
        .before_cursor(first.before_cursor.clone().unwrap())
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = older.data.iter().map(|m| m.id.as_str()).collect();
    let expected: Vec<&str> = posted[70..95].iter().rev().map(String::as_str).collect();
    assert_eq!(ids, expected);
    assert_eq!(older.after_cursor.as_deref(), Some(posted[94].as_str()));
    // `after_cursor` goes back towards the newer messages (an item id works as a cursor too).
    let newer = api
        .runtime()
        .team(&team.id)
        .thread(&thread.id)
        .messages()
        .list()
        .limit(3u64)
        .after_cursor(&posted[0])
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = newer.data.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [posted[3].as_str(), posted[2].as_str(), posted[1].as_str()]
    );
    assert!(newer.has_more);

    // Written state reads back.
    let read = api
        .runtime()
        .team(&team.id)
        .thread(&thread.id)
        .get()
        .send()
        .await
        .unwrap();
    assert_eq!(read.title.as_deref(), Some("Q3 launch"));
    assert!(read.last_message_at.is_some());
    let threads = api
        .runtime()
        .team(&team.id)
        .threads()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(
        threads
            .data
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        [thread.id.as_str()]
    );
    assert!(!threads.has_more);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_once_and_transparently() {
    let running = start(Config {
        token_ttl: Duration::from_secs(1),
        ..Config::default()
    })
    .await;
    let api = public_client(&running);
    let login = register_and_login(&api, "grace@example.com").await;
    assert_eq!(login.expires_in.get(), 1);
    api.runtime().users().me().send().await.unwrap();
    assert_eq!(running.emulator.stats().refreshes, 0);

    tokio::time::sleep(Duration::from_millis(1300)).await;
    let me = api
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(me.email, "grace@example.com");
    let stats = running.emulator.stats();
    assert_eq!(
        (stats.expired_tokens, stats.refreshes),
        (1, 1),
        "one 401, one refresh"
    );
    let tokens = api.support().tokens().unwrap();
    assert_ne!(tokens.access_token.expose(), login.access_token);
    assert_ne!(
        tokens.refresh_token.as_ref().unwrap().expose(),
        login.refresh_token
    );

    // Concurrent calls after the next expiry share one refresh.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let calls = (0..8).map(|_| api.runtime().users().me().send());
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().id, me.id);
    }
    assert_eq!(running.emulator.stats().refreshes, 2);

    // Refresh tokens rotate: the one of the login no longer works.
    let (status, code, _) = api_error(
        api.auth()
            .refresh()
            .body(types::RefreshRequest::builder().refresh_token(login.refresh_token.as_str()))
            .send()
            .await,
    );
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
}

#[tokio::test]
async fn failures_decode_as_typed_api_errors() {
    let running = start(Config::default()).await;

    // 401: no credentials at all.
    let bare = ArchAstro::builder()
        .base_url(running.url())
        .build()
        .unwrap();
    let (status, code, _) = api_error(bare.runtime().users().me().send().await);
    assert_eq!((status, code.as_str()), (401, "unauthorized"));
    // 401: wrong password.
    let api = public_client(&running);
    register_and_login(&api, "ada@example.com").await;
    let (status, _, _) = api_error(
        api.auth()
            .login()
            .body(
                types::LoginRequest::builder()
                    .email("ada@example.com")
                    .password("wrong"),
            )
            .send()
            .await,
    );
    assert_eq!(status, 401);

    // 403: a publishable key where the developer API needs a secret key.
    let misconfigured = ArchAstro::builder()
        .base_url(running.url())
        .secret_key(PK)
        .build()
        .unwrap();
    let (status, code, _) = api_error(
        misconfigured
            .developer()
            .me()
            .send()
            .await,
    );
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    let (status, _, _) = api_error(misconfigured.developer().apps().list().send().await);
    assert_eq!(status, 403);

    // 404: an unknown thread of a team the user is in, and an unknown team.
    let team = create_team(&api, "Launch crew").await;
    let (status, code, _) = api_error(
        api.runtime()
            .team(&team.id)
            .thread("thr_999999")
            .get()
            .send()
            .await,
    );
    assert_eq!((status, code.as_str()), (404, "not_found"));
    let (status, _, _) = api_error(api.runtime().team("team_999999").get().send().await);
    assert_eq!(status, 404);

    // 422: a body the client accepts but the server's validation refuses (an email that is not
    // one), with the field in `details.fields`.
    let (status, code, details) = api_error(
        api.auth()
            .register()
            .body(
                types::RegisterRequest::builder()
                    .email("not-an-email")
                    .password(PASSWORD),
            )
            .send()
            .await,
    );
    assert_eq!((status, code.as_str()), (422, "validation_failed"));
    assert!(details["fields"]["email"][0].is_string(), "{details}");

    // 409: the email is taken.
    let (status, code, _) = api_error(
        api.auth()
            .register()
            .body(
                types::RegisterRequest::builder()
                    .email("ada@example.com")
                    .password(PASSWORD),
            )
            .send()
            .await,
    );
    assert_eq!((status, code.as_str()), (409, "conflict"));

    // A user outside a team: 403.
    let other = public_client(&running);
    register_and_login(&other, "eve@example.com").await;
    let (status, _, _) = api_error(other.runtime().team(&team.id).get().send().await);
    assert_eq!(status, 403);
}

/// The acceptance checks of the issue, on the HTTP level: each answers the envelope.
#[tokio::test]
async fn acceptance_checks_answer_in_the_envelope() {
    let running = start(Config::default()).await;
    let http = reqwest::Client::new();
    let url = running.url();
    let checks = [
        (http.get(format!("{url}/no/such/route")), 404),
        (http.get(format!("{url}/api/v2/users/me")), 401),
        (
            http.post(format!("{url}/api/v2/auth/login"))
                .header("x-api-key", PK)
                .header("content-type", "application/json")
                .body("{\"email\": \"ada@example.com\", "),
            400,
        ),
    ];
    for (request, expected) in checks {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "{body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    // An operation the emulator leaves to the generated default.
    let response = http
        .post(format!("{url}/api/v2/scrape"))
        .header("x-api-key", SK)
        .json(&json!({ "url": "https://example.com" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 501);
}

#[tokio::test]
async fn the_device_flow_is_approved_after_one_pending_poll() {
    let running = start(Config::default()).await;
    let api = public_client(&running);
    let authorization = api
        .device_authorize("oac_cli", Some("openid"))
        .await
        .unwrap();
    assert_eq!(authorization.interval, 1);
    let tokens = api.device_poll("oac_cli", &authorization).await.unwrap();
    assert!(tokens.refresh_token.is_some());
    let me = api
        .runtime()
        .users()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(me.id, archastro_emulator::DEVELOPER_USER_ID);
    assert_eq!(running.emulator.stats().device_grants, 1);

    // Polling faster than the interval answers `slow_down` (OAuth error shape).
    let http = reqwest::Client::new();
    let authorize: Value = http
        .post(format!("{}/oauth/device/authorize", running.url()))
        .header("x-api-key", PK)
        .json(&json!({ "client_id": "oac_cli" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let poll = || {
        http.post(format!("{}/oauth/token", running.url()))
            .header("x-api-key", PK)
            .json(&json!({
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "client_id": "oac_cli",
                "device_code": authorize["device_code"],
            }))
            .send()
    };
    for expected in ["authorization_pending", "slow_down"] {
        let response = poll().await.unwrap();
        assert_eq!(response.status().as_u16(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], expected, "{body}");
    }
}

#[tokio::test]
async fn teams_members_invitations_tasks_and_objects() {
    let running = start(Config::default()).await;
    let owner = public_client(&running);
    register_and_login(&owner, "ada@example.com").await;
    let team = create_team(&owner, "Launch crew").await;

    // A join code, used by a second user.
    let invitation = owner
        .runtime()
        .team(&team.id)
        .invite()
        .body(types::InviteTeamMemberRequest::builder().role("admin"))
        .send()
        .await
        .unwrap();
    let member = public_client(&running);
    let grace = register_and_login(&member, "grace@example.com").await;
    let membership = member
        .runtime()
        .teams()
        .join()
        .body(types::JoinTeamRequest::builder().code(invitation.code.as_str()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (membership.user.as_str(), membership.role),
        (grace.user.id.as_str(), types::TeamRole::Admin)
    );
    let (status, _, _) = api_error(
        member
            .runtime()
            .teams()
            .join()
            .body(types::JoinTeamRequest::builder().code(invitation.code.as_str()))
            .send()
            .await,
    );
    assert_eq!(status, 409, "already a member");
    let members: Vec<String> = member
        .runtime()
        .team(&team.id)
        .members()
        .list()
        .stream()
        .map(|m| m.unwrap().user)
        .collect()
        .await;
    assert_eq!(members, ["usr_000001", "usr_000002"]);
    let teams = member
        .runtime()
        .teams()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(
        (teams.total, teams.data[0].role),
        (1, Some(types::TeamRole::Admin))
    );

    // Tasks (the API has no operation creating them): most recently updated first, offset pages.
    for i in 0..7 {
        running
            .emulator
            .add_task(&team.id, &format!("task {i}"))
            .unwrap();
    }
    let titles: Vec<String> = member
        .runtime()
        .team(&team.id)
        .tasks()
        .list()
        .limit(3u64)
        .stream()
        .map(|t| t.unwrap().title)
        .collect()
        .await;
    let expected: Vec<String> = (0..7).rev().map(|i| format!("task {i}")).collect();
    assert_eq!(titles, expected);
    let page = member
        .runtime()
        .team(&team.id)
        .tasks()
        .list()
        .limit(3u64)
        .offset(6u64)
        .send()
        .await
        .unwrap();
    assert_eq!((page.total, page.offset, page.data.len()), (7, 6, 1));

    let mut fields = serde_json::Map::new();
    fields.insert("stage".into(), json!("beta"));
    let object = running
        .emulator
        .add_object(&team.id, "launch", fields)
        .unwrap();
    let objects = owner
        .runtime()
        .team(&team.id)
        .objects()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!(
        objects
            .data
            .iter()
            .map(|o| o.id.as_str())
            .collect::<Vec<_>>(),
        [object.id.as_str()]
    );

    // Profile, time zone and a replaced team read back.
    let updated = member
        .runtime()
        .user(&grace.user.id)
        .update_profile()
        .body(types::UpdateProfileRequest::builder().name("Grace Hopper"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Grace Hopper"));
    member
        .runtime()
        .user(&grace.user.id)
        .update_timezone()
        .body(types::UpdateTimezoneRequest::builder().timezone("Europe/London"))
        .send()
        .await
        .unwrap();
    let read = owner
        .runtime()
        .user(&grace.user.id)
        .get()
        .send()
        .await
        .unwrap();
    assert_eq!(
        (read.name.as_deref(), read.timezone.as_str()),
        (Some("Grace Hopper"), "Europe/London")
    );
    let (status, _, _) = api_error(
        owner
            .runtime()
            .user(&grace.user.id)
            .update_timezone()
            .body(types::UpdateTimezoneRequest::builder().timezone("UTC"))
            .send()
            .await,
    );
    assert_eq!(status, 403, "someone else's account");
    let replaced = member
        .runtime()
        .team(&team.id)
        .update()
        .body(
            types::ReplaceTeamRequest::builder()
                .name("Launch crew 2")
                .slug("launch"),
        )
        .send()
        .await
        .unwrap();
    let read = owner
        .runtime()
        .team(&team.id)
        .get()
        .send()
        .await
        .unwrap();
    assert_eq!(
        (read.name.as_str(), read.slug.as_deref(), read.member_count),
        ("Launch crew 2", Some("launch"), 2)
    );
    assert_eq!(replaced.name, read.name);
}

#[tokio::test]
async fn user_threads_agents_and_concurrent_posts() {
    let running = start(Config::default()).await;
    let api = public_client(&running);
    let ada = register_and_login(&api, "ada@example.com").await;
    let user = ada.user.id.as_str();

    let agent = api
        .runtime()
        .agents()
        .create()
        .body(
            types::CreateAgentRequest::builder()
                .name("Scout")
                .lookup_key("scout"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(agent.id, "agt_000001");
    let thread = api
        .runtime()
        .user(user)
        .threads()
        .create()
        .body(
            types::CreateThreadRequest::builder()
                .title("Notes")
                .key("notes")
                .agents(vec![agent.id.clone()]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(thread.agents, [agent.id.as_str()]);
    let (status, _, _) = api_error(
        api.runtime()
            .user(user)
            .threads()
            .create()
            .body(types::CreateThreadRequest::builder().key("notes"))
            .send()
            .await,
    );
    assert_eq!(status, 409, "thread keys are unique per owner");

    // A title longer than the spec allows is refused when the request is sent, naming the
    // field; nothing reaches the server.
    let threads = || {
        let list = api.runtime().user(user).threads().list();
        list.stream().map(|t| t.unwrap().id).collect::<Vec<_>>()
    };
    let threads_before = threads().await;
    let error = api
        .runtime()
        .user(user)
        .threads()
        .create()
        .body(types::CreateThreadRequest::builder().title("t".repeat(301)))
        .send()
        .await
        .unwrap_err();
    match error {
        Error::InvalidRequest(message) => assert_eq!(
            message,
            "body: error converting supplied value for title: longer than 300 characters"
        ),
        other => panic!("expected Error::InvalidRequest, got {other:?}"),
    }
    assert_eq!(threads().await, threads_before);

    // 50 concurrent posts: all land, none twice.
    let posts = (0..50).map(|i| {
        api.runtime()
            .user(user)
            .thread(&thread.id)
            .messages()
            .create()
            .body(message_body(&format!("concurrent {i}")))
            .send()
    });
    let posted: HashSet<String> = futures::future::join_all(posts)
        .await
        .into_iter()
        .map(|m| m.unwrap().id)
        .collect();
    assert_eq!(posted.len(), 50);
    let listed: Vec<String> = api
        .runtime()
        .user(user)
        .thread(&thread.id)
        .messages()
        .list()
        .stream()
        .map(|m| m.unwrap().id)
        .collect()
        .await;
    assert_eq!(listed.len(), 50);
    assert_eq!(listed.iter().cloned().collect::<HashSet<_>>(), posted);
    let mut sorted = listed.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(listed, sorted, "newest (largest id) first");

    // An idempotency key returns the original message.
    let body = || {
        types::CreateMessageRequest::builder()
            .content("once")
            .idempotency_key("k1")
    };
    let first = api
        .runtime()
        .user(user)
        .thread(&thread.id)
        .messages()
        .create()
        .body(body())
        .send()
        .await
        .unwrap();
    let again = api
        .runtime()
        .user(user)
        .thread(&thread.id)
        .messages()
        .create()
        .body(body())
        .send()
        .await
        .unwrap();
    assert_eq!(first.id, again.id);

    // Agents: update, read back, delete, 404.
    let updated = api
        .runtime()
        .agent(&agent.id)
        .update()
        .body(types::UpdateAgentRequest::builder().name("Scout 2"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.name, "Scout 2");
    let agents = api
        .runtime()
        .agents()
        .list()
        .send()
        .await
        .unwrap();
    assert_eq!((agents.total, agents.data[0].name.as_str()), (1, "Scout 2"));
    api.runtime()
        .agent(&agent.id)
        .delete()
        .send()
        .await
        .unwrap();
    let (status, _, _) = api_error(api.runtime().agent(&agent.id).get().send().await);
    assert_eq!(status, 404);

    // Threads: update, delete, 404.
    let archived = api
        .runtime()
        .user(user)
        .thread(&thread.id)
        .update()
        .body(types::UpdateThreadRequest::builder().archived(true))
        .send()
        .await
        .unwrap();
    assert!(archived.archived);
    let active = api
        .runtime()
        .user(user)
        .threads()
        .list()
        .send()
        .await
        .unwrap();
    assert!(active.data.is_empty());
    let archived_list = api
        .runtime()
        .user(user)
        .threads()
        .list()
        .archived(true)
        .send()
        .await
        .unwrap();
    assert_eq!(archived_list.data.len(), 1);
    api.runtime()
        .user(user)
        .thread(&thread.id)
        .delete()
        .send()
        .await
        .unwrap();
    let (status, _, _) = api_error(
        api.runtime()
            .user(user)
            .thread(&thread.id)
            .get()
            .send()
            .await,
    );
    assert_eq!(status, 404);
}

#[tokio::test]
async fn developer_apps_agents_routines_and_installations_read_back() {
    let running = start(Config::default()).await;
    let dev = secret_client(&running);

    let me = dev
        .developer()
        .me()
        .send()
        .await
        .unwrap();
    assert_eq!(me.id, archastro_emulator::DEVELOPER_USER_ID);
    assert_eq!(me.apps.len(), 1);

    let app = dev
        .developer()
        .apps()
        .create()
        .body(types::CreateAppRequest::builder().name("Launch Pad"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (app.id.as_str(), app.slug.as_str()),
        ("app_000002", "launch-pad")
    );
    let updated = dev
        .developer()
        .app(&app.id)
        .update()
        .body(types::UpdateAppRequest::builder().description("Rockets"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.description.as_deref(), Some("Rockets"));
    let apps: Vec<String> = dev
        .developer()
        .apps()
        .list()
        .stream()
        .map(|a| a.unwrap().id)
        .collect()
        .await;
    assert_eq!(apps, ["app_000001", "app_000002"]);

    let agent = dev
        .developer()
        .app(&app.id)
        .agents()
        .create()
        .body(types::CreateAgentRequest::builder().name("Pilot"))
        .send()
        .await
        .unwrap();
    assert_eq!(agent.app, app.id);
    let read = dev
        .developer()
        .app(&app.id)
        .agent(&agent.id)
        .get()
        .send()
        .await
        .unwrap();
    assert_eq!(read.name, "Pilot");

    let routine = dev
        .developer()
        .app(&app.id)
        .agent(&agent.id)
        .routines()
        .create()
        .body(types::CreateRoutineRequest::new("script", "Daily").schedule("0 9 * * *"))
        .send()
        .await
        .unwrap();
    assert_eq!(routine.status, types::RoutineStatus::Draft);
    let (status, code, _) = api_error(
        dev.developer()
            .app(&app.id)
            .routine(&routine.id)
            .activate()
            .send()
            .await,
    );
    assert_eq!(
        (status, code.as_str()),
        (409, "conflict"),
        "a script routine without a script"
    );
    dev.developer()
        .app(&app.id)
        .routine(&routine.id)
        .update()
        .body(types::UpdateRoutineRequest::builder().script("print('hi')"))
        .send()
        .await
        .unwrap();
    let active = dev
        .developer()
        .app(&app.id)
        .routine(&routine.id)
        .activate()
        .send()
        .await
        .unwrap();
    assert_eq!(active.status, types::RoutineStatus::Active);
    let paused = dev
        .developer()
        .app(&app.id)
        .routine(&routine.id)
        .pause()
        .send()
        .await
        .unwrap();
    assert_eq!(paused.status, types::RoutineStatus::Paused);
    let routines = dev
        .developer()
        .app(&app.id)
        .routines()
        .list()
        .status("paused")
        .send()
        .await
        .unwrap();
    assert_eq!(
        routines
            .data
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        [routine.id.as_str()]
    );

    let installation = dev
        .developer()
        .app(&app.id)
        .agent(&agent.id)
        .installations()
        .create()
        .body(types::CreateInstallationRequest::builder().kind("slack"))
        .send()
        .await
        .unwrap();
    assert_eq!(installation.state, types::InstallationState::Pending);
    let active = dev
        .developer()
        .app(&app.id)
        .installation(&installation.id)
        .activate()
        .send()
        .await
        .unwrap();
    assert_eq!(active.state, types::InstallationState::Active);

    // Deleting the agent takes its routines and installations along; deleting the app, the rest.
    dev.developer()
        .app(&app.id)
        .agent(&agent.id)
        .delete()
        .send()
        .await
        .unwrap();
    let (status, _, _) = api_error(
        dev.developer()
            .app(&app.id)
            .routine(&routine.id)
            .get()
            .send()
            .await,
    );
    assert_eq!(status, 404);
    let (status, _, _) = api_error(
        dev.developer()
            .app(&app.id)
            .installation(&installation.id)
            .get()
            .send()
            .await,
    );
    assert_eq!(status, 404);
    dev.developer()
        .app(&app.id)
        .delete()
        .send()
        .await
        .unwrap();
    let (status, _, _) = api_error(dev.developer().app(&app.id).get().send().await);
    assert_eq!(status, 404);
}
