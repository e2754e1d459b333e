//! The SQLite store: WAL journal, numbered schema migrations, and a chosen durability
//! ([`Durability`]: `synchronous=NORMAL` by default, `FULL` on request).

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension};

use std::sync::Arc;

use super::{
    Loaded, Store, StoreError, StoredChecks, StoredDevice, StoredFile, StoredUser, SyncHandle,
};
use crate::show::{Event, Show};

/// Schema migrations, applied in order; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    // 1: the show's starting document, its event log, files and users.
    "CREATE TABLE base (id INTEGER PRIMARY KEY CHECK (id = 1), show TEXT NOT NULL);
     CREATE TABLE events (
         version INTEGER PRIMARY KEY,
         wall_ms INTEGER NOT NULL,
         who TEXT NOT NULL,
         timecode TEXT NOT NULL,
         action TEXT NOT NULL,
         body TEXT NOT NULL
     );
     CREATE TABLE files (
         id TEXT PRIMARY KEY,
         name TEXT NOT NULL,
         size INTEGER NOT NULL,
         xxh3 TEXT NOT NULL,
         xxh64 TEXT NOT NULL,
         bytes BLOB NOT NULL
     );
     CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL);",
    // 2: devices added through the API (their configuration as JSON), kept across restarts.
    "CREATE TABLE devices (id TEXT PRIMARY KEY, config TEXT NOT NULL);",
    // 3: each camera's latest check results.
    checks::MIGRATION,
];

/// How far a commit has gone when the store returns from it (SQLite's `synchronous`, in
/// WAL mode). Either way the store stays consistent; they differ in what a crash can lose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous=NORMAL`: a commit is written to the WAL file, not synced. It survives a
    /// crash or SIGKILL of the server; an OS crash or power cut can lose the newest commits
    /// (those since the last checkpoint). No disk sync on the path of a trim.
    #[default]
    Process,
    /// Every change survives a power cut too. Opened with `synchronous=FULL` (every commit
    /// synced to the disk before it returns); the show's writer switches its connection to
    /// `NORMAL` and defers the sync to handles ([`Store::deferred_sync`]) that sync the WAL
    /// file beside it, and tells nobody of a commit before a sync that began after it
    /// returned. Costs about one disk sync of latency per change (on the development
    /// machine's virtual disk 0.1–0.2 ms when idle, about 3 ms while others write), not of
    /// the writer's throughput.
    Power,
}

impl Durability {
    /// The `PRAGMA synchronous` value.
    pub fn pragma(self) -> &'static str {
        match self {
            Durability::Process => "NORMAL",
            Durability::Power => "FULL",
        }
    }
}

/// A show stored in one SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    durability: Durability,
    /// Held while a background checkpointer serves this connection; it stops once dropped.
    _checkpointer: Option<std::sync::Arc<()>>,
}

/// How often the background checkpointer copies the WAL into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl SqliteStore {
    /// Opens (creating if needed) the store at `path` with the default [`Durability`] and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, Durability::default())
    }

    /// Opens (creating if needed) the store at `path`, committing with `durability`.
    pub fn open_with(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", durability.pragma())?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let mut store = SqliteStore {
            conn,
            durability,
            _checkpointer: None,
        };
        store.migrate(path)?;
        Ok(store)
    }

    /// Opens the store for the show's one writer: its commits never run a checkpoint (which
    /// syncs the disk, with either durability); a background thread checkpoints instead,
    /// every `CHECKPOINT_EVERY`, without blocking the writer (`PASSIVE`).
    pub fn open_writer(path: &Path, durability: Durability) -> Result<SqliteStore, StoreError> {
        let mut store = Self::open_with(path, durability)?;
        store.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpoints = Connection::open(path)?;
        checkpoints.busy_timeout(std::time::Duration::from_secs(5))?;
        // Set, not left to the build's default: with `NORMAL` (or `FULL`) a checkpoint syncs
        // the WAL before copying it, syncs the database file after, and syncs the WAL header
        // when the WAL is reused; with `OFF` it would sync nothing, and the WAL's frames
        // (the only synced copy of power-durable commits, see `wal_sync`) could be
        // overwritten before the database file holding them is on the disk.
        checkpoints.pragma_update(None, "synchronous", "NORMAL")?;
        let alive = std::sync::Arc::new(());
        let watch = std::sync::Arc::downgrade(&alive);
        std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                while watch.upgrade().is_some() {
                    std::thread::sleep(CHECKPOINT_EVERY);
                    let done =
                        checkpoints.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    if let Err(e) = done {
                        eprintln!("lookwire: WAL checkpoint failed: {e}");
                    }
                }
            })
            .map_err(|e| StoreError::Corrupt(format!("cannot start the checkpoint thread: {e}")))?;
        store._checkpointer = Some(alive);
        Ok(store)
    }

    fn migrate(&mut self, path: &Path) -> Result<(), StoreError> {
        let applied: i64 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if applied > known {
            return Err(StoreError::TooNew {
                path: path.display().to_string(),
                found: applied,
                known,
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version the store is at.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))?)
    }
}

