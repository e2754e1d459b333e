//! AVX2 vector loads and stores of whole groups of 8 pixels for packed f32 RGB, u16 RGB
//! and u8 RGBA (the rest goes through the generic loops). Decoding and encoding are the
//! scalar [`CodeScale`] operations, lane by lane.
//!
//! Eight RGB pixels are three vectors `a b c` of 8 samples; channel `ch` of pixel `j` is
//! sample `3j + ch`, so in each vector position `i` holds channel `(i + 8·v) mod 3`. One
//! blend of the three vectors per channel gathers its samples in a fixed scrambled order
//! and one lane permute puts them in pixel order; storing runs the same steps backwards.

use super::frame::CodeScale;
use super::rows::{rest_in, rest_out, Block, FastIo, BLOCK};
use std::arch::x86_64::*;

/// Vector I/O of the AVX2 level.
pub(crate) struct Avx2Io;

/// Positions of vector `v` (0..3) that hold channel `ch`, as a blend mask.
const fn mask(v: usize, ch: usize) -> i32 {
    let mut m = 0;
    let mut i = 0;
    while i < 8 {
        if (8 * v + i) % 3 == ch {
            m |= 1 << i;
        }
        i += 1;
    }
    m
}

/// For channel `ch`: position `i` of the blended vector holds pixel `(8·v + i) / 3` where
/// `v` is the vector that owns position `i` for this channel.
const fn scrambled(ch: usize) -> [i32; 8] {
    let mut px = [0i32; 8];
    let mut i = 0;
    while i < 8 {
        let mut v = 0;
        while v < 3 {
            if (8 * v + i) % 3 == ch {
                px[i] = ((8 * v + i) / 3) as i32;
            }
            v += 1;
        }
        i += 1;
    }
    px
}

/// The permute that takes the scrambled vector of `ch` to pixel order (and its inverse).
const fn to_pixel_order(ch: usize) -> ([i32; 8], [i32; 8]) {
    let s = scrambled(ch);
    let mut fwd = [0i32; 8];
    let mut i = 0;
    while i < 8 {
        fwd[s[i] as usize] = i as i32;
        i += 1;
    }
    (fwd, s)
}

const ORDER: [([i32; 8], [i32; 8]); 3] = [to_pixel_order(0), to_pixel_order(1), to_pixel_order(2)];

#[inline]
#[target_feature(enable = "avx2")]
fn idx(v: &[i32; 8]) -> __m256i {
    // SAFETY: a 32-byte read of an 8 × i32 array.
    unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
}

/// Takes each position from `a`, `b` or `c`, whichever holds channel `CH` there.
#[inline]
#[target_feature(enable = "avx2")]
fn pick<const MB: i32, const MC: i32>(a: __m256i, b: __m256i, c: __m256i) -> __m256i {
    _mm256_blend_epi32::<MC>(_mm256_blend_epi32::<MB>(a, b), c)
}

/// Three vectors of 8 interleaved RGB samples → R, G, B in pixel order.
#[inline]
#[target_feature(enable = "avx2")]
fn deinterleave(a: __m256i, b: __m256i, c: __m256i) -> [__m256i; 3] {
    let r = pick::<{ mask(1, 0) }, { mask(2, 0) }>(a, b, c);
    let g = pick::<{ mask(1, 1) }, { mask(2, 1) }>(a, b, c);
    let bl = pick::<{ mask(1, 2) }, { mask(2, 2) }>(a, b, c);
    let order = |v, ch: usize| _mm256_permutevar8x32_epi32(v, idx(&ORDER[ch].0));
    [order(r, 0), order(g, 1), order(bl, 2)]
}

/// R, G, B in pixel order → three vectors of 8 interleaved samples.
#[inline]
#[target_feature(enable = "avx2")]
fn interleave(r: __m256i, g: __m256i, b: __m256i) -> [__m256i; 3] {
    let [r, g, b] =
        [(r, 0), (g, 1), (b, 2)].map(|(v, ch)| _mm256_permutevar8x32_epi32(v, idx(&ORDER[ch].1)));
    [
        pick::<{ mask(0, 1) }, { mask(0, 2) }>(r, g, b),
        pick::<{ mask(1, 1) }, { mask(1, 2) }>(r, g, b),
        pick::<{ mask(2, 1) }, { mask(2, 2) }>(r, g, b),
    ]
}

