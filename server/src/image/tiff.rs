//! TIFF, RGB or RGBA, 8- or 16-bit integer or 32-bit float samples.

use super::{
    cannot_hold, io_error, malformed, unsupported, Image, ImageError, ImageFormat, Samples,
};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;
use tiff::decoder::{Decoder, DecodingResult};
use tiff::encoder::{colortype, TiffEncoder};
use tiff::ColorType;

const FORMAT: ImageFormat = ImageFormat::Tiff;

pub fn read(path: &Path) -> Result<Image, ImageError> {
    let file = File::open(path).map_err(io_error(path))?;
    let bad = |e: tiff::TiffError| malformed(path, FORMAT, e.to_string());
    let mut decoder = Decoder::new(BufReader::new(file)).map_err(bad)?;
    let (width, height) = decoder.dimensions().map_err(bad)?;
    let (channels, depth) = match decoder.colortype().map_err(bad)? {
        ColorType::RGB(d) => (3, d),
        ColorType::RGBA(d) => (4, d),
        other => {
            return Err(unsupported(
                path,
                FORMAT,
                format!("{other:?} color (only RGB and RGBA are read)"),
            ))
        }
    };
    let samples = match decoder.read_image().map_err(bad)? {
        DecodingResult::U8(v) if depth == 8 => Samples::U8(v),
        DecodingResult::U16(v) if depth == 16 => Samples::U16(v),
        DecodingResult::F32(v) if depth == 32 => Samples::F32(v),
        _ => {
            return Err(unsupported(
                path,
                FORMAT,
                format!(
                    "{depth}-bit samples of this kind (8/16-bit integer and 32-bit float are read)"
                ),
            ))
        }
    };
    let bits = match samples {
        Samples::F32(_) => 0,
        _ => depth,
    };
    Ok(Image {
        width: width as usize,
        height: height as usize,
        channels,
        bits,
        samples,
    })
}

pub fn write(path: &Path, image: &Image) -> Result<(), ImageError> {
    let file = File::create(path).map_err(io_error(path))?;
    let bad = |e: tiff::TiffError| malformed(path, FORMAT, e.to_string());
    let mut enc = TiffEncoder::new(BufWriter::new(file)).map_err(bad)?;
    let (w, h) = (image.width as u32, image.height as u32);
    let result = match (&image.samples, image.channels) {
        (Samples::U8(v), 3) => enc.write_image::<colortype::RGB8>(w, h, v),
        (Samples::U8(v), 4) => enc.write_image::<colortype::RGBA8>(w, h, v),
        (Samples::U16(v), 3) => enc.write_image::<colortype::RGB16>(w, h, v),
        (Samples::U16(v), 4) => enc.write_image::<colortype::RGBA16>(w, h, v),
        (Samples::F32(v), 3) => enc.write_image::<colortype::RGB32Float>(w, h, v),
        (Samples::F32(v), 4) => enc.write_image::<colortype::RGBA32Float>(w, h, v),
        _ => {
            return Err(cannot_hold(
                path,
                FORMAT,
                image,
                "TIFF holds 8/16-bit integer and 32-bit float: write .exr for half",
            ))
        }
    };
    result.map_err(bad)
}
