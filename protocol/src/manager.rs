//! The device manager's engine: one worker task per device, fed the newest look through a
//! `tokio::sync::watch` (latest wins: a slow device skips stale looks, never queues them),
//! reconnecting with backoff and resending the current look, and reporting state, latency
//! and the color error each device's limits cost. It holds no show state: the server
//! decides which look goes where.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use lookwire_color::formats::LutFile;
use lookwire_color::output::SignalRange;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::device::{Capabilities, ConnectionState, Device, Look};
use crate::encode::ColorError;

/// A look with its per-device version and the moment it arrived at the manager.
#[derive(Debug)]
pub struct VersionedLook {
    pub version: u64,
    pub look: Look,
    pub arrived: Instant,
}

/// Reconnect and keep-alive timing of one worker.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// An idle link is asked for its status this often, so a dead one is noticed.
    pub keepalive: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            keepalive: Duration::from_secs(2),
        }
    }
}

/// The last successful push of a device.
#[derive(Clone, Debug, PartialEq)]
pub struct PushSummary {
    pub version: u64,
    /// From the look's arrival at the manager to the device's acknowledgement.
    pub latency: Duration,
    pub bytes: usize,
    pub error: ColorError,
    /// The pushed look's quality (the device now holds a look of this quality).
    pub quality: crate::device::LookQuality,
}

/// What the manager knows about one device.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceReport {
    pub id: String,
    pub kind: String,
    pub address: String,
    pub state: ConnectionState,
    pub capabilities: Option<Capabilities>,
    pub calibrated: bool,
    pub last_error: Option<String>,
    pub last_push: Option<PushSummary>,
    pub pushes: u64,
    /// Looks superseded before they could be sent.
    pub skipped: u64,
    pub failures: u64,
    pub connects: u64,
}

impl DeviceReport {
    fn new(id: &str, kind: &str, address: String) -> Self {
        Self {
            id: id.to_string(),
            kind: kind.to_string(),
            address,
            state: ConnectionState::Connecting,
            capabilities: None,
            calibrated: false,
            last_error: None,
            last_push: None,
            pushes: 0,
            skipped: 0,
            failures: 0,
            connects: 0,
        }
    }
}

/// No device has this id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no device with id {0:?}")]
pub struct UnknownDevice(pub String);

type Reports = watch::Sender<BTreeMap<String, DeviceReport>>;

#[derive(Debug)]
struct Worker {
    looks: watch::Sender<Option<Arc<VersionedLook>>>,
    version: u64,
    task: Option<JoinHandle<()>>,
}

/// Every device's worker and report.
#[derive(Debug)]
pub struct DeviceManager {
    workers: BTreeMap<String, Worker>,
    reports: Arc<Reports>,
}

impl Default for DeviceManager {
    fn default() -> Self {
        Self::new()
    }
}

impl DeviceManager {
    pub fn new() -> Self {
        Self {
            workers: BTreeMap::new(),
            reports: Arc::new(watch::Sender::new(BTreeMap::new())),
        }
    }

    /// Starts a worker for `device`; an optional calibration LUT is applied last to every look.
    pub fn add(
        &mut self,
        id: &str,
        device: Box<dyn Device>,
        policy: RetryPolicy,
        calibration: Option<Arc<LutFile>>,
    ) {
        self.add_with_range(id, device, policy, calibration, SignalRange::Full);
    }

    /// Like [`DeviceManager::add`], for a device that expects `range` on the wire: every look
    /// is put into that range first, then the calibration LUT (made on the signal as the wire
    /// carries it) is applied.
    pub fn add_with_range(
        &mut self,
        id: &str,
        device: Box<dyn Device>,
        policy: RetryPolicy,
        calibration: Option<Arc<LutFile>>,
        range: SignalRange,
    ) {
        // Replaced in one step: a watcher never sees the device missing.
        self.stop_worker(id);
        let mut report = DeviceReport::new(id, device.kind(), device.address());
        report.calibrated = calibration.is_some();
        self.reports.send_modify(|r| {
            r.insert(id.to_string(), report);
        });
        let (tx, rx) = watch::channel(None);
        let ctx = WorkerCtx {
            id: id.to_string(),
            reports: Arc::clone(&self.reports),
            policy,
            calibration,
            range,
        };
        let task = tokio::spawn(run_worker(device, rx, ctx));
        self.workers.insert(
            id.to_string(),
            Worker {
                looks: tx,
                version: 0,
                task: Some(task),
            },
        );
    }

