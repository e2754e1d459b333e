//! Uploaded stills as a camera's picture: OpenEXR, DPX 10-bit, TIFF 16-bit or PNG bytes,
//! recognised by their signature, read by [`crate::image`], and turned into code values
//! 0..1 (integers over their significant range, floats as stored, alpha dropped). The
//! size each header names is checked before any pixel is decoded ([`super::header`]).

use std::io::Write;

use lookwire_color::chart::Frame;

use super::PreviewError;
use crate::image::{self, Image, Samples};

/// Largest still kept, in pixels (DCI 4K: 100 MB of f32 RGB per camera).
pub const MAX_PIXELS: usize = 4096 * 2160;

/// A still's file format, known by its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extension {
    Exr,
    Tiff,
    Dpx,
    Png,
}

impl Extension {
    /// The format of bytes that start with a known image signature.
    pub fn of(bytes: &[u8]) -> Option<Extension> {
        match bytes {
            [0x76, 0x2f, 0x31, 0x01, ..] => Some(Extension::Exr),
            [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Some(Extension::Tiff),
            [b'S', b'D', b'P', b'X', ..] | [b'X', b'P', b'D', b'S', ..] => Some(Extension::Dpx),
            [0x89, b'P', b'N', b'G', ..] => Some(Extension::Png),
            _ => None,
        }
    }

    /// The file name extension [`crate::image`] knows the format by.
    pub fn suffix(self) -> &'static str {
        match self {
            Extension::Exr => "exr",
            Extension::Tiff => "tif",
            Extension::Dpx => "dpx",
            Extension::Png => "png",
        }
    }
}

fn bad(message: String) -> PreviewError {
    PreviewError::Still(message)
}

/// The widest (or tallest) picture a still may be, width to height.
const MAX_ASPECT: usize = 4;

/// Decodes an uploaded still; returns the frame and its format's name.
pub fn decode(bytes: &[u8]) -> Result<(Frame, &'static str), PreviewError> {
    let ext = Extension::of(bytes).ok_or_else(|| {
        bad("not an image lookwire reads: expected OpenEXR, DPX, TIFF or PNG bytes".into())
    })?;
    super::header::check(bytes, ext)?;
    let mut file = tempfile::Builder::new()
        .suffix(&format!(".{}", ext.suffix()))
        .tempfile()
        .map_err(|e| PreviewError::Io(e.to_string()))?;
    file.write_all(bytes)
        .map_err(|e| PreviewError::Io(e.to_string()))?;
    let format = image::ImageFormat::from_path(file.path())
        .map_err(|e| bad(e.to_string()))?
        .name();
    let img = image::read(file.path()).map_err(|e| {
        // The temporary path means nothing to the uploader.
        let text = e.to_string();
        let path = file.path().display().to_string();
        bad(text.replace(&format!("{path}: "), ""))
    })?;
    Ok((to_frame(&img)?, format))
}

/// Refuses a picture of `width`×`height` that is empty, larger than [`MAX_PIXELS`] or
/// further from any camera's shape than `MAX_ASPECT`:1.
pub fn check_size(width: usize, height: usize) -> Result<(), PreviewError> {
    let pixels = width.saturating_mul(height);
    if pixels == 0 || pixels > MAX_PIXELS {
        return Err(bad(format!(
            "{width}×{height} pixels: expected 1 to {MAX_PIXELS} (4096×2160)"
        )));
    }
    // A picture far from any camera's shape would ask the previews for absurd heights
    // (a 1×33M still at 960 wide is 10¹¹ pixels).
    if width > height.saturating_mul(MAX_ASPECT) || height > width.saturating_mul(MAX_ASPECT) {
        return Err(bad(format!(
            "{width}×{height} pixels: expected an aspect ratio between 1:{MAX_ASPECT} and {MAX_ASPECT}:1"
        )));
    }
    Ok(())
}

/// Code values 0..1 of `img`'s RGB channels.
pub fn to_frame(img: &Image) -> Result<Frame, PreviewError> {
    check_size(img.width, img.height)?;
    let pixels = img.width * img.height;
    if !(3..=4).contains(&img.channels) || img.samples.len() != pixels * img.channels {
        return Err(bad(format!(
            "{} channels in {} samples: expected RGB or RGBA",
            img.channels,
            img.samples.len()
        )));
    }
    let max = |bits: u8, default: u8| {
        let b = if bits == 0 { default } else { bits.min(16) };
        ((1u32 << b) - 1) as f32
    };
    let values: Vec<f32> = match &img.samples {
        Samples::F32(v) => v.clone(),
        Samples::F16(v) => v.iter().map(|h| h.to_f32()).collect(),
        Samples::U16(v) => {
            let m = max(img.bits, 16);
            v.iter().map(|&c| f32::from(c) / m).collect()
        }
        Samples::U8(v) => v.iter().map(|&c| f32::from(c) / 255.0).collect(),
    };
    let data = values
        .chunks_exact(img.channels)
        .flat_map(|px| [px[0], px[1], px[2]])
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    Ok(Frame {
        width: img.width,
        height: img.height,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::{Image, Samples};

    fn grey(width: usize, height: usize) -> Image {
        Image {
            width,
            height,
            channels: 3,
            bits: 8,
            samples: Samples::U8(vec![128; width * height * 3]),
        }
    }

    #[test]
    fn a_still_far_from_any_camera_shape_is_refused_by_its_size() {
        for (w, h) in [(4000, 8), (8, 4000)] {
            let err = to_frame(&grey(w, h)).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{w}×{h}")) && err.contains("aspect"),
                "{err}"
            );
        }
        let frame = to_frame(&grey(400, 100)).expect("4:1 is allowed");
        assert_eq!((frame.width, frame.height), (400, 100));
        assert!((frame.data[0] - 128.0 / 255.0).abs() < 1e-6);
    }
}
