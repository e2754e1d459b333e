//! The per-camera report: ΔE 2000 per patch before and after, mean and max, and the CDL.

use super::delta_e::delta_e2000;
use super::matrix::FittedMatrix;
use super::sample::PatchSample;
use super::solve::{Problem, Solution};
use crate::cdl::Cdl;
use crate::chart::{Patch, PatchGroup};
use serde::Serialize;

/// ΔE 2000 of one patch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatchDelta {
    pub id: String,
    pub name: String,
    pub group: PatchGroup,
    pub delta_e: f64,
    /// The reference patch on the display, CIELAB D65.
    pub reference_lab: [f64; 3],
    /// The camera's patch on the display (with this stage's CDL), CIELAB D65.
    pub lab: [f64; 3],
    /// Weight in the solve (0: left out, see `warnings`).
    pub weight: f64,
    /// `clipped`, `noisy`, `reference clipped`, `reference noisy`.
    pub warnings: Vec<&'static str>,
}

/// Mean and max ΔE 2000 over the usable patches (weight > 0: not clipped in either
/// picture), LED emitters included, and every patch.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub max: f64,
    pub patches: Vec<PatchDelta>,
}

/// A 3×3 matrix on ACES2065-1 after the match CDL, for monitoring only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonitoringMatrix {
    /// Rows, acting on column vectors of ACES2065-1.
    pub matrix: [[f64; 3]; 3],
    /// ΔE 2000 with the CDL and the matrix.
    pub mean: f64,
    pub max: f64,
}

/// Everything a match produces.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchReport {
    pub before: Stats,
    pub after: Stats,
    pub cdl: Cdl,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitoring_matrix: Option<MonitoringMatrix>,
    #[serde(skip)]
    pub iterations: usize,
}

fn warnings(reference: &PatchSample, camera: &PatchSample) -> Vec<&'static str> {
    let flags = [
        (camera.clipped, "clipped"),
        (camera.noisy, "noisy"),
        (reference.clipped, "reference clipped"),
        (reference.noisy, "reference noisy"),
    ];
    flags.iter().filter(|f| f.0).map(|f| f.1).collect()
}

fn stats(deltas: Vec<PatchDelta>) -> Stats {
    let used: Vec<f64> = deltas
        .iter()
        .filter(|d| d.weight > 0.0)
        .map(|d| d.delta_e)
        .collect();
    let mean = used.iter().sum::<f64>() / used.len().max(1) as f64;
    let max = used.iter().copied().fold(0.0, f64::max);
    Stats {
        mean,
        max,
        patches: deltas,
    }
}

/// ΔE 2000 per patch with `cdl` applied to the camera.
pub(super) fn deltas(
    problem: &Problem<'_>,
    cdl: &Cdl,
    patches: &[Patch],
    reference: &[PatchSample],
    camera: &[PatchSample],
) -> Stats {
    let rows = patches
        .iter()
        .zip(problem.patches)
        .zip(reference.iter().zip(camera))
        .map(|((p, m), (r, c))| {
            let lab = problem.graded_lab(m.working, cdl);
            PatchDelta {
                id: p.id.clone(),
                name: p.name.clone(),
                group: p.group,
                delta_e: delta_e2000(m.reference, lab),
                reference_lab: m.reference,
                lab,
                weight: m.weight,
                warnings: warnings(r, c),
            }
        })
        .collect();
    stats(rows)
}

pub(super) fn build(
    problem: &Problem<'_>,
    solution: &Solution,
    patches: &[Patch],
    reference: &[PatchSample],
    camera: &[PatchSample],
    matrix: Option<FittedMatrix>,
) -> MatchReport {
    MatchReport {
        before: deltas(problem, &Cdl::IDENTITY, patches, reference, camera),
        after: deltas(problem, &solution.cdl, patches, reference, camera),
        cdl: solution.cdl,
        monitoring_matrix: matrix.map(|m| MonitoringMatrix {
            matrix: m.rows,
            mean: m.mean,
            max: m.max,
        }),
        iterations: solution.iterations,
    }
}