    /// Adds a device that is not fed looks (a router, a control surface) and returns the
    /// handle its own task reports its state through.
    pub fn add_link(&mut self, id: &str, kind: &str, address: String) -> LinkReporter {
        self.stop_worker(id);
        self.reports.send_modify(|r| {
            r.insert(id.to_string(), DeviceReport::new(id, kind, address));
        });
        LinkReporter {
            id: id.to_string(),
            reports: Arc::clone(&self.reports),
        }
    }

    /// Stops a device's worker and forgets it; `false` if there was none.
    pub fn remove(&mut self, id: &str) -> bool {
        let known = self.reports.send_if_modified(|r| r.remove(id).is_some());
        self.stop_worker(id);
        known
    }

    /// Stops a device's worker, keeping its report (it is about to be replaced).
    fn stop_worker(&mut self, id: &str) {
        if let Some(mut w) = self.workers.remove(id) {
            if let Some(t) = w.task.take() {
                t.abort();
            }
        }
    }

    /// Hands a device its newest look; an older one not yet sent is dropped (latest wins).
    pub fn push(&mut self, id: &str, look: Look) -> Result<u64, UnknownDevice> {
        let w = self
            .workers
            .get_mut(id)
            .ok_or_else(|| UnknownDevice(id.to_string()))?;
        w.version += 1;
        let v = Arc::new(VersionedLook {
            version: w.version,
            look,
            arrived: Instant::now(),
        });
        w.looks.send_replace(Some(v));
        Ok(w.version)
    }

    /// Every device's report, by id.
    pub fn reports(&self) -> Vec<DeviceReport> {
        self.reports.borrow().values().cloned().collect()
    }

    /// Wakes on every change of any report.
    pub fn subscribe(&self) -> watch::Receiver<BTreeMap<String, DeviceReport>> {
        self.reports.subscribe()
    }

    pub fn ids(&self) -> Vec<String> {
        self.reports.borrow().keys().cloned().collect()
    }
}

impl Drop for DeviceManager {
    fn drop(&mut self) {
        for w in self.workers.values_mut() {
            if let Some(t) = w.task.take() {
                t.abort();
            }
        }
    }
}

/// How a router or control-surface task reports its link state.
#[derive(Clone, Debug)]
pub struct LinkReporter {
    id: String,
    reports: Arc<Reports>,
}

impl LinkReporter {
    pub fn set(&self, state: ConnectionState, error: Option<String>) {
        self.reports
            .send_if_modified(|r| match r.get_mut(&self.id) {
                Some(rep) if rep.state != state || rep.last_error != error => {
                    if state == ConnectionState::Connected && rep.state != state {
                        rep.connects += 1;
                    }
                    rep.state = state;
                    rep.last_error = error;
                    true
                }
                _ => false,
            });
    }
}

struct WorkerCtx {
    id: String,
    reports: Arc<Reports>,
    policy: RetryPolicy,
    calibration: Option<Arc<LutFile>>,
    range: SignalRange,
}

impl WorkerCtx {
    fn update(&self, f: impl FnOnce(&mut DeviceReport)) {
        self.reports.send_modify(|r| {
            if let Some(rep) = r.get_mut(&self.id) {
                f(rep);
            }
        });
    }
}

/// Connects (with backoff), then pushes every newest look; on failure marks the device,
/// reconnects and resends the current look.
async fn run_worker(
    mut device: Box<dyn Device>,
    mut looks: watch::Receiver<Option<Arc<VersionedLook>>>,
    ctx: WorkerCtx,
) {
    let mut backoff = ctx.policy.initial_backoff;
    let mut sent: u64 = 0;
    let mut taken: u64 = 0;
    loop {
        if device.capabilities().is_none() {
            if !connect(device.as_mut(), &ctx).await {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ctx.policy.max_backoff);
                continue;
            }
            backoff = ctx.policy.initial_backoff;
            sent = 0; // resend the current look after every (re)connect
        }
        let current = looks.borrow_and_update().clone();
        match current {
            Some(look) if look.version != sent => {
                if look.version > taken {
                    let skipped = look.version - taken - 1;
                    ctx.update(|r| r.skipped += skipped);
                    taken = look.version;
                }
                if push(device.as_mut(), &look, &ctx).await {
                    sent = look.version;
                }
            }
            _ => {
                tokio::select! {
                    changed = looks.changed() => if changed.is_err() { return },
                    _ = tokio::time::sleep(ctx.policy.keepalive) => keepalive(device.as_mut(), &ctx).await,
                }
            }
        }
    }
}

