//! Powers, `exp2` and `log2` over planes of lanes (arrays of `N` values, `N` a multiple
//! of 16) for the live bake's stage loops, at a vector level chosen at compile time.
//!
//! At AVX-512 ([`AVX512`]) in explicit intrinsics, the render kernels' approach
//! ([`crate::kernel::pow`]): `vgetexpps`/`vgetmantps` split x = 2^e·m, `vpermt2ps`
//! looks up the mantissa's cell (32 cells, its top five bits) for 1/c and log₂ c, a
//! degree-3 polynomial gives log₂(m/c) (|m/c − 1| ≤ 1/32), `vrndscaleps`
//! splits t = p·log₂x (clamped to [−126, 127] as the portable `exp2` clamps it: ±∞ and
//! NaN saturate alike at every level) into k + f, a degree-5 polynomial gives 2^f and
//! `vscalefps` applies 2^k: about 22 instructions a power, where
//! LLVM's code for [`crate::output::fastmath32`]'s scalar-style power is about 32. The
//! kernels' power itself is bit-exact against its scalar reference (a two-float p·e,
//! two reductions): not needed here, where f32 rounding of the stages dominates.
//! Other levels run [`crate::output::fastmath32`] in a loop the compiler vectorises.
//!
//! Accuracy (tested below against f64): `pow` within 3e-7·(1 + |p·log₂x|) relative,
//! as [`crate::output::fastmath32::pow`]; `exp2` within 3e-7 relative; `log2` within
//! 4e-7 + 6e-8·|log₂x| absolute, as [`crate::output::fastmath32::log2`].

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

use crate::output::fastmath32;

mod pq;

pub(crate) use pq::{pq, PqCurve};

/// The vector level of a lane loop: portable (no intrinsics).
pub(crate) const PORTABLE: u8 = 0;
/// AVX2 (and FMA).
pub(crate) const AVX2: u8 = 1;
/// AVX-512 F/VL/BW/DQ.
pub(crate) const AVX512: u8 = 2;

/// `1/c` of 32 mantissa cells `[1 + j/32, 1 + (j+1)/32)` (`c` the cell's centre, 1 for
/// the cell holding 1), rounded to f32: twice the kernels' 16 cells
/// ([`crate::kernel::pow`]), so that a degree-3 polynomial does (one multiply-add fewer
/// per power; `vpermt2ps` reads two 16-entry halves at the cost of one `vpermps`).
#[cfg(target_arch = "x86_64")]
const LOG2_INV_CENTRE: [f32; 32] = bits32([
    0x3f800000, 0x3f74898d, 0x3f6d7304, 0x3f66c2b4, 0x3f607038, 0x3f5a740e, 0x3f54c77b, 0x3f4f6475,
    0x3f4a4588, 0x3f4565c8, 0x3f40c0c1, 0x3f3c5264, 0x3f381703, 0x3f340b41, 0x3f302c0b, 0x3f2c7692,
    0x3f28e83f, 0x3f257eb5, 0x3f2237c3, 0x3f1f1166, 0x3f1c09c1, 0x3f191f1a, 0x3f164fda, 0x3f139a86,
    0x3f10fdbc, 0x3f0e7835, 0x3f0c08c1, 0x3f09ae41, 0x3f0767ab, 0x3f053408, 0x3f03126f, 0x3f010204,
]);

/// `−log₂` of each rounded `1/c` above (so m·(1/c) = 1 + r and log₂ m = this + log₂(1 + r)).
#[cfg(target_arch = "x86_64")]
const LOG2_CELL: [f32; 32] = bits32([
    0x00000000, 0x3d8759c9, 0x3dde420e, 0x3e195751, 0x3e42615f, 0x3e6a4f70, 0x3e88983f, 0x3e9b8925,
    0x3eae00d1, 0x3ec0052d, 0x3ed19baf, 0x3ee2c97e, 0x3ef39355, 0x3f01fed4, 0x3f0a0650, 0x3f11e20e,
    0x3f1993e4, 0x3f211d84, 0x3f28808d, 0x3f2fbe7f, 0x3f36d8ca, 0x3f3dd0c9, 0x3f44a7bb, 0x3f4b5ed6,
    0x3f51f740, 0x3f58720a, 0x3f5ed038, 0x3f6512c6, 0x3f6b3aa0, 0x3f7148a2, 0x3f773da2, 0x3f7d1a71,
]);

