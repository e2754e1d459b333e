use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{assert_error, TestServer};

#[tokio::test]
async fn cameras_are_a_bare_array_with_url_safe_ids() {
    let t = TestServer::demo();
    let (status, body) = t.get("/api/v1/cameras").await;
    assert_eq!(status, StatusCode::OK);
    let cameras = body.as_array().unwrap();
    assert_eq!(cameras.len(), 6);
    let spaces: Vec<&str> = cameras
        .iter()
        .map(|c| c["input_space"].as_str().unwrap())
        .collect();
    assert_eq!(spaces[1], "arri-logc4-awg4");
    for c in cameras {
        let id = c["id"].as_str().unwrap();
        assert!(crate::show::is_valid_id(id), "{id}");
        let (status, one) = t.get(&format!("/api/v1/cameras/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(&one, c);
    }
}

#[tokio::test]
async fn devices_start_as_an_empty_array_and_follow_the_registry() {
    let t = TestServer::demo();
    assert_eq!(t.get("/api/v1/devices").await, (StatusCode::OK, json!([])));
    t.state
        .devices
        .set(vec![crate::device_registry::DeviceInfo {
            id: "box-1".into(),
            kind: "lutbox".into(),
            state: crate::device_registry::DeviceState::Connecting,
            ..Default::default()
        }]);
    let (_, body) = t.get("/api/v1/devices").await;
    assert_eq!(
        body,
        json!([{ "id": "box-1", "kind": "lutbox", "state": "connecting",
            "on_air": false, "protection": "clear", "calibrated": false }])
    );
}

#[tokio::test]
async fn a_grade_change_is_stored_and_undone() {
    let t = TestServer::demo();
    let (status, grade) = t.patch("/api/v1/cameras/a/grade", json!({ "trim": {
        "slope": [1.2, 1.0, 0.9], "offset": [0.01, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.1 } })).await;
    assert_eq!(status, StatusCode::OK, "{grade}");
    assert_eq!(grade["trim"]["slope"], json!([1.2, 1.0, 0.9]));
    let kinds: Vec<&str> = grade["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["role"].as_str().or(n["look"].as_str()).unwrap())
        .collect();
    assert_eq!(kinds, ["match", "trim", "warm-contrast"]);
    let (status, done) = t.post("/api/v1/cameras/a/undo", json!({})).await;
    assert_eq!(
        (status, done["version"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    let (_, cam) = t.get("/api/v1/cameras/a").await;
    assert_eq!(cam["grade"]["trim"]["slope"], json!([1.0, 1.0, 1.0]));
    let (_, events) = t.get("/api/v1/events?since=0").await;
    let actions: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["grade.set", "undo"]);
    assert_eq!(events[0]["who"], "local");
    assert!(events[0]["timecode"].as_str().unwrap().len() == 11);
}

#[tokio::test]
async fn bad_bodies_are_refused_with_a_path_and_change_nothing() {
    let t = TestServer::demo();
    let (_, before) = t.get("/api/v1/cameras/a").await;
    let unknown = t
        .patch("/api/v1/cameras/a/grade", json!({ "trimm": {} }))
        .await;
    assert_error(&unknown, StatusCode::BAD_REQUEST, "invalid_body", "/trimm");
    let wrong_type = t
        .patch(
            "/api/v1/cameras/a/grade",
            json!({ "trim": {
        "slope": [1.0, "x", 1.0], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1 } }),
        )
        .await;
    assert_error(
        &wrong_type,
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "/trim/slope/1",
    );
    let range = t
        .patch(
            "/api/v1/cameras/a/grade",
            json!({ "trim": {
        "slope": [1.0, 1.0, 1.0], "offset": [0, 0, 0], "power": [1, 0, 1], "sat": 1 } }),
        )
        .await;
    assert_error(
        &range,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/grade/trim/power/1",
    );
    let look = t
        .patch("/api/v1/cameras/a/grade", json!({ "look": "nope" }))
        .await;
    assert_error(
        &look,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/grade/look",
    );
    let missing = t.patch("/api/v1/cameras/zz/grade", json!({})).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "not_found", "/cameras/zz");
    let not_json = t.app.clone();
    let req = axum::http::Request::builder()
        .method(Method::PATCH)
        .uri("/api/v1/cameras/a/grade")
        .header("content-type", "text/plain")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let res = tower::ServiceExt::oneshot(not_json, req).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(t.get("/api/v1/cameras/a").await.1, before);
    assert_eq!(t.get("/api/v1/show").await.1["version"], 0);
}

#[tokio::test]
async fn with_power_durability_an_answered_trim_is_stored_and_back_after_a_restart() {
    let t = TestServer::with_durability(crate::store::Durability::Power);
    let trim = json!({ "trim": {
        "slope": [1.2, 1.0, 0.9], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0 } });
    let (status, grade) = t.patch("/api/v1/cameras/a/grade", trim).await;
    assert_eq!(status, StatusCode::OK, "{grade}");
    let (_, events) = t.get("/api/v1/events?since=0").await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
    let dir = t.into_store();

    let store = crate::store::SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let show = crate::show::ShowHandle::start(Box::new(store), crate::show::demo::demo_show);
    let view = show.unwrap().view();
    assert_eq!(view.version, 1);
    let slope = view.show.cameras["a"].grade.trim.slope;
    assert_eq!(slope, [1.2, 1.0, 0.9]);
}
