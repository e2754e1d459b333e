//! The live bake's CDLs in f32 lanes: the bake's CDL and the look CDL, one after the
//! other, exact (no table, no lattice, no clamp beyond the style's own), branch-free with
//! [`crate::output::fastmath32`]'s power so that loops over nodes vectorise.
//!
//! Against [`Cdl::apply`] in f64 the power's relative error is 3e-7·(1 + |p·log₂x|)
//! (tested below); the rest is f32 rounding.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::planes::{self, AVX2, AVX512, PORTABLE};
use crate::cdl::{Cdl, CdlStyle, LUMA_REC709};
use crate::kernel::CpuLevel;
use crate::output::fastmath32::{fma, PORTABLE_FMA};
use crate::output::fastplanes;

/// One CDL in f32.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cdl32 {
    slope: [f32; 3],
    offset: [f32; 3],
    power: [f32; 3],
    sat: f32,
}

impl Cdl32 {
    fn new(cdl: &Cdl) -> Self {
        Cdl32 {
            slope: cdl.slope.map(|x| x as f32),
            offset: cdl.offset.map(|x| x as f32),
            power: cdl.power.map(|x| x as f32),
            sat: cdl.sat as f32,
        }
    }

    /// [`Cdl::apply`] in f32: NaN after slope and offset becomes 0 (as in f64), the ASC
    /// style clamps to [0, 1] before the power and after saturation, a power of 1 and a
    /// saturation of 1 are exact no-ops.
    #[cfg(test)]
    #[inline(always)]
    fn apply<const F: bool>(&self, rgb: [f32; 3], asc: bool) -> [f32; 3] {
        let channel = |c: usize| {
            let (v, x) = self.slope_offset::<F>(c, rgb[c], asc);
            let p = self.power[c];
            let powered = if p == 1.0 {
                x
            } else {
                crate::output::fastmath32::pow::<F>(x, p)
            };
            Self::select_power(v, powered, p, asc)
        };
        self.saturation::<F>([channel(0), channel(1), channel(2)], asc)
    }

    /// Channel `c` after slope and offset, and the power's base (clamped in the ASC style).
    #[inline(always)]
    // max/min, not clamp: NaN becomes a bound instead of staying NaN.
    #[allow(clippy::manual_clamp)]
    fn slope_offset<const F: bool>(&self, c: usize, x: f32, asc: bool) -> (f32, f32) {
        let v = fma::<F>(x, self.slope[c], self.offset[c]);
        // max/min: NaN becomes 0 under the clamp; unclamped NaN fails `v < 0` and the
        // power gives 0 for it.
        (v, if asc { v.max(0.0).min(1.0) } else { v })
    }

    /// The channel after its power `powered` (of the base, for power `p`).
    #[inline(always)]
    fn select_power(v: f32, powered: f32, p: f32, asc: bool) -> f32 {
        let powered = if p == 1.0 && powered.is_nan() {
            0.0
        } else {
            powered
        };
        if !asc && v < 0.0 {
            v
        } else {
            powered
        }
    }

    /// The saturation step (and the ASC style's clamp after it).
    #[inline(always)]
    #[allow(clippy::manual_clamp)]
    fn saturation<const F: bool>(&self, v: [f32; 3], asc: bool) -> [f32; 3] {
        if self.sat == 1.0 {
            return v;
        }
        let [wr, wg, wb] = LUMA_REC709.map(|w| w as f32);
        let luma = fma::<F>(wr, v[0], fma::<F>(wg, v[1], wb * v[2]));
        let s = |x: f32| {
            let y = fma::<F>(self.sat, x - luma, luma);
            if asc {
                y.max(0.0).min(1.0)
            } else {
                y
            }
        };
        [s(v[0]), s(v[1]), s(v[2])]
    }

    /// [`Self::apply`] of every lane of planes `[r, g, b]`, in place, the powers over
    /// whole planes ([`fastplanes::pow`]).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn apply_planes<const F: bool, const L: u8, const N: usize>(
        &self,
        planes: &mut [[f32; N]; 3],
        asc: bool,
    ) {
        let mut base = [0.0f32; N];
        for (c, plane) in planes.iter_mut().enumerate() {
            for (v, x) in plane.iter_mut().zip(base.iter_mut()) {
                (*v, *x) = self.slope_offset::<F>(c, *v, asc);
            }
            let p = self.power[c];
            if p != 1.0 {
                // SAFETY: the caller's level.
                unsafe { fastplanes::pow::<F, L, N>(&mut base, p) };
            }
            for (v, &x) in plane.iter_mut().zip(&base) {
                *v = Self::select_power(*v, x, p, asc);
            }
        }
        if self.sat == 1.0 {
            return;
        }
        let [r, g, b] = planes;
        for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
            [*r, *g, *b] = self.saturation::<F>([*r, *g, *b], asc);
        }
    }
}

/// The CDLs of one bake, in order (the bake's, then the look CDL), and their style.
#[derive(Debug, Clone)]
pub(super) struct GradeLanes {
    cdls: Vec<Cdl32>,
    asc: bool,
}

