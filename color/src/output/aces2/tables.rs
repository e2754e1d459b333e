//! The per-hue tables of the ACES 2.0 output transform, built as OpenColorIO 2.6 builds
//! them (`ACES2/Transform.cpp`): the reach M table (AP1 at the white limit), the hue
//! sampling that hits the limiting and reach gamut corners, the limiting gamut's cusp
//! per hue and the fitted upper hull gamma. Their sizes and searches are part of the
//! result, so they follow OCIO step by step.

use super::cam::{JmhParams, REFERENCE_LUMINANCE};
use super::gamut::{
    analytical_threshold, boundary_m, compression_slope, focus_gain, focus_j, lerp,
    solve_j_intersect,
};
use crate::output::matrix::F3;

/// Nominal entries: one per degree.
pub const NOMINAL: usize = 360;
/// One wrap entry below, one above, plus a spare as in OCIO.
pub const TOTAL: usize = NOMINAL + 3;
const FIRST: usize = 1;
const LAST: usize = NOMINAL;
const LOWER_WRAP: usize = 0;
const UPPER_WRAP: usize = NOMINAL + 1;

/// Table of hues (degrees), ascending, with wrap entries at both ends.
#[derive(Debug, Clone)]
pub struct HueTable(pub Vec<f64>);

/// Per hue entry: [cusp J, cusp M, upper hull 1/gamma].
pub type CuspTable = Vec<F3>;

fn position(h: f64) -> usize {
    // `h` is in [0, 360]; the cast truncates like OCIO's unsigned conversion.
    (h.max(0.0) as usize).min(NOMINAL)
}

impl HueTable {
    /// Index of the upper end of the interval holding `h` (OCIO `lookup_hue_interval`).
    pub fn interval(&self, h: f64, range: [i64; 2]) -> usize {
        let t = &self.0;
        let mut i = FIRST + position(h);
        let mut lo = (LOWER_WRAP as i64).max(i as i64 + range[0]) as usize;
        let mut hi = (UPPER_WRAP as i64).min(i as i64 + range[1]) as usize;
        while lo + 1 < hi {
            if h > t[i] {
                lo = i;
            } else {
                hi = i;
            }
            i = (lo + hi) / 2;
        }
        hi.max(1)
    }
}

/// Largest M inside the reach gamut at `limit_j_max`, per degree (`make_reach_m_table`).
pub fn reach_m_table(reach: &JmhParams, limit_j_max: f64) -> Vec<f64> {
    let mut table = vec![0.0; TOTAL];
    let outside = |m: f64, hue: f64| {
        reach
            .jmh_to_rgb([limit_j_max, m, hue])
            .iter()
            .any(|&c| c < 0.0)
    };
    for i in 0..NOMINAL {
        let hue = i as f64;
        let (mut low, mut high) = (0.0, 50.0);
        while high < 1300.0 && !outside(high, hue) {
            low = high;
            high += 50.0;
        }
        while high - low > 1e-2 {
            let mid = (high + low) / 2.0;
            if outside(mid, hue) {
                high = mid;
            } else {
                low = mid;
            }
        }
        table[i + FIRST] = high;
    }
    table[LOWER_WRAP] = table[LAST];
    table[UPPER_WRAP] = table[FIRST];
    table
}

/// Linear interpolation in the 1°-spaced reach table.
pub fn reach_m_from_table(h: f64, table: &[f64]) -> f64 {
    let base = position(h);
    let t = h - base as f64;
    lerp(table[base + FIRST], table[base + FIRST + 1], t)
}

/// The unit cube corners in the order R, Y, G, C, B, M.
fn unit_corner(corner: usize) -> F3 {
    let on = |k: usize| if (corner + k) % 6 < 3 { 1.0 } else { 0.0 };
    [on(1), on(5), on(3)]
}

