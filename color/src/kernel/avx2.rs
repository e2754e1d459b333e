//! AVX2 + FMA level: 8 pixels per vector, lattice nodes fetched with gathers, vector
//! loads and stores for packed f32/u16 RGB and u8 RGBA ([`super::avx2_io`]).
//! Index arithmetic, shaper and CDL are the scalar reference's operations, lane by lane.

use super::avx2_io::Avx2Io;
use super::frame::{CodeScale, Sample};
use super::prepared::{Axis, CdlTable, LutTable, Prepared, ShaperTable, LUMA};
use super::rows::{process_row, Block, RowMut, RowRef};
use super::simd_math::pow_ps_avx2;
use crate::cdl::CdlStyle;
use crate::lut::Interpolation;
use std::arch::x86_64::*;

const LANES: usize = 8;

/// Renders one row.
///
/// # Safety
/// The CPU must support AVX2, FMA and F16C.
#[target_feature(enable = "avx2,fma,f16c")]
pub(crate) unsafe fn row<T: Sample>(
    p: &Prepared,
    s: &CodeScale,
    src: Option<&RowRef<'_, T>>,
    dst: &mut RowMut<'_, T>,
    width: usize,
) {
    process_row::<T, Avx2Io>(s, src, dst, width, |blk, n| block(p, blk, n));
}

type Rgb = (__m256, __m256, __m256);

#[inline]
#[target_feature(enable = "avx2,fma,f16c")]
fn block(p: &Prepared, blk: &mut Block, n: usize) {
    let shaper = p.shaper.as_ref();
    let cdl = p.cdl.as_ref().map(|c| Cdl8::new(c));
    let lut = Lut8::new(&p.lut);
    let mut i = 0;
    while i < n {
        // SAFETY: i < n ≤ BLOCK and BLOCK is a multiple of LANES, so i..i + 8 is inside each array.
        let mut v = unsafe {
            (
                _mm256_loadu_ps(blk.r.as_ptr().add(i)),
                _mm256_loadu_ps(blk.g.as_ptr().add(i)),
                _mm256_loadu_ps(blk.b.as_ptr().add(i)),
            )
        };
        if let Some(sh) = shaper {
            v = shape(sh, v);
        }
        if let Some(c) = &cdl {
            v = c.apply(v);
        }
        let (r, g, b) = match lut.interpolation {
            Interpolation::Tetrahedral => lut.tetrahedral(v),
            Interpolation::Trilinear => lut.trilinear(v),
        };
        // SAFETY: same bounds as the loads above.
        unsafe {
            _mm256_storeu_ps(blk.r.as_mut_ptr().add(i), r);
            _mm256_storeu_ps(blk.g.as_mut_ptr().add(i), g);
            _mm256_storeu_ps(blk.b.as_mut_ptr().add(i), b);
        }
        i += LANES;
    }
}

/// [`Axis::locate`] for 8 lanes: cell index and fraction.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn locate(a: &Axis, x: __m256) -> (__m256i, __m256) {
    let u = _mm256_mul_ps(
        _mm256_sub_ps(x, _mm256_set1_ps(a.min)),
        _mm256_set1_ps(a.scale),
    );
    // max_ps returns its second operand when the first is NaN: NaN → 0.
    let u = _mm256_max_ps(u, _mm256_setzero_ps());
    let u = _mm256_min_ps(u, _mm256_set1_ps(a.top));
    let i = _mm256_min_epi32(_mm256_cvttps_epi32(u), _mm256_set1_epi32(a.last));
    (i, _mm256_sub_ps(u, _mm256_cvtepi32_ps(i)))
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn shape(s: &ShaperTable, (r, g, b): Rgb) -> Rgb {
    let one = |c: usize, x: __m256| {
        let (i, f) = locate(&s.axes[c], x);
        let t = s.tables[c].as_ptr();
        // SAFETY: `locate` keeps i in 0..=len − 2, so i and i + 1 index the table.
        let (a, b) = unsafe {
            (
                _mm256_i32gather_ps::<4>(t, i),
                _mm256_i32gather_ps::<4>(t, _mm256_add_epi32(i, _mm256_set1_epi32(1))),
            )
        };
        _mm256_add_ps(a, _mm256_mul_ps(f, _mm256_sub_ps(b, a)))
    };
    (one(0, r), one(1, g), one(2, b))
}

