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

/// The AVX2 power's constants, kept where the compiler cannot see their values: it then
/// reads each from memory inside the instruction that uses it (one fused µop), instead
/// of re-broadcasting it from the constant pool before every use (a µop of its own; the
/// 16 registers cannot hold the ~30 constants of three channels). Fewer µops per
/// iteration let the out-of-order window overlap more of the power's dependent chains.
#[derive(Clone, Copy)]
pub(crate) struct PowAvx2 {
    min_positive: __m256,
    subnormal_scale: __m256,
    i127: __m256i,
    i24: __m256i,
    mantissa: __m256i,
    one_bits: __m256i,
    inv_centre: (__m256, __m256),
    centre: (__m256, __m256),
    step_at: __m256,
    one: __m256,
    log2_poly: [__m256; 4],
    hi_limit: (__m256, __m256),
    f_limit: (__m256, __m256),
    k_limit: (__m256, __m256),
    k_normal: (__m256i, __m256i),
    exp2_poly: [__m256; 6],
    infinity: __m256,
}

impl PowAvx2 {
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(crate) fn new() -> Self {
        let set = _mm256_set1_ps;
        let seti = _mm256_set1_epi32;
        std::hint::black_box(Self {
            min_positive: set(f32::MIN_POSITIVE),
            subnormal_scale: set(SUBNORMAL_SCALE),
            i127: seti(127),
            i24: seti(24),
            mantissa: seti(0x007F_FFFF),
            one_bits: seti(0x3F80_0000),
            inv_centre: halves(&LOG2_INV_CENTRE),
            centre: halves(&LOG2_CENTRE),
            step_at: set(1.0 + STEP_CELL as f32 / 16.0),
            one: set(1.0),
            log2_poly: LOG2_POLY.map(|c| set(c)),
            hi_limit: (set(-HI_LIMIT), set(HI_LIMIT)),
            f_limit: (set(-F_LIMIT), set(F_LIMIT)),
            k_limit: (set(K_MIN), set(K_MAX)),
            k_normal: (seti(-125), seti(127)),
            exp2_poly: EXP2_POLY.map(|c| set(c)),
            infinity: set(f32::INFINITY),
        })
    }
}

/// The same steps for three vectors, as one array expression per step.
macro_rules! each3 {
    ($i:ident => $e:expr) => {
        [
            {
                let $i = 0;
                $e
            },
            {
                let $i = 1;
                $e
            },
            {
                let $i = 2;
                $e
            },
        ]
    };
}

/// `x^p` for three vectors (a pixel's channels) of 8 lanes of `x ≥ 0` (or +∞) and
/// finite `p > 0`, with the constants `c`. Its steps are interleaved: each step of the
/// three dependent chains comes next to the others in program order, so the scheduler
/// always holds independent work (the chains are ~40 steps long).
///
/// A short chain first, for the usual case: normal `x` and a normal result (`2^k` with
/// −125 ≤ k ≤ 127, applied by adding k to the exponent bits, exact there as the
/// reference's two exact multiplies are). Where a lane (other than 0, ∞ or p = 1, which
/// keep x) is subnormal or its result leaves that range, the three vectors are computed
/// again by [`pow3_ps_avx2_exact`]. Bit for bit the same results either way.
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(crate) fn pow3_ps_avx2(c: &PowAvx2, x: [__m256; 3], p: [__m256; 3]) -> [__m256; 3] {
    let bits = each3!(i => _mm256_castps_si256(x[i]));
    let e = each3!(i => _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits[i]), c.i127));
    let (q, k) = log_exp(c, bits, e, p);
    let k = each3!(i => _mm256_cvtps_epi32(k[i]));
    let r = each3!(i => _mm256_castsi256_ps(_mm256_add_epi32(
        _mm256_castps_si256(q[i]),
        _mm256_slli_epi32::<23>(k[i])
    )));
    let keep = keeps(c, x, p);
    // Lanes the short chain does not cover: 0 < x < MIN_POSITIVE, or k outside
    // −125..=127, unless the lane keeps x.
    let subnormal = each3!(i => _mm256_and_ps(
        _mm256_cmp_ps::<_CMP_LT_OQ>(x[i], c.min_positive),
        _mm256_cmp_ps::<_CMP_GT_OQ>(x[i], _mm256_setzero_ps())
    ));
    let outside = each3!(i => _mm256_or_si256(
        _mm256_cmpgt_epi32(k[i], c.k_normal.1),
        _mm256_cmpgt_epi32(c.k_normal.0, k[i])
    ));
    let bad = each3!(i => _mm256_andnot_ps(
        keep[i],
        _mm256_or_ps(subnormal[i], _mm256_castsi256_ps(outside[i]))
    ));
    let any = _mm256_or_ps(_mm256_or_ps(bad[0], bad[1]), bad[2]);
    if _mm256_movemask_ps(any) != 0 {
        return pow3_ps_avx2_exact(c, x, p);
    }
    each3!(i => _mm256_blendv_ps(r[i], x[i], keep[i]))
}

