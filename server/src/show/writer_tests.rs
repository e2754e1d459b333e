//! Group commit: what queues while a commit waits for the disk goes into the next commit,
//! in one transaction, and nobody hears of a change before its commit has returned.

use std::sync::mpsc;
use std::time::Duration;

use super::ShowHandle;
use crate::show::demo::demo_show;
use crate::show::durable_tests::{is_waiting, trim};
use crate::show::{Event, ShowError};
use crate::store::{SqliteStore, Store, StoreError};

/// Guards the test against a writer that never gets there; no result depends on it.
const STUCK: Duration = Duration::from_secs(30);

/// A store whose `append` tells the test how many events it got, then waits for the test's
/// go-ahead before it commits: the test decides when each commit "finishes its sync".
struct GatedStore {
    inner: SqliteStore,
    entered: mpsc::Sender<Vec<u64>>,
    release: mpsc::Receiver<()>,
}

impl Store for GatedStore {
    fn append(&mut self, events: &[Event]) -> Result<(), StoreError> {
        let versions = events.iter().map(|e| e.version).collect();
        self.entered.send(versions).expect("test listens");
        self.release.recv_timeout(STUCK).expect("test releases");
        self.inner.append(events)
    }
    store_methods_forwarded_to_inner!();
}

fn value(i: usize) -> f64 {
    1.1 + i as f64 / 100.0
}

#[tokio::test]
async fn changes_queued_during_a_commit_go_into_the_next_one_and_wait_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let store = GatedStore {
        inner: SqliteStore::open(&path).unwrap(),
        entered: entered_tx,
        release: release_rx,
    };
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let mut changes = show.subscribe();

    // The first trim's commit starts and is held "in its sync".
    let mut first = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    assert_eq!(entered.recv_timeout(STUCK).unwrap(), vec![1]);
    // Meanwhile nine more arrive from two users on three cameras (one refused).
    let mut queued = Vec::new();
    for (i, camera) in ["a", "b", "c", "a", "b", "zz", "c", "a", "b"]
        .into_iter()
        .enumerate()
    {
        let who = if i % 2 == 0 { "vc" } else { "colorist" };
        let action = trim(camera, value(i));
        queued.push(show.submit(who, action, None).await.unwrap());
    }
    assert!(is_waiting(&mut first), "answered before its commit");
    assert!(changes.try_recv().is_err(), "broadcast before its commit");

    release.send(()).unwrap();
    assert_eq!(first.wait().await.unwrap().version, 1);
    // All nine were queued while the first commit ran: one commit takes the eight valid
    // ones, in the order they were sent, while the refused one takes no version.
    let second = entered.recv_timeout(STUCK).unwrap();
    assert_eq!(second, (2..=9).collect::<Vec<u64>>());
    for pending in &mut queued {
        assert!(is_waiting(pending), "answered before its commit");
    }
    assert_eq!(changes.recv().await.unwrap().event.version, 1);
    assert!(
        changes.try_recv().is_err(),
        "batch broadcast before its commit"
    );
    assert_eq!(show.view().version, 1, "batch visible before its commit");

    release.send(()).unwrap();
    let mut versions = Vec::new();
    for pending in queued {
        versions.push(pending.wait().await.map(|a| a.version).ok());
    }
    let expected = [2, 3, 4, 5, 6, 0, 7, 8, 9].map(|v| (v > 0).then_some(v));
    assert_eq!(versions, expected);
    for v in 2..=9 {
        assert_eq!(changes.recv().await.unwrap().event.version, v);
    }
    assert_eq!(show.view().show.cameras["b"].grade.trim.slope[1], value(8));

    // What the batch committed is what a restart finds.
    drop(show);
    let mut reopened = SqliteStore::open(&path).unwrap();
    let events = reopened.load().unwrap().unwrap().events;
    assert_eq!(events.len(), 9);
    assert_eq!(events[8].who, "vc");
}

#[tokio::test]
async fn a_change_message_is_the_event_json_the_store_keeps_in_the_message_serde_gives() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let show = ShowHandle::start(Box::new(SqliteStore::open(&path).unwrap()), demo_show).unwrap();
    let mut changes = show.subscribe();
    let origin = super::Origin { client: 7, seq: 42 };
    show.apply("v\"c\\é", trim("a", 1.25), Some(origin))
        .await
        .unwrap();
    show.apply("colorist", trim("b", 0.5), None).await.unwrap();
    let stored = SqliteStore::open(&path)
        .unwrap()
        .events_since(0, 10)
        .unwrap();
    for (expected_origin, event) in [Some(origin), None].into_iter().zip(&stored) {
        let change = changes.recv().await.unwrap();
        assert_eq!(&change.event, event, "the change is the stored event");
        let serde = serde_json::to_string(&super::ChangeMessage {
            kind: "change",
            version: event.version,
            origin: expected_origin,
            event,
        })
        .unwrap();
        assert_eq!(change.message.as_str(), serde);
    }
}

#[tokio::test]
async fn a_stopped_writer_is_the_show_s_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let store = GatedStore {
        inner: SqliteStore::open(&dir.path().join("s.sqlite")).unwrap(),
        entered: entered_tx,
        release: release_rx,
    };
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    assert_eq!(show.refusal(), None);
    let pending = show.submit("vc", trim("a", 1.01), None).await.unwrap();
    assert_eq!(entered.recv_timeout(STUCK).unwrap(), vec![1]);
    // The store's commit fails by panicking (no release will come): the writer thread ends.
    drop(release);
    assert!(matches!(pending.wait().await, Err(ShowError::Stopped)));
    let start = std::time::Instant::now();
    while show.refusal().is_none() && start.elapsed() < STUCK {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refusal = show.refusal().expect("a stopped writer is a refusal");
    assert!(refusal.contains("writer has stopped"), "{refusal}");
    assert!(refusal.contains("restart the server"), "{refusal}");
}

/// A store whose commits fail while `full` is set, as SQLite's do on a full disk.
struct FillingStore {
    inner: SqliteStore,
    full: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Store for FillingStore {
    fn append(&mut self, events: &[Event]) -> Result<(), StoreError> {
        if self.full.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(StoreError::Corrupt("database or disk is full".into()));
        }
        self.inner.append(events)
    }
    store_methods_forwarded_to_inner!();
}

#[tokio::test]
async fn a_failed_commit_is_the_show_s_refusal_until_a_commit_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let store = FillingStore {
        inner: SqliteStore::open(&dir.path().join("s.sqlite")).unwrap(),
        full: full.clone(),
    };
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    show.apply("vc", trim("a", 1.1), None).await.unwrap();
    assert_eq!(show.refusal(), None);

    full.store(true, std::sync::atomic::Ordering::SeqCst);
    let err = show.apply("vc", trim("a", 1.2), None).await.unwrap_err();
    assert!(matches!(err, ShowError::Store(_)), "{err:?}");
    let refusal = show.refusal().expect("a failed commit is a refusal");
    assert!(refusal.contains("disk is full"), "{refusal}");
    assert!(refusal.contains("could not be stored"), "{refusal}");
    // A refused action never reaches the store, so it neither sets nor clears the refusal.
    let unknown = trim("zz", 1.3);
    assert!(show.apply("vc", unknown, None).await.is_err());
    assert!(show.refusal().is_some());

    full.store(false, std::sync::atomic::Ordering::SeqCst);
    show.apply("vc", trim("a", 1.4), None).await.unwrap();
    assert_eq!(show.refusal(), None);
    assert_eq!(show.view().show.cameras["a"].grade.trim.slope[1], 1.4);
}
