//! Syncing a SQLite WAL file from outside SQLite, so the disk sync of one commit can run
//! while the next commits are written (see [`crate::store::Store::deferred_sync`]).
//!
//! Why this is as durable as `synchronous=FULL`: in WAL mode a commit is the frames it
//! appends to the WAL file, the last one marked as a commit, each checksummed in a chain
//! from the WAL header. `FULL` syncs the WAL file after writing a commit's frames;
//! `NORMAL` writes them the same way and leaves the sync to checkpoints (which still sync
//! the WAL before copying it, and sync a rewritten WAL header). `fdatasync` on any open
//! file description of the WAL flushes every byte written to it before the call, so one
//! sync after a commit returned puts that commit's frames on the disk just as `FULL`
//! would; commits written after it began are synced by the next one. After a power cut,
//! recovery keeps the frames up to the last valid commit frame: every synced commit.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::store::{StoreError, SyncHandle};

/// An open handle on a database's WAL file.
#[derive(Debug)]
pub(super) struct WalSync {
    wal: File,
    path: PathBuf,
}

impl WalSync {
    /// Opens the WAL of `conn`'s main database (which must be in WAL mode, with the WAL
    /// file created: any read creates it), and syncs it and its directory once.
    pub fn open(conn: &Connection) -> Result<WalSync, StoreError> {
        let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!(
                "the store is in journal mode {mode:?}, not WAL"
            )));
        }
        let db = conn
            .path()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| StoreError::Corrupt("the store has no file to sync".into()))?;
        // Any read opens (creates) the WAL file of a database in WAL mode.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))?;
        let path = PathBuf::from(format!("{db}-wal"));
        let wal = File::open(&path).map_err(|e| io_error(&path, "open", e))?;
        let handle = WalSync { wal, path };
        handle.sync()?;
        sync_dir(&handle.path)?;
        Ok(handle)
    }
}

impl SyncHandle for WalSync {
    fn sync(&self) -> Result<(), StoreError> {
        self.wal
            .sync_data()
            .map_err(|e| io_error(&self.path, "sync", e))
    }

    /// Opens the WAL file again: a new open file description, with its own record of which
    /// write-back errors it has been told of (Linux reports each once per description).
    fn reopen(&self) -> Result<Box<dyn SyncHandle>, StoreError> {
        let wal = File::open(&self.path).map_err(|e| io_error(&self.path, "open", e))?;
        Ok(Box::new(WalSync {
            wal,
            path: self.path.clone(),
        }))
    }
}

#[cfg(test)]
impl WalSync {
    /// The open WAL file (for tests that check which file is synced).
    pub fn file(&self) -> &File {
        &self.wal
    }
}

/// Syncs the directory holding `file`, so a newly created file's name is durable too.
fn sync_dir(file: &Path) -> Result<(), StoreError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(dir, "sync", e))
}

fn io_error(path: &Path, action: &'static str, source: std::io::Error) -> StoreError {
    StoreError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}
