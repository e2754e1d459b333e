//! Export packages for post: CDLs (`.cc` per clip, `.ccc`/`.cdl` per camera and day), the
//! ingested ALE with grade columns, CMX3600 EDLs, AMF v2 per clip, a review list, all under
//! an ASC MHL generation. Everything is rendered in memory first, written into a staging
//! folder, sealed with ASC MHL and renamed into place: a failed export leaves nothing.

mod ale;
mod amf;
pub mod amf_ids;
mod cdl;
pub mod clf_nodes;
mod edl;
pub mod look_lut;
pub mod text;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub use amf::{is_acescct, uuid_for, AmfTransforms};

use lookwire_color::formats::LutFormat;

use crate::post::clips::ClipList;
use crate::post::grades::{ClipMatch, GradeTimeline, MatchReport};
use crate::post::mhl::{self, HashFormat, MhlError, NoProgress, UtcParts};

/// One kind of file an export can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExportFormat {
    Cc,
    Ccc,
    Cdl,
    Ale,
    Edl,
    Amf,
    Report,
    Cube,
    Clf,
}

impl std::str::FromStr for ExportFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "cc" => ExportFormat::Cc,
            "ccc" => ExportFormat::Ccc,
            "cdl" => ExportFormat::Cdl,
            "ale" => ExportFormat::Ale,
            "edl" => ExportFormat::Edl,
            "amf" => ExportFormat::Amf,
            "report" => ExportFormat::Report,
            "cube" => ExportFormat::Cube,
            "clf" => ExportFormat::Clf,
            other => {
                return Err(format!(
                    "unknown export format {other:?}: expected cc, ccc, cdl, ale, edl, amf, report, cube or clf"
                ))
            }
        })
    }
}

/// What CDL ids are made of.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdBy {
    /// The clip name (post tools relink by it).
    #[default]
    Clip,
    /// The reel (tape) name: one grade per reel.
    Reel,
}

/// How to build a package.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    pub formats: BTreeSet<ExportFormat>,
    pub id_by: IdBy,
    /// Label of the shooting day in per-camera file names (`A_2024-05-01.ccc`).
    pub day: String,
    pub amf: AmfTransforms,
    pub hash_formats: Vec<HashFormat>,
    /// Grade changes for the look report.
    pub timeline: GradeTimeline,
    /// The show, when known: workflow drawing in the report, cameras' looks for cube/clf.
    pub show: Option<crate::show::Show>,
    /// Lattice size of baked `.cube`/CLF looks.
    pub lut_size: usize,
    /// The server's previews (uploaded stills included) for the report's stills; `None`:
    /// a fresh renderer showing the built-in chart.
    pub previews: Option<std::sync::Arc<crate::preview::Previews>>,
    /// The configured devices (LUT boxes, routers, tally) for the workflow drawing.
    pub devices: Vec<crate::post::report::DrawnDevice>,
}

/// An export that could not be made; nothing was left on disk.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0} already exists; exports never overwrite a package")]
    Exists(PathBuf),
    #[error("ASC MHL: {0}")]
    Mhl(#[from] MhlError),
}

/// What an export wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct PackageReport {
    pub path: PathBuf,
    /// Package-relative paths of the files written (ASC MHL history excluded).
    pub files: Vec<String>,
    pub generation: PathBuf,
}

type Files = BTreeMap<String, Vec<u8>>;

fn add(files: &mut Files, path: String, bytes: Vec<u8>) -> Result<(), ExportError> {
    if files.insert(path.clone(), bytes).is_some() {
        return Err(ExportError::Conflict(format!(
            "two files would be written to {path}; clip names must be unique"
        )));
    }
    Ok(())
}

