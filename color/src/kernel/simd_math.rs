//! `pow` for the SIMD levels, computed in f64 so that rounding to f32 gives the same
//! result as the scalar reference `((x as f64).powf(p as f64)) as f32` (relative error of
//! the f64 result ~1e-15, far below half an f32 ulp).
//!
//! `x^p = 2^(p·log2 x)`: log2 from `x = 2^e·m`, `m ∈ [√½, √2)`, `s = (m − 1)/(m + 1)`,
//! `log2 m = s·P(s²)` (the atanh series); 2^t from `t = k + f`, `|f| ≤ ½`, Taylor to f¹³.
//! The AVX2 and AVX-512 versions perform the same operations in the same order.

use std::arch::x86_64::*;

/// `2/ln2 / (2k + 1)`, k = 0..=10.
const LOG2_SERIES: [f64; 11] = [
    2.885_390_081_777_926_8,
    0.961_796_693_925_975_6,
    0.577_078_016_355_585_3,
    0.412_198_583_111_132_4,
    0.320_598_897_975_325_2,
    0.262_308_189_252_538_8,
    0.221_953_083_213_686_67,
    0.192_359_338_785_195_12,
    0.169_728_828_339_878_04,
    0.151_862_635_883_048_77,
    0.137_399_527_703_710_8,
];

/// `ln2^i / i!`, i = 0..=13.
const EXP2_SERIES: [f64; 14] = [
    1.0,
    std::f64::consts::LN_2,
    0.240_226_506_959_100_7,
    0.055_504_108_664_821_576,
    0.009_618_129_107_628_477,
    0.001_333_355_814_642_844_1,
    0.000_154_035_303_933_816_06,
    1.525_273_380_405_983_8e-5,
    1.321_548_679_014_430_5e-6,
    1.017_808_600_923_969_6e-7,
    7.054_911_620_801_121e-9,
    4.445_538_271_870_81e-10,
    2.567_843_599_348_819_6e-11,
    1.369_148_885_390_412_4e-12,
];

const SQRT2: f64 = std::f64::consts::SQRT_2;
/// |p·log2 x| beyond this is 0 or ∞ in f32 anyway; keeps 2^k a normal f64.
const T_LIMIT: f64 = 200.0;

/// `x^p` for 8 lanes of `x ≥ 0` (or +∞) and finite `p > 0`.
#[inline]
#[target_feature(enable = "avx2,fma")]
pub(crate) fn pow_ps_avx2(x: __m256, p: __m256) -> __m256 {
    let lo = pow_pd_avx2(
        _mm256_cvtps_pd(_mm256_castps256_ps128(x)),
        _mm256_cvtps_pd(_mm256_castps256_ps128(p)),
    );
    let hi = pow_pd_avx2(
        _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(x)),
        _mm256_cvtps_pd(_mm256_extractf128_ps::<1>(p)),
    );
    let r = _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo));
    let zero = _mm256_setzero_ps();
    let inf = _mm256_set1_ps(f32::INFINITY);
    let r = _mm256_blendv_ps(r, zero, _mm256_cmp_ps::<_CMP_EQ_OQ>(x, zero));
    _mm256_blendv_ps(r, inf, _mm256_cmp_ps::<_CMP_EQ_OQ>(x, inf))
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn pow_pd_avx2(x: __m256d, p: __m256d) -> __m256d {
    let bits = _mm256_castpd_si256(x);
    // Biased exponent as f64 via the 2^52 magic number.
    let magic = _mm256_set1_epi64x(0x4330_0000_0000_0000);
    let e_bits = _mm256_or_si256(_mm256_srli_epi64::<52>(bits), magic);
    let e = _mm256_sub_pd(
        _mm256_castsi256_pd(e_bits),
        _mm256_set1_pd(4_503_599_627_370_496.0 + 1023.0),
    );
    let mant = _mm256_and_si256(bits, _mm256_set1_epi64x(0x000F_FFFF_FFFF_FFFF));
    let one_bits = _mm256_set1_epi64x(0x3FF0_0000_0000_0000);
    let m = _mm256_castsi256_pd(_mm256_or_si256(mant, one_bits));
    let big = _mm256_cmp_pd::<_CMP_GT_OQ>(m, _mm256_set1_pd(SQRT2));
    let m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
    let e = _mm256_add_pd(e, _mm256_and_pd(big, _mm256_set1_pd(1.0)));
    let one = _mm256_set1_pd(1.0);
    let s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
    let s2 = _mm256_mul_pd(s, s);
    let mut poly = _mm256_set1_pd(LOG2_SERIES[10]);
    for &c in LOG2_SERIES[..10].iter().rev() {
        poly = _mm256_fmadd_pd(poly, s2, _mm256_set1_pd(c));
    }
    let log2x = _mm256_fmadd_pd(s, poly, e);
    let t = _mm256_mul_pd(p, log2x);
    let t = _mm256_min_pd(
        _mm256_max_pd(t, _mm256_set1_pd(-T_LIMIT)),
        _mm256_set1_pd(T_LIMIT),
    );
    let k = _mm256_round_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(t);
    let f = _mm256_sub_pd(t, k);
    let mut q = _mm256_set1_pd(EXP2_SERIES[13]);
    for &c in EXP2_SERIES[..13].iter().rev() {
        q = _mm256_fmadd_pd(q, f, _mm256_set1_pd(c));
    }
    // 2^k: k sits in the low bits of k + 1.5·2^52; add the bias and shift into the exponent.
    let kb = _mm256_castpd_si256(_mm256_add_pd(k, _mm256_set1_pd(6_755_399_441_055_744.0)));
    let scale = _mm256_slli_epi64::<52>(_mm256_add_epi64(kb, _mm256_set1_epi64x(1023)));
    _mm256_mul_pd(q, _mm256_castsi256_pd(scale))
}

