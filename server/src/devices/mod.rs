//! The device manager: feeds every device its camera's newest look and reports each
//! device's state to the API.
//!
//! One worker per look device runs in [`lookwire_protocol::manager`] (latest wins through a
//! `watch`, reconnect with backoff and resend). This module decides which look goes where:
//! on every show change it re-bakes the looks whose inputs changed ([`bake`]) and hands them
//! to the workers. Routers and control surfaces ([`control`]) report through the same list.

pub mod bake;
pub mod control;
pub mod demo;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lookwire_protocol::manager::{DeviceManager, DeviceReport, RetryPolicy};
use lookwire_protocol::{ConnectionState, Device, EncodeError, Look};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

use crate::device_registry::{DeviceInfo, DeviceRegistry, DeviceState};
use crate::show::{Bypass, Show, ShowHandle};
use bake::Baker;

/// A look device and what it carries: one camera through one output.
#[derive(Debug)]
pub struct LookDevice {
    pub id: String,
    pub camera: String,
    pub output: String,
    pub device: Box<dyn Device>,
}

/// The running device manager.
#[derive(Debug)]
pub struct DeviceService {
    manager: Arc<Mutex<DeviceManager>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for DeviceService {
    fn drop(&mut self) {
        self.tasks.iter().for_each(JoinHandle::abort);
    }
}

/// Where each look device's look comes from.
type Routes = Arc<Mutex<HashMap<String, (String, String)>>>;
/// Why a device's newest look carries no CDL, for CDL-only devices' errors.
type Notes = Arc<Mutex<HashMap<String, String>>>;

impl DeviceService {
    /// Starts the workers of `devices`, the feeder that follows the show, and the task that
    /// publishes every device's state into `registry`.
    pub fn start(show: ShowHandle, registry: DeviceRegistry, devices: Vec<LookDevice>) -> Self {
        let manager = Arc::new(Mutex::new(DeviceManager::new()));
        let routes: Routes = Arc::default();
        {
            let mut m = lock(&manager);
            let mut r = lock(&routes);
            for d in devices {
                m.add(&d.id, d.device, RetryPolicy::default(), None);
                r.insert(d.id, (d.camera, d.output));
            }
        }
        let reports = lock(&manager).subscribe();
        let notes: Notes = Arc::default();
        let tasks = vec![
            tokio::spawn(publish(reports, registry, Arc::clone(&notes))),
            tokio::spawn(feed(show, Arc::clone(&manager), routes, notes)),
        ];
        Self { manager, tasks }
    }

    /// The manager, for adding routers and surfaces ([`control`]).
    pub fn manager(&self) -> &Arc<Mutex<DeviceManager>> {
        &self.manager
    }

    /// Every device's full report.
    pub fn reports(&self) -> Vec<DeviceReport> {
        lock(&self.manager).reports()
    }

    /// Keeps a task alive as long as the service.
    pub fn hold(&mut self, task: JoinHandle<()>) {
        self.tasks.push(task);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every critical section is a plain data update: a panic cannot leave it half done.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn info(r: &DeviceReport, notes: &HashMap<String, String>) -> DeviceInfo {
    let state = match (r.state, &r.last_error) {
        (ConnectionState::Connected, _) => DeviceState::Connected,
        (ConnectionState::Connecting, _) => DeviceState::Connecting,
        (ConnectionState::Disconnected, Some(_)) => DeviceState::Error,
        (ConnectionState::Disconnected, None) => DeviceState::Disconnected,
    };
    let push = r.last_push.as_ref();
    DeviceInfo {
        id: r.id.clone(),
        kind: r.kind.clone(),
        state,
        last_push_ms: push.map(|p| p.latency.as_secs_f64() * 1e3),
        error_max_cv: push.map(|p| p.error.max_10bit),
        error_mean_cv: push.map(|p| p.error.mean_10bit),
        error: r
            .last_error
            .as_ref()
            .map(|e| error_text(e, notes.get(&r.id))),
    }
}

/// A device's error, with the reason when a CDL-only device got a look without a CDL.
fn error_text(error: &str, note: Option<&String>) -> String {
    match note {
        Some(n) if error.contains(&EncodeError::NoCdl.to_string()) => format!("{error}: {n}"),
        _ => error.to_string(),
    }
}

/// Mirrors the manager's reports into the API's device list.
async fn publish(
    mut reports: tokio::sync::watch::Receiver<std::collections::BTreeMap<String, DeviceReport>>,
    registry: DeviceRegistry,
    notes: Notes,
) {
    loop {
        let list = {
            let notes = lock(&notes);
            let reports = reports.borrow_and_update();
            reports.values().map(|r| info(r, &notes)).collect()
        };
        registry.set(list);
        if reports.changed().await.is_err() {
            return;
        }
    }
}

/// Bakes and hands out looks at start and after every show change that touches them.
async fn feed(show: ShowHandle, manager: Arc<Mutex<DeviceManager>>, routes: Routes, notes: Notes) {
    let mut changes = show.subscribe();
    let mut baker = Baker::default();
    let mut last: HashMap<String, String> = HashMap::new();
    loop {
        let view = show.view();
        let (b, l) = (std::mem::take(&mut baker), std::mem::take(&mut last));
        let targets = lock(&routes).clone();
        let bake = tokio::task::spawn_blocking(move || bake_all(b, l, &view.show, &targets)).await;
        let Ok((b, l, looks)) = bake else { return };
        (baker, last) = (b, l);
        {
            let mut m = lock(&manager);
            for (id, look) in looks {
                note_missing_cdl(&notes, &id, &look);
                let _ = m.push(&id, look);
            }
        }
        // Coalesce: wake on the next change, skipping any already superseded.
        match changes.recv().await {
            Ok(_) | Err(RecvError::Lagged(_)) => while changes.try_recv().is_ok() {},
            Err(RecvError::Closed) => return,
        }
    }
}

/// Records (and logs once) why `look` carries no CDL, or clears the device's note.
fn note_missing_cdl(notes: &Notes, id: &str, look: &Look) {
    let mut notes = lock(notes);
    if look.cdl.is_some() {
        notes.remove(id);
        return;
    }
    let note = format!(
        "the match, trim and look CDLs of {} do not merge exactly into one ASC CDL ({} style)",
        look.label, look.cdl_style
    );
    if notes.get(id) != Some(&note) {
        tracing::warn!("device {id}: {note}; devices that take only a CDL get none");
        notes.insert(id.to_string(), note);
    }
}

/// The looks that changed since `last` (keyed by what each depends on).
fn bake_all(
    mut baker: Baker,
    mut last: HashMap<String, String>,
    show: &Show,
    targets: &HashMap<String, (String, String)>,
) -> (Baker, HashMap<String, String>, Vec<(String, Look)>) {
    let mut looks = Vec::new();
    for (id, (camera, output)) in targets {
        let bypass = show.device_bypass.get(id).copied().unwrap_or(Bypass::None);
        let key = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}",
            show.cameras.get(camera),
            show.outputs.get(output),
            show.cameras
                .get(camera)
                .and_then(|c| c.grade.look.as_ref())
                .and_then(|l| show.looks.get(l)),
            show.cdl_style,
            bypass
        );
        if last.get(id) == Some(&key) {
            continue;
        }
        match baker.bake(show, camera, output, bypass) {
            Ok(look) => {
                looks.push((id.clone(), look));
                last.insert(id.clone(), key);
            }
            Err(e) => {
                tracing::warn!("device {id}: cannot bake camera {camera} for output {output}: {e}")
            }
        }
    }
    (baker, last, looks)
}
