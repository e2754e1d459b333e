//! How a simulated camera records scene light: white balance, exposure, the make's own
//! small deviation, then the camera's gamut and log encoding.
//!
//! Per pixel, from scene XYZ (D65 light):
//! 1. white balance: CAT02 von Kries adaptation from the white of the camera's Kelvin
//!    setting (see [`super::cct`]) to D65, so a camera set to 3200 K under D65 light sees
//!    blue; no setting (or `--ideal` with none) leaves D65 neutral;
//! 2. exposure: × 2^stops;
//! 3. XYZ → camera gamut RGB (the space's primaries; its own adaptation to the gamut white);
//! 4. the make's deviation (skipped when ideal, see [`MAKES`]): `rgb ← gain ⊙ (crosstalk · rgb)`,
//!    then a tone difference about 18 % grey, `x ← 0.18·(x/0.18)^gamma` for x > 0;
//! 5. the space's log encoding; code values clip to [0, 1] as a recorded signal does.

use super::cct;
use crate::spaces::{self, gamut, Adaptation, InputSpace};
use nalgebra::{Matrix3, Vector3};
use serde::Serialize;

/// A camera make's documented deviation from the ideal camera.
///
/// The sensitivity crosstalk in camera-linear RGB is
/// `saturation·I + (1 − saturation)·1·lᵀ + hue`, with `l` = [`CROSSTALK_LUMA`] and `hue`
/// rows summing to 0, so greys stay grey and only colours move; [`Deviation::crosstalk`]
/// gives the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Deviation {
    pub make: &'static str,
    /// How much more (> 1) or less saturated the sensor's colours are.
    pub saturation: f64,
    /// Asymmetric crosstalk (hue shifts); each row sums to 0.
    pub hue: [[f64; 3]; 3],
    /// Residual white-balance and exposure gain per channel.
    pub gain: [f64; 3],
    /// Tone-curve difference: the power applied about 18 % grey.
    pub gamma: f64,
}

/// Weights of the neutral axis the crosstalk's saturation part pivots about.
pub const CROSSTALK_LUMA: [f64; 3] = [0.3, 0.55, 0.15];

impl Deviation {
    /// The 3×3 crosstalk matrix (rows sum to 1).
    pub fn crosstalk(&self) -> [[f64; 3]; 3] {
        let s = self.saturation;
        let mut m = [[0.0; 3]; 3];
        for (r, row) in m.iter_mut().enumerate() {
            for (c, v) in row.iter_mut().enumerate() {
                let diag = if r == c { s } else { 0.0 };
                *v = diag + (1.0 - s) * CROSSTALK_LUMA[c] + self.hue[r][c];
            }
        }
        m
    }
}

const fn make(
    make: &'static str,
    saturation: f64,
    [a, b, c]: [f64; 3],
    gain: [f64; 3],
    gamma: f64,
) -> Deviation {
    // Hue shifts: R leaks into G by a, G into B by b, B into R by c (and back), rows sum 0.
    Deviation {
        make,
        saturation,
        hue: [[0.0, a, -a], [-b, 0.0, b], [c, -c, 0.0]],
        gain,
        gamma,
    }
}

/// Deviations of the simulated makes, sized like real cameras of different makes
/// (mean ΔE 2000 between makes ≈ 2–6 on an SDR display before matching; measured in
/// color/tests/chart.rs).
pub const MAKES: [Deviation; 10] = [
    make(
        "arri",
        0.940,
        [0.0065, -0.0035, 0.0050],
        [1.030, 1.000, 0.960],
        0.960,
    ),
    make(
        "sony",
        1.104,
        [-0.0095, 0.0065, -0.0065],
        [1.045, 1.060, 0.985],
        1.075,
    ),
    make(
        "panasonic",
        0.896,
        [0.0130, 0.0095, 0.0035],
        [0.955, 0.970, 1.045],
        0.925,
    ),
    make(
        "red",
        1.130,
        [-0.0065, -0.0095, 0.0095],
        [1.060, 0.955, 0.970],
        1.060,
    ),
    make(
        "canon",
        1.052,
        [0.0095, -0.0065, -0.0095],
        [1.030, 1.045, 0.940],
        0.940,
    ),
    make(
        "blackmagic",
        0.870,
        [-0.0130, 0.0035, 0.0065],
        [0.940, 1.000, 1.060],
        1.090,
    ),
    make(
        "apple",
        1.090,
        [0.0035, 0.0050, -0.0035],
        [1.075, 1.030, 1.045],
        0.910,
    ),
    make(
        "dji",
        0.922,
        [-0.0035, -0.0130, 0.0130],
        [0.970, 0.940, 0.955],
        1.045,
    ),
    make(
        "fujifilm",
        1.078,
        [0.0130, 0.0000, -0.0130],
        [1.015, 1.045, 1.075],
        0.955,
    ),
    make(
        "broadcast",
        0.935,
        [-0.0065, 0.0095, 0.0000],
        [1.045, 1.015, 0.955],
        1.030,
    ),
];

