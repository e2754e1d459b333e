//! Devices added, reconfigured, tested and removed at run time, from a [`DeviceConfig`].
//!
//! The API checks a configuration ([`DeviceConfig::validate`]), stores it (so the device
//! comes back after a restart) and hands it here. Removing a device stops its worker or
//! its task at once: a look in flight is dropped, nothing else notices.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indexmap::IndexMap;
use lookwire_color::formats::LutFile;
use lookwire_protocol::tsl::{TallyEvent, TallyListener, TcpFlavour};
use lookwire_protocol::videohub::VideohubClient;
use lookwire_protocol::ConnectionState;
use tokio::task::JoinHandle;

use super::config::{DeviceConfig, Driver, Protection, TslFlavour};
use super::control::{self, RouterSlot};
pub use super::device_test::{TestAction, TestResult};
use super::{lock, tally_source, DeviceService, LookDevice};

/// What a device needs set up before it replaces another: a tally source's sockets (the one
/// start that can fail).
enum Prepared {
    Nothing,
    Tally(TallyListener, tokio::sync::mpsc::Receiver<TallyEvent>),
}

async fn prepare(config: &DeviceConfig) -> std::io::Result<Prepared> {
    let Driver::Tsl {
        udp,
        tcp,
        tcp_flavour,
        ..
    } = &config.driver
    else {
        return Ok(Prepared::Nothing);
    };
    let flavour = match tcp_flavour {
        TslFlavour::V31 => TcpFlavour::V31,
        TslFlavour::V5 => TcpFlavour::V5,
    };
    let (listener, rx) = TallyListener::bind(udp, tcp, flavour).await?;
    Ok(Prepared::Tally(listener, rx))
}

/// Whether two tally configurations listen on a port in common.
fn shares_ports(old: &DeviceConfig, new: &DeviceConfig) -> bool {
    match (&old.driver, &new.driver) {
        (
            Driver::Tsl { udp, tcp, .. },
            Driver::Tsl {
                udp: u2, tcp: t2, ..
            },
        ) => {
            let port = |a: &str| a.rsplit_once(':').map(|(_, p)| p.to_string());
            let nonzero = |a: &str| port(a).is_some_and(|p| p != "0");
            (nonzero(udp) && port(udp) == port(u2)) || (nonzero(tcp) && port(tcp) == port(t2))
        }
        _ => false,
    }
}

/// A running router or tally source: what must be dropped to stop it.
struct Link {
    tasks: Vec<JoinHandle<()>>,
    keep: Vec<Box<dyn Any + Send>>,
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

    /// A running tally source's UDP and TCP addresses and its count of malformed packets.
    pub(super) fn tally_sockets(
        &self,
        id: &str,
    ) -> Option<(std::net::SocketAddr, std::net::SocketAddr, u64)> {
        let links = lock(&self.links);
        let l = links
            .get(id)?
            .keep
            .iter()
            .find_map(|k| k.downcast_ref::<TallyListener>())?;
        Some((l.udp_addr, l.tcp_addr, l.ignored()))
    }

    /// Stops a link and waits until a tally source's sockets are closed.
    async fn close_link(&self, id: &str) {
        let Some(mut link) = lock(&self.links).remove(id) else {
            return;
        };
        for keep in std::mem::take(&mut link.keep) {
            if let Ok(listener) = keep.downcast::<TallyListener>() {
                listener.close().await;
            }
        }
    }

    pub(super) fn stop_link(&self, id: &str) -> bool {
        lock(&self.links).remove(id).is_some()
    }
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

impl DeviceService {
    /// Starts the device `config` describes, or reconfigures it: the new device is started
    /// before the old one is dropped, so a start that fails (a tally port taken) leaves the
    /// old device running as it was. A tally source that moves to ports its old
    /// configuration holds lets go of them first, and is put back if the new one still
    /// cannot bind. A look device's new worker replaces the old in one step (it never
    /// leaves the device list; the box keeps the last look it was sent meanwhile).
    pub async fn add(
        &self,
        config: DeviceConfig,
        calibration: Option<Arc<LutFile>>,
    ) -> Result<(), AdminError> {
        let id = config.id.clone();
        let start_error = |e: std::io::Error| AdminError::Start {
            id: id.clone(),
            message: e.to_string(),
        };
        let prepared = match prepare(&config).await {
            Ok(p) => p,
            Err(e) => {
                let old = self.config(&id);
                let held_by_old = e.kind() == std::io::ErrorKind::AddrInUse
                    && old.as_ref().is_some_and(|o| shares_ports(o, &config));
                if !held_by_old {
                    return Err(start_error(e));
                }
                self.admin.close_link(&id).await;
                match prepare(&config).await {
                    Ok(p) => p,
                    Err(e) => {
                        if let Some(old) = old {
                            if let Ok(p) = prepare(&old).await {
                                self.install(old, p, None);
                            }
                        }
                        return Err(start_error(e));
                    }
                }
            }
        };
        self.install(config, prepared, calibration);
        Ok(())
    }

    /// Replaces whatever runs under the configuration's id with the new device.
    fn install(&self, config: DeviceConfig, prepared: Prepared, calibration: Option<Arc<LutFile>>) {
        let id = config.id.clone();
        self.retire(&id);
        if let Some(device) = config.look_device() {
            if let Driver::BmdRest { address } = &config.driver {
                let task = self.watch_bmd_camera(&id, address);
                lock(&self.admin.links).insert(
                    id.clone(),
                    Link {
                        tasks: vec![task],
                        keep: Vec::new(),
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
            let link = self.start_link(&config, prepared);
            lock(&self.admin.links).insert(id.clone(), link);
        }
        lock(&self.admin.configs).insert(id, config);
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

    fn start_link(&self, config: &DeviceConfig, prepared: Prepared) -> Link {
        match (&config.driver, prepared) {
            (Driver::Videohub { address }, _) => {
                let (task, slot) =
                    control::start_videohub(&self.manager, &config.id, address.clone());
                Link {
                    tasks: vec![task],
                    keep: Vec::new(),
                    router: Some(slot),
                }
            }
            (
                Driver::Tsl {
                    udp,
                    tcp,
                    sources,
                    protection,
                    timeout_ms,
                    ..
                },
                Prepared::Tally(listener, rx),
            ) => {
                let reporter = lock(&self.manager).add_link(
                    &config.id,
                    "tsl",
                    format!("udp://{udp} tcp://{tcp}"),
                );
                reporter.set(ConnectionState::Connected, None);
                let task = tokio::spawn(tally_source::follow_tally(
                    rx,
                    self.show.clone(),
                    Arc::clone(&self.manager),
                    Arc::clone(&self.shared),
                    tally_source::TallySource {
                        id: config.id.clone(),
                        sources: sources.clone(),
                        protection: *protection,
                        timeout: Duration::from_millis(*timeout_ms),
                        reporter,
                    },
                ));
                Link {
                    tasks: vec![task],
                    keep: vec![Box::new(listener)],
                    router: None,
                }
            }
            (
                Driver::Tangent {
                    address,
                    system_dir,
                    user_dir,
                },
                _,
            ) => {
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
                Link {
                    tasks: vec![task],
                    keep: Vec::new(),
                    router: None,
                }
            }
            // A look device, or a tally source without its sockets: nothing to run.
            _ => Link {
                tasks: Vec::new(),
                keep: Vec::new(),
                router: None,
            },
        }
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
                keep: Vec::new(),
                router: Some(slot),
            },
        );
    }
}
