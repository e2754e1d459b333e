//! ASC MHL v2: the `ascmhl/` history of a folder (generations + chain), written and checked
//! the way the reference tool `ascmhl` does, so either tool verifies the other's packages.
//!
//! - [`create`] hashes a folder and adds a generation, but only when something changed
//!   (a new, missing or failed file, or a newly requested hash format) unless forced.
//! - [`verify`] re-hashes every file against its original hash; [`diff`] only lists new and
//!   missing files. Neither writes anything.
//!
//! Exit codes follow ascmhl's `errors.py` ([`ExitStatus`]). Nested histories (an `ascmhl/`
//! folder below the root) are ignored, as ascmhl's default ignore patterns do.

mod chain;
mod create;
mod hash;
mod history;
#[cfg(test)]
mod luts_history;
mod manifest;
mod stamp;
mod verify;
mod walk;

use std::path::PathBuf;

pub use chain::{ChainLink, CHAIN_FILE};
pub use create::{create, CreateOptions, CreateReport};
pub use hash::{HashFormat, Hasher, UnknownHashFormat};
pub use history::{History, ASCMHL_FOLDER};
pub use manifest::{Action, CreatorInfo, DirectoryDigest, HashEntry, Manifest, Record};
pub use stamp::UtcParts;
pub use verify::{diff, verify, DiffReport, Mismatch, VerifyOptions, VerifyReport};
pub use walk::{IgnoreSpec, DEFAULT_IGNORES};

/// lookwire's default hash format for new histories.
pub const DEFAULT_HASH_FORMAT: HashFormat = HashFormat::Xxh64;

/// Process exit codes, as ascmhl 1.2 (`ascmhl/errors.py`) defines them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything verified (or the generation was written).
    Ok = 0,
    /// Files recorded in the history are missing.
    MissingFiles = 10,
    /// A file's hash differs from its original hash.
    HashMismatch = 11,
    /// Files that no generation records were found.
    NewFiles = 21,
    /// The folder has no `ascmhl/` history.
    NoHistory = 30,
    /// A manifest's C4 differs from the chain's: the manifest was edited.
    ModifiedManifest = 31,
    /// `ascmhl/` exists without `ascmhl_chain.xml`.
    NoChain = 32,
    /// The chain names a manifest that is not there.
    MissingManifest = 33,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A history that cannot be used, or a file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum MhlError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: file name is not UTF-8; ASC MHL paths are UTF-8 text")]
    NotUtf8 { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    Xml {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}: no ASC MHL history (no ascmhl/ folder with generations)")]
    NoHistory(PathBuf),
    #[error("{0}: manifest was modified after it was written (its C4 differs from the chain's)")]
    ModifiedManifest(PathBuf),
    #[error("{0}: ascmhl/ folder has no ascmhl_chain.xml")]
    NoChain(PathBuf),
    #[error("{0}: manifest listed in ascmhl_chain.xml is missing")]
    MissingManifest(PathBuf),
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

impl MhlError {
    /// The exit code ascmhl gives this failure (I/O and format faults: 1).
    pub fn exit_code(&self) -> u8 {
        match self {
            MhlError::NoHistory(_) => ExitStatus::NoHistory.code(),
            MhlError::ModifiedManifest(_) => ExitStatus::ModifiedManifest.code(),
            MhlError::NoChain(_) => ExitStatus::NoChain.code(),
            MhlError::MissingManifest(_) => ExitStatus::MissingManifest.code(),
            _ => 1,
        }
    }
}

/// Receives hashing progress (a progress bar in the CLI; nothing in tests).
pub trait Progress {
    fn start(&self, total_bytes: u64, files: usize);
    fn advance(&self, bytes: u64);
    fn finish(&self);
}

/// Progress that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64, _: usize) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Hashes one file in several formats in a single read (1 MiB chunks).
pub fn hash_file(
    path: &std::path::Path,
    formats: &[HashFormat],
    progress: &dyn Progress,
) -> Result<Vec<(HashFormat, String)>, MhlError> {
    use std::io::Read;
    let io = |source| MhlError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut hashers: Vec<Hasher> = formats.iter().map(|&f| Hasher::new(f)).collect();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        for h in &mut hashers {
            h.update(&buf[..n]);
        }
        progress.advance(n as u64);
    }
    Ok(hashers
        .into_iter()
        .map(|h| (h.format(), h.finish()))
        .collect())
}
