//! Where a show lives between runs: its starting document, its event log, uploaded files
//! and users. SQLite today ([`sqlite::SqliteStore`]); the trait leaves room for PostgreSQL.

pub mod sqlite;

use crate::show::{Event, Show};

pub use sqlite::{Durability, SqliteStore};

/// A store operation that failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON does not read back: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "the store at {path} is from a newer lookwire (schema {found}, this build knows {known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
    #[error("the store is inconsistent: {0}")]
    Corrupt(String),
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// A show as stored: the document it started from and every event since, in order.
#[derive(Debug)]
pub struct Loaded {
    pub base: Show,
    pub events: Vec<Event>,
}

/// A file's bytes and checksums.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFile {
    pub id: String,
    pub name: String,
    pub bytes: Vec<u8>,
    pub xxh3: String,
    pub xxh64: String,
}

/// A login as stored: name, role and argon2 hash (never the secret itself).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    pub name: String,
    pub role: String,
    pub hash: String,
}

/// A device added through the API: its id and its configuration as JSON (the device
/// manager owns the shape).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDevice {
    pub id: String,
    pub config: String,
}

/// One camera's latest check results as JSON (the preview service owns the shape).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredChecks {
    pub camera: String,
    pub result: String,
}

/// Makes the events a store appended durable, from any thread ([`Store::deferred_sync`]).
pub trait SyncHandle: Send + Sync {
    /// Returns once every event whose `append` returned before this call is durable.
    fn sync(&self) -> Result<(), StoreError>;
    /// A new handle on the same storage with its own open file (description), for another
    /// thread that syncs. Each syncing thread needs its own: the OS reports a write-back
    /// error once per open file, so of two threads syncing one handle, one can be told of
    /// the error while the other returns Ok for the same lost pages. With a handle each,
    /// every handle is told of every error that happens after it was opened.
    fn reopen(&self) -> Result<Box<dyn SyncHandle>, StoreError>;
}

/// Durable storage of one show. `append` returns only once the events are as durable as the
/// store was opened to be (unless the caller asked for [`Store::deferred_sync`]).
pub trait Store: Send {
    /// The stored show, or `None` for an empty store.
    fn load(&mut self) -> Result<Option<Loaded>, StoreError>;
    /// Starts a new show from `base` (the store must be empty).
    fn init(&mut self, base: &Show) -> Result<(), StoreError>;
    /// Appends events in one transaction: durable when it returns, unless the caller took a
    /// [`Store::deferred_sync`] (then committed, and durable after a later sync).
    fn append(&mut self, events: &[Event]) -> Result<(), StoreError>;
    /// [`Store::append`] with each event's JSON already encoded (`bodies[i]` is `events[i]`
    /// as JSON), so a caller that needs the JSON too encodes it once.
    fn append_encoded(&mut self, events: &[Event], bodies: &[String]) -> Result<(), StoreError> {
        let _ = bodies;
        self.append(events)
    }
    /// Lets the caller overlap the disk sync with the next appends: from now on `append`
    /// returns once its transaction is committed (readable, it survives a crash of the
    /// process) but possibly before it is on the disk, and the handle's `sync` makes it so.
    /// Nobody may be told of an event as durable before a `sync` that began after its
    /// `append` returned has returned. `None` (the default): `append` stays as durable as
    /// the store was opened to be, and no sync is needed.
    fn deferred_sync(&mut self) -> Result<Option<std::sync::Arc<dyn SyncHandle>>, StoreError> {
        Ok(None)
    }
    /// Events with a version above `version`, oldest first, at most `limit`.
    fn events_since(&mut self, version: u64, limit: usize) -> Result<Vec<Event>, StoreError>;
    /// Keeps a file's bytes (idempotent for the same id).
    fn put_file(&mut self, file: &StoredFile) -> Result<(), StoreError>;
    fn get_file(&mut self, id: &str) -> Result<Option<StoredFile>, StoreError>;
    fn put_user(&mut self, user: &StoredUser) -> Result<(), StoreError>;
    fn delete_user(&mut self, name: &str) -> Result<bool, StoreError>;
    fn users(&mut self) -> Result<Vec<StoredUser>, StoreError>;
    /// Keeps (or replaces) a device's configuration.
    fn put_device(&mut self, device: &StoredDevice) -> Result<(), StoreError>;
    fn delete_device(&mut self, id: &str) -> Result<bool, StoreError>;
    /// Every stored device, in the order first added.
    fn devices(&mut self) -> Result<Vec<StoredDevice>, StoreError>;
    /// Keeps (or replaces) one camera's check results.
    fn put_camera_checks(&mut self, checks: &StoredChecks) -> Result<(), StoreError>;
    /// Every camera's stored check results, in the order first checked.
    fn camera_checks(&mut self) -> Result<Vec<StoredChecks>, StoreError>;
}
