//! The match CDL solver: bounded Levenberg–Marquardt over the ten CDL numbers, minimising
//! the weighted ΔE 2000 terms between the graded camera and the reference on the display.
//!
//! Residuals per patch are √w times three numbers whose squares sum to ΔE 2000² exactly
//! ([`super::delta_e::De2000Terms::squares`]: the blue-region rotation term folded into
//! the chroma and hue terms), plus a weak pull towards the identity CDL so that numbers the
//! chart cannot see stay put.

use super::delta_e::{de2000_terms, Lab};
use super::display::{DisplayView, WorkingChain};
use crate::cdl::{Cdl, CdlStyle, LUMA_REC709};
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

const REGULARISATION: f64 = 0.002;
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
            r.extend(t.squares().map(|x| w * x));
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

    /// The Jacobian by the chain rule: the CDL's derivative is exact ([`cdl_jacobian`]);
    /// the display part is differenced on the graded value (three probes per patch, not ten).
    fn jacobian(&self, p: &Params, r0: &DVector<f64>) -> DMatrix<f64> {
        let cdl = to_cdl(p);
        let mut j = DMatrix::zeros(r0.len(), 10);
        let used = self.patches.iter().filter(|m| m.weight > 0.0);
        for (k, m) in used.enumerate() {
            let (out, d_out) = cdl_jacobian(m.working, &cdl, self.style);
            let w = m.weight.sqrt();
            let base = [r0[3 * k], r0[3 * k + 1], r0[3 * k + 2]];
            let mut d_res = SMatrix::<f64, 3, 3>::zeros();
            for c in 0..3 {
                let h = 1e-5;
                let mut probe = out;
                probe[c] += h;
                let t = de2000_terms(m.reference, self.view.lab(self.chain.to_aces(probe)));
                let r = t.squares().map(|x| w * x);
                for i in 0..3 {
                    d_res[(i, c)] = (r[i] - base[i]) / h;
                }
            }
            let block = d_res * d_out;
            j.view_mut((3 * k, 0), (3, 10)).copy_from(&block);
        }
        let rows = r0.len() - 10;
        for i in 0..10 {
            j[(rows + i, i)] = REGULARISATION;
        }
        j
    }

    /// Solves for the match CDL, starting from the identity.
    pub fn solve(&self) -> Solution {
        self.solve_from(identity())
    }

    fn solve_from(&self, start: Params) -> Solution {
        let mut p = self.clamp(start);
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
            if gain <= 1e-7 * cost.max(1e-12) {
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

/// The CDL applied to `w` and its exact derivative by the ten numbers (slope RGB, offset
/// RGB, power RGB, sat); zero where a clamp holds the value.
pub fn cdl_jacobian(w: [f64; 3], cdl: &Cdl, style: CdlStyle) -> ([f64; 3], SMatrix<f64, 3, 10>) {
    let mut v = [0.0; 3];
    let mut dv = SMatrix::<f64, 3, 10>::zeros();
    for c in 0..3 {
        let x = w[c] * cdl.slope[c] + cdl.offset[c];
        let (base, live) = match style {
            CdlStyle::Asc => (x.clamp(0.0, 1.0), (0.0..=1.0).contains(&x)),
            CdlStyle::NoClamp => (x, x >= 0.0),
        };
        if !live && style == CdlStyle::NoClamp {
            v[c] = x;
            dv[(c, c)] = w[c];
            dv[(c, 3 + c)] = 1.0;
            continue;
        }
        let p = cdl.power[c];
        v[c] = base.powf(p);
        if live && base > 0.0 {
            let d_x = p * base.powf(p - 1.0);
            dv[(c, c)] = d_x * w[c];
            dv[(c, 3 + c)] = d_x;
            dv[(c, 6 + c)] = v[c] * base.ln();
        }
    }
    let luma: f64 = (0..3).map(|c| LUMA_REC709[c] * v[c]).sum();
    let sat = cdl.sat;
    let mut out = [0.0; 3];
    let mut d_out = SMatrix::<f64, 3, 10>::zeros();
    for i in 0..3 {
        out[i] = luma + sat * (v[i] - luma);
        for (j, luma_j) in LUMA_REC709.iter().enumerate() {
            let d = if i == j { sat } else { 0.0 } + (1.0 - sat) * luma_j;
            let row = dv.row(j) * d;
            let mut target = d_out.row_mut(i);
            target += row;
        }
        d_out[(i, 9)] = v[i] - luma;
        if style == CdlStyle::Asc && !(0.0..=1.0).contains(&out[i]) {
            out[i] = out[i].clamp(0.0, 1.0);
            d_out.row_mut(i).fill(0.0);
        }
    }
    (out, d_out)
}
