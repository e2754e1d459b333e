//! Recorders per camera and the timecode source (show-wide and per camera): set over the
//! API, refused with a pointer when wrong, kept by export/import and the store, and read
//! from shows and stores written before these fields existed.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{assert_error, TestServer};

fn external(name: &str) -> Value {
    json!({ "kind": "external", "name": name, "codec": "ProRes 4444 XQ", "label": "SDI 2" })
}

fn internal() -> Value {
    json!({ "kind": "internal", "codec": "ARRIRAW", "label": "Codex Compact Drive 1TB" })
}

#[tokio::test]
async fn recorders_and_timecode_sources_round_trip_through_the_api() {
    let t = TestServer::demo();
    let ltc = json!({ "mode": "ltc", "master": "Tentacle Sync E", "genlock": "SPG tri-level" });
    let body = json!({ "recorders": [internal(), external("Atomos Shogun")],
        "timecode_source": ltc });
    let (status, camera) = t.patch("/api/v1/cameras/b", body).await;
    assert_eq!(status, StatusCode::OK, "{camera}");
    // Absent optional text comes back empty; what was sent comes back as sent.
    let mut internal_back = internal();
    internal_back["name"] = json!("");
    assert_eq!(
        camera["recorders"],
        json!([internal_back, external("Atomos Shogun")])
    );
    assert_eq!(
        camera["timecode_source"],
        json!({ "mode": "ltc", "master": "Tentacle Sync E", "genlock": "SPG tri-level",
            "label": "" })
    );
    assert_eq!(t.get("/api/v1/cameras/b").await.1, camera);
    // A camera created with them.
    let new = json!({ "id": "g", "label": "CAM G", "input_space": "arri-logc4-awg4",
        "recorders": [external("Blackmagic Video Assist")] });
    let (status, created) = t.post("/api/v1/cameras", new).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["recorders"][0]["name"], "Blackmagic Video Assist");
    assert_eq!(created["timecode_source"], Value::Null);
    // null goes back to the show's source; the recorders stay.
    let (_, cleared) = t
        .patch("/api/v1/cameras/b", json!({ "timecode_source": null }))
        .await;
    assert_eq!(cleared["timecode_source"], Value::Null);
    assert_eq!(cleared["recorders"], camera["recorders"]);
    // The show's own source, in GET /show, undone like any show change.
    let (_, before) = t.get("/api/v1/show").await;
    assert_eq!(before["timecode_source"]["mode"], "jam-sync");
    let free = json!({ "mode": "free-run", "label": "time of day" });
    let (status, summary) = t
        .patch("/api/v1/show", json!({ "timecode_source": free }))
        .await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["timecode_source"]["mode"], "free-run");
    assert_eq!(summary["timecode_source"]["master"], "");
    assert_eq!(
        t.get("/api/v1/show").await.1["timecode_source"],
        summary["timecode_source"]
    );
    assert_eq!(
        t.post("/api/v1/show/undo", json!({})).await.0,
        StatusCode::OK
    );
    let (_, undone) = t.get("/api/v1/show").await;
    assert_eq!(undone["timecode_source"], before["timecode_source"]);
}

#[tokio::test]
async fn bad_recorders_and_timecode_sources_are_refused_with_their_pointer() {
    let t = TestServer::demo();
    let (_, camera_before) = t.get("/api/v1/cameras/a").await;
    let (_, show_before) = t.get("/api/v1/show").await;
    let unnamed = json!({ "recorders": [internal(), { "kind": "external", "codec": "ProRes" }] });
    assert_error(
        &t.patch("/api/v1/cameras/a", unnamed).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/recorders/1/name",
    );
    let no_codec = json!({ "recorders": [{ "kind": "internal", "codec": " " }] });
    assert_error(
        &t.patch("/api/v1/cameras/a", no_codec).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/recorders/0/codec",
    );
    let control = json!({ "recorders": [{ "kind": "internal", "codec": "X-OCN\nST" }] });
    let res = t.patch("/api/v1/cameras/a", control).await;
    assert_error(
        &res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/recorders/0/codec",
    );
    assert!(res.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("control character"));
    let long =
        json!({ "recorders": [{ "kind": "internal", "codec": "c", "label": "x".repeat(201) }] });
    assert_error(
        &t.patch("/api/v1/cameras/a", long).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/recorders/0/label",
    );
    let nine = json!({ "recorders": vec![internal(); 9] });
    assert_error(
        &t.patch("/api/v1/cameras/a", nine).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/recorders",
    );
    let kind = json!({ "recorders": [{ "kind": "cloud", "codec": "H.264" }] });
    assert_error(
        &t.patch("/api/v1/cameras/a", kind).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "/recorders/0/kind",
    );
    let jam = json!({ "timecode_source": { "mode": "jam-sync" } });
    assert_error(
        &t.patch("/api/v1/cameras/a", jam).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/a/timecode_source/master",
    );
    let ltc =
        json!({ "timecode_source": { "mode": "ltc", "genlock": "ref\u{7}" , "master": "m" } });
    assert_error(
        &t.patch("/api/v1/show", ltc).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/timecode_source/genlock",
    );
    let no_master = json!({ "timecode_source": { "mode": "ltc" } });
    assert_error(
        &t.patch("/api/v1/show", no_master).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/timecode_source/master",
    );
    let gps = json!({ "timecode_source": { "mode": "gps" } });
    assert_error(
        &t.patch("/api/v1/show", gps).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "/timecode_source/mode",
    );
    let unknown = json!({ "timecode_source": { "mode": "ltc", "master": "m", "fps": 25 } });
    assert_error(
        &t.patch("/api/v1/show", unknown).await,
        StatusCode::BAD_REQUEST,
        "invalid_body",
        "/timecode_source/fps",
    );
    let bad_new = json!({ "id": "g", "label": "G", "input_space": "arri-logc4-awg4",
        "recorders": [{ "kind": "external", "codec": "ProRes" }] });
    assert_error(
        &t.post("/api/v1/cameras", bad_new).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/g/recorders/0/name",
    );
    // Nothing changed.
    assert_eq!(t.get("/api/v1/cameras/a").await.1, camera_before);
    let (_, show_after) = t.get("/api/v1/show").await;
    assert_eq!(
        show_after["timecode_source"],
        show_before["timecode_source"]
    );
    assert_eq!(show_after["version"], 0);
}

