//! The optional 3×3 monitoring matrix: after the match CDL, a weighted least-squares fit
//! in ACES2065-1 that brings the camera's patches closer still. It cannot travel in a CDL,
//! so it is for monitoring only.

use super::delta_e::delta_e2000;
use super::solve::Problem;
use crate::cdl::Cdl;
use crate::chart::{Patch, PatchGroup};
use nalgebra::{Matrix3, Vector3};

pub(super) struct FittedMatrix {
    pub rows: [[f64; 3]; 3],
    pub mean: f64,
    pub max: f64,
}

/// Fits `M` minimising Σ w·|M·a − b|²/Y_b² over the usable reflective patches above 1 %
/// luminance, where `a` is the graded camera and `b` the reference, both ACES2065-1
/// (relative errors, so dark patches count as much as bright ones).
pub(super) fn fit(problem: &Problem<'_>, cdl: &Cdl, patches: &[Patch]) -> FittedMatrix {
    let mut aat = Matrix3::<f64>::zeros();
    let mut bat = Matrix3::<f64>::zeros();
    let pairs: Vec<(Vector3<f64>, Vector3<f64>, f64)> = patches
        .iter()
        .zip(problem.patches)
        .filter(|(p, m)| m.weight > 0.0 && FITTED.contains(&p.group))
        .filter(|(_, m)| m.reference_aces[1] > 0.01)
        .map(|(_, m)| {
            let a = Vector3::from(problem.chain.graded_aces(m.working, cdl, problem.style));
            let b = Vector3::from(m.reference_aces);
            let scale = 1.0 / b.y;
            (a * scale, b * scale, m.weight)
        })
        .collect();
    for (a, b, w) in &pairs {
        aat += *w * a * a.transpose();
        bat += *w * b * a.transpose();
    }
    let m = aat
        .try_inverse()
        .map(|inv| bat * inv)
        .unwrap_or_else(Matrix3::identity);
    // Least squares in linear light is not ΔE: keep the blend towards the identity that
    // the display measure likes best (the identity itself included, so it never hurts).
    let (m, (mean, max)) = SHRINK
        .iter()
        .map(|&t| {
            let mt = Matrix3::identity() + (m - Matrix3::identity()) * t;
            (mt, delta_e_with(problem, cdl, &mt))
        })
        .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0))
        .unwrap_or((Matrix3::identity(), (0.0, 0.0)));
    FittedMatrix {
        rows: [0, 1, 2].map(|r| [m[(r, 0)], m[(r, 1)], m[(r, 2)]]),
        mean,
        max,
    }
}

/// The patches the matrix is fitted on: reflective colours, not emitters, blacks or speculars.
const FITTED: [PatchGroup; 3] = [PatchGroup::Chromatic, PatchGroup::Neutral, PatchGroup::Skin];

/// Blends between the identity (0) and the least-squares matrix (1) that are tried.
const SHRINK: [f64; 6] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];

/// Mean and max ΔE 2000 over the usable patches (as the report counts them) with the CDL and matrix `m`.
fn delta_e_with(problem: &Problem<'_>, cdl: &Cdl, m: &Matrix3<f64>) -> (f64, f64) {
    let des: Vec<f64> = problem
        .patches
        .iter()
        .filter(|p| p.weight > 0.0)
        .map(|p| {
            let a = Vector3::from(problem.chain.graded_aces(p.working, cdl, problem.style));
            delta_e2000(p.reference, problem.view.lab((m * a).into()))
        })
        .collect();
    let mean = des.iter().sum::<f64>() / des.len().max(1) as f64;
    (mean, des.iter().copied().fold(0.0, f64::max))
}
