//! The match CDL solver: bounded Levenberg–Marquardt over the ten CDL numbers, minimising
//! the weighted ΔE 2000 terms between the graded camera and the reference on the display.
//!
//! Residuals per patch are √w·(ΔL'/SL, ΔC'/SC, ΔH'/SH), the three terms of ΔE 2000 (the
//! small blue-region rotation term left out so the problem stays a sum of squares), plus a
//! weak pull towards the identity CDL so that numbers the chart cannot see stay put.

use super::delta_e::{de2000_terms, Lab};
use super::display::{DisplayView, WorkingChain};
use crate::cdl::{Cdl, CdlStyle};
use nalgebra::{DMatrix, DVector, SMatrix, SVector};
use serde::Serialize;

/// Lower and upper bound of each CDL number the solver may choose. They keep the CDL
/// legal (slope ≥ 0, power > 0, sat ≥ 0) and within what a colourist would export.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CdlBounds {
    pub slope: (f64, f64),
    pub offset: (f64, f64),
    pub power: (f64, f64),
    pub sat: (f64, f64),
}

impl Default for CdlBounds {
    fn default() -> Self {
        Self {
            slope: (0.25, 4.0),
            offset: (-0.5, 0.5),
            power: (0.25, 4.0),
            sat: (0.0, 3.0),
        }
    }
}

impl CdlBounds {
    fn range(&self, i: usize) -> (f64, f64) {
        match i {
            0..=2 => self.slope,
            3..=5 => self.offset,
            6..=8 => self.power,
            _ => self.sat,
        }
    }
}

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

type Params = SVector<f64, 10>;

const REGULARISATION: f64 = 0.02;
const MAX_ITERATIONS: usize = 60;

fn to_cdl(p: &Params) -> Cdl {
    Cdl {
        slope: [p[0], p[1], p[2]],
        offset: [p[3], p[4], p[5]],
        power: [p[6], p[7], p[8]],
        sat: p[9],
    }
}

fn identity() -> Params {
    Params::from_column_slice(&[1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
}

impl Problem<'_> {
    /// Lab of a patch graded with `cdl`.
    pub fn graded_lab(&self, working: [f64; 3], cdl: &Cdl) -> Lab {
        self.view
            .lab(self.chain.graded_aces(working, cdl, self.style))
    }

    fn residuals(&self, p: &Params) -> DVector<f64> {
        let cdl = to_cdl(p);
        let used = self.patches.iter().filter(|m| m.weight > 0.0);
        let mut r = Vec::with_capacity(self.patches.len() * 3 + 10);
        for m in used {
            let t = de2000_terms(m.reference, self.graded_lab(m.working, &cdl));
            let w = m.weight.sqrt();
            r.extend([w * t.lightness, w * t.chroma, w * t.hue]);
        }
        let id = identity();
        r.extend((0..10).map(|i| REGULARISATION * (p[i] - id[i])));
        DVector::from_vec(r)
    }

    fn clamp(&self, mut p: Params) -> Params {
        for i in 0..10 {
            let (lo, hi) = self.bounds.range(i);
            p[i] = p[i].clamp(lo, hi);
        }
        p
    }

    fn jacobian(&self, p: &Params, r0: &DVector<f64>) -> DMatrix<f64> {
        let mut j = DMatrix::zeros(r0.len(), 10);
        for i in 0..10 {
            let (lo, hi) = self.bounds.range(i);
            let h = 1e-6 * p[i].abs().max(1.0);
            // Step inwards at an upper bound so the probe stays legal.
            let step = if p[i] + h > hi && p[i] - h >= lo {
                -h
            } else {
                h
            };
            let mut q = *p;
            q[i] += step;
            let ri = self.residuals(&q);
            j.set_column(i, &((ri - r0) / step));
        }
        j
    }

    /// Solves for the match CDL, starting from the identity.
    pub fn solve(&self) -> Solution {
        let mut p = self.clamp(identity());
        let mut r = self.residuals(&p);
        let mut cost = r.norm_squared();
        let mut lambda = 1e-3;
        let mut iterations = 0;
        while iterations < MAX_ITERATIONS {
            iterations += 1;
            let j = self.jacobian(&p, &r);
            let a: SMatrix<f64, 10, 10> = (j.transpose() * &j).fixed_view::<10, 10>(0, 0).into();
            let g: Params = (j.transpose() * &r).fixed_view::<10, 1>(0, 0).into();
            let Some((next, next_r, next_cost)) = self.damped_step(&p, &a, &g, cost, &mut lambda)
            else {
                break;
            };
            let gain = cost - next_cost;
            (p, r, cost) = (next, next_r, next_cost);
            if gain <= 1e-10 * cost.max(1e-12) {
                break;
            }
        }
        Solution {
            cdl: to_cdl(&p),
            iterations,
            cost,
        }
    }

    /// Tries damping factors until a step lowers the cost; `None` when none does.
    fn damped_step(
        &self,
        p: &Params,
        a: &SMatrix<f64, 10, 10>,
        g: &Params,
        cost: f64,
        lambda: &mut f64,
    ) -> Option<(Params, DVector<f64>, f64)> {
        while *lambda < 1e10 {
            let mut damped = *a;
            for i in 0..10 {
                damped[(i, i)] += *lambda * a[(i, i)].max(1e-9);
            }
            if let Some(delta) = damped.cholesky().map(|c| c.solve(&(-g))) {
                let q = self.clamp(p + delta);
                let rq = self.residuals(&q);
                let cq = rq.norm_squared();
                if cq < cost {
                    *lambda = (*lambda / 3.0).max(1e-9);
                    return Some((q, rq, cq));
                }
            }
            *lambda *= 4.0;
        }
        None
    }
}
