//! The per-level code the AVX2 and AVX-512 levels share, written once: block loop, cell
//! location, shaper, CDL, tetrahedral and trilinear interpolation. [`simd_level!`]
//! expands it inside a level's module, where a module `v` provides that level's vector
//! types and operations under common names (the only part that differs between levels):
//!
//! - `LANES`, `F` (f32 lanes), `I` (i32 lanes), `M` (a lane mask);
//! - `splat`, `zero`, `add`, `sub`, `mul`, `fmadd` (`a·b + c`), `min`, `max`;
//! - `isplat`, `iadd`, `isub`, `imul`, `imin`, `cvtt` (truncate), `to_f`;
//! - `ge`, `lt`, `ordered`, `and` (masks), `select(m, t, f)`, `iselect(m, t, f)`;
//! - `Pow`, `pow_consts()` and `pow3(&Pow, x, p)` (the CDL power of a pixel's three
//!   channels at once, with the level's constants) and, `unsafe`, `load`, `store`,
//!   `iload`, `istore`, `gather`, `fetch_rgb` (the three channels of lattice nodes
//!   `3·index`, gathered) and `fetch_rgb_loads` (the same from the stored offsets, one
//!   16-byte load per node).
//!
//! Every function gets the level's `#[target_feature]` set, so the operations inline.

