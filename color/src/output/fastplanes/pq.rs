//! ST 2084 (PQ)'s inverse EOTF over planes, at AVX-512 as a piecewise polynomial in log₂
//! of the light: one logarithm, five coefficient lookups (`vpermt2ps`) and four
//! multiply-adds per value, where the formula takes two powers and a division (the
//! division alone costs the divider ~10 cycles per 16 values). Other levels keep the
//! formula ([`pq`]).
//!
//! PQ(y) = ((c₁ + c₂·y^m₁)/(1 + c₃·y^m₁))^m₂ for y = L/10 000 cd/m² is smooth in
//! u = log₂ y over every binade, also near black where it is steep in y. The curve is
//! cut into [`SEGMENTS`] segments of two binades from u = [`LOWEST`] (y = 2⁻⁶², where PQ
//! is 3e-4 10-bit codes above PQ(0); lower y read as 2⁻⁶²) to u = 2 (40 000 cd/m²); on
//! each, the degree-4 polynomial in w = u − (the segment's centre) ∈ [−1, 1] that
//! interpolates PQ at the five Chebyshev nodes (computed in f64 at start-up). Its error
//! (f32 evaluation included, measured against f64 over 3000 points per segment) is
//! 1.1e-7 absolute (1.1e-4 codes); the logarithm's (4e-7 + 6e-8·|u|) adds at most
//! 0.076·4.2e-6 (PQ's steepest slope per binade): within 5e-7 absolute in all (tested
//! below against f64: 5e-7 at AVX-512, measured 1.0e-7; the formula at AVX2 and portable
//! within 2e-5, measured 1.3e-5). Degree 3 is 1.1e-3 codes, degree 5 no
//! better than 4 in f32.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code, unused_imports))]

use super::{pow, AVX512};
#[cfg(test)]
use crate::output::fastmath32::{floor_index, fma};

/// Segments of [`PqCurve`] (one `vpermt2ps` table per coefficient at AVX-512).
const SEGMENTS: usize = 32;
/// log₂ y where the first segment starts.
const LOWEST: f32 = -62.0;
/// The largest u read (inside the last segment): above it y reads as 2^HIGHEST.
const HIGHEST: f32 = LOWEST + 2.0 * SEGMENTS as f32 - 1e-5;

use crate::output::display::st2084::{C1, C2, C3, M1, M2};

/// PQ's inverse EOTF of y = L/10 000 cd/m² (negatives read as 0), in f64.
pub(crate) fn pq_f64(y: f64) -> f64 {
    crate::output::display::pq_encode(100.0 * y.max(0.0))
}

/// The piecewise polynomial: `coef[k][s]` is segment s's coefficient of w^(4−k).
#[derive(Debug, Clone)]
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
pub(crate) struct PqCurve {
    coef: [[f32; SEGMENTS]; 5],
}

impl Default for PqCurve {
    fn default() -> Self {
        Self::new()
    }
}

impl PqCurve {
    pub(crate) fn new() -> Self {
        let nodes: [f64; 5] =
            std::array::from_fn(|k| ((2 * k + 1) as f64 * std::f64::consts::PI / 10.0).cos());
        let mut coef = [[0.0f32; SEGMENTS]; 5];
        for s in 0..SEGMENTS {
            let centre = f64::from(LOWEST) + 2.0 * s as f64 + 1.0;
            let mut poly = [0.0f64; 5];
            // Σ PQ(node j)·(the Lagrange basis of node j), expanded into powers of w.
            for (j, &wj) in nodes.iter().enumerate() {
                let mut basis = [0.0f64; 5];
                basis[0] = 1.0;
                let others = nodes.iter().enumerate().filter(|&(m, _)| m != j);
                for (degree, (_, &wm)) in others.enumerate() {
                    // basis·(w − wm)/(wj − wm), basis[i] the coefficient of w^i.
                    let scale = 1.0 / (wj - wm);
                    for i in (0..=degree + 1).rev() {
                        let shifted = if i > 0 { basis[i - 1] } else { 0.0 };
                        basis[i] = (shifted - wm * basis[i]) * scale;
                    }
                }
                let y = pq_f64((centre + wj).exp2());
                for (p, b) in poly.iter_mut().zip(basis) {
                    *p += y * b;
                }
            }
            for (k, c) in coef.iter_mut().enumerate() {
                c[s] = poly[4 - k] as f32;
            }
        }
        PqCurve { coef }
    }

    /// PQ of 2^u (u clamped to the segments; NaN reads as the lowest): what the AVX-512
    /// code computes, for the tests on every machine.
    #[cfg(test)]
    #[allow(clippy::manual_clamp)]
    fn at_log2<const F: bool>(&self, u: f32) -> f32 {
        let u = u.max(LOWEST).min(HIGHEST);
        let s = floor_index((u - LOWEST) * 0.5).min(SEGMENTS - 1);
        let w = u - (LOWEST + 1.0 + 2.0 * s as f32);
        let c = &self.coef;
        let mut p = c[0][s];
        for ck in &c[1..] {
            p = fma::<F>(p, w, ck[s]);
        }
        p
    }
}

