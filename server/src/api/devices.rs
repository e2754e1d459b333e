//! Devices at run time: add, configure, test and remove them (kept in the store, so they
//! come back after a restart), the cameras' tally, and Videohub routing.
//!
//! `GET /devices` (the list with each device's state) lives with the session routes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use lookwire_color::formats::LutFile;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{require, ApiError, ApiJson, AppState};
use crate::auth::{Caller, Role};
use crate::device_registry::DeviceInfo;
use crate::devices::admin::{AdminError, TestAction, TestResult};
use crate::devices::config::DeviceConfig;
use crate::devices::tally::CameraTally;
use crate::devices::DeviceService;
use crate::store::StoredDevice;

type ErrorBody = super::error::ErrorBody;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/devices", post(create_device))
        .route(
            "/devices/{id}",
            get(get_device).put(update_device).delete(delete_device),
        )
        .route("/devices/{id}/test", post(test_device))
        .route("/devices/{id}/router", get(get_router))
        .route("/devices/{id}/router/outputs/{output}", put(route_output))
        .route("/tally", get(get_tally))
}

/// One device: its state, and its configuration when it was added through the API
/// (built-in devices, like the demo's simulators, have none).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeviceDetail {
    pub info: Option<DeviceInfo>,
    pub config: Option<DeviceConfig>,
}

/// A device test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    pub action: TestAction,
    /// How long an identity or test look stays before the device's look returns
    /// (default 2000, at most 30000).
    #[serde(default = "default_hold")]
    pub hold_ms: u64,
    /// Send a test look even though the camera is on air.
    #[serde(default)]
    pub force: bool,
}

fn default_hold() -> u64 {
    2000
}

/// A route request: the router input to show on the output.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteRequest {
    /// Router input, from 0 (chassis input 1 is 0).
    pub input: usize,
}

/// A Videohub as lookwire sees it (kept only from the router's own status blocks).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RouterView {
    pub model: String,
    pub protocol_version: String,
    pub input_labels: Vec<String>,
    pub output_labels: Vec<String>,
    /// The input routed to each output (index = output, from 0).
    pub routes: Vec<u32>,
    /// Per output: `owned` (by lookwire), `locked` (by another client), `unlocked`, or null.
    pub locks: Vec<Option<String>>,
}

fn service(state: &AppState) -> Result<Arc<DeviceService>, ApiError> {
    state.devices.service().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no_device_manager",
            "the device manager is not running",
            "",
        )
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no device {id:?}"),
        format!("/devices/{id}"),
    )
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        let (status, code) = match &e {
            AdminError::Unknown(_) => (StatusCode::NOT_FOUND, "not_found"),
            AdminError::OnAir { .. } => (StatusCode::CONFLICT, "on_air"),
            AdminError::Start { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "cannot_start"),
            AdminError::NotARouter(_) => (StatusCode::CONFLICT, "not_a_router"),
            AdminError::RouterDown(_) => (StatusCode::SERVICE_UNAVAILABLE, "router_down"),
            AdminError::Router(_) => (StatusCode::BAD_GATEWAY, "router_refused"),
        };
        ApiError::new(status, code, e.to_string(), "")
    }
}

/// Checks a configuration and reads its calibration LUT from the show's files.
async fn prepare(
    state: &AppState,
    config: &DeviceConfig,
) -> Result<Option<Arc<LutFile>>, ApiError> {
    let show = state.show.view();
    config.validate(&show.show).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            e.message,
            e.path,
        )
    })?;
    let Some(file_id) = config.calibration.clone() else {
        return Ok(None);
    };
    let name = show.show.files.get(&file_id).map(|f| f.name.clone());
    let stored = state
        .with_reader(move |s| s.get_file(&file_id))
        .await?
        .ok_or_else(|| {
            ApiError::bad_request("invalid_value", "the file's bytes are gone", "/calibration")
        })?;
    let name = name.unwrap_or(stored.name);
    let lut = crate::devices::config::read_calibration(&name, &stored.bytes).map_err(|m| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            m,
            "/calibration",
        )
    })?;
    Ok(Some(Arc::new(lut)))
}

async fn store_and_start(
    state: &AppState,
    svc: &DeviceService,
    config: DeviceConfig,
    calibration: Option<Arc<LutFile>>,
) -> Result<(), ApiError> {
    let stored = StoredDevice {
        id: config.id.clone(),
        config: serde_json::to_string(&config).map_err(|e| ApiError::internal(e.to_string()))?,
    };
    let id = config.id.clone();
    let old = svc.config(&id);
    svc.add(config, calibration).await?;
    if let Err(e) = state.with_reader(move |s| s.put_device(&stored)).await {
        // The store keeps what it had; so does the running device.
        match old {
            Some(old) => {
                let calibration = prepare(state, &old).await.ok().flatten();
                if let Err(back) = svc.add(old, calibration).await {
                    tracing::error!("device {id}: not stored, and the old one is gone: {back}");
                }
            }
            None => {
                svc.remove(&id);
            }
        }
        return Err(e);
    }
    Ok(())
}

#[utoipa::path(post, path = "/devices", tag = "devices", request_body = DeviceConfig,
    responses((status = 201, body = DeviceConfig), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_device(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(config): ApiJson<DeviceConfig>,
) -> Result<(StatusCode, Json<DeviceConfig>), ApiError> {
    require(&caller, Role::Admin)?;
    let svc = service(&state)?;
    if svc.knows(&config.id) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "exists",
            format!(
                "a device {:?} exists: PUT /devices/{} to change it",
                config.id, config.id
            ),
            "/id",
        ));
    }
    let calibration = prepare(&state, &config).await?;
    store_and_start(&state, &svc, config.clone(), calibration).await?;
    Ok((StatusCode::CREATED, Json(config)))
}

