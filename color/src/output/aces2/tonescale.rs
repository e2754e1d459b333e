//! The ACES 2.0 tonescale (Daniele Siragusano's curve, `init_ToneScaleParams`) and
//! chroma compression (`chroma_compress_fwd`), on the achromatic axis of the JMh model.

use super::cam::{JmhParams, Pow, REFERENCE_LUMINANCE};

/// The tonescale constants for one peak luminance.
#[derive(Debug, Clone)]
pub struct ToneScale {
    pub peak: f64,
    pub(super) t_1: f64,
    pub(super) g: f64,
    pub(super) s_2: f64,
    pub(super) m_2: f64,
    /// Scene value "hitting the roof", from 128 at 100 nits to 896 at 10 000 nits.
    pub r_hit: f64,
    /// Display luminance of scene 18 % grey, /100.
    pub c_t: f64,
    /// log10(peak / 100).
    pub log_peak: f64,
}

impl ToneScale {
    pub fn new(peak: f64) -> Self {
        let n_r = 100.0;
        let g = 1.15;
        let c = 0.18;
        let c_d = 10.013;
        let w_g = 0.14;
        let t_1 = 0.04;
        let (r_hit_min, r_hit_max) = (128.0, 896.0);

        let r_hit =
            r_hit_min + (r_hit_max - r_hit_min) * ((peak / n_r).ln() / (10000.0_f64 / 100.0).ln());
        let m_0 = peak / n_r;
        let m_1 = 0.5 * (m_0 + (m_0 * (m_0 + 4.0 * t_1)).sqrt());
        let u = ((r_hit / m_1) / ((r_hit / m_1) + 1.0)).powf(g);
        let m = m_1 / u;
        let w_i = (peak / 100.0).log2();
        let c_t = c_d / n_r * (1.0 + w_i * w_g);
        let g_ip = 0.5 * (c_t + (c_t * (c_t + 4.0 * t_1)).sqrt());
        let gm = (g_ip / m).powf(1.0 / g);
        let g_ipp2 = -(m_1 * gm) / (gm - 1.0);
        let w_2 = c / g_ipp2;
        let s_2 = w_2 * m_1 * REFERENCE_LUMINANCE;
        let u_2 = ((r_hit / m_1) / ((r_hit / m_1) + w_2)).powf(g);
        let m_2 = m_1 / u_2;
        ToneScale {
            peak,
            t_1,
            g,
            s_2,
            m_2,
            r_hit,
            c_t,
            log_peak: (peak / n_r).log10(),
        }
    }

    /// The largest scene value (in AP1) the forward transform expects: 8·r_hit.
    pub fn forward_limit(&self) -> f64 {
        8.0 * self.r_hit
    }

    /// Scene luminance Y (100 = scene 1.0) → display luminance (100 = 100 cd/m²).
    #[cfg(test)]
    pub fn apply(&self, y: f64) -> f64 {
        self.apply_by(y, f64::powf)
    }

    #[inline(always)]
    fn apply_by(&self, y: f64, pow: impl Pow) -> f64 {
        let f = self.m_2 * pow(y / (y + self.s_2), self.g);
        // max(0, NaN) = 0 as in OCIO: a negative achromatic response renders black.
        (f * f / (f + self.t_1)).max(0.0) * 100.0
    }

    /// The tonemapped lightness J of an achromatic response A.
    pub fn a_to_j(&self, a: f64, p: &JmhParams) -> f64 {
        self.a_to_j_by(a, p, f64::powf)
    }

    #[inline(always)]
    pub(super) fn a_to_j_by(&self, a: f64, p: &JmhParams, pow: impl Pow) -> f64 {
        let y = p.achromatic_to_y_by(a, pow);
        p.y_to_j_by(self.apply_by(y, pow), pow).copysign(a)
    }
}

/// Chroma compression constants for one peak luminance.
#[derive(Debug, Clone)]
pub struct ChromaCompress {
    pub(super) sat: f64,
    pub(super) sat_thr: f64,
    pub(super) compr: f64,
    pub scale: f64,
}

impl ChromaCompress {
    pub fn new(ts: &ToneScale) -> Self {
        let (compress, compress_fact) = (2.4, 3.3);
        let (expand, expand_fact, expand_thr) = (1.3, 0.69, 0.5);
        ChromaCompress {
            compr: compress + compress * compress_fact * ts.log_peak,
            sat: (expand - expand * expand_fact * ts.log_peak).max(0.2),
            sat_thr: expand_thr / ts.peak,
            scale: (0.03379 * ts.peak).powf(0.30596) - 0.45135,
        }
    }

