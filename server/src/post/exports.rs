//! Exports started from the API: the show's grades matched to an uploaded clip list (or
//! only the show, for looks and the report), filtered to chosen cameras and clips, written
//! as a package folder under ASC MHL, then served file by file or as one zip.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::post::clips::{read_clips, scan::scan_folder, ClipList, IngestOptions};
use crate::post::export::{self, AmfTransforms, ExportError, ExportFormat, ExportOptions, IdBy};
use crate::post::grades::{match_grades, MatchRule};
use crate::post::mhl::{HashFormat, UtcParts};
use crate::post::show_log::timeline_from_log;
use crate::show::{Event, Id, Show};
use crate::timecode::FrameRate;

/// Export results kept before the oldest are forgotten (their folders stay).
pub const KEPT: usize = 32;

/// The most a package zip download may hold (the files' total size).
pub const ZIP_LIMIT: u64 = 4 << 30;

/// Formats that need a clip list.
const CLIP_FORMATS: [ExportFormat; 6] = [
    ExportFormat::Cc,
    ExportFormat::Ccc,
    ExportFormat::Cdl,
    ExportFormat::Ale,
    ExportFormat::Edl,
    ExportFormat::Amf,
];

/// Why an export was refused or failed; `path` names the request field.
#[derive(Debug, thiserror::Error)]
pub enum ExportApiError {
    #[error("{message}")]
    Invalid { path: String, message: String },
    #[error("{0}")]
    Export(#[from] ExportError),
    #[error("no export {0:?} (the last {KEPT} are kept)")]
    NotFound(String),
    #[error("the package holds {size} bytes, more than the {limit} a zip download may hold: download its files one by one")]
    TooLarge { size: u64, limit: u64 },
}

impl ExportApiError {
    pub fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        ExportApiError::Invalid {
            path: path.into(),
            message: message.into(),
        }
    }

    pub fn path(&self) -> String {
        match self {
            ExportApiError::Invalid { path, .. } => path.clone(),
            ExportApiError::Export(ExportError::Exists(_)) => "/name".into(),
            ExportApiError::Export(_) => "/formats".into(),
            ExportApiError::NotFound(id) => format!("/exports/{id}"),
            ExportApiError::TooLarge { .. } => "package.zip".into(),
        }
    }
}

/// A clip list uploaded into the show: its file name and bytes.
#[derive(Debug, Clone)]
pub struct ClipFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What to export, checked.
#[derive(Debug, Clone)]
pub struct ExportSpec {
    pub formats: BTreeSet<ExportFormat>,
    pub clips: Option<ClipFile>,
    /// Instead of `clips`: a folder of camera files to scan (checked inside a media root).
    pub folder: Option<PathBuf>,
    /// Show camera ids; `None`: every camera.
    pub cameras: Option<Vec<Id>>,
    /// Clip names; `None`: every clip.
    pub clip_names: Option<Vec<String>>,
    pub rule: MatchRule,
    pub id_by: IdBy,
    pub day: Option<String>,
    pub fps: Option<FrameRate>,
    pub camera_column: Option<String>,
    pub amf: AmfTransforms,
    pub hash_formats: Vec<HashFormat>,
    pub lut_size: usize,
    pub name: Option<String>,
    /// The server's previews, for the report's stills (uploaded stills included).
    pub previews: Option<std::sync::Arc<crate::preview::Previews>>,
    /// The configured devices, for the workflow drawing.
    pub devices: Vec<crate::post::report::DrawnDevice>,
}

/// A written package.
#[derive(Debug, Clone)]
pub struct ExportResult {
    pub id: String,
    pub name: String,
    /// The package folder on the server.
    pub folder: PathBuf,
    /// Package-relative paths of every file, the ASC MHL history included, sorted.
    pub files: Vec<(String, u64)>,
    /// Package-relative path of the ASC MHL generation.
    pub generation: String,
    pub without_grade: usize,
    pub changed_during: usize,
    pub created_ms: i64,
}

