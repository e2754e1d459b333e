//! Listing a tracked folder the way ascmhl does: children sorted by name, folders after
//! their contents (post order), ignore patterns applied, `ascmhl/` never tracked.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::MhlError;

/// The patterns every history starts with (as ascmhl 1.2).
pub const DEFAULT_IGNORES: [&str; 3] = [".DS_Store", "ascmhl", "ascmhl/"];

/// One listed item; folders come after everything inside them, the root (`""`) last.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    File {
        rel: String,
        size: u64,
        modified: SystemTime,
    },
    Dir {
        rel: String,
        modified: SystemTime,
        /// Names of the tracked children and whether each is a folder, sorted by name.
        children: Vec<(String, bool)>,
    },
}

/// Ignore patterns in the gitignore style ascmhl uses (`*`, `?`, `**`, trailing `/` = folders only,
/// a `/` inside anchors the pattern at the root).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IgnoreSpec {
    pub patterns: Vec<String>,
}

impl IgnoreSpec {
    /// The given patterns plus the defaults, without duplicates, in first-seen order.
    pub fn with_defaults(patterns: impl IntoIterator<Item = String>) -> Self {
        let mut all: Vec<String> = DEFAULT_IGNORES.iter().map(|s| s.to_string()).collect();
        for p in patterns {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        IgnoreSpec { patterns: all }
    }

    /// Whether a root-relative path (`/`-separated) is ignored.
    pub fn matches(&self, rel: &str, is_dir: bool) -> bool {
        self.patterns
            .iter()
            .any(|p| pattern_matches(p, rel, is_dir))
    }
}

fn pattern_matches(pattern: &str, rel: &str, is_dir: bool) -> bool {
    let (pattern, dir_only) = match pattern.strip_suffix('/') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    if pattern.is_empty() || pattern.starts_with('#') || (dir_only && !is_dir) {
        return false;
    }
    if let Some(anchored) = pattern.strip_prefix('/') {
        return glob(anchored.as_bytes(), rel.as_bytes());
    }
    if pattern.contains('/') {
        return glob(pattern.as_bytes(), rel.as_bytes());
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    glob(pattern.as_bytes(), name.as_bytes())
}

/// Glob match: `*` and `?` stay within one path component, `**` crosses them.
fn glob(p: &[u8], t: &[u8]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((b'*', rest)) if rest.first() == Some(&b'*') => {
            let rest = rest[1..].strip_prefix(b"/").unwrap_or(&rest[1..]);
            (0..=t.len()).any(|i| glob(rest, &t[i..]))
        }
        Some((b'*', rest)) => (0..=t.len())
            .take_while(|&i| i == 0 || t[i - 1] != b'/')
            .any(|i| glob(rest, &t[i..])),
        Some((b'?', rest)) => t.first().is_some_and(|&c| c != b'/') && glob(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && glob(rest, &t[1..]),
    }
}

/// Lists `root` in post order.
pub fn walk(root: &Path, ignore: &IgnoreSpec) -> Result<Vec<Node>, MhlError> {
    let mut nodes = Vec::new();
    walk_dir(root, String::new(), ignore, &mut nodes)?;
    Ok(nodes)
}

fn join(rel: &str, name: &str) -> String {
    if rel.is_empty() {
        name.to_owned()
    } else {
        format!("{rel}/{name}")
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> MhlError + '_ {
    move |source| MhlError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn walk_dir(
    dir: &Path,
    rel: String,
    ignore: &IgnoreSpec,
    out: &mut Vec<Node>,
) -> Result<(), MhlError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry
            .file_name()
            .into_string()
            .map_err(|raw| MhlError::NotUtf8 {
                path: dir.join(raw),
            })?;
        names.push(name);
    }
    names.sort();
    let mut children = Vec::new();
    let mut files = Vec::new();
    for name in names {
        let path: PathBuf = dir.join(&name);
        let link = std::fs::symlink_metadata(&path).map_err(io_err(&path))?;
        let meta = std::fs::metadata(&path).map_err(io_err(&path))?;
        // Linked folders are not followed (as ascmhl): a link loop must not recurse forever.
        if link.file_type().is_symlink() && meta.is_dir() {
            continue;
        }
        let child_rel = join(&rel, &name);
        if ignore.matches(&child_rel, meta.is_dir()) {
            continue;
        }
        children.push((name, meta.is_dir()));
        if meta.is_dir() {
            walk_dir(&path, child_rel, ignore, out)?;
        } else {
            files.push(Node::File {
                rel: child_rel,
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            });
        }
    }
    // ascmhl records a folder's own files after everything in its sub-folders.
    out.extend(files);
    let modified = std::fs::metadata(dir)
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    out.push(Node::Dir {
        rel,
        modified,
        children,
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_follow_gitignore_rules() {
        let spec = IgnoreSpec::with_defaults([
            "*.tmp".to_string(),
            "Proxies/".to_string(),
            "/top.txt".to_string(),
        ]);
        assert!(spec.matches("ascmhl", true));
        assert!(spec.matches("Clips/ascmhl", true));
        assert!(spec.matches("Clips/.DS_Store", false));
        assert!(spec.matches("a/b/x.tmp", false));
        assert!(!spec.matches("a/b/x.tmpl", false));
        assert!(spec.matches("A/Proxies", true));
        assert!(!spec.matches("A/Proxies", false));
        assert!(spec.matches("top.txt", false));
        assert!(!spec.matches("sub/top.txt", false));
        assert!(glob(b"Clips/**/*.mov", b"Clips/a/b/c.mov"));
        assert!(glob(b"Clips/**/*.mov", b"Clips/c.mov"));
        assert!(!glob(b"Clips/*.mov", b"Clips/a/c.mov"));
    }

    fn describe(nodes: &[Node]) -> Vec<String> {
        nodes
            .iter()
            .map(|n| match n {
                Node::File { rel, size, .. } => format!("f:{rel}:{size}"),
                Node::Dir { rel, children, .. } => format!("d:{rel}:{}", children.len()),
            })
            .collect()
    }

    #[test]
    fn lists_children_sorted_and_folders_after_their_contents() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
        std::fs::create_dir_all(dir.path().join("ascmhl")).unwrap();
        std::fs::write(dir.path().join("b/c/z.bin"), b"1").unwrap();
        std::fs::write(dir.path().join("a.txt"), b"22").unwrap();
        std::fs::write(dir.path().join(".DS_Store"), b"").unwrap();
        let nodes = walk(dir.path(), &IgnoreSpec::with_defaults([])).unwrap();
        let expected = ["f:b/c/z.bin:1", "d:b/c:1", "d:b:1", "f:a.txt:2", "d::2"];
        assert_eq!(describe(&nodes), expected);
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), dir.path().join("b/loop")).unwrap();
            let again = walk(dir.path(), &IgnoreSpec::with_defaults([])).unwrap();
            assert_eq!(
                describe(&again),
                expected,
                "a linked folder is not followed"
            );
        }
    }
}