/// The make a registered space belongs to, by its id prefix; `None` for ACES and
/// post-production encodings, which no camera records.
pub fn make_of(space_id: &str) -> Option<&'static Deviation> {
    let make = match space_id.split('-').next()? {
        "arri" => "arri",
        "sony" => "sony",
        "panasonic" => "panasonic",
        "red" => "red",
        "canon" => "canon",
        "bmd" => "blackmagic",
        "apple" => "apple",
        "dji" => "dji",
        "fuji" => "fujifilm",
        "rec709" | "rec2100" => "broadcast",
        _ => return None,
    };
    MAKES.iter().find(|d| d.make == make)
}

/// How the camera is set up for the shot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shot {
    /// Exposure offset in stops.
    pub exposure: f64,
    /// White-balance setting in kelvin (`None`: balanced for the D65 light).
    pub white_balance: Option<f64>,
    /// Render without the make's deviation.
    pub ideal: bool,
}

impl Default for Shot {
    fn default() -> Self {
        Self {
            exposure: 0.0,
            white_balance: None,
            ideal: false,
        }
    }
}

/// A simulated camera: scene XYZ → recorded code values.
#[derive(Clone, Debug)]
pub struct CameraModel {
    pub space: InputSpace,
    pub deviation: Option<Deviation>,
    /// XYZ (D65 light) → camera-linear RGB, white balance and exposure included.
    to_camera: Matrix3<f64>,
}

impl CameraModel {
    pub fn new(space: InputSpace, shot: &Shot) -> Self {
        let deviation = (!shot.ideal).then(|| make_of(&space.id).copied()).flatten();
        let wb = match shot.white_balance {
            Some(k) => {
                gamut::adaptation_matrix(cct::white_balance_xy(k), gamut::D65, Adaptation::Cat02)
            }
            None => Matrix3::identity(),
        };
        let to_gamut = space.gamut.xyz_to_rgb()
            * gamut::adaptation_matrix(gamut::D65, space.gamut.white, space.adaptation);
        let to_camera = to_gamut * wb * 2f64.powf(shot.exposure);
        Self {
            space,
            deviation,
            to_camera,
        }
    }

    /// Looks up the space id and builds the camera.
    pub fn from_id(id: &str, shot: &Shot) -> Result<Self, spaces::SpaceError> {
        Ok(Self::new(spaces::lookup(id)?, shot))
    }

    /// Camera-linear RGB of scene XYZ (before the log encoding).
    pub fn linear(&self, xyz: [f64; 3]) -> [f64; 3] {
        let rgb = self.to_camera * Vector3::from(xyz);
        let mut out = [rgb.x, rgb.y, rgb.z];
        if let Some(d) = &self.deviation {
            let x = d.crosstalk();
            let m = Matrix3::from_fn(|r, c| x[r][c]);
            let v = m * Vector3::from(out);
            out = [v.x * d.gain[0], v.y * d.gain[1], v.z * d.gain[2]];
            out = out.map(|x| tone(x, d.gamma));
        }
        out
    }

    /// Recorded code values of scene XYZ, clipped to [0, 1].
    pub fn code(&self, xyz: [f64; 3]) -> [f64; 3] {
        self.linear(xyz)
            .map(|x| self.space.curve.encode(x).clamp(0.0, 1.0))
    }
}

fn tone(x: f64, gamma: f64) -> f64 {
    if x > 0.0 {
        0.18 * (x / 0.18).powf(gamma)
    } else {
        x
    }
}
