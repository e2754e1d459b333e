//! The device manager: feeds every device its camera's newest look and reports each
//! device's state to the API.
//!
//! One worker per look device runs in [`lookwire_protocol::manager`] (latest wins through a
//! `watch`, reconnect with backoff and resend). This module decides which look goes where:
//! on every show change it re-bakes the looks whose inputs changed ([`bake`]) and hands them
//! to the workers, through on-air protection ([`tally`]). Routers, control surfaces and
//! tally sources ([`control`]) report through the same list. Devices are added, tested and
//! removed at run time ([`admin`]), from a [`config::DeviceConfig`].

pub mod admin;
pub mod bake;
pub mod certify;
pub mod config;
pub mod control;
pub mod demo;
pub mod device_test;
pub mod pace;
#[cfg(test)]
mod pace_tests;
pub mod tally;
pub mod tally_source;
pub mod tangent;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use lookwire_color::output::live::LiveError;
use lookwire_protocol::manager::{DeviceManager, DeviceReport, RetryPolicy};
use lookwire_protocol::{ConnectionState, Device, EncodeError, Look};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::device_registry::{DeviceInfo, DeviceRegistry, DeviceState};
use crate::show::{Bypass, Show, ShowHandle};
use crate::sync::lock;
use pace::frame_interval;

/// A look device and what it carries: one camera through one output.
#[derive(Debug)]
pub struct LookDevice {
    pub id: String,
    pub camera: String,
    pub output: String,
    pub device: Box<dyn Device>,
}

/// Where a look device's look comes from; `generation` changes when the device is
/// (re)added, so its look is baked afresh.
#[derive(Clone, Debug, PartialEq)]
struct Route {
    camera: String,
    output: String,
    generation: u64,
}

/// State shared by the service, its feeder, its publisher and the tally tasks.
#[derive(Debug, Default)]
struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    /// Why a device's newest look carries no CDL, for CDL-only devices' errors.
    notes: Mutex<HashMap<String, String>>,
    /// Wakes the feeder (a device was added) and the publisher (tally changed).
    wake_feed: Notify,
    wake_publish: Notify,
    tally: tally::TallyBoard,
    /// The error of the fitted CDL a CDL-only device was last handed, when not exact.
    fits: Mutex<HashMap<String, lookwire_protocol::ColorError>>,
    /// Connected devices that take no 3D LUT (only a CDL), as the publisher last saw them.
    cdl_only: Mutex<std::collections::HashSet<String>>,
    /// Blackmagic cameras' own correctors, from their event WebSockets.
    cameras: Mutex<HashMap<String, control::CameraWatch>>,
    /// The error of the live look a device held before its certified look, when known.
    live_errors: Mutex<HashMap<String, LiveError>>,
    certify_counts: Arc<certify::CertifyCounts>,
    /// Each look device's own bypass, as the feeder last baked for it.
    bypass: Mutex<HashMap<String, Bypass>>,
    /// What each tally source has heard.
    tally_heard: Mutex<HashMap<String, tally_source::TallyHeard>>,
}

/// The running device manager.
#[derive(Debug)]
pub struct DeviceService {
    show: ShowHandle,
    manager: Arc<Mutex<DeviceManager>>,
    shared: Arc<Shared>,
    admin: admin::Admin,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Drop for DeviceService {
    fn drop(&mut self) {
        lock(&self.tasks).iter().for_each(JoinHandle::abort);
    }
}

impl DeviceService {
    /// Starts the workers of `devices`, the feeder that follows the show, and the task that
    /// publishes every device's state into `registry`; the registry also lends the service
    /// to the API (add, test, remove). Certified looks follow a settled grade after
    /// [`certify::settle_from_env`]; looks go out at the pace of [`pace::pace_from_env`].
    pub fn start(
        show: ShowHandle,
        registry: DeviceRegistry,
        devices: Vec<LookDevice>,
    ) -> Arc<Self> {
        let (settle, pace) = (certify::settle_from_env(), pace::pace_from_env());
        Self::start_paced(show, registry, devices, settle, pace)
    }

    /// [`DeviceService::start`] with the settle time after which a live look is replaced
    /// by its certified bake (`None`: live looks only).
    pub fn start_with(
        show: ShowHandle,
        registry: DeviceRegistry,
        devices: Vec<LookDevice>,
        settle: Option<std::time::Duration>,
    ) -> Arc<Self> {
        Self::start_paced(show, registry, devices, settle, None)
    }

