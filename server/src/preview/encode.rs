//! Graded frames to 8-bit JPEG: 4:2:0 by default (about 2.5× faster to encode than 4:4:4 and
//! a third of the bytes; chroma is halved across 2×2 pixels, so patch centres keep their
//! colour and only edges between saturated colours soften), 4:4:4 on request.

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

/// How chroma is sampled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Chroma {
    /// Full chroma: every pixel keeps its own colour.
    Full,
    /// Chroma halved both ways (the usual picture JPEG).
    #[default]
    Half,
}

/// Full-range display code values (0..1) to 8-bit, rounded, clipped (NaN to 0).
pub fn to_u8(rgb: &[f32]) -> Vec<u8> {
    // `+ 0.5` then truncation rounds like `round` on 0..=255 and vectorises; NaN stays NaN
    // through `clamp` and `as` turns it into 0.
    rgb.iter()
        .map(|&v| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8)
        .collect()
}

/// `graded` as a 4:2:0 JPEG.
pub fn jpeg(graded: &Graded) -> Result<Jpeg, PreviewError> {
    jpeg_with(graded, Chroma::Half)
}

/// `graded` as a JPEG with the given chroma sampling.
pub fn jpeg_with(graded: &Graded, chroma: Chroma) -> Result<Jpeg, PreviewError> {
    let too_big = |d: usize| u16::try_from(d).map_err(|_| PreviewError::Width(d));
    let (w, h) = (too_big(graded.width)?, too_big(graded.height)?);
    let mut out = Vec::with_capacity(graded.width * graded.height / 4);
    let mut encoder = Encoder::new(&mut out, QUALITY);
    encoder.set_sampling_factor(match chroma {
        Chroma::Full => SamplingFactor::R_4_4_4,
        Chroma::Half => SamplingFactor::R_4_2_0,
    });
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
