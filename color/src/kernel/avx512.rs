//! AVX-512 level (F/BW/VL/DQ): 16 pixels per vector, lattice nodes fetched with gathers,
//! vector loads and stores for packed f32/u16 RGB and u8 RGBA ([`super::avx512_io`]).
//! The shared per-level code is [`super::simd_level`]; this module gives its 16-lane
//! operations. Index arithmetic, shaper and CDL are the scalar reference's operations,
//! lane by lane.

super::simd_level::simd_level!(
    "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,f16c",
    super::avx512_io::Avx512Io
);

/// The 16-lane operations [`super::simd_level`] expects.
mod v {
    use crate::kernel::simd_math::pow3_ps_avx512;
    use std::arch::x86_64::*;

    pub const LANES: usize = 16;
    /// Packed f32 RGB rows take the fused loop ([`super::super::simd_fused`]).
    pub const FUSED_IO: bool = true;
    pub type F = __m512;
    pub type I = __m512i;
    /// A lane mask: one bit per lane.
    pub type M = __mmask16;
    /// The power's constants: none kept apart (32 registers hold them).
    pub type Pow = ();

    macro_rules! ops {
        ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $body:expr;)*) => {$(
            #[inline]
            #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
            pub fn $name($($a: $t),*) -> $r {
                $body
            }
        )*};
    }

    ops! {
        splat(x: f32) -> F = _mm512_set1_ps(x);
        zero() -> F = _mm512_setzero_ps();
        add(a: F, b: F) -> F = _mm512_add_ps(a, b);
        sub(a: F, b: F) -> F = _mm512_sub_ps(a, b);
        mul(a: F, b: F) -> F = _mm512_mul_ps(a, b);
        fmadd(a: F, b: F, c: F) -> F = _mm512_fmadd_ps(a, b, c);
        min(a: F, b: F) -> F = _mm512_min_ps(a, b);
        max(a: F, b: F) -> F = _mm512_max_ps(a, b);
        isplat(x: i32) -> I = _mm512_set1_epi32(x);
        iadd(a: I, b: I) -> I = _mm512_add_epi32(a, b);
        isub(a: I, b: I) -> I = _mm512_sub_epi32(a, b);
        imul(a: I, b: I) -> I = _mm512_mullo_epi32(a, b);
        imin(a: I, b: I) -> I = _mm512_min_epi32(a, b);
        cvtt(a: F) -> I = _mm512_cvttps_epi32(a);
        to_f(a: I) -> F = _mm512_cvtepi32_ps(a);
        ge(a: F, b: F) -> M = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(a, b);
        lt(a: F, b: F) -> M = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(a, b);
        ordered(a: F) -> M = _mm512_cmp_ps_mask::<_CMP_ORD_Q>(a, a);
        and(a: M, b: M) -> M = a & b;
        select(m: M, t: F, f: F) -> F = _mm512_mask_blend_ps(m, f, t);
        iselect(m: M, t: I, f: I) -> I = _mm512_mask_blend_epi32(m, f, t);
        pow3(_c: &Pow, x: [F; 3], p: [F; 3]) -> [F; 3] = pow3_ps_avx512(x, p);
        pow_consts() -> Pow = ();
        iand(a: I, b: I) -> I = _mm512_and_si512(a, b);
        ior(a: I, b: I) -> I = _mm512_or_si512(a, b);
    }

    /// Each lane shifted right by `N` bits (zeros in).
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub fn srli<const N: u32>(a: I) -> I {
        _mm512_srli_epi32::<N>(a)
    }

    /// Each lane shifted left by `N` bits.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub fn slli<const N: u32>(a: I) -> I {
        _mm512_slli_epi32::<N>(a)
    }

    /// The 32-bit words at `t + i` for every lane.
    ///
    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn gather32(t: *const u32, i: I) -> I {
        // SAFETY: the caller's contract.
        unsafe { _mm512_i32gather_epi32::<4>(i, t.cast()) }
    }

    /// The 64-bit words at `t + i` for every lane, as their low and their high halves.
    ///
    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn gather64(t: *const u64, i: I) -> (I, I) {
        let lo = _mm512_castsi512_si256(i);
        let hi = _mm512_extracti64x4_epi64::<1>(i);
        // SAFETY: the caller's contract.
        let (a, b) = unsafe {
            (
                _mm512_i32gather_epi64::<8>(lo, t.cast()),
                _mm512_i32gather_epi64::<8>(hi, t.cast()),
            )
        };
        let even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
        let odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
        (
            _mm512_permutex2var_epi32(a, even, b),
            _mm512_permutex2var_epi32(a, odd, b),
        )
    }

    /// # Safety
    /// `p` must be valid for reading 16 floats.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn load(p: *const f32) -> F {
        // SAFETY: the caller's contract.
        unsafe { _mm512_loadu_ps(p) }
    }

    /// # Safety
    /// `p` must be valid for writing 16 floats.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn store(p: *mut f32, x: F) {
        // SAFETY: the caller's contract.
        unsafe { _mm512_storeu_ps(p, x) }
    }

    /// # Safety
    /// `p` must be valid for reading 16 i32.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn iload(p: *const i32) -> I {
        // SAFETY: the caller's contract.
        unsafe { _mm512_loadu_si512(p.cast()) }
    }

    /// # Safety
    /// `p` must be valid for writing 16 i32.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn istore(p: *mut i32, x: I) {
        // SAFETY: the caller's contract.
        unsafe { _mm512_storeu_si512(p.cast(), x) }
    }

    /// # Safety
    /// `t.add(i)` must be readable for every lane's `i`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn gather(t: *const f32, i: I) -> F {
        // SAFETY: the caller's contract.
        unsafe { _mm512_i32gather_ps::<4>(i, t) }
    }

    /// The R, G, B floats at `nodes + i3` for every lane: R and G as one 64-bit gather
    /// per 8 lanes, B as a 32-bit gather (32 loads per 16 pixels instead of 48).
    ///
    /// # Safety
    /// `nodes.add(i3 + 2)` must be readable for every lane's `i3`.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn fetch_rgb(nodes: *const f32, i3: I) -> [F; 3] {
        let lo = _mm512_castsi512_si256(i3);
        let hi = _mm512_extracti64x4_epi64::<1>(i3);
        // SAFETY: the caller's contract: the 8-byte reads cover R and G, the 4-byte reads B.
        let (rg_lo, rg_hi, b) = unsafe {
            (
                _mm512_castpd_ps(_mm512_i32gather_pd::<4>(lo, nodes.cast::<f64>())),
                _mm512_castpd_ps(_mm512_i32gather_pd::<4>(hi, nodes.cast::<f64>())),
                _mm512_i32gather_ps::<4>(i3, nodes.add(2)),
            )
        };
        let even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0);
        let odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
        [
            _mm512_permutex2var_ps(rg_lo, even, rg_hi),
            _mm512_permutex2var_ps(rg_lo, odd, rg_hi),
            b,
        ]
    }

    /// Four nodes' 16 bytes each (R, G, B and the next sample) at `nodes + o[j]`, in the
    /// four 128-bit lanes.
    ///
    /// # Safety
    /// `nodes.add(o[j] + 3)` must be readable for each j.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    unsafe fn node_quad(nodes: *const f32, o: [i32; 4]) -> F {
        // SAFETY: the caller's contract.
        unsafe {
            let at = |j: usize| _mm_loadu_ps(nodes.offset(o[j] as isize));
            let z = _mm512_castps128_ps512(at(0));
            let z = _mm512_insertf32x4::<1>(z, at(1));
            let z = _mm512_insertf32x4::<2>(z, at(2));
            _mm512_insertf32x4::<3>(z, at(3))
        }
    }

    /// [`fetch_rgb`] for the 16 sample offsets at `i3`, each node read with one 16-byte
    /// load and the 16 nodes transposed to planes.
    ///
    /// # Safety
    /// `i3` must be readable for 16 i32, and `nodes.add(i3[j] + 3)` for each.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")]
    pub unsafe fn fetch_rgb_loads(nodes: *const f32, i3: *const i32) -> [F; 3] {
        // SAFETY: the caller's contract.
        let [a, b, c, d] = unsafe {
            let o = |j: usize| *i3.add(j);
            let quad = |k: usize| node_quad(nodes, [o(k), o(k + 4), o(k + 8), o(k + 12)]);
            [quad(0), quad(1), quad(2), quad(3)]
        };
        // Lane l of a, b, c, d holds pixel 4l, 4l + 1, 4l + 2, 4l + 3: per lane t0 = R0 R1
        // G0 G1, t2 = R2 R3 G2 G3 (of those four pixels), t1 and t3 the B and padding.
        let (t0, t1) = (_mm512_unpacklo_ps(a, b), _mm512_unpackhi_ps(a, b));
        let (t2, t3) = (_mm512_unpacklo_ps(c, d), _mm512_unpackhi_ps(c, d));
        let pd = _mm512_castps_pd;
        [
            _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t0), pd(t2))),
            _mm512_castpd_ps(_mm512_unpackhi_pd(pd(t0), pd(t2))),
            _mm512_castpd_ps(_mm512_unpacklo_pd(pd(t1), pd(t3))),
        ]
    }
}