fn event_from_row(body: String, version: i64) -> Result<Event, StoreError> {
    let event: Event = serde_json::from_str(&body)?;
    if event.version as i64 != version {
        return Err(StoreError::Corrupt(format!(
            "event row {version} holds version {}",
            event.version
        )));
    }
    Ok(event)
}

impl Store for SqliteStore {
    fn load(&mut self) -> Result<Option<Loaded>, StoreError> {
        let base: Option<String> = self
            .conn
            .query_row("SELECT show FROM base WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let Some(base) = base else {
            return Ok(None);
        };
        let base: Show = serde_json::from_str(&base)?;
        let events = self.events_since(0, usize::MAX)?;
        for (i, event) in events.iter().enumerate() {
            if event.version != i as u64 + 1 {
                return Err(StoreError::Corrupt(format!(
                    "event {} follows version {i}",
                    event.version
                )));
            }
        }
        Ok(Some(Loaded { base, events }))
    }

    fn init(&mut self, base: &Show) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let events: i64 = tx.query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        if events > 0 {
            return Err(StoreError::Corrupt(
                "init on a store that holds events".into(),
            ));
        }
        tx.execute(
            "INSERT OR REPLACE INTO base (id, show) VALUES (1, ?1)",
            params![serde_json::to_string(base)?],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn append(&mut self, events: &[Event]) -> Result<(), StoreError> {
        let bodies = events
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()?;
        self.append_encoded(events, &bodies)
    }

    fn append_encoded(&mut self, events: &[Event], bodies: &[String]) -> Result<(), StoreError> {
        if bodies.len() != events.len() {
            return Err(StoreError::Corrupt(format!(
                "{} events with {} encoded bodies",
                events.len(),
                bodies.len()
            )));
        }
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (version, wall_ms, who, timecode, action, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (e, body) in events.iter().zip(bodies) {
                insert.execute(params![
                    e.version as i64,
                    e.wall_ms,
                    e.who,
                    e.timecode,
                    e.action,
                    body
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn events_since(&mut self, version: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT version, body FROM events WHERE version > ?1 ORDER BY version LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![version as i64, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|row| {
            let (v, body) = row?;
            event_from_row(body, v)
        })
        .collect()
    }

    fn put_file(&mut self, f: &StoredFile) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO files (id, name, size, xxh3, xxh64, bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![f.id, f.name, f.bytes.len() as i64, f.xxh3, f.xxh64, f.bytes],
        )?;
        Ok(())
    }

    fn get_file(&mut self, id: &str) -> Result<Option<StoredFile>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, name, bytes, xxh3, xxh64 FROM files WHERE id = ?1",
                params![id],
                |r| {
                    Ok(StoredFile {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        bytes: r.get(2)?,
                        xxh3: r.get(3)?,
                        xxh64: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn put_user(&mut self, u: &StoredUser) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT OR REPLACE INTO users (name, role, hash) VALUES (?1, ?2, ?3)",
            params![u.name, u.role, u.hash],
        )?;
        Ok(())
    }

    fn delete_user(&mut self, name: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM users WHERE name = ?1", params![name])?
            > 0)
    }

    fn users(&mut self) -> Result<Vec<StoredUser>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, role, hash FROM users ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredUser {
                name: r.get(0)?,
                role: r.get(1)?,
                hash: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_device(&mut self, d: &StoredDevice) -> Result<(), StoreError> {
        self.conn.execute(
            // An upsert keeps the row (and its rowid, the list's order); INSERT OR REPLACE
            // would delete it and append a new one.
            "INSERT INTO devices (id, config) VALUES (?1, ?2) \
             ON CONFLICT(id) DO UPDATE SET config = excluded.config",
            params![d.id, d.config],
        )?;
        Ok(())
    }

    fn delete_device(&mut self, id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .execute("DELETE FROM devices WHERE id = ?1", params![id])?
            > 0)
    }

    fn devices(&mut self) -> Result<Vec<StoredDevice>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, config FROM devices ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredDevice {
                id: r.get(0)?,
                config: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn put_camera_checks(&mut self, c: &StoredChecks) -> Result<(), StoreError> {
        checks::put(&self.conn, c)
    }

    fn camera_checks(&mut self) -> Result<Vec<StoredChecks>, StoreError> {
        checks::all(&self.conn)
    }

    /// With [`Durability::Power`], this connection commits with `synchronous=NORMAL` from
    /// now on (its commits are written to the WAL, not synced) and the handle syncs the WAL
    /// file: what SQLite's `FULL` does inside each commit, done once for every commit
    /// written before it began. With [`Durability::Process`] there is nothing to sync.
    fn deferred_sync(&mut self) -> Result<Option<Arc<dyn SyncHandle>>, StoreError> {
        if self.durability != Durability::Power {
            return Ok(None);
        }
        let handle = wal_sync::WalSync::open(&self.conn)?;
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(Some(Arc::new(handle)))
    }
}

mod checks;
#[cfg(test)]
mod tests;
mod wal_sync;
