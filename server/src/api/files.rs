//! LUT and CDL files uploaded into the show, kept in the store with XXH3 and XXH64 checksums.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use utoipa::IntoParams;

use super::cameras::{commit, not_found, Committed};
use super::{require, ApiError, AppState, UPLOAD_LIMIT};
use crate::auth::{Caller, Role};
use crate::show::{look_luts, Action, FileRef};
use crate::store::StoredFile;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/files", get(list_files).post(upload_file))
        .route("/files/{id}", get(download_file).delete(delete_file))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// The uploaded file's name.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UploadQuery {
    /// The file name, e.g. `show-look.cube` (1–200 characters, no `/`).
    pub name: String,
}

/// Hex of a 64-bit checksum, 16 digits.
fn hex(x: u64) -> String {
    format!("{x:016x}")
}

#[utoipa::path(get, path = "/files", tag = "files", responses((status = 200, body = [FileRef])))]
pub async fn list_files(State(state): State<AppState>, _c: Caller) -> Json<Vec<FileRef>> {
    Json(state.show.view().show.files.values().cloned().collect())
}

#[utoipa::path(post, path = "/files", tag = "files", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = FileRef), (status = 200, body = FileRef, description = "Already in the show"),
        (status = 400, body = super::error::ErrorBody), (status = 413, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody, description = "A LUT file (by its extension) that does not read")))]
pub async fn upload_file(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<UploadQuery>, axum::extract::rejection::QueryRejection>,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<FileRef>), ApiError> {
    require(&caller, Role::Operator)?;
    let Query(query) =
        query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text(), "name"))?;
    let bytes = body.map_err(|e| ApiError::new(e.status(), "body_rejected", e.body_text(), ""))?;
    let name = query.name;
    if name.is_empty() || name.chars().count() > 200 || name.contains(['/', '\\']) {
        return Err(ApiError::bad_request(
            "invalid_query",
            "name holds 1 to 200 characters and no / or \\",
            "name",
        ));
    }
    let xxh3 = hex(xxhash_rust::xxh3::xxh3_64(&bytes));
    let file = FileRef {
        id: format!("f{xxh3}"),
        name: name.clone(),
        size: bytes.len() as u64,
        xxh3: xxh3.clone(),
        xxh64: hex(xxhash_rust::xxh64::xxh64(&bytes, 0)),
    };
    if let Some(existing) = state.show.view().show.files.get(&file.id) {
        return Ok((StatusCode::OK, Json(existing.clone())));
    }
    let stored = StoredFile {
        id: file.id.clone(),
        name,
        bytes: bytes.to_vec(),
        xxh3,
        xxh64: file.xxh64.clone(),
    };
    // A LUT file must read, so that a show look can apply it; its table is kept from now on.
    if look_luts::is_lut_name(&stored.name) {
        look_luts::load(&stored).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_lut",
                e.to_string(),
                "body",
            )
        })?;
    }
    // The bytes are durable before the event that refers to them.
    state.with_reader(move |s| s.put_file(&stored)).await?;
    state
        .show
        .apply(&caller.name, Action::AddFile(file.clone()), None)
        .await?;
    Ok((StatusCode::CREATED, Json(file)))
}

#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", description = "The file's bytes; the X-Xxh3 header holds its checksum"),
        (status = 404, body = super::error::ErrorBody)))]
pub async fn download_file(
    State(state): State<AppState>,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if !state.show.view().show.files.contains_key(&id) {
        return Err(not_found("file", &id));
    }
    let key = id.clone();
    let file = state.with_reader(move |s| s.get_file(&key)).await?;
    let file = file.ok_or_else(|| not_found("file", &id))?;
    // A file whose bytes no longer match their checksum is refused, never served.
    if hex(xxhash_rust::xxh3::xxh3_64(&file.bytes)) != file.xxh3 {
        return Err(ApiError::internal(format!(
            "file {id:?} fails its XXH3 checksum in the store"
        )));
    }
    let disposition = format!("attachment; filename=\"{}\"", file.name.replace('"', "_"));
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::HeaderName::from_static("x-xxh3"), file.xxh3),
        ],
        file.bytes,
    ))
}

#[utoipa::path(delete, path = "/files/{id}", tag = "files", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "Still used by a look or output")))]
pub async fn delete_file(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::DeleteFile(id)).await
}
