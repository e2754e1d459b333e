//! The row driver every level shares: load a block of pixels into planar f32, run the
//! level's block function, store the block back. Inlined into each level's
//! `#[target_feature]` entry so the loads and stores compile for that level too.

use super::frame::{CodeScale, Sample};

/// Pixels per block: the planar working set (0.75 KiB, and the levels' 2 KiB of
/// tetrahedra) stays in L1 next to the lattice lines in use. 128 renders 2-6 % faster
/// than 256 on every workload and level (and 512 slower), 64 as fast as 128 (Intel
/// Emerald Rapids; A/B, thread CPU time, load 7). On AMD Zen 4 64 renders ±0 to +10 %
/// against 128 (tetra65-f32 AVX-512 median 181 → 189, tetra33-u16 AVX-512 278 → 304,
/// AVX2 246 → 268, u8 AVX2 271 → 292, the others +0-3 %; load 1.8-2.3).
pub(crate) const BLOCK: usize = 64;
// A whole number of vectors at every level (16 lanes at most): the SIMD levels' SAFETY
// comments rely on it.
const _: () = assert!(BLOCK.is_multiple_of(16));

/// One block of pixels as planar f32.
#[repr(C, align(64))]
pub(crate) struct Block {
    pub r: [f32; BLOCK],
    pub g: [f32; BLOCK],
    pub b: [f32; BLOCK],
}

impl Block {
    pub fn new() -> Self {
        Self {
            r: [0.0; BLOCK],
            g: [0.0; BLOCK],
            b: [0.0; BLOCK],
        }
    }
}

