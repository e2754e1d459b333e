//! The browser UI, embedded in the binary from `web-ui/`.

use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

use super::{ApiError, AppState};

#[derive(RustEmbed)]
#[folder = "../web-ui/"]
struct WebUi;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { asset("index.html") }))
        .fallback(|method: Method, uri: Uri| async move {
            if method == Method::GET || method == Method::HEAD {
                asset(uri.path().trim_start_matches('/'))
            } else {
                ApiError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    format!("{method} {}: the UI's files answer GET only", uri.path()),
                    uri.path(),
                )
                .into_response()
            }
        })
}

fn asset(path: &str) -> Response {
    match WebUi::get(path) {
        Some(file) => {
            let mime = mime_guess::from_path(path).first_or_octet_stream();
            (
                [
                    (header::CONTENT_TYPE, mime.as_ref().to_owned()),
                    (header::CACHE_CONTROL, "no-cache".to_owned()),
                ],
                file.data,
            )
                .into_response()
        }
        None => ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no file /{path} in the UI"),
            format!("/{path}"),
        )
        .into_response(),
    }
}
