//! The one task that changes a show: commands in, snapshots and change events out.
//!
//! It runs on its own thread. Commands that queue up while it works are applied together
//! and written in one transaction (group commit). With a store that defers its disk sync
//! ([`crate::store::Store::deferred_sync`]), the writer goes on with the next batch while
//! the sync runs, and the batch is answered and broadcast once it is on the disk
//! (`super::durable`).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tokio::sync::{broadcast, mpsc, oneshot, watch};

use super::actions::{Action, Stamp};
use super::durable::{Committed, Durable, Outlets, Reply};
use super::fade::{Fader, FrameClock, SystemFrames};
use super::history::{camera_of, History};
use super::look_luts;
use super::model::Show;
use super::patch::Patch;
use super::{Event, ShowError, ValidationError};
use crate::store::{Store, StoreError};
use crate::timecode::{ShowClock, Timecode};

/// Commands taken into one commit at most.
const BATCH: usize = 512;

/// The show at one version, as readers see it.
#[derive(Debug, Clone)]
pub struct ShowView {
    pub version: u64,
    pub show: Show,
}

/// Who sent a change over the WebSocket, so clients can match it to their message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Origin {
    pub client: u64,
    pub seq: u64,
}

/// A committed change, with its `change` message rendered once for every client.
#[derive(Debug)]
pub struct Change {
    pub event: Event,
    pub origin: Option<Origin>,
    /// The `change` message, encoded once; clients share its bytes.
    pub message: axum::extract::ws::Utf8Bytes,
}

/// The outcome of an applied action.
#[derive(Debug, Clone)]
pub struct Applied {
    pub version: u64,
}

/// An action queued with [`ShowHandle::submit`].
#[derive(Debug)]
pub struct Pending(pub(super) oneshot::Receiver<Result<Applied, ShowError>>);

impl Pending {
    /// Waits until the action is durable (or refused).
    pub async fn wait(self) -> Result<Applied, ShowError> {
        self.await
    }
}

/// Resolves once the action is durable (or refused). Poll it to completion once only.
impl std::future::Future for Pending {
    type Output = Result<Applied, ShowError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.unwrap_or(Err(ShowError::Stopped)))
    }
}

struct Command {
    who: String,
    action: Action,
    origin: Option<Origin>,
    reply: oneshot::Sender<Result<Applied, ShowError>>,
}

/// A cheap handle to a running show: send actions, read snapshots, follow changes.
#[derive(Debug, Clone)]
pub struct ShowHandle {
    tx: mpsc::Sender<Command>,
    view: watch::Receiver<Arc<ShowView>>,
    rendered: watch::Receiver<Arc<ShowView>>,
    changes: broadcast::Sender<Arc<Change>>,
    clock: Arc<Mutex<ShowClock>>,
    durable: Arc<Durable>,
    /// Why the last commit failed (a full disk, a read-only file), until one succeeds.
    commit_failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Command").field("who", &self.who).finish()
    }
}

/// The `change` message every client receives (built by [`change`] from the event's JSON).
#[cfg(test)]
#[derive(Serialize)]
struct ChangeMessage<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<Origin>,
    event: &'a Event,
}

/// The show rebuilt from its store: the base document with every event applied.
fn rebuild(
    store: &mut dyn Store,
    fresh: impl FnOnce() -> Show,
) -> Result<(Show, History, u64), StoreError> {
    let Some(loaded) = store.load()? else {
        let show = fresh();
        store.init(&show)?;
        return Ok((show, History::default(), 0));
    };
    let mut show = loaded.base;
    let mut history = History::default();
    let mut version = 0;
    for event in &loaded.events {
        for patch in &event.patches {
            show.apply(patch).map_err(|e| {
                StoreError::Corrupt(format!("event {} does not replay: {e}", event.version))
            })?;
        }
        history.record(event);
        version = event.version;
    }
    Ok((show, history, version))
}

