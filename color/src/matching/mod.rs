//! Camera matching from a chart: sample the patches of two pictures of the built-in chart
//! (the reference camera's and the camera to match), solve the match CDL that brings the
//! camera onto the reference on the display, and report ΔE 2000 per patch before and after.
//!
//! ΔE 2000 is measured as the VC sees it: each camera's code values through its working
//! space (camera log or ACEScct), the match CDL, ACES2065-1 and the display output
//! (default `aces2-sdr-rec709`), clipped as the display shows it, as CIELAB with the D65
//! white at 100 cd/m².
//!
//! # What a match CDL can and cannot express
//!
//! A CDL is slope, offset and power per channel plus one saturation, applied in the working
//! space. A difference between two cameras is solved back exactly only when it is itself such
//! a CDL *in that working space*:
//!
//! - A CDL made in the working space the match is solved in: solved back to < 0.5 ΔE 2000
//!   mean (`color/tests/matching.rs`, `a_known_cdl_disturbance_is_solved_back_in_each_working_space`).
//! - A white-balance shift is a per-channel gain on linear light. In ACEScct (a pure log above
//!   its toe) a gain is an offset, which a CDL holds. In a camera log with an offset inside the
//!   log (LogC3: `log10(a·x + b)`) a gain is an offset only far above black: near black it bends.
//!   Shifts a VC meets (5600–8000 K under D65 light) still solve to < 0.5 in both spaces
//!   (`a_white_balance_shift_is_solved_back`).
//! - What no CDL of the working space can express has a floor above 0.5: a 4300 K white balance
//!   seen through LogC3 (lowest mean any bounded CDL reaches: 0.860), and a CDL made in LogC3
//!   solved in ACEScct (0.519: the camera-log CDL is a different curve once the log is changed).
//!   The floors come from a multi-start search that never sees the solver
//!   (`color/examples/match_floors.rs`, committed in
//!   `color/tests/reference/matching/floors.json`); the test checks the solver reaches them.
//!
//! [`cdl_fit`] is the one bounded CDL solver: the match solve here and the server's
//! single-CDL fit of a grade both run it.

pub mod cdl_fit;
pub mod delta_e;
pub mod display;
mod matrix;
pub mod picture;
mod report;
pub mod sample;
pub mod solve;

pub use delta_e::{delta_e2000, lab_to_xyz, xyz_to_lab, Lab};
pub use display::{DisplayView, WorkingChain};
pub use picture::{patch_picture, Picture};
pub use report::{MatchReport, MonitoringMatrix, PatchDelta, Stats};
pub use sample::{sample_chart, Corners, PatchSample};
pub use solve::{CdlBounds, MatchPatch, Problem, Solution};

use crate::cdl::CdlStyle;
use crate::chart::{Frame, Patch, PatchGroup};
use crate::pipeline::WorkingSpace;
use crate::spaces::{InputSpace, SpaceError};

/// The default display output ΔE is measured on.
pub const DEFAULT_OUTPUT: &str = "aces2-sdr-rec709";

/// Fewest usable patches the solver accepts (it fits ten numbers).
pub const MIN_PATCHES: usize = 8;

/// Why a match could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchError {
    #[error(transparent)]
    Space(#[from] SpaceError),
    #[error("output: {0}")]
    Output(String),
    #[error("corners {text}: {why}")]
    Corners { text: String, why: String },
    #[error("patch {patch}: its region lies outside the picture (check the corners)")]
    PatchOutside { patch: String },
    #[error("frame: {0}")]
    Frame(String),
    #[error("only {usable} patches are usable (not clipped in either picture); at least {MIN_PATCHES} are needed")]
    TooFewPatches { usable: usize },
}

/// How much each kind of patch counts in the solve: neutrals and skin most.
pub fn group_weight(group: PatchGroup) -> f64 {
    match group {
        PatchGroup::Neutral | PatchGroup::Skin => 3.0,
        PatchGroup::Chromatic => 1.0,
        PatchGroup::Black => 0.5,
        PatchGroup::Specular => 0.25,
        PatchGroup::Emissive => 0.1,
    }
}