    /// The hue-dependent normalisation of M (a 3rd-order Fourier fit).
    pub fn norm(&self, cos_h: f64, sin_h: f64) -> f64 {
        let cos2 = 2.0 * cos_h * cos_h - 1.0;
        let sin2 = 2.0 * cos_h * sin_h;
        let cos3 = 4.0 * cos_h * cos_h * cos_h - 3.0 * cos_h;
        let sin3 = 3.0 * sin_h - 4.0 * sin_h * sin_h * sin_h;
        let m = 11.34072 * cos_h + 16.46899 * cos2 + 7.88380 * cos3 + 14.66441 * sin_h
            - 6.37224 * sin2
            + 9.19364 * sin3
            + 77.12896;
        m * self.scale
    }

    /// Compresses M of `jmh` after the tonescale moved J to `j_ts`.
    pub fn apply(&self, jmh: [f64; 3], j_ts: f64, m_norm: f64, s: &Shared) -> [f64; 3] {
        let powers = Self::powers(jmh[0], j_ts, s, f64::powf);
        self.apply_with(jmh, j_ts, m_norm, s, powers)
    }

    /// The two powers [`Self::apply_with`] takes: (J_ts/J_max)^(1/γ) and (J_ts/J)^(1/γ).
    #[inline(always)]
    pub(super) fn powers(j: f64, j_ts: f64, s: &Shared, pow: impl Pow) -> [f64; 2] {
        let g = s.model_gamma_inv;
        [pow(j_ts / s.limit_j_max, g), pow(j_ts / j, g)]
    }

    /// [`Self::apply`] with its two powers computed by the caller ([`Self::powers`]).
    pub(super) fn apply_with(
        &self,
        jmh: [f64; 3],
        j_ts: f64,
        m_norm: f64,
        s: &Shared,
        [nj_pow, ratio_pow]: [f64; 2],
    ) -> [f64; 3] {
        let [_, m, h] = jmh;
        if m == 0.0 {
            return [j_ts, m, h];
        }
        let nj = j_ts / s.limit_j_max;
        let snj = (1.0 - nj).max(0.0);
        let limit = nj_pow * s.reach_max_m / m_norm;
        let mut mc = m * ratio_pow / m_norm;
        mc = limit
            - toe(
                limit - mc,
                limit - 0.001,
                snj * self.sat,
                (nj * nj + self.sat_thr).sqrt(),
            );
        mc = toe(mc, limit, nj * self.compr, snj);
        [j_ts, mc * m_norm, h]
    }
}

/// The parameters chroma and gamut compression share, resolved for one hue.
#[derive(Debug, Clone, Copy)]
pub struct Shared {
    pub limit_j_max: f64,
    pub model_gamma_inv: f64,
    /// The largest M inside AP1 at `limit_j_max` for this hue.
    pub reach_max_m: f64,
}

fn toe(x: f64, limit: f64, k1_in: f64, k2_in: f64) -> f64 {
    if x > limit {
        return x;
    }
    let k2 = k2_in.max(0.001);
    let k1 = (k1_in * k1_in + k2 * k2).sqrt();
    let k3 = (limit + k1) / (limit + k2);
    let minus_b = k3 * x - k1;
    let minus_ac = k2 * k3 * x;
    0.5 * (minus_b + (minus_b * minus_b + 4.0 * minus_ac).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tonescale_constants_match_the_aces_reference() {
        // Values of the ACES 2.0 CTL for 100 and 1000 nits (spec §6.1).
        let t = ToneScale::new(100.0);
        assert!((t.s_2 - 91.985825).abs() < 1e-5, "{}", t.s_2);
        assert!((t.m_2 - 1.047104).abs() < 1e-6, "{}", t.m_2);
        let t = ToneScale::new(1000.0);
        assert!((t.s_2 - 589.592689).abs() < 1e-4, "{}", t.s_2);
        assert!((t.c_t - 0.146697).abs() < 1e-6);
    }

    #[test]
    fn spec_table_scene_values_land_where_the_spec_says() {
        // shared/specs/color.md §6.1: scene 0.18 and 1.0 → cd/m² at 100 and 1000 nit.
        for (peak, grey, white) in [(100.0, 10.00, 45.76), (1000.0, 14.51, 106.56)] {
            let t = ToneScale::new(peak);
            assert!(
                (t.apply(18.0) - grey).abs() < 0.005,
                "{peak}: {}",
                t.apply(18.0)
            );
            assert!(
                (t.apply(100.0) - white).abs() < 0.005,
                "{peak}: {}",
                t.apply(100.0)
            );
        }
    }

    #[test]
    fn grey_maps_to_ten_nits_at_100_nit_peak() {
        let t = ToneScale::new(100.0);
        assert!((t.apply(18.0) - 10.0).abs() < 0.01, "{}", t.apply(18.0));
        // Scene r_hit (128 at 100 nits) "hits the roof": display peak.
        let roof = t.apply(t.r_hit * 100.0);
        assert!((roof - 100.0).abs() < 1e-6, "{roof}");
        assert_eq!(t.apply(0.0), 0.0);
    }
}
