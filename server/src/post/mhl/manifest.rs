//! One ASC MHL v2 generation (`<hashlist>`): its model, writer and reader.
//!
//! The writer follows the layout of the reference tool (ascmhl 1.2) element for element,
//! so both tools' manifests diff cleanly.

use super::hash::HashFormat;
use crate::post::xml::{self, escape, Element, XmlError};

pub const MHL_NAMESPACE: &str = "urn:ASC:MHL:v2.0";

/// What a generation did with one file hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// First time this file was hashed in this history.
    Original,
    /// Hashed again and equal to the first hash in the same format.
    Verified,
    /// Hashed again and different: the file changed or is damaged.
    Failed,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Original => "original",
            Action::Verified => "verified",
            Action::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "original" => Some(Action::Original),
            "verified" | "new" => Some(Action::Verified),
            "failed" => Some(Action::Failed),
            _ => None,
        }
    }
}

/// One file digest in one format.
#[derive(Clone, Debug, PartialEq)]
pub struct HashEntry {
    pub format: HashFormat,
    pub digest: String,
    pub action: Option<Action>,
    pub hash_date: Option<String>,
}

/// Content and structure digests of a folder in one format.
#[derive(Clone, Debug, PartialEq)]
pub struct DirectoryDigest {
    pub format: HashFormat,
    pub content: String,
    pub structure: String,
    pub hash_date: Option<String>,
}

/// A `<hash>` (file) or `<directoryhash>` (folder) record.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    File {
        path: String,
        size: Option<u64>,
        modified: Option<String>,
        hashes: Vec<HashEntry>,
        previous_path: Option<String>,
    },
    Directory {
        path: String,
        modified: Option<String>,
        digests: Vec<DirectoryDigest>,
    },
}

impl Record {
    pub fn path(&self) -> &str {
        match self {
            Record::File { path, .. } | Record::Directory { path, .. } => path,
        }
    }
}

/// Who wrote a generation, where and with what.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CreatorInfo {
    pub creation_date: String,
    pub hostname: String,
    pub tool_name: String,
    pub tool_version: String,
    pub comment: Option<String>,
}

/// One generation of a history.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Manifest {
    pub creator: CreatorInfo,
    pub process: String,
    pub root_hash: Vec<DirectoryDigest>,
    pub ignore: Vec<String>,
    pub records: Vec<Record>,
}

impl Manifest {
    /// Serialises as ascmhl lays it out (two-space indent, `\n`).
    pub fn to_xml(&self) -> String {
        let mut out = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hashlist version=\"2.0\" xmlns=\"urn:ASC:MHL:v2.0\">\n",
        );
        self.write_creator(&mut out);
        self.write_process(&mut out);
        out.push_str("  <hashes>\n");
        for record in &self.records {
            write_record(&mut out, record);
        }
        out.push_str("  </hashes>\n</hashlist>\n");
        out
    }

    fn write_creator(&self, out: &mut String) {
        let c = &self.creator;
        out.push_str("  <creatorinfo>\n");
        push_line(out, 4, &elem("creationdate", "", &c.creation_date));
        push_line(out, 4, &elem("hostname", "", &c.hostname));
        let version = format!(" version=\"{}\"", escape(&c.tool_version));
        push_line(out, 4, &elem("tool", &version, &c.tool_name));
        if let Some(comment) = &c.comment {
            push_line(out, 4, &elem("comment", "", comment));
        }
        out.push_str("  </creatorinfo>\n");
    }

    fn write_process(&self, out: &mut String) {
        out.push_str("  <processinfo>\n");
        push_line(out, 4, &elem("process", "", &self.process));
        if !self.root_hash.is_empty() {
            push_line(out, 4, "<roothash>");
            write_directory_digests(out, 6, &self.root_hash);
            push_line(out, 4, "</roothash>");
        }
        if self.ignore.is_empty() {
            push_line(out, 4, "<ignore/>");
        } else {
            push_line(out, 4, "<ignore>");
            for pattern in &self.ignore {
                push_line(out, 6, &elem("pattern", "", pattern));
            }
            push_line(out, 4, "</ignore>");
        }
        out.push_str("  </processinfo>\n");
    }

    /// Reads a manifest; `source` names the file in errors.
    pub fn parse(text: &str) -> Result<Manifest, XmlError> {
        let root = xml::parse(text)?;
        if root.name != "hashlist" {
            return Err(at(
                &root,
                format!("root element is <{}>, expected <hashlist>", root.name),
            ));
        }
        if root.namespace().is_some_and(|ns| ns != MHL_NAMESPACE) {
            return Err(at(
                &root,
                format!("namespace {:?} is not {MHL_NAMESPACE}", root.namespace()),
            ));
        }
        let mut manifest = Manifest::default();
        if let Some(creator) = root.child("creatorinfo") {
            manifest.creator = parse_creator(creator);
        }
        if let Some(process) = root.child("processinfo") {
            manifest.process = child_text(process, "process");
            if let Some(roothash) = process.child("roothash") {
                manifest.root_hash = parse_directory_digests(roothash)?;
            }
            if let Some(ignore) = process.child("ignore") {
                manifest.ignore = ignore
                    .children_named("pattern")
                    .map(|p| p.text.clone())
                    .collect();
            }
        }
        if let Some(hashes) = root.child("hashes") {
            for child in &hashes.children {
                match child.name.as_str() {
                    "hash" => manifest.records.push(parse_file(child)?),
                    "directoryhash" => manifest.records.push(parse_directory(child)?),
                    _ => {}
                }
            }
        }
        Ok(manifest)
    }
}

fn at(element: &Element, message: String) -> XmlError {
    XmlError {
        line: element.line,
        message,
    }
}

