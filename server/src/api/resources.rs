//! Show looks, outputs, groups (with gang trims), snapshots, scenes and device bypass.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::cameras::{commit, not_found, Committed};
use super::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::show::actions::{GroupUpdate, LookUpdate, OutputUpdate};
use crate::show::{
    Action, Bypass, GradeField, Group, Id, Output, Scene, ShowLook, MAX_FADE_FRAMES,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/looks", get(list_looks).post(create_look))
        .route(
            "/looks/{id}",
            get(get_look).patch(update_look).delete(delete_look),
        )
        .route("/outputs", get(list_outputs).post(create_output))
        .route(
            "/outputs/{id}",
            get(get_output).patch(update_output).delete(delete_output),
        )
        .route("/groups", get(list_groups).post(create_group))
        .route(
            "/groups/{id}",
            axum::routing::patch(update_group).delete(delete_group),
        )
        .route("/groups/{id}/trim", post(group_trim))
        .route("/snapshots/{id}/recall", post(recall_snapshot))
        .route("/snapshots/{id}", delete(delete_snapshot))
        .route("/scenes", get(list_scenes).post(save_scene))
        .route("/scenes/{id}/recall", post(recall_scene))
        .route("/scenes/{id}", delete(delete_scene))
        .route("/devices/{id}/bypass", put(set_device_bypass))
}

type Created<T> = Result<(StatusCode, Json<T>), ApiError>;
type ErrorBody = super::error::ErrorBody;

/// A gang trim: move a field of every camera in the group by the same amount.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupTrimRequest {
    /// A numeric grade field: `trim.offset.r`, `trim.slope` (three deltas), `trim.sat`, …
    pub field: String,
    /// A number, or three numbers for a whole channel vector.
    pub delta: Value,
}

/// A scene to save from every camera's current grade.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScene {
    pub id: Id,
    pub name: String,
    /// Frames a recall fades over (0 = cut, at most 600).
    #[serde(default)]
    #[schema(maximum = 600)]
    pub fade_frames: u32,
}

/// A device's bypass.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BypassRequest {
    pub bypass: Bypass,
}

fn guarded(caller: &Caller) -> Result<(), ApiError> {
    require(caller, Role::Operator)
}

#[utoipa::path(get, path = "/looks", tag = "looks", responses((status = 200, body = [ShowLook])))]
pub async fn list_looks(State(state): State<AppState>, _c: Caller) -> Json<Vec<ShowLook>> {
    Json(state.show.view().show.looks.values().cloned().collect())
}

fn look(state: &AppState, id: &str) -> Result<ShowLook, ApiError> {
    state
        .show
        .view()
        .show
        .looks
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("look", id))
}

#[utoipa::path(post, path = "/looks", tag = "looks", request_body = ShowLook,
    responses((status = 201, body = ShowLook), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_look(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<ShowLook>,
) -> Created<ShowLook> {
    guarded(&caller)?;
    let id = new.id.clone();
    state
        .show
        .apply(&caller.name, Action::CreateLook(new), None)
        .await?;
    Ok((StatusCode::CREATED, Json(look(&state, &id)?)))
}

#[utoipa::path(get, path = "/looks/{id}", tag = "looks", params(("id" = String, Path)),
    responses((status = 200, body = ShowLook), (status = 404, body = ErrorBody)))]
pub async fn get_look(
    State(state): State<AppState>,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Json<ShowLook>, ApiError> {
    look(&state, &id).map(Json)
}

#[utoipa::path(patch, path = "/looks/{id}", tag = "looks", params(("id" = String, Path)), request_body = LookUpdate,
    responses((status = 200, body = ShowLook), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_look(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<LookUpdate>,
) -> Result<Json<ShowLook>, ApiError> {
    guarded(&caller)?;
    state
        .show
        .apply(
            &caller.name,
            Action::UpdateLook {
                id: id.clone(),
                update,
            },
            None,
        )
        .await?;
    look(&state, &id).map(Json)
}

#[utoipa::path(delete, path = "/looks/{id}", tag = "looks", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Still used")))]
pub async fn delete_look(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::DeleteLook(id)).await
}

#[utoipa::path(get, path = "/outputs", tag = "outputs", responses((status = 200, body = [Output])))]
pub async fn list_outputs(State(state): State<AppState>, _c: Caller) -> Json<Vec<Output>> {
    Json(state.show.view().show.outputs.values().cloned().collect())
}

fn output(state: &AppState, id: &str) -> Result<Output, ApiError> {
    state
        .show
        .view()
        .show
        .outputs
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("output", id))
}

#[utoipa::path(post, path = "/outputs", tag = "outputs", request_body = Output,
    responses((status = 201, body = Output), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_output(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<Output>,
) -> Created<Output> {
    guarded(&caller)?;
    let id = new.id.clone();
    state
        .show
        .apply(&caller.name, Action::CreateOutput(new), None)
        .await?;
    Ok((StatusCode::CREATED, Json(output(&state, &id)?)))
}

#[utoipa::path(get, path = "/outputs/{id}", tag = "outputs", params(("id" = String, Path)),
    responses((status = 200, body = Output), (status = 404, body = ErrorBody)))]
pub async fn get_output(
    State(state): State<AppState>,
    _c: Caller,
    Path(id): Path<String>,
) -> Result<Json<Output>, ApiError> {
    output(&state, &id).map(Json)
}