/// The CDL constants broadcast to 8 lanes.
struct Cdl8 {
    slope: [__m256; 3],
    offset: [__m256; 3],
    power: [__m256; 3],
    sat: __m256,
    luma: [__m256; 3],
    style: CdlStyle,
    has_power: bool,
    has_sat: bool,
}

impl Cdl8 {
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn new(c: &CdlTable) -> Self {
        let k = &c.cdl;
        Self {
            slope: k.slope.map(|x| _mm256_set1_ps(x)),
            offset: k.offset.map(|x| _mm256_set1_ps(x)),
            power: k.power.map(|x| _mm256_set1_ps(x)),
            sat: _mm256_set1_ps(k.sat),
            luma: LUMA.map(|x| _mm256_set1_ps(x)),
            style: c.style,
            has_power: c.has_power,
            has_sat: c.has_sat,
        }
    }

    /// Slope, offset, power per channel (the style's clamps), then saturation.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn apply(&self, (r, g, b): Rgb) -> Rgb {
        let zero = _mm256_setzero_ps();
        let one = _mm256_set1_ps(1.0);
        let v = [r, g, b];
        let v: [__m256; 3] = std::array::from_fn(|c| {
            let x = _mm256_add_ps(_mm256_mul_ps(v[c], self.slope[c]), self.offset[c]);
            match self.style {
                CdlStyle::Asc => {
                    let x = _mm256_min_ps(_mm256_max_ps(x, zero), one);
                    if self.has_power {
                        pow_ps_avx2(x, self.power[c])
                    } else {
                        x
                    }
                }
                CdlStyle::NoClamp => {
                    // NaN → 0; negatives pass the power unchanged.
                    let x = _mm256_and_ps(x, _mm256_cmp_ps::<_CMP_ORD_Q>(x, x));
                    if self.has_power {
                        let neg = _mm256_cmp_ps::<_CMP_LT_OQ>(x, zero);
                        let pw = pow_ps_avx2(_mm256_max_ps(x, zero), self.power[c]);
                        _mm256_blendv_ps(pw, x, neg)
                    } else {
                        x
                    }
                }
            }
        });
        let out = if self.has_sat {
            let luma = _mm256_add_ps(
                _mm256_add_ps(
                    _mm256_mul_ps(self.luma[0], v[0]),
                    _mm256_mul_ps(self.luma[1], v[1]),
                ),
                _mm256_mul_ps(self.luma[2], v[2]),
            );
            v.map(|x| _mm256_add_ps(luma, _mm256_mul_ps(self.sat, _mm256_sub_ps(x, luma))))
        } else {
            v
        };
        match self.style {
            CdlStyle::Asc => {
                let clamp = |x| _mm256_min_ps(_mm256_max_ps(x, zero), one);
                (clamp(out[0]), clamp(out[1]), clamp(out[2]))
            }
            CdlStyle::NoClamp => (out[0], out[1], out[2]),
        }
    }
}

/// The lattice and its constants for 8 lanes.
struct Lut8<'a> {
    lut: &'a LutTable,
    interpolation: Interpolation,
    stride: [__m256i; 3],
}

impl<'a> Lut8<'a> {
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn new(lut: &'a LutTable) -> Self {
        Self {
            lut,
            interpolation: lut.interpolation,
            stride: lut.strides().map(|s| _mm256_set1_epi32(s as i32)),
        }
    }