/// A package name: 1–100 of `A-Z a-z 0-9 . _ -`, not starting with a dot.
pub fn check_name(name: &str) -> Result<(), ExportApiError> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ExportApiError::invalid(
            "/name",
            format!("package name {name:?}: 1 to 100 of A-Z a-z 0-9 . _ - not starting with a dot"),
        ))
    }
}

fn read_clip_file(file: &ClipFile, spec: &ExportSpec) -> Result<ClipList, ExportApiError> {
    let dir = tempfile::tempdir().map_err(|e| ExportApiError::invalid("/clips", e.to_string()))?;
    let safe: String = file
        .name
        .chars()
        .map(|c| if c == '/' || c == '\\' { '_' } else { c })
        .collect();
    let path = dir.path().join(safe);
    std::fs::write(&path, &file.bytes)
        .map_err(|e| ExportApiError::invalid("/clips", e.to_string()))?;
    let options = IngestOptions {
        rate: spec.fps,
        camera_column: spec.camera_column.clone(),
    };
    let mut list = read_clips(&path, &options).map_err(|mut e| {
        // Errors name the uploaded file, not the temporary copy.
        e.file = PathBuf::from(&file.name);
        ExportApiError::invalid("/clips", e.to_string())
    })?;
    list.file = PathBuf::from(&file.name);
    Ok(list)
}

/// Keeps the chosen cameras (by show id or label; clip lists name cameras either way) and clips.
fn filter(list: &mut ClipList, show: &Show, spec: &ExportSpec) {
    let keep_camera = |camera: &str| {
        spec.cameras.as_ref().is_none_or(|ids| {
            ids.iter().any(|id| {
                id.eq_ignore_ascii_case(camera)
                    || show
                        .cameras
                        .get(id)
                        .is_some_and(|c| c.label.eq_ignore_ascii_case(camera))
            })
        })
    };
    let keep_clip = |name: &str| {
        spec.clip_names
            .as_ref()
            .is_none_or(|names| names.iter().any(|n| n == name))
    };
    let keep: Vec<bool> = list
        .clips
        .iter()
        .map(|c| keep_camera(&c.camera) && keep_clip(&c.name))
        .collect();
    let mut it = keep.iter();
    list.clips.retain(|_| *it.next().unwrap_or(&false));
    if let Some(ale) = list.ale.as_mut() {
        let mut it = keep.iter();
        ale.rows.retain(|_| *it.next().unwrap_or(&false));
    }
}

/// Checks the spec against the show.
fn check(show: &Show, spec: &ExportSpec) -> Result<(), ExportApiError> {
    if spec.formats.is_empty() {
        return Err(ExportApiError::invalid(
            "/formats",
            "choose at least one format",
        ));
    }
    if spec.clips.is_none() && spec.folder.is_none() {
        if let Some(f) = CLIP_FORMATS.iter().find(|f| spec.formats.contains(f)) {
            return Err(ExportApiError::invalid(
                "/clips",
                format!("format {f:?} needs the day's clip list: upload an ALE, CSV or OTIO file (POST /files) and give its id in \"clips\", or name a folder of camera files in \"scan\""),
            ));
        }
    }
    for (i, id) in spec.cameras.iter().flatten().enumerate() {
        if !show.cameras.contains_key(id) {
            return Err(ExportApiError::invalid(
                format!("/cameras/{i}"),
                format!("no camera {id:?} in the show"),
            ));
        }
    }
    if !(2..=129).contains(&spec.lut_size) {
        return Err(ExportApiError::invalid(
            "/lut_size",
            format!("LUT size {}: expected 2..=129", spec.lut_size),
        ));
    }
    if let Some(name) = &spec.name {
        check_name(name)?;
    }
    Ok(())
}