    /// [`DeviceService::start_with`] with the shortest time between two rounds of bakes
    /// for the devices (`None`: one frame at the show's frame rate, [`frame_interval`];
    /// [`DeviceService::start`] reads it from [`pace::PACE_ENV`]).
    pub fn start_paced(
        show: ShowHandle,
        registry: DeviceRegistry,
        devices: Vec<LookDevice>,
        settle: Option<std::time::Duration>,
        pace: Option<std::time::Duration>,
    ) -> Arc<Self> {
        let manager = Arc::new(Mutex::new(DeviceManager::new()));
        let shared = Arc::new(Shared::default());
        let reports = lock(&manager).subscribe();
        let tasks = vec![
            tokio::spawn(publish(reports, registry.clone(), Arc::clone(&shared))),
            tokio::spawn(feed(
                show.clone(),
                Arc::clone(&manager),
                Arc::clone(&shared),
                settle,
                pace,
            )),
        ];
        let service = Arc::new(Self {
            show,
            manager,
            shared,
            admin: admin::Admin::default(),
            tasks: Mutex::new(tasks),
        });
        for d in devices {
            service.add_look_device(d, None, lookwire_color::output::SignalRange::Full);
        }
        registry.attach(&service);
        service
    }

    /// Starts a look device's worker and routes its camera's look to it.
    fn add_look_device(
        &self,
        d: LookDevice,
        calibration: Option<Arc<lookwire_color::formats::LutFile>>,
        range: lookwire_color::output::SignalRange,
    ) {
        // The route first, under the manager's lock: the worker may report itself connected
        // before this returns, and the device list must name its camera by then; the feeder
        // pushes through the manager, so it cannot see the route before the worker exists.
        let mut m = lock(&self.manager);
        let generation = self.admin.next_generation();
        lock(&self.shared.routes).insert(
            d.id.clone(),
            Route {
                camera: d.camera,
                output: d.output,
                generation,
            },
        );
        m.add_with_range(&d.id, d.device, RetryPolicy::default(), calibration, range);
        drop(m);
        self.shared.wake_feed.notify_one();
    }

    /// Stops a device (its worker or its task) and forgets it; `false` if there was none.
    fn stop_device(&self, id: &str) -> bool {
        let link = self.retire(id);
        lock(&self.manager).remove(id) || link
    }

    /// Stops everything of device `id` but its manager entry (a new device with that id
    /// is about to replace it); `true` if it had a link.
    fn retire(&self, id: &str) -> bool {
        lock(&self.shared.routes).remove(id);
        lock(&self.shared.notes).remove(id);
        lock(&self.shared.cameras).remove(id);
        lock(&self.shared.live_errors).remove(id);
        lock(&self.shared.bypass).remove(id);
        self.shared.tally.forget_device(id);
        lock(&self.shared.tally_heard).remove(id);
        self.admin.stop_link(id)
    }

    /// The manager, for adding routers and surfaces ([`control`]).
    pub fn manager(&self) -> &Arc<Mutex<DeviceManager>> {
        &self.manager
    }

    /// Every device's full report.
    pub fn reports(&self) -> Vec<DeviceReport> {
        lock(&self.manager).reports()
    }

    /// Follows a Blackmagic camera's event WebSocket for device `id` (as long as the service).
    pub fn watch_bmd_camera(&self, id: &str, addr: &str) -> JoinHandle<()> {
        tokio::spawn(control::follow_bmd_events(
            Arc::clone(&self.shared),
            id.to_string(),
            addr.to_string(),
        ))
    }

