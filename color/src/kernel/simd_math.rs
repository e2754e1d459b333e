//! The CDL power for the SIMD levels: [`super::pow::pow`]'s operations, in the same order
//! (fused multiply-adds included), on 8 or 16 lanes, so each level reproduces the scalar
//! reference bit for bit. The error bound is stated and tested in [`super::pow`].

use super::pow::{
    EXP2_POLY, F_LIMIT, HI_LIMIT, K_MAX, K_MIN, LOG2_CENTRE, LOG2_EXPONENT_STEP, LOG2_INV_CENTRE,
    LOG2_POLY, SUBNORMAL_SCALE,
};
use std::arch::x86_64::*;

const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

/// The first cell whose [`LOG2_EXPONENT_STEP`] is 1 (the cells above √2).
const STEP_CELL: usize = 7;
const _: () = {
    let mut j = 0;
    while j < 16 {
        assert!(LOG2_EXPONENT_STEP[j] == if j >= STEP_CELL { 1.0 } else { 0.0 });
        j += 1;
    }
};

/// A 16-entry table for AVX2: its two halves.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn halves(t: &[f32; 16]) -> (__m256, __m256) {
    // SAFETY: t holds 16 floats: 8 at t[0] and 8 at t[8].
    unsafe {
        (
            _mm256_loadu_ps(t.as_ptr()),
            _mm256_loadu_ps(t.as_ptr().add(8)),
        )
    }
}

/// `x^p` for 8 lanes of `x ≥ 0` (or +∞) and finite `p > 0`.
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(crate) fn pow_ps_avx2(x: __m256, p: __m256) -> __m256 {
    let set = _mm256_set1_ps;
    let seti = _mm256_set1_epi32;
    let tiny = _mm256_cmp_ps::<_CMP_LT_OQ>(x, set(f32::MIN_POSITIVE));
    let xn = _mm256_blendv_ps(x, _mm256_mul_ps(x, set(SUBNORMAL_SCALE)), tiny);
    let bits = _mm256_castps_si256(xn);
    let e = _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits), seti(127));
    let e = _mm256_sub_epi32(e, _mm256_and_si256(_mm256_castps_si256(tiny), seti(24)));
    let mb = _mm256_or_si256(_mm256_and_si256(bits, seti(0x007F_FFFF)), seti(0x3F80_0000));
    let m = _mm256_castsi256_ps(mb);
    // The cell j = mantissa bits 22..19: bits 21..19 index a half, bit 22 (moved to the
    // sign bit) picks the half.
    let j = _mm256_srli_epi32::<19>(mb);
    let upper = _mm256_castsi256_ps(_mm256_slli_epi32::<9>(mb));
    let look = |t: &[f32; 16]| {
        let (lo, hi) = halves(t);
        _mm256_blendv_ps(
            _mm256_permutevar8x32_ps(lo, j),
            _mm256_permutevar8x32_ps(hi, j),
            upper,
        )
    };
    // LOG2_EXPONENT_STEP is 1 from cell 7 on, i.e. for m ≥ 1 + 7/16: a compare (its
    // mask is −1 there) instead of a lookup.
    let step = _mm256_cmp_ps::<_CMP_GE_OQ>(m, set(1.0 + STEP_CELL as f32 / 16.0));
    let e = _mm256_cvtepi32_ps(_mm256_sub_epi32(e, _mm256_castps_si256(step)));
    let r = _mm256_fmsub_ps(m, look(&LOG2_INV_CENTRE), set(1.0));
    let [c1, c2, c3, c4] = LOG2_POLY.map(|c| set(c));
    let poly = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_fmadd_ps(c4, r, c3), r, c2), r, c1);
    let u = _mm256_fmadd_ps(r, poly, look(&LOG2_CENTRE));
    let hi = _mm256_min_ps(
        _mm256_max_ps(_mm256_mul_ps(p, e), set(-HI_LIMIT)),
        set(HI_LIMIT),
    );
    let lo = _mm256_fmsub_ps(p, e, hi);
    let k = _mm256_round_ps::<NEAREST>(hi);
    let f = _mm256_add_ps(_mm256_sub_ps(hi, k), _mm256_fmadd_ps(p, u, lo));
    let f = _mm256_min_ps(_mm256_max_ps(f, set(-F_LIMIT)), set(F_LIMIT));
    let k2 = _mm256_round_ps::<NEAREST>(f);
    let f = _mm256_sub_ps(f, k2);
    let k = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(k, k2), set(K_MIN)), set(K_MAX));
    let mut q = set(EXP2_POLY[5]);
    for &c in EXP2_POLY[..5].iter().rev() {
        q = _mm256_fmadd_ps(q, f, set(c));
    }
    let q = _mm256_fmadd_ps(q, f, set(1.0));
    let k = _mm256_cvtps_epi32(k);
    let k1 = _mm256_srai_epi32::<1>(k);
    let k2 = _mm256_sub_epi32(k, k1);
    let exp2i = |k| _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(k, seti(127))));
    let r = _mm256_mul_ps(_mm256_mul_ps(q, exp2i(k1)), exp2i(k2));
    let eq = |a, b| _mm256_cmp_ps::<_CMP_EQ_OQ>(a, b);
    let keep = _mm256_or_ps(
        _mm256_or_ps(eq(x, _mm256_setzero_ps()), eq(x, set(f32::INFINITY))),
        eq(p, set(1.0)),
    );
    _mm256_blendv_ps(r, x, keep)
}

