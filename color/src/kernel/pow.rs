//! The CDL power of the render kernels: `x^p` in f32 from a log2/exp2 polynomial, the
//! same operations (fused multiply-adds included) at every level, so the SIMD levels
//! reproduce the scalar reference bit for bit.
//!
//! Against the correctly rounded `(x as f64).powf(p as f64) as f32`, the relative error is
//! at most [`MAX_RELATIVE_ERROR`] for `0.05 ≤ p ≤ 8` and normal results (tested in
//! `tests`; ~4 f32 ulp), and results at or below the smallest normal f32 are within
//! one step of the smallest subnormal. Exact cases: `0^p = 0`, `∞^p = ∞`, `1^p = 1`,
//! `x^1 = x`.
//!
//! `x = 2^e·m` with `m ∈ [√½, √2)`; `log2 m = s·(c₀ + c₁s² + … + c₄s⁸)` with
//! `s = (m − 1)/(m + 1)` (the atanh series, `c₀` split in two floats); `t = p·e` is kept
//! as an exact two-float product, so `t` keeps its fraction even when `|t|` is large;
//! `2^t = 2^k·2^f`, `|f| ≤ ½`, Taylor to `f⁷`; `2^k` is applied in two steps so that
//! subnormal results round once, as a correctly scaled multiply would.

/// Largest relative error of [`pow`] against the f64 reference (see the module docs).
pub const MAX_RELATIVE_ERROR: f64 = 4.8e-7;

/// `2/ln 2` as the sum of two floats.
pub(crate) const LOG2_C0_HI: f32 = (std::f64::consts::LOG2_E * 2.0) as f32;
pub(crate) const LOG2_C0_LO: f32 = (std::f64::consts::LOG2_E * 2.0 - LOG2_C0_HI as f64) as f32;
/// `2/ln2 / (2k + 1)`, k = 1..=4.
pub(crate) const LOG2_SERIES: [f32; 4] = [0.961_796_7, 0.577_078_04, 0.412_198_57, 0.320_598_9];
/// `ln2^i / i!`, i = 0..=7.
pub(crate) const EXP2_SERIES: [f32; 8] = [
    1.0,
    std::f32::consts::LN_2,
    0.240_226_5,
    0.055_504_11,
    0.009_618_129,
    0.001_333_355_8,
    0.000_154_035_3,
    1.525_273_4e-5,
];
pub(crate) const SQRT2: f32 = std::f32::consts::SQRT_2;
/// `2^24`: subnormal inputs are scaled by it before their exponent is read.
pub(crate) const SUBNORMAL_SCALE: f32 = 16_777_216.0;
/// Bounds of the exact product `p·e` (beyond them the result is 0 or ∞ anyway).
pub(crate) const HI_LIMIT: f32 = 16_384.0;
/// Bounds of the fraction after the first reduction.
pub(crate) const F_LIMIT: f32 = 512.0;
/// Bounds of the power of two: 2^−151 rounds to 0, 2^129 is ∞, for any `2^f`.
pub(crate) const K_MIN: f32 = -151.0;
pub(crate) const K_MAX: f32 = 129.0;