fn child_text(element: &Element, name: &str) -> String {
    element
        .child(name)
        .map(|c| c.text.clone())
        .unwrap_or_default()
}

fn parse_creator(e: &Element) -> CreatorInfo {
    let tool = e.child("tool");
    CreatorInfo {
        creation_date: child_text(e, "creationdate"),
        hostname: child_text(e, "hostname"),
        tool_name: tool.map(|t| t.text.clone()).unwrap_or_default(),
        tool_version: tool
            .and_then(|t| t.attr("version"))
            .unwrap_or_default()
            .to_owned(),
        comment: e.child("comment").map(|c| c.text.clone()),
    }
}

fn parse_path(e: &Element) -> Result<(String, Option<u64>, Option<String>), XmlError> {
    let path = e
        .child("path")
        .ok_or_else(|| at(e, format!("<{}> without <path>", e.name)))?;
    let size = match path.attr("size") {
        Some(s) => Some(
            s.parse()
                .map_err(|_| at(path, format!("size {s:?} is not a byte count")))?,
        ),
        None => None,
    };
    let modified = path.attr("lastmodificationdate").map(str::to_owned);
    Ok((path.text.clone(), size, modified))
}

fn parse_file(e: &Element) -> Result<Record, XmlError> {
    let (path, size, modified) = parse_path(e)?;
    let mut hashes = Vec::new();
    for child in &e.children {
        let Ok(format) = child.name.parse::<HashFormat>() else {
            continue;
        };
        let action = match child.attr("action") {
            Some(a) => {
                Some(Action::parse(a).ok_or_else(|| at(child, format!("unknown action {a:?}")))?)
            }
            None => None,
        };
        hashes.push(HashEntry {
            format,
            digest: child.text.clone(),
            action,
            hash_date: child.attr("hashdate").map(str::to_owned),
        });
    }
    let previous_path = e.child("previousPath").map(|p| p.text.clone());
    Ok(Record::File {
        path,
        size,
        modified,
        hashes,
        previous_path,
    })
}

fn parse_directory(e: &Element) -> Result<Record, XmlError> {
    let (path, _, modified) = parse_path(e)?;
    Ok(Record::Directory {
        path,
        modified,
        digests: parse_directory_digests(e)?,
    })
}

fn parse_directory_digests(e: &Element) -> Result<Vec<DirectoryDigest>, XmlError> {
    let Some(content) = e.child("content") else {
        return Ok(Vec::new());
    };
    let structure = e.child("structure");
    let mut digests = Vec::new();
    for c in &content.children {
        let Ok(format) = c.name.parse::<HashFormat>() else {
            continue;
        };
        let structure_digest = structure
            .and_then(|s| s.child(&c.name))
            .map(|s| s.text.clone())
            .unwrap_or_default();
        digests.push(DirectoryDigest {
            format,
            content: c.text.clone(),
            structure: structure_digest,
            hash_date: c.attr("hashdate").map(str::to_owned),
        });
    }
    Ok(digests)
}

fn elem(name: &str, attrs: &str, text: &str) -> String {
    format!("<{name}{attrs}>{}</{name}>", escape(text))
}

fn push_line(out: &mut String, indent: usize, line: &str) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(line);
    out.push('\n');
}

fn path_elem(path: &str, size: Option<u64>, modified: Option<&str>) -> String {
    let mut attrs = String::new();
    if let Some(size) = size {
        attrs.push_str(&format!(" size=\"{size}\""));
    }
    if let Some(m) = modified {
        attrs.push_str(&format!(" lastmodificationdate=\"{}\"", escape(m)));
    }
    elem("path", &attrs, path)
}

fn write_record(out: &mut String, record: &Record) {
    match record {
        Record::File {
            path,
            size,
            modified,
            hashes,
            previous_path,
        } => {
            push_line(out, 4, "<hash>");
            push_line(out, 6, &path_elem(path, *size, modified.as_deref()));
            let mut sorted: Vec<&HashEntry> = hashes.iter().collect();
            sorted.sort_by_key(|h| h.format.as_str());
            for h in sorted {
                push_line(
                    out,
                    6,
                    &hash_elem(h.format, &h.digest, h.action, h.hash_date.as_deref()),
                );
            }
            if let Some(prev) = previous_path {
                push_line(out, 6, &elem("previousPath", "", prev));
            }
            push_line(out, 4, "</hash>");
        }
        Record::Directory {
            path,
            modified,
            digests,
        } => {
            push_line(out, 4, "<directoryhash>");
            push_line(out, 6, &path_elem(path, None, modified.as_deref()));
            write_directory_digests(out, 6, digests);
            push_line(out, 4, "</directoryhash>");
        }
    }
}

fn hash_elem(
    format: HashFormat,
    digest: &str,
    action: Option<Action>,
    date: Option<&str>,
) -> String {
    let mut attrs = String::new();
    if let Some(a) = action {
        attrs.push_str(&format!(" action=\"{}\"", a.as_str()));
    }
    if let Some(d) = date {
        attrs.push_str(&format!(" hashdate=\"{}\"", escape(d)));
    }
    elem(format.as_str(), &attrs, digest)
}

fn write_directory_digests(out: &mut String, indent: usize, digests: &[DirectoryDigest]) {
    for (tag, pick) in [("content", true), ("structure", false)] {
        push_line(out, indent, &format!("<{tag}>"));
        for d in digests {
            let digest = if pick { &d.content } else { &d.structure };
            push_line(
                out,
                indent + 2,
                &hash_elem(d.format, digest, None, d.hash_date.as_deref()),
            );
        }
        push_line(out, indent, &format!("</{tag}>"));
    }
}