macro_rules! simd_level {
    ($features:literal, $io:ty) => {
        use super::compact::{Compact, Lattice};
        use super::cpu::NodeReads;
        use super::frame::{CodeScale, Sample};
        use super::prepared::{
            Axis, CdlTable, LutTable, Prepared, ShaperTable, FUSED_MAX_BYTES, LUMA,
            PAIRED_MIN_BYTES, PAIRED_MIN_BYTES_LOADS,
        };
        use super::row_pipeline::{process_row_pipelined, Ahead};
        use super::rows::{process_row, Block, RowMut, RowRef, BLOCK};
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
            stream: bool,
            reads: NodeReads,
        ) {
            let loads = reads == NodeReads::Loads;
            // With loads, u16 outputs read the f32 lattice too (tetra33-u16 +10 % against
            // the packed lattice's gathers on Zen 4; u8 keeps its 32-bit packed nodes).
            let lattice = if loads && T::as_u16s(&[]).is_some() {
                Lattice::F32
            } else {
                Lattice::choose::<T>(p, s)
            };
            if p.lut.interpolation == Interpolation::Tetrahedral && matches!(lattice, Lattice::F32)
            {
                let fits = p.lut.nodes.len() * 4 < FUSED_MAX_BYTES;
                // The fused loop only with gathers: with loads the pipelined loop renders
                // tetra33-f32 7-12 % faster at both levels (Zen 4).
                if v::FUSED_IO
                    && !loads
                    && fits
                    && src.is_some()
                    && fused_row(p, src, dst, width, stream)
                {
                    return;
                }
                let mut tetra = [Tetra::new(), Tetra::new()];
                process_row_pipelined::<T, $io>(
                    s,
                    src,
                    dst,
                    width,
                    stream,
                    |cur, prev, slot, ahead| step(p, reads, cur, prev, &mut tetra, slot, ahead),
                );
                return;
            }
            let mut tetra = Tetra::new();
            process_row::<T, $io>(s, src, dst, width, stream, |blk, n| {
                block(p, lattice, blk, n, &mut tetra)
            });
        }

        /// One step of the pipelined tetrahedral render (f32 lattice): the first half
        /// (shaper, CDL, cell and weights) of `cur` and the second half (lattice reads and
        /// blend) of `prev` in one loop, so the blend's reads overlap the arithmetic.
        #[inline]
        #[target_feature(enable = $features)]
        fn step(
            p: &Prepared,
            reads: NodeReads,
            cur: Option<(&mut Block, usize)>,
            prev: Option<(&mut Block, usize)>,
            tetra: &mut [Tetra; 2],
            slot: usize,
            ahead: Ahead,
        ) {
            let lut = LutV::for_f32(p, reads);
            let (t_cur, t_prev) = slots(tetra, slot);
            let mut cur = cur;
            if let Some((blk, n)) = cur.as_mut() {
                prepass(p, blk, *n);
            }
            // One loop per order and reads, so none tests them per vector.
            let h = (&lut, cur, prev, t_cur, &*t_prev, ahead);
            match (lut.paired, reads) {
                (true, NodeReads::Loads) => halves::<true, true>(h),
                (true, NodeReads::Gathers) => halves::<true, false>(h),
                (false, NodeReads::Loads) => halves::<false, true>(h),
                (false, NodeReads::Gathers) => halves::<false, false>(h),
            }
        }

        /// [`step`]'s loops over the blocks, `PAIRED` as [`LutV::paired`], `LOADS` as in
        /// [`LutV::blend`].
        #[inline]
        #[target_feature(enable = $features)]
        fn halves<const PAIRED: bool, const LOADS: bool>(
            (lut, cur, prev, t_cur, t_prev, ahead): (
                &LutV<'_>,
                Option<(&mut Block, usize)>,
                Option<(&mut Block, usize)>,
                &mut Tetra,
                &Tetra,
                Ahead,
            ),
        ) {
            let mut i = 0;
            match (cur, prev) {
                (Some((c, nc)), Some((pb, np))) => {
                    let n = nc.max(np);
                    while i < n {
                        // SAFETY: this function has the level's features.
                        put(pb, i, unsafe { lut.blend::<LOADS>(t_prev, i) });
                        lut.tetrahedron::<PAIRED>(get(c, i), t_cur, i, true);
                        ahead.part(i / v::LANES, BLOCK / v::LANES);
                        i += v::LANES;
                    }
                }
                (Some((c, nc)), None) => {
                    while i < nc {
                        lut.tetrahedron::<PAIRED>(get(c, i), t_cur, i, true);
                        ahead.part(i / v::LANES, BLOCK / v::LANES);
                        i += v::LANES;
                    }
                }
                (None, Some((pb, np))) => {
                    while i < np {
                        // SAFETY: this function has the level's features.
                        put(pb, i, unsafe { lut.blend::<LOADS>(t_prev, i) });
                        i += v::LANES;
                    }
                }
                (None, None) => {}
            }
            ahead.parts_from(i / v::LANES, BLOCK / v::LANES);
        }

        /// The two tetrahedra of a pipelined row: slot `k`'s, then the other one's.
        #[inline(always)]
        fn slots(tetra: &mut [Tetra; 2], k: usize) -> (&mut Tetra, &mut Tetra) {
            let [a, b] = tetra;
            if k == 0 {
                (a, b)
            } else {
                (b, a)
            }
        }

        /// Shaper and CDL over a block, in a pass of their own: the power's long chains of
        /// dependent steps overlap across iterations only if an iteration is short (AVX2
        /// and AVX-512 CDL workload +10 % against shaper, CDL and cell in one loop).
        #[inline]
        #[target_feature(enable = $features)]
        fn prepass(p: &Prepared, blk: &mut Block, n: usize) {
            let shaper = p.shaper.as_ref();
            let cdl = p.cdl.as_ref().map(|c| CdlV::new(c));
            if shaper.is_none() && cdl.is_none() {
                return;
            }
            let mut i = 0;
            while i < n {
                let mut rgb = get(blk, i);
                if let Some(sh) = shaper {
                    rgb = shape(sh, rgb);
                }
                if let Some(c) = &cdl {
                    rgb = c.apply(rgb);
                }
                put(blk, i, rgb);
                i += v::LANES;
            }
        }

        type Rgb = (F, F, F);

        /// The tetrahedra of a block's pixels: where each of the four vertices sits in the
        /// lattice read (the first of its three samples in the f32 nodes, `3·index` with the
        /// index in [`LutV::nodes`]'s order, plain or paired; the index itself for a packed
        /// lattice) and their weights. A first pass over the block computes them, so the
        /// second pass is only lattice reads and the blend: short iterations, many reads in
        /// flight at once.
        #[repr(C, align(64))]
        struct Tetra {
            vertex: [[i32; BLOCK]; 4],
            weight: [[f32; BLOCK]; 4],
        }

        impl Tetra {
            fn new() -> Self {
                Self {
                    vertex: [[0; BLOCK]; 4],
                    weight: [[0.0; BLOCK]; 4],
                }
            }
        }

        /// One block of every render `row` does not pipeline: trilinear through the f32
        /// lattice, or tetrahedral through a packed one (tetrahedral f32 never comes here).
        #[inline]
        #[target_feature(enable = $features)]
        fn block(p: &Prepared, lattice: Lattice<'_>, blk: &mut Block, n: usize, tetra: &mut Tetra) {
            let lut = LutV::new(&p.lut);
            prepass(p, blk, n);
            let mut i = 0;
            match lattice {
                Lattice::F32 => {
                    debug_assert_eq!(lut.interpolation, Interpolation::Trilinear);
                    while i < n {
                        put(blk, i, lut.trilinear(get(blk, i)));
                        i += v::LANES;
                    }
                }
                Lattice::Packed32(c) => {
                    let c = PackedV::new(c);
                    cells(&lut, blk, n, tetra);
                    while i < n {
                        put(blk, i, c.blend(tetra, i, |t, k| c.fetch32(t, k, i)));
                        i += v::LANES;
                    }
                }
                Lattice::Packed64(c) => {
                    let c = PackedV::new(c);
                    cells(&lut, blk, n, tetra);
                    while i < n {
                        put(blk, i, c.blend(tetra, i, |t, k| c.fetch64(t, k, i)));
                        i += v::LANES;
                    }
                }
            }
        }

        /// The tetrahedra of a block's pixels for a packed lattice (node indices, plain
        /// order), every vector up to `n` and the lanes past it too.
        #[inline]
        #[target_feature(enable = $features)]
        fn cells(lut: &LutV<'_>, blk: &Block, n: usize, tetra: &mut Tetra) {
            debug_assert_eq!(lut.interpolation, Interpolation::Tetrahedral);
            let mut i = 0;
            while i < n {
                lut.tetrahedron::<false>(get(blk, i), tetra, i, false);
                i += v::LANES;
            }
        }

        /// Loads a vector of pixels at `i` of the block's planes.
        #[inline]
        #[target_feature(enable = $features)]
        fn get(blk: &Block, i: usize) -> Rgb {
            // SAFETY: callers pass i < n ≤ BLOCK with BLOCK a multiple of LANES, so
            // i..i + LANES is inside each array.
            unsafe {
                (
                    v::load(blk.r.as_ptr().add(i)),
                    v::load(blk.g.as_ptr().add(i)),
                    v::load(blk.b.as_ptr().add(i)),
                )
            }
        }

        /// Stores a vector of pixels at `i` of the block's planes.
        #[inline]
        #[target_feature(enable = $features)]
        fn put(blk: &mut Block, i: usize, (r, g, b): Rgb) {
            // SAFETY: callers pass i < n ≤ BLOCK with BLOCK a multiple of LANES, so
            // i..i + LANES is inside each array.
            unsafe {
                v::store(blk.r.as_mut_ptr().add(i), r);
                v::store(blk.g.as_mut_ptr().add(i), g);
                v::store(blk.b.as_mut_ptr().add(i), b);
            }
        }

        /// [`locate`] with the cell index as a float (an integer, exact).
        #[inline]
        #[target_feature(enable = $features)]
        fn locate_f(a: &Axis, x: F) -> (F, F) {
            let (i, f) = locate(a, x);
            (v::to_f(i), f)
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
            pow: v::Pow,
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
                    pow: v::pow_consts(),
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
                // Plain arrays, no closures: `array::from_fn`'s closure (the power
                // inlined in it) was left out of line and called per channel.
                let x = [r, g, b];
                let mut y = [zero; 3];
                for c in 0..3 {
                    y[c] = v::add(v::mul(x[c], self.slope[c]), self.offset[c]);
                }
                // Asc: clamped to [0, 1]; no-clamp: NaN → 0, negatives pass the power
                // unchanged. One call of the power (inlined only where it has one caller).
                let asc = self.style == CdlStyle::Asc;
                for y in &mut y {
                    *y = if asc {
                        v::min(v::max(*y, zero), one)
                    } else {
                        v::select(v::ordered(*y), *y, zero)
                    };
                }
                let out = if self.has_power {
                    let base = [v::max(y[0], zero), v::max(y[1], zero), v::max(y[2], zero)];
                    let mut out = v::pow3(&self.pow, base, self.power);
                    if !asc {
                        for c in 0..3 {
                            out[c] = v::select(v::lt(y[c], zero), y[c], out[c]);
                        }
                    }
                    out
                } else {
                    y
                };
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
            /// `stride` times 3: the strides in f32 samples of the plain node order.
            stride3: [I; 3],
            /// The f32 lattice the tetrahedra read: `lut.nodes`, or [`LutTable::paired`].
            nodes: &'a [f32],
            /// True when `nodes` is in paired order.
            paired: bool,
        }

        impl<'a> LutV<'a> {
            #[inline]
            #[target_feature(enable = $features)]
            fn new(lut: &'a LutTable) -> Self {
                // The 16-byte node loads read one float past the last node: its padding.
                debug_assert_eq!(lut.nodes.len() % 3, 1, "lattice without its padding");
                Self {
                    lut,
                    interpolation: lut.interpolation,
                    stride: lut.strides().map(|s| v::isplat(s as i32)),
                    stride3: lut.strides().map(|s| v::isplat(3 * s as i32)),
                    nodes: &lut.nodes,
                    paired: false,
                }
            }

            /// For f32 tetrahedra: lattices of [`PAIRED_MIN_BYTES`] or more (with
            /// [`NodeReads::Loads`], [`PAIRED_MIN_BYTES_LOADS`]) read in paired order
            /// ([`Prepared::paired`], made on first use).
            #[inline]
            #[target_feature(enable = $features)]
            fn for_f32(p: &'a Prepared, reads: NodeReads) -> Self {
                let min = match reads {
                    NodeReads::Gathers => PAIRED_MIN_BYTES,
                    NodeReads::Loads => PAIRED_MIN_BYTES_LOADS,
                };
                if p.lut.nodes.len() * 4 < min {
                    return Self::new(&p.lut);
                }
                Self {
                    nodes: p.paired.get_or_init(|| p.lut.paired()),
                    paired: true,
                    ..Self::new(&p.lut)
                }
            }

            /// [`LutV::cell`] in paired order ([`LutTable::paired_index`]): the lowest
            /// node's index and the strides of R, G and B from it (G's depends on the
            /// parity of the cell's G: the next row of its pair, or the first of the next pair).
            #[inline]
            #[target_feature(enable = $features)]
            fn cell_paired(&self, (r, g, b): Rgb) -> (I, [I; 3], [F; 3]) {
                let (ir, fr) = locate(&self.lut.axes[0], r);
                let (ig, fg) = locate(&self.lut.axes[1], g);
                let (ib, fb) = locate(&self.lut.axes[2], b);
                let n = self.lut.size as i32;
                let sb = 2 * n * ((n + 1) / 2);
                // All ones where the cell's G is odd.
                let odd = v::isub(v::isplat(0), v::iand(ig, v::isplat(1)));
                // 2r + (g & 1) + 2n·(g >> 1) + sb·b = 2r + n·g + (1 − n)·(g & 1) + sb·b.
                let base = v::iadd(
                    v::iadd(ir, ir),
                    v::iadd(
                        v::iadd(v::imul(ig, v::isplat(n)), v::imul(ib, v::isplat(sb))),
                        v::iand(odd, v::isplat(1 - n)),
                    ),
                );
                let sg = v::iadd(v::isplat(1), v::iand(odd, v::isplat(2 * n - 2)));
                (base, [v::isplat(2), sg, v::isplat(sb)], [fr, fg, fb])
            }

            /// Index of each lane's lowest cell node and the fractions.
            #[inline]
            #[target_feature(enable = $features)]
            fn cell(&self, (r, g, b): Rgb, times3: bool) -> (I, [F; 3]) {
                let (cr, fr) = locate_f(&self.lut.axes[0], r);
                let (cg, fg) = locate_f(&self.lut.axes[1], g);
                let (cb, fb) = locate_f(&self.lut.axes[2], b);
                // r + N·g + N²·b (times 3 with `times3`) in f32, exact: every term and sum
                // is an integer below 2^24 (N ≤ 256, cells ≤ N − 2; times 3 only for
                // lattices below `PAIRED_MIN_BYTES`, whose 3·N³ is below 2^18), so two
                // multiply-adds and one conversion give the integer index (two integer
                // multiplies cost two µops each).
                let n = self.lut.size as f32;
                let (s, cr) = if times3 {
                    debug_assert!(3 * self.lut.size.pow(3) < 1 << 24);
                    (3.0, v::mul(cr, v::splat(3.0)))
                } else {
                    (1.0, cr)
                };
                let base = v::fmadd(cb, v::splat(s * n * n), v::fmadd(cg, v::splat(s * n), cr));
                (v::cvtt(base), [fr, fg, fb])
            }

            /// The three channels of the nodes at `index` (in nodes).
            #[inline]
            #[target_feature(enable = $features)]
            fn fetch(&self, index: I) -> [F; 3] {
                // SAFETY: as in `fetch_sample`, with 3·index.
                unsafe { self.fetch_sample(v::iadd(index, v::iadd(index, index))) }
            }

            /// The three channels of the nodes whose first samples are `i3`.
            ///
            /// # Safety
            /// Every lane of `i3` must be 3·(a node of the lattice).
            #[inline]
            #[target_feature(enable = $features)]
            unsafe fn fetch_sample(&self, i3: I) -> [F; 3] {
                // SAFETY: the caller's contract: 3·index + 2 < nodes.len().
                unsafe { v::fetch_rgb(self.lut.nodes.as_ptr(), i3) }
            }

            /// Tetrahedral interpolation, first half: the four vertices (the fractions
            /// sorted, max, mid, min, pick the two inner ones by axis stride) and their
            /// weights, stored at `i` of `t`; `PAIRED` as [`LutV::paired`] (the caller's order).
            #[inline]
            #[target_feature(enable = $features)]
            fn tetrahedron<const PAIRED: bool>(
                &self,
                rgb: Rgb,
                t: &mut Tetra,
                i: usize,
                times3: bool,
            ) {
                let (base, [sr, sg, sb], [fr, fg, fb]) = if PAIRED {
                    self.cell_paired(rgb)
                } else if times3 {
                    let (base, f) = self.cell(rgb, true);
                    (base, self.stride3, f)
                } else {
                    let (base, f) = self.cell(rgb, false);
                    (base, self.stride, f)
                };
                let hi = v::max(v::max(fr, fg), fb);
                let lo = v::min(v::min(fr, fg), fb);
                let mid = v::max(v::min(fr, fg), v::min(v::max(fr, fg), fb));
                let r_max = v::and(v::ge(fr, fg), v::ge(fr, fb));
                let s_max = v::iselect(r_max, sr, v::iselect(v::ge(fg, fb), sg, sb));
                let r_min = v::and(v::ge(fg, fr), v::ge(fb, fr));
                let s_min = v::iselect(r_min, sr, v::iselect(v::ge(fb, fg), sg, sb));
                // Cells are clamped to 0..=N − 2 per axis and the vertices stay within
                // the cell, so every vertex is a node of the lattice.
                let far = v::iadd(base, v::iadd(sr, v::iadd(sg, sb)));
                let vertex = [base, v::iadd(base, s_max), v::isub(far, s_min), far];
                let weight = [
                    v::sub(v::splat(1.0), hi),
                    v::sub(hi, mid),
                    v::sub(mid, lo),
                    lo,
                ];
                for k in 0..4 {
                    // Plain order with `times3`: `cell` and `stride3` scaled already.
                    let i3 = if times3 && PAIRED {
                        v::iadd(vertex[k], v::iadd(vertex[k], vertex[k]))
                    } else {
                        vertex[k]
                    };
                    // SAFETY: callers pass i < BLOCK with BLOCK a multiple of LANES.
                    unsafe {
                        v::istore(t.vertex[k].as_mut_ptr().add(i), i3);
                        v::store(t.weight[k].as_mut_ptr().add(i), weight[k]);
                    }
                }
            }

            /// Tetrahedral interpolation, second half: the vertices at `i` of `t`
            /// weighted (the same fused steps at every level). The nodes are read with
            /// gathers, or with `LOADS` one 16-byte load each ([`NodeReads`]).
            ///
            /// # Safety
            /// The CPU must support the level's features; `#[inline(always)]` (not
            /// `#[target_feature]`, which cannot be) so that it inlines into every caller,
            /// which are the level's `#[target_feature]` functions. `i < BLOCK`, and the
            /// lanes of `t` read here were written by [`Self::tetrahedron`] of this `LutV`
            /// (so in the node order of `self.nodes`, times three).
            #[inline(always)]
            unsafe fn blend<const LOADS: bool>(&self, t: &Tetra, i: usize) -> Rgb {
                // SAFETY: the CPU has the level's features (the caller's contract); i <
                // BLOCK with BLOCK a multiple of LANES (callers), and `tetrahedron` (times3)
                // wrote 3·(a node's index in the order of `self.nodes`) into every lane read
                // here: 3·index + 3 < nodes.len().
                unsafe {
                    let fetch = |k: usize| {
                        let at = t.vertex[k].as_ptr().add(i);
                        if LOADS {
                            v::fetch_rgb_loads(self.nodes.as_ptr(), at)
                        } else {
                            v::fetch_rgb(self.nodes.as_ptr(), v::iload(at))
                        }
                    };
                    let c = [fetch(0), fetch(1), fetch(2), fetch(3)];
                    let w = |k: usize| v::load(t.weight[k].as_ptr().add(i));
                    let (w0, w1, w2, w3) = (w(0), w(1), w(2), w(3));
                    let ch = |n: usize| {
                        let acc = v::mul(w0, c[0][n]);
                        let acc = v::fmadd(w1, c[1][n], acc);
                        let acc = v::fmadd(w2, c[2][n], acc);
                        v::fmadd(w3, c[3][n], acc)
                    };
                    (ch(0), ch(1), ch(2))
                }
            }

            #[inline]
            #[target_feature(enable = $features)]
            fn trilinear(&self, rgb: Rgb) -> Rgb {
                let (base, [fr, fg, fb]) = self.cell(rgb, false);
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

        super::simd_packed::simd_packed!($features);
        super::simd_fused::simd_fused!($features, $io);
    };
}

pub(crate) use simd_level;
