//! The row drivers of the SIMD levels' f32 tetrahedra ([`super::simd_level`]): blocks
//! run in a pipeline, each block's work split in halves run one block apart
//! ([`process_row_pipelined`]), or, for packed f32 RGB out of place, with the loads and
//! stores in the same loop too ([`process_row_fused`]). Both let the step prefetch the
//! next block's source from inside its loop, a little per vector (the pipelined one when
//! the output is streamed).

use super::frame::{CodeScale, Sample};
use super::rows::{
    fence, line_start, line_start_at, load, prefetch_next, store, Block, FastIo, RowMut, RowRef,
    BLOCK,
};

/// [`process_row`](super::rows::process_row) with each block's work split in two halves
/// run one block apart, so a block's lattice reads overlap the next block's arithmetic:
/// `step(cur, prev, slot, ahead)` gets the block just loaded (`cur`, its first half; `None`
/// after the last block), the block loaded before it (`prev`, its second half; `None` at
/// the first block), `slot` (0 or 1, alternating), which names `cur`'s half-way state, and
/// `ahead`, the next block's source lines for the step to prefetch when the output is
/// streamed ([`Ahead::NONE`] otherwise: this driver prefetches that block itself); `prev`
/// is stored after the step.
#[inline(always)]
pub(crate) fn process_row_pipelined<T: Sample, F: FastIo>(
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
    stream: bool,
    mut step: impl FnMut(Option<(&mut Block, usize)>, Option<(&mut Block, usize)>, usize, Ahead),
) {
    let mut blks = [Block::new(), Block::new()];
    let alpha = match src {
        Some(RowRef::Packed(row, 4)) => Some(*row),
        _ => None,
    };
    let stream = stream && src.is_some();
    let mut x0 = 0;
    let mut n = if stream { line_start(dst) } else { 0 };
    let mut prev: Option<(usize, usize)> = None;
    let mut slot = 0;
    let mut ahead = Ahead::NONE;
    while x0 < width || prev.is_some() {
        let [a, b] = &mut blks;
        let (cur_blk, prev_blk) = if slot == 0 { (a, b) } else { (b, a) };
        let cur = if x0 < width {
            if n == 0 {
                n = BLOCK;
            }
            n = n.min(width - x0);
            let (x1, next) = (x0 + n, BLOCK.min(width - x0 - n));
            match src {
                // Streamed: the step spreads the next block's source prefetch over its loop.
                Some(RowRef::Packed(row, spp)) if stream => {
                    ahead = Ahead::of(&row[x1 * spp..(x1 + next) * spp]);
                }
                _ => prefetch_next(src, dst, x1, next, stream),
            }
            match src {
                Some(src) => load::<T, F>(src, x0, n, s, cur_blk),
                None => load::<T, F>(&dst.as_ref(), x0, n, s, cur_blk),
            }
            Some((x0, n))
        } else {
            None
        };
        step(
            cur.map(|(_, n)| (&mut *cur_blk, n)),
            prev.map(|(_, n)| (&mut *prev_blk, n)),
            slot,
            std::mem::replace(&mut ahead, Ahead::NONE),
        );
        if let Some((px0, pn)) = prev {
            store::<T, F>(prev_blk, alpha, dst, px0, pn, s, stream);
        }
        prev = cur;
        if cur.is_some() {
            x0 += n;
            n = BLOCK;
        }
        slot ^= 1;
    }
    if stream {
        fence();
    }
}

/// The source lines of a row's next block, for a step to prefetch a part at a time from
/// inside its loop (a block's lines at once wait on L1's fill buffers, busy with the
/// lattice reads).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ahead {
    /// The first byte's line.
    line: *const i8,
    lines: usize,
}

impl Ahead {
    pub const NONE: Ahead = Ahead {
        line: std::ptr::null(),
        lines: 0,
    };

    fn of<T>(s: &[T]) -> Self {
        let (at, bytes) = (s.as_ptr().cast::<i8>(), std::mem::size_of_val(s));
        if bytes == 0 {
            return Self::NONE;
        }
        let first = at as usize & !63;
        Self {
            line: at.wrapping_sub(at as usize - first),
            lines: ((at as usize + bytes - 1) >> 6) - (first >> 6) + 1,
        }
    }

