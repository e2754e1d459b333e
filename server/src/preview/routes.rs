//! `GET /cameras/{id}/preview.jpg` and `GET /cameras/{id}/scopes`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};

use super::checks::{self, CheckKind, DefectReport, NoiseReport};
use super::scopes::Scopes;
use super::source::SourceInfo;
use super::views::Zone;
use super::{target, Picture, PreviewError, Previews, DEFAULT_WIDTH};
use crate::api::require;
use crate::api::{ApiError, AppState};
use crate::auth::{Caller, Role};
use crate::devices::bake::BakeError;
use crate::store::{Store, StoreError, StoredChecks};
use crate::sync::lock;

/// The output a preview was rendered through (the camera's SDR output for HDR requests).
pub const RENDERED_OUTPUT: HeaderName = HeaderName::from_static("x-lookwire-rendered-output");
/// The output the request named (or the default chosen).
pub const REQUESTED_OUTPUT: HeaderName = HeaderName::from_static("x-lookwire-output");

/// The preview routes, each router with its own [`Previews`] cache.
pub fn routes() -> Router<AppState> {
    routes_with(Arc::new(Previews::new()))
}

/// The preview routes serving `previews`.
pub fn routes_with(previews: Arc<Previews>) -> Router<AppState> {
    Router::new()
        .route("/cameras/{id}/preview.jpg", get(preview_jpg))
        .route("/cameras/{id}/scopes", get(scopes_json))
        .route("/cameras/{id}/false-color", get(false_color_json))
        .route("/preview/stream", get(super::stream::upgrade))
        .route(
            "/cameras/{id}/source",
            get(source_info).put(put_still).delete(delete_still).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::UPLOAD_LIMIT),
            ),
        )
        .route(
            "/cameras/{id}/checks/{kind}",
            axum::routing::post(run_check).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::UPLOAD_LIMIT,
            )),
        )
        .route("/checks", get(list_checks))
        .layer(Extension(previews))
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
            PreviewError::Param { param, .. } => {
                ApiError::bad_request("invalid_parameter", msg, *param)
            }
            PreviewError::Still(_) => ApiError::bad_request("invalid_image", msg, ""),
            PreviewError::Snapshot(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                msg,
                format!("/snapshots/{id}"),
            ),
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
        ("width" = Option<usize>, Query, description = "64..=3840, default 960"),
        ("view" = Option<String>, Query, description = "graded (default), log (the camera's ungraded signal) or false-color (exposure zones, see /cameras/{id}/false-color)"),
        ("overlay" = Option<String>, Query, description = "comma list: safe (action 93 % white, title 90 % yellow), cross (centre), clip (red stripes where a channel clips, blue where all crush), gamut (magenta stripes where the scene is outside the output's gamut)"),
        ("snapshot" = Option<String>, Query, description = "render this snapshot's grade (of this camera) instead of the current one"),
        ("compare" = Option<String>, Query, description = "wipe (one frame, this picture left of `position`, the other right) or split (both whole, side by side at half width)"),
        ("against" = Option<String>, Query, description = "with compare: log (default; this camera ungraded), camera:ID (another camera, same output id when it has it) or snapshot:ID"),
        ("position" = Option<f64>, Query, description = "wipe boundary, 0..1 of the width, default 0.5"),
        ("token" = Option<String>, Query, description = "the session token, for an <img> (with auth on)")),
    responses((status = 200, content_type = "image/jpeg", description = "The picture (JPEG 4:2:0); X-Lookwire-Rendered-Output names the output rendered"),
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
    let picture = Picture::from_query(&query)?;
    let view = state.show.rendered();
    let output = query.get("output").cloned();
    let (target, jpeg) = blocking(move || {
        let target = target(&view.show, &id, output.as_deref(), false)?;
        let jpeg = previews.picture_jpeg(&view.show, &target, width, &picture)?;
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
    let view = state.show.rendered();
    let output = query.get("output").cloned();
    let scopes = blocking(move || {
        let target = target(&view.show, &id, output.as_deref(), true)?;
        previews.scopes(&view.show, &target)
    })
    .await?;
    Ok(Json(scopes))
}

/// A false-color zone and the share of the picture's pixels in it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ZoneShare {
    #[serde(flatten)]
    pub zone: Zone,
    /// Share of the picture's pixels in the zone, 0..1.
    pub share: f64,
}

/// The false-color legend of a camera's picture.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FalseColor {
    /// The output the picture is rendered through.
    pub output: String,
    pub zones: Vec<ZoneShare>,
}

