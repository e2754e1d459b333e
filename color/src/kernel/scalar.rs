//! The scalar reference: portable Rust, one pixel at a time. Every other level
//! computes the same index arithmetic bit for bit; only the final blend may round differently.

use super::frame::{CodeScale, Sample};
use super::prepared::{LutTable, Prepared, ShaperTable};
use super::rows::{process_row, Block, PlainIo, RowMut, RowRef};
use crate::lut::Interpolation;

/// Renders one row with the scalar reference.
///
/// On x86_64 CPUs with FMA and SSE4.1 the same code is compiled a second time with those
/// features, so `mul_add` and `round_ties_even` become single instructions instead of
/// libm calls (`fmaf`, `roundevenf`). Both are exactly rounded operations, so the two
/// builds give the same bits (tested); other targets keep the portable build.
pub(crate) fn row<T: Sample>(
    p: &Prepared,
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
) {
    #[cfg(target_arch = "x86_64")]
    if has_fma() {
        // SAFETY: `has_fma` detected FMA and SSE4.1 on this CPU.
        return unsafe { row_fma(p, s, src, dst, width) };
    }
    row_portable(p, s, src, dst, width);
}

#[cfg(target_arch = "x86_64")]
fn has_fma() -> bool {
    std::arch::is_x86_feature_detected!("fma") && std::arch::is_x86_feature_detected!("sse4.1")
}

/// [`row_portable`] compiled with FMA and SSE4.1 (`block` and the CDL power are inlined).
///
/// # Safety
/// The CPU must have FMA and SSE4.1.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma,sse4.1")]
unsafe fn row_fma<T: Sample>(
    p: &Prepared,
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
) {
    // The closure is written here, not shared with `row_portable`, so that it inherits
    // the features (a closure of an inlined function would not).
    process_row::<T, PlainIo>(s, src, dst, width, false, |blk, n| block(p, blk, n));
}

/// The reference itself, for any target.
#[inline(always)]
fn row_portable<T: Sample>(
    p: &Prepared,
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
) {
    process_row::<T, PlainIo>(s, src, dst, width, false, |blk, n| block(p, blk, n));
}

#[inline(always)]
fn block(p: &Prepared, blk: &mut Block, n: usize) {
    for i in 0..n {
        let out = pixel(p, [blk.r[i], blk.g[i], blk.b[i]]);
        blk.r[i] = out[0];
        blk.g[i] = out[1];
        blk.b[i] = out[2];
    }
}

/// Shaper → CDL → 3D LUT for one pixel.
#[inline(always)]
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

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use crate::cdl::CdlStyle;
    use crate::kernel::workload::{random_lut, SplitMix64, BENCH_CDL};
    use crate::kernel::Look;

    /// Unit-range, out-of-domain, negative, tiny and special values, RGB packed.
    fn pixels() -> Vec<f32> {
        let mut rng = SplitMix64::new(7);
        let mut px: Vec<f32> = (0..3 * 2048).map(|_| rng.next_unit() * 3.0 - 1.0).collect();
        px.extend([
            f32::NAN,
            -0.0,
            1e30,
            -1e30,
            f32::INFINITY,
            1e-40,
            0.5,
            f32::NEG_INFINITY,
            1.0,
        ]);
        px
    }

    #[test]
    fn the_fma_build_gives_the_portable_bits() {
        if !has_fma() {
            eprintln!("skipped: this CPU has no FMA and SSE4.1");
            return;
        }
        let src = pixels();
        let width = src.len() / 3;
        for style in [CdlStyle::Asc, CdlStyle::NoClamp] {
            let mut look = Look::lut(random_lut(17, 3));
            look.cdl = Some((BENCH_CDL, style));
            let p = Prepared::new(&look);
            let run = |fma: bool| {
                let mut out = vec![0.0f32; src.len()];
                let row = RowRef::Packed(&src[..], 3);
                let mut dst = RowMut::Packed(&mut out[..], 3);
                if fma {
                    // SAFETY: `has_fma` said yes above.
                    unsafe { row_fma(&p, &CodeScale::FLOAT, Some(&row), &mut dst, width) };
                } else {
                    row_portable(&p, &CodeScale::FLOAT, Some(&row), &mut dst, width);
                }
                out
            };
            let (fast, portable) = (run(true), run(false));
            for (i, (a, b)) in fast.iter().zip(&portable).enumerate() {
                assert_eq!(a.to_bits(), b.to_bits(), "{style:?} sample {i}: {a} vs {b}");
            }
            // The CDL really ran (the power moved values): not a pass-through.
            assert!(fast.iter().zip(&src).any(|(a, b)| a != b));
        }
    }
}
