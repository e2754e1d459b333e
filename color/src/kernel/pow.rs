//! The CDL power of the render kernels: `x^p` in f32 from a log2/exp2 polynomial, the
//! same operations (fused multiply-adds included) at every level, so the SIMD levels
//! reproduce the scalar reference bit for bit. No division in the vector builds: the
//! AVX-512 level takes exponent and mantissa with `vgetexpps`/`vgetmantps`, looks the
//! tables up with `vpermps` and scales with `vscalefps`; AVX2 does the same with integer
//! operations and two 8-entry permutes per table, on a shorter chain where every lane's
//! input and result are normal (one branch per three vectors, same bits).
//!
//! Against the correctly rounded `(x as f64).powf(p as f64) as f32`, the relative error is
//! at most [`MAX_RELATIVE_ERROR`] for `0.05 ≤ p ≤ 8` and normal results (tested in
//! `tests`; ~2 f32 ulp), and results at or below the smallest normal f32 are within
//! one step of the smallest subnormal. Exact cases: `0^p = 0`, `∞^p = ∞`, `1^p = 1`,
//! `x^1 = x`.
//!
//! `x = 2^e·m` with `m ∈ [1, 2)`; the mantissa's top four bits pick one of 16 cells
//! `[1 + j/16, 1 + (j+1)/16)` with a table of `1/c` (the cell's centre, exactly 1 for the
//! cell holding 1) and `log2 c` (less 1 above √2, the exponent taking the 1):
//! `log2 m = log2 c + log2(1 + r)`, `r = m/c − 1` by one fused multiply-add,
//! `|r| ≤ 1/16`, and `log2(1 + r)` a degree-4 minimax polynomial (4e-9). `t = p·e` is kept
//! as an exact two-float product, so `t` keeps its fraction even when `|t|` is large;
//! `2^t = 2^k·2^f`, `|f| ≤ ½`, a degree-6 minimax polynomial (2e-9); `2^k` is applied
//! with one rounding (the scalar and AVX2 builds in two exact-then-rounded steps), so
//! subnormal results round once.

/// Largest relative error of [`pow`] against the f64 reference (see the module docs).
pub const MAX_RELATIVE_ERROR: f64 = 2.5e-7;

/// `1/c` of the 16 mantissa cells (`c` the cell's centre; 1 for the cell holding 1).
pub(crate) const LOG2_INV_CENTRE: [f32; 16] = bits([
    0x3F80_0000,
    0x3F6A_0EA1,
    0x3F5D_67C9,
    0x3F52_0D21,
    0x3F47_CE0C,
    0x3F3E_82FA,
    0x3F36_0B61,
    0x3F2E_4C41,
    0x3F27_2F05,
    0x3F20_A0A1,
    0x3F1A_90E8,
    0x3F14_F209,
    0x3F0F_B824,
    0x3F0A_D8F3,
    0x3F06_4B8A,
    0x3F02_0821,
]);
/// `log2 c` of the cells (`−log2` of the rounded `1/c`), less [`LOG2_EXPONENT_STEP`].
pub(crate) const LOG2_CENTRE: [f32; 16] = bits([
    0x0000_0000,
    0x3E04_62C4,
    0x3E56_7AEF,
    0x3E92_203D,
    0x3EB7_1110,
    0x3EDA_3F60,
    0x3EFB_D42A,
    0xBEE4_0CED,
    0xBEC5_44BF,
    0xBEA7_B7DF,
    0xBE8B_4E03,
    0xBE5F_E33A,
    0xBE2B_1EE2,
    0xBDF0_58D8,
    0xBD8D_D98A,
    0xBCBA_1FA1,
]);
/// 1 for the cells above √2 (their `log2 m` is taken as `1 + (log2 m − 1)`), else 0.
pub(crate) const LOG2_EXPONENT_STEP: [f32; 16] = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0,
];
/// `log2(1 + r) ≈ r·(c₁ + c₂r + c₃r² + c₄r³)` for `−0.029 ≤ r ≤ 0.0625` (minimax).
pub(crate) const LOG2_POLY: [f32; 4] = [1.442_695_1, -0.721_365_4, 0.480_858_83, -0.338_915_9];
/// `2^f ≈ 1 + f·(c₁ + c₂f + … + c₆f⁵)` for `|f| ≤ ½` (minimax).
/// (`c₁` rounds to `ln 2` in f32.)
pub(crate) const EXP2_POLY: [f32; 6] = [
    std::f32::consts::LN_2,
    0.240_226_5,
    0.055_503_28,
    0.009_618_004,
    0.001_340_027,
    0.000_154_763,
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

const fn bits(b: [u32; 16]) -> [f32; 16] {
    let mut out = [0.0; 16];
    let mut i = 0;
    while i < 16 {
        out[i] = f32::from_bits(b[i]);
        i += 1;
    }
    out
}

/// `x^p` for `x ≥ 0` (or +∞) and finite `p > 0`: the scalar reference of every level.
/// Always inlined, so a caller built with FMA (the scalar kernel's x86_64 build) gets
/// `vfmadd` rather than libm's `fmaf`.
#[inline(always)]
pub fn pow(x: f32, p: f32) -> f32 {
    if x == 0.0 || x == f32::INFINITY || p == 1.0 {
        return x;
    }
    // vgetexpps / vgetmantps: x = 2^e·m, m ∈ [1, 2), subnormals included.
    let tiny = x < f32::MIN_POSITIVE;
    let xn = if tiny { x * SUBNORMAL_SCALE } else { x };
    let bits = xn.to_bits();
    let e = ((bits >> 23) as i32 - 127 - if tiny { 24 } else { 0 }) as f32;
    let m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    let j = ((m.to_bits() >> 19) & 15) as usize;
    let e = e + LOG2_EXPONENT_STEP[j];
    let r = m.mul_add(LOG2_INV_CENTRE[j], -1.0);
    let [c1, c2, c3, c4] = LOG2_POLY;
    let u = r.mul_add(
        c4.mul_add(r, c3).mul_add(r, c2).mul_add(r, c1),
        LOG2_CENTRE[j],
    );
    let hi = (p * e).clamp(-HI_LIMIT, HI_LIMIT);
    let lo = p.mul_add(e, -hi);
    let k = hi.round_ties_even();
    let f = ((hi - k) + p.mul_add(u, lo)).clamp(-F_LIMIT, F_LIMIT);
    let k2 = f.round_ties_even();
    let f = f - k2;
    let k = (k + k2).clamp(K_MIN, K_MAX);
    let c = &EXP2_POLY;
    let mut q = c[5];
    for &ci in c[..5].iter().rev() {
        q = q.mul_add(f, ci);
    }
    let q = q.mul_add(f, 1.0);
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
