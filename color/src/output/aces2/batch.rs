//! The ACES 2.0 rendering over many values at once, for exact bakes.
//!
//! Most of the per-value cost is powers (about 15 per value). Here the chain runs in
//! chunks and in three stages so that the power-heavy ones vectorise:
//! - front (vector): AP1 clamp, JMh model (3 cone powers), J, M, the tonescale of the
//!   achromatic response (4 powers) and the chroma compression's 2 powers;
//! - middle (per value): hue, reach table, chroma compression and the gamut
//!   compression's hue lookup (tables and branches stay scalar);
//! - back (vector): the gamut compression itself (3 powers, a logarithm) and the
//!   limiting model's inverse (4 powers).
//!
//! The vector stages use [`fastmath::pow`] (a few ulp from libm, see there); the stages
//! run the same functions as [`Aces2Rendering::unclamped`] with that power, so the two
//! differ by rounding only (tested: under 1e-12 relative).

use super::gamut::{HueParams, Vector};
use super::tables::reach_m_from_table;
use super::tonescale::{ChromaCompress, Shared};
use super::Aces2Rendering;
use crate::output::fastmath;
use crate::output::matrix::{mul_vec, F3};

/// Values per chunk: the stage arrays stay in L1.
const CHUNK: usize = 64;

/// What the front stage hands the middle one, per value of a chunk.
struct Front {
    /// Achromatic response and the opponent pair (a, b).
    aab: [F3; CHUNK],
    /// J and M of the scene value (0 when A ≤ 0, as the model has it).
    j: [f64; CHUNK],
    m: [f64; CHUNK],
    /// Tonemapped J.
    j_ts: [f64; CHUNK],
    /// The chroma compression's powers ([`ChromaCompress::powers`]).
    powers: [[f64; 2]; CHUNK],
}

/// What the middle stage hands the back one, per value.
#[derive(Clone, Copy)]
struct Middle {
    /// Toned (J, M) before the gamut compression.
    jm: [f64; 2],
    reach_max_m: f64,
    hue: HueParams,
    /// cos and sin of the hue.
    cos_sin: [f64; 2],
}

const NO_HUE: HueParams = HueParams {
    gamma_bottom_inv: 1.0,
    cusp: [1.0, 1.0],
    gamma_top_inv: 1.0,
    focus_j: 1.0,
    analytical_threshold: 1.0,
};