/// `x^p` for `x ≥ 0` (or +∞) and finite `p > 0`: the scalar reference of every level.
/// Always inlined, so a caller built with FMA (the scalar kernel's x86_64 build) gets
/// `vfmadd` rather than libm's `fmaf`.
#[inline(always)]
pub fn pow(x: f32, p: f32) -> f32 {
    if x == 0.0 || x == f32::INFINITY || p == 1.0 || x == 1.0 {
        return x;
    }
    let tiny = x < f32::MIN_POSITIVE;
    let xn = if tiny { x * SUBNORMAL_SCALE } else { x };
    let bits = xn.to_bits();
    let mut e = (bits >> 23) as i32 - 127 - if tiny { 24 } else { 0 };
    let mut m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    if m > SQRT2 {
        m *= 0.5;
        e += 1;
    }
    let e = e as f32;
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let [c1, c2, c3, c4] = LOG2_SERIES;
    let poly = c4.mul_add(s2, c3).mul_add(s2, c2).mul_add(s2, c1);
    let tail = s2.mul_add(poly, LOG2_C0_LO);
    let log2m = s.mul_add(LOG2_C0_HI, s * tail);
    let hi = (p * e).clamp(-HI_LIMIT, HI_LIMIT);
    let lo = p.mul_add(e, -hi);
    let k = hi.round_ties_even();
    let f = ((hi - k) + p.mul_add(log2m, lo)).clamp(-F_LIMIT, F_LIMIT);
    let k2 = f.round_ties_even();
    let f = f - k2;
    let k = (k + k2).clamp(K_MIN, K_MAX);
    let c = &EXP2_SERIES;
    let mut q = c[7];
    for &ci in c[..7].iter().rev() {
        q = q.mul_add(f, ci);
    }
    let k = k as i32;
    let (k1, k2) = (k >> 1, k - (k >> 1));
    q * exp2i(k1) * exp2i(k2)
}

/// `2^k` for `−126 ≤ k ≤ 127`.
#[inline]
fn exp2i(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The f64 reference, rounded once.
    fn reference(x: f32, p: f32) -> f32 {
        (x as f64).powf(p as f64) as f32
    }

    fn relative_error(x: f32, p: f32) -> f64 {
        let (got, want) = (pow(x, p) as f64, reference(x, p) as f64);
        if want == 0.0 || want.is_infinite() {
            assert_eq!(got, want, "{x}^{p}");
            return 0.0;
        }
        if want < f32::MIN_POSITIVE as f64 {
            // Subnormal results: absolute, in steps of the smallest subnormal.
            let step = f32::from_bits(1) as f64;
            assert!((got - want).abs() <= step, "{x}^{p}: {got:e} vs {want:e}");
            return 0.0;
        }
        (got - want).abs() / want
    }

    const POWERS: [f32; 16] = [
        0.05, 0.1, 0.3, 0.5, 0.8, 0.9, 0.95, 1.05, 1.1, 1.2, 1.5, 2.0, 2.2, 3.0, 4.0, 8.0,
    ];

    #[test]
    fn within_the_stated_error_over_unit_and_wide_ranges() {
        let mut worst = (0.0f64, 0.0f32, 0.0f32);
        for &p in &POWERS {
            let unit = (0..=200_000).map(|i| i as f32 / 200_000.0);
            // Every binade from subnormals to f32::MAX, 64 points each.
            let wide = (0..=(277 * 64)).map(|i| (2.0f64.powf(i as f64 / 64.0 - 149.0)) as f32);
            for x in unit.chain(wide).filter(|x| x.is_finite()) {
                let e = relative_error(x, p);
                if e > worst.0 {
                    worst = (e, x, p);
                }
            }
        }
        assert!(
            worst.0 <= MAX_RELATIVE_ERROR,
            "worst relative error {:e} at {}^{}",
            worst.0,
            worst.1,
            worst.2
        );
        eprintln!(
            "pow: worst relative error {:e} at {}^{}",
            worst.0, worst.1, worst.2
        );
    }

    #[test]
    fn exact_cases_and_extremes() {
        for &p in &POWERS {
            assert_eq!(pow(0.0, p), 0.0);
            assert_eq!(pow(1.0, p), 1.0);
            assert_eq!(pow(f32::INFINITY, p), f32::INFINITY);
            assert_eq!(pow(0.37, 1.0), 0.37);
        }
        assert_eq!(pow(f32::MAX, 2.0), f32::INFINITY);
        assert_eq!(pow(1e-30, 8.0), 0.0);
        assert_eq!(pow(0.5, 1e30), 0.0);
        assert_eq!(pow(2.0, 1e30), f32::INFINITY);
        assert_eq!(pow(2.0, 1e-30), 1.0);
    }
}
