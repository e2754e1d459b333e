//! Matching over the API: start a match of a camera onto a reference camera, read the
//! result (ΔE 2000 per patch before and after, the patch picture), apply it as the
//! camera's match node. Undo an applied match with `POST /cameras/{id}/undo` (or the
//! show's undo): it is an ordinary grade change.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use lookwire_color::matching::{Corners, MatchReport, Stats};
use lookwire_color::Cdl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::post::frames::read_frame;
use crate::post::matching::{self as service, MatchApiError, MatchResult, Matches, Picture};
use crate::show::actions::GradeUpdate;
use crate::show::{Action, Id, WorkingSpace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cameras/{id}/match", post(start_match))
        .route("/matches", get(list_matches))
        .route("/matches/{id}", get(get_match))
        .route("/matches/{id}/patches.png", get(patches_png))
        .route("/matches/{id}/apply", post(apply_match))
}

/// A match to solve for the camera in the path.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchStart {
    /// The camera to match onto.
    pub reference: Id,
    /// Must be the camera's own working space (its match node lives there); default: it.
    pub working: Option<WorkingSpace>,
    /// The camera's output ΔE 2000 is measured on (it needs a display transform); default:
    /// the camera's first output with one.
    pub output: Option<Id>,
    /// A show file holding the camera's picture of the chart (EXR, TIFF, DPX or PNG);
    /// default: the built-in chart as the camera records it.
    pub frame: Option<Id>,
    /// The reference camera's picture, likewise.
    pub reference_frame: Option<Id>,
    /// The chart's corners in the camera's picture, pixels: x1,y1,…,x4,y4 (top-left,
    /// top-right, bottom-right, bottom-left); default: the chart fills the picture.
    #[schema(min_items = 8, max_items = 8)]
    pub corners: Option<[f64; 8]>,
    /// The chart's corners in the reference picture.
    #[schema(min_items = 8, max_items = 8)]
    pub reference_corners: Option<[f64; 8]>,
    /// Also fit a 3×3 matrix for monitoring only (it cannot travel in a CDL).
    #[serde(default)]
    pub monitoring_matrix: bool,
}

/// ΔE 2000 of one patch.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PatchDeltaView {
    pub id: String,
    pub name: String,
    /// neutral, skin, chromatic, black, specular or emissive.
    pub group: String,
    pub delta_e: f64,
    /// The reference patch on the display, CIELAB D65.
    pub reference_lab: [f64; 3],
    /// The camera's patch on the display, CIELAB D65.
    pub lab: [f64; 3],
    /// Weight in the solve; 0 = left out (clipped in either picture).
    pub weight: f64,
    /// `clipped`, `noisy`, `reference clipped`, `reference noisy`.
    pub warnings: Vec<String>,
}

/// Mean and max ΔE 2000 over the patches used in the solve, and every patch.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchStats {
    pub mean: f64,
    pub max: f64,
    pub patches: Vec<PatchDeltaView>,
}

/// A 3×3 matrix on ACES2065-1 after the match CDL, for monitoring only.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MonitoringMatrixView {
    pub matrix: [[f64; 3]; 3],
    pub mean: f64,
    pub max: f64,
}

/// A solved match.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchView {
    pub id: String,
    pub camera: Id,
    pub reference: Id,
    pub working: WorkingSpace,
    #[schema(value_type = crate::api::schema::CdlStyleDoc)]
    pub style: lookwire_color::CdlStyle,
    /// The show output ΔE 2000 is measured on, and its display transform.
    pub output: Id,
    pub display: String,
    /// Wall time of the solve, milliseconds since the Unix epoch.
    pub created_ms: i64,
    /// With the camera's picture as it is (identity match).
    pub before: MatchStats,
    /// With the match CDL.
    pub after: MatchStats,
    /// The match CDL, for the camera's match node.
    #[schema(value_type = crate::api::schema::CdlDoc)]
    pub cdl: Cdl,
    pub monitoring_matrix: Option<MonitoringMatrixView>,
    /// The show version that applied it; null until applied.
    pub applied_version: Option<u64>,
    /// The patch picture: reference | before | after per patch, ΔE after underneath.
    pub picture: String,
}