/// Rotates six corners so the lowest hue sits at [1], and adds wrapped copies at [0] and [7].
fn cycle<T: Copy>(items: [T; 6], hues: [f64; 6]) -> [T; 8] {
    let min = (0..6).fold(0, |m, i| if hues[i] < hues[m] { i } else { m });
    let mut out = [items[0]; 8];
    for i in 0..6 {
        out[i + 1] = items[(i + min) % 6];
    }
    out[0] = out[6];
    out[7] = out[1];
    out
}

fn wrap_corner_hues(jmh: &mut [F3; 8]) {
    jmh[0][2] -= 360.0;
    jmh[7][2] += 360.0;
}

/// The limiting gamut's cube corners at peak luminance, as RGB and JMh.
fn limiting_corners(p: &JmhParams, peak: f64) -> ([F3; 8], [F3; 8]) {
    let rgb = [0, 1, 2, 3, 4, 5].map(|i| unit_corner(i).map(|c| c * peak / REFERENCE_LUMINANCE));
    let jmh = rgb.map(|c| p.rgb_to_jmh(c));
    let hues = jmh.map(|c| c[2]);
    let rgb = cycle(rgb, hues);
    let mut jmh = cycle(jmh, hues);
    wrap_corner_hues(&mut jmh);
    (rgb, jmh)
}

/// The reach gamut's corners scaled until their lightness reaches `limit_j`.
fn reach_corners(p: &JmhParams, limit_j: f64, max_source: f64) -> [F3; 8] {
    let limit_a = p.j_to_achromatic(limit_j);
    let jmh = [0, 1, 2, 3, 4, 5].map(|i| {
        let v = unit_corner(i);
        let (mut lower, mut upper) = (0.0, max_source);
        while upper - lower > 1e-3 {
            let test = (lower + upper) / 2.0;
            let a = p.rgb_to_aab(v.map(|c| c * test))[0];
            if a < limit_a {
                lower = test;
            } else {
                upper = test;
            }
            if a == limit_a {
                break;
            }
        }
        p.rgb_to_jmh(v.map(|c| c * upper))
    });
    let mut out = cycle(jmh, jmh.map(|c| c[2]));
    wrap_corner_hues(&mut out);
    out
}

/// Merges the two sorted corner hue lists, dropping exact duplicates.
fn sorted_corner_hues(reach: &[F3; 8], display: &[F3; 8]) -> Vec<f64> {
    let (mut r, mut d) = (1, 1);
    let mut out = Vec::with_capacity(12);
    while r < 7 || d < 7 {
        let (rh, dh) = (reach[r][2], display[d][2]);
        if rh == dh {
            out.push(rh);
            r += 1;
            d += 1;
        } else if rh < dh {
            out.push(rh);
            r += 1;
        } else {
            out.push(dh);
            d += 1;
        }
    }
    out
}

fn fill_interval(table: &mut [f64], samples: usize, lower: f64, upper: f64, base: usize) {
    let delta = (upper - lower) / samples as f64;
    for i in 0..samples {
        table[base + i] = lower + i as f64 * delta;
    }
}

/// Near-uniform hue samples that include every corner hue exactly (`build_hue_table`).
fn build_hue_table(sorted: &[f64]) -> HueTable {
    let max_idx = NOMINAL - 1;
    let mut counts = vec![0usize; sorted.len()];
    let mut last_idx = usize::MAX;
    let mut min_index = if sorted[0] == 0.0 { 0 } else { 1 };
    for (k, &hue) in sorted.iter().enumerate() {
        let mut nominal = ((hue.round().max(0.0)) as usize)
            .max(min_index)
            .min(max_idx);
        if last_idx == nominal {
            // Two hues on one index: move the previous one down if there is room.
            if k > 1 && counts[k - 2] != counts[k - 1].wrapping_sub(1) {
                counts[k - 1] = counts[k - 1].saturating_sub(1);
            } else {
                nominal += 1;
            }
        }
        counts[k] = nominal.min(max_idx);
        last_idx = nominal;
        min_index = nominal;
    }
    let mut table = vec![0.0; TOTAL];
    let mut total = 0;
    fill_interval(&mut table, counts[0], 0.0, sorted[0], total + 1);
    total += counts[0];
    for k in 1..sorted.len() {
        let samples = counts[k] - counts[k - 1];
        fill_interval(&mut table, samples, sorted[k - 1], sorted[k], total + 1);
        total += samples;
    }
    fill_interval(
        &mut table,
        NOMINAL - total,
        sorted[sorted.len() - 1],
        360.0,
        total + 1,
    );
    table[LOWER_WRAP] = table[LAST] - 360.0;
    table[UPPER_WRAP] = table[FIRST] + 360.0;
    HueTable(table)
}

