//! Where the API may touch the server's disks, fixed at start and never taken from a
//! request: the media roots whose folders of camera files may be scanned for clips
//! (`LOOKWIRE_MEDIA_ROOTS`, folders separated as in `PATH`), and the folder API exports are
//! written to (`LOOKWIRE_EXPORT_DIR`; default a temporary folder removed with the server).
//!
//! A request names a root by its name and a folder inside it by a relative path; the
//! path may not be absolute or climb (`..`), and once resolved (symlinks followed) it must
//! still lie inside the root.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// One configured media root: its name in requests and its canonical folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRoot {
    pub name: String,
    pub folder: PathBuf,
}

/// The post configuration read at start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostConfig {
    pub media_roots: Vec<MediaRoot>,
    /// Where API exports are written; `None`: a temporary folder.
    pub export_dir: Option<PathBuf>,
}

/// Why a folder request was refused; `path` names the request field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("no media root {name:?} (configured: {known}; set LOOKWIRE_MEDIA_ROOTS at start)")]
    UnknownRoot { name: String, known: String },
    #[error("folder {folder:?}: {why}")]
    BadFolder { folder: String, why: &'static str },
}

impl PostConfig {
    /// Reads `LOOKWIRE_MEDIA_ROOTS` and `LOOKWIRE_EXPORT_DIR`.
    pub fn from_env() -> Self {
        Self::from_values(
            std::env::var_os("LOOKWIRE_MEDIA_ROOTS"),
            std::env::var_os("LOOKWIRE_EXPORT_DIR"),
        )
    }

    /// The configuration from the two variables' values. Roots that do not exist are left
    /// out (with a warning); two roots with one folder name are told apart as `name-2`, ….
    pub fn from_values(roots: Option<OsString>, export_dir: Option<OsString>) -> Self {
        let mut media_roots: Vec<MediaRoot> = Vec::new();
        for path in roots.iter().flat_map(std::env::split_paths) {
            let folder = match path.canonicalize() {
                Ok(folder) if folder.is_dir() => folder,
                _ => {
                    tracing::warn!("media root {} is no folder: left out", path.display());
                    continue;
                }
            };
            let base = folder
                .file_name()
                .map_or_else(|| "root".to_owned(), |n| n.to_string_lossy().into_owned());
            let mut name = base.clone();
            for k in 2.. {
                if !media_roots.iter().any(|r| r.name == name) {
                    break;
                }
                name = format!("{base}-{k}");
            }
            media_roots.push(MediaRoot { name, folder });
        }
        Self {
            media_roots,
            export_dir: export_dir.filter(|d| !d.is_empty()).map(PathBuf::from),
        }
    }

    /// The folder `relative` inside root `root`, checked to stay inside it.
    pub fn resolve(&self, root: &str, relative: &str) -> Result<PathBuf, MediaError> {
        let known = || {
            let names: Vec<&str> = self.media_roots.iter().map(|r| r.name.as_str()).collect();
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        };
        let base = self
            .media_roots
            .iter()
            .find(|r| r.name == root)
            .ok_or_else(|| MediaError::UnknownRoot {
                name: root.to_owned(),
                known: known(),
            })?;
        let bad = |why| MediaError::BadFolder {
            folder: relative.to_owned(),
            why,
        };
        let rel = Path::new(relative);
        if !rel
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        {
            return Err(bad(
                "a path relative to the root, without .. (nothing outside a media root is scanned)",
            ));
        }
        let folder = base
            .folder
            .join(rel)
            .canonicalize()
            .map_err(|_| bad("no such folder in the media root"))?;
        if !folder.starts_with(&base.folder) {
            return Err(bad("leads outside the media root (a link?)"));
        }
        if !folder.is_dir() {
            return Err(bad("is not a folder"));
        }
        Ok(folder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_resolve_inside_configured_roots_only() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let card = dir.path().join("cards");
        std::fs::create_dir_all(card.join("A001")).unwrap();
        std::fs::write(card.join("note.txt"), "x").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path(), card.join("escape")).unwrap();
        let roots = std::env::join_paths([card.clone(), dir.path().join("missing")]).unwrap();
        let config = PostConfig::from_values(Some(roots), Some("/srv/exports".into()));
        assert_eq!(config.media_roots.len(), 1, "the missing root is left out");
        assert_eq!(config.export_dir, Some(PathBuf::from("/srv/exports")));
        let canonical = card.canonicalize().unwrap();
        assert_eq!(
            config.resolve("cards", "A001").unwrap(),
            canonical.join("A001")
        );
        assert_eq!(config.resolve("cards", "").unwrap(), canonical);
        let refused = |root: &str, rel: &str| config.resolve(root, rel).unwrap_err().to_string();
        assert!(refused("other", "A001").contains("no media root \"other\""));
        assert!(refused("cards", "../").contains("without .."));
        assert!(refused("cards", "A001/../..").contains("without .."));
        assert!(refused("cards", "/etc").contains("without .."));
        assert!(refused("cards", "B002").contains("no such folder"));
        assert!(refused("cards", "note.txt").contains("not a folder"));
        #[cfg(unix)]
        assert!(refused("cards", "escape").contains("outside the media root"));
        assert!(PostConfig::default()
            .resolve("cards", "")
            .unwrap_err()
            .to_string()
            .contains("configured: none"));
    }

    #[test]
    fn roots_with_the_same_folder_name_get_distinct_names() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let (x, y) = (a.path().join("day1"), b.path().join("day1"));
        std::fs::create_dir_all(&x).unwrap();
        std::fs::create_dir_all(&y).unwrap();
        let config = PostConfig::from_values(Some(std::env::join_paths([x, y]).unwrap()), None);
        let names: Vec<&str> = config.media_roots.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["day1", "day1-2"]);
        assert_eq!(config.export_dir, None);
    }
}
