//! One bounded CDL solver: Levenberg–Marquardt over the ten CDL numbers (slope RGB, offset
//! RGB, power RGB, sat), each step clamped into [`CdlBounds`]. What is minimised is the
//! caller's [`CdlObjective`]: the match solver's ΔE 2000 terms ([`super::solve`]), or a CDL
//! against target values ([`CdlToTargets`], the server's single-CDL fit of a grade).

use crate::cdl::{Cdl, CdlStyle, LUMA_REC709};
use nalgebra::{SMatrix, SVector};
use serde::Serialize;

/// The ten CDL numbers as a vector: slope RGB, offset RGB, power RGB, sat.
pub type CdlParams = SVector<f64, 10>;

/// `JᵀJ` of a least-squares problem in the ten CDL numbers.
pub type Normal10 = SMatrix<f64, 10, 10>;

pub fn to_params(cdl: &Cdl) -> CdlParams {
    let (s, o, p) = (cdl.slope, cdl.offset, cdl.power);
    CdlParams::from_column_slice(&[
        s[0], s[1], s[2], o[0], o[1], o[2], p[0], p[1], p[2], cdl.sat,
    ])
}

pub fn to_cdl(p: &CdlParams) -> Cdl {
    Cdl {
        slope: [p[0], p[1], p[2]],
        offset: [p[3], p[4], p[5]],
        power: [p[6], p[7], p[8]],
        sat: p[9],
    }
}

/// Lower and upper bound of each CDL number the solver may choose. They keep the CDL
/// legal (slope ≥ 0, power > 0, sat ≥ 0) and within what its consumers accept.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CdlBounds {
    pub slope: (f64, f64),
    pub offset: (f64, f64),
    pub power: (f64, f64),
    pub sat: (f64, f64),
}

impl Default for CdlBounds {
    /// The match solver's bounds: what a colourist would export as a camera match.
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
    /// Wide bounds any CDL consumer accepts, for standing in for a whole grade.
    pub const WIDE: CdlBounds = CdlBounds {
        slope: (0.0, 8.0),
        offset: (-1.0, 1.0),
        power: (0.05, 8.0),
        sat: (0.0, 4.0),
    };

    /// The bounds of number `i` (slope RGB, offset RGB, power RGB, sat).
    pub fn range(&self, i: usize) -> (f64, f64) {
        match i {
            0..=2 => self.slope,
            3..=5 => self.offset,
            6..=8 => self.power,
            _ => self.sat,
        }
    }

    pub fn clamp(&self, mut p: CdlParams) -> CdlParams {
        for i in 0..10 {
            let (lo, hi) = self.range(i);
            p[i] = p[i].clamp(lo, hi);
        }
        p
    }
}

/// A least-squares problem in the ten CDL numbers.
pub trait CdlObjective {
    /// The sum of squared residuals at `cdl`.
    fn cost(&self, cdl: &Cdl) -> f64;
    /// The cost and the normal equations `JᵀJ`, `Jᵀr` at `cdl`.
    fn normal(&self, cdl: &Cdl) -> (f64, Normal10, CdlParams);
}

/// When the solver stops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    pub bounds: CdlBounds,
    pub max_iterations: usize,
    /// Stop when an accepted step lowers the cost by less than this fraction of it.
    pub tolerance: f64,
}

/// What the solver found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Solved {
    pub cdl: Cdl,
    pub iterations: usize,
    /// Final sum of squared residuals.
    pub cost: f64,
}

/// Levenberg–Marquardt from `start` (clamped into the bounds); every step is clamped too.
pub fn solve(objective: &impl CdlObjective, start: &Cdl, settings: &Settings) -> Solved {
    let bounds = &settings.bounds;
    let mut p = bounds.clamp(to_params(start));
    let mut lambda = 1e-3;
    let mut iterations = 0;
    let (mut cost, mut a, mut g) = objective.normal(&to_cdl(&p));
    while iterations < settings.max_iterations {
        iterations += 1;
        let Some((q, cq)) = damped_step(objective, bounds, &p, (&a, &g), cost, &mut lambda) else {
            break;
        };
        let gain = cost - cq;
        p = q;
        if gain <= settings.tolerance * cost.max(1e-14) {
            cost = cq;
            break;
        }
        (cost, a, g) = objective.normal(&to_cdl(&p));
    }
    Solved {
        cdl: to_cdl(&p),
        iterations,
        cost,
    }
}

/// Tries damping factors until a step lowers the cost; `None` when none does.
fn damped_step(
    objective: &impl CdlObjective,
    bounds: &CdlBounds,
    p: &CdlParams,
    (a, g): (&Normal10, &CdlParams),
    cost: f64,
    lambda: &mut f64,
) -> Option<(CdlParams, f64)> {
    while *lambda < 1e10 {
        let mut damped = *a;
        for i in 0..10 {
            damped[(i, i)] += *lambda * a[(i, i)].max(1e-9);
        }
        if let Some(delta) = damped.cholesky().map(|c| c.solve(&(-g))) {
            let q = bounds.clamp(p + delta);
            let cq = objective.cost(&to_cdl(&q));
            if cq < cost {
                *lambda = (*lambda / 3.0).max(1e-9);
                return Some((q, cq));
            }
        }
        *lambda *= 4.0;
    }
    None
}

/// A CDL against target values: Σ |cdl(input) − target|² over the pairs.
#[derive(Clone, Copy, Debug)]
pub struct CdlToTargets<'a> {
    pub inputs: &'a [[f64; 3]],
    pub targets: &'a [[f64; 3]],
    pub style: CdlStyle,
}

impl CdlObjective for CdlToTargets<'_> {
    fn cost(&self, cdl: &Cdl) -> f64 {
        let pairs = self.inputs.iter().zip(self.targets);
        pairs
            .map(|(w, t)| {
                let o = cdl.apply(*w, self.style);
                (0..3).map(|c| (o[c] - t[c]).powi(2)).sum::<f64>()
            })
            .sum()
    }

    fn normal(&self, cdl: &Cdl) -> (f64, Normal10, CdlParams) {
        let (mut cost, mut a, mut g) = (0.0, Normal10::zeros(), CdlParams::zeros());
        for (w, t) in self.inputs.iter().zip(self.targets) {
            let (out, j) = cdl_jacobian(*w, cdl, self.style);
            let r = SVector::<f64, 3>::from_fn(|c, _| out[c] - t[c]);
            cost += r.norm_squared();
            a += j.transpose() * j;
            g += j.transpose() * r;
        }
        (cost, a, g)
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