/// One camera's picture of the chart.
#[derive(Debug, Clone, Copy)]
pub struct Shot<'a> {
    pub input: &'a InputSpace,
    pub frame: &'a Frame,
    /// The chart's corners in the picture; `None`: the chart fills the picture.
    pub corners: Option<Corners>,
}

impl Shot<'_> {
    fn sample(&self, patches: &[Patch]) -> Result<Vec<PatchSample>, MatchError> {
        let corners = self
            .corners
            .unwrap_or_else(|| Corners::full_frame(self.frame.width, self.frame.height));
        sample_chart(self.frame, &corners, patches)
    }
}

/// A match to solve: the reference camera, the camera to match and where to match.
#[derive(Debug, Clone)]
pub struct MatchRequest<'a> {
    pub reference: Shot<'a>,
    pub camera: Shot<'a>,
    pub working: WorkingSpace,
    pub output: String,
    pub style: CdlStyle,
    /// Also fit a 3×3 matrix for monitoring (it cannot travel in a CDL).
    pub monitoring_matrix: bool,
}

/// A match ready to solve: both charts sampled, the problem set up.
#[derive(Debug)]
pub struct Prepared {
    pub patches: Vec<Patch>,
    pub reference: Vec<PatchSample>,
    pub camera: Vec<PatchSample>,
    pub problem_patches: Vec<MatchPatch>,
    pub chain: WorkingChain,
    pub view: DisplayView,
    pub style: CdlStyle,
}

impl Prepared {
    /// Samples both pictures and sets up the patches to match.
    pub fn new(req: &MatchRequest<'_>) -> Result<Self, MatchError> {
        let view = DisplayView::new(&req.output)?;
        let patches = crate::chart::patches();
        let reference = req.reference.sample(&patches)?;
        let camera = req.camera.sample(&patches)?;
        let ref_chain = WorkingChain::new(req.reference.input, WorkingSpace::Camera);
        let chain = WorkingChain::new(req.camera.input, req.working);
        let problem_patches: Vec<MatchPatch> = patches
            .iter()
            .zip(reference.iter().zip(&camera))
            .map(|(p, (r, c))| {
                let reference_aces = ref_chain.to_aces(r.rgb);
                let usable = !(r.clipped || c.clipped);
                MatchPatch {
                    working: chain.to_working(c.rgb),
                    reference: view.lab(reference_aces),
                    reference_aces,
                    weight: if usable { group_weight(p.group) } else { 0.0 },
                }
            })
            .collect();
        let usable = problem_patches.iter().filter(|m| m.weight > 0.0).count();
        if usable < MIN_PATCHES {
            return Err(MatchError::TooFewPatches { usable });
        }
        Ok(Self {
            patches,
            reference,
            camera,
            problem_patches,
            chain,
            view,
            style: req.style,
        })
    }

    pub fn problem(&self) -> Problem<'_> {
        Problem {
            chain: &self.chain,
            view: &self.view,
            patches: &self.problem_patches,
            style: self.style,
            bounds: CdlBounds::default(),
        }
    }

    /// Solves the match CDL (and the monitoring matrix if asked) and builds the report.
    pub fn solve(&self, monitoring_matrix: bool) -> MatchReport {
        let problem = self.problem();
        let solution = problem.solve();
        let matrix = monitoring_matrix.then(|| matrix::fit(&problem, &solution.cdl, &self.patches));
        report::build(
            &problem,
            &solution,
            &self.patches,
            &self.reference,
            &self.camera,
            matrix,
        )
    }
}

/// Samples both pictures, solves the match CDL and reports ΔE 2000 before and after.
pub fn match_camera(req: &MatchRequest<'_>) -> Result<MatchReport, MatchError> {
    Ok(Prepared::new(req)?.solve(req.monitoring_matrix))
}