/// One row of an input image: interleaved samples (`spp` per pixel) or three planes.
#[derive(Debug)]
pub(crate) enum RowRef<'a, T> {
    Packed(&'a [T], usize),
    Planar([&'a [T]; 3]),
}

/// One row of an output image.
#[derive(Debug)]
pub(crate) enum RowMut<'a, T> {
    Packed(&'a mut [T], usize),
    Planar([&'a mut [T]; 3]),
}

impl<T> RowMut<'_, T> {
    pub fn as_ref(&self) -> RowRef<'_, T> {
        match self {
            RowMut::Packed(d, spp) => RowRef::Packed(d, *spp),
            RowMut::Planar([r, g, b]) => RowRef::Planar([r, g, b]),
        }
    }
}

/// Vector loads and stores a level may provide for common packed formats. Each gets
/// the row's samples of pixels `x0..x0 + n` and returns false when it does not handle them.
pub(crate) trait FastIo {
    fn load_f32(_px: &[f32], _spp: usize, _blk: &mut Block) -> bool {
        false
    }
    fn store_f32(_blk: &Block, _px: &mut [f32], _spp: usize, _stream: bool) -> bool {
        false
    }
    fn load_u16(_px: &[u16], _spp: usize, _s: &CodeScale, _blk: &mut Block) -> bool {
        false
    }
    fn store_u16(
        _blk: &Block,
        _px: &mut [u16],
        _spp: usize,
        _s: &CodeScale,
        _stream: bool,
    ) -> bool {
        false
    }
    fn load_u8(_px: &[u8], _spp: usize, _s: &CodeScale, _blk: &mut Block) -> bool {
        false
    }
    /// With `alpha` (the source pixels of an RGBA render that is not in place), a
    /// vector path that returns true has written the source's alpha too.
    fn store_u8(
        _blk: &Block,
        _px: &mut [u8],
        _spp: usize,
        _s: &CodeScale,
        _alpha: Option<&[u8]>,
        _stream: bool,
    ) -> bool {
        false
    }
}

/// The [`FastIo`] impl of a level's I/O module, written once: packed f32 and u16 RGB and
/// u8 RGBA go through the module's `load_rgb_f32`, `store_rgb_f32`, `load_rgb_u16`,
/// `store_rgb_u16`, `load_rgba_u8` and `store_rgba_u8` (`#[target_feature]` functions that
/// return how many pixels they did), and the generic loops finish the rest. Expanded in the
/// module, where those functions, [`Block`], [`CodeScale`], `rest_in` and `rest_out` are
/// in scope.
#[cfg(target_arch = "x86_64")]
macro_rules! fast_io {
    ($io:ident) => {
        // SAFETY (every `unsafe` below): `$io` is used only by its level's `row`, whose
        // caller guarantees the level's CPU features, which include the functions' features.
        impl FastIo for $io {
            #[inline(always)]
            fn load_f32(px: &[f32], spp: usize, blk: &mut Block) -> bool {
                if spp != 3 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { load_rgb_f32(px, blk) };
                rest_in(px, spp, done, &CodeScale::FLOAT, blk);
                true
            }
            #[inline(always)]
            fn store_f32(blk: &Block, px: &mut [f32], spp: usize, stream: bool) -> bool {
                if spp != 3 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { store_rgb_f32(blk, px, stream) };
                rest_out(blk, px, spp, done, &CodeScale::FLOAT);
                true
            }
            #[inline(always)]
            fn load_u16(px: &[u16], spp: usize, s: &CodeScale, blk: &mut Block) -> bool {
                if spp != 3 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { load_rgb_u16(px, s, blk) };
                rest_in(px, spp, done, s, blk);
                true
            }
            #[inline(always)]
            fn store_u16(
                blk: &Block,
                px: &mut [u16],
                spp: usize,
                s: &CodeScale,
                stream: bool,
            ) -> bool {
                if spp != 3 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { store_rgb_u16(blk, px, s, stream) };
                rest_out(blk, px, spp, done, s);
                true
            }
            #[inline(always)]
            fn load_u8(px: &[u8], spp: usize, s: &CodeScale, blk: &mut Block) -> bool {
                if spp != 4 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { load_rgba_u8(px, s, blk) };
                rest_in(px, spp, done, s, blk);
                true
            }
            #[inline(always)]
            fn store_u8(
                blk: &Block,
                px: &mut [u8],
                spp: usize,
                s: &CodeScale,
                alpha: Option<&[u8]>,
                stream: bool,
            ) -> bool {
                if spp != 4 {
                    return false;
                }
                // SAFETY: see the impl.
                let done = unsafe { store_rgba_u8(blk, px, s, alpha, stream) };
                rest_out(blk, px, spp, done, s);
                if let Some(alpha) = alpha {
                    let rest = px[4 * done..].chunks_exact_mut(4);
                    for (p, a) in rest.zip(alpha[4 * done..].chunks_exact(4)) {
                        p[3] = a[3];
                    }
                }
                true
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
pub(crate) use fast_io;

/// Finishes the pixels a vector path left (fewer than a vector group) with the generic loops.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn rest_in<T: Sample>(
    px: &[T],
    spp: usize,
    done: usize,
    s: &CodeScale,
    blk: &mut Block,
) {
    for (i, p) in px[done * spp..].chunks_exact(spp).enumerate() {
        blk.r[done + i] = p[0].load(s);
        blk.g[done + i] = p[1].load(s);
        blk.b[done + i] = p[2].load(s);
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(crate) fn rest_out<T: Sample>(
    blk: &Block,
    px: &mut [T],
    spp: usize,
    done: usize,
    s: &CodeScale,
) {
    for (i, p) in px[done * spp..].chunks_exact_mut(spp).enumerate() {
        p[0] = T::store(blk.r[done + i], s);
        p[1] = T::store(blk.g[done + i], s);
        p[2] = T::store(blk.b[done + i], s);
    }
}

/// No vector paths: the generic loops below.
pub(crate) struct PlainIo;
impl FastIo for PlainIo {}

#[inline(always)]
fn load_fast<T: Sample, F: FastIo>(px: &[T], spp: usize, s: &CodeScale, blk: &mut Block) -> bool {
    if let Some(px) = T::as_f32s(px) {
        F::load_f32(px, spp, blk)
    } else if let Some(px) = T::as_u16s(px) {
        F::load_u16(px, spp, s, blk)
    } else if let Some(px) = T::as_u8s(px) {
        F::load_u8(px, spp, s, blk)
    } else {
        false
    }
}

#[inline(always)]
fn store_fast<T: Sample, F: FastIo>(
    blk: &Block,
    px: &mut [T],
    spp: usize,
    s: &CodeScale,
    alpha: Option<&[T]>,
    stream: bool,
) -> bool {
    if let Some(px) = T::as_f32s_mut(px) {
        F::store_f32(blk, px, spp, stream)
    } else if let Some(px) = T::as_u16s_mut(px) {
        F::store_u16(blk, px, spp, s, stream)
    } else if let Some(px) = T::as_u8s_mut(px) {
        F::store_u8(blk, px, spp, s, alpha.and_then(T::as_u8s), stream)
    } else {
        false
    }
}

#[inline(always)]
pub(super) fn load<T: Sample, F: FastIo>(
    src: &RowRef<'_, T>,
    x0: usize,
    n: usize,
    s: &CodeScale,
    blk: &mut Block,
) {
    match *src {
        RowRef::Packed(row, spp)
            if load_fast::<T, F>(&row[x0 * spp..(x0 + n) * spp], spp, s, blk) => {}
        RowRef::Packed(row, spp) => {
            let px = &row[x0 * spp..(x0 + n) * spp];
            for (i, p) in px.chunks_exact(spp).enumerate() {
                blk.r[i] = p[0].load(s);
                blk.g[i] = p[1].load(s);
                blk.b[i] = p[2].load(s);
            }
        }
        RowRef::Planar([r, g, b]) => {
            let planes = [&mut blk.r, &mut blk.g, &mut blk.b];
            for (plane, out) in [r, g, b].into_iter().zip(planes) {
                for (o, v) in out[..n].iter_mut().zip(&plane[x0..x0 + n]) {
                    *o = v.load(s);
                }
            }
        }
    }
}

#[inline(always)]
pub(super) fn store<T: Sample, F: FastIo>(
    blk: &Block,
    alpha: Option<&[T]>,
    dst: &mut RowMut<'_, T>,
    x0: usize,
    n: usize,
    s: &CodeScale,
    stream: bool,
) {
    match dst {
        RowMut::Packed(row, spp) => {
            let spp = *spp;
            let px = &mut row[x0 * spp..(x0 + n) * spp];
            let alpha = alpha.map(|a| &a[x0 * spp..(x0 + n) * spp]);
            // A vector path that takes the pixels writes the source's alpha too.
            if store_fast::<T, F>(blk, px, spp, s, alpha, stream) {
                return;
            }
            for (i, p) in px.chunks_exact_mut(spp).enumerate() {
                p[0] = T::store(blk.r[i], s);
                p[1] = T::store(blk.g[i], s);
                p[2] = T::store(blk.b[i], s);
            }
            if let Some(alpha) = alpha {
                for (p, a) in px.chunks_exact_mut(4).zip(alpha.chunks_exact(4)) {
                    p[3] = a[3];
                }
            }
        }
        RowMut::Planar(planes) => {
            let [r, g, b] = planes;
            for (plane, vals) in [r, g, b].into_iter().zip([&blk.r, &blk.g, &blk.b]) {
                for (o, v) in plane[x0..x0 + n].iter_mut().zip(&vals[..n]) {
                    *o = T::store(*v, s);
                }
            }
        }
    }
}

/// Renders `width` pixels of one row: from `src`, or in place when `src` is `None`.
/// With `stream` (and a separate `src`), the level's vector stores write the packed
/// destination with non-temporal stores where aligned: the first block is cut short
/// so that the others start on a cache line, and the destination is neither read for
/// ownership nor prefetched (a third less memory traffic on frames larger than the caches).
#[inline(always)]
pub(crate) fn process_row<T: Sample, F: FastIo>(
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
    stream: bool,
    mut block: impl FnMut(&mut Block, usize),
) {
    let mut blk = Block::new();
    let alpha = match src {
        Some(RowRef::Packed(row, 4)) => Some(*row),
        _ => None,
    };
    let stream = stream && src.is_some();
    let mut x0 = 0;
    let mut n = if stream { line_start(dst) } else { 0 };
    while x0 < width {
        if n == 0 {
            n = BLOCK;
        }
        n = n.min(width - x0);
        prefetch_next(src, dst, x0 + n, BLOCK.min(width - x0 - n), stream);
        match src {
            Some(src) => load::<T, F>(src, x0, n, s, &mut blk),
            None => load::<T, F>(&dst.as_ref(), x0, n, s, &mut blk),
        }
        block(&mut blk, n);
        store::<T, F>(&blk, alpha, dst, x0, n, s, stream);
        x0 += n;
        n = BLOCK;
    }
    if stream {
        fence();
    }
}

/// Pixels from the start of a packed destination row to its first pixel on a cache line
/// (0 when there is none within the first 64, or the row is planar).
pub(super) fn line_start<T>(dst: &RowMut<'_, T>) -> usize {
    let RowMut::Packed(row, spp) = dst else {
        return 0;
    };
    line_start_at(row.as_ptr() as usize, spp * std::mem::size_of::<T>())
}

/// [`line_start`] of a row at `addr` with pixels of `bytes`.
pub(super) fn line_start_at(addr: usize, bytes: usize) -> usize {
    (0..64)
        .find(|p| (addr + p * bytes).is_multiple_of(64))
        .unwrap_or(0)
}

/// Orders this row's non-temporal stores before whatever the thread does next (another
/// thread may read the rows once the render returns).
#[inline(always)]
pub(super) fn fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SFENCE is part of the x86_64 baseline (SSE).
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// Asks for the next block's pixels (`x0..x0 + n`) while this one renders: the source
/// to be read, the destination to be written (unless streamed). The row's frame streams
/// from memory, and the lattice reads of the block leave the hardware prefetchers little
/// room.
#[inline(always)]
pub(super) fn prefetch_next<T>(
    src: Option<&RowRef<'_, T>>,
    dst: &RowMut<'_, T>,
    x0: usize,
    n: usize,
    stream: bool,
) {
    if n == 0 {
        return;
    }
    match (src, dst) {
        (Some(RowRef::Packed(row, spp)), RowMut::Packed(out, _)) => {
            prefetch::<T, false>(&row[x0 * spp..(x0 + n) * spp]);
            if !stream {
                prefetch::<T, true>(&out[x0 * spp..(x0 + n) * spp]);
            }
        }
        (None, RowMut::Packed(out, spp)) => prefetch::<T, true>(&out[x0 * spp..(x0 + n) * spp]),
        _ => {}
    }
}

/// Prefetches every cache line of `s` (for writing when `WRITE`). Reads go to L2
/// (`prefetcht1`): with `prefetcht0` a block's requests (48 at 256 pixels) waited on L1's few fill
/// buffers, busy with lattice misses (5-10 % slower on tetra33-f32 and -u16, AVX-512).
#[inline(always)]
pub(crate) fn prefetch<T, const WRITE: bool>(s: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_ET0, _MM_HINT_T1};
        let bytes = std::mem::size_of_val(s);
        let p = s.as_ptr().cast::<i8>();
        for off in (0..bytes).step_by(64) {
            let at = p.wrapping_add(off);
            // SAFETY: SSE is part of the x86_64 baseline; a prefetch is only a hint (it
            // never faults) and the address is inside `s` anyway.
            unsafe {
                if WRITE {
                    _mm_prefetch::<_MM_HINT_ET0>(at);
                } else {
                    _mm_prefetch::<_MM_HINT_T1>(at);
                }
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = s;
}
