//! The devices the server knows and their link state, filled by the device manager.

use std::sync::{Arc, RwLock, Weak};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use utoipa::ToSchema;

use crate::devices::tally::{CameraTally, ProtectionState};
use crate::devices::DeviceService;

/// A device's link state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeviceState {
    Connected,
    #[default]
    Connecting,
    Disconnected,
    Error,
}

/// How closely the look a device holds follows the exact transform of its grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LookQuality {
    /// The fast live bake, sent while the grade changes: within a fraction of a 10-bit
    /// code at the median, up to hundreds of codes on saturated and bright colours.
    Live,
    /// Within one 10-bit code of the exact transform at every node: the certified bake
    /// pushed once the grade has settled, or an exact bake.
    Certified,
}

impl From<lookwire_protocol::LookQuality> for LookQuality {
    fn from(q: lookwire_protocol::LookQuality) -> Self {
        match q {
            lookwire_protocol::LookQuality::Live => LookQuality::Live,
            lookwire_protocol::LookQuality::Certified => LookQuality::Certified,
        }
    }
}

/// One device as the API lists it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeviceInfo {
    /// URL-safe id.
    pub id: String,
    /// Device family, e.g. a LUT box model or `folder`.
    pub kind: String,
    pub state: DeviceState,
    /// The camera whose look the device carries (look devices only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<String>,
    /// The show output the look is baked for (look devices only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The device's own bypass (look devices only): `none` shows the full look (or the
    /// output's bypass), `display-only` the display transform alone, `identity` the log
    /// signal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bypass: Option<crate::show::Bypass>,
    /// The device's camera is on air (program tally).
    #[serde(default)]
    pub on_air: bool,
    /// On-air protection: `held` while a newer look waits for the camera to leave air,
    /// `fading` while a change fades in.
    #[serde(default)]
    pub protection: ProtectionState,
    /// A monitor-calibration LUT is applied last; `false` marks an uncalibrated device.
    #[serde(default)]
    pub calibrated: bool,
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
    /// The quality of the look the device holds (its last acknowledged push).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub look_quality: Option<LookQuality>,
    /// Once the device's look is certified: how far the live look it held before was
    /// from the exact look, in 10-bit code values, largest over every node and channel
    /// (measured through the certified bake, without a third bake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_error_max_cv: Option<f64>,
    /// The same, 99.9th percentile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_error_p999_cv: Option<f64>,
    /// How far the two figures above may be from the true ones, in 10-bit code values:
    /// the certified bake's bound, 0 when every node was computed exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_error_within_cv: Option<f64>,
    /// For a device that takes only a CDL, when the grade merges into no single CDL: the
    /// error of the fitted CDL it was given, on the output against the real grade, in
    /// 10-bit code values (absent when the CDL is exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdl_fit_max_cv: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cdl_fit_mean_cv: Option<f64>,
    /// Blackmagic cameras: changes the camera reported on its event WebSocket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_events: Option<u64>,
    /// Blackmagic cameras: where the camera's own corrector differs from what lookwire sent
    /// (a knob turned at the camera, or an ATEM overriding it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera_drift: Option<String>,
    /// The device's last error (failed connection or refused look), cleared by a good push.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The shared list of devices; the device manager writes it, the API reads it. The running
/// device service is attached to it, so the API can add, test and remove devices.
#[derive(Clone, Debug)]
pub struct DeviceRegistry {
    devices: Arc<watch::Sender<Vec<DeviceInfo>>>,
    tally: Arc<watch::Sender<Vec<CameraTally>>>,
    service: Arc<RwLock<Weak<DeviceService>>>,
}

impl Default for DeviceRegistry {
    fn default() -> Self {
        DeviceRegistry {
            devices: Arc::new(watch::Sender::new(Vec::new())),
            tally: Arc::new(watch::Sender::new(Vec::new())),
            service: Arc::new(RwLock::new(Weak::new())),
        }
    }
}

impl DeviceRegistry {
    /// Replaces the whole list (subscribers wake only when it changed).
    pub fn set(&self, devices: Vec<DeviceInfo>) {
        self.devices.send_if_modified(|d| {
            let changed = *d != devices;
            *d = devices;
            changed
        });
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

    /// Replaces the cameras' tally (only when it changed).
    pub fn set_tally(&self, tally: Vec<CameraTally>) {
        self.tally.send_if_modified(|t| {
            let changed = *t != tally;
            *t = tally;
            changed
        });
    }

    /// Every camera a tally source has reported, on air or not.
    pub fn tally(&self) -> Vec<CameraTally> {
        self.tally.borrow().clone()
    }

    /// Wakes on every tally change.
    pub fn subscribe_tally(&self) -> watch::Receiver<Vec<CameraTally>> {
        self.tally.subscribe()
    }

    /// Lends the running device service to the API (held weakly: the server owns it).
    pub fn attach(&self, service: &Arc<DeviceService>) {
        *self.service.write().unwrap_or_else(|p| p.into_inner()) = Arc::downgrade(service);
    }

    /// The running device service, if any.
    pub fn service(&self) -> Option<Arc<DeviceService>> {
        self.service
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .upgrade()
    }
}
