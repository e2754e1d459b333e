//! Login, tokens, roles, rate limits, body limits and CORS.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::{assert_error, TestServer};
use crate::auth::{hash_secret, Auth};

fn locked() -> TestServer {
    TestServer::with_auth(Auth::with_passphrase(hash_secret("truck seven").unwrap()))
}

async fn login(t: &TestServer, user: Option<&str>, passphrase: &str) -> (StatusCode, Value) {
    let mut body = json!({ "passphrase": passphrase });
    if let Some(user) = user {
        body["user"] = json!(user);
    }
    t.post("/api/v1/login", body).await
}

#[tokio::test]
async fn off_loopback_every_route_needs_a_token() {
    let t = locked();
    let res = t.get("/api/v1/cameras").await;
    assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized", "");
    let bad = t
        .call_with(Method::GET, "/api/v1/cameras", None, Some("forged"))
        .await;
    assert_error(&bad, StatusCode::UNAUTHORIZED, "unauthorized", "");
    let (status, session) = login(&t, None, "truck seven").await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["role"], "admin");
    let token = session["token"].as_str().unwrap();
    let (status, cams) = t
        .call_with(Method::GET, "/api/v1/cameras", None, Some(token))
        .await;
    assert_eq!(
        (status, cams.as_array().map(Vec::len)),
        (StatusCode::OK, Some(6))
    );
}

