//! Loading an `ascmhl/` history: chain check, generations in order, and a per-path index.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::chain::{self, ChainLink, CHAIN_FILE};
use super::hash::HashFormat;
use super::manifest::{Action, HashEntry, Manifest, Record};
use super::walk::IgnoreSpec;
use super::MhlError;

pub const ASCMHL_FOLDER: &str = "ascmhl";

/// One generation file and what it holds.
#[derive(Clone, Debug)]
pub struct Generation {
    pub number: u32,
    pub file_name: String,
    pub manifest: Manifest,
}

/// What all generations together know about one path.
#[derive(Clone, Debug, Default)]
pub struct PathRecord {
    pub is_dir: bool,
    /// The first `original` hash (what `verify` compares against).
    pub original: Option<HashEntry>,
    /// The first recorded digest per format (what `create` compares against).
    pub first_by_format: BTreeMap<HashFormat, String>,
    /// Formats in the order they first appear.
    pub formats: Vec<HashFormat>,
}

/// A folder's ASC MHL history (possibly empty).
#[derive(Debug)]
pub struct History {
    pub root: PathBuf,
    pub chain: Vec<ChainLink>,
    pub generations: Vec<Generation>,
    /// Files in `ascmhl/` that were skipped, with the reason.
    pub warnings: Vec<String>,
    index: HashMap<String, PathRecord>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> MhlError + '_ {
    move |source| MhlError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn read_text(path: &Path) -> Result<String, MhlError> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    String::from_utf8(bytes).map_err(|_| MhlError::Invalid {
        path: path.to_path_buf(),
        message: "not UTF-8 text".into(),
    })
}

/// The generation number of a manifest file name (`0001_Card_2024-05-01_101500Z.mhl`).
pub fn generation_number(file_name: &str) -> Option<u32> {
    let stem = file_name.strip_suffix(".mhl")?;
    let digits: &str = &stem[..stem
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(stem.len())];
    let rest = &stem[digits.len()..];
    if digits.len() < 4 || !(rest.is_empty() || rest.len() > 1 && rest.starts_with('_')) {
        return None;
    }
    digits.parse().ok()
}

impl History {
    pub fn folder(&self) -> PathBuf {
        self.root.join(ASCMHL_FOLDER)
    }

    /// Loads the history of `root`; a folder without `ascmhl/` has an empty history.
    pub fn load(root: &Path) -> Result<History, MhlError> {
        let folder = root.join(ASCMHL_FOLDER);
        let mut history = History {
            root: root.to_path_buf(),
            chain: Vec::new(),
            generations: Vec::new(),
            warnings: Vec::new(),
            index: HashMap::new(),
        };
        if !folder.is_dir() {
            return Ok(history);
        }
        history.chain = load_chain(&folder)?;
        history.generations = load_generations(&folder, &mut history.warnings)?;
        history.build_index();
        Ok(history)
    }

    fn build_index(&mut self) {
        for generation in &self.generations {
            for record in &generation.manifest.records {
                let entry = self.index.entry(record.path().to_owned()).or_default();
                match record {
                    Record::File { hashes, .. } => add_file_hashes(entry, hashes),
                    Record::Directory { .. } => entry.is_dir = true,
                }
            }
        }
    }

    pub fn lookup(&self, rel: &str) -> Option<&PathRecord> {
        self.index.get(rel)
    }

    /// Every path any generation records, with whether it is a folder.
    pub fn paths(&self) -> impl Iterator<Item = (&str, bool)> {
        self.index.iter().map(|(p, r)| (p.as_str(), r.is_dir))
    }

    pub fn latest_number(&self) -> u32 {
        self.generations.last().map_or(0, |g| g.number)
    }

    /// The latest generation's ignore patterns (plus the defaults) and any extra ones.
    pub fn ignore_spec(&self, extra: &[String]) -> IgnoreSpec {
        let latest = self
            .generations
            .last()
            .map(|g| g.manifest.ignore.clone())
            .unwrap_or_default();
        IgnoreSpec::with_defaults(latest.into_iter().chain(extra.iter().cloned()))
    }
}

fn add_file_hashes(entry: &mut PathRecord, hashes: &[HashEntry]) {
    for h in hashes {
        if entry.original.is_none() && h.action == Some(Action::Original) {
            entry.original = Some(h.clone());
        }
        if let std::collections::btree_map::Entry::Vacant(slot) =
            entry.first_by_format.entry(h.format)
        {
            slot.insert(h.digest.clone());
            entry.formats.push(h.format);
        }
    }
}

fn load_chain(folder: &Path) -> Result<Vec<ChainLink>, MhlError> {
    let chain_path = folder.join(CHAIN_FILE);
    if !chain_path.is_file() {
        return Err(MhlError::NoChain(folder.to_path_buf()));
    }
    let links = chain::parse(&read_text(&chain_path)?).map_err(|e| MhlError::Xml {
        path: chain_path.clone(),
        line: e.line,
        message: e.message,
    })?;
    for link in &links {
        let manifest = folder.join(&link.file_name);
        if !manifest.is_file() {
            return Err(MhlError::MissingManifest(manifest));
        }
        let bytes = std::fs::read(&manifest).map_err(io_err(&manifest))?;
        if link.format.hash_bytes(&bytes) != link.digest {
            return Err(MhlError::ModifiedManifest(manifest));
        }
    }
    Ok(links)
}

fn load_generations(
    folder: &Path,
    warnings: &mut Vec<String>,
) -> Result<Vec<Generation>, MhlError> {
    let mut generations = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(io_err(folder))? {
        let entry = entry.map_err(io_err(folder))?;
        let Ok(file_name) = entry.file_name().into_string() else {
            continue;
        };
        if file_name.starts_with("._") || !file_name.ends_with(".mhl") {
            continue;
        }
        let Some(number) = generation_number(&file_name) else {
            warnings.push(format!(
                "{file_name}: name does not follow NNNN_<folder>_<date>.mhl; skipped"
            ));
            continue;
        };
        let path = entry.path();
        let manifest = Manifest::parse(&read_text(&path)?).map_err(|e| MhlError::Xml {
            path: path.clone(),
            line: e.line,
            message: e.message,
        })?;
        generations.push(Generation {
            number,
            file_name,
            manifest,
        });
    }
    generations.sort_by_key(|g| g.number);
    Ok(generations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_numbers_follow_ascmhl_file_names() {
        assert_eq!(
            generation_number("0001_Card_A_2024-05-01_101500Z.mhl"),
            Some(1)
        );
        assert_eq!(generation_number("0012.mhl"), Some(12));
        assert_eq!(generation_number("12345_x.mhl"), Some(12345));
        assert_eq!(generation_number("001_x.mhl"), None);
        assert_eq!(generation_number("0001x.mhl"), None);
        assert_eq!(generation_number("0001_.mhl"), None);
        assert_eq!(generation_number("0001_x.xml"), None);
    }
}
