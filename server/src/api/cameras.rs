//! Cameras and their grades: list, create, change, delete, undo, redo, reset, copy.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use lookwire_color::Cdl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::show::actions::{CameraUpdate, GradeUpdate};
use crate::show::{Action, Camera, Grade, Id, Scope, Snapshot, WorkingSpace};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cameras", get(list_cameras).post(create_camera))
        .route(
            "/cameras/{id}",
            get(get_camera).patch(update_camera).delete(delete_camera),
        )
        .route("/cameras/{id}/grade", get(get_grade).patch(set_grade))
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
}

/// One node of a grade, in the order it is applied.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum GradeNode {
    /// A CDL node (`role` is `match` or `trim`).
    Cdl {
        role: String,
        #[schema(value_type = super::schema::CdlDoc)]
        cdl: Cdl,
    },
    /// The show look: its CDL and/or look LUT file.
    Look {
        look: Id,
        #[schema(value_type = Option<super::schema::CdlDoc>)]
        cdl: Option<Cdl>,
        lut: Option<Id>,
    },
}

/// A camera's grade and the ordered nodes it applies.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct GradeView {
    #[serde(rename = "match")]
    #[schema(value_type = super::schema::CdlDoc)]
    pub match_cdl: Cdl,
    #[schema(value_type = super::schema::CdlDoc)]
    pub trim: Cdl,
    pub look: Option<Id>,
    /// Applied in this order in the camera's working space.
    pub nodes: Vec<GradeNode>,
    pub working_space: WorkingSpace,
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
    let mut nodes = vec![
        GradeNode::Cdl {
            role: "match".into(),
            cdl: g.match_cdl,
        },
        GradeNode::Cdl {
            role: "trim".into(),
            cdl: g.trim,
        },
    ];
    if let Some(look) = g.look.as_ref().and_then(|l| view.show.looks.get(l)) {
        nodes.push(GradeNode::Look {
            look: look.id.clone(),
            cdl: look.cdl,
            lut: look.lut.clone(),
        });
    }
    Ok(GradeView {
        match_cdl: g.match_cdl,
        trim: g.trim,
        look: g.look.clone(),
        nodes,
        working_space: camera.working_space,
    })
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