/// The lanes that keep x: x = 0, x = +∞ or p = 1.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn keeps(c: &PowAvx2, x: [__m256; 3], p: [__m256; 3]) -> [__m256; 3] {
    let eq = |a, b| _mm256_cmp_ps::<_CMP_EQ_OQ>(a, b);
    each3!(i => _mm256_or_ps(
        _mm256_or_ps(eq(x[i], _mm256_setzero_ps()), eq(x[i], c.infinity)),
        eq(p[i], c.one)
    ))
}

/// The middle of the power, shared by both chains: from the bits of `x·2^s` (`s` 0, or
/// 24 for subnormals) and their unbiased exponent `e` (less s), `2^f` (q) and the power
/// of two k (clamped to [K_MIN, K_MAX], as a float) with `x^p ≈ q·2^k`.
///
/// The mantissa cell j is bits 22..19: bits 21..19 index a half of a table, bit 22
/// (moved to the sign bit) picks the half. LOG2_EXPONENT_STEP is 1 from cell 7 on, i.e.
/// for m ≥ 1 + 7/16: a compare (its mask is −1 there) instead of a lookup.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn log_exp(
    c: &PowAvx2,
    bits: [__m256i; 3],
    e: [__m256i; 3],
    p: [__m256; 3],
) -> ([__m256; 3], [__m256; 3]) {
    let mb = each3!(i => _mm256_or_si256(_mm256_and_si256(bits[i], c.mantissa), c.one_bits));
    let m = each3!(i => _mm256_castsi256_ps(mb[i]));
    let j = each3!(i => _mm256_srli_epi32::<19>(mb[i]));
    let upper = each3!(i => _mm256_castsi256_ps(_mm256_slli_epi32::<9>(mb[i])));
    let look = |(lo, hi): (__m256, __m256), i: usize| {
        _mm256_blendv_ps(
            _mm256_permutevar8x32_ps(lo, j[i]),
            _mm256_permutevar8x32_ps(hi, j[i]),
            upper[i],
        )
    };
    let step = each3!(i => _mm256_cmp_ps::<_CMP_GE_OQ>(m[i], c.step_at));
    let e = each3!(i => _mm256_cvtepi32_ps(_mm256_sub_epi32(e[i], _mm256_castps_si256(step[i]))));
    let r = each3!(i => _mm256_fmsub_ps(m[i], look(c.inv_centre, i), c.one));
    let [c1, c2, c3, c4] = c.log2_poly;
    let poly = each3!(i => _mm256_fmadd_ps(c4, r[i], c3));
    let poly = each3!(i => _mm256_fmadd_ps(poly[i], r[i], c2));
    let poly = each3!(i => _mm256_fmadd_ps(poly[i], r[i], c1));
    let u = each3!(i => _mm256_fmadd_ps(r[i], poly[i], look(c.centre, i)));
    let hi = each3!(i => _mm256_min_ps(
        _mm256_max_ps(_mm256_mul_ps(p[i], e[i]), c.hi_limit.0),
        c.hi_limit.1
    ));
    let lo = each3!(i => _mm256_fmsub_ps(p[i], e[i], hi[i]));
    let k = each3!(i => _mm256_round_ps::<NEAREST>(hi[i]));
    let f =
        each3!(i => _mm256_add_ps(_mm256_sub_ps(hi[i], k[i]), _mm256_fmadd_ps(p[i], u[i], lo[i])));
    let f = each3!(i => _mm256_min_ps(_mm256_max_ps(f[i], c.f_limit.0), c.f_limit.1));
    let k2 = each3!(i => _mm256_round_ps::<NEAREST>(f[i]));
    let f = each3!(i => _mm256_sub_ps(f[i], k2[i]));
    let k = each3!(i => _mm256_min_ps(
        _mm256_max_ps(_mm256_add_ps(k[i], k2[i]), c.k_limit.0),
        c.k_limit.1
    ));
    let mut q = [c.exp2_poly[5]; 3];
    for &ci in c.exp2_poly[..5].iter().rev() {
        q = each3!(i => _mm256_fmadd_ps(q[i], f[i], ci));
    }
    let q = each3!(i => _mm256_fmadd_ps(q[i], f[i], c.one));
    (q, k)
}

