//! The per-level code the AVX2 and AVX-512 levels share, written once: block loop, cell
//! location, shaper, CDL, tetrahedral and trilinear interpolation. [`simd_level!`]
//! expands it inside a level's module, where a module `v` provides that level's vector
//! types and operations under common names (the only part that differs between levels):
//!
//! - `LANES`, `F` (f32 lanes), `I` (i32 lanes), `M` (a lane mask);
//! - `splat`, `zero`, `add`, `sub`, `mul`, `fmadd` (`a·b + c`), `min`, `max`;
//! - `isplat`, `iadd`, `isub`, `imul`, `imin`, `cvtt` (truncate), `to_f`;
//! - `ge`, `lt`, `ordered`, `and` (masks), `select(m, t, f)`, `iselect(m, t, f)`;
//! - `pow` (the CDL power) and, `unsafe`, `load`, `store`, `gather` and `fetch_rgb`
//!   (the three channels of lattice nodes `3·index`).
//!
//! Every function gets the level's `#[target_feature]` set, so the operations inline.

macro_rules! simd_level {
    ($features:literal, $io:ty) => {
        use super::frame::{CodeScale, Sample};
        use super::prepared::{Axis, CdlTable, LutTable, Prepared, ShaperTable, LUMA};
        use super::rows::{process_row, Block, RowMut, RowRef};
        use crate::cdl::CdlStyle;
        use crate::lut::Interpolation;
        use v::{F, I};

        /// Renders one row.
        ///
        /// # Safety
        /// The CPU must support the level's features (see `CpuLevel::is_supported`).
        #[target_feature(enable = $features)]
        pub(crate) unsafe fn row<T: Sample>(
            p: &Prepared,
            s: &CodeScale,
            src: Option<&RowRef<'_, T>>,
            dst: &mut RowMut<'_, T>,
            width: usize,
        ) {
            process_row::<T, $io>(s, src, dst, width, |blk, n| block(p, blk, n));
        }

        type Rgb = (F, F, F);

        #[inline]
        #[target_feature(enable = $features)]
        fn block(p: &Prepared, blk: &mut Block, n: usize) {
            let shaper = p.shaper.as_ref();
            let cdl = p.cdl.as_ref().map(|c| CdlV::new(c));
            let lut = LutV::new(&p.lut);
            let mut i = 0;
            while i < n {
                // SAFETY: i < n ≤ BLOCK and BLOCK is a multiple of LANES, so i..i + LANES
                // is inside each array.
                let mut rgb = unsafe {
                    (
                        v::load(blk.r.as_ptr().add(i)),
                        v::load(blk.g.as_ptr().add(i)),
                        v::load(blk.b.as_ptr().add(i)),
                    )
                };
                if let Some(sh) = shaper {
                    rgb = shape(sh, rgb);
                }
                if let Some(c) = &cdl {
                    rgb = c.apply(rgb);
                }
                let (r, g, b) = match lut.interpolation {
                    Interpolation::Tetrahedral => lut.tetrahedral(rgb),
                    Interpolation::Trilinear => lut.trilinear(rgb),
                };
                // SAFETY: same bounds as the loads above.
                unsafe {
                    v::store(blk.r.as_mut_ptr().add(i), r);
                    v::store(blk.g.as_mut_ptr().add(i), g);
                    v::store(blk.b.as_mut_ptr().add(i), b);
                }
                i += v::LANES;
            }
        }

        /// [`Axis::locate`] for every lane: cell index and fraction.
        #[inline]
        #[target_feature(enable = $features)]
        fn locate(a: &Axis, x: F) -> (I, F) {
            let u = v::mul(v::sub(x, v::splat(a.min)), v::splat(a.scale));
            // max returns its second operand when the first is NaN: NaN → 0.
            let u = v::min(v::max(u, v::zero()), v::splat(a.top));
            let i = v::imin(v::cvtt(u), v::isplat(a.last));
            (i, v::sub(u, v::to_f(i)))
        }

        #[inline]
        #[target_feature(enable = $features)]
        fn shape(s: &ShaperTable, (r, g, b): Rgb) -> Rgb {
            let one = |c: usize, x: F| {
                let (i, f) = locate(&s.axes[c], x);
                let t = s.tables[c].as_ptr();
                // SAFETY: `locate` keeps i in 0..=len − 2, so i and i + 1 index the table.
                let (a, b) = unsafe { (v::gather(t, i), v::gather(t, v::iadd(i, v::isplat(1)))) };
                v::add(a, v::mul(f, v::sub(b, a)))
            };
            (one(0, r), one(1, g), one(2, b))
        }

        /// The CDL constants broadcast to every lane.
        struct CdlV {
            slope: [F; 3],
            offset: [F; 3],
            power: [F; 3],
            sat: F,
            luma: [F; 3],
            style: CdlStyle,
            has_power: bool,
            has_sat: bool,
        }

        impl CdlV {
            #[inline]
            #[target_feature(enable = $features)]
            fn new(c: &CdlTable) -> Self {
                let k = &c.cdl;
                Self {
                    slope: k.slope.map(|x| v::splat(x)),
                    offset: k.offset.map(|x| v::splat(x)),
                    power: k.power.map(|x| v::splat(x)),
                    sat: v::splat(k.sat),
                    luma: LUMA.map(|x| v::splat(x)),
                    style: c.style,
                    has_power: c.has_power,
                    has_sat: c.has_sat,
                }
            }

            /// Slope, offset, power per channel (the style's clamps), then saturation:
            /// [`CdlTable::apply`] lane by lane.
            #[inline]
            #[target_feature(enable = $features)]
            fn apply(&self, (r, g, b): Rgb) -> Rgb {
                let (zero, one) = (v::zero(), v::splat(1.0));
                let rgb = [r, g, b];
                let out: [F; 3] = std::array::from_fn(|c| {
                    let x = v::add(v::mul(rgb[c], self.slope[c]), self.offset[c]);
                    match self.style {
                        CdlStyle::Asc => {
                            let x = v::min(v::max(x, zero), one);
                            if self.has_power {
                                v::pow(x, self.power[c])
                            } else {
                                x
                            }
                        }
                        CdlStyle::NoClamp => {
                            // NaN → 0; negatives pass the power unchanged.
                            let x = v::select(v::ordered(x), x, zero);
                            if self.has_power {
                                let pw = v::pow(v::max(x, zero), self.power[c]);
                                v::select(v::lt(x, zero), x, pw)
                            } else {
                                x
                            }
                        }
                    }
                });
                let out = if self.has_sat {
                    let luma = v::add(
                        v::add(v::mul(self.luma[0], out[0]), v::mul(self.luma[1], out[1])),
                        v::mul(self.luma[2], out[2]),
                    );
                    out.map(|x| v::add(luma, v::mul(self.sat, v::sub(x, luma))))
                } else {
                    out
                };
                let [r, g, b] = match self.style {
                    CdlStyle::Asc => out.map(|x| v::min(v::max(x, zero), one)),
                    CdlStyle::NoClamp => out,
                };
                (r, g, b)
            }
        }

        /// The lattice and its strides for every lane.
        struct LutV<'a> {
            lut: &'a LutTable,
            interpolation: Interpolation,
            stride: [I; 3],
        }

        impl<'a> LutV<'a> {
            #[inline]
            #[target_feature(enable = $features)]
            fn new(lut: &'a LutTable) -> Self {
                Self {
                    lut,
                    interpolation: lut.interpolation,
                    stride: lut.strides().map(|s| v::isplat(s as i32)),
                }
            }

            /// Index of each lane's lowest cell node and the fractions.
            #[inline]
            #[target_feature(enable = $features)]
            fn cell(&self, (r, g, b): Rgb) -> (I, [F; 3]) {
                let (ir, fr) = locate(&self.lut.axes[0], r);
                let (ig, fg) = locate(&self.lut.axes[1], g);
                let (ib, fb) = locate(&self.lut.axes[2], b);
                let base = v::iadd(
                    ir,
                    v::iadd(v::imul(ig, self.stride[1]), v::imul(ib, self.stride[2])),
                );
                (base, [fr, fg, fb])
            }

            /// The three channels of the nodes at `index` (in nodes).
            #[inline]
            #[target_feature(enable = $features)]
            fn fetch(&self, index: I) -> [F; 3] {
                let i3 = v::iadd(index, v::iadd(index, index));
                // SAFETY: every index is a node of the lattice (cells are clamped to
                // 0..=N − 2 per axis and the vertex offsets stay within the cell), so
                // 3·index + 2 < nodes.len().
                unsafe { v::fetch_rgb(self.lut.nodes.as_ptr(), i3) }
            }

            #[inline]
            #[target_feature(enable = $features)]
            fn tetrahedral(&self, rgb: Rgb) -> Rgb {
                let (base, [fr, fg, fb]) = self.cell(rgb);
                let hi = v::max(v::max(fr, fg), fb);
                let lo = v::min(v::min(fr, fg), fb);
                let mid = v::max(v::min(fr, fg), v::min(v::max(fr, fg), fb));
                let [sr, sg, sb] = self.stride;
                let r_max = v::and(v::ge(fr, fg), v::ge(fr, fb));
                let s_max = v::iselect(r_max, sr, v::iselect(v::ge(fg, fb), sg, sb));
                let r_min = v::and(v::ge(fg, fr), v::ge(fb, fr));
                let s_min = v::iselect(r_min, sr, v::iselect(v::ge(fb, fg), sg, sb));
                let far = v::iadd(base, v::iadd(sr, v::iadd(sg, sb)));
                let c0 = self.fetch(base);
                let c1 = self.fetch(v::iadd(base, s_max));
                let c2 = self.fetch(v::isub(far, s_min));
                let c3 = self.fetch(far);
                let w0 = v::sub(v::splat(1.0), hi);
                let w1 = v::sub(hi, mid);
                let w2 = v::sub(mid, lo);
                let out: [F; 3] = std::array::from_fn(|c| {
                    let acc = v::mul(w0, c0[c]);
                    let acc = v::fmadd(w1, c1[c], acc);
                    let acc = v::fmadd(w2, c2[c], acc);
                    v::fmadd(lo, c3[c], acc)
                });
                (out[0], out[1], out[2])
            }

            #[inline]
            #[target_feature(enable = $features)]
            fn trilinear(&self, rgb: Rgb) -> Rgb {
                let (base, [fr, fg, fb]) = self.cell(rgb);
                let [sr, sg, sb] = self.stride;
                let at = |r: bool, g: bool, b: bool| {
                    let mut i = base;
                    for (on, s) in [(r, sr), (g, sg), (b, sb)] {
                        if on {
                            i = v::iadd(i, s);
                        }
                    }
                    self.fetch(i)
                };
                let lerp = |a: F, b: F, f: F| v::fmadd(f, v::sub(b, a), a);
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
                let out: [F; 3] = std::array::from_fn(|c| {
                    let c00 = lerp(c000[c], c001[c], fb);
                    let c01 = lerp(c010[c], c011[c], fb);
                    let c10 = lerp(c100[c], c101[c], fb);
                    let c11 = lerp(c110[c], c111[c], fb);
                    lerp(lerp(c00, c01, fg), lerp(c10, c11, fg), fr)
                });
                (out[0], out[1], out[2])
            }
        }
    };
}

pub(crate) use simd_level;
