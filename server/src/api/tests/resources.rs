//! Looks, outputs, groups, snapshots, scenes, files, show undo, export/import, restart.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, TestServer};

fn cdl(slope: f64) -> Value {
    json!({"slope": [slope, 1.0, 1.0], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0})
}

#[tokio::test]
async fn a_look_in_use_cannot_be_deleted() {
    let t = TestServer::demo();
    let new = json!({"id": "night", "name": "Night", "cdl": cdl(0.8), "lut": null});
    assert_eq!(
        t.post("/api/v1/looks", new.clone()).await.0,
        StatusCode::CREATED
    );
    assert_error(
        &t.post("/api/v1/looks", new).await,
        StatusCode::CONFLICT,
        "exists",
        "/looks/night",
    );
    let res = t
        .call(
            axum::http::Method::DELETE,
            "/api/v1/looks/warm-contrast",
            None,
        )
        .await;
    assert_error(&res, StatusCode::CONFLICT, "in_use", "/looks/warm-contrast");
    assert_eq!(
        t.call(axum::http::Method::DELETE, "/api/v1/looks/night", None)
            .await
            .0,
        StatusCode::OK
    );
    let bad_id = json!({"id": "Bad Id", "name": "x", "cdl": null, "lut": null});
    assert_error(
        &t.post("/api/v1/looks", bad_id).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/looks/Bad Id/id",
    );
}

#[tokio::test]
async fn outputs_and_cameras_check_engine_ids() {
    let t = TestServer::demo();
    let out = json!({"id": "hlg", "name": "HLG", "display": "no-such-output", "lut": null, "range": "legal", "bypass": "none"});
    let res = t.post("/api/v1/outputs", out).await;
    assert_error(
        &res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/outputs/hlg/display",
    );
    let cam = json!({"id": "g", "label": "CAM G", "input_space": "sony-slog9"});
    let res = t.post("/api/v1/cameras", cam).await;
    assert_error(
        &res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/g/input_space",
    );
    let cam =
        json!({"id": "g", "label": "CAM G", "input_space": "arri-logc4-awg4", "outputs": ["sdr"]});
    let (status, body) = t.post("/api/v1/cameras", cam).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["working_space"], "acescct");
    let res = t
        .patch("/api/v1/outputs/sdr", json!({"bypass": "display-only"}))
        .await;
    assert_eq!(res.1["bypass"], "display-only");
}

