//! The ACES 1.3 rendering in f32 over lanes of values, for the live bake.
//!
//! The same chain as [`Aces1Rendering::unclamped`], written branch-free (both sides of
//! every condition computed, one selected) with [`crate::output::fastmath32`], so that the
//! loops over a chunk of values vectorise (16 lanes with AVX-512, 8 with AVX2, chosen at
//! run time; a portable build elsewhere), and run stage by stage over planes like the
//! ACES 2.0 lanes ([`crate::output::aces2::Aces2Lanes`]): the RRT preamble (glow, red
//! modifier, RRT saturation) value by value, then per channel the log₂, the tone scale's
//! B-spline curves and the 2^x over whole planes ([`fastplanes`]), then the ODT.
//!
//! The curves run in log₂ of light (their knots and coefficients rescaled from log₁₀ when
//! the lanes are built, so the log₁₀ and 10^x of the f64 path cost no multiply): a value's
//! piece is the number of knots at or below it (one comparison per knot), its coefficients
//! read by index from tables of a power-of-two length (the AVX-512 path reads them with
//! one permute).
//!
//! Inputs must be finite and within ±[`Aces1Lanes::INPUT_LIMIT`] (the glow squares them);
//! the live bake sends other values to the f64 path.

// The SIMD levels exist on x86_64 only; elsewhere their items and names go unused.
#![cfg_attr(not(target_arch = "x86_64"), allow(unused_imports))]

use super::{Aces1Kind, Aces1Rendering, AP1_Y, ODT_SAT, RRT_SAT};
use crate::kernel::CpuLevel;
use crate::output::aces2::{batch_at, ChunkIo, LaneChain, LANES_CHUNK as CHUNK};
use crate::output::bspline::BSplineCurve;
use crate::output::fastmath32::{atan2_deg, exp2, fma, log2, m3, mat, pow, select, M3};
use crate::output::fastplanes::{self, AVX512};
use crate::output::matrix::mul;

/// log₁₀ 2: log₁₀x = log₂x · this.
const LOG10_2: f64 = std::f64::consts::LOG10_2;

/// The SDR video ODT's dim-surround power on luminance, less one (the f64 path's
/// `y.powf(0.9811 - 1.0)`).
const DIM_POWER: f32 = (0.9811 - 1.0) as f32;

/// `(max − min)/max` guarded against noise and negatives, as the f64 path's.
#[inline(always)]
fn saturation([r, g, b]: [f32; 3], noise_limit: f32) -> f32 {
    let lo = r.min(g).min(b);
    let hi = r.max(g).max(b);
    (hi.max(1e-10) - lo.max(1e-10)) / hi.max(noise_limit)
}

/// RRT glow (gain 0.05, mid 0.08), branch-free.
#[inline(always)]
fn glow(rgb: [f32; 3]) -> [f32; 3] {
    const MID: f64 = 0.08;
    let [r, g, b] = rgb;
    // Half the sum of the squared differences: f32 rounding can take it just below 0.
    let chroma = (b * (b - g) + g * (g - r) + r * (r - b)).max(0.0).sqrt();
    let yc = (b + g + r + 1.75 * chroma) * (1.0 / 3.0);
    let x = (saturation(rgb, 1e-2) - 0.4) * 5.0;
    let t = (1.0 - 0.5 * x.abs()).max(0.0);
    // sign(x)·(1 − t²), 1 − t² ≥ 0.
    let s = (1.0 + (1.0 - t * t).copysign(x)) * 0.5;
    let gain = 0.05 * s;
    let inner = select(
        yc <= (MID * 2.0 / 3.0) as f32,
        gain,
        gain * (MID as f32 / yc - 0.5),
    );
    let factor = 1.0 + select(yc >= (MID * 2.0) as f32, 0.0, inner);
    [r * factor, g * factor, b * factor]
}

/// RRT red modifier (scale 0.82, pivot 0.03, 135° window), branch-free: outside the
/// window the cubic B-spline weight is 0 and red is unchanged.
#[inline(always)]
fn red_modifier(rgb: [f32; 3]) -> [f32; 3] {
    let [r, g, b] = rgb;
    let hue = atan2_deg(3f32.sqrt() * (g - b), 2.0 * r - (g + b));
    let hue = select(hue > 180.0, hue - 360.0, hue);
    let knot = hue * (4.0 / 135.0) + 2.0;
    let j = knot.clamp(0.0, 3.0).floor();
    let t = knot - j;
    // The uniform cubic B-spline's four pieces, (c₀·t + c₁)·t² + c₂·t + c₃.
    let pick = |c: [f32; 4]| {
        select(
            j < 1.0,
            c[0],
            select(j < 2.0, c[1], select(j < 3.0, c[2], c[3])),
        )
    };
    let c0 = pick([0.25, -0.75, 0.75, -0.25]);
    let c1 = pick([0.0, 0.75, -1.5, 0.75]);
    let c2 = pick([0.0, 0.75, 0.0, -0.75]);
    let c3 = pick([0.0, 0.25, 1.0, 0.25]);
    let f_h = c3 + t * (c2 + t * (c1 + t * c0));
    let f_h = select((0.0..4.0).contains(&knot), f_h.max(0.0), 0.0);
    let red = r + f_h * saturation(rgb, 1e-2) * (0.03 - r) * (1.0 - 0.82);
    [red, g, b]
}

