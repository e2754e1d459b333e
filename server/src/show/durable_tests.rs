//! The pipelined commit: a batch is written to the store at once, its disk sync runs while
//! the next batches are written (and their own syncs start), and nobody hears of a change
//! before a sync that began after its write has returned.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use serde_json::json;
use tokio::sync::oneshot::error::TryRecvError;

use crate::show::demo::demo_show;
use crate::show::writer::{Pending, ShowHandle};
use crate::show::{Action, Event, GradeField, ShowError};
use crate::store::{SqliteStore, Store, StoreError, SyncHandle};

/// Guards the test against a writer that never gets there; no result depends on it.
const STUCK: Duration = Duration::from_secs(30);

/// A sync that has begun: how many events had been appended then, and its outcome's sender.
pub(crate) type Entered = (u64, mpsc::Sender<Result<(), String>>);

/// A store whose syncs the test finishes, each when it chooses.
struct SyncGated {
    inner: SqliteStore,
    appended: Arc<AtomicU64>,
    entered: mpsc::Sender<Entered>,
    handles: Arc<Handles>,
}

/// Which handles were opened and which synced, by number (0: the one the store gave).
#[derive(Default)]
struct Handles {
    opened: AtomicU64,
    synced_by: std::sync::Mutex<Vec<u64>>,
}

struct GatedSync {
    appended: Arc<AtomicU64>,
    entered: std::sync::Mutex<mpsc::Sender<Entered>>,
    handles: Arc<Handles>,
    number: u64,
}

impl SyncHandle for GatedSync {
    fn sync(&self) -> Result<(), StoreError> {
        let (tx, rx) = mpsc::channel();
        let seen = self.appended.load(Ordering::SeqCst);
        crate::sync::lock(&self.handles.synced_by).push(self.number);
        crate::sync::lock(&self.entered)
            .send((seen, tx))
            .expect("test listens");
        let outcome = rx.recv_timeout(STUCK).expect("test finishes the sync");
        outcome.map_err(StoreError::Corrupt)
    }
    fn reopen(&self) -> Result<Box<dyn SyncHandle>, StoreError> {
        Ok(Box::new(GatedSync {
            appended: self.appended.clone(),
            entered: std::sync::Mutex::new(crate::sync::lock(&self.entered).clone()),
            handles: self.handles.clone(),
            number: self.handles.opened.fetch_add(1, Ordering::SeqCst) + 1,
        }))
    }
}

impl Store for SyncGated {
    fn append(&mut self, events: &[Event]) -> Result<(), StoreError> {
        self.inner.append(events)?;
        let last = events.last().map_or(0, |e| e.version);
        self.appended.store(last, Ordering::SeqCst);
        Ok(())
    }
    fn deferred_sync(&mut self) -> Result<Option<Arc<dyn SyncHandle>>, StoreError> {
        Ok(Some(Arc::new(GatedSync {
            appended: self.appended.clone(),
            entered: std::sync::Mutex::new(self.entered.clone()),
            handles: self.handles.clone(),
            number: 0,
        })))
    }
    store_methods_forwarded_to_inner!();
}

/// A change of `camera`'s trim slope (green) to `value`.
pub(crate) fn trim(camera: &str, value: f64) -> Action {
    Action::Trim {
        camera: camera.into(),
        field: GradeField::parse("trim.slope.g").unwrap(),
        value: json!(value),
    }
}

pub(crate) fn is_waiting(pending: &mut Pending) -> bool {
    matches!(pending.0.try_recv(), Err(TryRecvError::Empty))
}

/// A SQLite store at `path` whose syncs the test finishes ([`SyncGated`]), for route tests.
pub(crate) fn gated_store(path: &std::path::Path) -> (Box<dyn Store>, mpsc::Receiver<Entered>) {
    let (entered_tx, entered) = mpsc::channel();
    let store = SyncGated {
        inner: SqliteStore::open(path).unwrap(),
        appended: Arc::default(),
        entered: entered_tx,
        handles: Arc::default(),
    };
    (Box::new(store), entered)
}

fn gated_show() -> (ShowHandle, mpsc::Receiver<Entered>, tempfile::TempDir) {
    let (show, entered, _, dir) = gated_show_counting();
    (show, entered, dir)
}

/// [`gated_show`], with the last version appended to the store.
fn gated_show_counting() -> (
    ShowHandle,
    mpsc::Receiver<Entered>,
    Arc<AtomicU64>,
    tempfile::TempDir,
) {
    let dir = tempfile::tempdir().unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let appended = Arc::<AtomicU64>::default();
    let store = SyncGated {
        inner: SqliteStore::open(&dir.path().join("s.sqlite")).unwrap(),
        appended: appended.clone(),
        entered: entered_tx,
        handles: Arc::default(),
    };
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    (show, entered, appended, dir)
}

