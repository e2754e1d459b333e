//! AVX-512 vector loads and stores of whole groups of 16 pixels for packed f32 RGB,
//! u16 RGB and u8 RGBA (the rest goes through the generic loops). Decoding and encoding
//! are the scalar [`CodeScale`] operations, lane by lane.

use super::frame::CodeScale;
use super::rows::{rest_in, rest_out, Block, FastIo};
use std::arch::x86_64::*;

/// Vector I/O of the AVX-512 level.
pub(crate) struct Avx512Io;

const fn deinterleave(c: usize) -> ([i32; 16], [i32; 16], u16) {
    // Element j of channel c is sample 3j + c of a 48-sample window: from the first two
    // vectors when below 32, else from the third (mask bit set).
    let (mut ab, mut third, mut mask) = ([0i32; 16], [0i32; 16], 0u16);
    let mut j = 0;
    while j < 16 {
        let t = 3 * j + c;
        if t < 32 {
            ab[j] = t as i32;
        } else {
            third[j] = (t - 32) as i32;
            mask |= 1 << j;
        }
        j += 1;
    }
    (ab, third, mask)
}

const fn interleave(k: usize) -> ([i32; 16], [i32; 16], u16) {
    // Element e of output vector k is sample t = 16k + e: pixel t/3, channel t%3.
    let (mut rg, mut b, mut mask) = ([0i32; 16], [0i32; 16], 0u16);
    let mut e = 0;
    while e < 16 {
        let t = 16 * k + e;
        let (j, c) = (t / 3, t % 3);
        if c == 2 {
            b[e] = j as i32;
            mask |= 1 << e;
        } else {
            rg[e] = (j + 16 * c) as i32;
        }
        e += 1;
    }
    (rg, b, mask)
}

const fn words(start: usize, len: usize) -> [i16; 32] {
    // Interleaved u16 RGB sample t = start + e comes from pixel t/3 of plane t%3, planes
    // concatenated as R (0..16), G (16..32), B (32..48).
    let mut out = [0i16; 32];
    let mut e = 0;
    while e < len {
        let t = start + e;
        out[e] = ((t % 3) * 16 + t / 3) as i16;
        e += 1;
    }
    out
}

const fn unwords(c: usize) -> [i16; 32] {
    let mut out = [0i16; 32];
    let mut j = 0;
    while j < 16 {
        out[j] = (3 * j + c) as i16;
        j += 1;
    }
    out
}

const DEINTERLEAVE: [([i32; 16], [i32; 16], u16); 3] =
    [deinterleave(0), deinterleave(1), deinterleave(2)];