/// A tone-scale curve in f32 over log₂ of light, log₂ out: [`BSplineCurve::pieces`]
/// rescaled, at most `K − 1` knots (the rest +∞), `K` a power of two.
#[derive(Debug, Clone)]
struct Curve32<const K: usize> {
    knots: [f32; K],
    /// Knots before the +∞ padding.
    count: usize,
    origin: [f32; K],
    a: [f32; K],
    b: [f32; K],
    c: [f32; K],
}

impl<const K: usize> Curve32<K> {
    /// `curve` (log₁₀ in and out) as a function of log₂ in and out: with log₁₀x = s·log₂x
    /// (s = log₁₀2), f(s·u)/s = (A·s·t′ + B)·t′ + C/s for t′ = u − origin/s.
    fn new(curve: &BSplineCurve) -> Self {
        let (knots, pieces) = curve.pieces();
        assert!(
            pieces.len() <= K && K.is_power_of_two(),
            "{} pieces",
            pieces.len()
        );
        let s = LOG10_2;
        let mut c = Curve32 {
            knots: [f32::INFINITY; K],
            count: knots.len(),
            origin: [0.0; K],
            a: [0.0; K],
            b: [0.0; K],
            c: [0.0; K],
        };
        for (o, k) in c.knots.iter_mut().zip(knots) {
            *o = (k / s) as f32;
        }
        for (j, [origin, a, b, cc]) in pieces.into_iter().enumerate() {
            c.origin[j] = (origin / s) as f32;
            c.a[j] = (a * s) as f32;
            c.b[j] = b as f32;
            c.c[j] = (cc / s) as f32;
        }
        c
    }

    /// The curve at `u` (finite).
    #[inline(always)]
    fn eval<const F: bool>(&self, u: f32) -> f32 {
        let mut j = 0u32;
        for &k in &self.knots[..self.count] {
            j += u32::from(u >= k);
        }
        self.piece::<F>(u, j)
    }

    /// Piece `j` at `u`.
    #[inline(always)]
    fn piece<const F: bool>(&self, u: f32, j: u32) -> f32 {
        let j = (j & (K as u32 - 1)) as usize;
        let t = u - self.origin[j];
        fma::<F>(fma::<F>(self.a[j], t, self.b[j]), t, self.c[j])
    }

    /// [`Self::eval`] of every lane of `plane`: the loop over knots outside the one over
    /// lanes, so that the compiler vectorises across lanes (a loop over knots per value,
    /// or per 16 values, it vectorised across knots, with a horizontal sum per value: an
    /// SDR bake of 33³ took 4.0 and 1.4 ms, against 0.98 ms so).
    #[inline(always)]
    fn planes<const F: bool>(&self, plane: &mut [f32; CHUNK], count: &mut [u32; CHUNK]) {
        count.fill(0);
        for &k in &self.knots[..self.count] {
            for (j, &u) in count.iter_mut().zip(plane.iter()) {
                *j += u32::from(u >= k);
            }
        }
        for (u, &j) in plane.iter_mut().zip(count.iter()) {
            *u = self.piece::<F>(*u, j);
        }
    }

    /// [`Self::planes`] at vector level `L` (explicit AVX-512 at that level).
    ///
    /// # Safety
    /// The CPU must support vector level `L`.
    #[inline(always)]
    unsafe fn planes_at<const F: bool, const L: u8>(
        &self,
        plane: &mut [f32; CHUNK],
        count: &mut [u32; CHUNK],
    ) {
        #[cfg(target_arch = "x86_64")]
        if L == AVX512 {
            // SAFETY: the caller's level.
            return unsafe { avx512::curve_plane(self, plane) };
        }
        self.planes::<F>(plane, count);
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{Curve32, CHUNK};
    use std::arch::x86_64::*;

    /// Entry `j` (the low bits of each lane) of a table of `K` (16 or 32) entries held as
    /// two vectors: `vpermps` or `vpermt2ps`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn lookup<const K: usize>([lo, hi]: [__m512; 2], j: __m512i) -> __m512 {
        match K {
            16 => _mm512_permutexvar_ps(j, lo),
            _ => _mm512_permutex2var_ps(lo, j, hi),
        }
    }