#[tokio::test]
async fn roles_limit_what_users_may_do() {
    let t = locked();
    let admin = login(&t, None, "truck seven").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    for (name, role) in [("vera", "viewer"), ("otto", "operator")] {
        let user = json!({"name": name, "role": role, "passphrase": format!("{name}-passphrase")});
        let res = t
            .call_with(Method::POST, "/api/v1/users", Some(user), Some(&admin))
            .await;
        assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    }
    let viewer = login(&t, Some("vera"), "vera-passphrase").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let operator = login(&t, Some("otto"), "otto-passphrase").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let trim =
        json!({"trim": {"slope": [1.1, 1, 1], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1}});
    let res = t
        .call_with(
            Method::PATCH,
            "/api/v1/cameras/a/grade",
            Some(trim.clone()),
            Some(&viewer),
        )
        .await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden", "");
    let res = t
        .call_with(Method::GET, "/api/v1/cameras/a", None, Some(&viewer))
        .await;
    assert_eq!(res.0, StatusCode::OK);
    let res = t
        .call_with(
            Method::PATCH,
            "/api/v1/cameras/a/grade",
            Some(trim),
            Some(&operator),
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let res = t
        .call_with(Method::GET, "/api/v1/users", None, Some(&operator))
        .await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden", "");
    let res = t
        .call_with(
            Method::PUT,
            "/api/v1/devices/box-1/bypass",
            Some(json!({"bypass": "identity"})),
            Some(&operator),
        )
        .await;
    assert_error(&res, StatusCode::FORBIDDEN, "forbidden", "");
    // The event names the user who made the change.
    let (_, events) = t
        .call_with(Method::GET, "/api/v1/events", None, Some(&admin))
        .await;
    assert_eq!(events[0]["who"], "otto");
    // Stored secrets are argon2 hashes, never the passphrase.
    let users = t.state.with_reader(|s| s.users()).await.unwrap();
    assert!(users
        .iter()
        .all(|u| u.hash.starts_with("$argon2id$") && !u.hash.contains("passphrase")));
}

#[tokio::test]
async fn failed_logins_are_rate_limited() {
    let t = locked();
    for _ in 0..5 {
        let res = login(&t, None, "wrong").await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "bad_credentials", "");
    }
    // Even the right passphrase waits once the limit is hit.
    let res = login(&t, None, "truck seven").await;
    assert_error(&res, StatusCode::TOO_MANY_REQUESTS, "rate_limited", "");
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let t = TestServer::demo();
    let big = "x".repeat(super::super::JSON_LIMIT + 1);
    let req = Request::builder()
        .method(Method::PATCH)
        .uri("/api/v1/cameras/a")
        .header("content-type", "application/json")
        .body(Body::from(format!("{{\"label\":\"{big}\"}}")))
        .unwrap();
    let res = t.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn no_cors_headers_are_sent() {
    let t = TestServer::demo();
    let req = Request::builder()
        .method(Method::OPTIONS)
        .uri("/api/v1/cameras")
        .header("origin", "http://evil.example")
        .header("access-control-request-method", "PATCH")
        .body(Body::empty())
        .unwrap();
    let res = t.app.clone().oneshot(req).await.unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert_ne!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_websocket_takes_the_token_as_a_query_parameter() {
    let t = locked();
    let addr = t.listen().await;
    let url = format!("ws://{addr}/api/v1/ws");
    assert!(
        tokio_tungstenite::connect_async(url.clone()).await.is_err(),
        "no token, no socket"
    );
    let admin = login(&t, None, "truck seven").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let viewer = json!({"name": "vera", "role": "viewer", "passphrase": "vera-passphrase"});
    t.call_with(Method::POST, "/api/v1/users", Some(viewer), Some(&admin))
        .await;
    let token = login(&t, Some("vera"), "vera-passphrase").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("{url}?token={token}"))
        .await
        .unwrap();
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let text = |m: Option<Result<Message, _>>| match m {
        Some(Ok(Message::Text(t))) => serde_json::from_str::<Value>(&t).unwrap(),
        other => panic!("{other:?}"),
    };
    let hello = text(ws.next().await);
    assert_eq!(
        (hello["user"].clone(), hello["role"].clone()),
        (json!("vera"), json!("viewer"))
    );
    let trim = json!({"type": "trim", "seq": 3, "camera": "a", "field": "trim.sat", "value": 1.2});
    ws.send(Message::Text(trim.to_string().into()))
        .await
        .unwrap();
    let reply = text(ws.next().await);
    assert_eq!(
        (reply["seq"].clone(), reply["error"]["code"].clone()),
        (json!(3), json!("forbidden"))
    );
}

#[tokio::test]
async fn reads_take_the_token_in_the_url_and_changes_do_not() {
    let t = locked();
    let token = login(&t, None, "truck seven").await.1["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // A link or a picture cannot send a header: reads take `?token=`.
    let (status, cams) = t.get(&format!("/api/v1/cameras?token={token}")).await;
    assert_eq!(status, StatusCode::OK, "{cams}");
    let forged = t.get("/api/v1/cameras?token=forged").await;
    assert_error(&forged, StatusCode::UNAUTHORIZED, "unauthorized", "");
    // A change in the URL's token would ride on any link a page could be tricked into.
    let res = t
        .post(&format!("/api/v1/cameras/a/undo?token={token}"), json!({}))
        .await;
    assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized", "");
}

#[tokio::test]
async fn logging_out_ends_the_session_and_no_other() {
    let t = locked();
    let token = |answer: (StatusCode, Value)| answer.1["token"].as_str().unwrap().to_owned();
    let leaving = token(login(&t, None, "truck seven").await);
    let staying = token(login(&t, None, "truck seven").await);
    let res = t
        .call_with(
            Method::POST,
            "/api/v1/logout",
            Some(json!({})),
            Some(&leaving),
        )
        .await;
    assert_eq!(res.0, StatusCode::NO_CONTENT, "{}", res.1);
    for (method, path) in [
        (Method::GET, "/api/v1/session"),
        (Method::POST, "/api/v1/logout"),
    ] {
        let res = t.call_with(method, path, None, Some(&leaving)).await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized", "");
    }
    let read = t.get(&format!("/api/v1/cameras?token={leaving}")).await;
    assert_error(&read, StatusCode::UNAUTHORIZED, "unauthorized", "");
    let (status, session) = t
        .call_with(Method::GET, "/api/v1/session", None, Some(&staying))
        .await;
    assert_eq!(
        (status, session["role"].clone()),
        (StatusCode::OK, json!("admin"))
    );
}