/// `log₂(1 + r) ≈ r·(c₁ + c₂r + c₃r²)` for −0.0150 ≤ r ≤ 1/32 (fitted towards the
/// minimax: 4.0e-8 absolute; the kernels' degree 4 on their 16 cells: 4e-9).
#[cfg(target_arch = "x86_64")]
const LOG2_POLY: [f32; 3] = [1.442_696_1, -0.721_373_26, 0.470_961_5];

#[cfg(target_arch = "x86_64")]
const fn bits32(b: [u32; 32]) -> [f32; 32] {
    let mut out = [0.0; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = f32::from_bits(b[i]);
        i += 1;
    }
    out
}

/// `2^f` on f ∈ [−½, ½], degree 5 with p(0) = 1: [`fastmath32`]'s.
const EXP2_POLY: [f32; 6] = fastmath32::EXP2_POLY;

/// Every lane `x` of `plane` to `x^p` (`x ≤ 0`, −∞ and NaN give 0). The exponent p·log₂x
/// is clamped to [−126, 127] as in [`exp2`], so +∞ and overflowing lanes give a finite
/// value (2¹²⁷ at AVX-512; 2^min(128p, 127) in the portable code, which reads log₂∞ as
/// 128), never ∞ or NaN, and results under 2⁻¹²⁶ give 2⁻¹²⁶. Subnormal `x` (p > 0) give
/// at most max(`MIN_POSITIVE^p`, 2⁻¹²⁶): the portable code reads their log₂ as about
/// −127, AVX-512 exactly.
///
/// # Safety
/// The CPU must support level `L`.
#[inline(always)]
pub(crate) unsafe fn pow<const F: bool, const L: u8, const N: usize>(plane: &mut [f32; N], p: f32) {
    #[cfg(target_arch = "x86_64")]
    if L == AVX512 {
        // SAFETY: the caller's level.
        return unsafe { avx512::pow_plane(plane, p) };
    }
    for x in plane.iter_mut() {
        *x = fastmath32::pow::<F>(*x, p);
    }
}

/// Every lane `x` of `plane` to `x^p` for the lane's own `p` (`x ≤ 0` and NaN give 0).
///
/// # Safety
/// The CPU must support level `L`.
#[inline(always)]
pub(crate) unsafe fn pow_each<const F: bool, const L: u8, const N: usize>(
    plane: &mut [f32; N],
    p: &[f32; N],
) {
    #[cfg(target_arch = "x86_64")]
    if L == AVX512 {
        // SAFETY: the caller's level.
        return unsafe { avx512::pow_each_plane(plane, p) };
    }
    for (x, &p) in plane.iter_mut().zip(p) {
        *x = fastmath32::pow::<F>(*x, p);
    }
}

/// Every lane `x` of `plane` to 2^x, x clamped to [−126, 127] at every level (NaN and −∞
/// give 2⁻¹²⁶, +∞ gives 2¹²⁷: no infinity, no NaN, no subnormal).
///
/// # Safety
/// The CPU must support level `L`.
#[inline(always)]
pub(crate) unsafe fn exp2<const F: bool, const L: u8, const N: usize>(plane: &mut [f32; N]) {
    #[cfg(target_arch = "x86_64")]
    if L == AVX512 {
        // SAFETY: the caller's level.
        return unsafe { avx512::exp2_plane(plane) };
    }
    for x in plane.iter_mut() {
        *x = fastmath32::exp2::<F>(*x);
    }
}