    /// Prefetches (into L1, `prefetcht0`) the lines of part `k` of `parts`. Spread over the
    /// loop, a few lines at a time, L1 pays where [`prefetch`]'s whole blocks did not:
    /// tetra33-f32 AVX2 median 208.1 → 215.9 Mpx/s against `prefetcht1` (5 pairs, thread
    /// CPU time, load 2.2), tetra65-f32 at both levels and the CDL ±0-1 %.
    #[inline(always)]
    pub fn part(self, k: usize, parts: usize) {
        for j in self.lines * k / parts..self.lines * (k + 1) / parts {
            // SAFETY: SSE is part of the x86_64 baseline; a prefetch is only a hint (it
            // never faults), and the line is one of the source slice's.
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                    self.line.wrapping_add(64 * j),
                )
            };
        }
    }

    /// [`Ahead::part`] of parts `from..parts`: those a short block's loop did not reach.
    #[inline(always)]
    pub fn parts_from(self, from: usize, parts: usize) {
        for k in from..parts {
            self.part(k, parts);
        }
    }
}

/// One step of [`process_row_fused`]: the source samples of block `s` and the planes to
/// load them into, block `s − 1` to locate (its planes and pixel count), and block `s − 2`
/// to blend and store (its planes and destination samples); each `None` where the row has
/// no such block. Block `s − 1`'s half-way state goes to slot `1 − parity`, block
/// `s − 2`'s is in slot `parity`.
pub(crate) struct Fused<'a> {
    pub load: Option<(&'a [f32], &'a mut Block)>,
    pub cell: Option<(&'a mut Block, usize)>,
    pub blend: Option<(&'a mut Block, &'a mut [f32])>,
    pub parity: usize,
    /// The source samples of block `s + 1`, to prefetch.
    pub ahead: &'a [f32],
}

/// [`process_row_pipelined`] for packed f32 RGB out of place, with the loads and stores
/// in the step too: one loop can then load a block, locate the one before and blend and
/// store the one before that, so the source's and destination's memory traffic overlaps
/// the lattice reads instead of waiting between them.
#[inline(always)]
pub(crate) fn process_row_fused(
    src: &[f32],
    dst: &mut [f32],
    width: usize,
    stream: bool,
    mut step: impl FnMut(Fused<'_>),
) {
    let mut blks = [Block::new(), Block::new(), Block::new()];
    // (first pixel, pixels) of blocks s, s − 1 and s − 2.
    let mut spans: [Option<(usize, usize)>; 3] = [None; 3];
    let mut next = if stream {
        line_start_at(dst.as_ptr() as usize, 12)
    } else {
        0
    };
    let (mut x0, mut s) = (0, 0);
    loop {
        let load = (x0 < width).then(|| {
            let n = if next == 0 { BLOCK } else { next }.min(width - x0);
            next = BLOCK;
            (x0, n)
        });
        spans = [load, spans[0], spans[1]];
        if spans.iter().all(Option::is_none) {
            break;
        }
        let ahead = match load {
            Some((x0, n)) => &src[3 * (x0 + n)..3 * (x0 + n + BLOCK.min(width - x0 - n))],
            None => &[],
        };
        let [a, b, c] = &mut blks;
        let (lb, cb, bb) = match s % 3 {
            0 => (a, c, b),
            1 => (b, a, c),
            _ => (c, b, a),
        };
        step(Fused {
            load: spans[0].map(|(x0, n)| (&src[3 * x0..3 * (x0 + n)], lb)),
            cell: spans[1].map(|(_, n)| (cb, n)),
            blend: spans[2].map(|(x0, n)| (bb, &mut dst[3 * x0..3 * (x0 + n)])),
            parity: s % 2,
            ahead,
        });
        if let Some((_, n)) = load {
            x0 += n;
        }
        s += 1;
    }
    if stream {
        fence();
    }
}