/// Writes the package into `root`; `base` and `events` are the show's stored log, `show`
/// its current state.
pub fn run(
    show: &Show,
    base: &Show,
    events: &[Event],
    spec: &ExportSpec,
    root: &Path,
    now_ms: i64,
) -> Result<ExportResult, ExportApiError> {
    check(show, spec)?;
    let timeline = timeline_from_log(base, events)
        .map_err(|e| ExportApiError::invalid("", format!("the show's log: {e}")))?;
    let mut list = match (&spec.clips, &spec.folder) {
        (Some(file), _) => read_clip_file(file, spec)?,
        (None, Some(folder)) => {
            let options = IngestOptions {
                rate: spec.fps,
                camera_column: None,
            };
            scan_folder(folder, &options)
                .map_err(|e| ExportApiError::invalid("/scan/folder", e.to_string()))?
        }
        (None, None) => ClipList {
            file: PathBuf::from("(no clip list)"),
            clips: Vec::new(),
            ale: None,
        },
    };
    filter(&mut list, show, spec);
    let mut chosen = show.clone();
    if let Some(ids) = &spec.cameras {
        chosen.cameras.retain(|id, _| ids.contains(id));
    }
    let report = match_grades(&list.clips, &timeline, &spec.rule);
    let now = UtcParts::of(std::time::SystemTime::now());
    let day = spec.day.clone().unwrap_or_else(|| now.date());
    let options = ExportOptions {
        previews: spec.previews.clone(),
        devices: spec.devices.clone(),
        formats: spec.formats.clone(),
        id_by: spec.id_by,
        day: day.clone(),
        amf: spec.amf.clone(),
        hash_formats: spec.hash_formats.clone(),
        timeline,
        show: Some(chosen),
        lut_size: spec.lut_size,
    };
    let files = export::render(&list, &report, &options)?;
    let id = format!("x{:016x}", rand_u64());
    let name = spec
        .name
        .clone()
        .unwrap_or_else(|| format!("lookwire_{day}_{}_{}", &now.file_stamp()[11..], &id[1..7]));
    let package = export::export_package(&files, root, &name, &options.hash_formats)?;
    let generation = package
        .generation
        .strip_prefix(&package.path)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    Ok(ExportResult {
        id,
        name,
        files: list_files(&package.path)?,
        folder: package.path,
        generation,
        without_grade: report.without_grade().count(),
        changed_during: report.with_several().count(),
        created_ms: now_ms,
    })
}

fn rand_u64() -> u64 {
    use rand::RngCore;
    rand::thread_rng().next_u64()
}

/// Every file under `root`, package-relative with `/`, sorted, with its size.
fn list_files(root: &Path) -> Result<Vec<(String, u64)>, ExportApiError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let io = |e: std::io::Error| ExportError::Io {
            path: dir.clone(),
            source: e,
        };
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let meta = entry.metadata().map_err(io)?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if let Ok(rel) = entry.path().strip_prefix(root) {
                out.push((rel.to_string_lossy().replace('\\', "/"), meta.len()));
            }
        }
    }
    out.sort();
    Ok(out)
}

impl ExportResult {
    /// The bytes of one package file, if the package lists it.
    pub fn file(&self, rel: &str) -> Option<std::io::Result<Vec<u8>>> {
        self.files
            .iter()
            .any(|(p, _)| p == rel)
            .then(|| std::fs::read(self.folder.join(rel)))
    }