/// Every lane `x` of `plane` to log₂x: positive normal and subnormal lanes at every level
/// (the portable code scales subnormals by 2²⁴ first); +0 gives −∞, +∞ gives +∞, NaN
/// and negative lanes NaN.
///
/// # Safety
/// The CPU must support level `L`.
#[inline(always)]
pub(crate) unsafe fn log2<const F: bool, const L: u8, const N: usize>(plane: &mut [f32; N]) {
    #[cfg(target_arch = "x86_64")]
    if L == AVX512 {
        // SAFETY: the caller's level.
        return unsafe { avx512::log2_plane(plane) };
    }
    const TWO_24: f32 = 16_777_216.0;
    for x in plane.iter_mut() {
        let v = *x;
        let small = v < f32::MIN_POSITIVE;
        let y = fastmath32::log2::<F>(if small { v * TWO_24 } else { v });
        let y = if small { y - 24.0 } else { y };
        *x = if v > 0.0 && v < f32::INFINITY {
            y
        } else if v == 0.0 {
            f32::NEG_INFINITY
        } else if v == f32::INFINITY {
            v
        } else {
            f32::NAN
        };
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::*;

    const NEAREST: i32 = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;

    /// The 16-lane vectors of a plane.
    macro_rules! vectors {
        ($plane:expr) => {{
            const { assert!(N % 16 == 0) };
            $plane.chunks_exact_mut(16)
        }};
    }

    /// # Safety
    /// The CPU must support AVX-512 F/VL/BW/DQ; `N` is a multiple of 16.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn pow_plane<const N: usize>(plane: &mut [f32; N], p: f32) {
        let p = _mm512_set1_ps(p);
        for v in vectors!(plane) {
            // SAFETY: `v` holds 16 floats.
            unsafe { _mm512_storeu_ps(v.as_mut_ptr(), pow(_mm512_loadu_ps(v.as_ptr()), p)) };
        }
    }

    /// # Safety
    /// As [`pow_plane`].
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn pow_each_plane<const N: usize>(plane: &mut [f32; N], p: &[f32; N]) {
        for (v, p) in vectors!(plane).zip(p.chunks_exact(16)) {
            // SAFETY: `v` and `p` hold 16 floats each.
            unsafe {
                let x = pow(_mm512_loadu_ps(v.as_ptr()), _mm512_loadu_ps(p.as_ptr()));
                _mm512_storeu_ps(v.as_mut_ptr(), x);
            }
        }
    }

    /// # Safety
    /// As [`pow_plane`].
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn exp2_plane<const N: usize>(plane: &mut [f32; N]) {
        for v in vectors!(plane) {
            // SAFETY: `v` holds 16 floats.
            unsafe { _mm512_storeu_ps(v.as_mut_ptr(), exp2(_mm512_loadu_ps(v.as_ptr()))) };
        }
    }

    /// # Safety
    /// As [`pow_plane`].
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn log2_plane<const N: usize>(plane: &mut [f32; N]) {
        for v in vectors!(plane) {
            // SAFETY: `v` holds 16 floats.
            unsafe { _mm512_storeu_ps(v.as_mut_ptr(), log2(_mm512_loadu_ps(v.as_ptr()))) };
        }
    }

    /// A 32-entry table as two vectors, for `vpermt2ps`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) fn table(t: &[f32; 32]) -> [__m512; 2] {
        // SAFETY: t holds 32 floats: 16 at t[0] and 16 at t[16].
        unsafe {
            [
                _mm512_loadu_ps(t.as_ptr()),
                _mm512_loadu_ps(t.as_ptr().add(16)),
            ]
        }
    }

    /// log₂x of positive normal or subnormal lanes; +0 gives −∞ (`vgetexpps`), +∞ gives
    /// +∞, NaN and negative lanes NaN (`vgetmantps` with the sign set to NaN).
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) fn log2(x: __m512) -> __m512 {
        let set = _mm512_set1_ps;
        let e = _mm512_getexp_ps(x);
        let m = _mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_NAN>(x);
        // The mantissa's top five bits (vpermt2ps reads an index's low five).
        let j = _mm512_srli_epi32::<18>(_mm512_castps_si512(m));
        let look = |t: &[f32; 32]| {
            let [lo, hi] = table(t);
            _mm512_permutex2var_ps(lo, j, hi)
        };
        let r = _mm512_fmsub_ps(m, look(&LOG2_INV_CENTRE), set(1.0));
        let [c1, c2, c3] = LOG2_POLY.map(|c| set(c));
        let poly = _mm512_fmadd_ps(_mm512_fmadd_ps(c3, r, c2), r, c1);
        let u = _mm512_fmadd_ps(r, poly, look(&LOG2_CELL));
        _mm512_add_ps(e, u)
    }

    /// `t` clamped to [−126, 127] as [`fastmath32::exp2`] clamps it (NaN gives −126:
    /// `vmaxps` returns its second operand when one is NaN, as `f32::max` does), so that
    /// ±∞ and NaN never reach `t − round(t)` (∞ − ∞ is NaN) and the levels saturate alike.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    fn clamp_exponent(t: __m512) -> __m512 {
        _mm512_min_ps(
            _mm512_max_ps(t, _mm512_set1_ps(-126.0)),
            _mm512_set1_ps(127.0),
        )
    }

    /// 2^t for t clamped to [−126, 127] ([`clamp_exponent`]).
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    fn exp2(t: __m512) -> __m512 {
        let t = clamp_exponent(t);
        let k = _mm512_roundscale_ps::<NEAREST>(t);
        let f = _mm512_sub_ps(t, k);
        let mut q = _mm512_set1_ps(EXP2_POLY[5]);
        for &c in EXP2_POLY[..5].iter().rev() {
            q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(c));
        }
        _mm512_scalef_ps(q, k)
    }

    /// x^p; lanes with x not above 0 (NaN included) give 0.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    fn pow(x: __m512, p: __m512) -> __m512 {
        let positive = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(x, _mm512_setzero_ps());
        let t = clamp_exponent(_mm512_mul_ps(p, log2(x)));
        let k = _mm512_roundscale_ps::<NEAREST>(t);
        let f = _mm512_sub_ps(t, k);
        let mut q = _mm512_set1_ps(EXP2_POLY[5]);
        for &c in EXP2_POLY[..5].iter().rev() {
            q = _mm512_fmadd_ps(q, f, _mm512_set1_ps(c));
        }
        _mm512_maskz_scalef_ps(positive, q, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points over every binade from 2⁻¹²⁶ to 2¹²⁷, 97 per binade, in planes of 64.
    fn wide() -> Vec<[f32; 64]> {
        let v: Vec<f32> = (0..253 * 97)
            .map(|i| 2f64.powf(i as f64 / 97.0 - 126.0) as f32)
            .collect();
        v.chunks(64)
            .map(|c| {
                let mut p = [1.0f32; 64];
                p[..c.len()].copy_from_slice(c);
                p
            })
            .collect()
    }

    /// The levels this CPU has (the portable one always); the others are printed.
    pub(super) fn levels() -> Vec<u8> {
        use crate::kernel::CpuLevel;
        let mut out = vec![PORTABLE];
        for (level, cpu) in [(AVX2, CpuLevel::Avx2), (AVX512, CpuLevel::Avx512)] {
            match cfg!(target_arch = "x86_64") && cpu.is_supported() {
                true => out.push(level),
                false => eprintln!("skipped: this CPU has no {cpu}"),
            }
        }
        out
    }

    #[derive(Clone, Copy, Debug)]
    pub(super) enum Op<'a> {
        Pow(f32),
        Exp2,
        Log2,
        Pq(&'a PqCurve),
    }

    /// # Safety
    /// The CPU must support level `L`.
    #[inline(always)]
    unsafe fn body<const F: bool, const L: u8>(plane: &mut [f32; 64], op: Op<'_>) {
        match op {
            // SAFETY: the caller's level.
            Op::Pow(p) => unsafe { pow::<F, L, 64>(plane, p) },
            // SAFETY: the caller's level.
            Op::Exp2 => unsafe { exp2::<F, L, 64>(plane) },
            // SAFETY: the caller's level.
            Op::Log2 => unsafe { log2::<F, L, 64>(plane) },
            // SAFETY: the caller's level.
            Op::Pq(curve) => unsafe { pq::<F, L, 64>(plane, curve) },
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn body_avx512(plane: &mut [f32; 64], op: Op<'_>) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { body::<true, AVX512>(plane, op) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn body_avx2(plane: &mut [f32; 64], op: Op<'_>) {
        // SAFETY: this function runs where the CPU has AVX2 and FMA.
        unsafe { body::<true, AVX2>(plane, op) }
    }

    /// `op` over `plane` at `level` (one of [`levels`]).
    pub(super) fn run(level: u8, plane: &mut [f32; 64], op: Op<'_>) {
        match level {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `levels` lists the supported levels only.
            AVX512 => unsafe { body_avx512(plane, op) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: as above.
            AVX2 => unsafe { body_avx2(plane, op) },
            // SAFETY: the portable level runs everywhere.
            _ => unsafe { body::<{ fastmath32::PORTABLE_FMA }, PORTABLE>(plane, op) },
        }
    }

    fn pow_at(level: u8, plane: &mut [f32; 64], p: f32) {
        run(level, plane, Op::Pow(p));
    }

    /// Lanes 0..9 of the special-input plane: ∞, −∞, NaN, +0, −1, 1, and subnormals
    /// (the largest, 1e-40, the smallest).
    const SPECIAL: [f32; 9] = [
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        0.0,
        -1.0,
        1.0,
        f32::MIN_POSITIVE * (1.0 - f32::EPSILON),
        1e-40,
        1e-45,
    ];

    fn special(level: u8, op: Op<'_>) -> [f32; 9] {
        let mut plane = [1.0f32; 64];
        plane[..9].copy_from_slice(&SPECIAL);
        run(level, &mut plane, op);
        plane[..9].try_into().unwrap()
    }

    /// ∞, −∞, NaN, 0 and subnormal lanes give the documented values at every level.
    #[test]
    fn special_inputs_agree_at_every_level() {
        for level in levels() {
            let l = special(level, Op::Log2);
            assert_eq!(l[0], f32::INFINITY, "level {level}: log2 ∞");
            assert!(
                l[1].is_nan() && l[2].is_nan() && l[4].is_nan(),
                "level {level}: {l:?}"
            );
            assert_eq!(l[3], f32::NEG_INFINITY, "level {level}: log2 0");
            assert!(l[5].abs() <= 4e-7, "level {level}: log2 1 = {}", l[5]);
            for (x, y) in SPECIAL[6..].iter().zip(&l[6..]) {
                let want = f64::from(*x).log2();
                let e = (f64::from(*y) - want).abs();
                assert!(
                    e <= 4e-7 + 6e-8 * want.abs(),
                    "level {level}: log2 {x:e} = {y}"
                );
            }
            let e = special(level, Op::Exp2);
            let (top, bottom) = (2f32.powi(127), f32::MIN_POSITIVE);
            assert_eq!(
                e[..4],
                [top, bottom, bottom, 1.0],
                "level {level}: exp2 {e:?}"
            );
            assert!(
                e[6..].iter().all(|&y| y == 1.0),
                "level {level}: exp2 {e:?}"
            );
            for p in [0.42f32, 1.0 / 0.42, 2.2] {
                let y = special(level, Op::Pow(p));
                let most = f64::from(f32::MAX).powf(f64::from(p)).min(2f64.powi(127));
                assert!(
                    y[0].is_finite() && f64::from(y[0]) >= most * (1.0 - 1e-6),
                    "level {level}: ∞^{p} = {}",
                    y[0]
                );
                assert_eq!(y[1..5], [0.0; 4], "level {level}: pow {p}: {y:?}");
                assert_eq!(y[5], 1.0, "level {level}: 1^{p}");
                let most = f64::from(f32::MIN_POSITIVE)
                    .powf(f64::from(p))
                    .max(f64::from(f32::MIN_POSITIVE));
                for (x, v) in SPECIAL[6..].iter().zip(&y[6..]) {
                    let v = f64::from(*v);
                    assert!(
                        v > 0.0 && v <= most * (1.0 + 1e-6),
                        "level {level}: {x:e}^{p} = {v:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn pow_is_within_its_stated_error_at_every_level() {
        for level in levels() {
            for p in [0.42f32, 1.0 / 0.42, 0.3, 1.15, 0.88, 1.0 / 2.4, 2.2] {
                for plane in wide() {
                    let mut got = plane;
                    pow_at(level, &mut got, p);
                    for (&x, &y) in plane.iter().zip(&got) {
                        let want = f64::from(x).powf(f64::from(p));
                        if !(1e-37..1e37).contains(&want) {
                            continue;
                        }
                        let rel = (f64::from(y) - want).abs() / want;
                        let t = (f64::from(p) * f64::from(x).log2()).abs();
                        assert!(rel <= 3e-7 * (1.0 + t), "level {level}: {x}^{p}: {rel:e}");
                    }
                }
                let mut special = [0.0f32; 64];
                special[1] = -1.0;
                special[2] = f32::NAN;
                special[3] = 1.0;
                pow_at(level, &mut special, p);
                assert_eq!(&special[..4], &[0.0, 0.0, 0.0, 1.0], "level {level}");
            }
        }
    }

    #[test]
    fn log2_is_within_its_stated_error_at_every_level() {
        for level in levels() {
            for plane in wide() {
                let mut got = plane;
                run(level, &mut got, Op::Log2);
                for (&x, &y) in plane.iter().zip(&got) {
                    let want = f64::from(x).log2();
                    let e = (f64::from(y) - want).abs();
                    assert!(
                        e <= 4e-7 + 6e-8 * want.abs(),
                        "level {level}: log2 {x}: {e:e}"
                    );
                }
            }
        }
    }

    #[test]
    fn exp2_is_within_its_stated_error_at_every_level() {
        for level in levels() {
            let mut worst = 0.0f64;
            for start in (0..250_000).step_by(64) {
                let plane: [f32; 64] = std::array::from_fn(|i| -125.0 + (start + i) as f32 * 0.001);
                let mut got = plane;
                run(level, &mut got, Op::Exp2);
                for (&x, &y) in plane.iter().zip(&got) {
                    let want = 2f64.powf(f64::from(x));
                    worst = worst.max((f64::from(y) - want).abs() / want);
                }
            }
            assert!(worst <= 3e-7, "level {level}: exp2 {worst:e}");
        }
    }
}
