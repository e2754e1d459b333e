//! The ACES 2.0 colour appearance model: a modified Hellwig 2022 CAM ("JMh"),
//! parametrised as in OpenColorIO's `ACES2::init_JMhParams` (dim surround, L_A = 100,
//! Y_b = 20, full adaptation, the compression normalised so that Ra ∈ [0, 1)).

use crate::output::matrix::{self, invert, mul, mul_vec, scale_rows, Mat3, Primaries, F3};

/// Reference white luminance: scene/display 1.0 = 100 cd/m².
pub const REFERENCE_LUMINANCE: f64 = 100.0;
const L_A: f64 = 100.0;
const Y_B: f64 = 20.0;
const SURROUND_C: f64 = 0.59;
const SURROUND_NC: f64 = 0.9;
pub(super) const NL_OFFSET: f64 = 0.2713 * 100.0;
const NL_SCALE: f64 = 4.0 * 100.0;
/// The highest normalised cone response the inverse accepts (OCIO clamps there).
pub(super) const NL_INVERSE_LIMIT: f64 = 0.99;

/// The CAM16-like cone space of the ACES 2.0 model (custom primaries, equal-energy-ish white).
const CAM16: Primaries = Primaries {
    red: [0.8336, 0.1735],
    green: [2.3854, -1.4659],
    blue: [0.087, -0.125],
    white: [0.333, 0.333],
};

/// `c·z`, the exponent from the achromatic response to lightness J.
pub fn model_gamma() -> f64 {
    SURROUND_C * (1.48 + (Y_B / REFERENCE_LUMINANCE).sqrt())
}

/// Everything the model needs for one set of RGB primaries.
#[derive(Debug, Clone)]
pub struct JmhParams {
    pub(super) rgb_to_cone: Mat3,
    pub(super) cone_to_rgb: Mat3,
    pub(super) cone_to_aab: Mat3,
    pub(super) aab_to_cone: Mat3,
    pub(super) f_l_n: f64,
    pub cz: f64,
    pub(super) inv_cz: f64,
    pub(super) a_w_j: f64,
}

/// A power function: libm's `f64::powf`, or the vectorisable one of the batch path.
pub(super) trait Pow: Fn(f64, f64) -> f64 + Copy {}
impl<P: Fn(f64, f64) -> f64 + Copy> Pow for P {}

#[inline(always)]
fn compress_fwd_by(rc: f64, pow: impl Pow) -> f64 {
    let f = pow(rc, 0.42);
    f / (NL_OFFSET + f)
}

#[inline(always)]
fn compress_inv_by(ra: f64, pow: impl Pow) -> f64 {
    let ra = ra.min(NL_INVERSE_LIMIT);
    pow(NL_OFFSET * ra / (1.0 - ra), 1.0 / 0.42)
}

fn compress_fwd(rc: f64) -> f64 {
    compress_fwd_by(rc, f64::powf)
}

fn compress_fwd_signed(v: f64) -> f64 {
    compress_fwd(v.abs()).copysign(v)
}

impl JmhParams {
    /// The model for RGB in `prims` (1.0 = 100 cd/m²).
    pub fn new(prims: &Primaries) -> Self {
        let base: Mat3 = [
            [2.0, 1.0, 1.0 / 20.0],
            [1.0, -12.0 / 11.0, 1.0 / 11.0],
            [1.0 / 9.0, 1.0 / 9.0, -2.0 / 9.0],
        ];
        let xyz_w = mul_vec(&prims.rgb_to_xyz(), [REFERENCE_LUMINANCE; 3]);
        let y_w = xyz_w[1];
        let rgb_w = mul_vec(&CAM16.xyz_to_rgb(), xyz_w);

        let k = 1.0 / (5.0 * L_A + 1.0);
        let k4 = k.powi(4);
        let f_l = 0.2 * k4 * (5.0 * L_A) + 0.1 * (1.0 - k4).powi(2) * (5.0 * L_A).cbrt();
        let f_l_n = f_l / REFERENCE_LUMINANCE;
        let cz = model_gamma();

        let d_rgb = rgb_w.map(|w| f_l_n * y_w / w);
        let rgb_aw = [0, 1, 2].map(|i| compress_fwd_signed(d_rgb[i] * rgb_w[i]));
        let scaled = scale_rows([NL_SCALE; 3], &base);
        let a_w = (0..3).map(|i| scaled[0][i] * rgb_aw[i]).sum::<f64>();
        let a_w_j = compress_fwd(f_l);

        let to_cam = mul(
            &prims.to_primaries(&CAM16),
            &scale_rows([REFERENCE_LUMINANCE; 3], &matrix::IDENTITY),
        );
        let rgb_to_cone = scale_rows(d_rgb, &to_cam);
        let opponent = 43.0 * SURROUND_NC;
        let cone_to_aab = scale_rows([1.0 / a_w, opponent, opponent], &scaled);
        JmhParams {
            cone_to_rgb: invert(&rgb_to_cone),
            rgb_to_cone,
            aab_to_cone: invert(&cone_to_aab),
            cone_to_aab,
            f_l_n,
            cz,
            inv_cz: 1.0 / cz,
            a_w_j,
        }
    }

