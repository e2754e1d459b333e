//! A still's size from its file header, read before any pixel is decoded, so a small file
//! that would decode large (a compressed EXR, PNG or TIFF claiming a huge picture) is
//! refused for its size before it can take the memory.
//!
//! DPX needs no such check: it is uncompressed, and its reader refuses a size whose
//! pixels do not fit in the file.

use std::io::Cursor;

use super::still::{check_size, Extension};
use super::PreviewError;

/// Refuses a still whose header names a picture too large (or too narrow) to keep.
pub fn check(bytes: &[u8], ext: Extension) -> Result<(), PreviewError> {
    match ext {
        Extension::Exr => {
            exr_sizes(bytes)?
                .into_iter()
                .enumerate()
                .try_for_each(|(part, (w, h))| {
                    check_size(w, h).map_err(|e| match e {
                        PreviewError::Still(m) if part > 0 => {
                            PreviewError::Still(format!("OpenEXR part {part}: {m}"))
                        }
                        e => e,
                    })
                })
        }
        Extension::Png => {
            let (w, h) = png_size(bytes)?;
            check_size(w, h)
        }
        Extension::Tiff => {
            let (w, h) = tiff_size(bytes)?;
            check_size(w, h)
        }
        Extension::Dpx => Ok(()),
    }
}

fn bad(format: &str, e: impl std::fmt::Display) -> PreviewError {
    PreviewError::Still(format!("{format} header: {e}"))
}

/// Width and height of every part (layer) of an OpenEXR file, from its headers only.
fn exr_sizes(bytes: &[u8]) -> Result<Vec<(usize, usize)>, PreviewError> {
    let meta = exr::meta::MetaData::read_from_buffered(Cursor::new(bytes), false)
        .map_err(|e| bad("OpenEXR", e))?;
    Ok(meta
        .headers
        .iter()
        .map(|h| (h.layer_size.width(), h.layer_size.height()))
        .collect())
}

fn png_size(bytes: &[u8]) -> Result<(usize, usize), PreviewError> {
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    let info = decoder.read_header_info().map_err(|e| bad("PNG", e))?;
    Ok((info.width as usize, info.height as usize))
}

fn tiff_size(bytes: &[u8]) -> Result<(usize, usize), PreviewError> {
    let (w, h) = tiff::decoder::Decoder::new(Cursor::new(bytes))
        .and_then(|mut d| d.dimensions())
        .map_err(|e| bad("TIFF", e))?;
    Ok((w as usize, h as usize))
}
