//! One CDL for consumers that take nothing else (camera CCUs, `.cc` sinks, CDL exports),
//! with the error it makes stated.
//!
//! When a grade's nodes merge into one CDL exactly ([`Cdl::merge_exact`]) that CDL is the
//! answer. Otherwise (curves, several nodes with power under the ASC clamp, …) the bounded
//! CDL solver ([`cdl_fit`], the match solver's too) finds the ten CDL numbers that best reproduce the grade, in the
//! least-squares sense, on a 9³ lattice of camera code values 0..1 taken into the working
//! space. The error is then measured on the same lattice twice, in 10-bit code values: in
//! the working space (the CDL against the grade) and on the output (the full look with the
//! fitted CDL against the full look with the real grade, display transform and signal range
//! included), as the maximum and the mean over every sample and channel.

use lookwire_color::matching::cdl_fit::{self, CdlBounds, CdlToTargets, Settings};
use lookwire_color::matching::WorkingChain;
use lookwire_color::pipeline::{Pipeline, PipelineError};
use lookwire_color::{spaces, Cdl, CdlStyle};
use serde::Serialize;
use utoipa::ToSchema;

use super::look::{engine_working, CameraLook, LookError, LookNode};
use super::model::Show;

/// Lattice points per axis of the fit's sample set.
pub const FIT_GRID: usize = 9;
const MAX_ITERATIONS: usize = 80;

/// The one CDL standing for a camera's grade, and what it costs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, ToSchema)]
pub struct FittedCdl {
    #[schema(value_type = crate::api::schema::CdlDoc)]
    pub cdl: Cdl,
    #[schema(value_type = crate::api::schema::CdlStyleDoc)]
    pub style: CdlStyle,
    /// True when the grade merges into this CDL exactly (the errors are then rounding).
    pub exact: bool,
    pub error: FitError,
}

/// The fitted CDL's error over the sample set, in 10-bit code values (1 = 1/1023).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, ToSchema)]
pub struct FitError {
    /// Samples compared (camera code-value lattice points).
    pub samples: usize,
    /// In the working space: fitted CDL against the grade's nodes.
    pub working_max_cv: f64,
    pub working_mean_cv: f64,
    /// On the output, display transform and range included.
    pub output_max_cv: f64,
    pub output_mean_cv: f64,
}

/// Why no CDL could be fitted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitFailure {
    #[error(transparent)]
    Look(#[from] LookError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Space(#[from] spaces::SpaceError),
}

/// The best single CDL for `camera` through `output` (the show's current grade).
pub fn fitted_cdl_for(show: &Show, camera: &str, output: &str) -> Result<FittedCdl, FitFailure> {
    fit_cdl(&super::look::look_for(show, camera, output)?)
}

/// The best single CDL for a described look, exact where the nodes merge.
pub fn fit_cdl(look: &CameraLook) -> Result<FittedCdl, FitFailure> {
    let Some(desc) = &look.pipeline else {
        // The identity bypass: nothing to carry.
        return Ok(FittedCdl {
            cdl: Cdl::IDENTITY,
            style: look.style,
            exact: true,
            error: FitError::ZERO,
        });
    };
    let chain = WorkingChain::new(&desc.input, engine_working(look.working));
    let codes = lattice();
    let working: Vec<[f64; 3]> = codes.iter().map(|c| chain.to_working(*c)).collect();
    let targets: Vec<[f64; 3]> = working.iter().map(|w| look.grade(*w)).collect();
    let merged = look
        .cdls()
        .and_then(|cdls| Cdl::merge_exact(&cdls, look.style));
    let (cdl, exact) = match merged {
        Some(cdl) => (cdl, true),
        None => (
            solve(&working, &targets, start(&look.nodes), look.style),
            false,
        ),
    };
    let mut fitted = look.clone();
    fitted.nodes = vec![LookNode::Cdl(cdl)];
    fitted.pipeline = Some(desc.clone());
    if let Some(p) = fitted.pipeline.as_mut() {
        p.looks = vec![lookwire_color::pipeline::Op::Cdl {
            cdl,
            style: look.style,
        }];
    }
    let real = desc.pipeline()?;
    let approx = fitted.ops()?.unwrap_or_else(|| Pipeline::new(Vec::new()));
    let (working_max_cv, working_mean_cv) = stats(working.iter().zip(&targets).map(|(w, t)| {
        let got = cdl.apply(*w, look.style);
        (got, *t)
    }));
    let (output_max_cv, output_mean_cv) =
        stats(codes.iter().map(|c| (approx.apply(*c), real.apply(*c))));
    Ok(FittedCdl {
        cdl,
        style: look.style,
        exact,
        error: FitError {
            samples: codes.len(),
            working_max_cv,
            working_mean_cv,
            output_max_cv,
            output_mean_cv,
        },
    })
}

impl FitError {
    const ZERO: FitError = FitError {
        samples: 0,
        working_max_cv: 0.0,
        working_mean_cv: 0.0,
        output_max_cv: 0.0,
        output_mean_cv: 0.0,
    };
}

/// Camera code values 0..1 on a [`FIT_GRID`]³ lattice.
fn lattice() -> Vec<[f64; 3]> {
    let n = FIT_GRID;
    let step = 1.0 / (n - 1) as f64;
    (0..n * n * n)
        .map(|i| [i / (n * n), (i / n) % n, i % n].map(|k| k as f64 * step))
        .collect()
}

/// Maximum and mean absolute difference, in 10-bit code values.
fn stats(pairs: impl Iterator<Item = ([f64; 3], [f64; 3])>) -> (f64, f64) {
    let (mut max, mut sum, mut count) = (0.0f64, 0.0, 0usize);
    for (a, b) in pairs {
        for c in 0..3 {
            let d = (a[c] - b[c]).abs() * 1023.0;
            max = max.max(d);
            sum += d;
            count += 1;
        }
    }
    (max, if count == 0 { 0.0 } else { sum / count as f64 })
}

/// A first guess: slopes, powers and saturations multiplied, offsets carried through the
/// slopes, as if every power were 1.
fn start(nodes: &[LookNode]) -> Cdl {
    let mut cdl = Cdl::IDENTITY;
    for node in nodes {
        if let LookNode::Cdl(n) = node {
            for c in 0..3 {
                cdl.offset[c] = cdl.offset[c] * n.slope[c] + n.offset[c];
                cdl.slope[c] *= n.slope[c];
                cdl.power[c] *= n.power[c];
            }
            cdl.sat *= n.sat;
        }
    }
    cdl
}

/// The CDL that best reproduces `targets` from `working`, within bounds any consumer takes.
fn solve(working: &[[f64; 3]], targets: &[[f64; 3]], start: Cdl, style: CdlStyle) -> Cdl {
    let objective = CdlToTargets {
        inputs: working,
        targets,
        style,
    };
    let settings = Settings {
        bounds: CdlBounds::WIDE,
        max_iterations: MAX_ITERATIONS,
        tolerance: 1e-10,
    };
    cdl_fit::solve(&objective, &start, &settings).cdl
}