/// [`pow3_ps_avx2`] for every input: subnormals scaled by 2^24 first, `2^k` applied in
/// two exact-then-rounded multiplies (the scalar reference's steps).
#[inline(never)]
#[target_feature(enable = "avx2,fma")]
fn pow3_ps_avx2_exact(c: &PowAvx2, x: [__m256; 3], p: [__m256; 3]) -> [__m256; 3] {
    let tiny = each3!(i => _mm256_cmp_ps::<_CMP_LT_OQ>(x[i], c.min_positive));
    let xn = each3!(i => _mm256_blendv_ps(x[i], _mm256_mul_ps(x[i], c.subnormal_scale), tiny[i]));
    let bits = each3!(i => _mm256_castps_si256(xn[i]));
    let e = each3!(i => _mm256_sub_epi32(_mm256_srli_epi32::<23>(bits[i]), c.i127));
    let e = each3!(i => _mm256_sub_epi32(
        e[i],
        _mm256_and_si256(_mm256_castps_si256(tiny[i]), c.i24)
    ));
    let (q, k) = log_exp(c, bits, e, p);
    let k = each3!(i => _mm256_cvtps_epi32(k[i]));
    let k1 = each3!(i => _mm256_srai_epi32::<1>(k[i]));
    let k2 = each3!(i => _mm256_sub_epi32(k[i], k1[i]));
    let exp2i = |k| _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(k, c.i127)));
    let r = each3!(i => _mm256_mul_ps(_mm256_mul_ps(q[i], exp2i(k1[i])), exp2i(k2[i])));
    let keep = keeps(c, x, p);
    each3!(i => _mm256_blendv_ps(r[i], x[i], keep[i]))
}

