//! Cameras and their grades: list, create, change, delete, undo, redo, reset, copy.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookwire_color::Cdl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::show::actions::{CameraUpdate, GradeUpdate};
use crate::show::{
    fitted_cdl_for, Action, Camera, FittedCdl, Grade, GradeNode, Id, Recorder, RgbCurves, Scope,
    Snapshot, TimecodeSource, WorkingSpace,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cameras", get(list_cameras).post(create_camera))
        .route(
            "/cameras/{id}",
            get(get_camera).patch(update_camera).delete(delete_camera),
        )
        .route("/cameras/{id}/grade", get(get_grade).patch(set_grade))
        .route("/cameras/{id}/fitted-cdl", get(fitted_cdl))
        .route("/cameras/{id}/undo", post(undo_camera))
        .route("/cameras/{id}/redo", post(redo_camera))
        .route("/cameras/{id}/reset", post(reset_grade))
        .route("/cameras/{id}/copy-grade", post(copy_grade))
        .route(
            "/cameras/{id}/snapshots",
            get(list_snapshots).post(take_snapshot),
        )
}

/// The show version a change produced.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Committed {
    pub version: u64,
}

/// A camera to create; absent fields take the show's defaults.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCamera {
    pub id: Id,
    pub label: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    pub input_space: String,
    pub working_space: Option<WorkingSpace>,
    pub grade: Option<Grade>,
    #[serde(default)]
    pub outputs: Vec<Id>,
    #[serde(default)]
    pub devices: Vec<Id>,
    #[serde(default)]
    pub recorders: Vec<Recorder>,
    /// The camera's timecode source when it differs from the show's.
    pub timecode_source: Option<TimecodeSource>,
}

/// One step of a camera's whole grade chain, in the order it is applied.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum GradeStep {
    /// A CDL (`role` is `match`, `trim` or `node`; `id` names a node).
    Cdl {
        role: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        id: Option<Id>,
        #[schema(value_type = super::schema::CdlDoc)]
        cdl: Cdl,
    },
    /// An RGB-curves node, baked as a 1D LUT in the working space.
    Curves { id: Id, curves: RgbCurves },
    /// The show look: its CDL and/or look LUT file.
    Look {
        look: Id,
        #[schema(value_type = Option<super::schema::CdlDoc>)]
        cdl: Option<Cdl>,
        lut: Option<Id>,
    },
}

/// A camera's grade and the whole chain of steps it applies.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GradeView {
    #[serde(rename = "match")]
    #[schema(value_type = super::schema::CdlDoc)]
    pub match_cdl: Cdl,
    #[schema(value_type = super::schema::CdlDoc)]
    pub trim: Cdl,
    /// The grade's nodes after the primary trim, as stored.
    pub nodes: Vec<GradeNode>,
    pub look: Option<Id>,
    /// Every step, applied in this order in the camera's working space.
    pub steps: Vec<GradeStep>,
    pub working_space: WorkingSpace,
}

/// Which output a fitted CDL is measured on.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FitQuery {
    /// An output id the camera feeds (default: its first).
    pub output: Option<Id>,
}

/// Reset options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// Also reset the match CDL (by default only the trim goes back to identity).
    #[serde(default)]
    pub include_match: bool,
}

/// Copy this camera's grade to others.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CopyGradeRequest {
    /// Target camera ids.
    pub to: Vec<Id>,
    /// Copy the match CDL too (by default each target keeps its own match).
    #[serde(default)]
    pub include_match: bool,
}

/// A snapshot to take of a camera's current grade.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSnapshot {
    pub id: Id,
    pub name: String,
}

fn camera(state: &AppState, id: &str) -> Result<Camera, ApiError> {
    state
        .show
        .view()
        .show
        .cameras
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("camera", id))
}

pub(crate) fn not_found(what: &'static str, id: &str) -> ApiError {
    crate::show::ShowError::NotFound {
        what,
        id: id.to_owned(),
    }
    .into()
}

/// Runs an action as `caller` and answers with the new version.
pub(crate) async fn commit(
    state: &AppState,
    caller: &Caller,
    action: Action,
) -> Result<Json<Committed>, ApiError> {
    let applied = state.show.apply(&caller.name, action, None).await?;
    Ok(Json(Committed {
        version: applied.version,
    }))
}

