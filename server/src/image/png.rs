//! PNG, RGB or RGBA, 8 or 16 bits per sample.

use super::{
    cannot_hold, io_error, malformed, unsupported, Image, ImageError, ImageFormat, Samples,
};
use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

const FORMAT: ImageFormat = ImageFormat::Png;

pub fn read(path: &Path) -> Result<Image, ImageError> {
    let file = File::open(path).map_err(io_error(path))?;
    let decoder = png::Decoder::new(BufReader::new(file));
    let bad = |e: png::DecodingError| malformed(path, FORMAT, e.to_string());
    let mut reader = decoder.read_info().map_err(bad)?;
    let (color, depth) = reader.output_color_type();
    let channels = match color {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => {
            return Err(unsupported(
                path,
                FORMAT,
                format!("{other:?} color (only RGB and RGBA are read)"),
            ))
        }
    };
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| malformed(path, FORMAT, "image too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    buf.truncate(info.buffer_size());
    let (width, height) = (info.width as usize, info.height as usize);
    let (bits, samples) = match depth {
        png::BitDepth::Eight => (8, Samples::U8(buf)),
        png::BitDepth::Sixteen => (
            16,
            Samples::U16(
                buf.chunks_exact(2)
                    .map(|b| u16::from_be_bytes([b[0], b[1]]))
                    .collect(),
            ),
        ),
        other => {
            return Err(unsupported(
                path,
                FORMAT,
                format!("{other:?} bits per sample (only 8 and 16 are read)"),
            ))
        }
    };
    Ok(Image {
        width,
        height,
        channels,
        bits,
        samples,
    })
}

pub fn write(path: &Path, image: &Image) -> Result<(), ImageError> {
    let (depth, bytes) = match &image.samples {
        Samples::U8(v) => (png::BitDepth::Eight, v.clone()),
        Samples::U16(v) => (
            png::BitDepth::Sixteen,
            v.iter().flat_map(|x| x.to_be_bytes()).collect(),
        ),
        _ => {
            return Err(cannot_hold(
                path,
                FORMAT,
                image,
                "PNG holds 8- and 16-bit integers: write .exr or .tif",
            ))
        }
    };
    let color = match image.channels {
        3 => png::ColorType::Rgb,
        4 => png::ColorType::Rgba,
        _ => {
            return Err(cannot_hold(
                path,
                FORMAT,
                image,
                "PNG output is RGB or RGBA",
            ))
        }
    };
    let file = File::create(path).map_err(io_error(path))?;
    let mut encoder = png::Encoder::new(
        BufWriter::new(file),
        image.width as u32,
        image.height as u32,
    );
    encoder.set_color(color);
    encoder.set_depth(depth);
    let bad = |e: png::EncodingError| malformed(path, FORMAT, e.to_string());
    let mut writer = encoder.write_header().map_err(bad)?;
    writer.write_image_data(&bytes).map_err(bad)?;
    writer.finish().map_err(bad)
}
