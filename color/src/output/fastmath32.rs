//! Branch-free f32 `log2`, `exp2`, `pow` and `atan2` for loops the compiler vectorises
//! (the live bake's exact output, [`crate::output::aces2::Aces2Lanes`]).
//!
//! Plain arithmetic and bit tricks (no calls, no branches: both sides computed, one
//! selected), so that LLVM turns a loop over lanes into AVX-512 or AVX2 code inside a
//! `#[target_feature]` function. Accuracy against f64 (tested below): `log2` within
//! 4e-7 + 6e-8·|log₂x| absolute on [2⁻¹²⁶, f32::MAX] (the result's own rounding),
//! `exp2` within 4e-7 relative, `pow(x, p)` within 3e-7·(1 + |p·log₂x|) relative,
//! `atan2_deg` within 4e-5 degrees (an f32 ulp near 360 is 3e-5).

use crate::kernel::pow::SQRT2;

/// `log₂(1 + t)/t` on t ∈ [√½ − 1, √2 − 1]: a degree-7 fit (least squares on Chebyshev
/// nodes, reweighted towards the minimax; max error of `t·p(t)` in f32 9e-8; no
/// division, unlike the atanh series).
const LOG2_POLY: [f32; 8] = [
    1.442_694_8,
    -0.721_357_2,
    0.480_939_45,
    -0.360_087_2,
    0.286_707_46,
    -0.250_069_2,
    0.236_890_29,
    -0.145_743_89,
];

/// `2^f` on f ∈ [−½, ½]: a degree-5 fit with p(0) = 1 (relative error 1.9e-7 in f32,
/// against 8.5e-8 at degree 7: two fused multiply-adds fewer per power).
pub(crate) const EXP2_POLY: [f32; 6] = [
    1.0,
    std::f32::consts::LN_2,
    0.240_222_42,
    0.055_507_336,
    0.009_671_513,
    0.001_326_472_6,
];

/// `a·b + c`, fused (one rounding, one instruction) when `F` is true: the AVX-512 and
/// AVX2 builds (and targets whose baseline has FMA) pass true; x86_64's portable build
/// passes false (a fused multiply-add there is a libm call per value).
#[inline(always)]
pub fn fma<const F: bool>(a: f32, b: f32, c: f32) -> f32 {
    if F {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// A 3×3 matrix in f32, rows first.
pub type M3 = [[f32; 3]; 3];

/// An f64 matrix rounded to f32.
pub fn m3(m: &crate::output::matrix::Mat3) -> M3 {
    m.map(|r| r.map(|x| x as f32))
}

/// `m · v`, each row two fused multiply-adds ([`fma`]).
#[inline(always)]
pub fn mat<const F: bool>(m: &M3, [r, g, b]: [f32; 3]) -> [f32; 3] {
    // Written out: array `map` is not always inlined into `#[target_feature]` code.
    let row = |k: usize| fma::<F>(m[k][0], r, fma::<F>(m[k][1], g, m[k][2] * b));
    [row(0), row(1), row(2)]
}

/// `a` where `c`, else `b`: both computed, one kept (a blend in vectorised loops).
#[inline(always)]
pub fn select(c: bool, a: f32, b: f32) -> f32 {
    if c {
        a
    } else {
        b
    }
}

/// Whether the portable (non-`#[target_feature]`) build fuses: not on x86_64, whose
/// baseline has no FMA.
pub const PORTABLE_FMA: bool = !cfg!(target_arch = "x86_64");

/// log₂ of a positive normal `x` (0 and subnormals read as about −127; callers select).
#[inline(always)]
pub fn log2<const F: bool>(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xFF) as i32 - 127;
    let m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    let big = m > SQRT2;
    let m = if big { m * 0.5 } else { m };
    let e = e as f32 + if big { 1.0 } else { 0.0 };
    // Exact: m is within a factor 2 of 1.
    let t = m - 1.0;
    let c = &LOG2_POLY;
    let mut p = c[7];
    for &ci in c[..7].iter().rev() {
        p = fma::<F>(p, t, ci);
    }
    fma::<F>(t, p, e)
}

/// 1.5·2²³: adding it rounds an f32 of magnitude under 2²² to an integer held in the
/// low mantissa bits (no float → int conversion, which Rust saturates and LLVM then
/// does lane by lane).
const ROUNDER: f32 = 12_582_912.0;

/// 2^x, clamped to [2⁻¹²⁶, 2¹²⁷·2) (no subnormals, no infinity).
#[inline(always)]
// max/min, not clamp: NaN becomes a bound instead of staying NaN.
#[allow(clippy::manual_clamp)]
pub fn exp2<const F: bool>(x: f32) -> f32 {
    let x = x.max(-126.0).min(127.0);
    let rounded = x + ROUNDER;
    let k = rounded - ROUNDER;
    let f = x - k;
    let c = &EXP2_POLY;
    let mut q = c[5];
    for &ci in c[..5].iter().rev() {
        q = fma::<F>(q, f, ci);
    }
    let biased = rounded
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits())
        .wrapping_add(127);
    q * f32::from_bits(biased << 23)
}

/// ⌊x⌋ as an index for `x` in [0, 2²³) (below 0 and NaN give 0, larger values 2²³ − 1),
/// without a float → int conversion (see [`ROUNDER`]).
#[inline(always)]
#[allow(clippy::manual_clamp)]
pub fn floor_index(x: f32) -> usize {
    let f = x.max(0.0).min(8_388_607.0).floor();
    ((f + 8_388_608.0).to_bits() & 0x007F_FFFF) as usize
}

