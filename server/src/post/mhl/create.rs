//! Adding a generation: hash every tracked file, compare with the history, record the result.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::chain::{self, ChainLink, CHAIN_FILE};
use super::hash::HashFormat;
use super::history::{History, ASCMHL_FOLDER};
use super::manifest::{Action, CreatorInfo, DirectoryDigest, HashEntry, Manifest, Record};
use super::stamp::UtcParts;
use super::verify::{missing_paths, Mismatch};
use super::walk::{walk, Node};
use super::{hash_file, ExitStatus, MhlError, Progress};

/// How `create` runs.
#[derive(Clone, Debug)]
pub struct CreateOptions {
    /// Formats to record for every file (at least one).
    pub formats: Vec<HashFormat>,
    /// Extra ignore patterns, added to the history's.
    pub ignore: Vec<String>,
    /// Write a generation even when nothing changed (a dated verification record).
    pub force: bool,
    /// `<creatorinfo><comment>`.
    pub comment: Option<String>,
}

impl Default for CreateOptions {
    fn default() -> Self {
        CreateOptions {
            formats: vec![super::DEFAULT_HASH_FORMAT],
            ignore: Vec::new(),
            force: false,
            comment: None,
        }
    }
}

/// What `create` found and wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CreateReport {
    /// The generation file written (inside `ascmhl/`), or `None` when nothing changed.
    pub generation: Option<PathBuf>,
    pub files: usize,
    pub new_files: Vec<String>,
    pub missing: Vec<String>,
    pub failed: Vec<Mismatch>,
}

impl CreateReport {
    /// ascmhl's precedence: a failed hash (11) over missing files (10).
    pub fn status(&self) -> ExitStatus {
        if !self.failed.is_empty() {
            ExitStatus::HashMismatch
        } else if !self.missing.is_empty() {
            ExitStatus::MissingFiles
        } else {
            ExitStatus::Ok
        }
    }
}

type Digests = BTreeMap<HashFormat, String>;

/// The work in progress of one generation.
struct Session<'a> {
    history: &'a History,
    formats: Vec<HashFormat>,
    now: String,
    records: Vec<Record>,
    root_hash: Vec<DirectoryDigest>,
    file_digests: HashMap<String, Digests>,
    dir_digests: HashMap<String, (Digests, Digests)>,
    changed: bool,
    report: CreateReport,
}

/// Hashes `root` and adds a generation to its `ascmhl/` history when the content changed
/// (or `force`). As ascmhl, the generation is written before missing or failed files are
/// reported through [`CreateReport::status`].
pub fn create(
    root: &Path,
    options: &CreateOptions,
    progress: &dyn Progress,
) -> Result<CreateReport, MhlError> {
    if options.formats.is_empty() {
        return Err(MhlError::Invalid {
            path: root.to_path_buf(),
            message: "no hash format given".into(),
        });
    }
    let history = History::load(root)?;
    let ignore = history.ignore_spec(&options.ignore);
    let nodes = walk(root, &ignore)?;
    let mut formats = options.formats.clone();
    formats.sort();
    formats.dedup();
    let mut session = Session {
        history: &history,
        formats,
        now: UtcParts::of(SystemTime::now()).iso8601(true),
        records: Vec::new(),
        root_hash: Vec::new(),
        file_digests: HashMap::new(),
        dir_digests: HashMap::new(),
        changed: false,
        report: CreateReport::default(),
    };
    let total: u64 = nodes
        .iter()
        .map(|n| {
            if let Node::File { size, .. } = n {
                *size
            } else {
                0
            }
        })
        .sum();
    progress.start(total, nodes.len());
    for node in &nodes {
        session.add(root, node, progress)?;
    }
    progress.finish();
    let seen: HashSet<&str> = nodes.iter().map(node_rel).collect();
    session.report.missing = missing_paths(&history, &seen, &ignore);
    session.changed |= !session.report.missing.is_empty();
    if session.changed || options.force {
        let manifest = Manifest {
            creator: creator_info(options.comment.clone()),
            process: "in-place".into(),
            root_hash: std::mem::take(&mut session.root_hash),
            ignore: ignore.patterns.clone(),
            records: std::mem::take(&mut session.records),
        };
        session.report.generation = Some(write_generation(&history, &manifest)?);
    }
    Ok(session.report)
}

