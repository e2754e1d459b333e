//! Display encodings (OpenColorIO's `DISPLAY - CIE-XYZ-D65_to_…` builtins): CIE XYZ-D65,
//! 1.0 = 100 cd/m², to the encoding primaries (no chromatic adaptation) and the inverse
//! EOTF. Spec: shared/specs/color.md §5.

use super::matrix::{mul_vec, Mat3, Primaries, F3};

/// The inverse EOTF applied to display-linear light.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// ITU-R BT.1886 with zero black: `max(L, 0)^(1/2.4)`.
    Bt1886,
    /// Pure 2.6 gamma (DCI-style P3 mastering displays): `max(L, 0)^(1/2.6)`.
    Gamma26,
    /// SMPTE ST 2084 (absolute, 10 000 cd/m² = 1.0), negatives mirrored.
    Pq,
    /// ITU-R BT.2100 HLG for a 1000 cd/m² display: inverse OOTF (γ = 1.2) and the OETF.
    Hlg1000,
}

impl Encoding {
    /// Name used in listings and exported files.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Bt1886 => "BT.1886 (gamma 2.4)",
            Encoding::Gamma26 => "gamma 2.6",
            Encoding::Pq => "ST 2084 PQ",
            Encoding::Hlg1000 => "BT.2100 HLG (1000 nit)",
        }
    }
}

/// One display: encoding primaries and inverse EOTF.
#[derive(Debug, Clone)]
pub struct Display {
    xyz_to_rgb: Mat3,
    encoding: Encoding,
}

/// ST 2084's constants (m₁, m₂, c₁, c₂, c₃).
pub(crate) mod st2084 {
    pub const M1: f64 = 2610.0 / 16384.0;
    pub const M2: f64 = 2523.0 / 4096.0 * 128.0;
    pub const C2: f64 = 2413.0 / 4096.0 * 32.0;
    pub const C3: f64 = 2392.0 / 4096.0 * 32.0;
    pub const C1: f64 = C3 - C2 + 1.0;
}

/// ST 2084 inverse EOTF of display-linear light with 1.0 = 100 cd/m², mirrored for negatives.
pub fn pq_encode(l: f64) -> f64 {
    pq_encode_by(l, super::aces2::Libm)
}

/// [`pq_encode`] with the given power function (libm's, or the vectorisable one).
#[inline(always)]
pub(super) fn pq_encode_by(l: f64, maths: impl super::aces2::Maths) -> f64 {
    use st2084::{C1, C2, C3, M1, M2};
    let y = maths.pow(l.abs() / 100.0, M1);
    maths.pow((C1 + C2 * y) / (1.0 + C3 * y), M2).copysign(l)
}

/// BT.2100 HLG OETF of scene light `e` on [0, 3] (OCIO's `CURVE - HLG-OETF`, E_MAX = 3),
/// mirrored for negatives.
pub fn hlg_oetf(e: f64) -> f64 {
    const A: f64 = 0.17883277;
    const B: f64 = 0.28466892;
    const C: f64 = 0.55991073;
    let x = e.abs();
    let v = if x <= 0.25 {
        x.sqrt()
    } else {
        A * (x - B / 4.0).ln() + C + A * 4.0_f64.ln()
    };
    v.copysign(e)
}

/// HLG for a 1000 cd/m² display: display light (1.0 = 100 cd/m², Rec.2020) → signal.
fn hlg_1000(rgb: F3) -> F3 {
    const GAMMA: f64 = 1.2;
    const PEAK: f64 = 1000.0;
    // Normalise so that the OOTF inverse lands the peak at E = 3 (OCIO's E_MAX).
    let scale = 100.0 * 3.0_f64.powf(GAMMA) / PEAK;
    let rgb = rgb.map(|c| c * scale);
    let y = (0.2627 * rgb[0] + 0.6780 * rgb[1] + 0.0593 * rgb[2])
        .abs()
        .max(1e-4);
    let gain = y.powf(1.0 / GAMMA - 1.0);
    rgb.map(|c| hlg_oetf(c * gain))
}

impl Display {
    pub fn new(primaries: &Primaries, encoding: Encoding) -> Self {
        Display {
            xyz_to_rgb: primaries.xyz_to_rgb(),
            encoding,
        }
    }

    /// CIE XYZ-D65 → the encoding primaries.
    pub fn xyz_to_rgb(&self) -> &Mat3 {
        &self.xyz_to_rgb
    }

    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// Display-linear RGB in the encoding primaries → code value (full range, 0–1).
    pub fn encode_rgb(&self, rgb: F3) -> F3 {
        match self.encoding {
            Encoding::Bt1886 => rgb.map(|c| c.max(0.0).powf(1.0 / 2.4)),
            Encoding::Gamma26 => rgb.map(|c| c.max(0.0).powf(1.0 / 2.6)),
            Encoding::Pq => rgb.map(pq_encode),
            Encoding::Hlg1000 => hlg_1000(rgb),
        }
    }

    /// CIE XYZ-D65 (1.0 = 100 cd/m²) → code value (full range).
    pub fn encode(&self, xyz: F3) -> F3 {
        self.encode_rgb(mul_vec(&self.xyz_to_rgb, xyz))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pq_hits_its_anchor_points() {
        assert!((pq_encode(100.0) - 1.0).abs() < 1e-12);
        // 100 cd/m² is 0.508078 in PQ (BT.2100 reference value).
        assert!((pq_encode(1.0) - 0.508078).abs() < 1e-6);
        assert!((pq_encode(-1.0) + pq_encode(1.0)).abs() < 1e-15);
    }

    #[test]
    fn hlg_oetf_is_continuous_at_its_break_and_reaches_one() {
        assert!((hlg_oetf(0.25) - 0.5).abs() < 1e-7);
        assert!((hlg_oetf(0.25 + 1e-9) - 0.5).abs() < 1e-6);
        assert!((hlg_oetf(3.0) - 1.0).abs() < 1e-7);
    }

    #[test]
    fn hlg_1000_maps_peak_white_to_full_signal_and_reference_white_to_0_75() {
        let d = Display::new(&Primaries::REC2020, Encoding::Hlg1000);
        let peak = d.encode_rgb([10.0; 3]);
        assert!((peak[0] - 1.0).abs() < 1e-6, "{peak:?}");
        // BT.2408: HLG reference white (203 cd/m²) sits at 75 % signal on a 1000 nit display.
        let white = d.encode_rgb([2.03; 3]);
        assert!((white[1] - 0.75).abs() < 0.002, "{white:?}");
    }
}
