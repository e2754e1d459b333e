//! Devices added, reconfigured, tested and removed at run time, from a [`DeviceConfig`].
//!
//! The API checks a configuration ([`DeviceConfig::validate`]), stores it (so the device
//! comes back after a restart) and hands it here. Removing a device stops its worker or
//! its task at once: a look in flight is dropped, nothing else notices.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use lookwire_color::formats::LutFile;
use lookwire_color::Lut3d;
use lookwire_protocol::tsl::{TallyListener, TcpFlavour};
use lookwire_protocol::videohub::VideohubClient;
use lookwire_protocol::{ConnectionState, Look};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;
use utoipa::ToSchema;

use super::config::{DeviceConfig, Driver, Protection, TslFlavour};
use super::control::{self, RouterSlot};
use super::{lock, DeviceService, LookDevice};

/// A running router or tally source: what must be dropped to stop it.
struct Link {
    tasks: Vec<JoinHandle<()>>,
    _keep: Vec<Box<dyn Any + Send>>,
    router: Option<RouterSlot>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Run-time device bookkeeping.
#[derive(Default)]
pub struct Admin {
    generation: AtomicU64,
    configs: Mutex<IndexMap<String, DeviceConfig>>,
    links: Mutex<HashMap<String, Link>>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("configs", &lock(&self.configs).len())
            .finish_non_exhaustive()
    }
}

impl Admin {
    pub(super) fn next_generation(&self) -> u64 {
        self.generation.fetch_add(1, Ordering::Relaxed) + 1
    }

    pub(super) fn stop_link(&self, id: &str) -> bool {
        lock(&self.links).remove(id).is_some()
    }
}

/// What a device test does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TestAction {
    /// Open a fresh connection and read the device's capabilities (routers: the status
    /// dump); the running link is not touched.
    Connect,
    /// Send an identity look, hold it, then restore the device's look.
    Identity,
    /// Send the test look (colour bars' hues swapped: red↔blue), hold it, then restore.
    TestLook,
}

/// The outcome of a device test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestResult {
    pub action: TestAction,
    pub ok: bool,
    /// What happened, in words (the device's model, or why it failed).
    pub message: String,
    /// From sending to the device's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

/// Why a device could not be added, tested or removed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("no device {0:?}")]
    Unknown(String),
    #[error("camera {camera:?} is on air with {protection:?} protection: a test look would go to air; pass force to send it anyway")]
    OnAir {
        camera: String,
        protection: Protection,
    },
    #[error("cannot start device {id:?}: {message}")]
    Start { id: String, message: String },
    #[error("device {0:?} is not a router")]
    NotARouter(String),
    #[error("router {0:?} is not connected")]
    RouterDown(String),
    #[error(transparent)]
    Router(#[from] lookwire_protocol::videohub::VideohubError),
}

fn fail(action: TestAction, message: impl Into<String>) -> TestResult {
    TestResult {
        action,
        ok: false,
        message: message.into(),
        latency_ms: None,
    }
}

impl DeviceService {
    /// Starts (or restarts with a new configuration) the device `config` describes.
    pub async fn add(
        &self,
        config: DeviceConfig,
        calibration: Option<Arc<LutFile>>,
    ) -> Result<(), AdminError> {
        self.stop_device(&config.id);
        let id = config.id.clone();
        if let Some(device) = config.look_device() {
            if let Driver::BmdRest { address } = &config.driver {
                let task = self.watch_bmd_camera(&id, address);
                lock(&self.admin.links).insert(
                    id.clone(),
                    Link {
                        tasks: vec![task],
                        _keep: Vec::new(),
                        router: None,
                    },
                );
            }
            let (camera, output) = (config.camera.clone(), config.output.clone());
            self.add_look_device(
                LookDevice {
                    id: id.clone(),
                    camera: camera.unwrap_or_default(),
                    output: output.unwrap_or_default(),
                    device,
                },
                calibration,
                config.wire_range(),
            );
        } else {
            let link = self
                .start_link(&config)
                .await
                .map_err(|e| AdminError::Start {
                    id: id.clone(),
                    message: e.to_string(),
                })?;
            lock(&self.admin.links).insert(id.clone(), link);
        }
        lock(&self.admin.configs).insert(id, config);
        Ok(())
    }

