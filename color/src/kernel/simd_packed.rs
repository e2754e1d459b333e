//! The packed-lattice half of [`super::simd_level`] (u8 and u16 outputs through a
//! [`super::compact::Compact`] lattice): the codes' read-back and blend. Expanded by
//! `simd_level!` in each level's module, where `v`, `Tetra`, `Rgb` and `Compact` are in scope.

macro_rules! simd_packed {
    ($features:literal) => {
        /// A packed lattice ([`Compact`]) and its read-back constants for every lane.
        struct PackedV<'a, W> {
            c: &'a Compact<W>,
            lo: [F; 3],
            step: [F; 3],
        }

        impl<'a, W> PackedV<'a, W> {
            #[inline]
            #[target_feature(enable = $features)]
            fn new(c: &'a Compact<W>) -> Self {
                Self {
                    c,
                    lo: c.lo.map(|x| v::splat(x)),
                    step: c.step.map(|x| v::splat(x)),
                }
            }

            /// [`LutV::blend`] on the packed codes of the vertices (`fetch` gives them for
            /// vertex `k` at `i`), read back to values once blended.
            #[inline]
            #[target_feature(enable = $features)]
            fn blend(&self, t: &Tetra, i: usize, fetch: impl Fn(&Tetra, usize) -> [F; 3]) -> Rgb {
                let _ = self.c;
                // SAFETY: i < BLOCK with BLOCK a multiple of LANES (callers).
                let w: [F; 4] =
                    std::array::from_fn(|k| unsafe { v::load(t.weight[k].as_ptr().add(i)) });
                let q: [[F; 3]; 4] = std::array::from_fn(|k| fetch(t, k));
                let out: [F; 3] = std::array::from_fn(|ch| {
                    let acc = v::mul(w[0], q[0][ch]);
                    let acc = v::fmadd(w[1], q[1][ch], acc);
                    let acc = v::fmadd(w[2], q[2][ch], acc);
                    let acc = v::fmadd(w[3], q[3][ch], acc);
                    v::fmadd(acc, self.step[ch], self.lo[ch])
                });
                (out[0], out[1], out[2])
            }
        }

        impl PackedV<'_, u32> {
            /// The R, G, B codes of vertex `k` of the pixels at `i` (11, 11, 10 bits).
            #[inline]
            #[target_feature(enable = $features)]
            fn fetch32(&self, t: &Tetra, k: usize, i: usize) -> [F; 3] {
                // SAFETY: the block's pass wrote a node of the lattice into every lane of
                // `t.vertex[k]` read here (i < BLOCK, a multiple of LANES), and the packed
                // lattice has one word per node.
                let w = unsafe {
                    v::gather32(self.c.nodes.as_ptr(), v::iload(t.vertex[k].as_ptr().add(i)))
                };
                let m11 = v::isplat(0x7FF);
                [
                    v::to_f(v::iand(w, m11)),
                    v::to_f(v::iand(v::srli::<11>(w), m11)),
                    v::to_f(v::srli::<22>(w)),
                ]
            }
        }

        impl PackedV<'_, u64> {
            /// The R, G, B codes of vertex `k` of the pixels at `i` (21 bits each: R in
            /// the low half, G in the high half, B split between their top 11 and 10 bits).
            #[inline]
            #[target_feature(enable = $features)]
            fn fetch64(&self, t: &Tetra, k: usize, i: usize) -> [F; 3] {
                // SAFETY: as in `fetch32`, one 64-bit word per node.
                let (lo, hi) = unsafe {
                    v::gather64(self.c.nodes.as_ptr(), v::iload(t.vertex[k].as_ptr().add(i)))
                };
                let m21 = v::isplat(0x1F_FFFF);
                let b = v::ior(v::srli::<21>(lo), v::slli::<11>(v::srli::<21>(hi)));
                [
                    v::to_f(v::iand(lo, m21)),
                    v::to_f(v::iand(hi, m21)),
                    v::to_f(b),
                ]
            }
        }
    };
}

pub(crate) use simd_packed;
