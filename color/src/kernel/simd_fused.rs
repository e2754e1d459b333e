//! The fused f32 RGB row of [`super::simd_level`]: packed f32 RGB out of place through
//! the f32 lattice, with the loads and stores in the same loop as the tetrahedra
//! ([`super::row_pipeline::process_row_fused`]). Expanded by `simd_level!` in each level's module,
//! where `v`, `LutV`, `Tetra`, `get`, `put` and `prepass` are in scope.

macro_rules! simd_fused {
    ($features:literal, $io:ty) => {
        use super::row_pipeline::{process_row_fused, Fused};
        use super::rows::{prefetch, rest_in, rest_out};

        /// Renders one packed f32 RGB row out of place through the f32 lattice, when
        /// `src` and `dst` are that (else returns false and does nothing). Lattices below
        /// [`FUSED_MAX_BYTES`], in either node order; nodes read with gathers
        /// ([`NodeReads::Gathers`], the only reads that take this loop).
        #[inline]
        #[target_feature(enable = $features)]
        fn fused_row<T: Sample>(
            p: &Prepared,
            src: Option<&RowRef<'_, T>>,
            dst: &mut RowMut<'_, T>,
            width: usize,
            stream: bool,
        ) -> bool {
            let (Some(RowRef::Packed(src, 3)), RowMut::Packed(dst, 3)) = (src, dst) else {
                return false;
            };
            let (Some(src), Some(dst)) = (T::as_f32s(src), T::as_f32s_mut(dst)) else {
                return false;
            };
            let mut tetra = [Tetra::new(), Tetra::new()];
            let (src, dst) = (&src[..3 * width], &mut dst[..3 * width]);
            process_row_fused(src, dst, width, stream, |f| {
                fused_step(p, f, &mut tetra, stream)
            });
            true
        }

        /// One step of the fused row: shaper and CDL over the block to locate, then one
        /// loop over the three blocks.
        #[inline]
        #[target_feature(enable = $features)]
        fn fused_step(p: &Prepared, f: Fused<'_>, tetra: &mut [Tetra; 2], stream: bool) {
            let Fused {
                load,
                mut cell,
                blend,
                parity,
                ahead,
            } = f;
            if let Some((blk, n)) = cell.as_mut() {
                prepass(p, blk, *n);
            }
            let (t_blend, t_cell) = slots(tetra, parity);
            let lut = LutV::for_f32(p, NodeReads::Gathers);
            let h = Halves {
                lut: &lut,
                t_cell,
                t_blend,
                stream,
                ahead,
            };
            // One loop per node order, so neither tests the order per vector.
            if lut.paired {
                h.run::<true>(load, cell, blend);
            } else {
                h.run::<false>(load, cell, blend);
            }
        }

        /// The lattice and the two blocks' tetrahedra of a fused step. Its loop stays apart
        /// from [`halves`]'s: it also loads and stores a group per vector and tests which
        /// of its three blocks a step has per vector, where `halves` matches its two blocks
        /// once per step and leaves the I/O to the pipelined driver (any sample format).
        struct Halves<'a, 'b> {
            lut: &'a LutV<'a>,
            t_cell: &'b mut Tetra,
            t_blend: &'b Tetra,
            stream: bool,
            ahead: &'b [f32],
        }

        impl Halves<'_, '_> {
            /// Per vector: blend and store a group of the last block, load the first
            /// one's, locate the middle one's, prefetch (in this order: +1 % tetra33-f32,
            /// +2 % CDL against blend, locate, load); the groups of fewer than `LANES`
            /// pixels at the blocks' ends go through the generic loops. `PAIRED` as
            /// [`LutV::paired`].
            #[inline]
            #[target_feature(enable = $features)]
            fn run<const PAIRED: bool>(
                self,
                mut load: Option<(&[f32], &mut Block)>,
                cell: Option<(&mut Block, usize)>,
                mut blend: Option<(&mut Block, &mut [f32])>,
            ) {
                const L: usize = v::LANES;
                let nl = load.as_ref().map_or(0, |(s, _)| s.len() / 3);
                let nc = cell.as_ref().map_or(0, |c| c.1);
                let nb = blend.as_ref().map_or(0, |(_, d)| d.len() / 3);
                let n = nl.max(nc).max(nb);
                let mut i = 0;
                // Past a block's end the planes and tetrahedra hold earlier values (valid
                // cells and nodes), which are located and blended but never stored.
                while i < n {
                    if let Some((blk, dst)) = blend.as_mut() {
                        // SAFETY: this function has the level's features.
                        put(blk, i, unsafe { self.lut.blend::<false>(self.t_blend, i) });
                        if i + L <= nb {
                            <$io>::store_group_f32(
                                blk,
                                i,
                                &mut dst[3 * i..3 * (i + L)],
                                self.stream,
                            );
                        }
                    }
                    if let Some((src, blk)) = load.as_mut() {
                        if i + L <= nl {
                            <$io>::load_group_f32(&src[3 * i..3 * (i + L)], blk, i);
                        }
                    }
                    if let Some((blk, _)) = cell.as_ref() {
                        self.lut
                            .tetrahedron::<PAIRED>(get(blk, i), self.t_cell, i, true);
                    }
                    // The source lines of this group's pixels in the next block: not
                    // `Ahead::part` as in `halves` (tetra33-f32 −4 %, CDL −2.5 %), nor the
                    // lines a short first block leaves prefetched after the loop (−2 %,
                    // −0.5 %): A/B in bench/README.md.
                    if let Some(a) = self.ahead.get(3 * i..3 * (i + L)) {
                        prefetch::<f32, false>(a);
                    }
                    i += L;
                }
                if let Some((src, blk)) = load {
                    rest_in(src, 3, nl / L * L, &CodeScale::FLOAT, blk);
                }
                if let Some((blk, dst)) = blend {
                    rest_out(blk, dst, 3, nb / L * L, &CodeScale::FLOAT);
                }
            }
        }
    };
}

pub(crate) use simd_fused;