    /// Stops and forgets a device; `false` if there was none.
    pub fn remove(&self, id: &str) -> bool {
        let released = {
            let routes = lock(&self.shared.routes).clone();
            self.shared.tally.forget_source(id, &routes)
        };
        for (device, look) in released {
            self.hand(&device, look);
        }
        lock(&self.admin.configs).shift_remove(id);
        let known = self.stop_device(id);
        self.shared.wake_publish.notify_one();
        known
    }

    /// The configuration of every device added through [`DeviceService::add`].
    pub fn configs(&self) -> Vec<DeviceConfig> {
        lock(&self.admin.configs).values().cloned().collect()
    }

    pub fn config(&self, id: &str) -> Option<DeviceConfig> {
        lock(&self.admin.configs).get(id).cloned()
    }

    /// Whether any device (configured or built in, like the demo's) has this id.
    pub fn knows(&self, id: &str) -> bool {
        self.reports().iter().any(|r| r.id == id)
    }

    async fn start_link(&self, config: &DeviceConfig) -> std::io::Result<Link> {
        match &config.driver {
            Driver::Videohub { address } => {
                let (task, slot) =
                    control::start_videohub(&self.manager, &config.id, address.clone());
                Ok(Link {
                    tasks: vec![task],
                    _keep: Vec::new(),
                    router: Some(slot),
                })
            }
            Driver::Tsl {
                udp,
                tcp,
                tcp_flavour,
                sources,
                protection,
            } => {
                let flavour = match tcp_flavour {
                    TslFlavour::V31 => TcpFlavour::V31,
                    TslFlavour::V5 => TcpFlavour::V5,
                };
                let reporter = lock(&self.manager).add_link(
                    &config.id,
                    "tsl",
                    format!("udp://{udp} tcp://{tcp}"),
                );
                let (listener, rx) = match TallyListener::bind(udp, tcp, flavour).await {
                    Ok(x) => x,
                    Err(e) => {
                        lock(&self.manager).remove(&config.id);
                        return Err(e);
                    }
                };
                reporter.set(ConnectionState::Connected, None);
                let task = tokio::spawn(control::follow_tally(
                    rx,
                    self.show.clone(),
                    Arc::clone(&self.manager),
                    Arc::clone(&self.shared),
                    config.id.clone(),
                    sources.clone(),
                    *protection,
                ));
                Ok(Link {
                    tasks: vec![task],
                    _keep: vec![Box::new(listener)],
                    router: None,
                })
            }
            Driver::Tangent {
                address,
                system_dir,
                user_dir,
            } => {
                let app = lookwire_protocol::tangent::AppDefinition {
                    app_name: "lookwire".into(),
                    system_dir: system_dir.clone(),
                    user_dir: user_dir.clone(),
                };
                let task = super::tangent::start_tangent(
                    &self.manager,
                    self.show.clone(),
                    &config.id,
                    address.clone(),
                    app,
                );
                Ok(Link {
                    tasks: vec![task],
                    _keep: Vec::new(),
                    router: None,
                })
            }
            _ => Err(std::io::Error::other(
                "not a router, surface or tally source",
            )),
        }
    }

    /// Runs a test on device `id`; `force` sends a test look to an on-air camera.
    pub async fn test(
        &self,
        id: &str,
        action: TestAction,
        hold: Duration,
        force: bool,
    ) -> Result<TestResult, AdminError> {
        if !self.knows(id) {
            return Err(AdminError::Unknown(id.to_string()));
        }
        let route = lock(&self.shared.routes).get(id).cloned();
        match (action, route) {
            (TestAction::Connect, _) => Ok(self.test_connect(id).await),
            (_, None) => Ok(fail(
                action,
                format!("{id} takes no look: only the connect test applies"),
            )),
            (_, Some(route)) => {
                if let (Some(protection), false) = (self.shared.tally.on_air(&route.camera), force)
                {
                    return Err(AdminError::OnAir {
                        camera: route.camera,
                        protection,
                    });
                }
                Ok(self.test_look(id, action, hold).await)
            }
        }
    }