#[utoipa::path(patch, path = "/outputs/{id}", tag = "outputs", params(("id" = String, Path)), request_body = OutputUpdate,
    responses((status = 200, body = Output), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_output(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<OutputUpdate>,
) -> Result<Json<Output>, ApiError> {
    guarded(&caller)?;
    state
        .show
        .apply(
            &caller.name,
            Action::UpdateOutput {
                id: id.clone(),
                update,
            },
            None,
        )
        .await?;
    output(&state, &id).map(Json)
}

#[utoipa::path(delete, path = "/outputs/{id}", tag = "outputs", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "Still fed by a camera")))]
pub async fn delete_output(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::DeleteOutput(id)).await
}

#[utoipa::path(get, path = "/groups", tag = "groups", responses((status = 200, body = [Group])))]
pub async fn list_groups(State(state): State<AppState>, _c: Caller) -> Json<Vec<Group>> {
    Json(state.show.view().show.groups.values().cloned().collect())
}

fn group(state: &AppState, id: &str) -> Result<Group, ApiError> {
    state
        .show
        .view()
        .show
        .groups
        .get(id)
        .cloned()
        .ok_or_else(|| not_found("group", id))
}

#[utoipa::path(post, path = "/groups", tag = "groups", request_body = Group,
    responses((status = 201, body = Group), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<Group>,
) -> Created<Group> {
    guarded(&caller)?;
    let id = new.id.clone();
    state
        .show
        .apply(&caller.name, Action::CreateGroup(new), None)
        .await?;
    Ok((StatusCode::CREATED, Json(group(&state, &id)?)))
}

#[utoipa::path(patch, path = "/groups/{id}", tag = "groups", params(("id" = String, Path)), request_body = GroupUpdate,
    responses((status = 200, body = Group), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<GroupUpdate>,
) -> Result<Json<Group>, ApiError> {
    guarded(&caller)?;
    state
        .show
        .apply(
            &caller.name,
            Action::UpdateGroup {
                id: id.clone(),
                update,
            },
            None,
        )
        .await?;
    group(&state, &id).map(Json)
}

#[utoipa::path(delete, path = "/groups/{id}", tag = "groups", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody)))]
pub async fn delete_group(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::DeleteGroup(id)).await
}

#[utoipa::path(post, path = "/groups/{id}/trim", tag = "groups", params(("id" = String, Path)), request_body = GroupTrimRequest,
    responses((status = 200, body = Committed), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn group_trim(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<GroupTrimRequest>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    let field = GradeField::parse(&req.field).map_err(|m| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            m,
            "/field",
        )
    })?;
    commit(
        &state,
        &caller,
        Action::GroupTrim {
            group: id,
            field,
            delta: req.delta,
        },
    )
    .await
}

#[utoipa::path(post, path = "/snapshots/{id}/recall", tag = "snapshots", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody)))]
pub async fn recall_snapshot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::RecallSnapshot(id)).await
}

#[utoipa::path(delete, path = "/snapshots/{id}", tag = "snapshots", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody)))]
pub async fn delete_snapshot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::DeleteSnapshot(id)).await
}

#[utoipa::path(get, path = "/scenes", tag = "scenes", responses((status = 200, body = [Scene])))]
pub async fn list_scenes(State(state): State<AppState>, _c: Caller) -> Json<Vec<Scene>> {
    Json(state.show.view().show.scenes.values().cloned().collect())
}

#[utoipa::path(post, path = "/scenes", tag = "scenes", request_body = NewScene,
    responses((status = 201, body = Scene), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn save_scene(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(new): ApiJson<NewScene>,
) -> Created<Scene> {
    guarded(&caller)?;
    if new.fade_frames > MAX_FADE_FRAMES {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!(
                "fade_frames is {}: it must be at most {MAX_FADE_FRAMES}",
                new.fade_frames
            ),
            "/fade_frames",
        ));
    }
    let id = new.id.clone();
    let action = Action::SaveScene {
        id: new.id,
        name: new.name,
        fade_frames: new.fade_frames,
    };
    state.show.apply(&caller.name, action, None).await?;
    let scene = state
        .show
        .view()
        .show
        .scenes
        .get(&id)
        .cloned()
        .ok_or_else(|| not_found("scene", &id))?;
    Ok((StatusCode::CREATED, Json(scene)))
}

#[utoipa::path(post, path = "/scenes/{id}/recall", tag = "scenes", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn recall_scene(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::RecallScene(id)).await
}

#[utoipa::path(delete, path = "/scenes/{id}", tag = "scenes", params(("id" = String, Path)),
    responses((status = 200, body = Committed), (status = 404, body = ErrorBody)))]
pub async fn delete_scene(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Committed>, ApiError> {
    guarded(&caller)?;
    commit(&state, &caller, Action::DeleteScene(id)).await
}

#[utoipa::path(put, path = "/devices/{id}/bypass", tag = "devices", params(("id" = String, Path)), request_body = BypassRequest,
    responses((status = 200, body = Committed), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_device_bypass(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<BypassRequest>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Admin)?;
    commit(
        &state,
        &caller,
        Action::SetDeviceBypass {
            device: id,
            bypass: req.bypass,
        },
    )
    .await
}
