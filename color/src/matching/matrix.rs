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

/// Fits `M` minimising Σ w·|M·a − b|² / Y_b over the usable reflective patches, where `a`
/// is the graded camera and `b` the reference, both ACES2065-1 (divided by the reference
/// luminance so dark patches count as much as bright ones).
pub(super) fn fit(problem: &Problem<'_>, cdl: &Cdl, patches: &[Patch]) -> FittedMatrix {
    let mut aat = Matrix3::<f64>::zeros();
    let mut bat = Matrix3::<f64>::zeros();
    let pairs: Vec<(Vector3<f64>, Vector3<f64>, f64)> = patches
        .iter()
        .zip(problem.patches)
        .filter(|(p, m)| m.weight > 0.0 && p.group != PatchGroup::Emissive)
        .map(|(_, m)| {
            let a = Vector3::from(problem.chain.graded_aces(m.working, cdl, problem.style));
            let b = Vector3::from(m.reference_aces);
            let scale = 1.0 / (b.y.abs() + 0.01);
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
    let des: Vec<f64> = problem
        .patches
        .iter()
        .filter(|p| p.weight > 0.0)
        .map(|p| {
            let a = Vector3::from(problem.chain.graded_aces(p.working, cdl, problem.style));
            let lab = problem.view.lab((m * a).into());
            delta_e2000(p.reference, lab)
        })
        .collect();
    FittedMatrix {
        rows: [0, 1, 2].map(|r| [m[(r, 0)], m[(r, 1)], m[(r, 2)]]),
        mean: des.iter().sum::<f64>() / des.len().max(1) as f64,
        max: des.iter().copied().fold(0.0, f64::max),
    }
}