    /// A table's first and last 16 entries.
    #[inline]
    #[target_feature(enable = "avx512f")]
    fn halves<const K: usize>(t: &[f32; K]) -> [__m512; 2] {
        const { assert!(K == 16 || K == 32) };
        // SAFETY: `t` holds K ≥ 16 floats: 16 from 0 and 16 from K − 16.
        unsafe {
            [
                _mm512_loadu_ps(t.as_ptr()),
                _mm512_loadu_ps(t.as_ptr().add(K - 16)),
            ]
        }
    }

    /// [`Curve32::planes`] in AVX-512: each lane's piece counted by a masked add per knot,
    /// the piece's coefficients read from registers (`vpermps`, `vpermt2ps`), where the
    /// compiler's code gathered them with 64-bit indices, 8 lanes a gather (an SDR bake
    /// of 33³: 0.67 ms, against 0.98 ms with the gathers).
    ///
    /// # Safety
    /// The CPU must support AVX-512 F/VL/BW/DQ.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
    pub(super) unsafe fn curve_plane<const K: usize>(curve: &Curve32<K>, plane: &mut [f32; CHUNK]) {
        const { assert!(CHUNK.is_multiple_of(16)) };
        let (origin, a) = (halves(&curve.origin), halves(&curve.a));
        let (b, c) = (halves(&curve.b), halves(&curve.c));
        let one = _mm512_set1_epi32(1);
        for v in plane.chunks_exact_mut(16) {
            // SAFETY: `v` holds 16 floats.
            let u = unsafe { _mm512_loadu_ps(v.as_ptr()) };
            let mut j = _mm512_setzero_si512();
            for &k in &curve.knots[..curve.count] {
                let at_or_above = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(u, _mm512_set1_ps(k));
                j = _mm512_mask_add_epi32(j, at_or_above, j, one);
            }
            let t = _mm512_sub_ps(u, lookup::<K>(origin, j));
            let y = _mm512_fmadd_ps(lookup::<K>(a, j), t, lookup::<K>(b, j));
            let y = _mm512_fmadd_ps(y, t, lookup::<K>(c, j));
            // SAFETY: as above.
            unsafe { _mm512_storeu_ps(v.as_mut_ptr(), y) };
        }
    }
}

/// One ACES 1.3 rendering's constants and tone-scale curves in f32.
#[derive(Debug, Clone)]
pub struct Aces1Lanes {
    ap0_to_ap1: M3,
    rrt_sat: M3,
    /// The RRT's curve (SDR video), or the single-stage 1000 nit curve (HDR).
    first: Curve32<16>,
    /// The 48 nit ODT curve after the RRT's (SDR video).
    odt48: Option<Curve32<32>>,
    /// Display luminance (cd/m²) of black and 1/(white − black): to 0–1 display light.
    black: f32,
    inv_span: f32,
    /// The ODT's last matrix: desaturation and AP1 → XYZ-D65 (SDR video; the
    /// dim-surround power before it), or AP1 → Rec.2020 (HDR).
    to_output: M3,
    dim_surround: bool,
}

impl Aces1Lanes {
    /// Largest input magnitude the lanes take (the glow's squares stay finite in f32).
    pub const INPUT_LIMIT: f32 = (1u64 << 60) as f32;

    pub fn new(r: &Aces1Rendering) -> Self {
        let (black, white) = match r.kind {
            Aces1Kind::SdrVideo => (0.02, 48.0),
            Aces1Kind::Hdr1000Rec2020 => (0.0001, 1000.0),
        };
        let to_output = match r.kind {
            Aces1Kind::SdrVideo => mul(&r.ap1_to_xyz_d65, &ODT_SAT),
            Aces1Kind::Hdr1000Rec2020 => r.ap1_to_rec2020,
        };
        Aces1Lanes {
            ap0_to_ap1: m3(&r.ap0_to_ap1),
            rrt_sat: m3(&RRT_SAT),
            first: Curve32::new(&r.curves[0]),
            odt48: r.curves.get(1).map(Curve32::new),
            black: black as f32,
            inv_span: (1.0 / (white - black)) as f32,
            to_output: m3(&to_output),
            dim_surround: r.kind == Aces1Kind::SdrVideo,
        }
    }

