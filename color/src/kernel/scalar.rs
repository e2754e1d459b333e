//! The scalar reference: portable Rust, one pixel at a time. Every other level
//! computes the same index arithmetic bit for bit; only the final blend may round differently.

use super::frame::{CodeScale, Sample};
use super::prepared::{LutTable, Prepared, ShaperTable};
use super::rows::{process_row, Block, PlainIo, RowMut, RowRef};
use crate::lut::Interpolation;

/// Renders one row with the scalar reference.
pub(crate) fn row<T: Sample>(
    p: &Prepared,
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
) {
    process_row::<T, PlainIo>(s, src, dst, width, |blk, n| block(p, blk, n));
}

fn block(p: &Prepared, blk: &mut Block, n: usize) {
    for i in 0..n {
        let out = pixel(p, [blk.r[i], blk.g[i], blk.b[i]]);
        blk.r[i] = out[0];
        blk.g[i] = out[1];
        blk.b[i] = out[2];
    }
}

/// Shaper → CDL → 3D LUT for one pixel.
#[inline]
pub(crate) fn pixel(p: &Prepared, rgb: [f32; 3]) -> [f32; 3] {
    let mut v = rgb;
    if let Some(shaper) = &p.shaper {
        v = shape(shaper, v);
    }
    if let Some(cdl) = &p.cdl {
        v = cdl.apply(v);
    }
    match p.lut.interpolation {
        Interpolation::Tetrahedral => tetrahedral(&p.lut, v),
        Interpolation::Trilinear => trilinear(&p.lut, v),
    }
}

#[inline]
fn shape(s: &ShaperTable, v: [f32; 3]) -> [f32; 3] {
    [0, 1, 2].map(|c| {
        let (i, f) = s.axes[c].locate(v[c]);
        let t = &s.tables[c];
        let (a, b) = (t[i], t[i + 1]);
        a + f * (b - a)
    })
}

/// The lattice cell (index of its lowest node) and the fractions within it.
#[inline]
fn cell(lut: &LutTable, v: [f32; 3]) -> (usize, [f32; 3]) {
    let [(ir, fr), (ig, fg), (ib, fb)] = [0, 1, 2].map(|c| lut.axes[c].locate(v[c]));
    let n = lut.size;
    (ir + n * (ig + n * ib), [fr, fg, fb])
}

#[inline]
fn node(lut: &LutTable, index: usize) -> [f32; 3] {
    let i = 3 * index;
    [lut.nodes[i], lut.nodes[i + 1], lut.nodes[i + 2]]
}

/// Tetrahedral interpolation written as the SIMD levels compute it: the fractions
/// sorted (max, mid, min) pick the two inner vertices by axis stride.
#[inline]
fn tetrahedral(lut: &LutTable, v: [f32; 3]) -> [f32; 3] {
    let (base, [fr, fg, fb]) = cell(lut, v);
    let [sr, sg, sb] = lut.strides();
    let hi = fr.max(fg).max(fb);
    let lo = fr.min(fg).min(fb);
    let mid = fr.min(fg).max(fr.max(fg).min(fb));
    let s_max = if fr >= fg && fr >= fb {
        sr
    } else if fg >= fb {
        sg
    } else {
        sb
    };
    let s_min = if fr <= fg && fr <= fb {
        sr
    } else if fg <= fb {
        sg
    } else {
        sb
    };
    let all = sr + sg + sb;
    let c0 = node(lut, base);
    let c1 = node(lut, base + s_max);
    let c2 = node(lut, base + all - s_min);
    let c3 = node(lut, base + all);
    let w = [1.0 - hi, hi - mid, mid - lo, lo];
    [0, 1, 2].map(|c| w[0] * c0[c] + w[1] * c1[c] + w[2] * c2[c] + w[3] * c3[c])
}

#[inline]
fn lerp(a: f32, b: f32, f: f32) -> f32 {
    a + f * (b - a)
}

/// Trilinear: lerp along B, then G, then R (OpenColorIO's order).
#[inline]
fn trilinear(lut: &LutTable, v: [f32; 3]) -> [f32; 3] {
    let (base, [fr, fg, fb]) = cell(lut, v);
    let [sr, sg, sb] = lut.strides();
    let at = |r: usize, g: usize, b: usize| node(lut, base + r * sr + g * sg + b * sb);
    let (c000, c001, c010, c011) = (at(0, 0, 0), at(0, 0, 1), at(0, 1, 0), at(0, 1, 1));
    let (c100, c101, c110, c111) = (at(1, 0, 0), at(1, 0, 1), at(1, 1, 0), at(1, 1, 1));
    [0, 1, 2].map(|c| {
        let c00 = lerp(c000[c], c001[c], fb);
        let c01 = lerp(c010[c], c011[c], fb);
        let c10 = lerp(c100[c], c101[c], fb);
        let c11 = lerp(c110[c], c111[c], fb);
        lerp(lerp(c00, c01, fg), lerp(c10, c11, fg), fr)
    })
}