    /// Index of each lane's lowest cell node and the fractions.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn cell(&self, (r, g, b): Rgb) -> (__m256i, [__m256; 3]) {
        let (ir, fr) = locate(&self.lut.axes[0], r);
        let (ig, fg) = locate(&self.lut.axes[1], g);
        let (ib, fb) = locate(&self.lut.axes[2], b);
        let base = _mm256_add_epi32(
            ir,
            _mm256_add_epi32(
                _mm256_mullo_epi32(ig, self.stride[1]),
                _mm256_mullo_epi32(ib, self.stride[2]),
            ),
        );
        (base, [fr, fg, fb])
    }

    /// The three channels of the nodes at `index` (in nodes).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn fetch(&self, index: __m256i) -> [__m256; 3] {
        let i3 = _mm256_add_epi32(index, _mm256_add_epi32(index, index));
        let p = self.lut.nodes.as_ptr();
        // SAFETY: every index is a node of the lattice (cells are clamped to 0..=N − 2 per
        // axis and the vertex offsets stay within the cell), so 3·index + 2 < nodes.len().
        unsafe {
            [
                _mm256_i32gather_ps::<4>(p, i3),
                _mm256_i32gather_ps::<4>(p.add(1), i3),
                _mm256_i32gather_ps::<4>(p.add(2), i3),
            ]
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn tetrahedral(&self, v: Rgb) -> Rgb {
        let (base, [fr, fg, fb]) = self.cell(v);
        let hi = _mm256_max_ps(_mm256_max_ps(fr, fg), fb);
        let lo = _mm256_min_ps(_mm256_min_ps(fr, fg), fb);
        let mid = _mm256_max_ps(
            _mm256_min_ps(fr, fg),
            _mm256_min_ps(_mm256_max_ps(fr, fg), fb),
        );
        let ge = |a, b| _mm256_castps_si256(_mm256_cmp_ps::<_CMP_GE_OQ>(a, b));
        let [sr, sg, sb] = self.stride;
        let r_max = _mm256_and_si256(ge(fr, fg), ge(fr, fb));
        let s_max = _mm256_blendv_epi8(_mm256_blendv_epi8(sb, sg, ge(fg, fb)), sr, r_max);
        let r_min = _mm256_and_si256(ge(fg, fr), ge(fb, fr));
        let s_min = _mm256_blendv_epi8(_mm256_blendv_epi8(sb, sg, ge(fb, fg)), sr, r_min);
        let all = _mm256_add_epi32(sr, _mm256_add_epi32(sg, sb));
        let far = _mm256_add_epi32(base, all);
        let c0 = self.fetch(base);
        let c1 = self.fetch(_mm256_add_epi32(base, s_max));
        let c2 = self.fetch(_mm256_sub_epi32(far, s_min));
        let c3 = self.fetch(far);
        let w0 = _mm256_sub_ps(_mm256_set1_ps(1.0), hi);
        let w1 = _mm256_sub_ps(hi, mid);
        let w2 = _mm256_sub_ps(mid, lo);
        let out: [__m256; 3] = std::array::from_fn(|c| {
            let acc = _mm256_mul_ps(w0, c0[c]);
            let acc = _mm256_fmadd_ps(w1, c1[c], acc);
            let acc = _mm256_fmadd_ps(w2, c2[c], acc);
            _mm256_fmadd_ps(lo, c3[c], acc)
        });
        (out[0], out[1], out[2])
    }

    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn trilinear(&self, v: Rgb) -> Rgb {
        let (base, [fr, fg, fb]) = self.cell(v);
        let [sr, sg, sb] = self.stride;
        let at = |r: bool, g: bool, b: bool| {
            let mut i = base;
            for (on, s) in [(r, sr), (g, sg), (b, sb)] {
                if on {
                    i = _mm256_add_epi32(i, s);
                }
            }
            self.fetch(i)
        };
        let lerp = |a: __m256, b: __m256, f: __m256| _mm256_fmadd_ps(f, _mm256_sub_ps(b, a), a);
        let (c000, c001, c010, c011) = (
            at(false, false, false),
            at(false, false, true),
            at(false, true, false),
            at(false, true, true),
        );
        let (c100, c101, c110, c111) = (
            at(true, false, false),
            at(true, false, true),
            at(true, true, false),
            at(true, true, true),
        );
        let out: [__m256; 3] = std::array::from_fn(|c| {
            let c00 = lerp(c000[c], c001[c], fb);
            let c01 = lerp(c010[c], c011[c], fb);
            let c10 = lerp(c100[c], c101[c], fb);
            let c11 = lerp(c110[c], c111[c], fb);
            lerp(lerp(c00, c01, fg), lerp(c10, c11, fg), fr)
        });
        (out[0], out[1], out[2])
    }
}
