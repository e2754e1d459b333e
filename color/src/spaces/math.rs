//! `log2`, `exp2` and `pow` in f64 without branches, so loops over arrays of them
//! vectorise. Accurate to a few ulps (tests compare with `std` over the whole range).

const TWO_52: f64 = 4_503_599_627_370_496.0;
/// `1.5·2^52`: adding it rounds an f64 below 2^51 to an integer held in the low bits.
const ROUND_MAGIC: f64 = 6_755_399_441_055_744.0;
const MANTISSA: u64 = 0x000f_ffff_ffff_ffff;
const ONE_BITS: u64 = 0x3ff0_0000_0000_0000;

/// `1/(2k + 1)` for k = 0..=10.
const ATANH_SERIES: [f64; 11] = {
    let mut c = [0.0; 11];
    let mut k = 0;
    while k < 11 {
        c[k] = 1.0 / (2 * k + 1) as f64;
        k += 1;
    }
    c
};

/// `1/k!` for k = 0..=14.
const INV_FACTORIAL: [f64; 15] = {
    let mut c = [1.0; 15];
    let mut k = 1;
    let mut fact = 1.0;
    while k < 15 {
        fact *= k as f64;
        c[k] = 1.0 / fact;
        k += 1;
    }
    c
};

/// `ln(1 + f)` for `m = 1 + f` in [√½, √2): `2·atanh(s)`, `s = f/(2 + f)`, |s| ≤ 0.1716,
/// the odd series to s²¹ (next term < 2e-17).
#[inline(always)]
fn ln_mantissa(m: f64) -> f64 {
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let mut p = ATANH_SERIES[10];
    for &c in ATANH_SERIES[..10].iter().rev() {
        p = p * z + c;
    }
    2.0 * s * p
}

/// Base-2 logarithm: −∞ at 0, NaN below 0 or for NaN, +∞ at +∞.
#[inline(always)]
pub fn log2(x: f64) -> f64 {
    let subnormal = x < f64::MIN_POSITIVE;
    let xs = if subnormal { x * TWO_52 } else { x };
    let bits = xs.to_bits();
    let m = f64::from_bits((bits & MANTISSA) | ONE_BITS);
    let big = m > std::f64::consts::SQRT_2;
    let m = if big { 0.5 * m } else { m };
    // The biased exponent as an exact f64, through the bits of 2^52 + e.
    let biased = f64::from_bits((bits >> 52) | 0x4330_0000_0000_0000) - TWO_52;
    let e = biased - 1023.0 + if big { 1.0 } else { 0.0 } - if subnormal { 52.0 } else { 0.0 };
    let r = e + ln_mantissa(m) * std::f64::consts::LOG2_E;
    let r = if x == 0.0 { f64::NEG_INFINITY } else { r };
    let r = if x == f64::INFINITY { f64::INFINITY } else { r };
    if x < 0.0 || x.is_nan() {
        f64::NAN
    } else {
        r
    }
}

/// `2^x`: 0 below −1022 (no subnormal results), +∞ from 1024, NaN for NaN.
#[inline(always)]
pub fn exp2(x: f64) -> f64 {
    // Compare-and-select (not f64::max/min, whose NaN rules cost extra vector code).
    let xc = if x < -1022.0 { -1022.0 } else { x };
    let xc = if xc > 1024.0 { 1024.0 } else { xc };
    // Adding 1.5·2^52 + 1023 rounds xc and leaves n + 1023 (the biased exponent of
    // 2^n) in the low mantissa bits: shifting them up gives 2^n.
    let shifted = xc + (ROUND_MAGIC + 1023.0);
    let n = shifted - (ROUND_MAGIC + 1023.0);
    let t = (xc - n) * std::f64::consts::LN_2;
    // e^t for |t| ≤ 0.347: Taylor series to t^14 (next term < 4e-18).
    let mut p = INV_FACTORIAL[14];
    for &c in INV_FACTORIAL[..14].iter().rev() {
        p = p * t + c;
    }
    let scale = f64::from_bits(shifted.to_bits() << 52);
    let r = p * scale;
    let r = if x < -1022.0 { 0.0 } else { r };
    let r = if x >= 1024.0 { f64::INFINITY } else { r };
    if x.is_nan() {
        f64::NAN
    } else {
        r
    }
}

/// `max(x, lo)` as a compare-and-select: `lo` for NaN.
#[inline(always)]
pub fn at_least(x: f64, lo: f64) -> f64 {
    if x > lo {
        x
    } else {
        lo
    }
}

/// `x^p` for x ≥ 0 and p > 0 (the CDL's power): `2^(p·log2 x)`, 0 at 0.
#[inline(always)]
pub fn pow(x: f64, p: f64) -> f64 {
    exp2(p * log2(x))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        (a - b).abs() / (b.abs() * f64::EPSILON).max(f64::MIN_POSITIVE)
    }

    #[test]
    fn log2_is_within_a_few_ulps_everywhere() {
        let mut x = 1e-310;
        let mut worst = 0.0f64;
        while x < 1e308 {
            for y in [x, x * 1.000_123, x * 1.414, x * 1.4143] {
                let (a, b) = (log2(y), y.log2());
                // Near 1 compare absolutely (log2 → 0).
                let err = if b.abs() < 1.0 {
                    (a - b).abs() / f64::EPSILON
                } else {
                    ulps(a, b)
                };
                worst = worst.max(err);
            }
            x *= 1.37;
        }
        assert!(worst <= 4.0, "log2 off by {worst} ulps");
        assert_eq!(log2(0.0), f64::NEG_INFINITY);
        assert!(log2(-1.0).is_nan() && log2(f64::NAN).is_nan());
        assert_eq!(log2(f64::INFINITY), f64::INFINITY);
        assert_eq!(log2(8.0), 3.0);
    }

    #[test]
    fn exp2_is_within_a_few_ulps_everywhere() {
        let mut worst = 0.0f64;
        for i in -1_021_000..1_023_000 {
            let x = i as f64 * 0.001 + 0.000_37;
            worst = worst.max(ulps(exp2(x), x.exp2()));
        }
        assert!(worst <= 4.0, "exp2 off by {worst} ulps");
        assert_eq!(exp2(-2000.0), 0.0);
        assert_eq!(exp2(1024.0), f64::INFINITY);
        assert_eq!(exp2(f64::NEG_INFINITY), 0.0);
        assert!(exp2(f64::NAN).is_nan());
        assert_eq!(exp2(10.0), 1024.0);
    }

    #[test]
    fn pow_matches_powf() {
        for x in [0.0, 1e-9, 0.01, 0.18, 0.5, 0.99, 1.0, 3.0, 250.0] {
            for p in [0.05, 0.3, 1.0, 1.05, 2.4, 8.0] {
                let (a, b) = (pow(x, p), x.powf(p));
                assert!((a - b).abs() <= 1e-14 * b.abs(), "{x}^{p}: {a} vs {b}");
            }
        }
    }
}
