//! Camera pictures as matcher frames: image files (EXR, TIFF, DPX, PNG) to f32 RGB code
//! values, integer samples scaled by their significant bits.

use std::path::Path;

use lookwire_color::chart::Frame;

use crate::image::{self, Image, ImageError, Samples};

/// Why a picture could not become a frame.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error(transparent)]
    Image(#[from] ImageError),
    #[error("{what}: expected RGB or RGBA samples, found {channels} channels")]
    Channels { what: String, channels: usize },
}

/// Reads an image file as a frame.
pub fn read_frame(path: &Path) -> Result<Frame, FrameError> {
    frame_from_image(&image::read(path)?, &path.display().to_string())
}

/// An image's samples as f32 code values (RGBA loses its alpha); `what` names it in errors.
pub fn frame_from_image(img: &Image, what: &str) -> Result<Frame, FrameError> {
    let scale = |bits: u8, fallback: f32| {
        if (1..=16).contains(&bits) {
            ((1u32 << bits) - 1) as f32
        } else {
            fallback
        }
    };
    let values: Vec<f32> = match &img.samples {
        Samples::F32(v) => v.clone(),
        Samples::F16(v) => v.iter().map(|x| x.to_f32()).collect(),
        Samples::U16(v) => {
            let s = scale(img.bits, 65535.0);
            v.iter().map(|&x| f32::from(x) / s).collect()
        }
        Samples::U8(v) => {
            let s = scale(img.bits, 255.0);
            v.iter().map(|&x| f32::from(x) / s).collect()
        }
    };
    let n = img.channels;
    if !(n == 3 || n == 4) || values.len() != img.width * img.height * n {
        return Err(FrameError::Channels {
            what: what.to_owned(),
            channels: n,
        });
    }
    let data = if n == 3 {
        values
    } else {
        values
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect()
    };
    Ok(Frame {
        width: img.width,
        height: img.height,
        data,
    })
}