fn node_rel(node: &Node) -> &str {
    match node {
        Node::File { rel, .. } | Node::Dir { rel, .. } => rel,
    }
}

impl Session<'_> {
    fn add(&mut self, root: &Path, node: &Node, progress: &dyn Progress) -> Result<(), MhlError> {
        match node {
            Node::File {
                rel,
                size,
                modified,
            } => {
                let hashes = self.hash_one(&root.join(rel), rel, progress)?;
                self.records.push(Record::File {
                    path: rel.clone(),
                    size: Some(*size),
                    modified: Some(UtcParts::of(*modified).iso8601(false)),
                    hashes,
                    previous_path: None,
                });
                self.report.files += 1;
            }
            Node::Dir {
                rel,
                modified,
                children,
            } => self.add_dir(rel, *modified, children)?,
        }
        Ok(())
    }

    /// Formats to compute: the requested ones, plus one already recorded so a file hashed
    /// before in another format is still checked against its history.
    fn formats_for(&self, known: &[HashFormat]) -> Vec<HashFormat> {
        let mut formats: Vec<HashFormat> = known
            .iter()
            .copied()
            .filter(|f| self.formats.contains(f))
            .collect();
        if formats.is_empty() {
            formats.extend(known.first());
        }
        for f in &self.formats {
            if !formats.contains(f) {
                formats.push(*f);
            }
        }
        formats
    }

    fn hash_one(
        &mut self,
        path: &Path,
        rel: &str,
        progress: &dyn Progress,
    ) -> Result<Vec<HashEntry>, MhlError> {
        let record = self.history.lookup(rel).filter(|r| !r.is_dir);
        let known: Vec<HashFormat> = record.map(|r| r.formats.clone()).unwrap_or_default();
        let computed = hash_file(path, &self.formats_for(&known), progress)?;
        let mut entries = Vec::new();
        let mut history_ok = true;
        for (format, digest) in computed.iter().filter(|(f, _)| known.contains(f)) {
            let expected = &record
                .expect("known formats come from a record")
                .first_by_format[format];
            let action = if expected == digest {
                Action::Verified
            } else {
                Action::Failed
            };
            if action == Action::Failed {
                history_ok = false;
                self.report.failed.push(Mismatch {
                    path: rel.to_owned(),
                    format: *format,
                    expected: expected.clone(),
                    actual: digest.clone(),
                });
            }
            entries.push(self.entry(*format, digest, action));
        }
        for (format, digest) in computed.iter().filter(|(f, _)| !known.contains(f)) {
            if record.is_none() || history_ok {
                let action = if record.is_none() {
                    Action::Original
                } else {
                    Action::Verified
                };
                entries.push(self.entry(*format, digest, action));
                self.changed = true;
            }
        }
        if record.is_none() {
            self.report.new_files.push(rel.to_owned());
        }
        self.changed |= !history_ok;
        self.file_digests
            .insert(rel.to_owned(), computed.into_iter().collect());
        Ok(entries)
    }

    fn entry(&self, format: HashFormat, digest: &str, action: Action) -> HashEntry {
        HashEntry {
            format,
            digest: digest.to_owned(),
            action: Some(action),
            hash_date: Some(self.now.clone()),
        }
    }

    fn add_dir(
        &mut self,
        rel: &str,
        modified: SystemTime,
        children: &[(String, bool)],
    ) -> Result<(), MhlError> {
        let mut digests = Vec::new();
        let (mut contents, mut structures) = (Digests::new(), Digests::new());
        for &format in &self.formats {
            let (content, structure) = self.directory_digest(rel, format, children)?;
            contents.insert(format, content.clone());
            structures.insert(format, structure.clone());
            digests.push(DirectoryDigest {
                format,
                content,
                structure,
                hash_date: Some(self.now.clone()),
            });
        }
        if rel.is_empty() {
            self.root_hash = digests;
            return Ok(());
        }
        self.changed |= self.history.lookup(rel).is_none();
        self.dir_digests
            .insert(rel.to_owned(), (contents, structures));
        self.records.push(Record::Directory {
            path: rel.to_owned(),
            modified: Some(UtcParts::of(modified).iso8601(false)),
            digests,
        });
        Ok(())
    }

    /// ascmhl's directory hashes: content = hash of the children's content digests (sorted
    /// as text, concatenated as bytes); structure = the same over hash(name + child digest).
    fn directory_digest(
        &self,
        rel: &str,
        format: HashFormat,
        children: &[(String, bool)],
    ) -> Result<(String, String), MhlError> {
        let mut contents = Vec::new();
        let mut structures = Vec::new();
        for (name, is_dir) in children {
            let child = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let (content, named) = if *is_dir {
                let (c, s) = &self.dir_digests[&child];
                (c[&format].clone(), s[&format].clone())
            } else {
                let c = self.file_digests[&child][&format].clone();
                (c.clone(), c)
            };
            let mut bytes = name.as_bytes().to_vec();
            bytes.extend(self.digest_bytes(&named, format)?);
            contents.push(content);
            structures.push(format.hash_bytes(&bytes));
        }
        Ok((
            self.hash_of_list(contents, format)?,
            self.hash_of_list(structures, format)?,
        ))
    }

    fn hash_of_list(
        &self,
        mut digests: Vec<String>,
        format: HashFormat,
    ) -> Result<String, MhlError> {
        digests.sort();
        let mut bytes = Vec::new();
        for d in &digests {
            bytes.extend(self.digest_bytes(d, format)?);
        }
        Ok(format.hash_bytes(&bytes))
    }

    fn digest_bytes(&self, digest: &str, format: HashFormat) -> Result<Vec<u8>, MhlError> {
        format.digest_bytes(digest).map_err(|e| MhlError::Invalid {
            path: self.history.root.clone(),
            message: e.to_string(),
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

fn creator_info(comment: Option<String>) -> CreatorInfo {
    CreatorInfo {
        creation_date: UtcParts::of(SystemTime::now()).iso8601(false),
        hostname: hostname(),
        tool_name: "lookwire".into(),
        tool_version: env!("CARGO_PKG_VERSION").into(),
        comment,
    }
}

/// Writes the manifest and then the extended chain, each through a temporary file and a rename.
fn write_generation(history: &History, manifest: &Manifest) -> Result<PathBuf, MhlError> {
    let folder = history.root.join(ASCMHL_FOLDER);
    std::fs::create_dir_all(&folder).map_err(|source| MhlError::Io {
        path: folder.clone(),
        source,
    })?;
    let number = history.latest_number() + 1;
    let file_name = format!(
        "{number:04}_{}_{}.mhl",
        root_name(&history.root),
        UtcParts::of(SystemTime::now()).file_stamp()
    );
    let xml = manifest.to_xml();
    let path = folder.join(&file_name);
    write_atomic(&path, xml.as_bytes())?;
    let mut links = history.chain.clone();
    links.push(ChainLink {
        sequence: number,
        file_name,
        format: HashFormat::C4,
        digest: HashFormat::C4.hash_bytes(xml.as_bytes()),
    });
    write_atomic(&folder.join(CHAIN_FILE), chain::to_xml(&links).as_bytes())?;
    Ok(path)
}

fn root_name(root: &Path) -> String {
    let absolute = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    absolute
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .next_back()
        .unwrap_or_else(|| "root".into())
}

/// Writes `bytes` to `path` through a uniquely named sibling temporary file, synced, then
/// renamed over it (the protocol crate's file sink does the same for LUT boxes).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), MhlError> {
    lookwire_protocol::filesink::write_atomically(path, bytes).map_err(|source| MhlError::Io {
        path: path.to_path_buf(),
        source,
    })
}