#[utoipa::path(get, path = "/cameras", tag = "cameras",
    responses((status = 200, body = [Camera], description = "Every camera, in show order")))]
pub async fn list_cameras(State(state): State<AppState>, _caller: Caller) -> Json<Vec<Camera>> {
    Json(state.show.view().show.cameras.values().cloned().collect())
}

#[utoipa::path(post, path = "/cameras", tag = "cameras", request_body = NewCamera,
    responses((status = 201, body = Camera), (status = 400, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn create_camera(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewCamera>,
) -> Result<(StatusCode, Json<Camera>), ApiError> {
    require(&caller, Role::Operator)?;
    let view = state.show.view();
    let camera = Camera {
        id: new.id.clone(),
        label: new.label,
        make: new.make,
        model: new.model,
        input_space: new.input_space,
        working_space: new.working_space.unwrap_or(view.show.working_space),
        grade: new.grade.unwrap_or_else(|| Grade::with_look(None)),
        outputs: new.outputs,
        devices: new.devices,
        recorders: new.recorders,
        timecode_source: new.timecode_source,
    };
    state
        .show
        .apply(&caller.name, Action::CreateCamera(Box::new(camera)), None)
        .await?;
    Ok((StatusCode::CREATED, Json(self::camera(&state, &new.id)?)))
}

#[utoipa::path(get, path = "/cameras/{id}", tag = "cameras", params(("id" = String, Path)),
    responses((status = 200, body = Camera), (status = 404, body = super::error::ErrorBody)))]
pub async fn get_camera(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Camera>, ApiError> {
    camera(&state, &id).map(Json)
}

#[utoipa::path(patch, path = "/cameras/{id}", tag = "cameras", params(("id" = String, Path)),
    request_body = CameraUpdate,
    responses((status = 200, body = Camera), (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn update_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<CameraUpdate>,
) -> Result<Json<Camera>, ApiError> {
    require(&caller, Role::Operator)?;
    let action = Action::UpdateCamera {
        id: id.clone(),
        update,
    };
    state.show.apply(&caller.name, action, None).await?;
    camera(&state, &id).map(Json)
}

#[utoipa::path(delete, path = "/cameras/{id}", tag = "cameras", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody)))]
pub async fn delete_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::DeleteCamera(id)).await
}

fn grade_view(state: &AppState, id: &str) -> Result<GradeView, ApiError> {
    let view = state.show.view();
    let camera = view
        .show
        .cameras
        .get(id)
        .ok_or_else(|| not_found("camera", id))?;
    let g = &camera.grade;
    let cdl_step = |role: &str, id: Option<&Id>, cdl: Cdl| GradeStep::Cdl {
        role: role.into(),
        id: id.cloned(),
        cdl,
    };
    let mut steps = vec![
        cdl_step("match", None, g.match_cdl),
        cdl_step("trim", None, g.trim),
    ];
    steps.extend(g.nodes.iter().map(|n| match n {
        GradeNode::Cdl { id, cdl } => cdl_step("node", Some(id), *cdl),
        GradeNode::Curves { id, curves } => GradeStep::Curves {
            id: id.clone(),
            curves: curves.clone(),
        },
    }));
    if let Some(look) = g.look.as_ref().and_then(|l| view.show.looks.get(l)) {
        steps.push(GradeStep::Look {
            look: look.id.clone(),
            cdl: look.cdl,
            lut: look.lut.clone(),
        });
    }
    Ok(GradeView {
        match_cdl: g.match_cdl,
        trim: g.trim,
        nodes: g.nodes.clone(),
        look: g.look.clone(),
        steps,
        working_space: camera.working_space,
    })
}

#[utoipa::path(get, path = "/cameras/{id}/fitted-cdl", tag = "grades",
    params(("id" = String, Path), FitQuery),
    responses((status = 200, body = FittedCdl,
        description = "The one CDL that stands for the grade on CDL-only devices and exports, \
            exact when the grade merges, else a least-squares fit, with its error"),
        (status = 400, body = super::error::ErrorBody), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "The look cannot be described (a LUT file in it)")))]