    /// The whole package folder as a zip (entries under `NAME/`) in an unnamed temporary
    /// file, rewound, so that it is streamed and never held in memory. A package whose
    /// files add up to more than `limit` bytes is refused before anything is written.
    pub fn zip_file(&self, limit: u64) -> Result<std::fs::File, ExportApiError> {
        use std::io::{Seek, SeekFrom};
        let size: u64 = self.files.iter().map(|(_, n)| n).sum();
        if size > limit {
            return Err(ExportApiError::TooLarge { size, limit });
        }
        let fail = |e: &dyn std::fmt::Display| {
            ExportApiError::Export(ExportError::Format(format!("zip of {}: {e}", self.name)))
        };
        let mut zip = zip::ZipWriter::new(tempfile::tempfile().map_err(|e| fail(&e))?);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(size > u64::from(u32::MAX));
        for (rel, _) in &self.files {
            let mut file = std::fs::File::open(self.folder.join(rel)).map_err(|e| fail(&e))?;
            zip.start_file(format!("{}/{rel}", self.name), options)
                .map_err(|e| fail(&e))?;
            std::io::copy(&mut file, &mut zip).map_err(|e| fail(&e))?;
        }
        let mut out = zip.finish().map_err(|e| fail(&e))?;
        out.seek(SeekFrom::Start(0)).map_err(|e| fail(&e))?;
        Ok(out)
    }
}

/// Where packages are written, and the last [`KEPT`] results.
#[derive(Debug)]
pub struct Exports {
    root: PathBuf,
    _temp: Option<tempfile::TempDir>,
    results: Mutex<Vec<ExportResult>>,
}

impl Exports {
    /// Packages under `root`.
    pub fn at(root: PathBuf) -> Self {
        Self {
            root,
            _temp: None,
            results: Mutex::new(Vec::new()),
        }
    }

    /// Packages in the configured export folder (`LOOKWIRE_EXPORT_DIR`), else in a
    /// temporary folder removed with the server.
    pub fn configured(config: &crate::post::media::PostConfig) -> Self {
        match &config.export_dir {
            Some(dir) => Self::at(dir.clone()),
            None => Self::temporary(),
        }
    }

    /// Packages in a temporary folder removed with the server.
    pub fn temporary() -> Self {
        let temp = tempfile::Builder::new()
            .prefix("lookwire-exports-")
            .tempdir()
            .ok();
        let root = temp.as_ref().map_or_else(
            || std::env::temp_dir().join("lookwire-exports"),
            |t| t.path().to_path_buf(),
        );
        Self {
            root,
            _temp: temp,
            results: Mutex::new(Vec::new()),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<ExportResult>> {
        self.results.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, r: ExportResult) {
        let mut results = self.lock();
        if results.len() >= KEPT {
            results.remove(0);
        }
        results.push(r);
    }

    pub fn get(&self, id: &str) -> Result<ExportResult, ExportApiError> {
        self.lock()
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| ExportApiError::NotFound(id.to_owned()))
    }

    /// Newest first.
    pub fn list(&self) -> Vec<ExportResult> {
        self.lock().iter().rev().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(dir: &Path) -> ExportResult {
        std::fs::create_dir_all(dir.join("cc")).unwrap();
        std::fs::write(dir.join("cc/A.cc"), b"<ColorCorrection/>").unwrap();
        std::fs::write(dir.join("review.txt"), vec![b'x'; 100_000]).unwrap();
        ExportResult {
            id: "x1".into(),
            name: "pkg".into(),
            folder: dir.to_path_buf(),
            files: list_files(dir).unwrap(),
            generation: String::new(),
            without_grade: 0,
            changed_during: 0,
            created_ms: 0,
        }
    }

    #[test]
    fn the_zip_is_written_to_a_file_and_a_package_over_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let r = package(dir.path());
        let total = 100_000 + 18;
        let err = r.zip_file(total - 1).unwrap_err();
        assert!(matches!(err, ExportApiError::TooLarge { size, .. } if size == total));
        assert!(err.to_string().contains("one by one"), "{err}");
        let file = r.zip_file(total).unwrap();
        let mut zip = zip::ZipArchive::new(file).unwrap();
        let mut names: Vec<String> = zip.file_names().map(str::to_owned).collect();
        names.sort();
        assert_eq!(names, ["pkg/cc/A.cc", "pkg/review.txt"]);
        let mut text = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("pkg/cc/A.cc").unwrap(), &mut text).unwrap();
        assert_eq!(text, "<ColorCorrection/>");
    }
}