impl GradeLanes {
    /// `cdls` in order; identities are left out.
    pub(super) fn new<'a>(cdls: impl IntoIterator<Item = &'a Cdl>, style: CdlStyle) -> Self {
        GradeLanes {
            cdls: cdls
                .into_iter()
                .filter(|c| !c.is_identity())
                .map(Cdl32::new)
                .collect(),
            asc: style == CdlStyle::Asc,
        }
    }

    /// One value through every CDL.
    #[cfg(test)]
    pub(super) fn apply<const F: bool>(&self, rgb: [f32; 3]) -> [f32; 3] {
        self.cdls
            .iter()
            .fold(rgb, |v, cdl| cdl.apply::<F>(v, self.asc))
    }

    /// Every value of planes `[r, g, b]` (lanes of one chunk) in place.
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    pub(super) unsafe fn planes<const F: bool, const L: u8, const N: usize>(
        &self,
        planes: &mut [[f32; N]; 3],
    ) {
        for cdl in &self.cdls {
            // SAFETY: the caller's level.
            unsafe { cdl.apply_planes::<F, L, N>(planes, self.asc) };
        }
    }

    /// `src` (interleaved RGB) through every CDL into `dst`, vectorised where the CPU
    /// allows (the shorter of the two sets the count), at `level` (supported by this CPU).
    pub(super) fn apply_all(&self, level: CpuLevel, src: &[[f32; 3]], dst: &mut [[f32; 3]]) {
        debug_assert!(level.is_supported(), "{level} on this CPU");
        #[cfg(target_arch = "x86_64")]
        {
            match level {
                // SAFETY: the caller's level is supported by this CPU (checked where
                // the bake's level is set, `LiveBake::set_cpu_level`).
                CpuLevel::Avx512 => return unsafe { self.all_avx512(src, dst) },
                // SAFETY: as above.
                CpuLevel::Avx2 => return unsafe { self.all_avx2(src, dst) },
                CpuLevel::Scalar => {}
            }
        }
        // SAFETY: the portable level runs everywhere.
        unsafe { self.all::<PORTABLE_FMA, PORTABLE>(src, dst) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    unsafe fn all_avx512(&self, src: &[[f32; 3]], dst: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX-512.
        unsafe { self.all::<true, AVX512>(src, dst) };
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn all_avx2(&self, src: &[[f32; 3]], dst: &mut [[f32; 3]]) {
        // SAFETY: this function runs where the CPU has AVX2.
        unsafe { self.all::<true, AVX2>(src, dst) };
    }

    /// Chunks of 64 values through planes (the loop the compiler vectorises).
    ///
    /// # Safety
    /// The CPU must support vector level `L` ([`planes`]).
    #[inline(always)]
    unsafe fn all<const F: bool, const L: u8>(&self, src: &[[f32; 3]], dst: &mut [[f32; 3]]) {
        const N: usize = 64;
        let mut lanes = [[0.0f32; N]; 3];
        for (s, d) in src.chunks(N).zip(dst.chunks_mut(N)) {
            let n = s.len().min(d.len());
            // SAFETY: the caller's level.
            unsafe { planes::load::<L, N>(&s[..n], &mut lanes) };
            // SAFETY: the caller's level.
            unsafe { self.planes::<F, L, N>(&mut lanes) };
            // SAFETY: the caller's level.
            unsafe { planes::store::<L, N>(&lanes, &mut d[..n]) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Through the vectorised loop and one value at a time, both styles, a chain of two
    /// CDLs: within 1e-5 relative (plus 1e-6) of the f64 CDLs; NaN comes out as 0.
    #[test]
    fn cdl_lanes_match_the_f64_cdl() {
        let a = Cdl::from_sop_sat([2.5, 0.4, 1.7, -0.15, 0.2, -0.3, 0.45, 2.2, 1.6], 1.9).unwrap();
        let b =
            Cdl::from_sop_sat([1.06, 1.0, 0.95, 0.005, 0.0, -0.01, 1.1, 1.0, 1.12], 0.8).unwrap();
        let levels = [
            -1.5, -0.2, -1e-4, 0.0, 1e-6, 0.003, 0.18, 0.41, 0.9, 1.0, 1.3, 3.0,
        ];
        let mut values = Vec::new();
        for &r in &levels {
            for &g in &levels {
                values.push([r, g, levels[(values.len() * 7) % levels.len()]]);
            }
        }
        for style in [CdlStyle::Asc, CdlStyle::NoClamp] {
            let lanes = GradeLanes::new([&a, &Cdl::IDENTITY, &b], style);
            assert_eq!(lanes.cdls.len(), 2, "the identity is left out");
            let src: Vec<[f32; 3]> = values.iter().map(|v| v.map(|x| x as f32)).collect();
            for level in CpuLevel::available() {
                let mut dst = vec![[f32::NAN; 3]; src.len()];
                lanes.apply_all(level, &src, &mut dst);
                check_lanes(level, style, &lanes, [&a, &b], &values, &dst);
            }
            let nan = lanes.apply::<PORTABLE_FMA>([f32::NAN, 0.2, 0.3]);
            assert!(nan.iter().all(|x| x.is_finite()), "{style:?}: {nan:?}");
        }
    }

    fn check_lanes(
        level: CpuLevel,
        style: CdlStyle,
        lanes: &GradeLanes,
        [a, b]: [&Cdl; 2],
        values: &[[f64; 3]],
        dst: &[[f32; 3]],
    ) {
        let src = values.iter().map(|v| v.map(|x| x as f32));
        for ((v, s), got) in values.iter().zip(src).zip(dst) {
            let want = b.apply(a.apply(s.map(f64::from), style), style);
            let one = lanes.apply::<PORTABLE_FMA>(s);
            for c in 0..3 {
                let tol = 1e-5 * want[c].abs() + 1e-6;
                assert!(
                    (f64::from(got[c]) - want[c]).abs() <= tol,
                    "{level} {style:?} {v:?}: {got:?} vs {want:?}"
                );
                assert!((f64::from(one[c]) - want[c]).abs() <= tol, "{v:?}: {one:?}");
            }
        }
    }
}