/// The match applied as the camera's match node.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct MatchApplied {
    pub version: u64,
    pub camera: Id,
    #[serde(rename = "match")]
    #[schema(value_type = crate::api::schema::CdlDoc)]
    pub match_cdl: Cdl,
}

fn stats(s: &Stats) -> MatchStats {
    MatchStats {
        mean: s.mean,
        max: s.max,
        patches: s
            .patches
            .iter()
            .map(|p| PatchDeltaView {
                id: p.id.clone(),
                name: p.name.clone(),
                group: serde_json::to_value(p.group)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                delta_e: p.delta_e,
                reference_lab: p.reference_lab,
                lab: p.lab,
                weight: p.weight,
                warnings: p.warnings.iter().map(|w| (*w).to_owned()).collect(),
            })
            .collect(),
    }
}

fn view(r: &MatchResult) -> MatchView {
    let report: &MatchReport = &r.report;
    MatchView {
        id: r.id.clone(),
        camera: r.camera.clone(),
        reference: r.reference.clone(),
        working: r.working,
        style: r.style,
        output: r.output.clone(),
        display: r.display.clone(),
        created_ms: r.created_ms,
        before: stats(&report.before),
        after: stats(&report.after),
        cdl: report.cdl,
        monitoring_matrix: report
            .monitoring_matrix
            .as_ref()
            .map(|m| MonitoringMatrixView {
                matrix: m.matrix,
                mean: m.mean,
                max: m.max,
            }),
        applied_version: r.applied_version,
        picture: format!("/api/v1/matches/{}/patches.png", r.id),
    }
}

impl From<MatchApiError> for ApiError {
    fn from(err: MatchApiError) -> ApiError {
        let (status, code) = match &err {
            MatchApiError::Camera(_) | MatchApiError::NotFound(_) => {
                (StatusCode::NOT_FOUND, "not_found")
            }
            MatchApiError::Solve { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "match_failed"),
            MatchApiError::Stale { .. } => (StatusCode::CONFLICT, "stale_match"),
            _ => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_value"),
        };
        ApiError::new(status, code, err.to_string(), err.path())
    }
}

/// Loads an uploaded picture from the show's files.
async fn picture(
    state: &AppState,
    file: Option<Id>,
    field: &'static str,
) -> Result<Picture, ApiError> {
    let Some(id) = file else {
        return Ok(Picture::Builtin);
    };
    let bad = |message: String| ApiError::from(MatchApiError::Frame { field, message });
    let lookup = id.clone();
    let stored = state
        .with_reader(move |s| s.get_file(&lookup))
        .await?
        .ok_or_else(|| {
            bad(format!(
                "no file {id:?} in the show (upload it: POST /files)"
            ))
        })?;
    let name = stored.name.clone();
    let frame = tokio::task::spawn_blocking(move || {
        let ext = std::path::Path::new(&stored.name)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_owned();
        let tmp = tempfile::Builder::new()
            .suffix(&format!(".{ext}"))
            .tempfile()
            .map_err(|e| e.to_string())?;
        std::fs::write(tmp.path(), &stored.bytes).map_err(|e| e.to_string())?;
        read_frame(tmp.path()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| ApiError::internal(format!("frame task failed: {e}")))?
    .map_err(|e| bad(format!("file {id:?} ({name}): {e}")))?;
    Ok(Picture::Frame(Arc::new(frame)))
}

fn corners(c: Option<[f64; 8]>) -> Option<Corners> {
    c.map(|v| Corners([0, 1, 2, 3].map(|i| [v[2 * i], v[2 * i + 1]])))
}

#[utoipa::path(post, path = "/cameras/{id}/match", tag = "matching", params(("id" = String, Path)),
    request_body = MatchStart,
    responses((status = 201, body = MatchView, description = "The solved match (not yet applied)"),
        (status = 404, body = crate::api::error::ErrorBody),
        (status = 422, body = crate::api::error::ErrorBody, description = "Bad reference, working space, output, frame or corners; or too few usable patches")))]
