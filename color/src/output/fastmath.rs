//! Branch-free f64 `log2`, `exp2` and `pow` for loops the compiler vectorises.
//!
//! libm's `pow` is a call per value, so a loop over many values stays scalar; these are
//! plain arithmetic (bit tricks, one division, two polynomials) that LLVM turns into
//! AVX2 or AVX-512 code inside a `#[target_feature]` function. Accuracy: `pow(x, p)` is
//! within 4e-16·(4 + |y|) relative of libm's, y = p·log₂x (the rounding of y itself
//! dominates; tested below). The outputs use |y| < 50: under 3e-14 relative, far below
//! a thousandth of a code value of any output.

use std::f64::consts::{LN_2, SQRT_2};

/// 2⁵² as bits and value: adding the biased exponent to it converts it to f64.
const TWO52_BITS: u64 = 0x4330_0000_0000_0000;
const TWO52: f64 = 4_503_599_627_370_496.0;
/// 1.5·2⁵²: adding it rounds to an integer held in the low mantissa bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;
const MANTISSA: u64 = 0x000F_FFFF_FFFF_FFFF;
const ONE_BITS: u64 = 0x3FF0_0000_0000_0000;

/// Horner evaluation of `c[0] + c[1]·z + …`.
#[inline(always)]
fn horner<const N: usize>(z: f64, c: [f64; N]) -> f64 {
    let mut acc = c[N - 1];
    let mut i = N - 1;
    while i > 0 {
        i -= 1;
        // Not mul_add: without the FMA feature that is a libm call per value.
        acc = acc * z + c[i];
    }
    acc
}

/// log₂ of a positive, normal, finite `x`.
#[inline(always)]
fn log2_normal(x: f64) -> f64 {
    let bits = x.to_bits();
    let biased = f64::from_bits(TWO52_BITS | (bits >> 52)) - TWO52;
    let m = f64::from_bits((bits & MANTISSA) | ONE_BITS);
    // m in [√½, √2): log₂ m = 2/ln2 · atanh(s), s = (m − 1)/(m + 1), |s| < 0.172.
    let big = m > SQRT_2;
    let m = if big { m * 0.5 } else { m };
    let e = biased - 1023.0 + if big { 1.0 } else { 0.0 };
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let series = horner(
        z,
        [
            1.0,
            1.0 / 3.0,
            1.0 / 5.0,
            1.0 / 7.0,
            1.0 / 9.0,
            1.0 / 11.0,
            1.0 / 13.0,
            1.0 / 15.0,
            1.0 / 17.0,
            1.0 / 19.0,
            1.0 / 21.0,
        ],
    );
    e + s * series * (2.0 / LN_2)
}

/// ln2^k / k!, k = 0..14.
const EXP2_TAYLOR: [f64; 15] = {
    let mut c = [1.0; 15];
    let mut k = 1;
    while k < 15 {
        c[k] = c[k - 1] * LN_2 / k as f64;
        k += 1;
    }
    c
};

/// 2^y; 0 below 2⁻¹⁰²¹ (libm gives those as tiny or subnormal values), +∞ from 2¹⁰²⁴,
/// NaN for NaN.
#[inline(always)]
pub fn exp2(y: f64) -> f64 {
    let yc = y.clamp(-1021.0, 1024.0);
    let t = yc + ROUNDER;
    let n = t - ROUNDER;
    let f = yc - n;
    let k = t.to_bits().wrapping_sub(ROUNDER.to_bits());
    // 2^(n−1), normal for n in [−1021, 1024]; the factor 2 comes back last.
    let scale = f64::from_bits(k.wrapping_add(1022) << 52);
    let r = horner(f, EXP2_TAYLOR) * scale * 2.0;
    let r = if y > 1024.0 { f64::INFINITY } else { r };
    let r = if y < -1021.0 { 0.0 } else { r };
    if y.is_nan() {
        y
    } else {
        r
    }
}

/// `x.powf(p)` for a finite `p > 0`: 0 at 0, NaN below 0 (as libm), +∞ at +∞.
#[inline(always)]
pub fn pow(x: f64, p: f64) -> f64 {
    // Subnormals are scaled into the normal range first.
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny { x * TWO54 } else { x };
    let l = log2_normal(xs) - if tiny { 54.0 } else { 0.0 };
    let r = exp2(p * l);
    let r = if x == 0.0 { 0.0 } else { r };
    let r = if x == f64::INFINITY { x } else { r };
    if x < 0.0 || x.is_nan() {
        f64::NAN
    } else {
        r
    }
}

const TWO54: f64 = 18_014_398_509_481_984.0;

/// log₁₀ of a positive finite `x` (subnormals included); within a few ulp of libm's.
#[inline(always)]
pub fn log10(x: f64) -> f64 {
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny { x * TWO54 } else { x };
    (log2_normal(xs) - if tiny { 54.0 } else { 0.0 }) * std::f64::consts::LOG10_2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            (a - b).abs() / b.abs().max(f64::MIN_POSITIVE)
        }
    }

    #[test]
    fn pow_matches_libm_over_the_exponents_the_outputs_use() {
        let exps = [
            0.42,
            1.0 / 0.42,
            0.5,
            2.4,
            1.0 / 2.4,
            2.6,
            0.1593017578125,
            78.84375,
            1.15,
            0.95,
            1.9,
            0.7,
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut worst = 0.0f64;
        for _ in 0..200_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            // x over 2^-80 .. 2^80 log-uniformly, mantissa random.
            let x = 2f64.powf((seed >> 11) as f64 / (1u64 << 53) as f64 * 160.0 - 80.0);
            for &p in &exps {
                let want = x.powf(p);
                if want.is_normal() && want > 1e-300 {
                    let y = (p * x.log2()).abs();
                    let e = rel(pow(x, p), want) / (4.0 + y);
                    worst = worst.max(e);
                    assert!(e < 4e-16, "{x}^{p}: {} vs {want}", pow(x, p));
                }
            }
        }
        println!("worst relative error / (4 + |y|): {worst:e}");
    }

    #[test]
    fn pow_edges() {
        assert_eq!(pow(0.0, 0.42), 0.0);
        assert!(pow(-1e-3, 0.42).is_nan());
        assert!(pow(f64::NAN, 2.0).is_nan());
        assert_eq!(pow(f64::INFINITY, 0.5), f64::INFINITY);
        assert_eq!(pow(1.0, 0.42), 1.0);
        assert!(rel(pow(2.0, 10.0), 1024.0) < 1e-15);
        // Subnormal bases.
        let x = 1e-310;
        assert!(rel(pow(x, 0.5), x.powf(0.5)) < 4e-16 * (4.0 + 515.0));
        // Results past the range.
        assert_eq!(pow(1e300, 4.0), f64::INFINITY);
        assert!(rel(pow(2.0, 1023.5), 2f64.powf(1023.5)) < 1e-12);
        assert_eq!(pow(1e-300, 4.0), 0.0);
        assert!(rel(exp2(-3.5), 2f64.powf(-3.5)) < 1e-15);
        for x in [1e-310, 1e-5, 0.3, 1.0, 2.0, 7.5, 1e3, 1e200] {
            assert!(
                (log10(x) - x.log10()).abs() <= 4e-16 * (1.0 + x.log10().abs()),
                "{x}"
            );
        }
        assert!(exp2(f64::NAN).is_nan());
    }
}
