//! Exports over the API: start an export of chosen formats, cameras and clips; list its
//! files; download each file or the whole package (with its ASC MHL history) as a zip.

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::post::export::{AmfTransforms, ExportError, ExportFormat, IdBy};
use crate::post::exports::{self, ClipFile, ExportApiError, ExportResult, ExportSpec, Exports};
use crate::post::grades::MatchRule;
use crate::post::media::{MediaError, PostConfig};
use crate::post::mhl::{self, HashFormat};
use crate::preview::Previews;
use crate::show::Id;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/exports", get(list_exports).post(start_export))
        .route("/exports/{id}", get(get_export))
        .route("/exports/{id}/package.zip", get(export_zip))
        .route("/exports/{id}/files/{*path}", get(export_file))
}

/// What to export.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportStart {
    /// Any of cc, ccc, cdl, ale, edl, amf, report, cube, clf.
    pub formats: Vec<String>,
    /// A show file holding the day's clip list (.ale, .csv or .otio); cc, ccc, cdl, ale,
    /// edl and amf need it or `scan`.
    pub clips: Option<Id>,
    /// Instead of `clips`: a folder of camera files inside a media root configured at start,
    /// scanned with ffprobe.
    pub scan: Option<super::scan::FolderRef>,
    /// Show camera ids to export (clips are kept when their camera is one of these, by id
    /// or label); default: every camera.
    pub cameras: Option<Vec<Id>>,
    /// Clip names to export; default: every clip of the list.
    pub clip_names: Option<Vec<String>>,
    /// Which grade a clip gets: start (live at its first frame), last (live at its last
    /// frame) or snapshot:NAME. Default start.
    pub rule: Option<String>,
    /// CDL ids from the clip name (clip, default) or the reel (reel).
    pub id_by: Option<String>,
    /// Shooting-day label in file names; default today (UTC).
    pub day: Option<String>,
    /// The clip list's frame rate when it does not say: 23.976, 24, 25, 29.97, 29.97df,
    /// 30, 48, 50, 59.94, 59.94df, 60.
    pub fps: Option<String>,
    /// The clip-list column naming the camera.
    pub camera_column: Option<String>,
    /// AMF input and output transform ids for every clip; default: each clip's camera's
    /// input space and first output with an ACES 2 id, from the show.
    pub amf_input: Option<String>,
    pub amf_output: Option<String>,
    /// ASC MHL hash formats (xxh64 default; xxh3, xxh128, md5, sha1, c4).
    pub hash: Option<Vec<String>>,
    /// Lattice size of baked cube/clf looks, 2..=129 (default 33).
    pub lut_size: Option<usize>,
    /// Package folder name (default lookwire_DAY_HHMMSS_…).
    pub name: Option<String>,
}

/// One file of a package.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportFile {
    /// Package-relative path (`cc/A001_C002.cc`, `ascmhl/0001_….mhl`).
    pub path: String,
    pub size: u64,
    /// Where to download it.
    pub url: String,
}

/// A written package.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ExportView {
    pub id: String,
    /// The package folder's name.
    pub name: String,
    /// The package folder on the server.
    pub folder: String,
    pub files: Vec<ExportFile>,
    /// The ASC MHL generation sealing the package.
    pub generation: String,
    /// Clips no grade could be found for.
    pub without_grade: usize,
    /// Clips whose grade changed while they rolled (listed in review.txt).
    pub changed_during: usize,
    pub created_ms: i64,
    /// The whole package as a zip.
    pub zip: String,
}

fn view(r: &ExportResult) -> ExportView {
    let base = format!("/api/v1/exports/{}", r.id);
    ExportView {
        id: r.id.clone(),
        name: r.name.clone(),
        folder: r.folder.display().to_string(),
        files: r
            .files
            .iter()
            .map(|(path, size)| ExportFile {
                path: path.clone(),
                size: *size,
                url: format!("{base}/files/{path}"),
            })
            .collect(),
        generation: r.generation.clone(),
        without_grade: r.without_grade,
        changed_during: r.changed_during,
        created_ms: r.created_ms,
        zip: format!("{base}/package.zip"),
    }
}

