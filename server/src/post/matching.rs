//! Camera matching for a show: solve a camera's match CDL onto a reference camera from
//! their pictures of the built-in chart, keep the result, apply it as the camera's match
//! node (undone like any other grade change, with the camera's or the show's undo).
//!
//! The match is solved in the camera's own working space (its match node lives there),
//! with the show's CDL style, and ΔE 2000 is measured on the display transform of one of
//! the camera's outputs. Pictures are the built-in chart as each camera records it (the
//! preview's source) or uploaded image files.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use lookwire_color::chart::{self, ChartOptions, ChartSize, Frame};
use lookwire_color::matching::{self, Corners, MatchError, MatchReport, MatchRequest};
use lookwire_color::output::OutputTransform;
use lookwire_color::pipeline;
use lookwire_color::{spaces, Cdl, CdlStyle};

use crate::show::{Camera, Id, Show, WorkingSpace};

/// Results kept before the oldest are forgotten.
pub const KEPT: usize = 64;

/// Why a match could not be made or applied; `path` says where (a field of the request or
/// a show pointer).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchApiError {
    #[error("no camera {0:?}")]
    Camera(String),
    #[error("no reference camera {0:?}")]
    Reference(String),
    #[error("camera {0:?} cannot be matched onto itself: choose another reference camera")]
    SameCamera(String),
    #[error("camera {camera:?} grades in {has}; its match CDL is applied there, so the match is solved there too (asked for {asked})")]
    Working {
        camera: String,
        has: &'static str,
        asked: &'static str,
    },
    #[error("camera {camera:?} has no output {output:?}; its outputs: {known}")]
    Output {
        camera: String,
        output: String,
        known: String,
    },
    #[error("output {0:?} has no display transform (a show LUT cannot be measured in CIELAB); choose an output with one")]
    NoDisplay(String),
    #[error("camera {0:?} feeds no output with a display transform; name one with \"output\"")]
    NoOutput(String),
    #[error("{field}: {message}")]
    Frame {
        field: &'static str,
        message: String,
    },
    #[error("{field}: {source}")]
    Solve {
        field: &'static str,
        source: MatchError,
    },
    #[error("{field}: {message}")]
    Corner {
        field: &'static str,
        index: usize,
        message: String,
    },
    #[error("no match {0:?} (results are kept for the last {KEPT} matches)")]
    NotFound(String),
    #[error(
        "camera {camera:?} changed since match {id:?} was solved ({what}): run the match again"
    )]
    Stale {
        id: String,
        camera: String,
        what: String,
    },
}

impl MatchApiError {
    /// Where the error is: a request field, or a show pointer.
    pub fn path(&self) -> String {
        match self {
            MatchApiError::Camera(id) => format!("/cameras/{id}"),
            MatchApiError::Reference(_) | MatchApiError::SameCamera(_) => "/reference".into(),
            MatchApiError::Working { .. } => "/working".into(),
            MatchApiError::Output { .. } | MatchApiError::NoDisplay(_) => "/output".into(),
            MatchApiError::NoOutput(id) => format!("/cameras/{id}/outputs"),
            MatchApiError::Frame { field, .. } | MatchApiError::Solve { field, .. } => {
                format!("/{field}")
            }
            MatchApiError::Corner { field, index, .. } => format!("/{field}/{index}"),
            MatchApiError::NotFound(id) => format!("/matches/{id}"),
            MatchApiError::Stale { camera, .. } => format!("/cameras/{camera}"),
        }
    }
}

/// A picture of the chart for one camera: the built-in chart as it records it, or a frame.
#[derive(Debug, Clone)]
pub enum Picture {
    Builtin,
    Frame(Arc<Frame>),
}

/// What to match: filled from the request, pictures already loaded.
#[derive(Debug, Clone)]
pub struct MatchSpec {
    pub camera: Id,
    pub reference: Id,
    pub working: Option<WorkingSpace>,
    pub output: Option<Id>,
    pub picture: Picture,
    pub reference_picture: Picture,
    pub corners: Option<Corners>,
    pub reference_corners: Option<Corners>,
    pub monitoring_matrix: bool,
}

/// A solved match, kept until applied or forgotten.
#[derive(Debug, Clone)]
pub struct MatchResult {
    pub id: String,
    pub camera: Id,
    pub reference: Id,
    pub input_space: String,
    pub reference_input_space: String,
    pub working: WorkingSpace,
    pub style: CdlStyle,
    /// The show output ΔE is measured on, and its display transform.
    pub output: Id,
    pub display: String,
    pub created_ms: i64,
    pub report: MatchReport,
    /// The show version that applied it, once applied.
    pub applied_version: Option<u64>,
}