/// Every lane y (light over 10 000 cd/m², ≥ 0) of `plane` to PQ(y). At AVX-512 the
/// piecewise polynomial ([`PqCurve`]; 0, negatives and NaN give PQ(2⁻⁶²), 1e-6; y above
/// 4 about PQ(4)); at the other levels the formula, two powers ([`super::pow`]) and a
/// division (0 and negatives give PQ(0)): without `vpermt2ps` the polynomial's five
/// coefficient gathers per value made AVX2's PQ outputs 5 % slower (A/B, `live_cpu`).
///
/// # Safety
/// The CPU must support level `L`.
#[inline(always)]
pub(crate) unsafe fn pq<const F: bool, const L: u8, const N: usize>(
    plane: &mut [f32; N],
    curve: &PqCurve,
) {
    #[cfg(target_arch = "x86_64")]
    if L == AVX512 {
        // SAFETY: the caller's level.
        return unsafe { avx512::pq_plane(plane, curve) };
    }
    let _ = curve;
    // SAFETY: the caller's level.
    unsafe { pow::<F, L, N>(plane, M1 as f32) };
    for y in plane.iter_mut() {
        *y = (C1 as f32 + C2 as f32 * *y) / (1.0 + C3 as f32 * *y);
    }
    // SAFETY: the caller's level.
    unsafe { pow::<F, L, N>(plane, M2 as f32) };
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::super::avx512::{log2, table};
    use super::{PqCurve, HIGHEST, LOWEST};

    /// # Safety
    /// The CPU must support AVX-512 F/VL/BW/DQ; `N` is a multiple of 16.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn pq_plane<const N: usize>(plane: &mut [f32; N], curve: &PqCurve) {
        const { assert!(N.is_multiple_of(16)) };
        let c = &curve.coef;
        let coef = [
            table(&c[0]),
            table(&c[1]),
            table(&c[2]),
            table(&c[3]),
            table(&c[4]),
        ];
        let set = _mm512_set1_ps;
        for v in plane.chunks_exact_mut(16) {
            // SAFETY: `v` holds 16 floats.
            let x = unsafe { _mm512_loadu_ps(v.as_ptr()) };
            // NaN (negative lanes) and −∞ (0) become the lowest: vmaxps returns its
            // second operand when the first is NaN.
            let u = _mm512_min_ps(_mm512_max_ps(log2(x), set(LOWEST)), set(HIGHEST));
            let s = _mm512_cvttps_epi32(_mm512_mul_ps(_mm512_sub_ps(u, set(LOWEST)), set(0.5)));
            let centre = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), set(2.0), set(LOWEST + 1.0));
            let w = _mm512_sub_ps(u, centre);
            let look = |[lo, hi]: [__m512; 2]| _mm512_permutex2var_ps(lo, s, hi);
            let mut p = look(coef[0]);
            for &c in &coef[1..] {
                p = _mm512_fmadd_ps(p, w, look(c));
            }
            // SAFETY: as above.
            unsafe { _mm512_storeu_ps(v.as_mut_ptr(), p) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::fastplanes::tests::{levels, run, Op};

    /// Points from 2⁻⁶⁰ to 2 (the live bake's PQ lights stay under 1.28), 1000 per
    /// binade, in planes of 64.
    fn lights() -> impl Iterator<Item = [f32; 64]> {
        (0..61 * 1000).step_by(64).map(|start| {
            std::array::from_fn(|i| (-60.0 + (start + i) as f32 * 0.001).exp2().min(2.0))
        })
    }

    /// The polynomial itself (as the AVX-512 code evaluates it, portably) is within
    /// 2e-7 of f64 PQ from 2⁻⁶⁰ to 2, and reads 2⁻⁶² for 0 and below.
    #[test]
    fn pq_polynomial_is_within_2e_7_of_f64() {
        let curve = PqCurve::new();
        let mut worst = 0.0f64;
        for plane in lights() {
            for y in plane {
                let p = curve.at_log2::<false>(f64::from(y).log2() as f32);
                worst = worst.max((f64::from(p) - pq_f64(f64::from(y))).abs());
            }
        }
        assert!(worst <= 2e-7, "PQ polynomial {worst:e}");
        let low = curve.at_log2::<false>(f32::NEG_INFINITY);
        assert!((f64::from(low) - pq_f64(0.0)).abs() <= 1e-6, "{low:e}");
    }

    /// Within 5e-7 of f64 PQ from 2⁻⁶⁰ to 2 at AVX-512 (the polynomial), 2e-5 at the
    /// other levels this CPU has (the formula's two f32 powers: m₂ = 78.8 multiplies the
    /// second power's relative error); 0, negatives, NaN and tiny lights give PQ(0)
    /// within 1e-6.
    #[test]
    fn pq_is_within_its_bound_of_f64_at_every_level() {
        let curve = PqCurve::new();
        for level in levels() {
            let mut worst = 0.0f64;
            for plane in lights() {
                let mut got = plane;
                run(level, &mut got, Op::Pq(&curve));
                for (&y, &p) in plane.iter().zip(&got) {
                    worst = worst.max((f64::from(p) - pq_f64(f64::from(y))).abs());
                }
            }
            let bound = if level == AVX512 { 5e-7 } else { 2e-5 };
            assert!(worst <= bound, "level {level}: PQ {worst:e}");
            let mut special = [0.0f32; 64];
            special[1] = -1.0;
            special[3] = f32::MIN_POSITIVE;
            special[4] = 1e-40;
            if level == AVX512 {
                special[2] = f32::NAN;
            }
            run(level, &mut special, Op::Pq(&curve));
            for (k, &p) in special[..5].iter().enumerate() {
                let e = (f64::from(p) - pq_f64(0.0)).abs();
                assert!(e <= 1e-6, "level {level}: lane {k}: PQ {p:e}");
            }
            eprintln!("level {level}: PQ within {worst:e} of f64");
        }
    }
}