#[utoipa::path(get, path = "/devices/{id}", tag = "devices", params(("id" = String, Path)),
    responses((status = 200, body = DeviceDetail), (status = 404, body = ErrorBody)))]
pub async fn get_device(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<DeviceDetail>, ApiError> {
    let info = state.devices.list().into_iter().find(|d| d.id == id);
    let config = state.devices.service().and_then(|s| s.config(&id));
    if info.is_none() && config.is_none() {
        return Err(not_found(&id));
    }
    Ok(Json(DeviceDetail { info, config }))
}

#[utoipa::path(put, path = "/devices/{id}", tag = "devices", params(("id" = String, Path)), request_body = DeviceConfig,
    responses((status = 200, body = DeviceConfig), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(config): ApiJson<DeviceConfig>,
) -> Result<Json<DeviceConfig>, ApiError> {
    require(&caller, Role::Admin)?;
    let svc = service(&state)?;
    if config.id != id {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("the body's id {:?} is not the path's {id:?}", config.id),
            "/id",
        ));
    }
    if svc.config(&id).is_none() {
        return Err(if svc.knows(&id) {
            ApiError::new(
                StatusCode::CONFLICT,
                "built_in",
                format!("{id} is built in (a demo device) and cannot be reconfigured"),
                "",
            )
        } else {
            not_found(&id)
        });
    }
    let calibration = prepare(&state, &config).await?;
    store_and_start(&state, &svc, config.clone(), calibration).await?;
    Ok(Json(config))
}

#[utoipa::path(delete, path = "/devices/{id}", tag = "devices", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn delete_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&caller, Role::Admin)?;
    let svc = service(&state)?;
    let key = id.clone();
    let stored = state.with_reader(move |s| s.delete_device(&key)).await?;
    if !svc.remove(&id) && !stored {
        return Err(not_found(&id));
    }
    // Gone from the list at once, not when the publisher next runs.
    state.devices.update(|l| l.retain(|d| d.id != id));
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/devices/{id}/test", tag = "devices", params(("id" = String, Path)), request_body = TestRequest,
    responses((status = 200, body = TestResult, description = "The test ran; `ok` says whether the device passed"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody, description = "The camera is on air")))]
pub async fn test_device(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TestRequest>,
) -> Result<Json<TestResult>, ApiError> {
    require(&caller, Role::Admin)?;
    if req.hold_ms > 30_000 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!("{} ms: a test look is held at most 30000 ms", req.hold_ms),
            "/hold_ms",
        ));
    }
    let svc = service(&state)?;
    let hold = Duration::from_millis(req.hold_ms);
    Ok(Json(svc.test(&id, req.action, hold, req.force).await?))
}

#[utoipa::path(get, path = "/tally", tag = "devices",
    responses((status = 200, body = [CameraTally], description = "Every camera a tally source has reported")))]
pub async fn get_tally(State(state): State<AppState>, _caller: Caller) -> Json<Vec<CameraTally>> {
    Json(state.devices.tally())
}

fn router_view(s: &lookwire_protocol::videohub::RouterState) -> RouterView {
    use lookwire_protocol::videohub::Lock;
    RouterView {
        model: s.model.clone(),
        protocol_version: s.protocol_version.clone(),
        input_labels: s.input_labels.clone(),
        output_labels: s.output_labels.clone(),
        routes: s.routes.clone(),
        locks: s
            .locks
            .iter()
            .map(|l| {
                l.map(|l| match l {
                    Lock::Owned => "owned".to_string(),
                    Lock::Locked => "locked".to_string(),
                    Lock::Unlocked => "unlocked".to_string(),
                })
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/devices/{id}/router", tag = "devices", params(("id" = String, Path)),
    responses((status = 200, body = RouterView), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not a router"), (status = 503, body = ErrorBody, description = "The router is not connected")))]
pub async fn get_router(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<RouterView>, ApiError> {
    let hub = service(&state)?.router(&id)?;
    Ok(Json(router_view(&hub.state())))
}

#[utoipa::path(put, path = "/devices/{id}/router/outputs/{output}", tag = "devices",
    params(("id" = String, Path), ("output" = usize, Path, description = "Router output, from 0")),
    request_body = RouteRequest,
    responses((status = 200, body = RouterView, description = "The router acknowledged; its state once it reported the route (or after 1 s)"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody), (status = 502, body = ErrorBody)))]
pub async fn route_output(
    State(state): State<AppState>,
    caller: Caller,
    path: Result<Path<(String, usize)>, axum::extract::rejection::PathRejection>,
    ApiJson(req): ApiJson<RouteRequest>,
) -> Result<Json<RouterView>, ApiError> {
    let Path((id, output)) = path.map_err(|e| {
        ApiError::bad_request(
            "invalid_path",
            format!(
                "{}: the router output is a port number from 0",
                e.body_text()
            ),
            "/output",
        )
    })?;
    require(&caller, Role::Operator)?;
    let hub = service(&state)?.router(&id)?;
    let s = hub.state();
    if output >= s.routes.len() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!(
                "output {output}: the router has outputs 0 to {}",
                s.routes.len().saturating_sub(1)
            ),
            "output",
        ));
    }
    if req.input >= s.input_labels.len() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!(
                "input {}: the router has inputs 0 to {}",
                req.input,
                s.input_labels.len().saturating_sub(1)
            ),
            "/input",
        ));
    }
    let mut rx = hub.subscribe();
    hub.route(output, req.input)
        .await
        .map_err(AdminError::from)?;
    // ACK means accepted; the route is real once the router reports it.
    let want = req.input as u32;
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        rx.wait_for(|s| s.routes.get(output) == Some(&want)),
    )
    .await;
    Ok(Json(router_view(&hub.state())))
}
