//! Folders of camera files scanned for clips (ffprobe), inside the media roots configured
//! at start only ([`crate::post::media`]): a request names a root and a relative folder,
//! never a path of its own.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::post::clips::{scan::scan_folder, IngestOptions};
use crate::post::media::{MediaError, PostConfig};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/media-roots", get(list_roots))
        .route("/clips/scan", post(scan))
}

/// A folder inside a configured media root.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FolderRef {
    /// A media root's name (`GET /media-roots`).
    pub root: String,
    /// A folder relative to the root ("" for the root itself); no `..`.
    #[serde(default)]
    pub folder: String,
}

/// A configured media root.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MediaRootView {
    pub name: String,
    /// The folder on the server.
    pub folder: String,
}

/// A clip found in a scanned folder.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ScannedClip {
    pub camera: String,
    pub reel: String,
    pub name: String,
    /// The camera file's name.
    pub source_file: String,
    pub start: String,
    /// One past the last frame.
    pub end: String,
    pub fps: String,
}

impl From<MediaError> for ApiError {
    fn from(err: MediaError) -> ApiError {
        let path = match &err {
            MediaError::UnknownRoot { .. } => "/root",
            MediaError::BadFolder { .. } => "/folder",
        };
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            err.to_string(),
            path,
        )
    }
}

#[utoipa::path(get, path = "/media-roots", tag = "exports",
    responses((status = 200, body = [MediaRootView], description = "The media roots configured at start (LOOKWIRE_MEDIA_ROOTS); folders inside them may be scanned")))]
pub async fn list_roots(
    Extension(config): Extension<Arc<PostConfig>>,
    _caller: Caller,
) -> Json<Vec<MediaRootView>> {
    Json(
        config
            .media_roots
            .iter()
            .map(|r| MediaRootView {
                name: r.name.clone(),
                folder: r.folder.display().to_string(),
            })
            .collect(),
    )
}

#[utoipa::path(post, path = "/clips/scan", tag = "exports", request_body = FolderRef,
    responses((status = 200, body = [ScannedClip], description = "The camera files of the folder as clips"),
        (status = 422, body = crate::api::error::ErrorBody, description = "An unknown root, a folder outside it, or a folder without readable camera files")))]
pub async fn scan(
    Extension(config): Extension<Arc<PostConfig>>,
    caller: Caller,
    ApiJson(req): ApiJson<FolderRef>,
) -> Result<Json<Vec<ScannedClip>>, ApiError> {
    require(&caller, Role::Operator)?;
    let folder = config.resolve(&req.root, &req.folder)?;
    let list = tokio::task::spawn_blocking(move || scan_folder(&folder, &IngestOptions::default()))
        .await
        .map_err(|e| ApiError::internal(format!("scan task failed: {e}")))?;
    let list = list.map_err(|e| {
        let status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        ApiError::new(status, "invalid_value", e.to_string(), "/folder")
    })?;
    let clips = list
        .clips
        .iter()
        .map(|c| ScannedClip {
            camera: c.camera.clone(),
            reel: c.reel.clone(),
            name: c.name.clone(),
            source_file: c.source_file.clone(),
            start: c.start.to_string(),
            end: c.end.to_string(),
            fps: c.rate().to_string(),
        })
        .collect();
    Ok(Json(clips))
}