/// `export` without the fields this session added, as older builds wrote it.
fn strip_recording(export: &mut Value) {
    let show = export["show"].as_object_mut().unwrap();
    show.remove("timecode_source");
    for camera in show["cameras"].as_object_mut().unwrap().values_mut() {
        let camera = camera.as_object_mut().unwrap();
        camera.remove("recorders");
        camera.remove("timecode_source");
    }
}

#[tokio::test]
async fn export_then_import_keeps_recorders_and_timecode_sources_and_older_files_load() {
    let t = TestServer::demo();
    let body = json!({ "recorders": [external("Atomos Ninja")],
        "timecode_source": { "mode": "free-run", "label": "drone" } });
    assert_eq!(t.patch("/api/v1/cameras/c", body).await.0, StatusCode::OK);
    let (_, export) = t.get("/api/v1/export").await;
    assert_eq!(
        export["show"]["cameras"]["c"]["recorders"][0]["name"],
        "Atomos Ninja"
    );
    assert_eq!(export["show"]["timecode_source"]["mode"], "jam-sync");
    let mut old = export.clone();
    strip_recording(&mut old);
    // An older file loads: no recorders, no timecode source.
    let other = TestServer::demo();
    let res = other.post("/api/v1/import", old).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let (_, imported) = other.get("/api/v1/export").await;
    assert_eq!(imported["show"]["timecode_source"], Value::Null);
    assert_eq!(imported["show"]["cameras"]["f"]["recorders"], json!([]));
    // The new file brings them all back.
    let res = other.post("/api/v1/import", export.clone()).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let (_, again) = other.get("/api/v1/export").await;
    assert_eq!(again["show"], export["show"]);
    assert_eq!(
        again["show"]["cameras"]["c"]["timecode_source"]["label"],
        "drone"
    );
    // A broken recorder in an import file is refused at its pointer.
    let mut broken = export.clone();
    broken["show"]["cameras"]["c"]["recorders"][0]["name"] = json!("");
    assert_error(
        &other.post("/api/v1/import", broken).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/c/recorders/0/name",
    );
}

#[tokio::test]
async fn a_store_written_before_recorders_existed_loads_and_keeps_new_ones() {
    use crate::show::{Action, Event, Patch, ShowHandle};
    use crate::store::{SqliteStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("show.sqlite");
    let demo = crate::show::demo::demo_show();
    let mut old = json!({ "format": "", "show": demo });
    strip_recording(&mut old);
    let old_show: crate::show::Show = serde_json::from_value(old["show"].clone()).unwrap();
    let mut store = SqliteStore::open(&path).unwrap();
    store.init(&old_show).unwrap();
    // A camera created by an older build: its JSON has neither field.
    let mut camera = old["show"]["cameras"]["a"].clone();
    camera["id"] = json!("h");
    let event = Event {
        version: 1,
        who: "old".into(),
        wall_ms: 0,
        timecode: "01:00:00:00".into(),
        action: "camera.create".into(),
        cameras: vec!["h".into()],
        patches: vec![Patch::Add {
            path: "/cameras/h".into(),
            value: camera,
        }],
        history: None,
        fade_frames: None,
    };
    store.append(&[event]).unwrap();
    drop(store);
    let open = || Box::new(SqliteStore::open(&path).unwrap());
    let show = ShowHandle::start(open(), crate::show::demo::demo_show).unwrap();
    let view = show.view();
    assert_eq!(view.version, 1);
    assert!(view.show.timecode_source.is_none());
    assert!(view.show.cameras["h"].recorders.is_empty());
    let update = serde_json::from_value(json!({ "recorders": [internal()] })).unwrap();
    let action = Action::UpdateCamera {
        id: "h".into(),
        update,
    };
    show.apply("test", action, None).await.unwrap();
    drop(show);
    let reopened = ShowHandle::start(open(), crate::show::demo::demo_show).unwrap();
    let recorders = &reopened.view().show.cameras["h"].recorders;
    assert_eq!(recorders.len(), 1);
    assert_eq!(recorders[0].codec, "ARRIRAW");
}
