//! ACES 2.0 gamut compression (`gamut_compress_fwd`): M is compressed towards a focus
//! point on the J axis, from the reach boundary (AP1) onto the limiting gamut's hull,
//! approximated per hue from the cusp table and the fitted upper hull gamma.

use super::tables::{CuspTable, HueTable};
use super::tonescale::Shared;

const SMOOTH_CUSPS: f64 = 0.12;
const CUSP_MID_BLEND: f64 = 1.3;
const FOCUS_GAIN_BLEND: f64 = 0.3;
const COMPRESSION_THRESHOLD: f64 = 0.75;

/// The powers and logarithms of the compression: libm's (per value) or
/// [`crate::output::fastmath`]'s (vectorised batches). The functions below are written
/// branch-free (both sides computed, one selected) so that the batch loop vectorises.
pub(crate) trait Maths: Copy {
    fn pow(self, x: f64, p: f64) -> f64;
    fn log10(self, x: f64) -> f64;
}

#[derive(Clone, Copy)]
pub(crate) struct Libm;

impl Maths for Libm {
    #[inline(always)]
    fn pow(self, x: f64, p: f64) -> f64 {
        x.powf(p)
    }
    #[inline(always)]
    fn log10(self, x: f64) -> f64 {
        x.log10()
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Vector;

impl Maths for Vector {
    #[inline(always)]
    fn pow(self, x: f64, p: f64) -> f64 {
        crate::output::fastmath::pow(x, p)
    }
    #[inline(always)]
    fn log10(self, x: f64) -> f64 {
        crate::output::fastmath::log10(x)
    }
}

/// The gamut compression constants and per-hue tables for one output.
#[derive(Debug, Clone)]
pub struct GamutCompress {
    pub mid_j: f64,
    pub focus_dist: f64,
    pub lower_hull_gamma_inv: f64,
    pub search_range: [i64; 2],
    pub hues: HueTable,
    /// Per hue entry: cusp J, cusp M (smoothed) and the upper hull 1/gamma.
    pub cusps: CuspTable,
}

/// The hue-dependent quantities of one compression.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HueParams {
    pub gamma_bottom_inv: f64,
    pub cusp: [f64; 2],
    pub gamma_top_inv: f64,
    pub focus_j: f64,
    pub analytical_threshold: f64,
}

pub(crate) fn focus_j(cusp_j: f64, mid_j: f64, limit_j_max: f64) -> f64 {
    lerp(
        cusp_j,
        mid_j,
        (CUSP_MID_BLEND - cusp_j / limit_j_max).min(1.0),
    )
}

pub(crate) fn analytical_threshold(cusp_j: f64, limit_j_max: f64) -> f64 {
    lerp(cusp_j, limit_j_max, FOCUS_GAIN_BLEND)
}

pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + t * (b - a)
}

pub(crate) fn focus_gain(j: f64, threshold: f64, limit_j_max: f64, focus_dist: f64) -> f64 {
    focus_gain_by(j, threshold, limit_j_max, focus_dist, Libm)
}

#[inline(always)]
fn focus_gain_by(
    j: f64,
    threshold: f64,
    limit_j_max: f64,
    focus_dist: f64,
    maths: impl Maths,
) -> f64 {
    let gain = limit_j_max * focus_dist;
    let adj = maths.log10((limit_j_max - threshold) / (limit_j_max - j).max(0.0001));
    if j > threshold {
        gain * (adj * adj + 1.0)
    } else {
        gain
    }
}

/// Where the compression line through (J, M) crosses the J axis.
#[inline(always)]
pub(crate) fn solve_j_intersect(j: f64, m: f64, focus_j: f64, max_j: f64, slope_gain: f64) -> f64 {
    let m_scaled = m / slope_gain;
    let a = m_scaled / focus_j;
    let below = {
        let b = 1.0 - m_scaled;
        let c = -j;
        let root = (b * b - 4.0 * a * c).sqrt();
        -2.0 * c / (b + root)
    };
    let above = {
        let b = -(1.0 + m_scaled + max_j * a);
        let c = max_j * m_scaled + j;
        let root = (b * b - 4.0 * a * c).sqrt();
        -2.0 * c / (b - root)
    };
    if j < focus_j {
        below
    } else {
        above
    }
}

#[inline(always)]
pub(crate) fn compression_slope(
    intersect_j: f64,
    focus_j: f64,
    limit_j_max: f64,
    slope_gain: f64,
) -> f64 {
    let scaler = if intersect_j < focus_j {
        intersect_j
    } else {
        limit_j_max - intersect_j
    };
    scaler * (intersect_j - focus_j) / (focus_j * slope_gain)
}

/// M where the line `J = slope·M + j_axis` meets the hull `J = j_max·(M/m_max)^(1/gamma)`
/// (approximation).
#[inline(always)]
fn line_boundary_m(
    [j_axis, slope]: [f64; 2],
    inv_gamma: f64,
    [j_max, m_max, j_ref]: [f64; 3],
    maths: impl Maths,
) -> f64 {
    let shifted = j_ref * maths.pow(j_axis / j_ref, inv_gamma);
    shifted * m_max / (j_max - slope * m_max)
}

#[inline(always)]
fn smin_scaled(a: f64, b: f64, scale_reference: f64) -> f64 {
    let s = SMOOTH_CUSPS * scale_reference;
    let h = (s - (a - b).abs()).max(0.0) / s;
    a.min(b) - h * h * h * s / 6.0
}

