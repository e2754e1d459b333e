//! AVX2 + FMA level: 8 pixels per vector, lattice nodes fetched with gathers, vector
//! loads and stores for packed f32/u16 RGB and u8 RGBA ([`super::avx2_io`]). The shared
//! per-level code is [`super::simd_level`]; this module gives its 8-lane operations.
//! Index arithmetic, shaper and CDL are the scalar reference's operations, lane by lane.

super::simd_level::simd_level!("avx2,fma,f16c", super::avx2_io::Avx2Io);

/// The 8-lane operations [`super::simd_level`] expects.
mod v {
    use crate::kernel::simd_math::{pow3_ps_avx2, PowAvx2};
    use std::arch::x86_64::*;

    pub const LANES: usize = 8;
    /// Packed f32 RGB rows take the fused loop ([`super::super::simd_fused`]): not at
    /// AVX2, where it renders tetra33-f32 and tetra65-f32 5 % slower (16 registers hold
    /// less of its constants) and the CDL workload 6 % slower (A/B, thread CPU time, load 3-4).
    pub const FUSED_IO: bool = false;
    pub type F = __m256;
    pub type I = __m256i;
    /// A lane mask: all bits set in the lanes where it holds.
    pub type M = __m256;
    /// The power's constants.
    pub type Pow = PowAvx2;

