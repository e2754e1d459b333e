//! The ACES 2.0 chain over planes of [`CHUNK`] lanes, stage by stage
//! ([`Aces2Lanes::planes`]): the front, the tonescale and the back with their powers
//! over whole planes ([`fastplanes`]), the chroma and gamut stages value by value.

use super::{mat, select, Aces2Lanes, CHUNK};
use crate::output::aces2::cam::{NL_INVERSE_LIMIT, NL_OFFSET};
use crate::output::fastmath32::PORTABLE_FMA;
use crate::output::fastplanes;
use crate::output::fastplanes::{AVX2, AVX512, PORTABLE};

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
    #[inline(always)]
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    pub(crate) unsafe fn batch<const F: bool, const L: u8>(
        &self,
        aces: &[[f32; 3]],
        out: &mut [[f32; 3]],
    ) {
        let mut planes = [[0.0f32; CHUNK]; 3];
        let mut res = [[0.0f32; CHUNK]; 3];
        for (a, o) in aces.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            let n = a.len().min(o.len());
            for (i, v) in a[..n].iter().enumerate() {
                for c in 0..3 {
                    planes[c][i] = v[c];
                }
            }
            // SAFETY: the caller's level.
            unsafe { self.planes::<F, L>(&planes, &mut res) };
            for (i, v) in o[..n].iter_mut().enumerate() {
                *v = [res[0][i], res[1][i], res[2][i]];
            }
        }
    }

    /// One chunk, stage by stage: each stage is a loop over the chunk's values, so the
    /// vectors of one stage are independent and their long chains of powers and
    /// divisions overlap (the whole chain per vector was latency-bound: ~1.2
    /// instructions per cycle). The powers of the front, the tonescale and the back run
    /// over whole planes ([`fastplanes`]: explicit AVX-512 at that level).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    pub(crate) unsafe fn planes<const F: bool, const L: u8>(
        &self,
        input: &[[f32; CHUNK]; 3],
        out: &mut [[f32; CHUNK]; 3],
    ) {
        let mut aab = [[0.0f32; CHUNK]; 3];
        let mut tone = [[0.0f32; CHUNK]; 2];
        let mut chroma = [[0.0f32; CHUNK]; 5];
        let mut jm = [[0.0f32; CHUNK]; 2];
        // SAFETY: the caller's level.
        unsafe { self.front_planes::<F, L>(input, &mut aab) };
        // SAFETY: the caller's level.
        unsafe { self.tone_planes::<F, L>(&aab[0], &mut tone) };
        for i in 0..CHUNK {
            let v = self.chroma::<F>([aab[0][i], aab[1][i], aab[2][i]], [tone[0][i], tone[1][i]]);
            for c in 0..5 {
                chroma[c][i] = v[c];
            }
        }
        let mut line = [[0.0f32; CHUNK]; 7];
        for i in 0..CHUNK {
            let v = self.gamut_line::<F>(tone[1][i], chroma[0][i], chroma[1][i]);
            for c in 0..7 {
                line[c][i] = v[c];
            }
        }
        let mut powered = [[0.0f32; CHUNK]; 3];
        let line_at = |i: usize| [0, 1, 2, 3, 4, 5, 6].map(|c| line[c][i]);
        for i in 0..CHUNK {
            let v = self.hull_bases(line_at(i));
            for (plane, x) in powered.iter_mut().zip(v) {
                plane[i] = x;
            }
        }
        let [lower, upper, reach] = &mut powered;
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(lower, self.lower_hull_gamma_inv) };
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow_each::<F, L, CHUNK>(upper, &line[2]) };
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(reach, self.model_gamma_inv) };
        for i in 0..CHUNK {
            let p = [powered[0][i], powered[1][i], powered[2][i]];
            let v =
                self.gamut_hull_from::<F>(tone[1][i], chroma[0][i], chroma[4][i], line_at(i), p);
            jm[0][i] = v[0];
            jm[1][i] = v[1];
        }
        let hue = [&chroma[2], &chroma[3]];
        // SAFETY: the caller's level.
        unsafe { self.back_planes::<F, L>(&jm, hue, out) };
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
    ) {
        let mut cone = [[0.0f32; CHUNK]; 3];
        let mut f = [[0.0f32; CHUNK]; 3];
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
    ) {
        let mut a = [0.0f32; CHUNK];
        for (a, &j) in a.iter_mut().zip(j_out) {
            *a = j * 0.01;
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, CHUNK>(&mut a, self.inv_cz) };
        let mut cone = [[0.0f32; CHUNK]; 3];
        let mut y = [[0.0f32; CHUNK]; 3];
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
