//! `GET /cameras/{id}/preview.jpg` and `GET /cameras/{id}/scopes`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};

use super::scopes::{self, Scopes};
use super::{target, PreviewError, Previews, DEFAULT_WIDTH, SCOPE_WIDTH};
use crate::api::{ApiError, AppState};
use crate::auth::Caller;
use crate::devices::bake::BakeError;

/// The output a preview was rendered through (the camera's SDR output for HDR requests).
pub const RENDERED_OUTPUT: HeaderName = HeaderName::from_static("x-lookwire-rendered-output");
/// The output the request named (or the default chosen).
pub const REQUESTED_OUTPUT: HeaderName = HeaderName::from_static("x-lookwire-output");

/// The preview routes, each router with its own [`Previews`] cache.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cameras/{id}/preview.jpg", get(preview_jpg))
        .route("/cameras/{id}/scopes", get(scopes_json))
        .layer(Extension(Arc::new(Previews::new())))
}

impl From<PreviewError> for ApiError {
    fn from(err: PreviewError) -> ApiError {
        let msg = err.to_string();
        match &err {
            PreviewError::Camera(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                msg,
                format!("/cameras/{id}"),
            ),
            PreviewError::Output { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", msg, "output")
            }
            PreviewError::Width(_) => ApiError::bad_request("invalid_parameter", msg, "width"),
            PreviewError::NoSdr(_)
            | PreviewError::Bake(
                BakeError::ShowLut(_) | BakeError::LookLut(_) | BakeError::Display(..),
            ) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unsupported_output",
                msg,
                "output",
            ),
            _ => ApiError::internal(msg),
        }
    }
}

fn width(query: &HashMap<String, String>) -> Result<usize, ApiError> {
    match query.get("width") {
        None => Ok(DEFAULT_WIDTH),
        Some(w) => w.parse().map_err(|_| {
            ApiError::bad_request(
                "invalid_parameter",
                format!("width {w:?}: expected a whole number of pixels"),
                "width",
            )
        }),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, PreviewError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("preview task failed: {e}")))?
        .map_err(ApiError::from)
}

fn header_value(s: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(s).map_err(|_| ApiError::internal(format!("output id {s:?} in a header")))
}

#[utoipa::path(get, path = "/cameras/{id}/preview.jpg", tag = "cameras",
    params(("id" = String, Path), ("output" = Option<String>, Query, description = "an output id of the camera (default: its first SDR output); HDR outputs render through the camera's SDR output"),
        ("width" = Option<usize>, Query, description = "64..=3840, default 960")),
    responses((status = 200, content_type = "image/jpeg", description = "The graded picture; X-Lookwire-Rendered-Output names the output rendered"),
        (status = 400, body = crate::api::error::ErrorBody), (status = 404, body = crate::api::error::ErrorBody),
        (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn preview_jpg(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let width = width(&query)?;
    let view = state.show.view();
    let output = query.get("output").cloned();
    let (target, jpeg) = blocking(move || {
        let target = target(&view.show, &id, output.as_deref(), false)?;
        let jpeg = previews.jpeg(&view.show, &target, width)?;
        Ok((target, jpeg))
    })
    .await?;
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (RENDERED_OUTPUT, header_value(&target.rendered)?),
        (REQUESTED_OUTPUT, header_value(&target.requested)?),
    ];
    Ok((headers, jpeg.bytes.clone()).into_response())
}

#[utoipa::path(get, path = "/cameras/{id}/scopes", tag = "cameras",
    params(("id" = String, Path), ("output" = Option<String>, Query, description = "an output id of the camera (default: its first SDR output); HDR outputs keep their own signal")),
    responses((status = 200, body = Scopes), (status = 404, body = crate::api::error::ErrorBody),
        (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn scopes_json(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<Scopes>, ApiError> {
    let view = state.show.view();
    let output = query.get("output").cloned();
    let scopes = blocking(move || {
        let target = target(&view.show, &id, output.as_deref(), true)?;
        let graded = previews.graded(&view.show, &target, SCOPE_WIDTH)?;
        Ok(scopes::compute(&view.show, &graded))
    })
    .await?;
    Ok(Json(scopes))
}
