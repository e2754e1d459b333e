//! Folder scans from the API stay inside the media roots configured at start.

use axum::http::StatusCode;
use serde_json::json;

use super::{assert_error, Server};
use crate::post::media::PostConfig;

fn configured(root: &std::path::Path) -> Server {
    let roots = std::env::join_paths([root]).unwrap();
    Server::with_config(PostConfig::from_values(Some(roots), None))
}

#[tokio::test]
async fn media_roots_are_listed_and_folders_outside_them_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cards");
    std::fs::create_dir_all(root.join("A001")).unwrap();
    std::fs::write(root.join("A001/notes.txt"), "no camera file").unwrap();
    let s = configured(&root);
    let listed = s.get("/api/v1/media-roots").await.json();
    assert_eq!(listed[0]["name"], "cards", "{listed}");
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let scan = |body| s.post("/api/v1/clips/scan", body);
    let r = scan(json!({"root": "elsewhere", "folder": "A001"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/root",
    );
    for escape in ["..", "A001/../..", "/etc", "../cards/A001"] {
        let r = scan(json!({"root": "cards", "folder": escape})).await;
        assert_error(
            &r,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "/folder",
        );
    }
    let r = scan(json!({"root": "cards", "path": "/etc"})).await;
    assert_eq!(
        r.status,
        StatusCode::BAD_REQUEST,
        "an unknown field: {}",
        r.json()
    );
    // Inside the root but without camera files: the scan says so (before any ffprobe).
    let r = scan(json!({"root": "cards", "folder": "A001"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/folder",
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no camera files"));
}

#[tokio::test]
async fn an_export_takes_a_folder_to_scan_instead_of_a_clip_list() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("day1");
    std::fs::create_dir_all(&root).unwrap();
    let s = configured(&root);
    let export = |body| s.post("/api/v1/exports", body);
    let r = export(json!({"formats": ["cc"], "scan": {"root": "day1", "folder": "../.."}})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/scan/folder",
    );
    let r = export(json!({"formats": ["cc"], "scan": {"root": "nope"}})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/scan/root",
    );
    let r = export(json!({"formats": ["cc"], "scan": {"root": "day1"}, "clips": "f1"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/scan",
    );
    // The folder is checked, then scanned: an empty card has no clips.
    let r = export(json!({"formats": ["cc"], "scan": {"root": "day1"}})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/scan/folder",
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("no camera files"));
}

#[tokio::test]
async fn with_no_media_root_configured_nothing_is_scanned() {
    let s = Server::with_config(PostConfig::default());
    assert_eq!(s.get("/api/v1/media-roots").await.json(), json!([]));
    let r = s
        .post("/api/v1/clips/scan", json!({"root": "tmp", "folder": ""}))
        .await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/root",
    );
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("LOOKWIRE_MEDIA_ROOTS"));
}

#[tokio::test]
async fn api_exports_are_written_to_the_configured_folder_with_their_mhl() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exports");
    let config = PostConfig::from_values(None, Some(out.clone().into_os_string()));
    let s = Server::with_config(config);
    let r = s
        .post(
            "/api/v1/exports",
            json!({"formats": ["cube"], "name": "day1_looks"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let package = out.join("day1_looks");
    assert_eq!(r.json()["folder"], package.display().to_string());
    let mhl: Vec<_> = std::fs::read_dir(package.join("ascmhl"))
        .unwrap()
        .flatten()
        .collect();
    assert!(mhl
        .iter()
        .any(|e| e.file_name().to_string_lossy().ends_with(".mhl")));
    assert!(std::fs::read_dir(package.join("cube")).unwrap().count() > 0);
    drop(s);
    assert!(
        package.join("ascmhl").is_dir(),
        "the package outlives the server"
    );
}
