//! Rewrites the committed OpenAPI document and the WebSocket message schema:
//! `cargo run -p lookwire-server --example write-api-docs`.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("api");
    std::fs::create_dir_all(&dir)?;
    let openapi = dir.join("openapi.json");
    std::fs::write(&openapi, lookwire_server::api::openapi::document_json())?;
    let ws = dir.join("ws-messages.schema.json");
    std::fs::write(&ws, lookwire_server::api::openapi::ws_schema_json())?;
    println!("wrote {} and {}", openapi.display(), ws.display());
    Ok(())
}
