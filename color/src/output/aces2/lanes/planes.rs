//! The ACES 2.0 chain over planes of [`CHUNK`] lanes, stage by stage
//! ([`Aces2Lanes::chunks`]): the front, the tonescale and the back with their powers
//! over whole planes ([`fastplanes`]), the chroma and gamut stages value by value.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::{Aces2Lanes, CHUNK};
use crate::output::aces2::cam::{NL_INVERSE_LIMIT, NL_OFFSET};
use crate::output::fastmath32::PORTABLE_FMA;
use crate::output::fastmath32::{mat, select};
use crate::output::fastplanes;
use crate::output::fastplanes::{AVX2, AVX512, PORTABLE};

/// Where [`Aces2Lanes::chunks`] takes each chunk's values and puts its results. The
/// methods should be `#[inline(always)]`: a closure here was compiled out of line
/// without the caller's vector level (scalar `fmaf` calls, 2× slower).
pub(crate) trait ChunkIo {
    /// Fills chunk `k`'s planes with its ACES2065-1 values.
    fn load(&mut self, k: usize, planes: &mut [[f32; CHUNK]; 3]);
    /// Takes chunk `k`'s limiting RGB planes.
    fn store(&mut self, k: usize, planes: &mut [[f32; CHUNK]; 3]);
}

/// A batch's values in and out ([`Aces2Lanes::batch`], the ACES 1.x lanes' too): chunk
/// k of `aces` in, its results into the same values of `out` (the shorter sets the count).
pub(crate) struct BatchIo<'a> {
    aces: &'a [[f32; 3]],
    out: &'a mut [[f32; 3]],
}

impl<'a> BatchIo<'a> {
    pub(crate) fn new(aces: &'a [[f32; 3]], out: &'a mut [[f32; 3]]) -> Self {
        BatchIo { aces, out }
    }

    /// Chunks the batch takes.
    pub(crate) fn chunks(&self) -> usize {
        self.aces.len().min(self.out.len()).div_ceil(CHUNK)
    }

    fn range(&self, k: usize) -> std::ops::Range<usize> {
        k * CHUNK..self.aces.len().min(self.out.len()).min((k + 1) * CHUNK)
    }
}

impl ChunkIo for BatchIo<'_> {
    #[inline(always)]
    fn load(&mut self, k: usize, planes: &mut [[f32; CHUNK]; 3]) {
        for (i, v) in self.aces[self.range(k)].iter().enumerate() {
            for c in 0..3 {
                planes[c][i] = v[c];
            }
        }
    }

    #[inline(always)]
    fn store(&mut self, k: usize, res: &mut [[f32; CHUNK]; 3]) {
        let range = self.range(k);
        for (i, v) in self.out[range].iter_mut().enumerate() {
            *v = [res[0][i], res[1][i], res[2][i]];
        }
    }
}