    async fn test_connect(&self, id: &str) -> TestResult {
        let action = TestAction::Connect;
        let Some(config) = self.config(id) else {
            let r = self.reports().into_iter().find(|r| r.id == id);
            return match r {
                Some(r) => TestResult {
                    action,
                    ok: r.state == ConnectionState::Connected,
                    message: format!(
                        "built-in device: its link is {}{}",
                        r.state.as_str(),
                        r.last_error.map(|e| format!(" ({e})")).unwrap_or_default()
                    ),
                    latency_ms: None,
                },
                None => fail(action, format!("no device {id:?}")),
            };
        };
        let start = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(5), connect_once(&config)).await;
        let ms = Some(start.elapsed().as_secs_f64() * 1e3);
        match outcome {
            Ok(Ok(message)) => TestResult {
                action,
                ok: true,
                message,
                latency_ms: ms,
            },
            Ok(Err(message)) => fail(action, message),
            Err(_) => fail(action, "no answer within 5 s"),
        }
    }

    async fn test_look(&self, id: &str, action: TestAction, hold: Duration) -> TestResult {
        let lut = match action {
            TestAction::TestLook => test_lattice(),
            _ => Lut3d::identity(super::bake::DEVICE_LUT_SIZE),
        };
        let Ok(lut) = lut else {
            return fail(action, "cannot build the test lattice");
        };
        let mut look = Look::from_lut(lut, format!("lookwire test {id}"));
        look.cdl = (action == TestAction::Identity).then_some(lookwire_color::Cdl::IDENTITY);
        let before = self.reports().into_iter().find(|r| r.id == id);
        let failures = before.as_ref().map_or(0, |r| r.failures);
        let Ok(version) = lock(&self.manager).push(id, look) else {
            return fail(action, format!("no device {id:?}"));
        };
        let start = Instant::now();
        let mut rx = lock(&self.manager).subscribe();
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            rx.wait_for(|m| {
                m.get(id).is_none_or(|r| {
                    r.failures > failures
                        || r.last_push.as_ref().is_some_and(|p| p.version >= version)
                })
            }),
        )
        .await;
        let report = lock(&self.manager)
            .reports()
            .into_iter()
            .find(|r| r.id == id);
        let result = match (outcome, report) {
            (Err(_), _) => fail(action, "the device did not take the look within 5 s"),
            (Ok(_), Some(r)) if r.last_push.as_ref().is_some_and(|p| p.version >= version) => {
                TestResult {
                    action,
                    ok: true,
                    message: format!(
                        "the device took the {} look; its own look returns in {} ms",
                        if action == TestAction::Identity {
                            "identity"
                        } else {
                            "test"
                        },
                        hold.as_millis()
                    ),
                    latency_ms: Some(start.elapsed().as_secs_f64() * 1e3),
                }
            }
            (Ok(_), Some(r)) => fail(
                action,
                r.last_error
                    .unwrap_or_else(|| "the device refused the look".into()),
            ),
            (Ok(_), None) => fail(action, "the device was removed during the test"),
        };
        self.restore_after(id, hold);
        result
    }

    /// Gives the device its own look back after `hold`.
    fn restore_after(&self, id: &str, hold: Duration) {
        let Some(look) = self.shared.tally.shown(id) else {
            return;
        };
        let (manager, id) = (Arc::clone(&self.manager), id.to_string());
        let shared = Arc::clone(&self.shared);
        self.hold(tokio::spawn(async move {
            tokio::time::sleep(hold).await;
            if lock(&shared.routes).contains_key(&id) {
                let newest = shared.tally.shown(&id).unwrap_or(look);
                let _ = lock(&manager).push(&id, newest);
            }
        }));
    }

    /// The router of device `id` while it is connected.
    pub fn router(&self, id: &str) -> Result<Arc<VideohubClient>, AdminError> {
        let links = lock(&self.admin.links);
        let link = links
            .get(id)
            .ok_or_else(|| AdminError::Unknown(id.to_string()))?;
        let slot = link
            .router
            .as_ref()
            .ok_or_else(|| AdminError::NotARouter(id.to_string()))?;
        let hub = lock(slot).clone();
        hub.ok_or_else(|| AdminError::RouterDown(id.to_string()))
    }

    /// Keeps a router that was started outside [`DeviceService::add`] (the demo's).
    pub fn register_router(&self, id: &str, task: JoinHandle<()>, slot: RouterSlot) {
        lock(&self.admin.links).insert(
            id.to_string(),
            Link {
                tasks: vec![task],
                _keep: Vec::new(),
                router: Some(slot),
            },
        );
    }
}

