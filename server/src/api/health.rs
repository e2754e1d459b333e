//! `GET /health`: whether the server can take changes, for monitoring and the UI's banner.
//!
//! Open to every caller, logged in or not, so a probe needs no token; it says nothing a
//! watcher of the truck's network could misuse (no show content, no names).

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use crate::device_registry::DeviceState;

/// The process's start, as near as the API can know it (its first use).
static STARTED: OnceLock<Instant> = OnceLock::new();

pub fn routes() -> Router<AppState> {
    STARTED.get_or_init(Instant::now);
    Router::new().route("/health", get(get_health))
}

/// Whether the show takes changes, and how the devices' links stand.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// True when the show takes changes (its store syncs and its writer runs).
    pub ok: bool,
    /// Why the show takes no changes, when it does not (e.g. a failed disk sync: restart
    /// the server; every change answered before is on the disk).
    pub refusal: Option<String>,
    /// The server's version.
    pub version: String,
    /// Seconds since the API started.
    pub uptime_s: f64,
    /// The version of the latest durable change.
    pub show_version: u64,
    pub devices: DeviceCounts,
}

/// Devices by link state.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct DeviceCounts {
    pub connected: usize,
    pub connecting: usize,
    pub disconnected: usize,
    pub error: usize,
}

#[utoipa::path(get, path = "/health", tag = "show",
    responses((status = 200, body = Health, description = "The show takes changes"),
        (status = 503, body = Health, description = "The show takes no changes: see `refusal`")))]
pub async fn get_health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let refusal = state.show.refusal();
    let mut devices = DeviceCounts::default();
    for device in state.devices.list() {
        *match device.state {
            DeviceState::Connected => &mut devices.connected,
            DeviceState::Connecting => &mut devices.connecting,
            DeviceState::Disconnected => &mut devices.disconnected,
            DeviceState::Error => &mut devices.error,
        } += 1;
    }
    let health = Health {
        ok: refusal.is_none(),
        refusal,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        uptime_s: STARTED.get_or_init(Instant::now).elapsed().as_secs_f64(),
        show_version: state.show.view().version,
        devices,
    };
    let status = if health.ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::{Method, StatusCode};
    use serde_json::json;

    use crate::api::testkit::TestApp;
    use crate::auth::{hash_secret, Auth};
    use crate::device_registry::{DeviceInfo, DeviceState};

    #[tokio::test]
    async fn a_running_show_is_healthy_and_its_devices_are_counted_by_state() {
        let t = TestApp::demo();
        let device = |id: &str, state| DeviceInfo {
            id: id.into(),
            kind: "folder".into(),
            state,
            ..Default::default()
        };
        t.state.devices.set(vec![
            device("a", DeviceState::Connected),
            device("b", DeviceState::Connected),
            device("c", DeviceState::Error),
        ]);
        let (status, body) = t.get("/api/v1/health").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["ok"], true);
        assert_eq!(body["refusal"], json!(null));
        assert_eq!(
            body["devices"],
            json!({"connected": 2, "connecting": 0, "disconnected": 0, "error": 1})
        );
        let before = body["show_version"].as_u64().unwrap();
        let trim = json!({"trim": {"slope": [1.2, 1.0, 0.9], "offset": [0.0, 0.0, 0.0],
            "power": [1.0, 1.0, 1.0], "sat": 1.1}});
        let (status, body) = t.patch("/api/v1/cameras/a/grade", trim).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(t.get("/api/v1/health").await.1["show_version"], before + 1);
    }

    #[tokio::test]
    async fn health_needs_no_login() {
        let t = TestApp::with_auth(Auth::with_passphrase(hash_secret("truck seven").unwrap()));
        let (status, _) = t.call(Method::GET, "/api/v1/cameras", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let (status, body) = t.call(Method::GET, "/api/v1/health", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["ok"], true);
        // And the API document says so: no 401 here, as on the routes that need a login.
        let doc = serde_json::to_value(crate::api::openapi::document()).unwrap();
        let responses = |path: &str| doc["paths"][path]["get"]["responses"].clone();
        assert!(responses("/cameras").get("401").is_some());
        assert!(
            responses("/health").get("401").is_none(),
            "{}",
            responses("/health")
        );
    }

    #[tokio::test]
    async fn a_failed_disk_sync_makes_the_show_unhealthy_with_the_reason() {
        let (t, entered) = TestApp::with_gated_store();
        let trim = crate::show::durable_tests::trim("a", 1.1);
        let pending = t.state.show.submit("vc", trim, None).await.unwrap();
        let (_, finish) = entered.recv_timeout(Duration::from_secs(30)).unwrap();
        assert_eq!(t.get("/api/v1/health").await.0, StatusCode::OK);
        finish.send(Err("EIO on show.sqlite-wal".into())).unwrap();
        assert!(pending.wait().await.is_err());
        let (status, body) = t.get("/api/v1/health").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(body["ok"], false);
        let refusal = body["refusal"].as_str().unwrap();
        assert!(refusal.contains("EIO on show.sqlite-wal"), "{refusal}");
        assert!(refusal.contains("restart"), "{refusal}");
    }
}