impl Aces2Lanes {
    /// [`Self::unclamped`] of every value of `aces` into `out` (the shorter sets the
    /// count), vectorised where the CPU allows.
    pub fn unclamped_batch(&self, aces: &[[f32; 3]], out: &mut [[f32; 3]]) {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::kernel::{selection, CpuLevel};
            match selection().level {
                // SAFETY: the selected level was detected on this CPU.
                CpuLevel::Avx512 => return unsafe { self.batch_avx512(aces, out) },
                // SAFETY: as above.
                CpuLevel::Avx2 => return unsafe { self.batch_avx2(aces, out) },
                CpuLevel::Scalar => {}
            }
        }
        // SAFETY: the portable level runs everywhere.
        unsafe { self.batch::<PORTABLE_FMA, PORTABLE>(aces, out) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn batch_avx512(&self, aces: &[[f32; 3]], out: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { self.batch::<true, AVX512>(aces, out) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn batch_avx2(&self, aces: &[[f32; 3]], out: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX2.
        unsafe { self.batch::<true, AVX2>(aces, out) };
    }

    /// Chunks of [`CHUNK`] values through lane arrays (the loop the compiler vectorises).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    pub(crate) unsafe fn batch<const F: bool, const L: u8>(
        &self,
        aces: &[[f32; 3]],
        out: &mut [[f32; 3]],
    ) {
        let io = BatchIo::new(aces, out);
        // SAFETY: the caller's level.
        unsafe { self.chunks::<F, L>(io.chunks(), io) };
    }

    /// Chunks `0..count`, each stage by stage: `io` fills chunk k's planes with
    /// ACES2065-1 values ([`ChunkIo::load`]), the chain runs, `io` takes its limiting
    /// RGB planes ([`ChunkIo::store`]). Each
    /// stage is a loop over the chunk's values, so the vectors of one stage are
    /// independent and their long chains of powers and divisions overlap (the whole
    /// chain per vector was latency-bound: ~1.2 instructions per cycle). The powers of
    /// the front, the tonescale and the back run over whole planes ([`fastplanes`]:
    /// explicit AVX-512 at that level). The stages' planes are this function's locals,
    /// made once for all chunks: made per chunk they were ~15 KiB of zeroing per 128
    /// values, partly `memset` calls (a `vzeroupper` each); passed in as one struct
    /// instead, the vectoriser could no longer tell them from the hue tables and left
    /// the gather loops scalar (4× slower).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    pub(crate) unsafe fn chunks<const F: bool, const L: u8>(
        &self,
        count: usize,
        mut io: impl ChunkIo,
    ) {
        let z = [0.0f32; CHUNK];
        let (mut input, mut out) = ([z; 3], [z; 3]);
        let (mut aab, mut tone, mut chroma, mut jm) = ([z; 3], [z; 2], [z; 5], [z; 2]);
        let (mut line, mut powered) = ([z; 7], [z; 3]);
        let (mut cone, mut pow, mut a) = ([z; 3], [z; 3], z);
        for k in 0..count {
            io.load(k, &mut input);
            // SAFETY: the caller's level.
            unsafe { self.front_planes::<F, L>(&input, &mut aab, &mut cone, &mut pow) };
            // SAFETY: the caller's level.
            unsafe { self.tone_planes::<F, L>(&aab[0], &mut tone) };
            for i in 0..CHUNK {
                let v =
                    self.chroma::<F>([aab[0][i], aab[1][i], aab[2][i]], [tone[0][i], tone[1][i]]);
                for c in 0..5 {
                    chroma[c][i] = v[c];
                }
            }
            for i in 0..CHUNK {
                let v = self.gamut_line::<F>(tone[1][i], chroma[0][i], chroma[1][i]);
                for c in 0..7 {
                    line[c][i] = v[c];
                }
            }
            // SAFETY: the caller's level.
            unsafe { self.hull_planes::<F, L>(&line, &mut powered) };
            let line_at = |i: usize| [0, 1, 2, 3, 4, 5, 6].map(|c| line[c][i]);
            for i in 0..CHUNK {
                let p = [powered[0][i], powered[1][i], powered[2][i]];
                let v = self.gamut_hull_from::<F>(
                    tone[1][i],
                    chroma[0][i],
                    chroma[4][i],
                    line_at(i),
                    p,
                );
                jm[0][i] = v[0];
                jm[1][i] = v[1];
            }
            let hue = [&chroma[2], &chroma[3]];
            let back = [&mut cone, &mut pow];
            // SAFETY: the caller's level.
            unsafe { self.back_planes::<F, L>(&jm, hue, &mut out, back, &mut a) };
            io.store(k, &mut out);
        }
    }

    /// The hull's three powers of every value ([`Self::hull_bases`]) into `powered`.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn hull_planes<const F: bool, const L: u8>(
        &self,
        line: &[[f32; CHUNK]; 7],
        powered: &mut [[f32; CHUNK]; 3],
    ) {
        let line_at = |i: usize| [0, 1, 2, 3, 4, 5, 6].map(|c| line[c][i]);
        for i in 0..CHUNK {
            let v = self.hull_bases(line_at(i));
            for (plane, x) in powered.iter_mut().zip(v) {
                plane[i] = x;
            }
        }
        let [lower, upper, reach] = powered;
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(lower, self.lower_hull_gamma_inv) };
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow_each::<F, L, CHUNK>(upper, &line[2]) };
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(reach, self.model_gamma_inv) };
    }

    /// [`Self::front`] over planes: ACES2065-1 → (A, a, b).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn front_planes<const F: bool, const L: u8>(
        &self,
        input: &[[f32; CHUNK]; 3],
        aab: &mut [[f32; CHUNK]; 3],
        cone: &mut [[f32; CHUNK]; 3],
        f: &mut [[f32; CHUNK]; 3],
    ) {
        for i in 0..CHUNK {
            let [r, g, b] = mat::<F>(&self.to_ap1, [input[0][i], input[1][i], input[2][i]]);
            let clamp = |c: f32| c.max(0.0).min(self.upper);
            let v = mat::<F>(&self.ap1_to_cone, [clamp(r), clamp(g), clamp(b)]);
            for c in 0..3 {
                cone[c][i] = v[c];
                f[c][i] = v[c].abs();
            }
        }
        for plane in f.iter_mut() {
            // SAFETY: the caller's level.
            unsafe { fastplanes::pow::<F, L, CHUNK>(plane, 0.42) };
        }
        for i in 0..CHUNK {
            let c =
                [0, 1, 2].map(|c| (f[c][i] / (NL_OFFSET as f32 + f[c][i])).copysign(cone[c][i]));
            let v = mat::<F>(&self.cone_to_aab, c);
            for c in 0..3 {
                aab[c][i] = v[c];
            }
        }
    }

    /// [`Self::tone`] over planes: the achromatic response → (A_ts, J_ts).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn tone_planes<const F: bool, const L: u8>(
        &self,
        a_resp: &[f32; CHUNK],
        [a_ts, j_ts]: &mut [[f32; CHUNK]; 2],
    ) {
        let [m_2, s_2, g, t_1] = self.tone;
        let y = a_ts;
        for (y, &a) in y.iter_mut().zip(a_resp) {
            // y·f_l_n (the model's scale cancels out of y/(y + s_2) with s_2·f_l_n).
            let ra = (self.a_w_j * a).min(NL_INVERSE_LIMIT as f32);
            *y = NL_OFFSET as f32 * ra / (1.0 - ra);
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(y, 1.0 / 0.42) };
        for y in y.iter_mut() {
            let y1 = *y * (1.0 / self.f_l_n);
            *y = y1 / (y1 + s_2);
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(y, g) };
        // The tonemapped display luminance f = m_2·y^g → its response, as
        // [`Self::tonescale_a`].
        for y in y.iter_mut() {
            let f = m_2 * *y;
            *y = (f * f / (f + t_1)).max(0.0) * 100.0 * self.f_l_n;
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(y, 0.42) };
        for ((y, j), &a) in y.iter_mut().zip(j_ts.iter_mut()).zip(a_resp) {
            let resp = *y / (NL_OFFSET as f32 + *y) * (1.0 / self.a_w_j);
            *y = select(a > 0.0, resp, 0.0);
            *j = *y;
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(j_ts, self.cz) };
        for j in j_ts.iter_mut() {
            *j *= 100.0;
        }
    }

    /// [`Self::back`] over planes: (J, M) and the hue's cosine and sine → limiting RGB.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn back_planes<const F: bool, const L: u8>(
        &self,
        [j_out, m_out]: &[[f32; CHUNK]; 2],
        [cos_h, sin_h]: [&[f32; CHUNK]; 2],
        out: &mut [[f32; CHUNK]; 3],
        [cone, y]: [&mut [[f32; CHUNK]; 3]; 2],
        a: &mut [f32; CHUNK],
    ) {
        for (a, &j) in a.iter_mut().zip(j_out) {
            *a = j * 0.01;
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(a, self.inv_cz) };
        for i in 0..CHUNK {
            let aab = [a[i], m_out[i] * cos_h[i], m_out[i] * sin_h[i]];
            let v = mat::<F>(&self.aab_to_cone, aab);
            for c in 0..3 {
                cone[c][i] = v[c];
                let ra = v[c].abs().min(NL_INVERSE_LIMIT as f32);
                y[c][i] = NL_OFFSET as f32 * ra / (1.0 - ra);
            }
        }
        for plane in y.iter_mut() {
            // SAFETY: the caller's level.
            unsafe { fastplanes::pow::<F, L, CHUNK>(plane, 1.0 / 0.42) };
        }
        for i in 0..CHUNK {
            let c = [0, 1, 2].map(|c| y[c][i].copysign(cone[c][i]));
            let v = mat::<F>(&self.cone_to_rgb, c);
            for c in 0..3 {
                out[c][i] = v[c];
            }
        }
    }
}