#[tokio::test]
async fn a_group_trim_moves_every_camera_by_the_same_offset() {
    let t = TestServer::demo();
    t.patch("/api/v1/cameras/b/grade", json!({"trim": cdl(1.2)}))
        .await;
    let res = t
        .post(
            "/api/v1/groups/wides/trim",
            json!({"field": "trim.slope.r", "delta": 0.1}),
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let slope = |c: Value| c["grade"]["trim"]["slope"][0].as_f64().unwrap();
    assert!((slope(t.get("/api/v1/cameras/a").await.1) - 1.1).abs() < 1e-12);
    assert!((slope(t.get("/api/v1/cameras/b").await.1) - 1.3).abs() < 1e-12);
    assert_eq!(slope(t.get("/api/v1/cameras/c").await.1), 1.0);
    // One event, undone as one.
    t.post("/api/v1/show/undo", json!({})).await;
    assert!((slope(t.get("/api/v1/cameras/b").await.1) - 1.2).abs() < 1e-12);
    assert_eq!(slope(t.get("/api/v1/cameras/a").await.1), 1.0);
}

#[tokio::test]
async fn snapshots_scenes_copy_and_reset() {
    let t = TestServer::demo();
    t.patch(
        "/api/v1/cameras/a/grade",
        json!({"trim": cdl(1.5), "match": cdl(0.9)}),
    )
    .await;
    let (status, snap) = t
        .post(
            "/api/v1/cameras/a/snapshots",
            json!({"id": "s1", "name": "Before lunch"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{snap}");
    assert_eq!(snap["grade"]["trim"]["slope"][0], 1.5);
    assert_eq!(snap["timecode"].as_str().unwrap().len(), 11);
    let (status, _) = t
        .post(
            "/api/v1/scenes",
            json!({"id": "day", "name": "Day", "fade_frames": 25}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    t.post("/api/v1/cameras/a/copy-grade", json!({"to": ["b", "c"]}))
        .await;
    let (_, b) = t.get("/api/v1/cameras/b").await;
    assert_eq!(b["grade"]["trim"]["slope"][0], 1.5);
    assert_eq!(
        b["grade"]["match"]["slope"][0], 1.0,
        "the match stays per camera"
    );
    t.post("/api/v1/cameras/a/reset", json!({})).await;
    let (_, a) = t.get("/api/v1/cameras/a").await;
    assert_eq!(
        (
            a["grade"]["trim"]["slope"][0].clone(),
            a["grade"]["match"]["slope"][0].clone()
        ),
        (json!(1.0), json!(0.9))
    );
    assert_eq!(a["grade"]["look"], "warm-contrast");
    t.post("/api/v1/snapshots/s1/recall", json!({})).await;
    assert_eq!(
        t.get("/api/v1/cameras/a").await.1["grade"]["trim"]["slope"][0],
        1.5
    );
    t.post("/api/v1/scenes/day/recall", json!({})).await;
    assert_eq!(
        t.get("/api/v1/cameras/b").await.1["grade"]["trim"]["slope"][0],
        1.0
    );
    let res = t
        .call(axum::http::Method::DELETE, "/api/v1/cameras/a", None)
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    assert_eq!(t.get("/api/v1/groups").await.1[0]["cameras"], json!(["b"]));
    assert!(t.get("/api/v1/scenes").await.1[0]["grades"]
        .get("a")
        .is_none());
    // Undo brings the camera back with its snapshot and its place in the group.
    t.post("/api/v1/show/undo", json!({})).await;
    assert_eq!(
        t.get("/api/v1/cameras/a/snapshots")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        t.get("/api/v1/groups").await.1[0]["cameras"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn camera_undo_reverts_only_that_camera_and_redo_restores() {
    let t = TestServer::demo();
    t.patch("/api/v1/cameras/a/grade", json!({"trim": cdl(1.1)}))
        .await;
    t.patch("/api/v1/cameras/b/grade", json!({"trim": cdl(1.2)}))
        .await;
    t.post("/api/v1/cameras/a/undo", json!({})).await;
    let slope = |c: Value| c["grade"]["trim"]["slope"][0].clone();
    assert_eq!(slope(t.get("/api/v1/cameras/a").await.1), 1.0);
    assert_eq!(slope(t.get("/api/v1/cameras/b").await.1), 1.2);
    t.post("/api/v1/cameras/a/redo", json!({})).await;
    assert_eq!(slope(t.get("/api/v1/cameras/a").await.1), 1.1);
    let res = t.post("/api/v1/cameras/a/redo", json!({})).await;
    assert_error(&res, StatusCode::CONFLICT, "nothing_to_undo", "");
}

#[tokio::test]
async fn files_keep_their_bytes_and_checksums() {
    let t = TestServer::demo();
    let body = b"LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n".to_vec();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/files?name=show.cube")
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(body.clone()))
        .unwrap();
    let res = tower::ServiceExt::oneshot(t.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let file: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        file["xxh3"],
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&body))
    );
    assert_eq!(
        file["xxh64"],
        format!("{:016x}", xxhash_rust::xxh64::xxh64(&body, 0))
    );
    assert_eq!(file["size"], body.len());
    let id = file["id"].as_str().unwrap();
    let look = json!({"id": "lut-look", "name": "LUT look", "cdl": null, "lut": id});
    assert_eq!(t.post("/api/v1/looks", look).await.0, StatusCode::CREATED);
    let req = axum::http::Request::builder()
        .uri(format!("/api/v1/files/{id}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(t.app.clone(), req)
        .await
        .unwrap();
    assert_eq!(res.headers()["x-xxh3"], file["xxh3"].as_str().unwrap());
    let got = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(got.to_vec(), body);
    let res = t
        .call(
            axum::http::Method::DELETE,
            &format!("/api/v1/files/{id}"),
            None,
        )
        .await;
    assert_error(
        &res,
        StatusCode::CONFLICT,
        "in_use",
        &format!("/files/{id}"),
    );
}

#[tokio::test]
async fn export_then_import_restores_the_show() {
    let t = TestServer::demo();
    let (_, export) = t.get("/api/v1/export").await;
    assert_eq!(
        (export["format"].clone(), export["format_version"].clone()),
        (json!("lookwire.show"), json!(1))
    );
    t.patch("/api/v1/cameras/a/grade", json!({"trim": cdl(1.7)}))
        .await;
    t.call(axum::http::Method::DELETE, "/api/v1/groups/wides", None)
        .await;
    let mut wrong = export.clone();
    wrong["format_version"] = json!(2);
    assert_error(
        &t.post("/api/v1/import", wrong).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unsupported_version",
        "/format_version",
    );
    let mut broken = export.clone();
    broken["show"]["cameras"]["a"]["grade"]["look"] = json!("missing");
    assert_error(
        &t.post("/api/v1/import", broken).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/grade/look",
    );
    let res = t.post("/api/v1/import", export.clone()).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let (_, again) = t.get("/api/v1/export").await;
    assert_eq!(again["show"], export["show"]);
}

#[tokio::test]
async fn a_restart_rebuilds_state_and_history_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("show.sqlite");
    let open = || Box::new(crate::store::SqliteStore::open(&path).unwrap());
    let first = crate::show::ShowHandle::start(open(), crate::show::demo::demo_show).unwrap();
    let set = |s: f64| crate::show::Action::Trim {
        camera: "e".into(),
        field: crate::show::GradeField::parse("trim.sat").unwrap(),
        value: json!(s),
    };
    first.apply("vc", set(1.3), None).await.unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    first.apply("vc", set(1.6), None).await.unwrap();
    let before = first.view();
    drop(first);
    let second =
        crate::show::ShowHandle::start(open(), || panic!("the store holds a show")).unwrap();
    assert_eq!(second.view().show, before.show);
    assert_eq!(second.view().version, 2);
    let scope = crate::show::Scope::Camera("e".into());
    second
        .apply("vc", crate::show::Action::Undo(scope), None)
        .await
        .unwrap();
    assert_eq!(second.view().show.cameras["e"].grade.trim.sat, 1.3);
}

#[tokio::test]
async fn a_scene_fade_longer_than_600_frames_is_refused_where_it_is() {
    let t = TestServer::demo();
    let long = json!({"id": "long", "name": "Long", "fade_frames": 601});
    assert_error(
        &t.post("/api/v1/scenes", long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/fade_frames",
    );
    let most = json!({"id": "long", "name": "Long", "fade_frames": 600});
    assert_eq!(t.post("/api/v1/scenes", most).await.0, StatusCode::CREATED);
    // An imported show is held to the same cap, with the scene's own pointer.
    let (_, mut export) = t.get("/api/v1/export").await;
    export["show"]["scenes"]["long"]["fade_frames"] = json!(601);
    assert_error(
        &t.post("/api/v1/import", export).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/scenes/long/fade_frames",
    );
    let (_, scenes) = t.get("/api/v1/scenes").await;
    assert_eq!(scenes[0]["fade_frames"], 600, "nothing changed");
}