impl From<ExportApiError> for ApiError {
    fn from(err: ExportApiError) -> ApiError {
        let (status, code) = match &err {
            ExportApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ExportApiError::TooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            ExportApiError::Export(ExportError::Exists(_)) => (StatusCode::CONFLICT, "exists"),
            ExportApiError::Export(ExportError::Io { .. } | ExportError::Mhl(_)) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "export_failed")
            }
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"),
        };
        ApiError::new(status, code, err.to_string(), err.path())
    }
}

fn parsed<T: std::str::FromStr>(value: Option<&str>, path: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    value
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| ExportApiError::invalid(path, format!("{v:?}: {e}")).into())
        })
        .transpose()
}

fn each<T: std::str::FromStr>(values: &[String], path: &str) -> Result<Vec<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            parsed(Some(v), &format!("{path}/{i}")).map(|x| x.expect("a value was given"))
        })
        .collect()
}

/// The checked spec, the clip list read from the show's files.
async fn spec(
    state: &AppState,
    config: &PostConfig,
    start: ExportStart,
) -> Result<ExportSpec, ApiError> {
    let formats: BTreeSet<ExportFormat> = each(&start.formats, "/formats")?.into_iter().collect();
    let folder = match &start.scan {
        Some(_) if start.clips.is_some() => {
            let why = "give either a clip list (clips) or a folder to scan (scan), not both";
            return Err(ExportApiError::invalid("/scan", why).into());
        }
        Some(f) => Some(config.resolve(&f.root, &f.folder).map_err(|e| {
            let field = if matches!(e, MediaError::UnknownRoot { .. }) {
                "/scan/root"
            } else {
                "/scan/folder"
            };
            ExportApiError::invalid(field, e.to_string())
        })?),
        None => None,
    };
    let clips = match start.clips {
        None => None,
        Some(id) => {
            let lookup = id.clone();
            let stored = state.with_reader(move |s| s.get_file(&lookup)).await?;
            let file = stored.ok_or_else(|| {
                ExportApiError::invalid(
                    "/clips",
                    format!("no file {id:?} in the show (upload the clip list: POST /files)"),
                )
            })?;
            Some(ClipFile {
                name: file.name,
                bytes: file.bytes,
            })
        }
    };
    let id_by = match start.id_by.as_deref() {
        None | Some("clip") => IdBy::Clip,
        Some("reel") => IdBy::Reel,
        Some(other) => {
            return Err(ExportApiError::invalid(
                "/id_by",
                format!("{other:?}: expected clip or reel"),
            )
            .into())
        }
    };
    let hash: Vec<HashFormat> = each(start.hash.as_deref().unwrap_or(&[]), "/hash")?;
    Ok(ExportSpec {
        formats,
        clips,
        folder,
        cameras: start.cameras,
        clip_names: start.clip_names,
        rule: parsed::<MatchRule>(start.rule.as_deref(), "/rule")?.unwrap_or(MatchRule::AtStart),
        id_by,
        day: start.day,
        fps: parsed(start.fps.as_deref(), "/fps")?,
        camera_column: start.camera_column,
        amf: AmfTransforms {
            input: start.amf_input,
            output: start.amf_output,
        },
        hash_formats: if hash.is_empty() {
            vec![mhl::DEFAULT_HASH_FORMAT]
        } else {
            hash
        },
        lut_size: start.lut_size.unwrap_or(33),
        name: start.name,
        previews: None,
        devices: Vec::new(),
    })
}

#[utoipa::path(post, path = "/exports", tag = "exports", request_body = ExportStart,
    responses((status = 201, body = ExportView, description = "The package, written and sealed with ASC MHL"),
        (status = 409, body = crate::api::error::ErrorBody, description = "A package of that name exists"),
        (status = 422, body = crate::api::error::ErrorBody, description = "A bad format, camera, clip list, folder, rule or name")))]
