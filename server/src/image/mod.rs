//! Image files for `lookwire apply` and frame sources: OpenEXR, TIFF, DPX, PNG.
//!
//! An [`Image`] is interleaved RGB or RGBA in the sample type the file stores
//! (f32, f16, u16, u8), with the number of significant bits for integer samples,
//! so a file written back keeps its size, channels and bit depth.

mod dpx;
mod exr;
mod png;
mod tiff;

pub use dpx::{read_dpx, write_dpx, Endian};

use half::f16;
use std::path::{Path, PathBuf};

/// The samples of an image, interleaved, row after row.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    F32(Vec<f32>),
    F16(Vec<f16>),
    U16(Vec<u16>),
    U8(Vec<u8>),
}

impl Samples {
    pub fn kind(&self) -> &'static str {
        match self {
            Samples::F32(_) => "32-bit float",
            Samples::F16(_) => "16-bit half float",
            Samples::U16(_) => "16-bit integer",
            Samples::U8(_) => "8-bit integer",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Samples::F32(v) => v.len(),
            Samples::F16(v) => v.len(),
            Samples::U16(v) => v.len(),
            Samples::U8(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An RGB or RGBA image.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    pub width: usize,
    pub height: usize,
    /// 3 (RGB) or 4 (RGBA).
    pub channels: usize,
    /// Significant bits of integer samples (10 for DPX in a u16), 0 for floats.
    pub bits: u8,
    pub samples: Samples,
}

/// An image file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// The I/O error is in the message, not a `source` (a report of the chain would print it twice).
    #[error("{path}: {cause}")]
    Io {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("{path}: unsupported {format} variant: {what}")]
    Unsupported {
        path: PathBuf,
        format: &'static str,
        what: String,
    },
    #[error("{path}: malformed {format} file: {what}")]
    Malformed {
        path: PathBuf,
        format: &'static str,
        what: String,
    },
    #[error("{path}: unknown image extension: expected .exr, .tif, .tiff, .dpx or .png")]
    UnknownFormat { path: PathBuf },
}

/// The file formats lookwire reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Exr,
    Tiff,
    Dpx,
    Png,
}

impl ImageFormat {
    /// The format an extension names.
    pub fn from_path(path: &Path) -> Result<Self, ImageError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("exr") => Ok(Self::Exr),
            Some("tif" | "tiff") => Ok(Self::Tiff),
            Some("dpx") => Ok(Self::Dpx),
            Some("png") => Ok(Self::Png),
            _ => Err(ImageError::UnknownFormat {
                path: path.to_owned(),
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Exr => "OpenEXR",
            Self::Tiff => "TIFF",
            Self::Dpx => "DPX",
            Self::Png => "PNG",
        }
    }
}

/// Reads an image, choosing the reader by extension.
pub fn read(path: &Path) -> Result<Image, ImageError> {
    let image = match ImageFormat::from_path(path)? {
        ImageFormat::Exr => exr::read(path)?,
        ImageFormat::Tiff => tiff::read(path)?,
        ImageFormat::Dpx => read_dpx(path)?,
        ImageFormat::Png => png::read(path)?,
    };
    Ok(image)
}

/// Writes an image, choosing the writer by extension; a sample type the format cannot
/// hold is an error that names the formats that can.
pub fn write(path: &Path, image: &Image) -> Result<(), ImageError> {
    match ImageFormat::from_path(path)? {
        ImageFormat::Exr => exr::write(path, image),
        ImageFormat::Tiff => tiff::write(path, image),
        ImageFormat::Dpx => write_dpx(path, image, Endian::Big),
        ImageFormat::Png => png::write(path, image),
    }
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ImageError + '_ {
    move |cause| ImageError::Io {
        path: path.to_owned(),
        cause,
    }
}

pub(crate) fn unsupported(path: &Path, format: ImageFormat, what: impl Into<String>) -> ImageError {
    ImageError::Unsupported {
        path: path.to_owned(),
        format: format.name(),
        what: what.into(),
    }
}

pub(crate) fn malformed(path: &Path, format: ImageFormat, what: impl Into<String>) -> ImageError {
    ImageError::Malformed {
        path: path.to_owned(),
        format: format.name(),
        what: what.into(),
    }
}

/// Refuses to write `image` to a format that cannot hold its samples.
pub(crate) fn cannot_hold(
    path: &Path,
    format: ImageFormat,
    image: &Image,
    use_instead: &str,
) -> ImageError {
    unsupported(
        path,
        format,
        format!(
            "cannot store {} samples ({} channels); {use_instead}",
            image.samples.kind(),
            image.channels
        ),
    )
}