/// Waits until the store has appended `version`.
fn until_appended(appended: &AtomicU64, version: u64) {
    let start = std::time::Instant::now();
    while appended.load(Ordering::SeqCst) < version {
        assert!(start.elapsed() < STUCK, "version {version} never written");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// Submits two changes, the second while the first one's sync runs, and returns each
/// change with the outcome sender of the sync that began after it was written.
async fn two_changes_two_syncs(
    show: &ShowHandle,
    entered: &mpsc::Receiver<Entered>,
) -> [(Pending, mpsc::Sender<Result<(), String>>); 2] {
    let first = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    let (seen, finish_first) = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(seen, 1, "the first sync covers the first change");
    // While that sync runs, the next change is written and its own sync begins.
    let second = show
        .submit("colorist", trim("b", 1.02), None)
        .await
        .unwrap();
    let (seen, finish_second) = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(
        seen, 2,
        "the second change was written during the first sync"
    );
    [(first, finish_first), (second, finish_second)]
}

#[tokio::test]
async fn a_change_written_during_a_sync_starts_its_own_and_waits_for_a_sync_after_it() {
    let (show, entered, _dir) = gated_show();
    let mut changes = show.subscribe();

    let [(mut first, finish_first), (mut second, finish_second)] =
        two_changes_two_syncs(&show, &entered).await;
    assert!(is_waiting(&mut first), "answered before its sync");
    assert!(is_waiting(&mut second), "answered before its sync");
    assert!(changes.try_recv().is_err(), "broadcast before its sync");
    assert_eq!(show.view().version, 0, "visible before its sync");

    // The later sync began after both were written: it makes both durable, in order.
    finish_second.send(Ok(())).unwrap();
    assert_eq!(first.wait().await.unwrap().version, 1);
    assert_eq!(second.wait().await.unwrap().version, 2);
    assert_eq!(changes.recv().await.unwrap().event.version, 1);
    assert_eq!(changes.recv().await.unwrap().event.version, 2);
    assert_eq!(show.view().version, 2);
    // The earlier sync ending later publishes nothing twice.
    finish_first.send(Ok(())).unwrap();
    let mut third = show.submit("vc", trim("c", 1.03), None).await.unwrap();
    let (seen, finish_third) = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(seen, 3);
    assert!(is_waiting(&mut third), "answered before its sync");
    finish_third.send(Ok(())).unwrap();
    assert_eq!(third.wait().await.unwrap().version, 3);
    assert_eq!(changes.recv().await.unwrap().event.version, 3);
    assert!(changes.try_recv().is_err(), "a change published twice");
}

#[tokio::test]
async fn a_failed_sync_refuses_its_changes_and_every_later_one() {
    let (show, entered, _dir) = gated_show();
    let mut changes = show.subscribe();

    let first = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    let (_, finish) = entered.recv_timeout(STUCK).unwrap();
    finish.send(Err("the disk went away".into())).unwrap();
    let err = first.wait().await.unwrap_err();
    assert!(
        matches!(&err, ShowError::Store(m) if m.contains("the disk went away")
            && m.contains("unknown") && m.contains("restarted")),
        "{err:?}"
    );
    // Nothing is promised durable any more: later changes are refused at once.
    let later = show.apply("vc", trim("b", 1.02), None).await.unwrap_err();
    assert!(
        matches!(&later, ShowError::Store(m) if m.contains("disk sync failed")
            && m.contains("the disk went away") && m.contains("restart it")),
        "{later:?}"
    );
    assert!(
        changes.try_recv().is_err(),
        "a refused change was broadcast"
    );
    assert_eq!(show.view().version, 0);
    assert!(
        entered.try_recv().is_err(),
        "a sync ran for a refused change"
    );
}

#[tokio::test]
async fn a_sync_that_began_before_a_write_does_not_publish_it() {
    let (show, entered, _dir) = gated_show();
    let mut changes = show.subscribe();

    let [(first, finish_first), (mut second, finish_second)] =
        two_changes_two_syncs(&show, &entered).await;

    // The first sync began before the second change was written: it covers the first only.
    finish_first.send(Ok(())).unwrap();
    assert_eq!(first.wait().await.unwrap().version, 1);
    // A third change's sync can only start on the thread whose sync just ended (the other
    // is still in the second sync), after that thread published: so by now it has.
    let mut third = show.submit("vc", trim("c", 1.03), None).await.unwrap();
    let (seen, finish_third) = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(seen, 3);
    assert_eq!(changes.recv().await.unwrap().event.version, 1);
    assert!(
        changes.try_recv().is_err(),
        "broadcast before a sync after it"
    );
    assert_eq!(show.view().version, 1, "published past its sync");
    assert!(is_waiting(&mut second), "answered before a sync after it");

    finish_second.send(Ok(())).unwrap();
    assert_eq!(second.wait().await.unwrap().version, 2);
    assert_eq!(changes.recv().await.unwrap().event.version, 2);
    assert!(is_waiting(&mut third), "answered before its sync");
    finish_third.send(Ok(())).unwrap();
    assert_eq!(third.wait().await.unwrap().version, 3);
    assert_eq!(changes.recv().await.unwrap().event.version, 3);
    assert_eq!(show.view().version, 3);
}

#[tokio::test]
async fn the_writer_waits_while_too_many_batches_wait_for_their_sync() {
    use crate::show::durable::MAX_WAITING;
    let (show, entered, appended, _dir) = gated_show_counting();
    let mut syncs = Vec::new();
    let mut pending = Vec::new();
    // Each change is written alone (the writer has nothing queued behind it): one batch each.
    for version in 1..=MAX_WAITING {
        pending.push(show.submit("vc", trim("a", 1.0), None).await.unwrap());
        until_appended(&appended, version);
        // Both sync threads are held in their first syncs (of batches 1 and 2).
        if version <= 2 {
            syncs.push(entered.recv_timeout(STUCK).unwrap());
        }
    }
    pending.push(show.submit("vc", trim("a", 1.1), None).await.unwrap());
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        appended.load(Ordering::SeqCst),
        MAX_WAITING,
        "written with {MAX_WAITING} batches waiting for their sync"
    );
    // The first sync makes batch 1 durable: room for one more.
    let (_, finish_first) = syncs.remove(0);
    finish_first.send(Ok(())).unwrap();
    until_appended(&appended, MAX_WAITING + 1);
    // Let every sync end, so every change is answered.
    let (_, finish_second) = syncs.remove(0);
    finish_second.send(Ok(())).unwrap();
    let last = pending.pop().unwrap();
    let finisher = std::thread::spawn(move || {
        // Ends once the stopped show has dropped its sync handles.
        while let Ok((_, finish)) = entered.recv_timeout(STUCK) {
            finish.send(Ok(())).unwrap();
        }
    });
    assert_eq!(last.wait().await.unwrap().version, MAX_WAITING + 1);
    for change in pending {
        change.wait().await.unwrap();
    }
    drop(show);
    finisher.join().unwrap();
}

#[tokio::test]
async fn a_stopped_writer_still_publishes_what_it_wrote() {
    let (show, entered, appended, _dir) = gated_show_counting();
    let mut changes = show.subscribe();
    let first = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    let (_, finish_first) = entered.recv_timeout(STUCK).unwrap();
    let second = show.submit("vc", trim("b", 1.02), None).await.unwrap();
    let (_, finish_second) = entered.recv_timeout(STUCK).unwrap();
    // Both sync threads are busy: the third change is written, its sync not yet begun.
    let third = show.submit("vc", trim("c", 1.03), None).await.unwrap();
    until_appended(&appended, 3);
    drop(show);

    finish_first.send(Ok(())).unwrap();
    finish_second.send(Ok(())).unwrap();
    let (seen, finish_third) = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(seen, 3, "the stopped writer's last change is synced");
    finish_third.send(Ok(())).unwrap();
    for (pending, version) in [(first, 1), (second, 2), (third, 3)] {
        assert_eq!(pending.wait().await.unwrap().version, version);
        assert_eq!(changes.recv().await.unwrap().event.version, version);
    }
}

#[tokio::test]
async fn each_sync_thread_syncs_through_its_own_handle() {
    let dir = tempfile::tempdir().unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let handles = Arc::<Handles>::default();
    let store = SyncGated {
        inner: SqliteStore::open(&dir.path().join("s.sqlite")).unwrap(),
        appended: Arc::default(),
        entered: entered_tx,
        handles: handles.clone(),
    };
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let first = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    let (_, finish_first) = entered.recv_timeout(STUCK).unwrap();
    let second = show.submit("vc", trim("b", 1.02), None).await.unwrap();
    let (_, finish_second) = entered.recv_timeout(STUCK).unwrap();
    // Two syncs at once, each on a handle of its own, none on the store's (shared) one.
    let mut by = crate::sync::lock(&handles.synced_by).clone();
    by.sort_unstable();
    assert_eq!(by, [1, 2], "syncs by handle");
    assert_eq!(handles.opened.load(Ordering::SeqCst), 2);
    finish_first.send(Ok(())).unwrap();
    finish_second.send(Ok(())).unwrap();
    first.wait().await.unwrap();
    second.wait().await.unwrap();
}
