//! The OpenAPI 3.1 document, generated from the handlers, and the Swagger UI.
//!
//! `cargo run -p lookwire-server --example write-api-docs` rewrites the committed copies in
//! `server/api/`; a test fails when they are stale.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::{Content, Ref, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "lookwire",
        description = "Live grading for multicam shows. Collections are bare JSON arrays; \
            errors are `{ \"error\": { \"code\", \"message\", \"path\" } }`. On a loopback \
            server no login is needed; elsewhere send `Authorization: Bearer TOKEN` from \
            POST /login.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers((url = "/api/v1")),
    modifiers(&ErrorResponses),
    paths(
        super::show::get_show, super::show::update_show, super::show::undo_show,
        super::show::redo_show, super::show::list_events, super::show::get_timecode,
        super::show::jam_timecode, super::show::export_show, super::show::import_show,
        super::cameras::list_cameras, super::cameras::create_camera, super::cameras::get_camera,
        super::cameras::update_camera, super::cameras::delete_camera, super::cameras::get_grade,
        super::cameras::set_grade, super::cameras::undo_camera, super::cameras::redo_camera,
        super::cameras::reset_grade, super::cameras::copy_grade, super::cameras::list_snapshots,
        super::cameras::take_snapshot, super::cameras::fitted_cdl,
        super::resources::list_looks, super::resources::create_look, super::resources::get_look,
        super::resources::update_look, super::resources::delete_look,
        super::resources::list_outputs, super::resources::create_output,
        super::resources::get_output, super::resources::update_output,
        super::resources::delete_output,
        super::resources::list_groups, super::resources::create_group,
        super::resources::update_group, super::resources::delete_group,
        super::resources::group_trim,
        super::resources::recall_snapshot, super::resources::delete_snapshot,
        super::resources::list_scenes, super::resources::save_scene,
        super::resources::recall_scene, super::resources::delete_scene,
        super::resources::set_device_bypass,
        super::files::list_files, super::files::upload_file, super::files::download_file,
        super::files::delete_file,
        super::session::login, super::session::logout, super::session::session, super::session::list_users,
        super::session::create_user, super::session::delete_user, super::session::list_devices,
        super::ws::upgrade,
        super::devices::create_device, super::devices::get_device, super::devices::update_device, super::devices::delete_device, super::devices::test_device, super::devices::get_router, super::devices::route_output, super::devices::get_tally,
        crate::preview::routes::preview_jpg, crate::preview::routes::scopes_json,
        crate::post::api::matching::start_match, crate::post::api::matching::list_matches,
        crate::post::api::matching::get_match, crate::post::api::matching::patches_png,
        crate::post::api::matching::apply_match,
        crate::post::api::exports::start_export, crate::post::api::exports::list_exports,
        crate::post::api::exports::get_export, crate::post::api::exports::export_zip,
        crate::post::api::exports::export_file,
        crate::post::api::scan::list_roots, crate::post::api::scan::scan,
        crate::preview::routes::false_color_json, crate::preview::stream::upgrade,
        crate::preview::routes::source_info, crate::preview::routes::put_still,
        crate::preview::routes::delete_still, crate::preview::routes::run_check,
        crate::preview::routes::list_checks,
        super::displays::list_displays, super::health::get_health,
    ),
    components(schemas(super::ws::ClientMessage, super::ws::ServerMessage,
        crate::preview::stream::StreamRequest, crate::preview::stream::FrameHeader,
        crate::preview::checks::NoiseReport)),
    tags(
        (name = "cameras"), (name = "grades"), (name = "looks"), (name = "outputs"),
        (name = "groups"), (name = "snapshots"), (name = "scenes"), (name = "files"),
        (name = "show"), (name = "timecode"), (name = "session"), (name = "devices"),
        (name = "websocket"), (name = "matching"), (name = "exports")
    )
)]
#[derive(Debug)]
pub struct ApiDoc;

/// Routes any caller may use without a login: they never answer 401.
const OPEN_ROUTES: [&str; 1] = ["/health"];

/// Documents the error statuses that apply across operations: every operation may answer
/// 401 (login needed, except on [`OPEN_ROUTES`]) and 503 (store failed); one with a body 400, 413 and 415; one with a
/// path id 404; one that changes the show 403, 409 and 422.
#[derive(Debug)]
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in openapi.paths.paths.iter_mut() {
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            for (op, changes) in ops {
                let Some(op) = op.as_mut() else { continue };
                let mut codes = vec!["503"];
                if !OPEN_ROUTES.contains(&path.as_str()) {
                    codes.push("401");
                }
                if op.request_body.is_some() {
                    codes.extend(["400", "413", "415"]);
                }
                if path.contains('{') {
                    codes.push("404");
                }
                if changes {
                    codes.extend(["403", "409", "422"]);
                }
                for code in codes {
                    if !op.responses.responses.contains_key(code) {
                        op.responses
                            .responses
                            .insert(code.to_owned(), error_response().into());
                    }
                }
            }
        }
    }
}

fn error_response() -> Response {
    ResponseBuilder::new()
        .description("An error: { \"error\": { \"code\", \"message\", \"path\" } }")
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
}

/// The OpenAPI document as served and committed.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as pretty JSON with a trailing newline (the committed file's exact bytes).
pub fn document_json() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

/// JSON Schema (2020-12) of every WebSocket message, from the same definitions.
pub fn ws_schema_json() -> String {
    let doc = document();
    let mut defs = serde_json::Map::new();
    if let Some(components) = &doc.components {
        for (name, schema) in &components.schemas {
            defs.insert(
                name.clone(),
                serde_json::to_value(schema).unwrap_or_default(),
            );
        }
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "lookwire/ws-messages.schema.json",
        "title": "lookwire WebSocket messages (/api/v1/ws, JSON text frames)",
        "oneOf": [
            { "$ref": "#/$defs/ClientMessage", "description": "client → server" },
            { "$ref": "#/$defs/ServerMessage", "description": "server → client" }
        ],
        "$defs": defs,
    }))
    .unwrap_or_default()
    // Component references point into $defs in a standalone schema.
    .replace("#/components/schemas/", "#/$defs/");
    text + "\n"
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(document()) }))
        .merge(
            SwaggerUi::new("/docs").config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json")),
        )
}
