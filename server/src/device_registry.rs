//! The devices the server knows and their link state, filled by the device manager.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

/// A device's link state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    Connected,
    Connecting,
    Disconnected,
    Error,
}

/// One device as the API lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceInfo {
    /// URL-safe id.
    pub id: String,
    /// Device family, e.g. a LUT box model or `folder`.
    pub kind: String,
    pub state: DeviceState,
    /// Milliseconds from the last pushed look's arrival at the device manager to the
    /// device's acknowledgement; absent before the first push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_push_ms: Option<f64>,
    /// Largest color error of the last pushed look as the device holds it (its lattice size
    /// and sample format) against the look, in 10-bit code values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_max_cv: Option<f64>,
    /// Mean color error of the last pushed look, in 10-bit code values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_mean_cv: Option<f64>,
    /// The device's last error (failed connection or refused look), cleared by a good push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The shared list of devices; the device manager writes it, the API reads it.
#[derive(Clone, Debug)]
pub struct DeviceRegistry {
    devices: Arc<watch::Sender<Vec<DeviceInfo>>>,
}

impl Default for DeviceRegistry {
    fn default() -> Self {
        DeviceRegistry {
            devices: Arc::new(watch::Sender::new(Vec::new())),
        }
    }
}

impl DeviceRegistry {
    /// Replaces the whole list.
    pub fn set(&self, devices: Vec<DeviceInfo>) {
        self.devices.send_replace(devices);
    }

    /// Changes the list in place (add, remove, update a state).
    pub fn update(&self, f: impl FnOnce(&mut Vec<DeviceInfo>)) {
        self.devices.send_modify(f);
    }

    /// The devices now.
    pub fn list(&self) -> Vec<DeviceInfo> {
        self.devices.borrow().clone()
    }

    /// Wakes on every change of the list.
    pub fn subscribe(&self) -> watch::Receiver<Vec<DeviceInfo>> {
        self.devices.subscribe()
    }
}