pub async fn fitted_cdl(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
    query: Result<Query<FitQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<FittedCdl>, ApiError> {
    let Query(query) =
        query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text(), ""))?;
    let cam = camera(&state, &id)?;
    let output = match query.output {
        Some(o) if cam.outputs.contains(&o) => o,
        Some(o) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("camera {id:?} does not feed output {o:?}"),
                "output",
            ))
        }
        None => cam.outputs.first().cloned().ok_or_else(|| {
            ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("camera {id:?} feeds no output"),
                "/outputs",
            )
        })?,
    };
    let view = state.show.view();
    let fit = tokio::task::spawn_blocking(move || fitted_cdl_for(&view.show, &id, &output))
        .await
        .map_err(|e| ApiError::internal(e.to_string()))?;
    fit.map(Json)
        .map_err(|e| ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string(), ""))
}

#[utoipa::path(get, path = "/cameras/{id}/grade", tag = "grades", params(("id" = String, Path)),
    responses((status = 200, body = GradeView), (status = 404, body = super::error::ErrorBody)))]
pub async fn get_grade(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<GradeView>, ApiError> {
    grade_view(&state, &id).map(Json)
}

#[utoipa::path(patch, path = "/cameras/{id}/grade", tag = "grades", params(("id" = String, Path)),
    request_body = GradeUpdate,
    responses((status = 200, body = GradeView), (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody), (status = 422, body = super::error::ErrorBody)))]
pub async fn set_grade(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<GradeUpdate>,
) -> Result<Json<GradeView>, ApiError> {
    require(&caller, Role::Operator)?;
    let action = Action::SetGrade {
        camera: id.clone(),
        update,
    };
    state.show.apply(&caller.name, action, None).await?;
    grade_view(&state, &id).map(Json)
}

#[utoipa::path(post, path = "/cameras/{id}/undo", tag = "grades", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "Nothing to undo")))]
pub async fn undo_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::Undo(Scope::Camera(id))).await
}

#[utoipa::path(post, path = "/cameras/{id}/redo", tag = "grades", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody, description = "Nothing to redo")))]
pub async fn redo_camera(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::Redo(Scope::Camera(id))).await
}

#[utoipa::path(post, path = "/cameras/{id}/reset", tag = "grades", params(("id" = String, Path)),
    request_body = ResetRequest,
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody)))]
pub async fn reset_grade(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(reset): ApiJson<ResetRequest>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    let action = Action::ResetGrade {
        camera: id,
        include_match: reset.include_match,
    };
    commit(&state, &caller, action).await
}

#[utoipa::path(post, path = "/cameras/{id}/copy-grade", tag = "grades", params(("id" = String, Path)),
    request_body = CopyGradeRequest,
    responses((status = 200, body = Committed), (status = 404, body = super::error::ErrorBody)))]
pub async fn copy_grade(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(copy): ApiJson<CopyGradeRequest>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    let action = Action::CopyGrade {
        from: id,
        to: copy.to,
        include_match: copy.include_match,
    };
    commit(&state, &caller, action).await
}

#[utoipa::path(get, path = "/cameras/{id}/snapshots", tag = "snapshots", params(("id" = String, Path)),
    responses((status = 200, body = [Snapshot]), (status = 404, body = super::error::ErrorBody)))]
pub async fn list_snapshots(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<Snapshot>>, ApiError> {
    let view = state.show.view();
    if !view.show.cameras.contains_key(&id) {
        return Err(not_found("camera", &id));
    }
    let list = view.show.snapshots.values().filter(|s| s.camera == id);
    Ok(Json(list.cloned().collect()))
}

#[utoipa::path(post, path = "/cameras/{id}/snapshots", tag = "snapshots", params(("id" = String, Path)),
    request_body = NewSnapshot,
    responses((status = 201, body = Snapshot), (status = 404, body = super::error::ErrorBody),
        (status = 409, body = super::error::ErrorBody)))]
pub async fn take_snapshot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewSnapshot>,
) -> Result<(StatusCode, Json<Snapshot>), ApiError> {
    require(&caller, Role::Operator)?;
    let action = Action::TakeSnapshot {
        camera: id,
        id: new.id.clone(),
        name: new.name,
    };
    state.show.apply(&caller.name, action, None).await?;
    let view = state.show.view();
    let snapshot = view.show.snapshots.get(&new.id).cloned();
    let snapshot = snapshot.ok_or_else(|| not_found("snapshot", &new.id))?;
    Ok((StatusCode::CREATED, Json(snapshot)))
}