/// `x^p` for 16 lanes of `x ≥ 0` (or +∞) and finite `p > 0`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
pub(crate) fn pow_ps_avx512(x: __m512, p: __m512) -> __m512 {
    let set = _mm512_set1_ps;
    let table = |t: &[f32; 16]| {
        // SAFETY: t holds 16 floats.
        unsafe { _mm512_loadu_ps(t.as_ptr()) }
    };
    // Exact for every finite x > 0, subnormals included (MXCSR's DAZ is off in Rust).
    let e = _mm512_getexp_ps(x);
    let m = _mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_SRC>(x);
    // vpermps reads the low four bits of each index: the mantissa's bits 22..19.
    let j = _mm512_srli_epi32::<19>(_mm512_castps_si512(m));
    let look = |t: &[f32; 16]| _mm512_permutexvar_ps(j, table(t));
    let e = _mm512_add_ps(e, look(&LOG2_EXPONENT_STEP));
    let r = _mm512_fmsub_ps(m, look(&LOG2_INV_CENTRE), set(1.0));
    let [c1, c2, c3, c4] = LOG2_POLY.map(|c| set(c));
    let poly = _mm512_fmadd_ps(_mm512_fmadd_ps(_mm512_fmadd_ps(c4, r, c3), r, c2), r, c1);
    let u = _mm512_fmadd_ps(r, poly, look(&LOG2_CENTRE));
    let hi = _mm512_min_ps(
        _mm512_max_ps(_mm512_mul_ps(p, e), set(-HI_LIMIT)),
        set(HI_LIMIT),
    );
    let lo = _mm512_fmsub_ps(p, e, hi);
    let k = _mm512_roundscale_ps::<NEAREST>(hi);
    let f = _mm512_add_ps(_mm512_sub_ps(hi, k), _mm512_fmadd_ps(p, u, lo));
    let f = _mm512_min_ps(_mm512_max_ps(f, set(-F_LIMIT)), set(F_LIMIT));
    let k2 = _mm512_roundscale_ps::<NEAREST>(f);
    let f = _mm512_sub_ps(f, k2);
    // vscalefps rounds q·2^k once and saturates to 0 or ∞ on its own: the scalar
    // reference's clamp of k to [K_MIN, K_MAX] gives the same results.
    let k = _mm512_add_ps(k, k2);
    let mut q = set(EXP2_POLY[5]);
    for &c in EXP2_POLY[..5].iter().rev() {
        q = _mm512_fmadd_ps(q, f, set(c));
    }
    let q = _mm512_fmadd_ps(q, f, set(1.0));
    let r = _mm512_scalef_ps(q, k);
    // +0, −0, +∞ (vfpclassps categories 0x02, 0x04, 0x08) and p = 1 keep x.
    let keep = _mm512_fpclass_ps_mask::<0x0E>(x) | _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(p, set(1.0));
    _mm512_mask_blend_ps(keep, r, x)
}

#[cfg(test)]
mod tests {
    use super::super::pow::pow;
    use super::*;

    /// Inputs over every binade plus the special values.
    fn inputs() -> Vec<f32> {
        let mut v: Vec<f32> = (0..=(277 * 16))
            .map(|i| (2.0f64.powf(i as f64 / 16.0 - 149.0)) as f32)
            .filter(|x| x.is_finite())
            .collect();
        v.extend((0..=4096).map(|i| i as f32 / 4096.0));
        v.extend([0.0, 1.0, f32::INFINITY, f32::MAX, f32::from_bits(1)]);
        while !v.len().is_multiple_of(16) {
            v.push(0.5);
        }
        v
    }

    const POWERS: [f32; 10] = [0.05, 0.45, 0.9, 1.0, 1.1, 2.2, 4.0, 8.0, 1e-30, 1e30];

    #[test]
    fn avx2_pow_is_the_scalar_reference_bit_for_bit() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            eprintln!("skipped: this CPU has no AVX2+FMA");
            return;
        }
        for p in POWERS {
            for x in inputs().chunks_exact(8) {
                let mut out = [0.0f32; 8];
                // SAFETY: AVX2 and FMA were detected above; the reads and the write are
                // 8 floats of 8-float slices.
                unsafe {
                    let v = pow_ps_avx2(_mm256_loadu_ps(x.as_ptr()), _mm256_set1_ps(p));
                    _mm256_storeu_ps(out.as_mut_ptr(), v);
                }
                for (o, &x) in out.iter().zip(x) {
                    assert_eq!(o.to_bits(), pow(x, p).to_bits(), "{x}^{p}");
                }
            }
        }
    }

    #[test]
    fn avx512_pow_is_the_scalar_reference_bit_for_bit() {
        if !(is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma"))
        {
            eprintln!("skipped: this CPU has no AVX-512 F/BW/VL/DQ");
            return;
        }
        for p in POWERS {
            for x in inputs().chunks_exact(16) {
                let mut out = [0.0f32; 16];
                // SAFETY: the features were detected above; 16-float reads and write.
                unsafe {
                    let v = pow_ps_avx512(_mm512_loadu_ps(x.as_ptr()), _mm512_set1_ps(p));
                    _mm512_storeu_ps(out.as_mut_ptr(), v);
                }
                for (o, &x) in out.iter().zip(x) {
                    assert_eq!(o.to_bits(), pow(x, p).to_bits(), "{x}^{p}");
                }
            }
        }
    }
}