    /// ACES2065-1 → the RRT's AP1 values before the tone scale (at least the smallest
    /// normal f32, whose log₁₀ the f64 path takes as well).
    #[inline(always)]
    fn rrt_front<const F: bool>(&self, aces: [f32; 3]) -> [f32; 3] {
        let [r, g, b] = red_modifier(glow(aces));
        let ap1 = mat::<F>(&self.ap0_to_ap1, [r.max(0.0), g.max(0.0), b.max(0.0)]);
        let [r, g, b] = mat::<F>(
            &self.rrt_sat,
            [ap1[0].max(0.0), ap1[1].max(0.0), ap1[2].max(0.0)],
        );
        let m = f32::MIN_POSITIVE;
        [r.max(m), g.max(m), b.max(m)]
    }

    /// The tone scale in log₂: log₂ of the RRT's value → log₂ of display luminance.
    #[inline(always)]
    fn tone_log2<const F: bool>(&self, u: f32) -> f32 {
        let v = self.first.eval::<F>(u);
        match &self.odt48 {
            Some(odt) => odt.eval::<F>(v),
            None => v,
        }
    }

    /// Display luminance (cd/m², AP1) → 0–1 display light, and its luminance for the
    /// dim-surround power (at least 1e-10).
    #[inline(always)]
    fn odt_linear<const F: bool>(&self, toned: [f32; 3]) -> ([f32; 3], f32) {
        let lin = toned.map(|y| (y - self.black) * self.inv_span);
        let y = fma::<F>(
            AP1_Y[0] as f32,
            lin[0],
            fma::<F>(AP1_Y[1] as f32, lin[1], AP1_Y[2] as f32 * lin[2]),
        );
        (lin, y.max(1e-10))
    }

    /// ACES2065-1 → the rendering's RGB before its last clamp (XYZ-D65 for SDR video,
    /// Rec.2020 for HDR), one value.
    #[inline(always)]
    pub fn unclamped<const F: bool>(&self, aces: [f32; 3]) -> [f32; 3] {
        let front = self.rrt_front::<F>(aces);
        let toned = front.map(|x| exp2::<F>(self.tone_log2::<F>(log2::<F>(x))));
        let (lin, y) = self.odt_linear::<F>(toned);
        let dim = if self.dim_surround {
            pow::<F>(y, DIM_POWER)
        } else {
            1.0
        };
        mat::<F>(&self.to_output, lin.map(|c| c * dim))
    }

    /// [`Self::unclamped`] of every value of `aces` into `out` (the shorter sets the
    /// count), vectorised at `level`, which must be supported by this CPU
    /// ([`CpuLevel::is_supported`]).
    pub fn unclamped_batch(&self, level: CpuLevel, aces: &[[f32; 3]], out: &mut [[f32; 3]]) {
        batch_at(self, level, aces, out);
    }
}

impl LaneChain for Aces1Lanes {
    /// The planes are this function's locals, made once for all chunks (as in the ACES
    /// 2.0 lanes').
    #[inline(always)]
    unsafe fn chunks<const F: bool, const L: u8>(&self, count: usize, mut io: impl ChunkIo) {
        let z = [0.0f32; CHUNK];
        let (mut rgb, mut out, mut y) = ([z; 3], [z; 3], z);
        let mut pieces = [0u32; CHUNK];
        for k in 0..count {
            io.load(k, &mut rgb);
            let [r, g, b] = &mut rgb;
            for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                [*r, *g, *b] = self.rrt_front::<F>([*r, *g, *b]);
            }
            for plane in rgb.iter_mut() {
                // SAFETY: the caller's level.
                unsafe { fastplanes::log2::<F, L, CHUNK>(plane) };
                // SAFETY: the caller's level.
                unsafe { self.first.planes_at::<F, L>(plane, &mut pieces) };
                if let Some(odt) = &self.odt48 {
                    // SAFETY: the caller's level.
                    unsafe { odt.planes_at::<F, L>(plane, &mut pieces) };
                }
                // SAFETY: the caller's level.
                unsafe { fastplanes::exp2::<F, L, CHUNK>(plane) };
            }
            for i in 0..CHUNK {
                let (lin, lum) = self.odt_linear::<F>([rgb[0][i], rgb[1][i], rgb[2][i]]);
                for c in 0..3 {
                    rgb[c][i] = lin[c];
                }
                y[i] = lum;
            }
            if self.dim_surround {
                // SAFETY: the caller's level.
                unsafe { fastplanes::pow::<F, L, CHUNK>(&mut y, DIM_POWER) };
            } else {
                y.fill(1.0);
            }
            for i in 0..CHUNK {
                let dim = [rgb[0][i] * y[i], rgb[1][i] * y[i], rgb[2][i] * y[i]];
                let v = mat::<F>(&self.to_output, dim);
                for c in 0..3 {
                    out[c][i] = v[c];
                }
            }
            io.store(k, &mut out);
        }
    }
}

#[cfg(test)]
mod tests;