/// Reads the tables of the show's LUT files from the store, so show looks can apply them. A
/// file that does not read is reported and left out: looks using it answer an error.
fn load_look_luts(store: &mut dyn Store, show: &Show) {
    let luts = show
        .files
        .values()
        .filter(|f| look_luts::is_lut_name(&f.name));
    for file in luts {
        let loaded = match store.get_file(&file.id) {
            Ok(Some(stored)) => look_luts::load(&stored)
                .map(drop)
                .map_err(|e| e.to_string()),
            Ok(None) => Err("its bytes are not in the store".to_owned()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = loaded {
            eprintln!("lookwire: LUT file {:?} ({:?}): {e}", file.id, file.name);
        }
    }
}

impl ShowHandle {
    /// Loads the show from `store` (starting it from `fresh()` when the store is empty) and
    /// starts its writer thread.
    pub fn start(
        store: Box<dyn Store>,
        fresh: impl FnOnce() -> Show,
    ) -> Result<ShowHandle, StoreError> {
        Self::start_with_frames(store, fresh, Arc::new(SystemFrames))
    }

    /// [`ShowHandle::start`] with scene fades timed by `frames` (a test's clock).
    pub fn start_with_frames(
        mut store: Box<dyn Store>,
        fresh: impl FnOnce() -> Show,
        frames: Arc<dyn FrameClock>,
    ) -> Result<ShowHandle, StoreError> {
        let (show, history, version) = rebuild(store.as_mut(), fresh)?;
        load_look_luts(store.as_mut(), &show);
        let sync = store.deferred_sync()?;
        let clock = Arc::new(Mutex::new(ShowClock::free_run(show.frame_rate)));
        let (tx, rx) = mpsc::channel(4096);
        let (view_tx, view) = watch::channel(Arc::new(ShowView {
            version,
            show: show.clone(),
        }));
        let (changes, _) = broadcast::channel(8192);
        let (fader, rendered) = Fader::new(view.borrow().clone(), frames);
        fader
            .spawn(view.clone())
            .map_err(|e| StoreError::Corrupt(format!("cannot start the fade thread: {e}")))?;
        let outlets = Outlets {
            view: view_tx,
            fader,
            changes: changes.clone(),
        };
        let durable = Durable::start(outlets, sync)?;
        let commit_failure: Arc<Mutex<Option<String>>> = Arc::default();
        let writer = Writer {
            store,
            show,
            history,
            version,
            clock: clock.clone(),
            durable: durable.clone(),
            commit_failure: commit_failure.clone(),
        };
        std::thread::Builder::new()
            .name("show-writer".into())
            .spawn(move || writer.run(rx))
            .map_err(|e| StoreError::Corrupt(format!("cannot start the show thread: {e}")))?;
        Ok(ShowHandle {
            tx,
            view,
            rendered,
            changes,
            clock,
            durable,
            commit_failure,
        })
    }

    /// Why the show takes no changes, when it does not: the writer thread has stopped, a
    /// disk sync failed (what the changes are answered), or the last commit failed (until
    /// one succeeds).
    pub fn refusal(&self) -> Option<String> {
        if self.tx.is_closed() {
            return Some(
                "the show's writer has stopped (its error is in the server log): restart the \
                 server"
                    .into(),
            );
        }
        self.durable
            .failed()
            .or_else(|| lock(&self.commit_failure).clone())
    }

    /// Applies an action; returns once the change is durable.
    pub async fn apply(
        &self,
        who: &str,
        action: Action,
        origin: Option<Origin>,
    ) -> Result<Applied, ShowError> {
        self.submit(who, action, origin).await?.wait().await
    }

    /// Queues an action in order and returns at once; [`Pending::wait`] gives the outcome.
    /// Lets one client pipeline many changes while keeping their order.
    pub async fn submit(
        &self,
        who: &str,
        action: Action,
        origin: Option<Origin>,
    ) -> Result<Pending, ShowError> {
        let (reply, rx) = oneshot::channel();
        let command = Command {
            who: who.to_owned(),
            action,
            origin,
            reply,
        };
        self.tx
            .send(command)
            .await
            .map_err(|_| ShowError::Stopped)?;
        Ok(Pending(rx))
    }

    /// The latest durable show: with a deferred sync, the writer may have committed later
    /// changes that are not shown here until they are synced.
    pub fn view(&self) -> Arc<ShowView> {
        self.view.borrow().clone()
    }

    /// The show as outputs render it now: the durable show, with the grades of cameras in
    /// a scene fade at their in-between values ([`super::fade`]). Updated after every
    /// change and every frame of a fade.
    pub fn rendered(&self) -> Arc<ShowView> {
        self.rendered.borrow().clone()
    }

    /// Follows [`ShowHandle::rendered`]: wakes on every change and fade frame.
    pub fn watch_rendered(&self) -> watch::Receiver<Arc<ShowView>> {
        self.rendered.clone()
    }

    /// Every durable change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.changes.subscribe()
    }

    /// The show timecode now.
    pub fn timecode(&self) -> Timecode {
        lock(&self.clock).now()
    }

    /// Runs `f` on the show clock (jam, change source).
    pub fn with_clock<T>(&self, f: impl FnOnce(&mut ShowClock) -> T) -> T {
        f(&mut lock(&self.clock))
    }
}

struct Writer {
    store: Box<dyn Store>,
    show: Show,
    history: History,
    version: u64,
    clock: Arc<Mutex<ShowClock>>,
    durable: Arc<Durable>,
    commit_failure: Arc<Mutex<Option<String>>>,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Command>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = Vec::with_capacity(64);
            batch.push(first);
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(cmd) => batch.push(cmd),
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
        self.durable.stop();
    }

    fn stamp(&self) -> Stamp {
        let wall_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        let clock = lock(&self.clock);
        Stamp {
            wall_ms,
            timecode: clock.now().to_string(),
        }
    }

    /// Applies a batch and writes it to the store; the durable stage answers and broadcasts
    /// once it is on the disk.
    fn commit(&mut self, batch: Vec<Command>) {
        if let Some(message) = self.durable.failed() {
            for cmd in batch {
                let _ = cmd.reply.send(Err(ShowError::Store(message.clone())));
            }
            return;
        }
        let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
        let mut events = Vec::new();
        let mut origins = Vec::new();
        for cmd in batch {
            let result = self.apply_one(&cmd.who, &cmd.action).map(|event| {
                let version = event.version;
                events.push(event);
                origins.push(cmd.origin);
                Applied { version }
            });
            replies.push((cmd.reply, result));
        }
        let mut bodies = Vec::new();
        if !events.is_empty() {
            let failure = match self.write(&events, &mut bodies) {
                Ok(()) => None,
                Err(err) => {
                    self.recover(&err, &mut replies);
                    events.clear();
                    Some(format!(
                        "the last change could not be stored ({err}); changes are refused \
                         until the store takes one (check the disk it is on)"
                    ))
                }
            };
            *lock(&self.commit_failure) = failure;
        }
        let view = (!events.is_empty()).then(|| {
            Arc::new(ShowView {
                version: self.version,
                show: self.show.clone(),
            })
        });
        let changes = events
            .into_iter()
            .zip(origins)
            .zip(bodies)
            .map(|((event, origin), body)| change(event, origin, &body))
            .collect();
        self.durable.push(Committed {
            view,
            changes,
            replies,
        });
    }

    /// Encodes each event's JSON once (into `bodies`) and writes the events with it.
    fn write(&mut self, events: &[Event], bodies: &mut Vec<String>) -> Result<(), StoreError> {
        for event in events {
            bodies.push(serde_json::to_string(event)?);
        }
        self.store.append_encoded(events, bodies)
    }

    /// After a failed commit: reload the show from what the store holds, fail the batch.
    fn recover(&mut self, err: &StoreError, replies: &mut [Reply]) {
        let message = err.to_string();
        for (_, result) in replies.iter_mut() {
            if result.is_ok() {
                *result = Err(ShowError::Store(message.clone()));
            }
        }
        match rebuild(self.store.as_mut(), || self.show.clone()) {
            Ok((show, history, version)) => {
                self.show = show;
                self.history = history;
                self.version = version;
            }
            Err(e) => eprintln!("lookwire: cannot reload the show after a store error: {e}"),
        }
    }

    /// Plans, applies and validates one action; on error the show is unchanged.
    fn apply_one(&mut self, who: &str, action: &Action) -> Result<Event, ShowError> {
        let stamp = self.stamp();
        let plan = action.plan(&self.show, &self.history, &stamp)?;
        apply_all(&mut self.show, &plan.patches)?;
        let mut cameras: Vec<String> = Vec::new();
        for p in &plan.patches {
            if let Some(c) = camera_of(p.path()) {
                if !cameras.iter().any(|x| x == c) {
                    cameras.push(c.to_owned());
                }
            }
        }
        self.version += 1;
        let event = Event {
            version: self.version,
            who: who.to_owned(),
            wall_ms: stamp.wall_ms,
            timecode: stamp.timecode,
            action: plan.action.to_owned(),
            cameras,
            patches: plan.patches,
            history: plan.history,
            fade_frames: plan.fade_frames,
        };
        self.history.record(&event);
        if event.action == "show.update" {
            let rate = self.show.frame_rate;
            lock(&self.clock).set_rate(rate);
        }
        Ok(event)
    }
}