fn engine_working(w: WorkingSpace) -> pipeline::WorkingSpace {
    match w {
        WorkingSpace::Camera => pipeline::WorkingSpace::Camera,
        WorkingSpace::Acescct => pipeline::WorkingSpace::AcesCct,
    }
}

fn working_name(w: WorkingSpace) -> &'static str {
    match w {
        WorkingSpace::Camera => "camera",
        WorkingSpace::Acescct => "acescct",
    }
}

/// The display transform of a show output, if it has a known one.
fn display_of(show: &Show, output: &str) -> Option<String> {
    let id = show.outputs.get(output)?.display.clone()?;
    OutputTransform::from_id(&id).map(|_| id)
}

/// The output ΔE is measured on: the one asked for, else the camera's first output with a
/// display transform (SDR before HDR, as the camera lists them).
fn choose_output(
    show: &Show,
    cam: &Camera,
    asked: Option<&str>,
) -> Result<(Id, String), MatchApiError> {
    match asked {
        Some(o) if !cam.outputs.iter().any(|c| c == o) => Err(MatchApiError::Output {
            camera: cam.id.clone(),
            output: o.to_owned(),
            known: cam.outputs.join(", "),
        }),
        Some(o) => display_of(show, o)
            .map(|d| (o.to_owned(), d))
            .ok_or_else(|| MatchApiError::NoDisplay(o.to_owned())),
        None => cam
            .outputs
            .iter()
            .find_map(|o| display_of(show, o).map(|d| (o.clone(), d)))
            .ok_or_else(|| MatchApiError::NoOutput(cam.id.clone())),
    }
}

fn frame_for(
    picture: &Picture,
    input_space: &str,
    field: &'static str,
) -> Result<Arc<Frame>, MatchApiError> {
    match picture {
        Picture::Frame(f) => Ok(Arc::clone(f)),
        Picture::Builtin => {
            let options = ChartOptions {
                size: ChartSize::Hd,
                ..Default::default()
            };
            chart::render_chart(input_space, &options)
                .map(Arc::new)
                .map_err(|e| MatchApiError::Frame {
                    field,
                    message: format!("the built-in chart for {input_space}: {e}"),
                })
        }
    }
}

/// Refuses corners off the picture, naming the number at fault (`/corners/5`: corner 3's y).
fn check_corners(
    corners: Option<&Corners>,
    frame: &Frame,
    field: &'static str,
) -> Result<(), MatchApiError> {
    let Some(c) = corners else { return Ok(()) };
    let size = [frame.width as f64, frame.height as f64];
    for (i, xy) in c.0.iter().enumerate() {
        for (axis, v) in xy.iter().enumerate() {
            if !(v.is_finite() && (0.0..=size[axis]).contains(v)) {
                return Err(MatchApiError::Corner {
                    field,
                    index: 2 * i + axis,
                    message: format!(
                        "corner {} {} = {v} lies outside the {}×{} picture",
                        i + 1,
                        ["x", "y"][axis],
                        frame.width,
                        frame.height
                    ),
                });
            }
        }
    }
    matching::sample::Homography::from_corners(c)
        .map(|_| ())
        .map_err(|source| MatchApiError::Solve { field, source })
}

/// Which request field a solver error is about.
fn solve_field(e: &MatchError) -> &'static str {
    match e {
        MatchError::Output(_) => "output",
        MatchError::Space(_) => "reference",
        MatchError::Corners { .. } | MatchError::PatchOutside { .. } => "corners",
        MatchError::Frame(_) | MatchError::TooFewPatches { .. } => "frame",
    }
}