    /// Keeps a task alive as long as the service.
    pub fn hold(&self, task: JoinHandle<()>) {
        let mut tasks = lock(&self.tasks);
        // Test looks and restores finish in seconds: drop their handles as they do.
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// What the certified side has done: (started, delivered, dropped) bakes.
    pub fn certified_bakes(&self) -> (u64, u64, u64) {
        self.shared.certify_counts.get()
    }

    /// Which cameras are on air, as the tally sources say.
    pub fn tally(&self) -> Vec<tally::CameraTally> {
        self.shared.tally.cameras()
    }

    /// Hands a device a look through on-air protection.
    fn hand(&self, id: &str, look: Look) {
        hand(&self.manager, &self.shared, id, look);
    }
}

fn info(r: &DeviceReport, shared: &Shared) -> DeviceInfo {
    let state = match (r.state, &r.last_error) {
        (ConnectionState::Connected, _) => DeviceState::Connected,
        (ConnectionState::Connecting, _) => DeviceState::Connecting,
        (ConnectionState::Disconnected, Some(_)) => DeviceState::Error,
        (ConnectionState::Disconnected, None) => DeviceState::Disconnected,
    };
    let push = r.last_push.as_ref();
    let route = lock(&shared.routes).get(&r.id).cloned();
    let notes = lock(&shared.notes);
    let fit = lock(&shared.fits).get(&r.id).copied();
    let live_error = lock(&shared.live_errors).get(&r.id).copied();
    let bypass = lock(&shared.bypass).get(&r.id).copied();
    let camera_side = lock(&shared.cameras).get(&r.id).cloned();
    let protection = shared
        .tally
        .device(&r.id, route.as_ref().map(|r| r.camera.as_str()));
    DeviceInfo {
        id: r.id.clone(),
        kind: r.kind.clone(),
        state,
        camera: route.as_ref().map(|r| r.camera.clone()),
        output: route.map(|r| r.output),
        bypass,
        on_air: protection.on_air,
        protection: protection.state,
        last_push_ms: push.map(|p| p.latency.as_secs_f64() * 1e3),
        error_max_cv: push.map(|p| p.error.max_10bit),
        error_mean_cv: push.map(|p| p.error.mean_10bit),
        look_quality: push.map(|p| p.quality.into()),
        live_error_max_cv: live_error.map(|e| f64::from(e.max_codes)),
        live_error_p999_cv: live_error.map(|e| f64::from(e.p999_codes)),
        live_error_within_cv: live_error.map(|e| f64::from(e.within_codes)),
        cdl_fit_max_cv: fit.map(|f| f.max_10bit),
        cdl_fit_mean_cv: fit.map(|f| f.mean_10bit),
        calibrated: r.calibrated,
        camera_events: camera_side.as_ref().map(|c| c.events),
        camera_drift: camera_side.and_then(|c| c.drift),
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

/// Mirrors the manager's reports (and the tally) into the API's device list.
async fn publish(
    mut reports: tokio::sync::watch::Receiver<BTreeMap<String, DeviceReport>>,
    registry: DeviceRegistry,
    shared: Arc<Shared>,
) {
    loop {
        let list = {
            let reports = reports.borrow_and_update();
            let now = cdl_only(reports.values());
            if *lock(&shared.cdl_only) != now {
                // A CDL-only device connected: its look is baked again with a fitted CDL.
                *lock(&shared.cdl_only) = now;
                shared.wake_feed.notify_one();
            }
            reports.values().map(|r| info(r, &shared)).collect()
        };
        registry.set(list);
        registry.set_tally(shared.tally.cameras());
        tokio::select! {
            changed = reports.changed() => if changed.is_err() { return },
            () = shared.wake_publish.notified() => {}
        }
    }
}

/// Hands `look` to device `id`, unless on-air protection holds or fades it.
fn hand(manager: &Arc<Mutex<DeviceManager>>, shared: &Arc<Shared>, id: &str, look: Look) {
    let camera = lock(&shared.routes).get(id).map(|r| r.camera.clone());
    match shared.tally.admit(id, camera.as_deref(), look) {
        tally::Admit::Send(look) => {
            let _ = lock(manager).push(id, look);
        }
        tally::Admit::Held => shared.wake_publish.notify_one(),
        tally::Admit::Fade {
            from,
            to,
            frames,
            number,
        } => {
            tally::start_fade(manager, shared, id, (from, to), frames, number);
            shared.wake_publish.notify_one();
        }
    }
}

/// Bakes and hands out looks at start, after show changes that touch them and whenever a
/// device is added; a live look is followed by its certified bake once it has not changed
/// for `settle` ([`certify`]). Rounds of bakes start at most once per `pace` (default: a
/// frame, [`frame_interval`]): the first change after a quiet frame goes out at once, the
/// changes that follow within the frame wait for its end and go out together, newest
/// only (a device could not show the ones in between).
async fn feed(
    show: ShowHandle,
    manager: Arc<Mutex<DeviceManager>>,
    shared: Arc<Shared>,
    settle: Option<std::time::Duration>,
    pace: Option<std::time::Duration>,
) {
    // The rendered show: committed changes, plus every frame of a scene fade.
    let mut rendered = show.watch_rendered();
    let mut certifier = certify::Certifier::new(settle, Arc::clone(&shared.certify_counts));
    let mut last: HashMap<String, String> = HashMap::new();
    let mut fitted_for = std::collections::HashSet::new();
    loop {
        let round = tokio::time::Instant::now();
        let view = rendered.borrow_and_update().clone();
        let next_round = round + pace.unwrap_or_else(|| frame_interval(view.show.frame_rate));
        let targets = lock(&shared.routes).clone();
        let cdl_only = lock(&shared.cdl_only).clone();
        for id in cdl_only.difference(&fitted_for) {
            last.remove(id);
        }
        fitted_for.clone_from(&cdl_only);
        let (v, t, l) = (
            Arc::clone(&view),
            targets.clone(),
            std::mem::take(&mut last),
        );
        let bake = tokio::task::spawn_blocking(move || bake_all(l, &v.show, &t, &cdl_only)).await;
        let Ok((l, looks)) = bake else { return };
        last = l;
        shared.tally.set_frame_rate(view.show.frame_rate);
        for baked in looks {
            hand_baked(&manager, &shared, &mut certifier, &view, &targets, baked);
        }
        certifier.retain(&targets.keys().collect());
        // Coalesce: after the next change, wait for the next round's time, taking the
        // newest show then; meanwhile start and deliver certified bakes.
        let mut changed = false;
        loop {
            let due = certifier.next_due();
            tokio::select! {
                c = rendered.changed(), if !changed => if c.is_err() { return } else { changed = true },
                () = tokio::time::sleep_until(next_round), if changed => break,
                () = shared.wake_feed.notified() => break,
                () = sleep_until(due), if due.is_some() => certifier.start_due(),
                Some(done) = certifier.finished() => {
                    let now = rendered.borrow().clone();
                    let routes = lock(&shared.routes).clone();
                    let inputs = |id: &str| routes.get(id).map(|r| look_inputs(&now.show, id, r).0);
                    for (id, look, error) in certifier.deliver(done, inputs) {
                        set_live_error(&shared, &id, error);
                        hand(&manager, &shared, &id, look);
                    }
                }
            }
        }
    }
}

async fn sleep_until(due: Option<tokio::time::Instant>) {
    if let Some(due) = due {
        tokio::time::sleep_until(due).await;
    }
}

fn set_live_error(shared: &Shared, id: &str, error: Option<LiveError>) {
    match error {
        Some(e) => lock(&shared.live_errors).insert(id.to_string(), e),
        None => lock(&shared.live_errors).remove(id),
    };
}

/// Hands one freshly baked look to its device (the certified one if that look already
/// has it) and starts its settle time when it is live.
fn hand_baked(
    manager: &Arc<Mutex<DeviceManager>>,
    shared: &Arc<Shared>,
    certifier: &mut certify::Certifier,
    view: &Arc<crate::show::ShowView>,
    targets: &HashMap<String, Route>,
    (id, look, inputs): Baked,
) {
    note_missing_cdl(shared, &id, &look);
    match look.cdl_fit {
        Some(f) => lock(&shared.fits).insert(id.clone(), f),
        None => lock(&shared.fits).remove(&id),
    };
    let Some(route) = targets.get(&id) else {
        return;
    };
    let source = certify::Source {
        view: Arc::clone(view),
        camera: route.camera.clone(),
        output: route.output.clone(),
        bypass: device_bypass(&view.show, &id),
    };
    lock(&shared.bypass).insert(id.clone(), source.bypass);
    let (look, error) = certifier.handed(&id, &inputs, look, source);
    set_live_error(shared, &id, error);
    hand(manager, shared, &id, look);
}

/// Records (and logs once) why `look` carries no CDL, or clears the device's note.
fn note_missing_cdl(shared: &Shared, id: &str, look: &Look) {
    let mut notes = lock(&shared.notes);
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

/// Devices known to take only a CDL (no 3D LUT).
fn cdl_only<'a>(
    reports: impl Iterator<Item = &'a DeviceReport>,
) -> std::collections::HashSet<String> {
    reports
        .filter(|r| r.capabilities.as_ref().is_some_and(|c| !c.takes_lut3d()))
        .map(|r| r.id.clone())
        .collect()
}

/// For a CDL-only device, a look whose grade merges into no single CDL gets the best fitted
/// one, with its error on the output stated (`crate::show::fit_cdl`).
fn fit_missing_cdl(look: &mut Look, show: &Show, camera: &str, output: &str) {
    if look.cdl.is_some() {
        return;
    }
    match crate::show::fitted_cdl_for(show, camera, output) {
        Ok(fit) => {
            look.cdl = Some(fit.cdl);
            look.cdl_fit = (!fit.exact).then_some(lookwire_protocol::ColorError {
                max_10bit: fit.error.output_max_cv,
                mean_10bit: fit.error.output_mean_cv,
            });
        }
        Err(e) => tracing::warn!("camera {camera} for output {output}: no CDL fits: {e}"),
    }
}

fn device_bypass(show: &Show, id: &str) -> Bypass {
    show.device_bypass.get(id).copied().unwrap_or(Bypass::None)
}

/// What device `id`'s look on `route` depends on in `show` (the same for every device on
/// one look), and the device's bypass.
fn look_inputs(show: &Show, id: &str, route: &Route) -> (String, Bypass) {
    let bypass = device_bypass(show, id);
    let key = crate::looks::look_key(show, &route.camera, &route.output, bypass);
    (format!("{}|{}|{key}", route.camera, route.output), bypass)
}

/// A device id, its freshly baked look and the look's inputs.
type Baked = (String, Look, String);

/// The looks that changed since `last` (keyed by what each depends on), each with its
/// inputs. Looks come from the process's look cache ([`crate::looks::shared`]), so devices
/// and previews showing one look share one bake; devices on one look also share one CDL fit.
fn bake_all(
    mut last: HashMap<String, String>,
    show: &Show,
    targets: &HashMap<String, Route>,
    cdl_only: &std::collections::HashSet<String>,
) -> (HashMap<String, String>, Vec<Baked>) {
    let mut looks = Vec::new();
    let mut fitted: HashMap<String, Look> = HashMap::new();
    last.retain(|id, _| targets.contains_key(id));
    for (id, route) in targets {
        let (camera, output) = (&route.camera, &route.output);
        let (inputs, bypass) = look_inputs(show, id, route);
        let key = format!("{}|{inputs}", route.generation);
        if last.get(id) == Some(&key) {
            continue;
        }
        let look = match crate::looks::shared().look(show, camera, output, bypass) {
            Ok(look) => Look::clone(&look),
            Err(e) => {
                tracing::warn!("device {id}: cannot bake camera {camera} for output {output}: {e}");
                continue;
            }
        };
        let look = if cdl_only.contains(id) {
            fitted
                .entry(inputs.clone())
                .or_insert_with(|| {
                    let mut l = look;
                    fit_missing_cdl(&mut l, show, camera, output);
                    l
                })
                .clone()
        } else {
            look
        };
        looks.push((id.clone(), look, inputs));
        last.insert(id.clone(), key);
    }
    (last, looks)
}

/// Starts the devices kept in the store (added through the API before a restart). A device
/// whose configuration no longer fits the show is logged and left out; the rest start.
/// `file` gives a show file's name and bytes (for calibration LUTs).
pub async fn restore(
    service: &DeviceService,
    stored: Vec<crate::store::StoredDevice>,
    file: impl Fn(&str) -> Option<(String, Vec<u8>)>,
) -> usize {
    let mut started = 0;
    for d in stored {
        let config: config::DeviceConfig = match serde_json::from_str(&d.config) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!("stored device {}: unreadable configuration: {e}", d.id);
                continue;
            }
        };
        if let Err(e) = config.validate(&service.show.view().show) {
            tracing::warn!("stored device {}: {e}; not started", d.id);
            continue;
        }
        // A calibration LUT is read from the show's files by the API; after a restart it is
        // read here the same way.
        let calibration = match config.calibration.as_deref().map(|f| (f, file(f))) {
            None => None,
            Some((_, Some((name, bytes)))) => match config::read_calibration(&name, &bytes) {
                Ok(lut) => Some(Arc::new(lut)),
                Err(e) => {
                    tracing::warn!("stored device {}: calibration {e}; not started", d.id);
                    continue;
                }
            },
            Some((f, None)) => {
                tracing::warn!(
                    "stored device {}: calibration file {f} is gone; not started",
                    d.id
                );
                continue;
            }
        };
        match service.add(config, calibration).await {
            Ok(()) => started += 1,
            Err(e) => tracing::warn!("stored device {}: {e}", d.id),
        }
    }
    started
}
