//! Nodes (interleaved RGB) to channel planes and back, for the live bake's lane loops.
//!
//! The lane loops work on planes (one array per channel). Moving nodes into planes one
//! float at a time and then reading the planes as vectors stalls: each 64-byte vector
//! load waits for 16 single-float stores to reach the cache (no store forwarding). With
//! AVX-512 and AVX2 whole groups of nodes are loaded as vectors and shuffled into
//! channel vectors ([`load`], and [`store`] back); what is left of a chunk is moved one
//! float at a time.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(dead_code, unused_mut))]

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

pub(super) use crate::output::fastplanes::{AVX2, AVX512, PORTABLE};

/// True when any of `flags` is set: one vectorised OR over the whole fixed-length array,
/// where a filter or `contains` is a scalar, branchy loop over every chunk.
#[inline(always)]
pub(super) fn any_set<const N: usize>(flags: &[bool; N]) -> bool {
    flags.iter().fold(0u8, |a, &f| a | u8::from(f)) != 0
}

/// Nodes per shuffle group at level `L`.
const fn group(level: u8) -> usize {
    match level {
        AVX512 => 16,
        AVX2 => 8,
        _ => usize::MAX,
    }
}

/// Nodes `src` into the first `src.len()` (at most `N`) lanes of `planes`.
///
/// # Safety
/// The CPU must support level `L` (AVX-512 F or AVX2).
#[inline(always)]
pub(super) unsafe fn load<const L: u8, const N: usize>(
    src: &[[f32; 3]],
    planes: &mut [[f32; N]; 3],
) {
    let n = src.len().min(N);
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while n - i >= group(L) {
        let flat = src[i..i + group(L)].as_flattened();
        // SAFETY: `flat` holds 3·group(L) floats; each plane has room for group(L) from
        // i (i + group(L) ≤ N); the caller guarantees the level.
        unsafe {
            match L {
                AVX512 => load16(flat, [0, 1, 2].map(|c| planes[c][i..].as_mut_ptr())),
                _ => load8(flat, [0, 1, 2].map(|c| planes[c][i..].as_mut_ptr())),
            }
        }
        i += group(L);
    }
    for (k, v) in src[i..n].iter().enumerate() {
        for c in 0..3 {
            planes[c][i + k] = v[c];
        }
    }
}

/// The first `dst.len()` (at most `N`) lanes of `planes` into nodes `dst`.
///
/// # Safety
/// The CPU must support level `L` (AVX-512 F or AVX2).
#[inline(always)]
pub(super) unsafe fn store<const L: u8, const N: usize>(
    planes: &[[f32; N]; 3],
    dst: &mut [[f32; 3]],
) {
    let n = dst.len().min(N);
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while n - i >= group(L) {
        let flat = dst[i..i + group(L)].as_flattened_mut();
        // SAFETY: as in `load`.
        unsafe {
            match L {
                AVX512 => store16([0, 1, 2].map(|c| planes[c][i..].as_ptr()), flat),
                _ => store8([0, 1, 2].map(|c| planes[c][i..].as_ptr()), flat),
            }
        }
        i += group(L);
    }
    for (k, v) in dst[i..n].iter_mut().enumerate() {
        *v = [planes[0][i + k], planes[1][i + k], planes[2][i + k]];
    }
}

/// `vpermt2ps` indices that gather channel `ch` of 16 nodes: first from the first two
/// vectors (lanes whose float lies in them), then the rest from the third.
const fn split16(ch: usize) -> [[i32; 16]; 2] {
    let mut out = [[0; 16]; 2];
    let mut i = 0;
    while i < 16 {
        let g = 3 * i + ch;
        if g < 32 {
            out[0][i] = g as i32;
            out[1][i] = i as i32;
        } else {
            out[1][i] = (16 + g - 32) as i32;
        }
        i += 1;
    }
    out
}

/// `vpermt2ps` indices that build the `r`-th vector of 16 interleaved nodes: red and
/// green first, then blue.
const fn join16(r: usize) -> [[i32; 16]; 2] {
    let mut out = [[0; 16]; 2];
    let mut j = 0;
    while j < 16 {
        let g = 16 * r + j;
        let (ch, lane) = (g % 3, (g / 3) as i32);
        out[0][j] = if ch == 1 { 16 + lane } else { lane };
        out[1][j] = if ch == 2 { 16 + lane } else { j as i32 };
        j += 1;
    }
    out
}

const SPLIT16: [[[i32; 16]; 2]; 3] = [split16(0), split16(1), split16(2)];
const JOIN16: [[[i32; 16]; 2]; 3] = [join16(0), join16(1), join16(2)];

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
fn index16(i: &[i32; 16]) -> __m512i {
    // SAFETY: `i` holds 16 i32.
    unsafe { _mm512_loadu_si512(i.as_ptr().cast()) }
}

/// # Safety
/// `flat` holds 48 floats; each of `out` has room for 16.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn load16(flat: &[f32], out: [*mut f32; 3]) {
    debug_assert!(flat.len() >= 48);
    // SAFETY: 48 floats from flat's start (the caller's contract).
    let v = unsafe { [0, 16, 32].map(|o| _mm512_loadu_ps(flat.as_ptr().add(o))) };
    for (c, &o) in out.iter().enumerate() {
        let [first, second] = &SPLIT16[c];
        let t = _mm512_permutex2var_ps(v[0], index16(first), v[1]);
        let x = _mm512_permutex2var_ps(t, index16(second), v[2]);
        // SAFETY: 16 floats of room at `o` (the caller's contract).
        unsafe { _mm512_storeu_ps(o, x) };
    }
}

