use axum::http::StatusCode;
use serde_json::json;

use super::{assert_error, Server};
use crate::image::{self, Image, Samples};

fn cdl_of(v: &serde_json::Value) -> Vec<f64> {
    ["slope", "offset", "power"]
        .iter()
        .flat_map(|k| v[k].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
        .chain([v["sat"].as_f64().unwrap()])
        .collect()
}

#[tokio::test]
async fn a_match_is_solved_applied_and_undone() {
    let s = Server::demo();
    let r = s
        .post("/api/v1/cameras/c/match", json!({"reference": "b"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let m = r.json();
    let (before, after) = (
        m["before"]["mean"].as_f64().unwrap(),
        m["after"]["mean"].as_f64().unwrap(),
    );
    assert!(after <= 0.5 * before, "ΔE {before} → {after}");
    assert_eq!(m["working"], "acescct");
    assert_eq!(
        (m["output"].as_str(), m["display"].as_str()),
        (Some("sdr"), Some("aces2-sdr-rec709"))
    );
    let patches = m["after"]["patches"].as_array().unwrap();
    assert!(patches.len() >= 40);
    assert!(patches
        .iter()
        .all(|p| p["delta_e"].as_f64().is_some() && p["lab"].as_array().unwrap().len() == 3));
    assert_eq!(m["applied_version"], json!(null));
    let id = m["id"].as_str().unwrap();

    let same = s.get(&format!("/api/v1/matches/{id}")).await.json();
    assert_eq!(same["cdl"], m["cdl"]);
    let listed = s.get("/api/v1/matches").await.json();
    assert_eq!(listed[0]["id"], id);

    let png = s.get(m["picture"].as_str().unwrap()).await;
    assert_eq!(
        (png.status, png.content_type()),
        (StatusCode::OK, "image/png")
    );
    let decoder = png::Decoder::new(std::io::Cursor::new(png.bytes));
    let info = decoder.read_info().unwrap().info().clone();
    assert!(
        info.width > 600 && info.height > 200,
        "{}×{}",
        info.width,
        info.height
    );

    let applied = s
        .post(&format!("/api/v1/matches/{id}/apply"), json!({}))
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.json());
    assert_eq!(cdl_of(&applied.json()["match"]), cdl_of(&m["cdl"]));
    let grade = s.get("/api/v1/cameras/c/grade").await.json();
    assert_eq!(cdl_of(&grade["match"]), cdl_of(&m["cdl"]));
    assert_eq!(grade["steps"][0]["role"], "match");
    assert_eq!(cdl_of(&grade["steps"][0]["cdl"]), cdl_of(&m["cdl"]));
    let kept = s.get(&format!("/api/v1/matches/{id}")).await.json();
    assert_eq!(kept["applied_version"], applied.json()["version"]);

    // The camera's ordinary undo takes the match back; redo reapplies it.
    assert_eq!(
        s.post("/api/v1/cameras/c/undo", json!({})).await.status,
        StatusCode::OK
    );
    let grade = s.get("/api/v1/cameras/c/grade").await.json();
    assert_eq!(
        cdl_of(&grade["match"]),
        vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]
    );
    assert_eq!(
        s.post("/api/v1/cameras/c/redo", json!({})).await.status,
        StatusCode::OK
    );
    let grade = s.get("/api/v1/cameras/c/grade").await.json();
    assert_eq!(cdl_of(&grade["match"]), cdl_of(&m["cdl"]));
}

pub(super) fn png_bytes(width: usize, height: usize, value: u16) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.png");
    let img = Image {
        width,
        height,
        channels: 3,
        bits: 16,
        samples: Samples::U16(vec![value; width * height * 3]),
    };
    image::write(&path, &img).unwrap();
    std::fs::read(&path).unwrap()
}

#[tokio::test]
async fn bad_match_requests_say_what_and_where() {
    let s = Server::demo();
    let start = |cam: &str| format!("/api/v1/cameras/{cam}/match");
    let r = s.post(&start("zz"), json!({"reference": "b"})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", "/cameras/zz");
    let r = s.post(&start("c"), json!({"reference": "zz"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/reference",
    );
    let r = s.post(&start("c"), json!({"reference": "c"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/reference",
    );
    let r = s
        .post(&start("c"), json!({"reference": "b", "working": "camera"}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/working",
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("grades in acescct"));
    let r = s
        .post(&start("c"), json!({"reference": "b", "output": "nope"}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/output",
    );
    let r = s
        .post(&start("c"), json!({"reference": "b", "frame": "fmissing"}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/frame",
    );
    let r = s
        .post(
            &start("c"),
            json!({"reference": "b", "corners": [0, 0, 1920, 0, 1920, 5000, 0, 1080]}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/corners/5",
    );
    let r = s
        .post(
            &start("c"),
            json!({"reference": "b", "reference_corners": [5, 5, 5, 5, 5, 5, 5, 5]}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "match_failed",
        "/reference_corners",
    );
    let r = s
        .post(&start("c"), json!({"reference": "b", "corners": [0, 0, 1]}))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "invalid_body", "/corners");
    let r = s
        .post(&start("c"), json!({"reference": "b", "extra": 1}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let text = s.upload("notes.png", b"not a picture".to_vec()).await;
    let r = s
        .post(
            &start("c"),
            json!({"reference": "b", "reference_frame": text}),
        )
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/reference_frame",
    );
    let blown = s.upload("blown.png", png_bytes(480, 270, 65535)).await;
    let r = s
        .post(&start("c"), json!({"reference": "b", "frame": blown}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "match_failed",
        "/frame",
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("usable"));

    let r = s.get("/api/v1/matches/mnothing").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", "/matches/mnothing");
    let r = s.post("/api/v1/matches/mnothing/apply", json!({})).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", "/matches/mnothing");
    let r = s.get("/api/v1/matches/mnothing/patches.png").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", "/matches/mnothing");
}

#[tokio::test]
async fn a_match_from_an_uploaded_frame_and_a_stale_match() {
    let s = Server::demo();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.exr");
    let frame = lookwire_color::chart::render_chart(
        "red-log3g10-rwg",
        &lookwire_color::chart::ChartOptions {
            size: lookwire_color::chart::ChartSize::Hd,
            ..Default::default()
        },
    )
    .unwrap();
    let img = Image {
        width: frame.width,
        height: frame.height,
        channels: 3,
        bits: 0,
        samples: Samples::F32(frame.data.clone()),
    };
    image::write(&path, &img).unwrap();
    let file = s.upload("cam-d.exr", std::fs::read(&path).unwrap()).await;
    let from_file = s
        .post(
            "/api/v1/cameras/d/match",
            json!({"reference": "a", "frame": file}),
        )
        .await;
    assert_eq!(
        from_file.status,
        StatusCode::CREATED,
        "{}",
        from_file.json()
    );
    let builtin = s
        .post("/api/v1/cameras/d/match", json!({"reference": "a"}))
        .await
        .json();
    let (a, b) = (cdl_of(&from_file.json()["cdl"]), cdl_of(&builtin["cdl"]));
    assert!(
        a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6),
        "{a:?} vs {b:?}"
    );

    // The camera's input space changes: the old result no longer fits it.
    let r = s
        .patch(
            "/api/v1/cameras/d",
            json!({"input_space": "sony-slog3-sgamut3cine"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let id = builtin["id"].as_str().unwrap();
    let r = s
        .post(&format!("/api/v1/matches/{id}/apply"), json!({}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "stale_match", "/cameras/d");
}