/// Every file of the package, rendered in memory.
pub fn render(
    list: &ClipList,
    report: &MatchReport,
    options: &ExportOptions,
) -> Result<BTreeMap<String, Vec<u8>>, ExportError> {
    let mut files = Files::new();
    let rule = &report.rule;
    let mut by_camera: BTreeMap<&str, Vec<&ClipMatch>> = BTreeMap::new();
    for m in &report.matches {
        by_camera.entry(&m.clip.camera).or_default().push(m);
    }
    for list in by_camera.values_mut() {
        list.sort_by_key(|m| m.clip.frame_range().0);
    }
    let day = text::file_stem(&options.day);
    for format in &options.formats {
        match format {
            ExportFormat::Cc => {
                for m in &report.matches {
                    if let Some(bytes) = cdl::cc(m, rule, options.id_by)? {
                        add(
                            &mut files,
                            format!("cc/{}.cc", text::file_stem(&m.clip.name)),
                            bytes,
                        )?;
                    }
                }
            }
            ExportFormat::Ccc | ExportFormat::Cdl => {
                for (camera, matches) in &by_camera {
                    let stem = format!("{}_{day}", text::file_stem(camera));
                    let (path, bytes) = match format {
                        ExportFormat::Ccc => (
                            format!("ccc/{stem}.ccc"),
                            cdl::ccc(camera, matches, rule, options.id_by)?,
                        ),
                        _ => (
                            format!("cdl/{stem}.cdl"),
                            cdl::cdl(camera, matches, rule, options.id_by)?,
                        ),
                    };
                    add(&mut files, path, bytes)?;
                }
            }
            ExportFormat::Edl => {
                for (camera, matches) in &by_camera {
                    // CMX3600 numbers events 001-999: longer days continue in _2, _3, ...
                    for (i, part) in matches.chunks(edl::MAX_EVENTS).enumerate() {
                        let suffix = if i == 0 {
                            String::new()
                        } else {
                            format!("_{}", i + 1)
                        };
                        let stem = format!("{}_{day}{suffix}", text::file_stem(camera));
                        add(
                            &mut files,
                            format!("edl/{stem}.edl"),
                            edl::edl(&stem, part, rule)?.into_bytes(),
                        )?;
                    }
                }
            }
            ExportFormat::Ale => {
                let stem = list
                    .file
                    .file_stem()
                    .map_or_else(|| "clips".into(), |s| text::file_stem(&s.to_string_lossy()));
                add(
                    &mut files,
                    format!("ale/{stem}_graded.ale"),
                    ale::ale(list, &report.matches)?.into_bytes(),
                )?;
            }
            ExportFormat::Report => report_files(&mut files, report, options)?,
            ExportFormat::Cube | ExportFormat::Clf => {
                let lut_format = if *format == ExportFormat::Clf {
                    LutFormat::Clf
                } else {
                    LutFormat::Cube
                };
                look_files(&mut files, options, lut_format)?
            }
            ExportFormat::Amf => {
                let now = UtcParts::of(std::time::SystemTime::now());
                for m in report.matches.iter().filter(|m| m.grade.is_some()) {
                    let transforms = amf_transforms(options, &m.clip.camera);
                    let doc = amf::amf(m, rule, &transforms, &now)?;
                    add(
                        &mut files,
                        format!("amf/{}.amf", text::file_stem(&m.clip.name)),
                        doc.into_bytes(),
                    )?;
                }
            }
        }
    }
    add(
        &mut files,
        "review.txt".into(),
        review(report, &list.file).into_bytes(),
    )?;
    Ok(files)
}

/// A clip's AMF transforms: those given (`--amf-input`, `--amf-output`) win; else, with the
/// show known, its camera's input space and its first output with an ACES transform id.
fn amf_transforms(options: &ExportOptions, camera: &str) -> AmfTransforms {
    let show = options.show.as_ref();
    let cam = show.and_then(|s| s.cameras.get(&camera.to_lowercase()));
    let input = options
        .amf
        .input
        .clone()
        .or_else(|| cam.and_then(|c| amf_ids::input_transform_id(&c.input_space)));
    let output = options.amf.output.clone().or_else(|| {
        let (show, cam) = (show?, cam?);
        cam.outputs
            .iter()
            .filter_map(|o| show.outputs.get(o)?.display.as_deref())
            .find_map(amf_ids::output_transform_id)
    });
    AmfTransforms { input, output }
}