    macro_rules! ops {
        ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:expr;)*) => {$(
            #[inline]
            #[target_feature(enable = "avx2,fma")]
            pub fn $name($($a: $t),*) -> $r {
                $body
            }
        )*};
    }

    ops! {
        splat(x: f32) -> F = _mm256_set1_ps(x);
        zero() -> F = _mm256_setzero_ps();
        add(a: F, b: F) -> F = _mm256_add_ps(a, b);
        sub(a: F, b: F) -> F = _mm256_sub_ps(a, b);
        mul(a: F, b: F) -> F = _mm256_mul_ps(a, b);
        fmadd(a: F, b: F, c: F) -> F = _mm256_fmadd_ps(a, b, c);
        min(a: F, b: F) -> F = _mm256_min_ps(a, b);
        max(a: F, b: F) -> F = _mm256_max_ps(a, b);
        isplat(x: i32) -> I = _mm256_set1_epi32(x);
        iadd(a: I, b: I) -> I = _mm256_add_epi32(a, b);
        isub(a: I, b: I) -> I = _mm256_sub_epi32(a, b);
        imul(a: I, b: I) -> I = _mm256_mullo_epi32(a, b);
        imin(a: I, b: I) -> I = _mm256_min_epi32(a, b);
        cvtt(a: F) -> I = _mm256_cvttps_epi32(a);
        to_f(a: I) -> F = _mm256_cvtepi32_ps(a);
        ge(a: F, b: F) -> M = _mm256_cmp_ps::<_CMP_GE_OQ>(a, b);
        lt(a: F, b: F) -> M = _mm256_cmp_ps::<_CMP_LT_OQ>(a, b);
        ordered(a: F) -> M = _mm256_cmp_ps::<_CMP_ORD_Q>(a, a);
        and(a: M, b: M) -> M = _mm256_and_ps(a, b);
        select(m: M, t: F, f: F) -> F = _mm256_blendv_ps(f, t, m);
        iselect(m: M, t: I, f: I) -> I = _mm256_blendv_epi8(f, t, _mm256_castps_si256(m));
        pow3(c: &Pow, x: [F; 3], p: [F; 3]) -> [F; 3] = pow3_ps_avx2(c, x, p);
        pow_consts() -> Pow = PowAvx2::new();
        iand(a: I, b: I) -> I = _mm256_and_si256(a, b);
        ior(a: I, b: I) -> I = _mm256_or_si256(a, b);
    }

    /// Each lane shifted right by `N` bits (zeros in).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub fn srli<const N: i32>(a: I) -> I {
        _mm256_srli_epi32::<N>(a)
    }

    /// Each lane shifted left by `N` bits.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub fn slli<const N: i32>(a: I) -> I {
        _mm256_slli_epi32::<N>(a)
    }

    /// The 32-bit words at `t + i` for every lane.
    ///
    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gather32(t: *const u32, i: I) -> I {
        // SAFETY: the caller's contract.
        unsafe { _mm256_i32gather_epi32::<4>(t.cast(), i) }
    }

    /// The 64-bit words at `t + i` for every lane, as their low and their high halves.
    ///
    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gather64(t: *const u64, i: I) -> (I, I) {
        let lo = _mm256_castsi256_si128(i);
        let hi = _mm256_extracti128_si256::<1>(i);
        // SAFETY: the caller's contract.
        let (a, b) = unsafe {
            (
                _mm256_castsi256_ps(_mm256_i32gather_epi64::<8>(t.cast(), lo)),
                _mm256_castsi256_ps(_mm256_i32gather_epi64::<8>(t.cast(), hi)),
            )
        };
        // As in `fetch_rgb`: per 128-bit half words of pixels 0 1 4 5 | 2 3 6 7.
        let order =
            |x: F| _mm256_castpd_si256(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(x)));
        (
            order(_mm256_shuffle_ps::<0b10_00_10_00>(a, b)),
            order(_mm256_shuffle_ps::<0b11_01_11_01>(a, b)),
        )
    }

    /// # Safety
    /// `p` must be valid for reading 8 floats.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn load(p: *const f32) -> F {
        // SAFETY: the caller's contract.
        unsafe { _mm256_loadu_ps(p) }
    }

    /// # Safety
    /// `p` must be valid for writing 8 floats.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn store(p: *mut f32, x: F) {
        // SAFETY: the caller's contract.
        unsafe { _mm256_storeu_ps(p, x) }
    }

    /// # Safety
    /// `p` must be valid for reading 8 i32.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn iload(p: *const i32) -> I {
        // SAFETY: the caller's contract.
        unsafe { _mm256_loadu_si256(p.cast()) }
    }

    /// # Safety
    /// `p` must be valid for writing 8 i32.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn istore(p: *mut i32, x: I) {
        // SAFETY: the caller's contract.
        unsafe { _mm256_storeu_si256(p.cast(), x) }
    }

    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn gather(t: *const f32, i: I) -> F {
        // SAFETY: the caller's contract.
        unsafe { _mm256_i32gather_ps::<4>(t, i) }
    }

    /// The R, G, B floats at `nodes + i3` for every lane: R and G as one 64-bit gather
    /// per 4 lanes, B as a 32-bit gather (16 loads per 8 pixels instead of 24).
    ///
    /// # Safety
    /// `nodes.add(i3 + 2)` must be readable for every lane's `i3`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fetch_rgb(nodes: *const f32, i3: I) -> [F; 3] {
        let lo = _mm256_castsi256_si128(i3);
        let hi = _mm256_extracti128_si256::<1>(i3);
        // SAFETY: the caller's contract: the 8-byte reads cover R and G, the 4-byte reads B.
        let (rg_lo, rg_hi, b) = unsafe {
            (
                _mm256_castpd_ps(_mm256_i32gather_pd::<4>(nodes.cast::<f64>(), lo)),
                _mm256_castpd_ps(_mm256_i32gather_pd::<4>(nodes.cast::<f64>(), hi)),
                _mm256_i32gather_ps::<4>(nodes.add(2), i3),
            )
        };
        // Per 128-bit half: R of pixels 0 1 4 5 | 2 3 6 7 (G likewise); the 64-bit
        // permute puts the pairs in pixel order.
        let r = _mm256_shuffle_ps::<0b10_00_10_00>(rg_lo, rg_hi);
        let g = _mm256_shuffle_ps::<0b11_01_11_01>(rg_lo, rg_hi);
        let order =
            |x: F| _mm256_castpd_ps(_mm256_permute4x64_pd::<0b11_01_10_00>(_mm256_castps_pd(x)));
        [order(r), order(g), b]
    }

    /// Two nodes' 16 bytes each (R, G, B and the next sample) at `nodes + a`, `nodes + b`,
    /// in the low and the high 128-bit half.
    ///
    /// # Safety
    /// `nodes.add(a + 3)` and `nodes.add(b + 3)` must be readable.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn node_pair(nodes: *const f32, a: i32, b: i32) -> F {
        // SAFETY: the caller's contract.
        unsafe {
            _mm256_insertf128_ps::<1>(
                _mm256_castps128_ps256(_mm_loadu_ps(nodes.offset(a as isize))),
                _mm_loadu_ps(nodes.offset(b as isize)),
            )
        }
    }

    /// [`fetch_rgb`] for the 8 sample offsets at `i3`, each node read with one 16-byte
    /// load and the 8 nodes transposed to planes.
    ///
    /// # Safety
    /// `i3` must be readable for 8 i32, and `nodes.add(i3[j] + 3)` for each.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fetch_rgb_loads(nodes: *const f32, i3: *const i32) -> [F; 3] {
        // SAFETY: the caller's contract.
        let [a, b, c, d] = unsafe {
            let o = |j: usize| *i3.add(j);
            [
                node_pair(nodes, o(0), o(4)),
                node_pair(nodes, o(1), o(5)),
                node_pair(nodes, o(2), o(6)),
                node_pair(nodes, o(3), o(7)),
            ]
        };
        // Per 128-bit half h: t0 = R0 R1 G0 G1, t2 = R2 R3 G2 G3 of pixels 4h..4h + 4.
        let (t0, t1) = (_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b));
        let (t2, t3) = (_mm256_unpacklo_ps(c, d), _mm256_unpackhi_ps(c, d));
        let pd = _mm256_castps_pd;
        [
            _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t0), pd(t2))),
            _mm256_castpd_ps(_mm256_unpackhi_pd(pd(t0), pd(t2))),
            _mm256_castpd_ps(_mm256_unpacklo_pd(pd(t1), pd(t3))),
        ]
    }
}