async fn connect(device: &mut dyn Device, ctx: &WorkerCtx) -> bool {
    ctx.update(|r| r.state = ConnectionState::Connecting);
    match device.connect().await {
        Ok(caps) => {
            ctx.update(|r| {
                r.state = ConnectionState::Connected;
                r.capabilities = Some(caps);
                r.last_error = None;
                r.connects += 1;
            });
            true
        }
        Err(e) => {
            tracing::warn!("device {}: {e}", ctx.id);
            ctx.update(|r| {
                r.state = ConnectionState::Disconnected;
                r.last_error = Some(e.to_string());
                r.failures += 1;
            });
            false
        }
    }
}

async fn push(device: &mut dyn Device, look: &VersionedLook, ctx: &WorkerCtx) -> bool {
    let calibrated = (ctx.calibration.is_some() || ctx.range != SignalRange::Full)
        .then(|| for_the_wire(&look.look, ctx.range, ctx.calibration.as_deref()));
    let to_send = match &calibrated {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            ctx.update(|r| r.last_error = Some(format!("calibration LUT: {e}")));
            return true; // not sendable; wait for the next look
        }
        None => &look.look,
    };
    match device.push(to_send).await {
        Ok(report) => {
            ctx.update(|r| {
                r.pushes += 1;
                r.last_error = None;
                r.state = ConnectionState::Connected;
                r.last_push = Some(PushSummary {
                    version: look.version,
                    latency: look.arrived.elapsed(),
                    bytes: report.bytes,
                    error: report.error,
                    quality: look.look.quality,
                });
            });
            true
        }
        Err(e) => {
            tracing::warn!("device {}: {e}", ctx.id);
            let reconnect = e.needs_reconnect();
            if reconnect {
                device.disconnect();
            }
            ctx.update(|r| {
                r.last_error = Some(e.to_string());
                r.failures += 1;
                if reconnect {
                    r.state = ConnectionState::Disconnected;
                }
            });
            // A refused look is not retried until a newer one arrives.
            !reconnect
        }
    }
}

async fn keepalive(device: &mut dyn Device, ctx: &WorkerCtx) {
    if device.capabilities().is_none() {
        return;
    }
    if let Err(e) = device.status().await {
        tracing::warn!("device {}: keep-alive failed: {e}", ctx.id);
        if e.needs_reconnect() {
            device.disconnect();
        }
        ctx.update(|r| {
            r.state = ConnectionState::Disconnected;
            r.last_error = Some(e.to_string());
            r.failures += 1;
        });
    }
}

/// The look with a monitor-calibration LUT applied last, sampled at the look's own nodes.
pub fn calibrate(look: &Look, calibration: &LutFile) -> Result<Look, lookwire_color::LutError> {
    for_the_wire(look, SignalRange::Full, Some(calibration))
}

/// The look as the wire carries it: put into the device's signal `range`, then through its
/// calibration LUT (which was measured on that signal), sampled at the look's own nodes.
/// A look put into another range carries no CDL (a CDL cannot express the range).
pub fn for_the_wire(
    look: &Look,
    range: SignalRange,
    calibration: Option<&LutFile>,
) -> Result<Look, lookwire_color::LutError> {
    let lut = &look.lut;
    let data = lut
        .data()
        .iter()
        .map(|&node| {
            let ranged = node.map(|v| range.apply(f64::from(v)) as f32);
            match calibration {
                Some(cal) => cal.apply(ranged),
                None => ranged,
            }
        })
        .collect();
    let calibrated = lookwire_color::Lut3d::new(lut.size(), data, lut.domain())?;
    Ok(Look {
        lut: Arc::new(calibrated),
        cdl: None,
        ..look.clone()
    })
}