/// `report.html`, and `report.pdf` (stills per camera) and `workflow.svg` when the show
/// is known.
fn report_files(
    files: &mut Files,
    report: &MatchReport,
    options: &ExportOptions,
) -> Result<(), ExportError> {
    let title = format!("lookwire look report {}", options.day);
    let svg = options
        .show
        .as_ref()
        .map(|show| crate::post::report::workflow_svg(show, &options.devices));
    let pages = options.show.as_ref().map(|show| {
        let fresh;
        let previews = match &options.previews {
            Some(p) => p.as_ref(),
            None => {
                fresh = crate::preview::Previews::new();
                &fresh
            }
        };
        crate::post::pdf::camera_pages(show, &options.timeline, previews)
    });
    let html = crate::post::report::look_report(
        &title,
        &options.timeline,
        report,
        svg.as_deref(),
        pages.as_deref().unwrap_or_default(),
    );
    add(files, "report.html".into(), html.into_bytes())?;
    if let Some(pages) = &pages {
        let pdf = crate::post::pdf::look_report_pdf(&title, pages);
        add(files, "report.pdf".into(), pdf)?;
    }
    if let Some(svg) = svg {
        add(files, "workflow.svg".into(), svg.into_bytes())?;
    }
    Ok(())
}

/// Each camera's baked look per output.
fn look_files(
    files: &mut Files,
    options: &ExportOptions,
    format: LutFormat,
) -> Result<(), ExportError> {
    let show = options.show.as_ref().ok_or_else(|| {
        ExportError::Conflict("cube and clf looks need the show (--show or --store)".into())
    })?;
    for (path, bytes) in look_lut::look_luts(show, &options.day, options.lut_size, &[format])? {
        add(files, path, bytes)?;
    }
    Ok(())
}

/// The clips post must look at: no grade, or a grade that changed during the clip.
pub fn review(report: &MatchReport, list_file: &Path) -> String {
    let mut out = format!("lookwire export review\nmatch rule: {}\n", report.rule);
    let list = list_file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let line = |m: &ClipMatch| {
        let c = &m.clip;
        format!(
            "  {} {} {}-{} {} ({list}{})\n",
            c.camera, c.name, c.start, c.end, c.source_file, c.origin
        )
    };
    let none: Vec<_> = report.without_grade().collect();
    out.push_str(&format!("\nclips without a grade: {}\n", none.len()));
    none.iter().for_each(|m| out.push_str(&line(m)));
    let several: Vec<_> = report.with_several().collect();
    out.push_str(&format!(
        "\nclips whose grade changed during the clip: {}\n",
        several.len()
    ));
    for m in several {
        out.push_str(&format!(
            "{}    {} change(s) during the clip\n",
            line(m).trim_end(),
            m.changes_during
        ));
    }
    out
}

/// Writes a package folder `out/name` sealed with an ASC MHL generation, or nothing.
pub fn export_package(
    files: &BTreeMap<String, Vec<u8>>,
    out: &Path,
    name: &str,
    hash_formats: &[HashFormat],
) -> Result<PackageReport, ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    let target = out.join(name);
    if target.exists() {
        return Err(ExportError::Exists(target));
    }
    std::fs::create_dir_all(out).map_err(io(out))?;
    let staging = out.join(format!(".{name}.staging-{}", std::process::id()));
    let result = stage(files, &staging.join(name), hash_formats).and_then(|generation| {
        std::fs::rename(staging.join(name), &target).map_err(io(&target))?;
        Ok(generation)
    });
    let _ = std::fs::remove_dir_all(&staging);
    let generation = result?;
    Ok(PackageReport {
        path: target.clone(),
        files: files.keys().cloned().collect(),
        generation: target
            .join(mhl::ASCMHL_FOLDER)
            .join(generation.file_name().unwrap_or_default()),
    })
}

fn stage(
    files: &BTreeMap<String, Vec<u8>>,
    root: &Path,
    hash_formats: &[HashFormat],
) -> Result<PathBuf, ExportError> {
    for (rel, bytes) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| ExportError::Io {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, bytes).map_err(|source| ExportError::Io {
            path: path.clone(),
            source,
        })?;
    }
    let options = mhl::CreateOptions {
        formats: hash_formats.to_vec(),
        comment: Some("lookwire export package".into()),
        ..mhl::CreateOptions::default()
    };
    let report = mhl::create(root, &options, &NoProgress)?;
    report
        .generation
        .ok_or_else(|| ExportError::Format("ASC MHL wrote no generation for a new package".into()))
}

#[cfg(test)]
mod tests;
