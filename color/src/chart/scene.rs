//! What the chart shows, as scene light: CIE XYZ under D65 with the perfect white at Y = 1
//! (so 18 % grey has Y = 0.18).
//!
//! Reflective patches come from spectral reflectances (BabelColor average ColorChecker,
//! CIE TCS13) integrated under D65 with the CIE 1931 2° observer; emitters are Gaussian
//! spectra scaled to a luminance. All computed by `scripts/gen-chart-data.py` (colour-science).

use serde::Serialize;

pub use super::scene_data::{COLORCHECKER24, EMISSIVE, SKIN};

/// The kind of a patch; the matcher weighs them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PatchGroup {
    /// A chromatic ColorChecker patch.
    Chromatic,
    /// A neutral: ColorChecker greys, grey steps, the 18 % card.
    Neutral,
    /// Skin tones (including the ColorChecker's two).
    Skin,
    /// Very saturated narrow-band emitters (LED light), often outside the camera's gamut.
    Emissive,
    /// Neutrals brighter than diffuse white.
    Specular,
    /// The black trap.
    Black,
}

/// Ids of the emitters, in [`EMISSIVE`] order.
pub const EMISSIVE_IDS: [&str; 4] = ["led-blue", "led-cyan", "led-green", "led-red"];

/// Specular patch levels, as multiples of diffuse white.
pub const SPECULAR_LEVELS: [u32; 5] = [1, 2, 4, 8, 16];

/// Grey steps are 18 %·2^k for these k.
pub const GREY_STEP_STOPS: std::ops::RangeInclusive<i32> = -8..=2;

/// Surround (background) reflectance.
pub const SURROUND: f64 = 0.06;

/// The D65 white the chart is lit with (OpenColorIO's xy), XYZ with Y = 1.
pub fn d65_white() -> [f64; 3] {
    let w = crate::spaces::gamut::white_xyz(crate::spaces::gamut::D65);
    [w.x, w.y, w.z]
}

/// A neutral of reflectance (or relative luminance) `y` under D65.
pub fn neutral(y: f64) -> [f64; 3] {
    d65_white().map(|c| c * y)
}

/// The group of ColorChecker patch `index` (0-based chart order).
pub fn checker_group(index: usize) -> PatchGroup {
    match index {
        0 | 1 => PatchGroup::Skin,
        18..=23 => PatchGroup::Neutral,
        _ => PatchGroup::Chromatic,
    }
}

/// Scene XYZ of the continuous ramp at `t` ∈ [0, 1] across its width.
pub fn ramp(t: f64) -> [f64; 3] {
    let (lo, hi) = super::layout::RAMP_STOPS;
    neutral(0.18 * 2f64.powf(lo + (hi - lo) * t.clamp(0.0, 1.0)))
}