pub async fn start_export(
    State(state): State<AppState>,
    Extension(store): Extension<Arc<Exports>>,
    Extension(config): Extension<Arc<PostConfig>>,
    Extension(previews): Extension<Arc<Previews>>,
    caller: Caller,
    ApiJson(start): ApiJson<ExportStart>,
) -> Result<(StatusCode, Json<ExportView>), ApiError> {
    require(&caller, Role::Operator)?;
    let mut spec = spec(&state, &config, start).await?;
    spec.previews = Some(previews);
    spec.devices = state
        .devices
        .list()
        .into_iter()
        .map(|d| crate::post::report::DrawnDevice {
            id: d.id,
            kind: d.kind,
            camera: d.camera,
            output: d.output,
        })
        .collect();
    let durable_view = state.show.view();
    let (show, durable) = (durable_view.show.clone(), durable_view.version);
    let loaded = state.with_reader(|s| s.load()).await?;
    // The store may already hold a commit whose disk sync runs: only the durable events
    // belong with the durable show.
    let (base, events) = match loaded {
        Some(l) => (
            l.base,
            l.events
                .into_iter()
                .filter(|e| e.version <= durable)
                .collect(),
        ),
        None => (show.clone(), Vec::new()),
    };
    let root = store.root().to_path_buf();
    let result =
        blocking(move || exports::run(&show, &base, &events, &spec, &root, super::now_ms()))
            .await??;
    let out = view(&result);
    store.insert(result);
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/exports", tag = "exports",
    responses((status = 200, body = [ExportView], description = "Kept exports, newest first")))]
pub async fn list_exports(
    Extension(store): Extension<Arc<Exports>>,
    _caller: Caller,
) -> Json<Vec<ExportView>> {
    Json(store.list().iter().map(view).collect())
}

#[utoipa::path(get, path = "/exports/{id}", tag = "exports", params(("id" = String, Path)),
    responses((status = 200, body = ExportView), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn get_export(
    Extension(store): Extension<Arc<Exports>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<ExportView>, ApiError> {
    Ok(Json(view(&store.get(&id)?)))
}

#[utoipa::path(get, path = "/exports/{id}/package.zip", tag = "exports", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/zip", description = "The package folder with its ascmhl/ history"),
        (status = 404, body = crate::api::error::ErrorBody),
        (status = 413, body = crate::api::error::ErrorBody, description = "The package is too large to zip (over 4 GiB): download its files one by one")))]
pub async fn export_zip(
    Extension(store): Extension<Arc<Exports>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let result = store.get(&id)?;
    let disposition = format!("attachment; filename=\"{}.zip\"", result.name);
    let file = blocking(move || result.zip_file(exports::ZIP_LIMIT)).await??;
    let length = file.metadata().map(|m| m.len()).ok();
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(|e| ApiError::internal(e.to_string()))?,
    );
    if let Some(n) = length {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    Ok((headers, Body::from_stream(stream_file(file))).into_response())
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("export task failed: {e}")))
}

/// A file's bytes as a body stream: read in 64 KiB chunks on the blocking pool, at most
/// four chunks ahead of the client.
fn stream_file(
    mut file: std::fs::File,
) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    use std::io::Read;
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
    tokio::task::spawn_blocking(move || loop {
        let mut chunk = vec![0u8; 64 << 10];
        let sent = match file.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => {
                chunk.truncate(n);
                tx.blocking_send(Ok(chunk.into()))
            }
            Err(e) => tx.blocking_send(Err(e)),
        };
        if sent.is_err() {
            return; // The client went away.
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) })
}

#[utoipa::path(get, path = "/exports/{id}/files/{path}", tag = "exports",
    params(("id" = String, Path), ("path" = String, Path, description = "a package-relative path from the export's file list")),
    responses((status = 200, content_type = "application/octet-stream", description = "The file's bytes"),
        (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn export_file(
    Extension(store): Extension<Arc<Exports>>,
    _caller: Caller,
    Path((id, path)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let result = store.get(&id)?;
    let missing = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("export {id} holds no file {path:?}"),
            format!("/exports/{id}/files/{path}"),
        )
    };
    let read = {
        let path = path.clone();
        blocking(move || result.file(&path)).await?
    };
    let bytes = read
        .ok_or_else(missing)?
        .map_err(|e| ApiError::internal(format!("{path}: {e}")))?;
    let mime = mime_guess::from_path(&path)
        .first_or_octet_stream()
        .to_string();
    let headers = [(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&mime)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    )];
    Ok((headers, bytes).into_response())
}
