//! The match CDL solver: bounded Levenberg–Marquardt over the ten CDL numbers, minimising
//! the weighted ΔE 2000 terms between the graded camera and the reference on the display.
//!
//! Residuals per patch are √w times three numbers whose squares sum to ΔE 2000² exactly
//! ([`super::delta_e::De2000Terms::squares`]: the blue-region rotation term folded into
//! the chroma and hue terms), plus a weak pull towards the identity CDL so that numbers the
//! chart cannot see stay put.

use super::cdl_fit::{self, cdl_jacobian, CdlObjective, CdlParams, Normal10, Settings};
use super::delta_e::{de2000_terms, Lab};
use super::display::{DisplayView, WorkingChain};
use crate::cdl::{Cdl, CdlStyle};
use nalgebra::SMatrix;

pub use super::cdl_fit::CdlBounds;

/// One patch the solver matches: the camera's value in the working space, the reference's
/// colour on the display, and how much it counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatchPatch {
    pub working: [f64; 3],
    pub reference: Lab,
    /// The reference patch in ACES2065-1 (for the monitoring matrix).
    pub reference_aces: [f64; 3],
    pub weight: f64,
}

/// The problem: patches, the chain from working space to display, and the CDL style.
#[derive(Debug)]
pub struct Problem<'a> {
    pub chain: &'a WorkingChain,
    pub view: &'a DisplayView,
    pub patches: &'a [MatchPatch],
    pub style: CdlStyle,
    pub bounds: CdlBounds,
}

/// What the solver found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solution {
    pub cdl: Cdl,
    pub iterations: usize,
    /// Final sum of squared residuals.
    pub cost: f64,
}

const REGULARISATION: f64 = 0.002;
const MAX_ITERATIONS: usize = 60;

impl Problem<'_> {
    /// Lab of a patch graded with `cdl`.
    pub fn graded_lab(&self, working: [f64; 3], cdl: &Cdl) -> Lab {
        self.view
            .lab(self.chain.graded_aces(working, cdl, self.style))
    }

    /// Solves for the match CDL, starting from the identity.
    pub fn solve(&self) -> Solution {
        let settings = Settings {
            bounds: self.bounds,
            max_iterations: MAX_ITERATIONS,
            tolerance: 1e-7,
        };
        let s = cdl_fit::solve(self, &Cdl::IDENTITY, &settings);
        Solution {
            cdl: s.cdl,
            iterations: s.iterations,
            cost: s.cost,
        }
    }

    fn used(&self) -> impl Iterator<Item = &MatchPatch> {
        self.patches.iter().filter(|m| m.weight > 0.0)
    }

    /// The weak pull towards the identity: its residuals are `REGULARISATION·(p − identity)`.
    fn pull(cdl: &Cdl) -> CdlParams {
        (cdl_fit::to_params(cdl) - cdl_fit::to_params(&Cdl::IDENTITY)) * REGULARISATION
    }

    /// A patch's three residuals: √w times the terms whose squares sum to ΔE 2000².
    fn patch_residuals(&self, m: &MatchPatch, graded: Lab) -> [f64; 3] {
        let w = m.weight.sqrt();
        de2000_terms(m.reference, graded).squares().map(|x| w * x)
    }
}

/// The solver's objective: Σ w·ΔE 2000² over the usable patches, plus the pull.
impl CdlObjective for Problem<'_> {
    fn cost(&self, cdl: &Cdl) -> f64 {
        let patches: f64 = self
            .used()
            .map(|m| {
                let r = self.patch_residuals(m, self.graded_lab(m.working, cdl));
                r.iter().map(|x| x * x).sum::<f64>()
            })
            .sum();
        patches + Self::pull(cdl).norm_squared()
    }

    /// The Jacobian by the chain rule: the CDL's derivative is exact ([`cdl_jacobian`]);
    /// the display part is differenced on the graded value (three probes per patch, not ten).
    fn normal(&self, cdl: &Cdl) -> (f64, Normal10, CdlParams) {
        let (mut cost, mut a, mut g) = (0.0, Normal10::zeros(), CdlParams::zeros());
        for m in self.used() {
            let (out, d_out) = cdl_jacobian(m.working, cdl, self.style);
            let lab = |v: [f64; 3]| self.view.lab(self.chain.to_aces(v));
            let base = self.patch_residuals(m, lab(out));
            let mut d_res = SMatrix::<f64, 3, 3>::zeros();
            for c in 0..3 {
                let h = 1e-5;
                let mut probe = out;
                probe[c] += h;
                let r = self.patch_residuals(m, lab(probe));
                for i in 0..3 {
                    d_res[(i, c)] = (r[i] - base[i]) / h;
                }
            }
            let j = d_res * d_out;
            let r = nalgebra::Vector3::from(base);
            cost += r.norm_squared();
            a += j.transpose() * j;
            g += j.transpose() * r;
        }
        let pull = Self::pull(cdl);
        cost += pull.norm_squared();
        for i in 0..10 {
            a[(i, i)] += REGULARISATION * REGULARISATION;
        }
        g += pull * REGULARISATION;
        (cost, a, g)
    }
}