const INTERLEAVE: [([i32; 16], [i32; 16], u16); 3] = [interleave(0), interleave(1), interleave(2)];
const U16_OUT: [[i16; 32]; 2] = [words(0, 32), words(32, 16)];
const U16_IN: [[i16; 32]; 3] = [unwords(0), unwords(1), unwords(2)];

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn idx32(v: &[i32; 16]) -> __m512i {
    // SAFETY: a 64-byte read of a 16 × i32 array.
    unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn idx16(v: &[i16; 32]) -> __m512i {
    // SAFETY: a 64-byte read of a 32 × i16 array.
    unsafe { _mm512_loadu_si512(v.as_ptr().cast()) }
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn decode(codes: __m512i, s: &CodeScale) -> __m512 {
    let x = _mm512_cvtepi32_ps(codes);
    _mm512_add_ps(
        _mm512_mul_ps(x, _mm512_set1_ps(s.dec_mul)),
        _mm512_set1_ps(s.dec_add),
    )
}

/// [`CodeScale::encode`]: scale, clamp (NaN → 0), round half to even (the default MXCSR mode).
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn encode(x: __m512, s: &CodeScale) -> __m512i {
    let v = _mm512_add_ps(
        _mm512_mul_ps(x, _mm512_set1_ps(s.enc_mul)),
        _mm512_set1_ps(s.enc_add),
    );
    let v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(s.max));
    _mm512_cvtps_epi32(v)
}

/// Writes 64 bytes at `p`: non-temporal when `stream` and `p` is aligned for it (as one
/// 64-byte or two 32-byte stores), else a plain unaligned store.
///
/// # Safety
/// `p` must be valid for writing 64 bytes.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
unsafe fn put512(p: *mut u8, v: __m512i, stream: bool) {
    // SAFETY: the caller's contract; the streaming stores get the alignment they need.
    unsafe {
        if stream && (p as usize).is_multiple_of(64) {
            _mm512_stream_si512(p.cast(), v);
        } else if stream && (p as usize).is_multiple_of(32) {
            _mm256_stream_si256(p.cast(), _mm512_castsi512_si256(v));
            _mm256_stream_si256(p.add(32).cast(), _mm512_extracti64x4_epi64::<1>(v));
        } else {
            _mm512_storeu_si512(p.cast(), v);
        }
    }
}

/// [`put512`] for 32 bytes.
///
/// # Safety
/// `p` must be valid for writing 32 bytes.
#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
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

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn load_rgb_f32(px: &[f32], blk: &mut Block) -> usize {
    let groups = px.len() / 48;
    for g in 0..groups {
        Avx512Io::load_group_f32(&px[48 * g..48 * g + 48], blk, 16 * g);
    }
    16 * groups
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn store_rgb_f32(blk: &Block, px: &mut [f32], stream: bool) -> usize {
    let groups = px.len() / 48;
    for g in 0..groups {
        Avx512Io::store_group_f32(blk, 16 * g, &mut px[48 * g..48 * g + 48], stream);
    }
    16 * groups
}

impl Avx512Io {
    /// Pixels `i..i + 16` of the block's planes from the packed f32 RGB samples `w` (48).
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(crate) fn load_group_f32(w: &[f32], blk: &mut Block, i: usize) {
        let w = &w[..48];
        let idx = DEINTERLEAVE.map(|(ab, c, m)| (idx32(&ab), idx32(&c), m));
        // SAFETY: `w` holds 48 floats: three 16-float reads.
        let (a, b, c) = unsafe {
            let p = w.as_ptr();
            (
                _mm512_loadu_ps(p),
                _mm512_loadu_ps(p.add(16)),
                _mm512_loadu_ps(p.add(32)),
            )
        };
        let ch = idx.map(|(ab, ci, m)| {
            _mm512_mask_permutexvar_ps(_mm512_permutex2var_ps(a, ab, b), m, ci, c)
        });
        for (plane, v) in [&mut blk.r, &mut blk.g, &mut blk.b].into_iter().zip(ch) {
            let plane = &mut plane[i..i + 16];
            // SAFETY: `plane` holds 16 floats.
            unsafe { _mm512_storeu_ps(plane.as_mut_ptr(), v) };
        }
    }

    /// Pixels `i..i + 16` of the block's planes into the packed f32 RGB samples `w` (48),
    /// streamed when `stream` and aligned.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(crate) fn store_group_f32(blk: &Block, i: usize, w: &mut [f32], stream: bool) {
        let w = &mut w[..48];
        let idx = INTERLEAVE.map(|(rg, b, m)| (idx32(&rg), idx32(&b), m));
        let [r, gr, b] = [&blk.r, &blk.g, &blk.b].map(|p| {
            let p = &p[i..i + 16];
            // SAFETY: `p` holds 16 floats.
            unsafe { _mm512_loadu_ps(p.as_ptr()) }
        });
        for (k, (rg, bi, m)) in idx.into_iter().enumerate() {
            let v = _mm512_mask_permutexvar_ps(_mm512_permutex2var_ps(r, rg, gr), m, bi, b);
            // SAFETY: `w` holds 48 floats; 16k + 16 ≤ 48.
            unsafe {
                put512(
                    w.as_mut_ptr().add(16 * k).cast(),
                    _mm512_castps_si512(v),
                    stream,
                )
            };
        }
    }
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn load_rgba_u8(px: &[u8], s: &CodeScale, blk: &mut Block) -> usize {
    let groups = px.len() / 64;
    let byte = _mm512_set1_epi32(0xFF);
    for g in 0..groups {
        // SAFETY: 64 bytes at 64g are inside `px`.
        let x = unsafe { _mm512_loadu_si512(px.as_ptr().add(64 * g).cast()) };
        let r = _mm512_and_si512(x, byte);
        let gr = _mm512_and_si512(_mm512_srli_epi32::<8>(x), byte);
        let b = _mm512_and_si512(_mm512_srli_epi32::<16>(x), byte);
        for (plane, v) in [&mut blk.r, &mut blk.g, &mut blk.b]
            .into_iter()
            .zip([r, gr, b])
        {
            // SAFETY: 16g + 16 ≤ n ≤ BLOCK floats of the plane.
            unsafe { _mm512_storeu_ps(plane.as_mut_ptr().add(16 * g), decode(v, s)) };
        }
    }
    16 * groups
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn store_rgba_u8(
    blk: &Block,
    px: &mut [u8],
    s: &CodeScale,
    alpha: Option<&[u8]>,
    stream: bool,
) -> usize {
    let groups = px.len() / 64;
    for g in 0..groups {
        // SAFETY: 16g + 16 ≤ n ≤ BLOCK floats of each plane.
        let [r, gr, b] =
            [&blk.r, &blk.g, &blk.b].map(|p| unsafe { _mm512_loadu_ps(p.as_ptr().add(16 * g)) });
        let p = px[64 * g..64 * g + 64].as_mut_ptr();
        // The alpha bytes: the source's, or (in place) the ones already there.
        let from = alpha.map_or(p.cast_const(), |a| a[64 * g..64 * g + 64].as_ptr());
        // SAFETY: 64 bytes at `from` are inside `px` or `alpha`.
        let old = unsafe { _mm512_loadu_si512(from.cast()) };
        let keep = _mm512_and_si512(old, _mm512_set1_epi32(0xFF00_0000u32 as i32));
        let v = _mm512_or_si512(
            _mm512_or_si512(encode(r, s), _mm512_slli_epi32::<8>(encode(gr, s))),
            _mm512_or_si512(_mm512_slli_epi32::<16>(encode(b, s)), keep),
        );
        // SAFETY: 64 bytes at `p` are inside `px`.
        unsafe { put512(p, v, stream) };
    }
    16 * groups
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn load_rgb_u16(px: &[u16], s: &CodeScale, blk: &mut Block) -> usize {
    let groups = px.len() / 48;
    let idx = U16_IN.map(|i| idx16(&i));
    for g in 0..groups {
        let w = &px[48 * g..48 * g + 48];
        // SAFETY: `w` holds 48 u16: a 64-byte and a 32-byte read.
        let (a, b) = unsafe {
            let p = w.as_ptr();
            (
                _mm512_loadu_si512(p.cast()),
                _mm512_castsi256_si512(_mm256_loadu_si256(p.add(32).cast())),
            )
        };
        for (plane, i) in [&mut blk.r, &mut blk.g, &mut blk.b].into_iter().zip(idx) {
            let words = _mm512_castsi512_si256(_mm512_permutex2var_epi16(a, i, b));
            let v = decode(_mm512_cvtepu16_epi32(words), s);
            // SAFETY: 16g + 16 ≤ n ≤ BLOCK floats of the plane.
            unsafe { _mm512_storeu_ps(plane.as_mut_ptr().add(16 * g), v) };
        }
    }
    16 * groups
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vl")]
fn store_rgb_u16(blk: &Block, px: &mut [u16], s: &CodeScale, stream: bool) -> usize {
    let groups = px.len() / 48;
    let [ia, ib] = U16_OUT.map(|i| idx16(&i));
    for g in 0..groups {
        // SAFETY: 16g + 16 ≤ n ≤ BLOCK floats of each plane.
        let [r, gr, b] = [&blk.r, &blk.g, &blk.b].map(|p| {
            let v = unsafe { _mm512_loadu_ps(p.as_ptr().add(16 * g)) };
            _mm512_cvtepi32_epi16(encode(v, s))
        });
        let rg = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(r), gr);
        let bb = _mm512_castsi256_si512(b);
        let out_a = _mm512_permutex2var_epi16(rg, ia, bb);
        let out_b = _mm512_castsi512_si256(_mm512_permutex2var_epi16(rg, ib, bb));
        let w = &mut px[48 * g..48 * g + 48];
        // SAFETY: `w` holds 48 u16: a 64-byte and a 32-byte write.
        unsafe {
            put512(w.as_mut_ptr().cast(), out_a, stream);
            put256(w.as_mut_ptr().add(32).cast(), out_b, stream);
        }
    }
    16 * groups
}

super::rows::fast_io!(Avx512Io);