/// Solves the match `spec` asks for on `show`.
pub fn solve(show: &Show, spec: &MatchSpec, now_ms: i64) -> Result<MatchResult, MatchApiError> {
    let cam = show
        .cameras
        .get(&spec.camera)
        .ok_or_else(|| MatchApiError::Camera(spec.camera.clone()))?;
    let reference = show
        .cameras
        .get(&spec.reference)
        .ok_or_else(|| MatchApiError::Reference(spec.reference.clone()))?;
    if cam.id == reference.id {
        return Err(MatchApiError::SameCamera(cam.id.clone()));
    }
    if let Some(asked) = spec.working.filter(|w| *w != cam.working_space) {
        return Err(MatchApiError::Working {
            camera: cam.id.clone(),
            has: working_name(cam.working_space),
            asked: working_name(asked),
        });
    }
    let (output, display) = choose_output(show, cam, spec.output.as_deref())?;
    let space = |id: &str, field| {
        spaces::lookup(id).map_err(|e| MatchApiError::Frame {
            field,
            message: e.to_string(),
        })
    };
    let (cam_space, ref_space) = (
        space(&cam.input_space, "frame")?,
        space(&reference.input_space, "reference_frame")?,
    );
    let frame = frame_for(&spec.picture, &cam.input_space, "frame")?;
    let ref_frame = frame_for(
        &spec.reference_picture,
        &reference.input_space,
        "reference_frame",
    )?;
    check_corners(spec.corners.as_ref(), &frame, "corners")?;
    check_corners(
        spec.reference_corners.as_ref(),
        &ref_frame,
        "reference_corners",
    )?;
    let request = MatchRequest {
        reference: matching::Shot {
            input: &ref_space,
            frame: &ref_frame,
            corners: spec.reference_corners,
        },
        camera: matching::Shot {
            input: &cam_space,
            frame: &frame,
            corners: spec.corners,
        },
        working: engine_working(cam.working_space),
        output: display.clone(),
        style: show.cdl_style,
        monitoring_matrix: spec.monitoring_matrix,
    };
    let report = matching::match_camera(&request).map_err(|source| MatchApiError::Solve {
        field: solve_field(&source),
        source,
    })?;
    Ok(MatchResult {
        id: new_id(),
        camera: cam.id.clone(),
        reference: reference.id.clone(),
        input_space: cam.input_space.clone(),
        reference_input_space: reference.input_space.clone(),
        working: cam.working_space,
        style: show.cdl_style,
        output,
        display,
        created_ms: now_ms,
        report,
        applied_version: None,
    })
}

fn new_id() -> String {
    use rand::RngCore;
    format!("m{:016x}", rand::thread_rng().next_u64())
}

impl MatchResult {
    /// Refuses to apply when the camera has changed in a way that makes the CDL wrong.
    pub fn check_current(&self, show: &Show) -> Result<Cdl, MatchApiError> {
        let cam = show
            .cameras
            .get(&self.camera)
            .ok_or_else(|| MatchApiError::Camera(self.camera.clone()))?;
        let stale = |what: String| MatchApiError::Stale {
            id: self.id.clone(),
            camera: self.camera.clone(),
            what,
        };
        if cam.input_space != self.input_space {
            return Err(stale(format!(
                "input space {} → {}",
                self.input_space, cam.input_space
            )));
        }
        if cam.working_space != self.working {
            return Err(stale(format!(
                "working space {} → {}",
                working_name(self.working),
                working_name(cam.working_space)
            )));
        }
        if show.cdl_style != self.style {
            return Err(stale(format!(
                "the show's CDL style is now {}",
                show.cdl_style
            )));
        }
        Ok(self.report.cdl)
    }
}

/// The last [`KEPT`] match results.
#[derive(Debug, Default)]
pub struct Matches {
    results: Mutex<VecDeque<MatchResult>>,
}

impl Matches {
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<MatchResult>> {
        self.results.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, result: MatchResult) {
        let mut results = self.lock();
        if results.len() >= KEPT {
            results.pop_front();
        }
        results.push_back(result);
    }

    pub fn get(&self, id: &str) -> Result<MatchResult, MatchApiError> {
        self.lock()
            .iter()
            .find(|r| r.id == id)
            .cloned()
            .ok_or_else(|| MatchApiError::NotFound(id.to_owned()))
    }

    /// Every kept result, newest first.
    pub fn list(&self) -> Vec<MatchResult> {
        self.lock().iter().rev().cloned().collect()
    }

    pub fn mark_applied(&self, id: &str, version: u64) {
        if let Some(r) = self.lock().iter_mut().find(|r| r.id == id) {
            r.applied_version = Some(version);
        }
    }
}

/// The patch picture of a result as PNG bytes.
pub fn patch_png(result: &MatchResult) -> Result<Vec<u8>, png::EncodingError> {
    let pic = matching::patch_picture(&result.report);
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, pic.width as u32, pic.height as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&pic.rgb)?;
    writer.finish()?;
    Ok(out)
}