#[inline]
#[target_feature(enable = "avx2")]
fn decode(codes: __m256i, s: &CodeScale) -> __m256 {
    let x = _mm256_cvtepi32_ps(codes);
    _mm256_add_ps(
        _mm256_mul_ps(x, _mm256_set1_ps(s.dec_mul)),
        _mm256_set1_ps(s.dec_add),
    )
}

/// [`CodeScale::encode`]: scale, clamp (NaN → 0), round half to even (the default MXCSR mode).
#[inline]
#[target_feature(enable = "avx2")]
fn encode(x: __m256, s: &CodeScale) -> __m256i {
    let v = _mm256_add_ps(
        _mm256_mul_ps(x, _mm256_set1_ps(s.enc_mul)),
        _mm256_set1_ps(s.enc_add),
    );
    let v = _mm256_min_ps(_mm256_max_ps(v, _mm256_setzero_ps()), _mm256_set1_ps(s.max));
    _mm256_cvtps_epi32(v)
}

/// Stores 8 floats at pixel `8g` of each plane.
#[inline]
#[target_feature(enable = "avx2")]
fn put(blk: &mut Block, g: usize, [r, gr, b]: [__m256; 3]) {
    for (plane, v) in [&mut blk.r, &mut blk.g, &mut blk.b]
        .into_iter()
        .zip([r, gr, b])
    {
        // SAFETY: callers pass g with 8g + 8 ≤ n ≤ BLOCK.
        unsafe { _mm256_storeu_ps(plane.as_mut_ptr().add(8 * g), v) };
    }
}

/// Loads 8 floats at pixel `8g` of each plane.
#[inline]
#[target_feature(enable = "avx2")]
fn get(blk: &Block, g: usize) -> [__m256; 3] {
    // SAFETY: callers pass g with 8g + 8 ≤ n ≤ BLOCK.
    [&blk.r, &blk.g, &blk.b].map(|p| unsafe { _mm256_loadu_ps(p.as_ptr().add(8 * g)) })
}

/// Writes 32 bytes at `p`: non-temporal when `stream` and `p` is 32-byte aligned, else a
/// plain unaligned store.
///
/// # Safety
/// `p` must be valid for writing 32 bytes.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn put256(p: *mut u8, v: __m256i, stream: bool) {
    // SAFETY: the caller's contract; the streaming store gets the alignment it needs.
    unsafe {
        if stream && (p as usize).is_multiple_of(32) {
            _mm256_stream_si256(p.cast(), v);
        } else {
            _mm256_storeu_si256(p.cast(), v);
        }
    }
}

/// [`put256`] for 16 bytes.
///
/// # Safety
/// `p` must be valid for writing 16 bytes.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn put128(p: *mut u8, v: __m128i, stream: bool) {
    // SAFETY: the caller's contract; the streaming store gets the alignment it needs.
    unsafe {
        if stream && (p as usize).is_multiple_of(16) {
            _mm_stream_si128(p.cast(), v);
        } else {
            _mm_storeu_si128(p.cast(), v);
        }
    }
}

#[inline]
#[target_feature(enable = "avx2")]
fn load_rgb_f32(px: &[f32], blk: &mut Block) -> usize {
    let groups = px.len() / 24;
    for g in 0..groups {
        Avx2Io::load_group_f32(&px[24 * g..24 * g + 24], blk, 8 * g);
    }
    8 * groups
}

#[inline]
#[target_feature(enable = "avx2")]
fn store_rgb_f32(blk: &Block, px: &mut [f32], stream: bool) -> usize {
    let groups = px.len() / 24;
    for g in 0..groups {
        Avx2Io::store_group_f32(blk, 8 * g, &mut px[24 * g..24 * g + 24], stream);
    }
    8 * groups
}

impl Avx2Io {
    /// Pixels `i..i + 8` of the block's planes (`i` a multiple of 8) from the packed f32
    /// RGB samples `w` (24).
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn load_group_f32(w: &[f32], blk: &mut Block, i: usize) {
        let w = &w[..24];
        assert!(i + 8 <= BLOCK && i.is_multiple_of(8));
        // SAFETY: `w` holds 24 floats: three 8-float reads.
        let [a, b, c] = [0, 8, 16].map(|o| unsafe { _mm256_loadu_si256(w.as_ptr().add(o).cast()) });
        put(
            blk,
            i / 8,
            deinterleave(a, b, c).map(|v| _mm256_castsi256_ps(v)),
        );
    }

