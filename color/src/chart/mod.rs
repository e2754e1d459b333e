//! The built-in test chart: a scene lit by D65, rendered as a given camera records it.
//!
//! The scene ([`scene`]) holds a 24-patch ColorChecker, skin tones, narrow-band LED
//! emitters, a specular range up to 16× diffuse white, an 18 % grey card, a black trap,
//! grey steps and a continuous grey ramp; [`layout`] says where each patch is (and is
//! what the matcher samples). [`camera::CameraModel`] turns scene light into a camera's
//! code values (white balance, exposure, the make's deviation, gamut, log curve);
//! [`render`] fills a UHD or HD [`Frame`].
//!
//! ```
//! use lookwire_color::chart::{self, ChartOptions, ChartSize};
//! let frame = chart::render_chart("arri-logc3-awg3", &ChartOptions {
//!     size: ChartSize::Hd, ideal: true, ..Default::default()
//! }).unwrap();
//! assert_eq!((frame.width, frame.height), (1920, 1080));
//! ```

pub mod camera;
pub mod cct;
pub mod layout;
mod render;
pub mod scene;
mod scene_data;

pub use camera::{CameraModel, Deviation, Shot};
pub use layout::{patches, Patch};
pub use render::{render, Noise};
pub use scene::PatchGroup;

use crate::spaces::SpaceError;

/// Picture sizes the chart renders at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChartSize {
    /// 3840 × 2160.
    #[default]
    Uhd,
    /// 1920 × 1080.
    Hd,
}

impl ChartSize {
    pub fn dimensions(self) -> (usize, usize) {
        match self {
            ChartSize::Uhd => (3840, 2160),
            ChartSize::Hd => (1920, 1080),
        }
    }
}

impl std::str::FromStr for ChartSize {
    type Err = ChartError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "uhd" => Ok(ChartSize::Uhd),
            "hd" => Ok(ChartSize::Hd),
            other => Err(ChartError::Size(other.to_owned())),
        }
    }
}

/// Why a chart could not be rendered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChartError {
    #[error(transparent)]
    Space(#[from] SpaceError),
    #[error("unknown chart size {0:?}: expected uhd or hd")]
    Size(String),
    #[error("exposure {0} stops: expected a finite number within ±16")]
    Exposure(f64),
    #[error("white balance {0} K: expected {min}..={max} K", min = cct::KELVIN_RANGE.start(), max = cct::KELVIN_RANGE.end())]
    WhiteBalance(f64),
    #[error("noise sigma {0}: expected a finite code-value standard deviation in 0..=1")]
    Noise(f64),
}

/// An RGB picture of f32 code values, interleaved, rows top to bottom.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Frame {
    /// A frame of one colour.
    pub fn filled(width: usize, height: usize, rgb: [f64; 3]) -> Self {
        let px = rgb.map(|c| c as f32);
        let data = px
            .iter()
            .copied()
            .cycle()
            .take(width * height * 3)
            .collect();
        Self {
            width,
            height,
            data,
        }
    }

    /// The pixel at (x, y); `None` outside the frame.
    pub fn pixel(&self, x: usize, y: usize) -> Option<[f32; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y * self.width + x) * 3;
        Some([self.data[i], self.data[i + 1], self.data[i + 2]])
    }
}

/// Everything `lookwire chart` can set.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChartOptions {
    pub size: ChartSize,
    pub shot: Shot,
    pub ideal: bool,
    /// Noise standard deviation in code values (0 or `None`: none).
    pub noise: Option<f64>,
}

/// Renders the chart as the camera with input space `input_id` records it.
pub fn render_chart(input_id: &str, options: &ChartOptions) -> Result<Frame, ChartError> {
    let shot = Shot {
        ideal: options.ideal || options.shot.ideal,
        ..options.shot
    };
    if !(shot.exposure.is_finite() && shot.exposure.abs() <= 16.0) {
        return Err(ChartError::Exposure(shot.exposure));
    }
    if let Some(k) = shot.white_balance {
        if !cct::KELVIN_RANGE.contains(&k) {
            return Err(ChartError::WhiteBalance(k));
        }
    }
    let camera = CameraModel::from_id(input_id, &shot)?;
    let noise = options.noise.map(|sigma| Noise {
        sigma,
        seed: 0x6c6f_6f6b_7769_7265,
    });
    render(&camera, options.size, noise)
}