/// The M of the limiting gamut boundary along the compression line.
pub(crate) fn boundary_m(
    cusp: [f64; 2],
    j_max: f64,
    gamma_top_inv: f64,
    gamma_bottom_inv: f64,
    j_intersect_source: f64,
    slope: f64,
    j_intersect_cusp: f64,
) -> f64 {
    let hull = Hull {
        cusp,
        j_max,
        gamma_top_inv,
        gamma_bottom_inv,
    };
    hull.boundary_m([j_intersect_source, slope], j_intersect_cusp, Libm)
}

/// The limiting gamut's hull at one hue.
struct Hull {
    cusp: [f64; 2],
    j_max: f64,
    gamma_top_inv: f64,
    gamma_bottom_inv: f64,
}

impl Hull {
    /// The M where the line (J-axis crossing, slope) meets the hull.
    #[inline(always)]
    fn boundary_m(&self, [j_src, slope]: [f64; 2], j_cusp: f64, maths: impl Maths) -> f64 {
        let (cusp, j_max) = (self.cusp, self.j_max);
        let lower = line_boundary_m(
            [j_src, slope],
            self.gamma_bottom_inv,
            [cusp[0], cusp[1], j_cusp],
            maths,
        );
        // The upper hull is flipped so that it is zeroed at j_max.
        let upper = line_boundary_m(
            [j_max - j_src, -slope],
            self.gamma_top_inv,
            [j_max - cusp[0], cusp[1], j_max - j_cusp],
            maths,
        );
        smin_scaled(lower, upper, cusp[1])
    }
}

#[inline(always)]
fn remap_m(m: f64, gamut_m: f64, reach_m: f64) -> f64 {
    let proportion = (gamut_m / reach_m).max(COMPRESSION_THRESHOLD);
    let threshold = proportion * gamut_m;
    let m_offset = m - threshold;
    let gamut_offset = gamut_m - threshold;
    let reach_offset = reach_m - threshold;
    let scale = reach_offset / ((reach_offset / gamut_offset) - 1.0);
    let nd = m_offset / scale;
    let compressed = threshold + scale * nd / (1.0 + nd);
    if m <= threshold || proportion >= 1.0 {
        m
    } else {
        compressed
    }
}

impl GamutCompress {
    pub(crate) fn hue_params(&self, h: f64, limit_j_max: f64) -> HueParams {
        let i_hi = self.hues.interval(h, self.search_range);
        let t = (h - self.hues.0[i_hi - 1]) / (self.hues.0[i_hi] - self.hues.0[i_hi - 1]);
        let (lo, hi) = (self.cusps[i_hi - 1], self.cusps[i_hi]);
        let c = [0, 1, 2].map(|k| lerp(lo[k], hi[k], t));
        HueParams {
            gamma_bottom_inv: self.lower_hull_gamma_inv,
            cusp: [c[0], c[1]],
            gamma_top_inv: c[2],
            focus_j: focus_j(c[0], self.mid_j, limit_j_max),
            analytical_threshold: analytical_threshold(c[0], limit_j_max),
        }
    }

    /// Forward gamut compression of a tonemapped, chroma-compressed JMh.
    pub fn apply(&self, jmh: [f64; 3], s: &Shared) -> [f64; 3] {
        let [j, m, h] = jmh;
        if j <= 0.0 {
            return [0.0, 0.0, h];
        }
        if m <= 0.0 || j > s.limit_j_max {
            return [j, 0.0, h];
        }
        let hp = self.hue_params(h, s.limit_j_max);
        let [j, m] = self.compress([j, m], s, &hp, Libm);
        [j, m, h]
    }

    /// [`Self::apply`] after its hue lookup, branch-free: (J, M) out.
    #[inline(always)]
    pub(crate) fn compress(
        &self,
        [j, m]: [f64; 2],
        s: &Shared,
        hp: &HueParams,
        maths: impl Maths,
    ) -> [f64; 2] {
        let slope_gain = focus_gain_by(
            j,
            hp.analytical_threshold,
            s.limit_j_max,
            self.focus_dist,
            maths,
        );
        let j_src = solve_j_intersect(j, m, hp.focus_j, s.limit_j_max, slope_gain);
        let slope = compression_slope(j_src, hp.focus_j, s.limit_j_max, slope_gain);
        let j_cusp = solve_j_intersect(
            hp.cusp[0],
            hp.cusp[1],
            hp.focus_j,
            s.limit_j_max,
            slope_gain,
        );
        let hull = Hull {
            cusp: hp.cusp,
            j_max: s.limit_j_max,
            gamma_top_inv: hp.gamma_top_inv,
            gamma_bottom_inv: hp.gamma_bottom_inv,
        };
        let gamut_m = hull.boundary_m([j_src, slope], j_cusp, maths);
        let reach_m = line_boundary_m(
            [j_src, slope],
            s.model_gamma_inv,
            [s.limit_j_max, s.reach_max_m, s.limit_j_max],
            maths,
        );
        let m_out = remap_m(m, gamut_m, reach_m);
        let out = [j_src + m_out * slope, m_out];
        let outside = j <= 0.0;
        let flat = m <= 0.0 || j > s.limit_j_max || gamut_m <= 0.0;
        if outside {
            [0.0, 0.0]
        } else if flat {
            [j, 0.0]
        } else {
            out
        }
    }
}
