//! Graded frames to 8-bit JPEG (4:4:4, so colours of small patches stay true).

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};

use super::{Graded, PreviewError};

/// JPEG quality of previews.
pub const QUALITY: u8 = 90;

/// An encoded preview and the output it was rendered through.
#[derive(Clone, Debug)]
pub struct Jpeg {
    pub bytes: bytes::Bytes,
    pub output: String,
    pub width: usize,
    pub height: usize,
}

/// Full-range display code values (0..1) to 8-bit, rounded, clipped.
pub fn to_u8(rgb: &[f32]) -> Vec<u8> {
    rgb.iter()
        .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

pub fn jpeg(graded: &Graded) -> Result<Jpeg, PreviewError> {
    let too_big = |d: usize| u16::try_from(d).map_err(|_| PreviewError::Width(d));
    let (w, h) = (too_big(graded.width)?, too_big(graded.height)?);
    let mut out = Vec::with_capacity(graded.width * graded.height / 4);
    let mut encoder = Encoder::new(&mut out, QUALITY);
    encoder.set_sampling_factor(SamplingFactor::R_4_4_4);
    encoder
        .encode(&to_u8(&graded.rgb), w, h, ColorType::Rgb)
        .map_err(|e| PreviewError::Jpeg(e.to_string()))?;
    Ok(Jpeg {
        bytes: out.into(),
        output: graded.output.clone(),
        width: graded.width,
        height: graded.height,
    })
}