    /// Pixels `i..i + 8` of the block's planes (`i` a multiple of 8) into the packed f32
    /// RGB samples `w` (24), streamed when `stream` and aligned.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(crate) fn store_group_f32(blk: &Block, i: usize, w: &mut [f32], stream: bool) {
        let w = &mut w[..24];
        assert!(i + 8 <= BLOCK && i.is_multiple_of(8));
        let [r, gr, b] = get(blk, i / 8).map(|v| _mm256_castps_si256(v));
        for (k, v) in interleave(r, gr, b).into_iter().enumerate() {
            // SAFETY: `w` holds 24 floats; 8k + 8 ≤ 24.
            unsafe { put256(w.as_mut_ptr().add(8 * k).cast(), v, stream) };
        }
    }
}

#[inline]
#[target_feature(enable = "avx2")]
fn load_rgb_u16(px: &[u16], s: &CodeScale, blk: &mut Block) -> usize {
    let groups = px.len() / 24;
    for g in 0..groups {
        let w = &px[24 * g..24 * g + 24];
        // SAFETY: `w` holds 24 u16: three 16-byte reads.
        let [a, b, c] = [0, 8, 16]
            .map(|o| _mm256_cvtepu16_epi32(unsafe { _mm_loadu_si128(w.as_ptr().add(o).cast()) }));
        put(blk, g, deinterleave(a, b, c).map(|v| decode(v, s)));
    }
    8 * groups
}

#[inline]
#[target_feature(enable = "avx2")]
fn store_rgb_u16(blk: &Block, px: &mut [u16], s: &CodeScale, stream: bool) -> usize {
    let groups = px.len() / 24;
    for g in 0..groups {
        let [r, gr, b] = get(blk, g).map(|v| encode(v, s));
        let w = &mut px[24 * g..24 * g + 24];
        for (k, v) in interleave(r, gr, b).into_iter().enumerate() {
            let words =
                _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
            // SAFETY: `w` holds 24 u16; 8k + 8 ≤ 24.
            unsafe { put128(w.as_mut_ptr().add(8 * k).cast(), words, stream) };
        }
    }
    8 * groups
}

#[inline]
#[target_feature(enable = "avx2")]
fn load_rgba_u8(px: &[u8], s: &CodeScale, blk: &mut Block) -> usize {
    let groups = px.len() / 32;
    let byte = _mm256_set1_epi32(0xFF);
    for g in 0..groups {
        // SAFETY: 32 bytes at 32g are inside `px`.
        let x = unsafe { _mm256_loadu_si256(px.as_ptr().add(32 * g).cast()) };
        let r = _mm256_and_si256(x, byte);
        let gr = _mm256_and_si256(_mm256_srli_epi32::<8>(x), byte);
        let b = _mm256_and_si256(_mm256_srli_epi32::<16>(x), byte);
        put(blk, g, [r, gr, b].map(|v| decode(v, s)));
    }
    8 * groups
}

#[inline]
#[target_feature(enable = "avx2")]
fn store_rgba_u8(
    blk: &Block,
    px: &mut [u8],
    s: &CodeScale,
    alpha: Option<&[u8]>,
    stream: bool,
) -> usize {
    let groups = px.len() / 32;
    for g in 0..groups {
        let [r, gr, b] = get(blk, g).map(|v| encode(v, s));
        let p = px[32 * g..32 * g + 32].as_mut_ptr();
        // The alpha bytes: the source's, or (in place) the ones already there.
        let from = alpha.map_or(p.cast_const(), |a| a[32 * g..32 * g + 32].as_ptr());
        // SAFETY: 32 bytes at `from` are inside `px` or `alpha`.
        let old = unsafe { _mm256_loadu_si256(from.cast()) };
        let keep = _mm256_and_si256(old, _mm256_set1_epi32(0xFF00_0000u32 as i32));
        let v = _mm256_or_si256(
            _mm256_or_si256(r, _mm256_slli_epi32::<8>(gr)),
            _mm256_or_si256(_mm256_slli_epi32::<16>(b), keep),
        );
        // SAFETY: 32 bytes at `p` are inside `px`.
        unsafe { put256(p, v, stream) };
    }
    8 * groups
}

super::rows::fast_io!(Avx2Io);
