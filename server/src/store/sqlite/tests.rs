use super::*;
use crate::show::demo::demo_show;
use crate::show::Patch;
use serde_json::json;

fn event(version: u64) -> Event {
    Event {
        version,
        who: "vc".into(),
        wall_ms: 1_700_000_000_000 + version as i64,
        timecode: "01:00:00:00".into(),
        action: "trim".into(),
        cameras: vec!["a".into()],
        patches: vec![Patch::Replace {
            path: "/cameras/a/grade/trim/sat".into(),
            before: json!(1.0),
            after: json!(1.0 + version as f64 / 100.0),
        }],
        history: None,
        fade_frames: None,
    }
}

#[test]
fn a_new_store_is_migrated_and_empty() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len() as i64);
    assert!(store.load().unwrap().is_none());
    let mode: String = store
        .conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "synchronous=NORMAL by default");
}

#[test]
fn each_durability_sets_its_synchronous_mode_and_keeps_wal() {
    let dir = tempfile::tempdir().unwrap();
    for (durability, want) in [(Durability::Process, 1), (Durability::Power, 2)] {
        let path = dir.path().join(format!("{durability:?}.sqlite"));
        let mut store = SqliteStore::open_with(&path, durability).unwrap();
        store.init(&demo_show()).unwrap();
        store.append(&[event(1)]).unwrap();
        let sync: i64 = store
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, want, "{durability:?}");
        let mode: String = store
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal", "{durability:?}");
        drop(store);
        let mut again = SqliteStore::open(&path).unwrap();
        assert_eq!(
            again.load().unwrap().unwrap().events.len(),
            1,
            "{durability:?}"
        );
    }
}

#[test]
fn events_come_back_in_order_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    {
        let mut store = SqliteStore::open(&path).unwrap();
        store.init(&demo_show()).unwrap();
        store.append(&[event(1), event(2)]).unwrap();
        store.append(&[event(3)]).unwrap();
    }
    let mut store = SqliteStore::open(&path).unwrap();
    let loaded = store.load().unwrap().unwrap();
    assert_eq!(loaded.base, demo_show());
    assert_eq!(loaded.events, vec![event(1), event(2), event(3)]);
    assert_eq!(store.events_since(1, 1).unwrap(), vec![event(2)]);
    assert!(store.events_since(3, 10).unwrap().is_empty());
}

#[test]
fn a_duplicate_version_fails_the_whole_batch() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    store.init(&demo_show()).unwrap();
    store.append(&[event(1)]).unwrap();
    assert!(store.append(&[event(2), event(1)]).is_err());
    assert_eq!(store.events_since(0, 10).unwrap(), vec![event(1)]);
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    {
        let store = SqliteStore::open(&path).unwrap();
        store.conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn files_and_users_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    let file = StoredFile {
        id: "f1".into(),
        name: "look.cube".into(),
        bytes: b"LUT_3D_SIZE 2\n".to_vec(),
        xxh3: "00".into(),
        xxh64: "11".into(),
    };
    store.put_file(&file).unwrap();
    store.put_file(&file).unwrap();
    assert_eq!(store.get_file("f1").unwrap(), Some(file));
    assert_eq!(store.get_file("f2").unwrap(), None);
    let user = StoredUser {
        name: "vc".into(),
        role: "operator".into(),
        hash: "$argon2id$x".into(),
    };
    store.put_user(&user).unwrap();
    assert_eq!(store.users().unwrap(), vec![user]);
    assert!(store.delete_user("vc").unwrap());
    assert!(!store.delete_user("vc").unwrap());
}

#[test]
fn the_writer_leaves_checkpoints_to_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut store = SqliteStore::open_writer(&path, Durability::Process).unwrap();
    let auto: i64 = store
        .conn
        .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
        .unwrap();
    assert_eq!(auto, 0, "no checkpoint on the writer's commits");
    store.init(&demo_show()).unwrap();
    store.append(&[event(1)]).unwrap();
    // The commits sit in the WAL until the thread copies them into the database file
    // (its first pass comes a second after opening).
    let size = || std::fs::metadata(&path).unwrap().len();
    let before = size();
    let mut after = before;
    for _ in 0..50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        after = size();
        if after > before {
            break;
        }
    }
    assert!(after > before, "checkpointed: {before} → {after} bytes");
    assert_eq!(
        SqliteStore::open(&path)
            .unwrap()
            .load()
            .unwrap()
            .unwrap()
            .events
            .len(),
        1
    );
}

fn synchronous(store: &SqliteStore) -> i64 {
    store
        .conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap()
}

#[test]
fn power_durability_defers_the_wal_sync_to_its_handle_process_has_none() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut process =
        SqliteStore::open_with(&dir.path().join("p.sqlite"), Durability::Process).unwrap();
    assert!(process.deferred_sync().unwrap().is_none());

    let mut store = SqliteStore::open_writer(&path, Durability::Power).unwrap();
    store.init(&demo_show()).unwrap();
    assert_eq!(synchronous(&store), 2, "FULL until a sync is deferred");
    let sync = store.deferred_sync().unwrap().expect("power syncs");
    assert_eq!(
        synchronous(&store),
        1,
        "the commits themselves no longer sync"
    );
    store.append(&[event(1), event(2)]).unwrap();
    // The handle syncs from another thread, as the show's sync threads do.
    std::thread::spawn(move || sync.sync())
        .join()
        .unwrap()
        .unwrap();
    store.append(&[event(3)]).unwrap();
    drop(store);
    let events = SqliteStore::open(&path)
        .unwrap()
        .load()
        .unwrap()
        .unwrap()
        .events;
    assert_eq!(
        events.iter().map(|e| e.version).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn a_deferred_sync_needs_a_wal_file() {
    let mut memory = SqliteStore {
        conn: Connection::open_in_memory().unwrap(),
        durability: Durability::Power,
        _checkpointer: None,
    };
    let err = memory.deferred_sync().err().expect("no WAL to sync");
    assert!(err.to_string().contains("journal mode"), "{err}");
}

/// The device and inode of a file, to tell which file a handle has open.
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[test]
fn the_wal_sync_handles_sync_the_wal_file_across_a_truncating_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut store = SqliteStore::open_with(&path, Durability::Power).unwrap();
    store.init(&demo_show()).unwrap();
    let handle = super::wal_sync::WalSync::open(&store.conn).unwrap();
    let another = handle.reopen().unwrap();
    let wal = dir.path().join("s.sqlite-wal");
    let on_disk = || identity(&std::fs::metadata(&wal).unwrap());
    assert_eq!(identity(&handle.file().metadata().unwrap()), on_disk());

    store.append(&[event(1)]).unwrap();
    store
        .conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    store.append(&[event(2)]).unwrap();
    assert_eq!(
        identity(&handle.file().metadata().unwrap()),
        on_disk(),
        "the WAL was replaced by a checkpoint"
    );
    handle.sync().unwrap();
    another.sync().unwrap();
    assert!(
        handle.file().metadata().unwrap().len() > 0,
        "the WAL written after the checkpoint"
    );
}
