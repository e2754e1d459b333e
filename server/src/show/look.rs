//! A camera's full look through one output, as one description that device feeding,
//! previews and exports all bake from: input space → working space → match CDL → primary
//! trim → further grade nodes (secondary trims, RGB curves) → show look CDL → show look LUT
//! file → the output's display transform → the output's signal range.

use lookwire_color::output::SignalRange;
use lookwire_color::pipeline::{self, Op, Pipeline, PipelineError};
use lookwire_color::{spaces, Cdl, CdlStyle, LutError};

use std::sync::Arc;

use super::curves::RgbCurves;
use super::look_luts::{self, LookTable};
use super::model::{Bypass, Camera, Grade, GradeNode, Output, Show, WorkingSpace};

/// Why a camera's look through an output cannot be described.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LookError {
    #[error("no camera {0:?}")]
    Camera(String),
    #[error("no output {0:?}")]
    Output(String),
    #[error("output {0:?}: its show LUT file {1:?} has no table loaded (not in the store, or not a LUT this build reads)")]
    ShowLut(String, String),
    #[error("show look {0:?}: its LUT file {1:?} has no table loaded (not in the store, or not a LUT this build reads)")]
    LookLut(String, String),
    #[error("no show look {0:?}")]
    Look(String),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Space(#[from] spaces::SpaceError),
    #[error("curves: {0}")]
    Curves(#[from] LutError),
}

/// One step of a grade in the working space.
#[derive(Clone, Debug, PartialEq)]
pub enum LookNode {
    Cdl(Cdl),
    Curves(RgbCurves),
    /// A show look's LUT file, applied in the working space.
    Lut(Arc<LookTable>),
}

impl LookNode {
    /// Applies the node to one working-space pixel in f64 (curves as exact splines).
    pub fn apply(&self, rgb: [f64; 3], style: CdlStyle) -> [f64; 3] {
        match self {
            LookNode::Cdl(cdl) => cdl.apply(rgb, style),
            LookNode::Curves(c) => c.apply(rgb),
            LookNode::Lut(t) => t.apply(rgb),
        }
    }
}

/// Everything a bake of one camera through one output needs.
#[derive(Clone, Debug)]
pub struct CameraLook {
    pub camera: String,
    pub output: String,
    /// The bypass in effect: the output's, unless the caller asked for more.
    pub bypass: Bypass,
    /// The output's display transform id, or `show LUT NAME` for a show LUT output.
    pub display: String,
    /// The output's show LUT (camera log → display code values), when it has one instead
    /// of a display transform.
    pub show_lut: Option<Arc<LookTable>>,
    pub range: SignalRange,
    pub working: WorkingSpace,
    pub style: CdlStyle,
    /// The grade in the working space, first to last, identities left out (empty under a
    /// bypass).
    pub nodes: Vec<LookNode>,
    /// The whole chain for the engine, range included; `None` under the identity bypass.
    pub pipeline: Option<pipeline::Look>,
}

impl CameraLook {
    /// The CDLs alone, when the grade holds no curves and no LUT.
    pub fn cdls(&self) -> Option<Vec<Cdl>> {
        self.nodes
            .iter()
            .map(|n| match n {
                LookNode::Cdl(c) => Some(*c),
                LookNode::Curves(_) | LookNode::Lut(_) => None,
            })
            .collect()
    }

    /// The grade applied to one working-space pixel.
    pub fn grade(&self, rgb: [f64; 3]) -> [f64; 3] {
        self.nodes.iter().fold(rgb, |v, n| n.apply(v, self.style))
    }

    /// The engine's ops for the whole look (`None` under the identity bypass).
    pub fn ops(&self) -> Result<Option<Pipeline>, PipelineError> {
        self.pipeline.as_ref().map(|p| p.pipeline()).transpose()
    }
}

/// The engine's working space for a camera's.
pub fn engine_working(w: WorkingSpace) -> pipeline::WorkingSpace {
    match w {
        WorkingSpace::Camera => pipeline::WorkingSpace::Camera,
        WorkingSpace::Acescct => pipeline::WorkingSpace::AcesCct,
    }
}

/// The full look of `camera` through `output` with the camera's current grade.
pub fn look_for(show: &Show, camera: &str, output: &str) -> Result<CameraLook, LookError> {
    let cam = show
        .cameras
        .get(camera)
        .ok_or_else(|| LookError::Camera(camera.into()))?;
    look_for_grade(show, cam, output, &cam.grade, Bypass::None)
}

/// The full look of `cam` through `output` with `grade` (e.g. a fade's in-between grade)
/// and a device's `bypass` (`Bypass::None` keeps the output's own).
pub fn look_for_grade(
    show: &Show,
    cam: &Camera,
    output: &str,
    grade: &Grade,
    bypass: Bypass,
) -> Result<CameraLook, LookError> {
    let out = show
        .outputs
        .get(output)
        .ok_or_else(|| LookError::Output(output.into()))?;
    let bypass = if bypass == Bypass::None {
        out.bypass
    } else {
        bypass
    };
    described(show, cam, out, grade, bypass)
}

/// The full look for exports (dailies LUTs): the output's bypass, a monitoring check, is
/// not applied; its display transform and signal range are.
pub fn export_look_for(show: &Show, camera: &str, output: &str) -> Result<CameraLook, LookError> {
    let cam = show
        .cameras
        .get(camera)
        .ok_or_else(|| LookError::Camera(camera.into()))?;
    let out = show
        .outputs
        .get(output)
        .ok_or_else(|| LookError::Output(output.into()))?;
    described(show, cam, out, &cam.grade, Bypass::None)
}

fn described(
    show: &Show,
    cam: &Camera,
    out: &Output,
    grade: &Grade,
    bypass: Bypass,
) -> Result<CameraLook, LookError> {
    let (display, show_lut) = display_of(show, out)?;
    let nodes = match bypass {
        Bypass::None => grade_nodes(show, grade)?,
        Bypass::DisplayOnly | Bypass::Identity => Vec::new(),
    };
    let pipeline = match bypass {
        Bypass::Identity => None,
        _ => Some(engine_look(
            cam,
            &display,
            show_lut.as_deref(),
            out.range,
            show.cdl_style,
            &nodes,
        )?),
    };
    Ok(CameraLook {
        camera: cam.id.clone(),
        output: out.id.clone(),
        bypass,
        display,
        show_lut,
        range: out.range,
        working: cam.working_space,
        style: show.cdl_style,
        nodes,
        pipeline,
    })
}

/// The output's display transform id, or its show LUT's name and table.
fn display_of(show: &Show, out: &Output) -> Result<(String, Option<Arc<LookTable>>), LookError> {
    match (&out.display, &out.lut) {
        (Some(d), None) => Ok((d.clone(), None)),
        (_, Some(file)) => {
            let missing = || LookError::ShowLut(out.id.clone(), file.clone());
            let table = look_luts::get(file).ok_or_else(missing)?;
            let name = show.files.get(file).ok_or_else(missing)?.name.clone();
            Ok((format!("show LUT {name}"), Some(table)))
        }
        (None, None) => Err(LookError::Output(out.id.clone())),
    }
}

/// A grade's nodes in the working space, show look CDL then LUT last, identities left out.
pub fn grade_nodes(show: &Show, grade: &Grade) -> Result<Vec<LookNode>, LookError> {
    let mut nodes = vec![LookNode::Cdl(grade.match_cdl), LookNode::Cdl(grade.trim)];
    for n in &grade.nodes {
        nodes.push(match n {
            GradeNode::Cdl { cdl, .. } => LookNode::Cdl(*cdl),
            GradeNode::Curves { curves, .. } => LookNode::Curves(curves.clone()),
        });
    }
    if let Some(id) = &grade.look {
        let look = show
            .looks
            .get(id)
            .ok_or_else(|| LookError::Look(id.clone()))?;
        if let Some(cdl) = look.cdl {
            nodes.push(LookNode::Cdl(cdl));
        }
        if let Some(file) = &look.lut {
            let table =
                look_luts::get(file).ok_or_else(|| LookError::LookLut(id.clone(), file.clone()))?;
            nodes.push(LookNode::Lut(table));
        }
    }
    nodes.retain(|n| match n {
        LookNode::Cdl(c) => !c.is_identity(),
        LookNode::Curves(c) => !c.is_identity(),
        LookNode::Lut(_) => true,
    });
    Ok(nodes)
}

/// The engine's description of the chain: CDLs as CDL ops, curves as 1D LUTs, a look LUT
/// file as its own tables; a show LUT output takes the graded picture back to the camera's
/// log encoding (ACES2065-1 → camera gamut and curve) and then applies its tables.
fn engine_look(
    cam: &Camera,
    display: &str,
    show_lut: Option<&LookTable>,
    range: SignalRange,
    style: CdlStyle,
    nodes: &[LookNode],
) -> Result<pipeline::Look, LookError> {
    let working = engine_working(cam.working_space);
    let mut look = match show_lut {
        None => pipeline::Look::from_ids(&cam.input_space, working, display)?,
        Some(table) => {
            let input = spaces::lookup(&cam.input_space)?;
            let mut output = pipeline::Output::from_space(&input);
            output.id = format!("show-lut:{}", table.id);
            output.name = display.to_owned();
            output.ops.extend(table.ops.iter().cloned());
            output.linear = false;
            pipeline::Look {
                input,
                working,
                cdl: Cdl::IDENTITY,
                cdl_style: style,
                looks: Vec::new(),
                output,
            }
        }
    };
    // The description's own CDL slot stays the identity (the grade's CDLs are in `looks`,
    // each with the show's style): no clamp, as the exported CLF has no node for it.
    look.cdl_style = CdlStyle::NoClamp;
    look.output = look.output.with_range(range);
    for node in nodes {
        match node {
            LookNode::Cdl(cdl) => look.looks.push(Op::Cdl { cdl: *cdl, style }),
            LookNode::Curves(c) => look.looks.extend(c.to_op()?),
            LookNode::Lut(t) => look.looks.extend(t.ops.iter().cloned()),
        }
    }
    Ok(look)
}