/// The cusp (J, M) of the limiting gamut at `hue`: a bisection along the cube edge
/// between the two corners around it (`find_display_cusp_for_hue`).
fn display_cusp(
    hue: f64,
    rgb: &[F3; 8],
    jmh: &[F3; 8],
    p: &JmhParams,
    previous: &mut (usize, f64),
) -> [f64; 2] {
    let upper = (1..8).find(|&i| jmh[i][2] > hue).unwrap_or(1);
    let lower = upper - 1;
    if jmh[lower][2] == hue {
        return [jmh[lower][0], jmh[lower][1]];
    }
    let (c_lo, c_hi) = (rgb[lower], rgb[upper]);
    let at = |t: f64| p.rgb_to_jmh([0, 1, 2].map(|k| lerp(c_lo[k], c_hi[k], t)));
    let mut lower_t = if previous.0 == upper { previous.1 } else { 0.0 };
    let mut upper_t = 1.0;
    while upper_t - lower_t > 1e-7 {
        let t = (lower_t + upper_t) / 2.0;
        let h = at(t)[2];
        if h < jmh[lower][2] || (h < jmh[upper][2] && h > hue) {
            upper_t = t;
        } else {
            lower_t = t;
        }
    }
    let t = (lower_t + upper_t) / 2.0;
    let found = at(t);
    *previous = (upper, t);
    [found[0], found[1]]
}

/// The cusp table over `hues`; the third column holds the hue until the gamma fit replaces it.
fn build_cusp_table(hues: &HueTable, rgb: &[F3; 8], jmh: &[F3; 8], p: &JmhParams) -> CuspTable {
    let mut previous = (0, 0.0);
    let mut table = vec![[0.0; 3]; TOTAL];
    for (entry, &hue) in table[FIRST..UPPER_WRAP]
        .iter_mut()
        .zip(&hues.0[FIRST..UPPER_WRAP])
    {
        let [j, m] = display_cusp(hue, rgb, jmh, p, &mut previous);
        *entry = [j, m * (1.0 + 0.27 * 0.12), hue];
    }
    table[LOWER_WRAP] = [table[LAST][0], table[LAST][1], hues.0[LOWER_WRAP]];
    table[UPPER_WRAP] = [table[FIRST][0], table[FIRST][1], hues.0[UPPER_WRAP]];
    table
}

/// How far the hue table strays from uniform: the binary search window for lookups.
fn hue_search_range(cusps: &CuspTable) -> [i64; 2] {
    let mut range = [0i64, 1i64];
    for (i, c) in cusps.iter().enumerate().take(UPPER_WRAP).skip(FIRST) {
        let delta = i as i64 - (FIRST + position(c[2])) as i64;
        range[0] = range[0].min(delta);
        range[1] = range[1].max(delta + 1);
    }
    range
}

/// Inputs of the upper hull gamma fit that do not depend on the hue.
pub struct HullFit<'a> {
    pub peak: f64,
    pub limit_j_max: f64,
    pub mid_j: f64,
    pub focus_dist: f64,
    pub lower_hull_gamma_inv: f64,
    pub limiting: &'a JmhParams,
}