pub async fn start_match(
    State(state): State<AppState>,
    Extension(matches): Extension<Arc<Matches>>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(start): ApiJson<MatchStart>,
) -> Result<(StatusCode, Json<MatchView>), ApiError> {
    require(&caller, Role::Operator)?;
    let show = state.show.view().show.clone();
    if !show.cameras.contains_key(&id) {
        return Err(MatchApiError::Camera(id).into());
    }
    let spec = service::MatchSpec {
        camera: id,
        reference: start.reference,
        working: start.working,
        output: start.output,
        picture: picture(&state, start.frame, "frame").await?,
        reference_picture: picture(&state, start.reference_frame, "reference_frame").await?,
        corners: corners(start.corners),
        reference_corners: corners(start.reference_corners),
        monitoring_matrix: start.monitoring_matrix,
    };
    let result = tokio::task::spawn_blocking(move || service::solve(&show, &spec, super::now_ms()))
        .await
        .map_err(|e| ApiError::internal(format!("match task failed: {e}")))??;
    let out = view(&result);
    matches.insert(result);
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/matches", tag = "matching",
    responses((status = 200, body = [MatchView], description = "Kept results, newest first")))]
pub async fn list_matches(
    Extension(matches): Extension<Arc<Matches>>,
    _caller: Caller,
) -> Json<Vec<MatchView>> {
    Json(matches.list().iter().map(view).collect())
}

#[utoipa::path(get, path = "/matches/{id}", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = MatchView), (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn get_match(
    Extension(matches): Extension<Arc<Matches>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MatchView>, ApiError> {
    Ok(Json(view(&matches.get(&id)?)))
}

#[utoipa::path(get, path = "/matches/{id}/patches.png", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, content_type = "image/png", description = "Per patch: reference | before | after, ΔE 2000 after underneath"),
        (status = 404, body = crate::api::error::ErrorBody)))]
pub async fn patches_png(
    Extension(matches): Extension<Arc<Matches>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let result = matches.get(&id)?;
    let png = tokio::task::spawn_blocking(move || service::patch_png(&result))
        .await
        .map_err(|e| ApiError::internal(format!("picture task failed: {e}")))?
        .map_err(|e| ApiError::internal(format!("PNG encoding: {e}")))?;
    let headers = [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))];
    Ok((headers, png).into_response())
}

#[utoipa::path(post, path = "/matches/{id}/apply", tag = "matching", params(("id" = String, Path)),
    responses((status = 200, body = MatchApplied, description = "Set as the camera's match node; POST /cameras/{camera}/undo takes it back"),
        (status = 404, body = crate::api::error::ErrorBody),
        (status = 409, body = crate::api::error::ErrorBody, description = "The camera changed since the match was solved")))]
pub async fn apply_match(
    State(state): State<AppState>,
    Extension(matches): Extension<Arc<Matches>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<MatchApplied>, ApiError> {
    require(&caller, Role::Operator)?;
    let result = matches.get(&id)?;
    let cdl = result.check_current(&state.show.view().show)?;
    let update = GradeUpdate {
        match_cdl: Some(cdl),
        ..Default::default()
    };
    let action = Action::SetGrade {
        camera: result.camera.clone(),
        update,
    };
    let applied = state.show.apply(&caller.name, action, None).await?;
    matches.mark_applied(&id, applied.version);
    Ok(Json(MatchApplied {
        version: applied.version,
        camera: result.camera,
        match_cdl: cdl,
    }))
}