/// A committed event with its `change` message, rendered once for every client around
/// the event's JSON `body` as the store keeps it (the bytes `ChangeMessage` would give).
fn change(event: Event, origin: Option<Origin>, body: &str) -> Arc<Change> {
    use std::fmt::Write;
    let mut message = String::with_capacity(body.len() + 96);
    let _ = write!(message, r#"{{"type":"change","version":{}"#, event.version);
    if let Some(o) = origin {
        let _ = write!(
            message,
            r#","origin":{{"client":{},"seq":{}}}"#,
            o.client, o.seq
        );
    }
    message.push_str(r#","event":"#);
    message.push_str(body);
    message.push('}');
    Arc::new(Change {
        event,
        origin,
        message: message.into(),
    })
}

/// Applies patches in order and checks what they touched; undoes them all on any error.
fn apply_all(show: &mut Show, patches: &[Patch]) -> Result<(), ShowError> {
    for (i, patch) in patches.iter().enumerate() {
        if let Err(err) = show.apply(patch) {
            revert(show, &patches[..i]);
            return Err(err.into());
        }
    }
    for patch in patches {
        let top_level = patch.path().matches('/').count() == 1;
        let check = if top_level {
            show.validate_all()
        } else {
            show.validate_at(patch.path())
        };
        if let Err(err) = check {
            revert(show, patches);
            return Err(classify(patch, err));
        }
    }
    Ok(())
}

fn classify(patch: &Patch, err: ValidationError) -> ShowError {
    match patch {
        Patch::Remove { .. } => ShowError::Conflict(err),
        _ => ShowError::Invalid(err),
    }
}

fn revert(show: &mut Show, applied: &[Patch]) {
    for patch in applied.iter().rev() {
        if let Err(e) = show.apply(&patch.inverse()) {
            eprintln!("lookwire: cannot revert {}: {e}", patch.path());
        }
    }
}

/// The mutex's value, whether or not a thread panicked holding it (each holder leaves it whole).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
