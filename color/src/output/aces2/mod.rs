//! The ACES 2.0 output transform (OpenColorIO 2.6 `ACES2_OutputTransform` fixed function
//! and the `ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - …_2.0` builtins around it).
//!
//! ACES2065-1 → JMh (AP0 model) → tonescale of J → chroma compression → gamut compression
//! towards the limiting gamut → RGB in the limiting primaries, 1.0 = 100 cd/m².

mod batch;
mod cam;
mod gamut;
mod lanes;
mod tables;
mod tonescale;

use crate::output::matrix::{mul_vec, Mat3, Primaries, F3};
use cam::JmhParams;
use gamut::GamutCompress;
use tonescale::{ChromaCompress, Shared, ToneScale};

pub use cam::JmhParams as Jmh;
pub(crate) use gamut::{Libm, Maths, Vector};
pub(crate) use lanes::{batch_at, ChunkIo, LaneChain};
pub use lanes::{Aces2Lanes, CHUNK as LANES_CHUNK};

/// One ACES 2.0 rendering: a peak luminance and a limiting gamut, with its tables.
#[derive(Debug, Clone)]
pub struct Aces2Rendering {
    p_in: JmhParams,
    p_out: JmhParams,
    tonescale: ToneScale,
    chroma: ChromaCompress,
    gamut: GamutCompress,
    limit_j_max: f64,
    model_gamma_inv: f64,
    reach_m: Vec<f64>,
    ap0_to_ap1: Mat3,
    ap1_to_ap0: Mat3,
}

impl Aces2Rendering {
    /// Builds the transform for `peak` cd/m² limited to `limiting` (white included).
    pub fn new(peak: f64, limiting: &Primaries) -> Self {
        let p_in = JmhParams::new(&Primaries::AP0);
        let p_out = JmhParams::new(limiting);
        let reach = JmhParams::new(&Primaries::AP1);
        let tonescale = ToneScale::new(peak);
        let limit_j_max = p_in.y_to_j(peak);
        let model_gamma_inv = 1.0 / cam::model_gamma();
        let reach_m = tables::reach_m_table(&reach, limit_j_max);
        let chroma = ChromaCompress::new(&tonescale);
        let mid_j = p_in.y_to_j(tonescale.c_t * cam::REFERENCE_LUMINANCE);
        let focus_dist = 1.35 + 1.35 * 1.75 * tonescale.log_peak;
        let lower_hull_gamma_inv = 1.0 / (1.14 + 0.07 * tonescale.log_peak);
        let fit = tables::HullFit {
            peak,
            limit_j_max,
            mid_j,
            focus_dist,
            lower_hull_gamma_inv,
            limiting: &p_out,
        };
        let (hues, cusps, search_range) =
            tables::gamut_tables(&reach, tonescale.forward_limit(), &fit);
        let gamut = GamutCompress {
            mid_j,
            focus_dist,
            lower_hull_gamma_inv,
            search_range,
            hues,
            cusps,
        };
        Aces2Rendering {
            p_in,
            p_out,
            tonescale,
            chroma,
            gamut,
            limit_j_max,
            model_gamma_inv,
            reach_m,
            ap0_to_ap1: Primaries::AP0.to_primaries(&Primaries::AP1),
            ap1_to_ap0: Primaries::AP1.to_primaries(&Primaries::AP0),
        }
    }

    /// The AP1 clamp in front of the rendering: 8·r_hit.
    pub fn forward_limit(&self) -> f64 {
        self.tonescale.forward_limit()
    }

    /// Peak luminance in cd/m².
    pub fn peak(&self) -> f64 {
        self.tonescale.peak
    }

    /// The fixed function alone: ACES2065-1 → limiting RGB
    /// (`Renderer_ACES_OutputTransform20::fwd`).
    pub fn fixed_function(&self, rgb: F3) -> F3 {
        let aab = self.p_in.rgb_to_aab(rgb);
        let jmh = self.p_in.aab_to_jmh(aab);
        let shared = Shared {
            limit_j_max: self.limit_j_max,
            model_gamma_inv: self.model_gamma_inv,
            reach_max_m: tables::reach_m_from_table(jmh[2], &self.reach_m),
        };
        let h = jmh[2].to_radians();
        let (cos_h, sin_h) = (h.cos(), h.sin());
        let m_norm = self.chroma.norm(cos_h, sin_h);
        let j_ts = self.tonescale.a_to_j(aab[0], &self.p_in);
        let toned = self.chroma.apply(jmh, j_ts, m_norm, &shared);
        let [j, m, _] = self.gamut.apply(toned, &shared);
        self.p_out
            .aab_to_rgb(self.p_out.jmh_to_aab(j, m, cos_h, sin_h))
    }

    /// The builtin before its last clamp: AP1 clamp to [0, 8·r_hit], then the fixed
    /// function. Limiting RGB, 1.0 = 100 cd/m², not yet clamped to [`Self::output_clamp`].
    pub fn unclamped(&self, aces: F3) -> F3 {
        let upper = self.tonescale.forward_limit();
        let ap1 = mul_vec(&self.ap0_to_ap1, aces).map(|c| c.clamp(0.0, upper));
        self.fixed_function(mul_vec(&self.ap1_to_ap0, ap1))
    }

    /// The builtin's last clamp: [0, peak/100].
    pub fn output_clamp(&self) -> (f64, f64) {
        (0.0, self.peak() / cam::REFERENCE_LUMINANCE)
    }

    /// The whole builtin up to the limiting primaries, 1.0 = 100 cd/m².
    pub fn apply(&self, aces: F3) -> F3 {
        let (lo, hi) = self.output_clamp();
        self.unclamped(aces).map(|c| c.clamp(lo, hi))
    }
}
