//! The show as a whole: settings, event log, show-wide undo, timecode, export and import.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cameras::{commit, Committed};
use super::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::show::actions::ShowUpdate;
use crate::show::{Action, Event, Scope, Show, TimecodeSource, WorkingSpace};
use crate::timecode::{ClockSource, FrameRate, Timecode};

/// Version of the export file format.
pub const EXPORT_FORMAT: &str = "lookwire.show";
pub const EXPORT_VERSION: u32 = 1;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/show", get(get_show).patch(update_show))
        .route("/show/undo", post(undo_show))
        .route("/show/redo", post(redo_show))
        .route("/events", get(list_events))
        .route("/timecode", get(get_timecode))
        .route("/timecode/jam", post(jam_timecode))
        .route("/export", get(export_show))
        .route("/import", post(import_show))
}

/// The show's settings and where it stands.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShowSummary {
    pub name: String,
    pub frame_rate: FrameRate,
    #[schema(value_type = super::schema::CdlStyleDoc)]
    pub cdl_style: lookwire_color::CdlStyle,
    pub working_space: WorkingSpace,
    /// Where the cameras' timecode comes from (null: not stated).
    pub timecode_source: Option<TimecodeSource>,
    /// The version of the latest committed change.
    pub version: u64,
    pub timecode: String,
    pub cameras: usize,
}

/// The show clock now.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TimecodeView {
    pub timecode: String,
    pub frame_rate: FrameRate,
    pub source: ClockSource,
}

/// Jam the show clock to a timecode.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JamRequest {
    /// `HH:MM:SS:FF` (`;` before the frames at drop-frame rates), at the show's rate.
    pub timecode: String,
}

/// Which events to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Only events after this version.
    #[serde(default)]
    pub since: u64,
    /// At most this many (1–1000, default 100).
    pub limit: Option<usize>,
}

/// A whole show in one file, for moving it between trucks.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowExport {
    /// Always `lookwire.show`.
    pub format: String,
    /// The file format version (this build writes 1 and reads 1).
    pub format_version: u32,
    /// The show version it was exported at.
    pub version: u64,
    pub show: Show,
}

fn summary(state: &AppState) -> ShowSummary {
    let view = state.show.view();
    ShowSummary {
        name: view.show.name.clone(),
        frame_rate: view.show.frame_rate,
        cdl_style: view.show.cdl_style,
        working_space: view.show.working_space,
        timecode_source: view.show.timecode_source.clone(),
        version: view.version,
        timecode: state.show.timecode().to_string(),
        cameras: view.show.cameras.len(),
    }
}

#[utoipa::path(get, path = "/show", tag = "show", responses((status = 200, body = ShowSummary)))]
pub async fn get_show(State(state): State<AppState>, _caller: Caller) -> Json<ShowSummary> {
    Json(summary(&state))
}

#[utoipa::path(patch, path = "/show", tag = "show", request_body = ShowUpdate,
    responses((status = 200, body = ShowSummary), (status = 400, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn update_show(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(update): ApiJson<ShowUpdate>,
) -> Result<Json<ShowSummary>, ApiError> {
    require(&caller, Role::Operator)?;
    state
        .show
        .apply(&caller.name, Action::UpdateShow(update), None)
        .await?;
    Ok(Json(summary(&state)))
}

#[utoipa::path(post, path = "/show/undo", tag = "show",
    responses((status = 200, body = Committed), (status = 409, body = super::error::ErrorBody)))]
pub async fn undo_show(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::Undo(Scope::Show)).await
}

#[utoipa::path(post, path = "/show/redo", tag = "show",
    responses((status = 200, body = Committed), (status = 409, body = super::error::ErrorBody)))]
pub async fn redo_show(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Operator)?;
    commit(&state, &caller, Action::Redo(Scope::Show)).await
}

#[utoipa::path(get, path = "/events", tag = "show", params(EventsQuery),
    responses((status = 200, body = [Event]), (status = 400, body = super::error::ErrorBody)))]
pub async fn list_events(
    State(state): State<AppState>,
    _caller: Caller,
    query: Result<Query<EventsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<Event>>, ApiError> {
    let Query(query) =
        query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text(), ""))?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit is {limit}: it must be 1 to 1000"),
            "limit",
        ));
    }
    let since = query.since;
    // Only what is durable: the store may already hold a commit whose disk sync runs.
    let durable = state.show.view().version;
    let mut events = state
        .with_reader(move |s| s.events_since(since, limit))
        .await?;
    events.retain(|e| e.version <= durable);
    Ok(Json(events))
}

fn timecode_view(state: &AppState) -> TimecodeView {
    state.show.with_clock(|c| TimecodeView {
        timecode: c.now().to_string(),
        frame_rate: c.rate(),
        source: c.source(),
    })
}

#[utoipa::path(get, path = "/timecode", tag = "timecode", responses((status = 200, body = TimecodeView)))]
pub async fn get_timecode(State(state): State<AppState>, _caller: Caller) -> Json<TimecodeView> {
    Json(timecode_view(&state))
}

#[utoipa::path(post, path = "/timecode/jam", tag = "timecode", request_body = JamRequest,
    responses((status = 200, body = TimecodeView), (status = 400, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn jam_timecode(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(jam): ApiJson<JamRequest>,
) -> Result<Json<TimecodeView>, ApiError> {
    require(&caller, Role::Operator)?;
    let rate = state.show.view().show.frame_rate;
    let tc = Timecode::parse(&jam.timecode, rate).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            e.to_string(),
            "/timecode",
        )
    })?;
    state.show.with_clock(|c| c.jam(tc, ClockSource::Jammed));
    Ok(Json(timecode_view(&state)))
}

#[utoipa::path(get, path = "/export", tag = "show",
    responses((status = 200, body = ShowExport, description = "The show as one JSON file")))]
pub async fn export_show(State(state): State<AppState>, _caller: Caller) -> impl IntoResponse {
    let view = state.show.view();
    let export = ShowExport {
        format: EXPORT_FORMAT.into(),
        format_version: EXPORT_VERSION,
        version: view.version,
        show: view.show.clone(),
    };
    (
        [(
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"show.lookwire.json\"",
        )],
        Json(export),
    )
}

/// Checks an export file's header before its show is imported.
pub fn check_export(export: &ShowExport) -> Result<(), ApiError> {
    if export.format != EXPORT_FORMAT {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("format is {:?}: expected {EXPORT_FORMAT:?}", export.format),
            "/format",
        ));
    }
    if export.format_version != EXPORT_VERSION {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unsupported_version",
            format!(
                "format_version {} is not supported: this build reads {EXPORT_VERSION}",
                export.format_version
            ),
            "/format_version",
        ));
    }
    Ok(())
}

#[utoipa::path(post, path = "/import", tag = "show", request_body = ShowExport,
    responses((status = 200, body = Committed), (status = 400, body = super::error::ErrorBody),
        (status = 422, body = super::error::ErrorBody)))]
pub async fn import_show(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(export): ApiJson<ShowExport>,
) -> Result<Json<Committed>, ApiError> {
    require(&caller, Role::Admin)?;
    check_export(&export)?;
    commit(&state, &caller, Action::Import(Box::new(export.show))).await
}