/// `c[a] + c[a+1]·x` for coefficient pairs.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
fn pair(c: &[f64], a: usize, x: __m512d) -> __m512d {
    _mm512_fmadd_pd(_mm512_set1_pd(c[a + 1]), x, _mm512_set1_pd(c[a]))
}

/// [`LOG2_SERIES`] at `z` by Estrin's scheme: a chain of 4 FMAs instead of 10
/// (the pow is latency-bound).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
fn log2_series_avx512(z: __m512d) -> __m512d {
    let c = &LOG2_SERIES;
    let z2 = _mm512_mul_pd(z, z);
    let z4 = _mm512_mul_pd(z2, z2);
    let z8 = _mm512_mul_pd(z4, z4);
    let q0 = _mm512_fmadd_pd(pair(c, 2, z), z2, pair(c, 0, z));
    let q1 = _mm512_fmadd_pd(pair(c, 6, z), z2, pair(c, 4, z));
    let q2 = _mm512_fmadd_pd(_mm512_set1_pd(c[10]), z2, pair(c, 8, z));
    _mm512_fmadd_pd(q2, z8, _mm512_fmadd_pd(q1, z4, q0))
}

/// [`EXP2_SERIES`] at `x` by Estrin's scheme.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
fn exp2_series_avx512(x: __m512d) -> __m512d {
    let c = &EXP2_SERIES;
    let x2 = _mm512_mul_pd(x, x);
    let x4 = _mm512_mul_pd(x2, x2);
    let x8 = _mm512_mul_pd(x4, x4);
    let q0 = _mm512_fmadd_pd(pair(c, 2, x), x2, pair(c, 0, x));
    let q1 = _mm512_fmadd_pd(pair(c, 6, x), x2, pair(c, 4, x));
    let q2 = _mm512_fmadd_pd(pair(c, 10, x), x2, pair(c, 8, x));
    let q3 = pair(c, 12, x);
    let r0 = _mm512_fmadd_pd(q1, x4, q0);
    let r1 = _mm512_fmadd_pd(q3, x4, q2);
    _mm512_fmadd_pd(r1, x8, r0)
}

/// `x^p` for 16 lanes of `x ≥ 0` (or +∞) and finite `p > 0`.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
pub(crate) fn pow_ps_avx512(x: __m512, p: __m512) -> __m512 {
    let lo = pow_pd_avx512(
        _mm512_cvtps_pd(_mm512_castps512_ps256(x)),
        _mm512_cvtps_pd(_mm512_castps512_ps256(p)),
    );
    let hi = pow_pd_avx512(
        _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
            _mm512_castps_pd(x),
        ))),
        _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd::<1>(
            _mm512_castps_pd(p),
        ))),
    );
    let r = _mm512_castpd_ps(_mm512_insertf64x4::<1>(
        _mm512_castpd256_pd512(_mm256_castps_pd(_mm512_cvtpd_ps(lo))),
        _mm256_castps_pd(_mm512_cvtpd_ps(hi)),
    ));
    let zero = _mm512_setzero_ps();
    let inf = _mm512_set1_ps(f32::INFINITY);
    let r = _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(x, zero), r, zero);
    _mm512_mask_blend_ps(_mm512_cmp_ps_mask::<_CMP_EQ_OQ>(x, inf), r, inf)
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl,avx2,fma")]
fn pow_pd_avx512(x: __m512d, p: __m512d) -> __m512d {
    let bits = _mm512_castpd_si512(x);
    let magic = _mm512_set1_epi64(0x4330_0000_0000_0000);
    let e_bits = _mm512_or_si512(_mm512_srli_epi64::<52>(bits), magic);
    let e = _mm512_sub_pd(
        _mm512_castsi512_pd(e_bits),
        _mm512_set1_pd(4_503_599_627_370_496.0 + 1023.0),
    );
    let mant = _mm512_and_si512(bits, _mm512_set1_epi64(0x000F_FFFF_FFFF_FFFF));
    let one_bits = _mm512_set1_epi64(0x3FF0_0000_0000_0000);
    let m = _mm512_castsi512_pd(_mm512_or_si512(mant, one_bits));
    let big = _mm512_cmp_pd_mask::<_CMP_GT_OQ>(m, _mm512_set1_pd(SQRT2));
    let m = _mm512_mask_mul_pd(m, big, m, _mm512_set1_pd(0.5));
    let e = _mm512_mask_add_pd(e, big, e, _mm512_set1_pd(1.0));
    let one = _mm512_set1_pd(1.0);
    let s = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
    let s2 = _mm512_mul_pd(s, s);
    let poly = log2_series_avx512(s2);
    let log2x = _mm512_fmadd_pd(s, poly, e);
    let t = _mm512_mul_pd(p, log2x);
    let t = _mm512_min_pd(
        _mm512_max_pd(t, _mm512_set1_pd(-T_LIMIT)),
        _mm512_set1_pd(T_LIMIT),
    );
    let k = _mm512_roundscale_pd::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(t);
    let f = _mm512_sub_pd(t, k);
    let q = exp2_series_avx512(f);
    _mm512_scalef_pd(q, k)
}