/// `x^p` for three vectors of 16 lanes of `x ≥ 0` (or +∞) and finite `p > 0`, its steps
/// interleaved as in [`pow3_ps_avx2`]. `vgetexpps`/`vgetmantps` are exact for every
/// finite x > 0, subnormals included (MXCSR's DAZ is off in Rust); `vpermps` reads the
/// low four bits of each index, the mantissa's bits 22..19; `vscalefps` rounds q·2^k
/// once and saturates to 0 or ∞ on its own (the scalar reference's clamp of k to
/// [K_MIN, K_MAX] gives the same results); +0, −0, +∞ (`vfpclassps` categories 0x02,
/// 0x04, 0x08) and p = 1 keep x.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
pub(crate) fn pow3_ps_avx512(x: [__m512; 3], p: [__m512; 3]) -> [__m512; 3] {
    let set = _mm512_set1_ps;
    let table = |t: &[f32; 16]| {
        // SAFETY: t holds 16 floats.
        unsafe { _mm512_loadu_ps(t.as_ptr()) }
    };
    let e = each3!(i => _mm512_getexp_ps(x[i]));
    let m = each3!(i => _mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_SRC>(x[i]));
    let j = each3!(i => _mm512_srli_epi32::<19>(_mm512_castps_si512(m[i])));
    let look = |t: &[f32; 16], i: usize| _mm512_permutexvar_ps(j[i], table(t));
    let e = each3!(i => _mm512_add_ps(e[i], look(&LOG2_EXPONENT_STEP, i)));
    let r = each3!(i => _mm512_fmsub_ps(m[i], look(&LOG2_INV_CENTRE, i), set(1.0)));
    let [c1, c2, c3, c4] = LOG2_POLY.map(|c| set(c));
    let poly = each3!(i => _mm512_fmadd_ps(c4, r[i], c3));
    let poly = each3!(i => _mm512_fmadd_ps(poly[i], r[i], c2));
    let poly = each3!(i => _mm512_fmadd_ps(poly[i], r[i], c1));
    let u = each3!(i => _mm512_fmadd_ps(r[i], poly[i], look(&LOG2_CENTRE, i)));
    let hi = each3!(i => _mm512_min_ps(
        _mm512_max_ps(_mm512_mul_ps(p[i], e[i]), set(-HI_LIMIT)),
        set(HI_LIMIT)
    ));
    let lo = each3!(i => _mm512_fmsub_ps(p[i], e[i], hi[i]));
    let k = each3!(i => _mm512_roundscale_ps::<NEAREST>(hi[i]));
    let f =
        each3!(i => _mm512_add_ps(_mm512_sub_ps(hi[i], k[i]), _mm512_fmadd_ps(p[i], u[i], lo[i])));
    let f = each3!(i => _mm512_min_ps(_mm512_max_ps(f[i], set(-F_LIMIT)), set(F_LIMIT)));
    let k2 = each3!(i => _mm512_roundscale_ps::<NEAREST>(f[i]));
    let f = each3!(i => _mm512_sub_ps(f[i], k2[i]));
    let k = each3!(i => _mm512_add_ps(k[i], k2[i]));
    let mut q = [set(EXP2_POLY[5]); 3];
    for &c in EXP2_POLY[..5].iter().rev() {
        q = each3!(i => _mm512_fmadd_ps(q[i], f[i], set(c)));
    }
    let q = each3!(i => _mm512_fmadd_ps(q[i], f[i], set(1.0)));
    let r = each3!(i => _mm512_scalef_ps(q[i], k[i]));
    let keep = each3!(i => _mm512_fpclass_ps_mask::<0x0E>(x[i])
        | _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(p[i], set(1.0)));
    each3!(i => _mm512_mask_blend_ps(keep[i], r[i], x[i]))
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

    /// Three chunks of `xs` with three powers at a time, every power with every chunk.
    fn triples<const N: usize>(xs: &[f32], mut check: impl FnMut([&[f32]; 3], [f32; 3])) {
        let chunks: Vec<&[f32]> = xs.chunks_exact(N).collect();
        for (n, c) in chunks.iter().enumerate() {
            for (k, _) in POWERS.iter().enumerate() {
                let pick = |d: usize| (n + d * 7) % chunks.len();
                let p = [0, 1, 2].map(|d| POWERS[(k + d) % POWERS.len()]);
                check([c, chunks[pick(1)], chunks[pick(2)]], p);
            }
        }
    }

    /// Each channel's lanes `out` against the scalar power of its inputs `x`, bit for bit.
    fn assert_scalar_bits<const N: usize>(out: &[[f32; N]; 3], x: [&[f32]; 3], p: [f32; 3]) {
        for ch in 0..3 {
            for (o, &x) in out[ch].iter().zip(x[ch]) {
                assert_eq!(o.to_bits(), pow(x, p[ch]).to_bits(), "{x}^{}", p[ch]);
            }
        }
    }

    #[test]
    fn avx2_pow_is_the_scalar_reference_bit_for_bit() {
        if !(is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")) {
            eprintln!("skipped: this CPU has no AVX2+FMA");
            return;
        }
        triples::<8>(&inputs(), |x, p| {
            let mut out = [[0.0f32; 8]; 3];
            // SAFETY: AVX2 and FMA were detected above; the reads and the writes are 8
            // floats of 8-float slices.
            unsafe {
                let c = PowAvx2::new();
                let v = pow3_ps_avx2(
                    &c,
                    x.map(|x| _mm256_loadu_ps(x.as_ptr())),
                    p.map(|p| _mm256_set1_ps(p)),
                );
                for (o, v) in out.iter_mut().zip(v) {
                    _mm256_storeu_ps(o.as_mut_ptr(), v);
                }
            }
            assert_scalar_bits(&out, x, p);
        });
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
        triples::<16>(&inputs(), |x, p| {
            let mut out = [[0.0f32; 16]; 3];
            // SAFETY: the features were detected above; 16-float reads and writes.
            unsafe {
                let v = pow3_ps_avx512(
                    x.map(|x| _mm512_loadu_ps(x.as_ptr())),
                    p.map(|p| _mm512_set1_ps(p)),
                );
                for (o, v) in out.iter_mut().zip(v) {
                    _mm512_storeu_ps(o.as_mut_ptr(), v);
                }
            }
            assert_scalar_bits(&out, x, p);
        });
    }
}