impl Aces2Rendering {
    /// [`Self::unclamped`] of every value of `aces` into `out` (the shorter of the two
    /// sets the count), vectorised where the CPU allows.
    pub fn unclamped_batch(&self, aces: &[F3], out: &mut [F3]) {
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
        self.batch(aces, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx2,fma")]
    unsafe fn batch_avx512(&self, aces: &[F3], out: &mut [F3]) {
        self.batch(aces, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn batch_avx2(&self, aces: &[F3], out: &mut [F3]) {
        self.batch(aces, out);
    }

    #[inline(always)]
    fn batch(&self, aces: &[F3], out: &mut [F3]) {
        let mut front = Front {
            aab: [[0.0; 3]; CHUNK],
            j: [0.0; CHUNK],
            m: [0.0; CHUNK],
            j_ts: [0.0; CHUNK],
            powers: [[0.0; 2]; CHUNK],
        };
        let mut middle = [Middle {
            jm: [0.0; 2],
            reach_max_m: 0.0,
            hue: NO_HUE,
            cos_sin: [1.0, 0.0],
        }; CHUNK];
        for (a, o) in aces.chunks(CHUNK).zip(out.chunks_mut(CHUNK)) {
            let n = a.len().min(o.len());
            for (i, &v) in a[..n].iter().enumerate() {
                self.front(v, &mut front, i);
            }
            for (i, b) in middle[..n].iter_mut().enumerate() {
                *b = self.middle(&front, i);
            }
            for (b, o) in middle[..n].iter().zip(&mut o[..n]) {
                *o = self.back(b);
            }
        }
    }

    /// AP1 clamp through the tonescale, for value `i` of the chunk (branch-free).
    #[inline(always)]
    fn front(&self, aces: F3, f: &mut Front, i: usize) {
        let pow = fastmath::pow;
        let upper = self.tonescale.forward_limit();
        let ap1 = mul_vec(&self.ap0_to_ap1, aces).map(|c| c.clamp(0.0, upper));
        let aab = self.p_in.rgb_to_aab_by(mul_vec(&self.ap1_to_ap0, ap1), pow);
        let lit = aab[0] > 0.0;
        let j = self.p_in.achromatic_to_j_by(aab[0], pow);
        let m = (aab[1] * aab[1] + aab[2] * aab[2]).sqrt();
        let j_ts = self.tonescale.a_to_j_by(aab[0], &self.p_in, pow);
        let shared = Shared {
            limit_j_max: self.limit_j_max,
            model_gamma_inv: self.model_gamma_inv,
            reach_max_m: 0.0,
        };
        f.aab[i] = aab;
        f.j[i] = if lit { j } else { 0.0 };
        f.m[i] = if lit { m } else { 0.0 };
        f.j_ts[i] = j_ts;
        f.powers[i] = ChromaCompress::powers(j, j_ts, &shared, pow);
    }

    /// Hue, chroma compression and the gamut compression's hue lookup of value `i`.
    fn middle(&self, f: &Front, i: usize) -> Middle {
        let [a_resp, a, b] = f.aab[i];
        let (j, m) = (f.j[i], f.m[i]);
        let h = if a_resp > 0.0 {
            let h = b.atan2(a).to_degrees();
            if h < 0.0 {
                h + 360.0
            } else {
                h
            }
        } else {
            0.0
        };
        // cos and sin of the hue straight from (a, b); the model's own for M = 0.
        let (cos_h, sin_h) = if m > 0.0 { (a / m, b / m) } else { (1.0, 0.0) };
        let shared = self.shared(reach_m_from_table(h, &self.reach_m));
        let m_norm = self.chroma.norm(cos_h, sin_h);
        let [j, m, _] = self
            .chroma
            .apply_with([j, m, h], f.j_ts[i], m_norm, &shared, f.powers[i]);
        // The hue lookup only where the compression uses it (as the scalar path).
        let used = j > 0.0 && m > 0.0 && j <= self.limit_j_max;
        Middle {
            jm: [j, m],
            reach_max_m: shared.reach_max_m,
            hue: if used {
                self.gamut.hue_params(h, self.limit_j_max)
            } else {
                NO_HUE
            },
            cos_sin: [cos_h, sin_h],
        }
    }

    fn shared(&self, reach_max_m: f64) -> Shared {
        Shared {
            limit_j_max: self.limit_j_max,
            model_gamma_inv: self.model_gamma_inv,
            reach_max_m,
        }
    }

    /// The gamut compression after its hue lookup, then the limiting model's inverse.
    #[inline(always)]
    fn back(&self, mid: &Middle) -> F3 {
        let pow = fastmath::pow;
        let shared = self.shared(mid.reach_max_m);
        let [j, m] = self.gamut.compress(mid.jm, &shared, &mid.hue, Vector);
        let [cos_h, sin_h] = mid.cos_sin;
        let aab = [self.p_out.j_to_achromatic_by(j, pow), m * cos_h, m * sin_h];
        self.p_out.aab_to_rgb_by(aab, pow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::matrix::Primaries;

    /// Scene values from black to past the AP1 clamp, saturated, negative and hue-swept.
    fn values() -> Vec<F3> {
        let mut out = vec![[0.0; 3], [1e-9; 3], [0.18; 3], [-0.05, 0.2, 0.3]];
        let levels = [
            -0.2, 0.0, 1e-5, 0.003, 0.05, 0.18, 0.7, 1.0, 4.0, 30.0, 300.0, 5e3,
        ];
        for &r in &levels {
            for &g in &levels {
                for &b in &levels {
                    out.push([r, g, b]);
                }
            }
        }
        out
    }

    #[test]
    fn batch_matches_the_scalar_rendering() {
        for (peak, prims) in [
            (100.0, Primaries::REC709),
            (1000.0, Primaries::P3_D65),
            (4000.0, Primaries::P3_D65),
        ] {
            let r = Aces2Rendering::new(peak, &prims);
            let input = values();
            let mut out = vec![[f64::NAN; 3]; input.len()];
            r.unclamped_batch(&input, &mut out);
            let mut fallback = vec![[f64::NAN; 3]; input.len()];
            r.batch(&input, &mut fallback);
            for ((v, got), plain) in input.iter().zip(&out).zip(&fallback) {
                let want = r.unclamped(*v);
                for c in 0..3 {
                    let tol = 1e-12 * (1.0 + want[c].abs());
                    assert!(
                        (got[c] - want[c]).abs() <= tol,
                        "{peak} {v:?}: {got:?} vs {want:?}"
                    );
                    assert!((plain[c] - want[c]).abs() <= tol, "{peak} {v:?} scalar");
                }
            }
        }
    }
}