#[utoipa::path(get, path = "/cameras/{id}/false-color", tag = "cameras",
    params(("id" = String, Path), ("output" = Option<String>, Query, description = "an output id of the camera (default: its first SDR output); HDR outputs use the camera's SDR output as pictures do"),
        ("width" = Option<usize>, Query, description = "width the shares are counted at, 64..=3840, default 960")),
    responses((status = 200, body = FalseColor), (status = 400, body = crate::api::error::ErrorBody),
        (status = 404, body = crate::api::error::ErrorBody), (status = 422, body = crate::api::error::ErrorBody)))]
pub async fn false_color_json(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<FalseColor>, ApiError> {
    let width = width(&query)?;
    let view = state.show.rendered();
    let output = query.get("output").cloned();
    let legend = blocking(move || {
        let target = target(&view.show, &id, output.as_deref(), false)?;
        let zones = previews.zones(&view.show, &target, width)?;
        Ok(FalseColor {
            output: target.rendered,
            zones: zones
                .into_iter()
                .map(|(zone, share)| ZoneShare { zone, share })
                .collect(),
        })
    })
    .await?;
    Ok(Json(legend))
}

fn camera_exists(state: &AppState, id: &str) -> Result<(), ApiError> {
    if state.show.view().show.cameras.contains_key(id) {
        Ok(())
    } else {
        Err(PreviewError::Camera(id.into()).into())
    }
}

#[utoipa::path(get, path = "/cameras/{id}/source", tag = "cameras",
    params(("id" = String, Path)),
    responses((status = 200, body = SourceInfo), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn source_info(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SourceInfo>, ApiError> {
    camera_exists(&state, &id)?;
    Ok(Json(previews.sources.info(&id)))
}

#[utoipa::path(put, path = "/cameras/{id}/source", tag = "cameras",
    params(("id" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "A still in the camera's own encoding (OpenEXR, DPX 10-bit, TIFF 16-bit or PNG), e.g. a frame grab; it replaces the chart as the camera's picture until deleted. Kept in memory, not in the show."),
    responses((status = 200, body = SourceInfo), (status = 400, body = crate::api::error::ErrorBody),
        (status = 404, body = crate::api::error::ErrorBody), (status = 413, body = crate::api::error::ErrorBody)))]
pub async fn put_still(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<bytes::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<SourceInfo>, ApiError> {
    require(&caller, Role::Operator)?;
    camera_exists(&state, &id)?;
    let bytes = body.map_err(|e| ApiError::new(e.status(), "body_rejected", e.body_text(), ""))?;
    let info = blocking(move || {
        let (frame, format) = super::still::decode(&bytes)?;
        Ok(previews.sources.set_still(&id, frame, format))
    })
    .await?;
    Ok(Json(info))
}

#[utoipa::path(delete, path = "/cameras/{id}/source", tag = "cameras",
    params(("id" = String, Path)),
    responses((status = 200, body = SourceInfo, description = "The camera shows the built-in chart again"),
        (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn delete_still(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<SourceInfo>, ApiError> {
    require(&caller, Role::Operator)?;
    camera_exists(&state, &id)?;
    previews.sources.clear_still(&id);
    Ok(Json(previews.sources.info(&id)))
}

/// The latest check results of one camera, to compare cameras and for the show report
/// ([`CameraChecks::report_lines`]).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CameraChecks {
    pub camera: String,
    /// Hot pixels found in the last capped frame.
    pub hot: Option<usize>,
    /// Dead pixels found in the last flat bright frame.
    pub dead: Option<usize>,
    /// Stuck pixels found in the last frames of a moving picture.
    pub stuck: Option<usize>,
    pub noise: Option<NoiseReport>,
    /// The listed pixels of each kind's last check (coordinates and thumbnails; at most
    /// 200 each, in reading order).
    pub hot_pixels: Vec<checks::Defect>,
    pub dead_pixels: Vec<checks::Defect>,
    pub stuck_pixels: Vec<checks::Defect>,
}

/// Pixel coordinates a report line lists before it says how many more there are.
const REPORT_PIXELS: usize = 12;

impl CameraChecks {
    /// One line per check done, for the show report: counts with the first coordinates,
    /// and the noise figures.
    pub fn report_lines(&self) -> Vec<String> {
        let defects = |name: &str, count: Option<usize>, listed: &[checks::Defect]| {
            count.map(|n| {
                let at: Vec<String> = listed
                    .iter()
                    .take(REPORT_PIXELS)
                    .map(|d| format!("({}, {})", d.x, d.y))
                    .collect();
                let more = n.saturating_sub(at.len());
                match (at.is_empty(), more) {
                    (true, _) => format!("{name}: none"),
                    (false, 0) => format!("{name}: {n} at {}", at.join(", ")),
                    (false, m) => format!("{name}: {n} at {} and {m} more", at.join(", ")),
                }
            })
        };
        let noise = self.noise.as_ref().map(|r| {
            format!(
                "Noise (flat grey, {:+.1} stops from 18 % grey): signal to noise {:.1} stops \
                 ({:.1} dB), {:.2} 10-bit codes",
                r.exposure_stops, r.snr_stops, r.snr_db, r.sigma_10bit
            )
        });
        [
            defects("Hot pixels (lens capped)", self.hot, &self.hot_pixels),
            defects("Dead pixels (flat bright)", self.dead, &self.dead_pixels),
            defects("Stuck pixels (moving)", self.stuck, &self.stuck_pixels),
            noise,
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Writes a camera's check results to the show's store (a restart reads them back).
fn keep_checks(store: &Mutex<Box<dyn Store>>, entry: &CameraChecks) -> Result<(), PreviewError> {
    let result = serde_json::to_string(entry).map_err(|e| PreviewError::Store(e.to_string()))?;
    let stored = StoredChecks {
        camera: entry.camera.clone(),
        result,
    };
    lock(store)
        .put_camera_checks(&stored)
        .map_err(|e| PreviewError::Store(e.to_string()))
}

impl Previews {
    /// Reads back the check results kept in `store` (at start). A row that no longer reads
    /// is left out, with a warning naming its camera.
    pub fn restore_checks(&self, store: &Mutex<Box<dyn Store>>) -> Result<(), StoreError> {
        let rows = lock(store).camera_checks()?;
        let mut checks = lock(&self.checks);
        for row in rows {
            match serde_json::from_str::<CameraChecks>(&row.result) {
                Ok(c) => {
                    checks.insert(row.camera, c);
                }
                Err(e) => eprintln!(
                    "lookwire: the stored checks of camera {:?} do not read ({e}); left out",
                    row.camera
                ),
            }
        }
        Ok(())
    }

    /// Every camera's latest check results, in show order (cameras never checked left
    /// out): what `GET /checks` lists and the show report prints.
    pub fn camera_checks(&self, show: &crate::show::Show) -> Vec<CameraChecks> {
        let checks = lock(&self.checks);
        show.cameras
            .keys()
            .filter_map(|c| checks.get(c).cloned())
            .collect()
    }
}

/// Frames sent one after another, each a 4-byte big-endian length and then the file.
fn framed(mut bytes: &[u8]) -> Result<Vec<lookwire_color::chart::Frame>, PreviewError> {
    let mut frames = Vec::new();
    while !bytes.is_empty() {
        let i = frames.len();
        let bad = |m: String| PreviewError::Still(format!("frame {i}: {m}"));
        let (head, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or_else(|| bad("a length needs 4 bytes".into()))?;
        let n = u32::from_be_bytes(*head) as usize;
        if n > rest.len() {
            return Err(bad(format!("{n} bytes announced, {} left", rest.len())));
        }
        if frames.len() == *checks::STUCK_FRAMES.end() {
            return Err(bad(
                "more frames than the 16 a stuck-pixel check takes".into()
            ));
        }
        let (file, tail) = rest.split_at(n);
        frames.push(
            super::still::decode(file)
                .map_err(|e| bad(e.to_string()))?
                .0,
        );
        bytes = tail;
    }
    if frames.len() < *checks::STUCK_FRAMES.start() {
        return Err(PreviewError::Still(format!(
            "{} frames: a stuck-pixel check takes 3 to 16",
            frames.len()
        )));
    }
    Ok(frames)
}

/// How a check's result is kept in the camera's summary.
type Record = Box<dyn FnOnce(&mut CameraChecks)>;

#[utoipa::path(post, path = "/cameras/{id}/checks/{kind}", tag = "cameras",
    params(("id" = String, Path), ("kind" = String, Path, description = "hot (a frame shot with the lens capped), dead (a flat bright frame), noise (a flat grey frame) or stuck (3 to 16 frames of a moving picture)")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The frame as the camera recorded it: OpenEXR, DPX 10-bit, TIFF 16-bit or PNG. For stuck: the frames one after another, each a 4-byte big-endian length and then the file"),
    responses((status = 200, description = "DefectReport for hot, dead and stuck, NoiseReport for noise", body = DefectReport),
        (status = 400, body = crate::api::error::ErrorBody), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn run_check(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    caller: Caller,
    Path((id, kind)): Path<(String, String)>,
    body: Result<bytes::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Response, ApiError> {
    require(&caller, Role::Operator)?;
    let view = state.show.view();
    let cam = view
        .show
        .cameras
        .get(&id)
        .ok_or_else(|| ApiError::from(PreviewError::Camera(id.clone())))?;
    let kind = match kind.as_str() {
        "hot" => Some(CheckKind::Hot),
        "dead" => Some(CheckKind::Dead),
        "stuck" => Some(CheckKind::Stuck),
        "noise" => None,
        k => {
            let msg = format!("no check {k:?}: expected hot, dead, stuck or noise");
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                msg,
                "kind",
            ));
        }
    };
    let input_space = cam.input_space.clone();
    let store = Arc::clone(&state.reader);
    let bytes = body.map_err(|e| ApiError::new(e.status(), "body_rejected", e.body_text(), ""))?;
    let camera = id.clone();
    blocking(move || {
        let frames = match kind {
            Some(CheckKind::Stuck) => framed(&bytes)?,
            _ => vec![super::still::decode(&bytes)?.0],
        };
        let frame = &frames[0];
        // The check is computed with no lock held; only its result is recorded under one.
        previews.sources.pause.at("check");
        let (json, record): (_, Record) = match kind {
            Some(k) => {
                let report = match k {
                    CheckKind::Stuck => checks::stuck(&frames)?,
                    k => checks::defects(frame, k)?,
                };
                let (count, listed) = (report.count, report.defects.clone());
                let record = Box::new(move |e: &mut CameraChecks| match k {
                    CheckKind::Hot => (e.hot, e.hot_pixels) = (Some(count), listed),
                    CheckKind::Dead => (e.dead, e.dead_pixels) = (Some(count), listed),
                    CheckKind::Stuck => (e.stuck, e.stuck_pixels) = (Some(count), listed),
                });
                (serde_json::to_value(report), record)
            }
            None => {
                let space = lookwire_color::spaces::lookup(&input_space)
                    .map_err(|e| PreviewError::Still(e.to_string()))?;
                let report = checks::noise(frame, &space)?;
                let kept = report.clone();
                let record = Box::new(move |e: &mut CameraChecks| e.noise = Some(kept));
                (serde_json::to_value(report), record)
            }
        };
        // Stored before it is shown, under the lock, so the store keeps the newest result.
        let mut checks = lock(&previews.checks);
        let mut entry = checks.get(&camera).cloned().unwrap_or_default();
        entry.camera = camera.clone();
        record(&mut entry);
        keep_checks(&store, &entry)?;
        checks.insert(camera, entry);
        // Plain numbers and strings: serialising them cannot fail.
        Ok(json.unwrap_or(serde_json::Value::Null))
    })
    .await
    .map(|v| Json(v).into_response())
}

#[utoipa::path(get, path = "/checks", tag = "cameras",
    responses((status = 200, body = [CameraChecks], description = "Every camera's latest check results, in show order")))]
pub async fn list_checks(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
) -> Json<Vec<CameraChecks>> {
    Json(previews.camera_checks(&state.show.view().show))
}
