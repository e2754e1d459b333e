//! The finish over planes of lanes: [`Finish::apply_planes`] (the output pass's fused
//! finish, chunk by chunk) with PQ's and HLG's encodings computed by
//! [`fastplanes`]' powers, and HLG's all-nodes loop on the same code.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::{Finish, HLG};
use crate::kernel::CpuLevel;
use crate::output::fastmath32::PORTABLE_FMA;
use crate::output::fastplanes::{self, AVX2, AVX512, PORTABLE};
use crate::output::Encoding;

/// Nodes per chunk of [`Finish::apply_all_hlg`] (a multiple of 16, as the planes need).
const HLG_CHUNK: usize = 64;

impl Finish {
    /// Code values of channel planes (unclamped rendering RGB), in place, where
    /// [`Self::fuses`]: through the encoding table ([`Self::chunk_table`]); HLG and the
    /// pure gamma encodings by their powers over whole planes ([`fastplanes::pow`]: ~20
    /// instructions per 16 values, where the table takes two gathers per channel; within
    /// 3e-7 relative, the table 2e-6); PQ at AVX-512 by its piecewise polynomial
    /// (`fastplanes::pq`, within 5e-7 absolute), elsewhere by its formula's powers
    /// (within 2e-5 absolute).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    pub(in crate::output::live) unsafe fn apply_planes<
        const F: bool,
        const L: u8,
        const N: usize,
    >(
        &self,
        planes: &mut [[f32; N]; 3],
    ) {
        match self.encoding {
            // SAFETY: the caller's level.
            Encoding::Pq => return unsafe { self.pq_planes::<F, L, N>(planes) },
            // SAFETY: the caller's level.
            Encoding::Hlg1000 => return unsafe { self.hlg_planes::<F, L, N>(planes) },
            _ => {}
        }
        let Some([inv_gamma, span]) = self.gamma else {
            let [r, g, b] = planes;
            for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                [*r, *g, *b] = match self.chunk_table() {
                    Some(table) => self.apply_in_table(table, [*r, *g, *b]),
                    None => self.apply([*r, *g, *b]),
                };
            }
            return;
        };
        let [r, g, b] = &mut *planes;
        for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
            [*r, *g, *b] = self.to_encoding([self.clamp(*r), self.clamp(*g), self.clamp(*b)]);
        }
        for plane in planes.iter_mut() {
            // SAFETY: the caller's level.
            unsafe { fastplanes::pow::<F, L, N>(plane, inv_gamma) };
            for v in plane.iter_mut() {
                *v = self.black + span * *v;
            }
        }
    }

    /// [`Self::apply_planes`] for PQ: ST 2084's inverse EOTF over whole planes
    /// ([`fastplanes::pq`]: at AVX-512 a piecewise polynomial in log₂ of the light, one
    /// logarithm where the formula takes two powers and a division), negatives mirrored.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn pq_planes<const F: bool, const L: u8, const N: usize>(
        &self,
        planes: &mut [[f32; N]; 3],
    ) {
        let mut sign = [[0.0f32; 3]; N];
        let [r, g, b] = &mut *planes;
        for (((r, g), b), s) in r
            .iter_mut()
            .zip(g.iter_mut())
            .zip(b.iter_mut())
            .zip(&mut sign)
        {
            let e = self.to_encoding([self.clamp(*r), self.clamp(*g), self.clamp(*b)]);
            [*r, *g, *b] = e.map(|x| x.abs() * 0.01);
            *s = e;
        }
        for (c, plane) in planes.iter_mut().enumerate() {
            // SAFETY: the caller's level.
            unsafe { fastplanes::pq::<F, L, N>(plane, &self.pq) };
            for (v, s) in plane.iter_mut().zip(&sign) {
                *v = self.black + (self.span * *v).copysign(s[c]);
            }
        }
    }

    /// [`Self::apply_planes`] for HLG, and [`Self::apply_all_hlg`] by chunks: BT.2100 HLG
    /// of the 1000 cd/m² display (inverse OOTF with γ = 1.2, then the OETF) over whole
    /// planes (the inverse OOTF's power and the OETF's logarithm, [`fastplanes`]), like
    /// [`crate::output::display`]'s f64 `hlg_1000`; tested against it.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn hlg_planes<const F: bool, const L: u8, const N: usize>(
        &self,
        planes: &mut [[f32; N]; 3],
    ) {
        let [a, b_4, c_log, scale] = HLG;
        let mut gain = [0.0f32; N];
        let [r, g, b] = &mut *planes;
        for (((r, g), b), y) in r
            .iter_mut()
            .zip(g.iter_mut())
            .zip(b.iter_mut())
            .zip(&mut gain)
        {
            let e = self.to_encoding([self.clamp(*r), self.clamp(*g), self.clamp(*b)]);
            [*r, *g, *b] = e.map(|x| x * scale);
            *y = (0.2627 * *r + 0.6780 * *g + 0.0593 * *b).abs().max(1e-4);
        }
        // SAFETY: the caller's level.
        unsafe { fastplanes::pow::<F, L, N>(&mut gain, 1.0 / 1.2 - 1.0) };
        let mut log = [0.0f32; N];
        for plane in planes.iter_mut() {
            for ((v, l), &k) in plane.iter_mut().zip(log.iter_mut()).zip(&gain) {
                *v *= k;
                // Below B/4 the logarithm's value is not used (the square root is).
                *l = (v.abs() - b_4).max(f32::MIN_POSITIVE);
            }
            // SAFETY: the caller's level.
            unsafe { fastplanes::log2::<F, L, N>(&mut log) };
            for (v, &l) in plane.iter_mut().zip(&log) {
                let x = v.abs();
                let enc = if x <= 0.25 {
                    x.sqrt()
                } else {
                    a * std::f32::consts::LN_2 * l + c_log
                };
                *v = self.black + self.span * enc.copysign(*v);
            }
        }
    }

    /// [`Finish::apply_all`] for the HLG output: [`Self::hlg_planes`] over chunks of
    /// [`HLG_CHUNK`] nodes (the last one padded).
    pub(super) fn apply_all_hlg(&self, level: CpuLevel, buf: &mut [[f32; 3]]) {
        debug_assert!(level.is_supported(), "{level} on this CPU");
        #[cfg(target_arch = "x86_64")]
        {
            match level {
                // SAFETY: the caller's level is supported by this CPU (checked where
                // the bake's level is set, `LiveBake::set_cpu_level`).
                CpuLevel::Avx512 => return unsafe { self.hlg_avx512(buf) },
                // SAFETY: as above, for AVX2.
                CpuLevel::Avx2 => return unsafe { self.hlg_avx2(buf) },
                CpuLevel::Scalar => {}
            }
        }
        // SAFETY: the portable level runs everywhere.
        unsafe { self.hlg_chunks::<PORTABLE_FMA, PORTABLE>(buf) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn hlg_avx512(&self, buf: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { self.hlg_chunks::<true, AVX512>(buf) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn hlg_avx2(&self, buf: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX2 and FMA.
        unsafe { self.hlg_chunks::<true, AVX2>(buf) };
    }

    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn hlg_chunks<const F: bool, const L: u8>(&self, buf: &mut [[f32; 3]]) {
        for chunk in buf.chunks_mut(HLG_CHUNK) {
            let mut planes = [[0.0f32; HLG_CHUNK]; 3];
            for (k, v) in chunk.iter().enumerate() {
                (0..3).for_each(|c| planes[c][k] = v[c]);
            }
            // SAFETY: the caller's level.
            unsafe { self.hlg_planes::<F, L, HLG_CHUNK>(&mut planes) };
            for (k, v) in chunk.iter_mut().enumerate() {
                *v = [0, 1, 2].map(|c| planes[c][k]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{OutputTransform, SignalRange};

    const N: usize = 16;

    /// [`Finish::apply_planes`] at `level` over planes of `N` values.
    fn planes_at(finish: &Finish, level: CpuLevel, planes: &mut [[f32; N]; 3]) {
        assert!(level.is_supported(), "{level}");
        match level {
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the level was just checked to be supported by this CPU.
            CpuLevel::Avx512 => unsafe { planes_avx512(finish, planes) },
            #[cfg(target_arch = "x86_64")]
            // SAFETY: the level was just checked to be supported by this CPU.
            CpuLevel::Avx2 => unsafe { planes_avx2(finish, planes) },
            // SAFETY: the portable level runs everywhere.
            _ => unsafe { finish.apply_planes::<PORTABLE_FMA, PORTABLE, N>(planes) },
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn planes_avx512(finish: &Finish, planes: &mut [[f32; N]; 3]) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { finish.apply_planes::<true, AVX512, N>(planes) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn planes_avx2(finish: &Finish, planes: &mut [[f32; N]; 3]) {
        // SAFETY: this function runs where the CPU has AVX2 and FMA.
        unsafe { finish.apply_planes::<true, AVX2, N>(planes) }
    }

    /// The finish over planes (the fused pass) gives the per-node finish at every level
    /// this CPU has, for every encoding that fuses (gamma, BT.1886 table, PQ, HLG).
    #[test]
    fn apply_planes_matches_apply_at_every_level() {
        let outputs = [
            ("aces2-sdr-rec709", SignalRange::Full),
            ("aces2-sdr-p3d65", SignalRange::Legal),
            ("aces2-hdr-rec2100-pq1000", SignalRange::Legal),
            ("aces2-hdr-p3d65-pq4000", SignalRange::Full),
            ("aces2-hdr-rec2100-hlg1000", SignalRange::Full),
            ("aces1-sdr-rec709", SignalRange::Legal),
            ("aces1-hdr-rec2100-pq1000", SignalRange::Full),
        ];
        let mut worst = 0.0f32;
        for (id, range) in outputs {
            let out = OutputTransform::from_id(id).unwrap().with_range(range);
            let finish = Finish::new(&out);
            assert!(finish.fuses(), "{id}");
            let nodes = super::super::tests::samples();
            for level in CpuLevel::available() {
                for chunk in nodes.chunks(N) {
                    let mut planes = [[0.0f32; N]; 3];
                    for (k, v) in chunk.iter().enumerate() {
                        (0..3).for_each(|c| planes[c][k] = v[c]);
                    }
                    planes_at(&finish, level, &mut planes);
                    for (k, v) in chunk.iter().enumerate() {
                        let want = finish.apply(*v);
                        let exact = out.finish(v.map(f64::from));
                        let got = [0, 1, 2].map(|c| planes[c][k]);
                        for c in 0..3 {
                            let err = (got[c] - want[c]).abs();
                            worst = worst.max(err);
                            assert!(err <= 1e-5, "{id} {level} {v:?}: {got:?} vs {want:?}");
                            let err = (f64::from(got[c]) - exact[c]).abs();
                            assert!(err <= 1e-5, "{id} {level} {v:?}: {got:?} vs {exact:?}");
                        }
                    }
                }
            }
        }
        let skipped: Vec<CpuLevel> = CpuLevel::ALL
            .into_iter()
            .filter(|l| !l.is_supported())
            .collect();
        eprintln!("apply_planes vs apply: worst {worst:e}; skipped (not on this CPU): {skipped:?}");
    }
}