struct GammaTest {
    jmh: F3,
    j_intersect_source: f64,
    slope: f64,
    j_intersect_cusp: f64,
}

fn gamma_tests(cusp: [f64; 2], hue: f64, fit: &HullFit<'_>) -> [GammaTest; 5] {
    let threshold = analytical_threshold(cusp[0], fit.limit_j_max);
    let focus = focus_j(cusp[0], fit.mid_j, fit.limit_j_max);
    [0.01, 0.1, 0.5, 0.8, 0.99].map(|pos| {
        let test_j = lerp(cusp[0], fit.limit_j_max, pos);
        let gain = focus_gain(test_j, threshold, fit.limit_j_max, fit.focus_dist);
        let j_src = solve_j_intersect(test_j, cusp[1], focus, fit.limit_j_max, gain);
        GammaTest {
            jmh: [test_j, cusp[1], hue],
            j_intersect_source: j_src,
            slope: compression_slope(j_src, focus, fit.limit_j_max, gain),
            j_intersect_cusp: solve_j_intersect(cusp[0], cusp[1], focus, fit.limit_j_max, gain),
        }
    })
}

/// True when every test point's boundary estimate lies outside the limiting cube's top.
fn gamma_fits(cusp: [f64; 2], tests: &[GammaTest; 5], gamma: f64, fit: &HullFit<'_>) -> bool {
    let limit = fit.peak / REFERENCE_LUMINANCE;
    tests.iter().all(|t| {
        let m = boundary_m(
            cusp,
            fit.limit_j_max,
            1.0 / gamma,
            fit.lower_hull_gamma_inv,
            t.j_intersect_source,
            t.slope,
            t.j_intersect_cusp,
        );
        let j = t.j_intersect_source + t.slope * m;
        fit.limiting
            .jmh_to_rgb([j, m, t.jmh[2]])
            .iter()
            .any(|&c| c > limit)
    })
}

/// Replaces the hue column of `cusps` by the smallest fitting upper hull 1/gamma.
fn fit_upper_hull_gamma(hues: &HueTable, cusps: &mut CuspTable, fit: &HullFit<'_>) {
    for (entry, &hue) in cusps[FIRST..UPPER_WRAP]
        .iter_mut()
        .zip(&hues.0[FIRST..UPPER_WRAP])
    {
        let cusp = [entry[0], entry[1]];
        let tests = gamma_tests(cusp, hue, fit);
        let (mut low, mut high) = (0.0, 0.4);
        while high < 5.0 && !gamma_fits(cusp, &tests, high, fit) {
            low = high;
            high += 0.4;
        }
        while high - low > 1e-5 {
            let mid = (high + low) / 2.0;
            if gamma_fits(cusp, &tests, mid, fit) {
                high = mid;
            } else {
                low = mid;
            }
        }
        entry[2] = 1.0 / high;
    }
    cusps[LOWER_WRAP][2] = cusps[LAST][2];
    cusps[UPPER_WRAP][2] = cusps[FIRST][2];
}

/// All gamut tables of one output: hue samples, cusps with hull gammas, search window.
pub fn gamut_tables(
    reach: &JmhParams,
    forward_limit: f64,
    fit: &HullFit<'_>,
) -> (HueTable, CuspTable, [i64; 2]) {
    let reach_jmh = reach_corners(reach, fit.limit_j_max, forward_limit);
    let (lim_rgb, lim_jmh) = limiting_corners(fit.limiting, fit.peak);
    let hues = build_hue_table(&sorted_corner_hues(&reach_jmh, &lim_jmh));
    let mut cusps = build_cusp_table(&hues, &lim_rgb, &lim_jmh, fit.limiting);
    let range = hue_search_range(&cusps);
    fit_upper_hull_gamma(&hues, &mut cusps, fit);
    (hues, cusps, range)
}
