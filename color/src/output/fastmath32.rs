//! Branch-free f32 `log2`, `exp2`, `pow` and `atan2` for loops the compiler vectorises
//! (the live bake's exact output, [`crate::output::aces2::Aces2Lanes`]).
//!
//! Plain arithmetic and bit tricks (no calls, no branches: both sides computed, one
//! selected), so that LLVM turns a loop over lanes into AVX-512 or AVX2 code inside a
//! `#[target_feature]` function. Accuracy against f64 (tested below): `log2` within
//! 4e-7 + 6e-8·|log₂x| absolute on [2⁻¹²⁶, f32::MAX] (the result's own rounding),
//! `exp2` within 4e-7 relative, `pow(x, p)` within 3e-7·(1 + |p·log₂x|) relative,
//! `atan2_deg` within 4e-5 degrees (an f32 ulp near 360 is 3e-5).

use crate::kernel::pow::{EXP2_SERIES, LOG2_C0_HI, LOG2_C0_LO, LOG2_SERIES, SQRT2};

/// log₂ of a positive normal `x` (0 and subnormals read as about −127; callers select).
#[inline(always)]
pub fn log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let e = ((bits >> 23) & 0xFF) as i32 - 127;
    let m = f32::from_bits((bits & 0x007F_FFFF) | 0x3F80_0000);
    let big = m > SQRT2;
    let m = if big { m * 0.5 } else { m };
    let e = e as f32 + if big { 1.0 } else { 0.0 };
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let [c1, c2, c3, c4] = LOG2_SERIES;
    let poly = ((c4 * s2 + c3) * s2 + c2) * s2 + c1;
    let tail = s2 * poly + LOG2_C0_LO;
    e + (s * LOG2_C0_HI + s * tail)
}

/// 2^x, clamped to [2⁻¹²⁶, 2¹²⁷·2) (no subnormals, no infinity).
#[inline(always)]
pub fn exp2(x: f32) -> f32 {
    let x = x.clamp(-126.0, 127.0);
    let k = (x + 0.5).floor();
    let f = x - k;
    let c = &EXP2_SERIES;
    let q = ((((((c[7] * f + c[6]) * f + c[5]) * f + c[4]) * f + c[3]) * f + c[2]) * f + c[1]) * f
        + c[0];
    q * f32::from_bits((((k as i32) + 127) as u32) << 23)
}

/// `x^p` for `x ≥ 0`; 0 (and anything not above 0, NaN included) gives 0.
#[inline(always)]
pub fn pow(x: f32, p: f32) -> f32 {
    let v = exp2(p * log2(x));
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
    let t = lo / if hi > 0.0 { hi } else { 1.0 };
    // Cephes atanf: reduce t ∈ [0, 1] to |u| ≤ tan(π/8).
    let reduce = t > TAN_PI_8;
    let u = if reduce { (t - 1.0) / (t + 1.0) } else { t };
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
            let e = (f64::from(log2(x)) - want).abs() / (4e-7 + 6e-8 * want.abs());
            if e > worst {
                (worst, at) = (e, x);
            }
        }
        assert!(worst <= 1.0, "log2 {worst:e} of the bound at {at:e}");
        let mut worst = 0.0f64;
        for i in 0..=250_000 {
            let x = -125.0 + i as f32 * 0.001;
            let want = 2f64.powf(f64::from(x));
            worst = worst.max((f64::from(exp2(x)) - want).abs() / want);
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
                let rel = (f64::from(pow(x, p)) - want).abs() / want;
                let y = (f64::from(p) * f64::from(x).log2()).abs();
                assert!(rel <= 3e-7 * (1.0 + y), "{x}^{p}: {rel:e}");
            }
            assert_eq!(pow(0.0, p), 0.0);
            assert_eq!(pow(-1.0, p), 0.0);
            assert_eq!(pow(f32::NAN, p), 0.0);
        }
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