/// `x^p` for `x ≥ 0`; 0 (and anything not above 0, NaN included) gives 0.
#[inline(always)]
pub fn pow<const F: bool>(x: f32, p: f32) -> f32 {
    let v = exp2::<F>(p * log2::<F>(x));
    if x > 0.0 {
        v
    } else {
        0.0
    }
}

/// `atan2(y, x)` in degrees on [0, 360) (0 for the origin).
#[inline(always)]
pub fn atan2_deg(y: f32, x: f32) -> f32 {
    const TAN_PI_8: f32 = 0.414_213_57;
    let (ax, ay) = (x.abs(), y.abs());
    let (lo, hi) = (ax.min(ay), ax.max(ay));
    // Cephes atanf: reduce t = lo/hi ∈ [0, 1] to |u| ≤ tan(π/8), with one division:
    // u = (t − 1)/(t + 1) = (lo − hi)/(lo + hi) above tan(π/8).
    let reduce = lo > TAN_PI_8 * hi;
    let num = if reduce { lo - hi } else { lo };
    let den = if reduce { lo + hi } else { hi };
    let u = num / if den > 0.0 { den } else { 1.0 };
    let z = u * u;
    let poly =
        (((8.053_744_5e-2 * z - 1.387_768_6e-1) * z + 1.997_771_1e-1) * z - 3.333_295e-1) * z;
    let a = u
        + u * poly
        + if reduce {
            std::f32::consts::FRAC_PI_4
        } else {
            0.0
        };
    let a = if ay > ax {
        std::f32::consts::FRAC_PI_2 - a
    } else {
        a
    };
    let a = if x < 0.0 { std::f32::consts::PI - a } else { a };
    let deg = a * (180.0 / std::f32::consts::PI);
    let deg = if y < 0.0 { 360.0 - deg } else { deg };
    if deg >= 360.0 {
        0.0
    } else {
        deg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points over every binade from 2⁻¹²⁶ to 2¹²⁷, 97 per binade.
    fn wide() -> impl Iterator<Item = f32> {
        (0..253 * 97).map(|i| 2f64.powf(i as f64 / 97.0 - 126.0) as f32)
    }

    #[test]
    fn log2_and_exp2_are_within_their_stated_error() {
        let (mut worst, mut at) = (0.0f64, 0.0f32);
        for x in wide() {
            let want = f64::from(x).log2();
            let e = (f64::from(log2::<PORTABLE_FMA>(x)) - want).abs() / (4e-7 + 6e-8 * want.abs());
            if e > worst {
                (worst, at) = (e, x);
            }
        }
        assert!(worst <= 1.0, "log2 {worst:e} of the bound at {at:e}");
        let mut worst = 0.0f64;
        for i in 0..=250_000 {
            let x = -125.0 + i as f32 * 0.001;
            let want = 2f64.powf(f64::from(x));
            worst = worst.max((f64::from(exp2::<PORTABLE_FMA>(x)) - want).abs() / want);
        }
        assert!(worst <= 4e-7, "exp2 {worst:e}");
    }

    #[test]
    fn pow_is_within_its_stated_error_and_zero_at_zero() {
        for p in [0.42f32, 1.0 / 0.42, 0.3, 1.15, 0.88, 1.0 / 2.4] {
            for x in wide().step_by(7) {
                let want = f64::from(x).powf(f64::from(p));
                if !(1e-37..1e37).contains(&want) {
                    continue;
                }
                let rel = (f64::from(pow::<PORTABLE_FMA>(x, p)) - want).abs() / want;
                let y = (f64::from(p) * f64::from(x).log2()).abs();
                assert!(rel <= 3e-7 * (1.0 + y), "{x}^{p}: {rel:e}");
            }
            assert_eq!(pow::<false>(0.0, p), 0.0);
            assert_eq!(pow::<true>(-1.0, p), 0.0);
            assert_eq!(pow::<false>(f32::NAN, p), 0.0);
        }
    }

    #[test]
    fn floor_index_is_floor_within_its_range() {
        for x in [0.0f32, 0.4, 1.0, 1.999, 359.99, 1e6 + 0.5, 8_388_606.5] {
            assert_eq!(floor_index(x), x.floor() as usize, "{x}");
        }
        assert_eq!(floor_index(-3.5), 0);
        assert_eq!(floor_index(f32::NAN), 0);
        assert_eq!(floor_index(1e30), 8_388_607);
    }

    #[test]
    fn atan2_deg_covers_every_quadrant() {
        let mut worst = 0.0f64;
        for i in 0..20_000 {
            let angle = i as f64 * 0.018;
            for r in [1e-6, 0.3, 250.0] {
                let (x, y) = (
                    (angle.to_radians().cos() * r) as f32,
                    (angle.to_radians().sin() * r) as f32,
                );
                let mut want = f64::from(y).atan2(f64::from(x)).to_degrees();
                if want < 0.0 {
                    want += 360.0;
                }
                let got = f64::from(atan2_deg(y, x));
                let d = (got - want).abs();
                worst = worst.max(d.min(360.0 - d));
            }
        }
        assert!(worst <= 4e-5, "atan2 {worst:e} degrees");
        assert_eq!(atan2_deg(0.0, 0.0), 0.0);
        assert_eq!(atan2_deg(0.0, -1.0), 180.0);
    }
}
