//! The ACES 2.0 chain over planes of [`CHUNK`] lanes, stage by stage
//! ([`Aces2Lanes::chunks`]): the front, the tonescale and the back with their powers
//! over whole planes ([`fastplanes`]), the chroma and gamut stages value by value.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::{Aces2Lanes, CHUNK, TABLE};
use crate::kernel::{CpuLevel, NodeReads};
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

/// A rendering's chain in f32 lanes over chunks of [`CHUNK`] values ([`Aces2Lanes`],
/// the ACES 1.x lanes): what the live bake's lanes and [`batch_at`] run.
pub(crate) trait LaneChain {
    /// Chunks `0..count`, each stage by stage: `io` fills chunk k's planes with
    /// ACES2065-1 values ([`ChunkIo::load`]), the chain runs, `io` takes the rendering's
    /// RGB planes before its last clamp ([`ChunkIo::store`]).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    unsafe fn chunks<const F: bool, const L: u8>(&self, count: usize, io: impl ChunkIo);
}

/// `lanes`' chain of every value of `aces` into `out` (the shorter sets the count) at
/// `level`, which must be supported by this CPU ([`CpuLevel::is_supported`]).
pub(crate) fn batch_at(
    lanes: &impl LaneChain,
    level: CpuLevel,
    aces: &[[f32; 3]],
    out: &mut [[f32; 3]],
) {
    assert!(level.is_supported(), "{level} on this CPU");
    let io = BatchIo::new(aces, out);
    let count = io.chunks();
    #[cfg(target_arch = "x86_64")]
    match level {
        // SAFETY: the level was checked as supported by this CPU above.
        CpuLevel::Avx512 => return unsafe { chunks_avx512(lanes, count, io) },
        // SAFETY: as above.
        CpuLevel::Avx2 => return unsafe { chunks_avx2(lanes, count, io) },
        CpuLevel::Scalar => {}
    }
    // SAFETY: the portable level runs everywhere.
    unsafe { lanes.chunks::<PORTABLE_FMA, PORTABLE>(count, io) };
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn chunks_avx512(lanes: &impl LaneChain, count: usize, io: BatchIo<'_>) {
    // SAFETY: this function runs where the CPU has AVX-512.
    unsafe { lanes.chunks::<true, AVX512>(count, io) };
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn chunks_avx2(lanes: &impl LaneChain, count: usize, io: BatchIo<'_>) {
    // SAFETY: this function runs where the CPU has AVX2.
    unsafe { lanes.chunks::<true, AVX2>(count, io) };
}

impl Aces2Lanes {
    /// [`Self::unclamped`] of every value of `aces` into `out` (the shorter sets the
    /// count) at the process's CPU level.
    pub fn unclamped_batch(&self, aces: &[[f32; 3]], out: &mut [[f32; 3]]) {
        batch_at(self, crate::kernel::selection().level, aces, out);
    }
}

impl LaneChain for Aces2Lanes {
    /// Each stage is a loop over the chunk's values, so the vectors of one stage are
    /// independent and their long chains of powers and divisions overlap (the whole
    /// chain per vector was latency-bound: ~1.2 instructions per cycle). The powers of
    /// the front, the tonescale and the back run over whole planes ([`fastplanes`]:
    /// explicit AVX-512 at that level). The stages' planes are this function's locals,
    /// made once for all chunks: made per chunk they were ~15 KiB of zeroing per 128
    /// values, partly `memset` calls (a `vzeroupper` each); passed in as one struct
    /// instead, the vectoriser could no longer tell them from the hue tables and left
    /// the gather loops scalar (4× slower).
    ///
    #[inline(always)]
    unsafe fn chunks<const F: bool, const L: u8>(&self, count: usize, mut io: impl ChunkIo) {
        let z = [0.0f32; CHUNK];
        let (mut input, mut out) = ([z; 3], [z; 3]);
        let (mut aab, mut tone, mut chroma, mut jm) = ([z; 3], [z; 2], [z; 5], [z; 2]);
        let (mut line, mut powered, mut records, mut bins) = ([z; 7], [z; 3], [z; 8], [z; 4]);
        let mut index = [0u32; CHUNK];
        let (mut cone, mut pow, mut a) = ([z; 3], [z; 3], z);
        for k in 0..count {
            io.load(k, &mut input);
            // SAFETY: the caller's level.
            unsafe { self.front_planes::<F, L>(&input, &mut aab, &mut cone, &mut pow) };
            // SAFETY: the caller's level.
            unsafe { self.tone_planes::<F, L>(&aab[0], &mut tone) };
            for i in 0..CHUNK {
                let h = self.hue([aab[0][i], aab[1][i], aab[2][i]]);
                chroma[1][i] = h;
                index[i] = self.bin_index(h) as u32;
            }
            // SAFETY: the caller's level.
            unsafe { self.bin_records::<L>(&index, &mut bins) };
            for i in 0..CHUNK {
                let aab = [aab[0][i], aab[1][i], aab[2][i]];
                let reach = [bins[2][i], bins[3][i]];
                let v = self.chroma::<F>(aab, [tone[0][i], tone[1][i]], chroma[1][i], reach);
                for c in 0..5 {
                    chroma[c][i] = v[c];
                }
                index[i] = self.interval_in(chroma[1][i], bins[0][i].to_bits(), bins[1][i]) as u32;
            }
            // SAFETY: the caller's level.
            unsafe { self.hue_records::<L>(&index, &mut records) };
            for i in 0..CHUNK {
                let r = &records;
                let record = [
                    r[0][i], r[1][i], r[2][i], r[3][i], r[4][i], r[5][i], r[6][i], r[7][i],
                ];
                let cusp = super::HueRecord(record).cusp(chroma[1][i]);
                let v = self.gamut_line::<F>(tone[1][i], chroma[0][i], cusp);
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
}

impl Aces2Lanes {
    /// The [`super::BinRecord`] of every bin index of `index` into planes: upper index
    /// (its bits in a float plane: only moved, never computed with), knot and the two
    /// reach M. With [`NodeReads::Loads`] at AVX-512 a
    /// 16-byte load per value and a transpose, else gathers.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn bin_records<const L: u8>(&self, index: &[u32; CHUNK], bins: &mut [[f32; CHUNK]; 4]) {
        #[cfg(target_arch = "x86_64")]
        if L == AVX512 && self.reads == NodeReads::Loads {
            for at in (0..CHUNK).step_by(16) {
                // SAFETY: the caller's level is AVX-512.
                unsafe { avx512::bins16(&self.bins, index, bins, at) };
            }
            return;
        }
        let last = self.bins.len() - 1;
        for (i, &k) in index.iter().enumerate() {
            let bin = self.bins[(k as usize).min(last)];
            bins[0][i] = f32::from_bits(bin.hi);
            bins[1][i] = bin.knot;
            bins[2][i] = bin.reach[0];
            bins[3][i] = bin.reach[1];
        }
    }

    /// The [`super::HueRecord`] of every interval index of `index` into planes:
    /// `records[c][i]` is field c of record `index[i]`. With [`NodeReads::Loads`] at
    /// AVX-512 a 32-byte load per value and a transpose, else gathers.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn hue_records<const L: u8>(
        &self,
        index: &[u32; CHUNK],
        records: &mut [[f32; CHUNK]; 8],
    ) {
        #[cfg(target_arch = "x86_64")]
        if L == AVX512 && self.reads == NodeReads::Loads {
            for at in (0..CHUNK).step_by(16) {
                // SAFETY: the caller's level is AVX-512.
                unsafe { avx512::records16(&self.records, index, records, at) };
            }
            return;
        }
        for (i, &k) in index.iter().enumerate() {
            let record = self.records[k as usize & (TABLE - 1)].0;
            for c in 0..8 {
                records[c][i] = record[c];
            }
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

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::super::{BinRecord, HueRecord, CHUNK, TABLE};

    /// The 4×4 transpose of SSE in every 128-bit lane: lane l of output f holds field f
    /// of input rows 0–3's lane l (unpack, then shuffle).
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn transpose4(z: [__m512; 4]) -> [__m512; 4] {
        // Per lane: t0 = a0 b0 a1 b1, t1 = a2 b2 a3 b3 (rows a, b = z0, z1), …
        let t = [
            _mm512_unpacklo_ps(z[0], z[1]),
            _mm512_unpackhi_ps(z[0], z[1]),
            _mm512_unpacklo_ps(z[2], z[3]),
            _mm512_unpackhi_ps(z[2], z[3]),
        ];
        [
            _mm512_shuffle_ps::<0x44>(t[0], t[2]),
            _mm512_shuffle_ps::<0xEE>(t[0], t[2]),
            _mm512_shuffle_ps::<0x44>(t[1], t[3]),
            _mm512_shuffle_ps::<0xEE>(t[1], t[3]),
        ]
    }

    /// Bins `index[at..at + 16]` into lanes `at..at + 16` of the four planes: one
    /// 16-byte load each (bins j, j + 4, j + 8, j + 12 share a vector), then the 4×4
    /// transpose of SSE in every 128-bit lane at once.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F.
    #[inline]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn bins16(
        bins: &[BinRecord],
        index: &[u32; CHUNK],
        out: &mut [[f32; CHUNK]; 4],
        at: usize,
    ) {
        assert!(at + 16 <= CHUNK);
        let last = bins.len() - 1;
        let base = bins.as_ptr().cast::<f32>();
        let mut z = [_mm512_setzero_ps(); 4];
        for (j, z) in z.iter_mut().enumerate() {
            let [a, b, c, d] =
                [j, j + 4, j + 8, j + 12].map(|k| (index[at + k] as usize).min(last) * 4);
            // SAFETY: each index is clamped into the table; bins are 16 bytes long and
            // 16-byte aligned (`repr(C, align(16))`, asserted beside the type; the boxed
            // slice keeps the type's alignment), so base + 4k is 16-byte aligned.
            *z = unsafe {
                let v = _mm512_castps128_ps512(_mm_load_ps(base.add(a)));
                let v = _mm512_insertf32x4::<1>(v, _mm_load_ps(base.add(b)));
                let v = _mm512_insertf32x4::<2>(v, _mm_load_ps(base.add(c)));
                _mm512_insertf32x4::<3>(v, _mm_load_ps(base.add(d)))
            };
        }
        for (plane, v) in out.iter_mut().zip(transpose4(z)) {
            // SAFETY: lanes at..at + 16 lie in the plane (asserted above).
            unsafe { _mm512_storeu_ps(plane[at..].as_mut_ptr(), v) };
        }
    }

    /// `vpermt2ps` indices that join fields c (`LOW`) or c + 4 (`HIGH`) of records 0–3,
    /// 4–7, 8–11 and 12–15 from the transpose's two halves (see [`records16`]).
    const LOW: [i32; 16] = [0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27];
    const HIGH: [i32; 16] = [4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31];

    /// Records `index[at..at + 16]` into lanes `at..at + 16` of the eight planes: one
    /// 32-byte load each (records i and i + 8 share a vector), then the 8×8 transpose of
    /// AVX in both halves at once (unpack, shuffle) and one `vpermt2ps` per field.
    ///
    /// # Safety
    /// The CPU must support AVX-512 F and DQ.
    #[inline]
    #[target_feature(enable = "avx512f,avx512dq")]
    pub(super) unsafe fn records16(
        records: &[HueRecord; TABLE],
        index: &[u32; CHUNK],
        out: &mut [[f32; CHUNK]; 8],
        at: usize,
    ) {
        assert!(at + 16 <= CHUNK);
        let base = records.as_ptr().cast::<f32>();
        let mut z = [_mm512_setzero_ps(); 8];
        for (i, z) in z.iter_mut().enumerate() {
            let [lo, hi] = [i, i + 8].map(|k| (index[at + k] as usize & (TABLE - 1)) * 8);
            // SAFETY: each index is masked into the table; records are 32 bytes long and
            // 32-byte aligned (`repr(C, align(32))`, asserted beside the type; the box
            // keeps the type's alignment), so base + 8k is 32-byte aligned.
            *z = unsafe {
                let low = _mm512_castps256_ps512(_mm256_load_ps(base.add(lo)));
                _mm512_insertf32x8::<1>(low, _mm256_load_ps(base.add(hi)))
            };
        }
        // u[c] (c < 4): field c of rows 0–3 | field c + 4 of rows 0–3 | the same of
        // rows 8–11; u[c + 4] likewise of rows 4–7 and 12–15.
        let [u0, u1, u2, u3] = transpose4([z[0], z[1], z[2], z[3]]);
        let [u4, u5, u6, u7] = transpose4([z[4], z[5], z[6], z[7]]);
        let u = [u0, u1, u2, u3, u4, u5, u6, u7];
        // SAFETY: the index tables are 16 i32s.
        let [low, high] = [&LOW, &HIGH].map(|t| unsafe { _mm512_loadu_si512(t.as_ptr().cast()) });
        for c in 0..4 {
            let field = [
                _mm512_permutex2var_ps(u[c], low, u[c + 4]),
                _mm512_permutex2var_ps(u[c], high, u[c + 4]),
            ];
            for (k, v) in [c, c + 4].into_iter().zip(field) {
                // SAFETY: lanes at..at + 16 lie in the plane (asserted above).
                unsafe { _mm512_storeu_ps(out[k][at..].as_mut_ptr(), v) };
            }
        }
    }
}
