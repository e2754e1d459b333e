//! The camera's built-in primary corrector (lift/gamma/gain/offset/contrast/colour), shared
//! by the SDI and REST paths, and lookwire's mapping of a CDL onto it.
//!
//! Blackmagic does not publish the corrector's maths, so the mapping is deliberately the
//! part that needs no guess: slope → gain, offset → offset, saturation → saturation, with
//! gamma, lift and contrast left neutral. Power has no published equivalent and is dropped;
//! [`mapping_error`] measures what that costs under the model stated there.

use lookwire_color::{Cdl, CdlStyle};

use super::sdi::{self, Data, Message, SdiError};
use crate::encode::{ColorError, ERROR_GRID};

/// One camera's primary correction, in the protocol's units (protocols.md §1.2 / §2.4).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrimaryCorrection {
    /// Red, green, blue, luma.
    pub lift: [f64; 4],
    pub gamma: [f64; 4],
    pub gain: [f64; 4],
    pub offset: [f64; 4],
    pub contrast_pivot: f64,
    pub contrast_adjust: f64,
    pub luma_mix: f64,
    pub hue: f64,
    pub saturation: f64,
}

impl Default for PrimaryCorrection {
    fn default() -> Self {
        Self::NEUTRAL
    }
}

/// Parameter ids of category 8.
pub mod param {
    pub const LIFT: u8 = 0;
    pub const GAMMA: u8 = 1;
    pub const GAIN: u8 = 2;
    pub const OFFSET: u8 = 3;
    pub const CONTRAST: u8 = 4;
    pub const LUMA_MIX: u8 = 5;
    pub const COLOR: u8 = 6;
    pub const RESET: u8 = 7;
}

/// Clamps to `lo..=hi`; NaN becomes the neutral value.
fn clamp(x: f64, lo: f64, hi: f64, neutral: f64) -> f64 {
    if x.is_nan() {
        neutral
    } else {
        x.clamp(lo, hi)
    }
}

fn clamp4(v: [f64; 4], lo: f64, hi: f64, neutral: f64) -> [f64; 4] {
    v.map(|x| clamp(x, lo, hi, neutral))
}

fn fixed(v: &[f64]) -> Data {
    Data::Fixed16(v.iter().map(|&x| sdi::to_fixed16(x)).collect())
}

impl PrimaryCorrection {
    pub const NEUTRAL: PrimaryCorrection = PrimaryCorrection {
        lift: [0.0; 4],
        gamma: [0.0; 4],
        gain: [1.0; 4],
        offset: [0.0; 4],
        contrast_pivot: 0.5,
        contrast_adjust: 1.0,
        luma_mix: 1.0,
        hue: 0.0,
        saturation: 1.0,
    };

    /// Every field clamped to the protocol's range (gain tops out at fixed16's 15.9995).
    pub fn clamped(&self) -> Self {
        Self {
            lift: clamp4(self.lift, -2.0, 2.0, 0.0),
            gamma: clamp4(self.gamma, -4.0, 4.0, 0.0),
            gain: clamp4(self.gain, 0.0, sdi::FIXED16_MAX, 1.0),
            offset: clamp4(self.offset, -8.0, 8.0, 0.0),
            contrast_pivot: clamp(self.contrast_pivot, 0.0, 1.0, 0.5),
            contrast_adjust: clamp(self.contrast_adjust, 0.0, 2.0, 1.0),
            luma_mix: clamp(self.luma_mix, 0.0, 1.0, 1.0),
            hue: clamp(self.hue, -1.0, 1.0, 0.0),
            saturation: clamp(self.saturation, 0.0, 2.0, 1.0),
        }
    }

    /// The seven assignments 8.0–8.6 for one camera (100 bytes: one frame's group).
    pub fn to_sdi(&self, camera: u8) -> Vec<Message> {
        let c = self.clamped();
        vec![
            Message::color(camera, param::LIFT, fixed(&c.lift)),
            Message::color(camera, param::GAMMA, fixed(&c.gamma)),
            Message::color(camera, param::GAIN, fixed(&c.gain)),
            Message::color(camera, param::OFFSET, fixed(&c.offset)),
            Message::color(
                camera,
                param::CONTRAST,
                fixed(&[c.contrast_pivot, c.contrast_adjust]),
            ),
            Message::color(camera, param::LUMA_MIX, fixed(&[c.luma_mix])),
            Message::color(camera, param::COLOR, fixed(&[c.hue, c.saturation])),
        ]
    }

    /// The group that sets the whole correction on `camera` in one frame.
    pub fn sdi_group(&self, camera: u8) -> Result<Vec<u8>, SdiError> {
        sdi::encode_group(&self.to_sdi(camera))
    }

    /// lookwire's mapping of a CDL: slope → gain, offset → offset, sat → saturation.
    /// Power is dropped (no published equivalent); see [`mapping_error`].
    pub fn from_cdl(cdl: &Cdl) -> Self {
        let [r, g, b] = cdl.slope;
        let [or, og, ob] = cdl.offset;
        Self {
            gain: [r, g, b, 1.0],
            offset: [or, og, ob, 0.0],
            saturation: cdl.sat,
            ..Self::NEUTRAL
        }
        .clamped()
    }
}

/// The reset message 8.7 (void) for one camera.
pub fn reset(camera: u8) -> Message {
    Message::color(camera, param::RESET, Data::Void)
}

/// The model the mapping error is measured under (an assumption, not Blackmagic's maths):
/// gain multiplies, offset adds, saturation mixes with Rec.709 luma like ASC saturation,
/// gamma 0 and lift 0 are identities; values are then quantised to fixed16 as sent.
pub fn model_apply(c: &PrimaryCorrection, rgb: [f64; 3], style: CdlStyle) -> [f64; 3] {
    let q = |x: f64| sdi::from_fixed16(sdi::to_fixed16(x));
    let cdl = Cdl {
        slope: [q(c.gain[0]), q(c.gain[1]), q(c.gain[2])],
        offset: [q(c.offset[0]), q(c.offset[1]), q(c.offset[2])],
        power: [1.0; 3],
        sat: q(c.saturation),
    };
    cdl.apply(rgb, style)
}

/// Error of sending `cdl` through the mapping, over a 23³ grid of 0..1, in 10-bit codes.
pub fn mapping_error(cdl: &Cdl, style: CdlStyle) -> ColorError {
    let corr = PrimaryCorrection::from_cdl(cdl);
    let step = 1.0 / (ERROR_GRID - 1) as f64;
    let (mut max, mut sum) = (0.0f64, 0.0f64);
    for i in 0..ERROR_GRID.pow(3) {
        let rgb = [
            i % ERROR_GRID,
            i / ERROR_GRID % ERROR_GRID,
            i / ERROR_GRID / ERROR_GRID,
        ]
        .map(|k| k as f64 * step);
        let want = cdl.apply(rgb, style);
        let got = model_apply(&corr, rgb, style);
        for c in 0..3 {
            let d = (want[c] - got[c]).abs() * 1023.0;
            max = max.max(d);
            sum += d;
        }
    }
    ColorError {
        max_10bit: max,
        mean_10bit: sum / (ERROR_GRID.pow(3) * 3) as f64,
    }
}
