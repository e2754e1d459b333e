//! The committed API documents are current and describe what is served.

use axum::http::StatusCode;
use serde_json::Value;

use super::TestServer;
use crate::api::openapi::{document_json, ws_schema_json};

const REGENERATE: &str = "stale: run `cargo run -p lookwire-server --example write-api-docs`";

fn committed(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("api")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; {REGENERATE}", path.display()))
}

#[test]
fn committed_openapi_document_is_current() {
    assert!(
        committed("openapi.json") == document_json(),
        "server/api/openapi.json is {REGENERATE}"
    );
}

#[test]
fn committed_websocket_schema_is_current() {
    assert!(
        committed("ws-messages.schema.json") == ws_schema_json(),
        "server/api/ws-messages.schema.json is {REGENERATE}"
    );
}

#[tokio::test]
async fn the_served_document_is_openapi_3_1_and_lists_the_routes() {
    let t = TestServer::demo();
    let (status, doc) = t.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/cameras",
        "/cameras/{id}/grade",
        "/devices",
        "/ws",
        "/events",
        "/import",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
    let (status, _) = t.get("/api/v1/docs/").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Swagger UI is served from the binary"
    );
}

#[test]
fn websocket_schema_names_every_message_type() {
    let schema: Value = serde_json::from_str(&ws_schema_json()).unwrap();
    let text = schema["$defs"].to_string();
    for kind in ["trim", "undo", "redo", "hello", "ack", "error", "change"] {
        assert!(text.contains(&format!("\"{kind}\"")), "{kind} missing");
    }
    assert!(
        !text.contains("#/components/"),
        "references point into $defs"
    );
}
