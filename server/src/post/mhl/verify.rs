//! Read-only checks of a folder against its history: `verify` (re-hash) and `diff` (listing).

use std::collections::HashSet;
use std::path::Path;

use super::hash::HashFormat;
use super::history::History;
use super::walk::{walk, IgnoreSpec, Node};
use super::{hash_file, ExitStatus, MhlError, Progress};

/// A file whose hash differs from the one recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub path: String,
    pub format: HashFormat,
    pub expected: String,
    pub actual: String,
}

/// How `verify` and `diff` run.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Extra ignore patterns, added to the history's.
    pub ignore: Vec<String>,
}

/// What `verify` found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VerifyReport {
    pub verified: usize,
    pub mismatches: Vec<Mismatch>,
    pub new_files: Vec<String>,
    pub missing: Vec<String>,
}

impl VerifyReport {
    /// ascmhl's precedence: mismatch (11) over new files (21) over missing files (10).
    pub fn status(&self) -> ExitStatus {
        if !self.mismatches.is_empty() {
            ExitStatus::HashMismatch
        } else if !self.new_files.is_empty() {
            ExitStatus::NewFiles
        } else if !self.missing.is_empty() {
            ExitStatus::MissingFiles
        } else {
            ExitStatus::Ok
        }
    }
}

/// What `diff` found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiffReport {
    pub new_files: Vec<String>,
    pub missing: Vec<String>,
}

impl DiffReport {
    /// ascmhl's precedence: missing files (10) over new files (21).
    pub fn status(&self) -> ExitStatus {
        if !self.missing.is_empty() {
            ExitStatus::MissingFiles
        } else if !self.new_files.is_empty() {
            ExitStatus::NewFiles
        } else {
            ExitStatus::Ok
        }
    }
}

fn load_existing(root: &Path) -> Result<History, MhlError> {
    let history = History::load(root)?;
    if history.generations.is_empty() {
        return Err(MhlError::NoHistory(root.to_path_buf()));
    }
    Ok(history)
}

/// Re-hashes every tracked file in the format of its original hash and compares.
pub fn verify(
    root: &Path,
    options: &VerifyOptions,
    progress: &dyn Progress,
) -> Result<VerifyReport, MhlError> {
    let history = load_existing(root)?;
    let ignore = history.ignore_spec(&options.ignore);
    let nodes = walk(root, &ignore)?;
    let mut report = VerifyReport::default();
    let total = nodes
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
        let Node::File { rel, .. } = node else {
            continue;
        };
        let Some(original) = history.lookup(rel).and_then(|r| r.original.as_ref()) else {
            report.new_files.push(rel.clone());
            continue;
        };
        let computed = hash_file(&root.join(rel), &[original.format], progress)?;
        let actual = &computed[0].1;
        if *actual == original.digest {
            report.verified += 1;
        } else {
            report.mismatches.push(Mismatch {
                path: rel.clone(),
                format: original.format,
                expected: original.digest.clone(),
                actual: actual.clone(),
            });
        }
    }
    progress.finish();
    report.missing = missing_paths(&history, &seen(&nodes), &ignore);
    Ok(report)
}

/// Lists new and missing files without hashing anything.
pub fn diff(root: &Path, options: &VerifyOptions) -> Result<DiffReport, MhlError> {
    let history = load_existing(root)?;
    let ignore = history.ignore_spec(&options.ignore);
    let nodes = walk(root, &ignore)?;
    let new_files = nodes
        .iter()
        .filter_map(|n| match n {
            Node::File { rel, .. }
                if history
                    .lookup(rel)
                    .and_then(|r| r.original.as_ref())
                    .is_none() =>
            {
                Some(rel.clone())
            }
            _ => None,
        })
        .collect();
    let missing = missing_paths(&history, &seen(&nodes), &ignore);
    Ok(DiffReport { new_files, missing })
}

fn seen(nodes: &[Node]) -> HashSet<&str> {
    nodes
        .iter()
        .map(|n| match n {
            Node::File { rel, .. } | Node::Dir { rel, .. } => rel.as_str(),
        })
        .collect()
}

/// Paths the history records that the folder no longer has (ignored ones excepted), sorted.
pub(super) fn missing_paths(
    history: &History,
    seen: &HashSet<&str>,
    ignore: &IgnoreSpec,
) -> Vec<String> {
    let mut missing: Vec<String> = history
        .paths()
        .filter(|(p, is_dir)| !seen.contains(p) && !ignored_on_the_way(ignore, p, *is_dir))
        .map(|(p, _)| p.to_owned())
        .collect();
    missing.sort();
    missing
}

/// A path is ignored when it or any folder above it matches a pattern.
fn ignored_on_the_way(ignore: &IgnoreSpec, rel: &str, is_dir: bool) -> bool {
    let mut prefix = String::new();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        let last = i + 1 == parts.len();
        if ignore.matches(&prefix, !last || is_dir) {
            return true;
        }
    }
    false
}
