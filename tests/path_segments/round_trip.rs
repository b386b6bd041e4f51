//! The round trip of array and object path parameters, built by `tests/regen.rs`
//! (`array_and_object_path_parameters_make_the_round_trip`) against the crates generated from
//! `tests/fixtures/normalize/path-params-array-object.3.0.json`: the generated client writes
//! each value as `style: simple` says, the generated server reads it back into its typed path
//! struct, and answers with the path as it arrived and what it read. A segment that does not
//! read answers 400 in the JSON error envelope.

use std::fmt::Debug;
use std::sync::Arc;

use archastro_client::{ArchAstro, types};
use archastro_server::runtime::{self, *};
use archastro_server::{ApiError, Authenticator, RequestContext, ServerConfig};

/// Answers every operation with what it read.
struct Echoing;

struct Open;

impl Authenticator for Open {}

fn echo(ctx: &RequestContext, read: &impl Debug) -> types::Echo {
    types::Echo {
        path: ctx.uri.path().to_owned(),
        read: format!("{read:?}"),
    }
}

impl RuntimeApi for Echoing {
    async fn list_agent_tools(
        &self,
        ctx: &RequestContext,
        request: ListAgentToolsRequest,
    ) -> Result<ListAgentToolsResponse, ApiError> {
        Ok(ListAgentToolsResponse::Ok(echo(ctx, &request.path)))
    }

    async fn get_point(
        &self,
        ctx: &RequestContext,
        request: GetPointRequest,
    ) -> Result<GetPointResponse, ApiError> {
        Ok(GetPointResponse::Ok(echo(ctx, &request.path)))
    }

    async fn delete_point(
        &self,
        ctx: &RequestContext,
        request: DeletePointRequest,
    ) -> Result<DeletePointResponse, ApiError> {
        Ok(DeletePointResponse::Ok(echo(ctx, &request.path)))
    }

    async fn get_shape(
        &self,
        ctx: &RequestContext,
        request: GetShapeRequest,
    ) -> Result<GetShapeResponse, ApiError> {
        Ok(GetShapeResponse::Ok(echo(ctx, &request.path)))
    }
}

/// Checks the path that arrived and what the server read.
fn check(echo: types::Echo, path: &str, read: &str) {
    assert_eq!(echo.path, path, "the path on the wire");
    assert_eq!(echo.read, read, "what the server read");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = runtime::router(Arc::new(Echoing), Arc::new(Open), ServerConfig::default());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let api = ArchAstro::builder().base_url(&base).build().unwrap();

    // An array of strings, given as a `Vec<String>`: the items joined by `,`, each
    // percent-encoded by the client and decoded by the server.
    let agents = vec!["agi_1".to_owned(), "a b".into(), "ä/%".into(), "x=y".into()];
    let echo = api.runtime().agents().tools(agents).list().send().await;
    check(
        echo.unwrap(),
        "/api/agents/agi_1,a%20b,%C3%A4%2F%25,x=y/tools",
        r#"ListAgentToolsPath { agent: ["agi_1", "a b", "ä/%", "x=y"] }"#,
    );

    // Integers; an object as key,value pairs (an absent optional property left out); an
    // exploded object as key=value pairs, an enum by its wire name.
    let echo = api
        .runtime()
        .point(
            vec![1, -20],
            types::Point { x: None, y: -2.5 },
            types::GetPointExploded {
                kind: Some(types::Kind::Square),
                label: Some("a b".into()),
                x: 3,
            },
        )
        .get()
        .send()
        .await;
    check(
        echo.unwrap(),
        "/api/points/1,-20/y,-2.5/kind=square,label=a%20b,x=3",
        r#"GetPointPath { ids: [1, -20], point: Point { x: None, y: -2.5 }, exploded: GetPointExploded { kind: Some("square"), label: Some("a b"), x: 3 } }"#,
    );

    // The same object exploded elsewhere: its own type, written key=value.
    let point = types::DeletePointParam { x: Some(0.5), y: 4.0 };
    assert_eq!(point.to_string(), "x=0.5,y=4.0");
    let echo = api.runtime().point_entry(point).delete().send().await;
    check(
        echo.unwrap(),
        "/api/points/x=0.5,y=4.0",
        "DeletePointPath { point: DeletePointParam { x: Some(0.5), y: 4.0 } }",
    );

    // Shapes `style: simple` cannot write are strings the caller writes.
    let echo = api
        .runtime()
        .shape("a,b", "k,v", "n")
        .get()
        .send()
        .await;
    check(
        echo.unwrap(),
        "/api/shapes/a,b/k,v/n",
        r#"GetShapePath { nested: "a,b", tags: "k,v", name: "n" }"#,
    );

    // Segments that do not read: 400 in the JSON error envelope.
    let http = reqwest::Client::new();
    for (path, wrong) in [
        ("/api/points/1,x/y,1/x=1", "`x`"),
        ("/api/points/1/x,1/x=1", "missing field `y`"),
        ("/api/points/1/y,1/x", "expected `key=value`"),
        ("/api/points/1/y/x=1", "has no value"),
    ] {
        let response = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("invalid path parameter") && message.contains(wrong),
            "{path}: {body}"
        );
        assert_eq!(body["error"]["details"]["location"], "path", "{path}: {body}");
    }
    println!("round trip ok");
}