/// One fresh connection to the device the configuration names, closed again.
async fn connect_once(config: &DeviceConfig) -> Result<String, String> {
    if let Driver::Videohub { address } = &config.driver {
        let hub = VideohubClient::connect(address)
            .await
            .map_err(|e| e.to_string())?;
        let s = hub.state();
        return Ok(format!(
            "{} (protocol {}): {} inputs, {} outputs",
            s.model,
            s.protocol_version,
            s.input_labels.len(),
            s.routes.len()
        ));
    }
    if let Driver::Tangent { address, .. } = &config.driver {
        return tangent_hello(address).await;
    }
    if let Driver::Tsl { udp, tcp, .. } = &config.driver {
        return Ok(format!("listening for tally on udp {udp} and tcp {tcp}"));
    }
    let mut device = config
        .look_device()
        .ok_or_else(|| "no driver for this configuration".to_string())?;
    let caps = device.connect().await.map_err(|e| e.to_string())?;
    device.disconnect();
    Ok(format!(
        "{}: 3D sizes {:?}, {}{}, {} slot(s)",
        caps.model,
        caps.lut3d_sizes,
        caps.sample_format,
        if caps.cdl_native { ", CDL-native" } else { "" },
        caps.slots
    ))
}

/// Opens a fresh connection to a Tangent Hub and reads its InitiateComms (revision and
/// panels); closes without defining an application, so the running link is not touched.
async fn tangent_hello(address: &str) -> Result<String, String> {
    use lookwire_protocol::tangent::ids::panel_name;
    use lookwire_protocol::tangent::wire::{decode_hub, read_message};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot connect to the Tangent Hub at {address}: {e}"))?;
    let body = read_message(&mut stream)
        .await
        .map_err(|e| format!("no InitiateComms from {address}: {e}"))?;
    let commands = decode_hub(&body).map_err(|e| e.to_string())?;
    match commands.first() {
        Some(lookwire_protocol::tangent::HubCommand::InitiateComms {
            protocol_rev,
            panels,
        }) => {
            let names: Vec<String> = panels
                .iter()
                .map(|p| {
                    let name = panel_name(p.panel_type)
                        .map_or_else(|| format!("type 0x{:02X}", p.panel_type), str::to_string);
                    format!("{name} #{}", p.panel_id)
                })
                .collect();
            Ok(format!(
                "Tangent Hub, protocol revision {protocol_rev}, panels: {}",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ))
        }
        other => Err(format!(
            "the Hub's first command is {other:?}, not InitiateComms"
        )),
    }
}

/// The test look: every node's red and blue swapped, so a wrong cable or a stale box shows
/// at once on any picture (skin turns blue).
fn test_lattice() -> Result<Lut3d, lookwire_color::LutError> {
    Lut3d::from_fn(super::bake::DEVICE_LUT_SIZE, |rgb| [rgb[2], rgb[1], rgb[0]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_look_swaps_red_and_blue() {
        let lut = test_lattice().unwrap();
        let p = lut.lookup([0.8, 0.4, 0.1], lookwire_color::Interpolation::Tetrahedral);
        assert!(
            (p[0] - 0.1).abs() < 1e-6 && (p[2] - 0.8).abs() < 1e-6,
            "{p:?}"
        );
    }
}