/// # Safety
/// Each of `planes` holds 16 floats; `flat` has room for 48.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx512f")]
unsafe fn store16(planes: [*const f32; 3], flat: &mut [f32]) {
    debug_assert!(flat.len() >= 48);
    // SAFETY: 16 floats at each plane pointer (the caller's contract).
    let [r, g, b] = unsafe { planes.map(|p| _mm512_loadu_ps(p)) };
    for (k, [first, second]) in JOIN16.iter().enumerate() {
        let t = _mm512_permutex2var_ps(r, index16(first), g);
        let x = _mm512_permutex2var_ps(t, index16(second), b);
        // SAFETY: 48 floats of room from flat's start.
        unsafe { _mm512_storeu_ps(flat.as_mut_ptr().add(16 * k), x) };
    }
}

/// For channel `ch` of 8 nodes (24 floats in three 8-float vectors): which vector holds
/// the channel's float at each position (every position holds exactly one), and the
/// permutation that puts lane i's float (at position (3i + ch) mod 8) in lane i.
const fn split8(ch: usize) -> ([i32; 8], [i32; 8]) {
    let (mut source, mut perm) = ([0; 8], [0; 8]);
    let mut i = 0;
    while i < 8 {
        let g = 3 * i + ch;
        source[g % 8] = (g / 8) as i32;
        perm[i] = (g % 8) as i32;
        i += 1;
    }
    (source, perm)
}

/// The inverse permutation of [`split8`]'s: lane i's float to position (3i + ch) mod 8.
const fn unperm8(ch: usize) -> [i32; 8] {
    let mut out = [0; 8];
    let mut i = 0;
    while i < 8 {
        out[(3 * i + ch) % 8] = i as i32;
        i += 1;
    }
    out
}

const SPLIT8: [([i32; 8], [i32; 8]); 3] = [split8(0), split8(1), split8(2)];
const UNPERM8: [[i32; 8]; 3] = [unperm8(0), unperm8(1), unperm8(2)];

#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn index8(i: &[i32; 8]) -> __m256i {
    // SAFETY: `i` holds 8 i32.
    unsafe { _mm256_loadu_si256(i.as_ptr().cast()) }
}

/// All-ones lanes where `sel[p] == k`, as a blend mask.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn mask8(sel: &[i32; 8], k: i32) -> __m256 {
    _mm256_castsi256_ps(_mm256_cmpeq_epi32(index8(sel), _mm256_set1_epi32(k)))
}

/// # Safety
/// `flat` holds 24 floats; each of `out` has room for 8.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn load8(flat: &[f32], out: [*mut f32; 3]) {
    debug_assert!(flat.len() >= 24);
    // SAFETY: 24 floats from flat's start (the caller's contract).
    let v = unsafe { [0, 8, 16].map(|o| _mm256_loadu_ps(flat.as_ptr().add(o))) };
    for (c, &o) in out.iter().enumerate() {
        let (source, perm) = &SPLIT8[c];
        let x = _mm256_blendv_ps(v[0], v[1], mask8(source, 1));
        let x = _mm256_blendv_ps(x, v[2], mask8(source, 2));
        let x = _mm256_permutevar8x32_ps(x, index8(perm));
        // SAFETY: 8 floats of room at `o` (the caller's contract).
        unsafe { _mm256_storeu_ps(o, x) };
    }
}

/// # Safety
/// Each of `planes` holds 8 floats; `flat` has room for 24.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn store8(planes: [*const f32; 3], flat: &mut [f32]) {
    debug_assert!(flat.len() >= 24);
    // SAFETY: 8 floats at each plane pointer (the caller's contract).
    let q = unsafe {
        [0, 1, 2].map(|c| _mm256_permutevar8x32_ps(_mm256_loadu_ps(planes[c]), index8(&UNPERM8[c])))
    };
    for k in 0..3 {
        // Position p of vector k holds channel (8k + p) mod 3.
        let ch = [0, 1, 2, 3, 4, 5, 6, 7].map(|p| ((8 * k + p) % 3) as i32);
        let x = _mm256_blendv_ps(q[0], q[1], mask8(&ch, 1));
        let x = _mm256_blendv_ps(x, q[2], mask8(&ch, 2));
        // SAFETY: 24 floats of room from flat's start.
        unsafe { _mm256_storeu_ps(flat.as_mut_ptr().add(8 * k), x) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(n: usize) -> Vec<[f32; 3]> {
        (0..n)
            .map(|i| [0, 1, 2].map(|c| (3 * i + c) as f32 + 0.5))
            .collect()
    }

    /// Every level moves every count of nodes (whole groups and tails) into planes and
    /// back unchanged, and leaves the lanes past the count alone.
    fn round_trip<const L: u8>() {
        for n in [0, 1, 7, 8, 9, 15, 16, 17, 31, 33, 48, 63, 64] {
            let src = nodes(n);
            let mut planes = [[-1.0f32; 64]; 3];
            // SAFETY: the callers run L only where the CPU supports it.
            unsafe { load::<L, 64>(&src, &mut planes) };
            for (c, plane) in planes.iter().enumerate() {
                for (i, &x) in plane.iter().enumerate() {
                    let want = if i < n { src[i][c] } else { -1.0 };
                    assert_eq!(x, want, "level {L} n {n} channel {c} lane {i}");
                }
            }
            let mut back = vec![[0.0f32; 3]; n];
            // SAFETY: as above.
            unsafe { store::<L, 64>(&planes, &mut back) };
            assert_eq!(back, src, "level {L} n {n}");
        }
    }

    #[test]
    fn nodes_to_planes_and_back_at_every_level() {
        round_trip::<PORTABLE>();
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                round_trip::<AVX2>();
            }
            if is_x86_feature_detected!("avx512f") {
                round_trip::<AVX512>();
            }
        }
    }
}
