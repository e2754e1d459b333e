//! How a simulated camera records scene light: white balance, exposure, the make's own
//! small deviation, then the camera's gamut and log encoding.
//!
//! Per pixel, from scene XYZ (D65 light):
//! 1. white balance: CAT02 von Kries adaptation from the white of the camera's Kelvin
//!    setting (see [`super::cct`]) to D65, so a camera set to 3200 K under D65 light sees
//!    blue; no setting (or `--ideal` with none) leaves D65 neutral;
//! 2. exposure: × 2^stops;
//! 3. XYZ → camera gamut RGB (the space's primaries; its own adaptation to the gamut white);
//! 4. the make's deviation (skipped when ideal): `rgb ← gain ⊙ (crosstalk · rgb)`, then a
//!    tone difference about 18 % grey, `x ← 0.18·(x/0.18)^gamma` for x > 0;
//! 5. the space's log encoding; code values clip to [0, 1] as a recorded signal does.

use super::cct;
use crate::spaces::{self, gamut, Adaptation, InputSpace};
use nalgebra::{Matrix3, Vector3};
use serde::Serialize;

/// A camera make's documented deviation from the ideal camera.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Deviation {
    pub make: &'static str,
    /// Spectral-sensitivity crosstalk in camera-linear RGB (rows sum to 1: greys stay grey).
    pub crosstalk: [[f64; 3]; 3],
    /// Residual white-balance gain per channel.
    pub gain: [f64; 3],
    /// Tone-curve difference: the power applied about 18 % grey.
    pub gamma: f64,
}

/// Deviations of the simulated makes, sized like real cameras of different makes
/// (mean ΔE 2000 between makes ≈ 2–6 on an SDR display before matching).
#[rustfmt::skip]
pub const MAKES: [Deviation; 10] = [
    Deviation { make: "arri", crosstalk: [[1.030, -0.020, -0.010], [-0.015, 1.025, -0.010], [0.000, -0.030, 1.030]], gain: [1.000, 1.000, 1.000], gamma: 0.985 },
    Deviation { make: "sony", crosstalk: [[0.950, 0.060, -0.010], [0.030, 0.980, -0.010], [-0.010, 0.060, 0.950]], gain: [1.010, 1.000, 0.985], gamma: 1.030 },
    Deviation { make: "panasonic", crosstalk: [[1.060, -0.050, -0.010], [0.020, 0.960, 0.020], [0.010, -0.060, 1.050]], gain: [0.990, 1.000, 1.015], gamma: 0.970 },
    Deviation { make: "red", crosstalk: [[0.930, 0.050, 0.020], [-0.030, 1.050, -0.020], [0.020, 0.020, 0.960]], gain: [1.020, 1.000, 0.990], gamma: 1.020 },
    Deviation { make: "canon", crosstalk: [[1.050, -0.030, -0.020], [-0.040, 1.060, -0.020], [-0.020, -0.040, 1.060]], gain: [1.015, 1.000, 0.980], gamma: 0.990 },
    Deviation { make: "blackmagic", crosstalk: [[0.960, 0.030, 0.010], [0.040, 0.940, 0.020], [0.000, 0.050, 0.950]], gain: [0.985, 1.000, 1.020], gamma: 1.040 },
    Deviation { make: "apple", crosstalk: [[1.070, -0.060, -0.010], [-0.020, 1.030, -0.010], [0.010, -0.070, 1.060]], gain: [1.020, 1.000, 1.010], gamma: 0.960 },
    Deviation { make: "dji", crosstalk: [[0.970, 0.040, -0.010], [0.010, 0.970, 0.020], [-0.020, 0.030, 0.990]], gain: [0.980, 1.000, 0.995], gamma: 1.015 },
    Deviation { make: "fujifilm", crosstalk: [[1.040, -0.050, 0.010], [-0.010, 1.020, -0.010], [0.020, -0.050, 1.030]], gain: [1.005, 1.000, 1.020], gamma: 0.975 },
    Deviation { make: "broadcast", crosstalk: [[0.970, 0.020, 0.010], [0.020, 0.990, -0.010], [0.010, 0.020, 0.970]], gain: [1.010, 1.000, 1.010], gamma: 1.010 },
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
            let m = Matrix3::from_fn(|r, c| d.crosstalk[r][c]);
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