    /// RGB → (A, a, b), A normalised so that the reference white has A = 1.
    pub fn rgb_to_aab(&self, rgb: F3) -> F3 {
        self.rgb_to_aab_by(rgb, f64::powf)
    }

    #[inline(always)]
    pub(super) fn rgb_to_aab_by(&self, rgb: F3, pow: impl Pow) -> F3 {
        let cone =
            mul_vec(&self.rgb_to_cone, rgb).map(|v| compress_fwd_by(v.abs(), pow).copysign(v));
        mul_vec(&self.cone_to_aab, cone)
    }

    /// (A, a, b) → RGB.
    pub fn aab_to_rgb(&self, aab: F3) -> F3 {
        self.aab_to_rgb_by(aab, f64::powf)
    }

    #[inline(always)]
    pub(super) fn aab_to_rgb_by(&self, aab: F3, pow: impl Pow) -> F3 {
        let cone =
            mul_vec(&self.aab_to_cone, aab).map(|v| compress_inv_by(v.abs(), pow).copysign(v));
        mul_vec(&self.cone_to_rgb, cone)
    }

    /// (A, a, b) → (J, M, h), h in degrees on [0, 360); A ≤ 0 maps to black.
    pub fn aab_to_jmh(&self, aab: F3) -> F3 {
        if aab[0] <= 0.0 {
            return [0.0; 3];
        }
        let j = self.achromatic_to_j(aab[0]);
        let m = aab[1].hypot(aab[2]);
        let mut h = aab[2].atan2(aab[1]).to_degrees();
        if h < 0.0 {
            h += 360.0;
        }
        [j, m, h]
    }

    pub fn rgb_to_jmh(&self, rgb: F3) -> F3 {
        self.aab_to_jmh(self.rgb_to_aab(rgb))
    }

    /// (J, M) with the hue given as its cosine and sine → (A, a, b).
    pub fn jmh_to_aab(&self, j: f64, m: f64, cos_h: f64, sin_h: f64) -> F3 {
        [self.j_to_achromatic(j), m * cos_h, m * sin_h]
    }

    pub fn jmh_to_rgb(&self, jmh: F3) -> F3 {
        let h = jmh[2].to_radians();
        self.aab_to_rgb(self.jmh_to_aab(jmh[0], jmh[1], h.cos(), h.sin()))
    }

    pub fn achromatic_to_j(&self, a: f64) -> f64 {
        self.achromatic_to_j_by(a, f64::powf)
    }

    #[inline(always)]
    pub(super) fn achromatic_to_j_by(&self, a: f64, pow: impl Pow) -> f64 {
        100.0 * pow(a, self.cz)
    }

    pub fn j_to_achromatic(&self, j: f64) -> f64 {
        self.j_to_achromatic_by(j, f64::powf)
    }

    #[inline(always)]
    pub(super) fn j_to_achromatic_by(&self, j: f64, pow: impl Pow) -> f64 {
        pow(j / 100.0, self.inv_cz)
    }

    /// Luminance (1.0 = 1 cd/m²·100⁻¹·100, i.e. Y in cd/m² when RGB is 1.0 = 100) of an
    /// achromatic response.
    pub fn achromatic_to_y(&self, a: f64) -> f64 {
        self.achromatic_to_y_by(a, f64::powf)
    }

    #[inline(always)]
    pub(super) fn achromatic_to_y_by(&self, a: f64, pow: impl Pow) -> f64 {
        compress_inv_by(self.a_w_j * a, pow) / self.f_l_n
    }

    /// Lightness J of an achromatic luminance Y (sign-preserving).
    pub fn y_to_j(&self, y: f64) -> f64 {
        self.y_to_j_by(y, f64::powf)
    }

    #[inline(always)]
    pub(super) fn y_to_j_by(&self, y: f64, pow: impl Pow) -> f64 {
        let ra = compress_fwd_by(y.abs() * self.f_l_n, pow);
        self.achromatic_to_j_by(ra / self.a_w_j, pow).copysign(y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_white_has_unit_achromatic_response_and_no_colourfulness() {
        let p = JmhParams::new(&Primaries::AP0);
        let aab = p.rgb_to_aab([1.0, 1.0, 1.0]);
        assert!((aab[0] - 1.0).abs() < 1e-12, "{aab:?}");
        assert!(aab[1].abs() < 1e-9 && aab[2].abs() < 1e-9, "{aab:?}");
        assert!((p.achromatic_to_j(aab[0]) - 100.0).abs() < 1e-9);
    }

    #[test]
    fn rgb_jmh_round_trips() {
        let p = JmhParams::new(&Primaries::REC709);
        for rgb in [[0.2, 0.5, 0.9], [1.0, 0.01, 0.3], [4.0, 2.0, 0.5]] {
            let back = p.jmh_to_rgb(p.rgb_to_jmh(rgb));
            for i in 0..3 {
                assert!((back[i] - rgb[i]).abs() < 1e-9, "{rgb:?} -> {back:?}");
            }
        }
    }

    #[test]
    fn luminance_and_lightness_are_inverse() {
        let p = JmhParams::new(&Primaries::AP0);
        for y in [0.5, 10.0, 100.0, 1000.0] {
            let a = p.j_to_achromatic(p.y_to_j(y));
            assert!((p.achromatic_to_y(a) - y).abs() < 1e-9 * y.max(1.0));
        }
    }
}
