//! DPX (SMPTE 268M) 10-bit RGB, packed three samples per 32-bit word ("filled",
//! method A: R in bits 31–22, G 21–12, B 11–2). Reads both byte orders and also
//! method B (samples in the low 30 bits); writes method A.

use super::{io_error, malformed, unsupported, Image, ImageError, ImageFormat, Samples};
use std::path::Path;

const FORMAT: ImageFormat = ImageFormat::Dpx;
const MAGIC: u32 = 0x5344_5058; // "SDPX"
const HEADER_LEN: usize = 2048;
const DESCRIPTOR_RGB: u8 = 50;

/// Byte order of a DPX file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Big,
    Little,
}

impl Endian {
    fn u32(self, b: &[u8], at: usize) -> u32 {
        let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
        match self {
            Endian::Big => u32::from_be_bytes(w),
            Endian::Little => u32::from_le_bytes(w),
        }
    }

    fn u16(self, b: &[u8], at: usize) -> u16 {
        let w = [b[at], b[at + 1]];
        match self {
            Endian::Big => u16::from_be_bytes(w),
            Endian::Little => u16::from_le_bytes(w),
        }
    }

    fn put_u32(self, b: &mut [u8], at: usize, v: u32) {
        let w = match self {
            Endian::Big => v.to_be_bytes(),
            Endian::Little => v.to_le_bytes(),
        };
        b[at..at + 4].copy_from_slice(&w);
    }

    fn put_u16(self, b: &mut [u8], at: usize, v: u16) {
        let w = match self {
            Endian::Big => v.to_be_bytes(),
            Endian::Little => v.to_le_bytes(),
        };
        b[at..at + 2].copy_from_slice(&w);
    }
}

/// Reads a 10-bit RGB DPX file into u16 samples (bits = 10).
pub fn read_dpx(path: &Path) -> Result<Image, ImageError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    parse(path, &bytes)
}

fn parse(path: &Path, b: &[u8]) -> Result<Image, ImageError> {
    if b.len() < HEADER_LEN {
        return Err(malformed(
            path,
            FORMAT,
            format!("{} bytes is shorter than the 2048-byte header", b.len()),
        ));
    }
    let endian = match (
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
    ) {
        (MAGIC, _) => Endian::Big,
        (_, MAGIC) => Endian::Little,
        _ => return Err(malformed(path, FORMAT, "no SDPX magic number at byte 0")),
    };
    let width = endian.u32(b, 772) as usize;
    let height = endian.u32(b, 776) as usize;
    let (descriptor, bit_size) = (b[800], b[803]);
    let (packing, encoding) = (endian.u16(b, 804), endian.u16(b, 806));
    if descriptor != DESCRIPTOR_RGB {
        return Err(unsupported(
            path,
            FORMAT,
            format!("image element descriptor {descriptor} (only 50, RGB, is read)"),
        ));
    }
    if bit_size != 10 {
        return Err(unsupported(
            path,
            FORMAT,
            format!("{bit_size}-bit samples (only 10-bit is read)"),
        ));
    }
    if encoding != 0 {
        return Err(unsupported(path, FORMAT, "run-length encoded data"));
    }
    if packing > 2 || packing == 0 {
        return Err(unsupported(
            path,
            FORMAT,
            format!("packing {packing} (only filled method A (1) and B (2) are read)"),
        ));
    }
    let offset = match endian.u32(b, 808) {
        0 | u32::MAX => endian.u32(b, 4),
        o => o,
    } as usize;
    let eol = match endian.u32(b, 812) {
        u32::MAX => 0,
        p => p as usize,
    };
    let row = width.checked_mul(4).and_then(|r| r.checked_add(eol));
    let needed = row
        .and_then(|r| r.checked_mul(height))
        .and_then(|n| n.checked_add(offset));
    match needed {
        Some(n) if n <= b.len() && width > 0 && height > 0 => {}
        _ => {
            return Err(malformed(
                path,
                FORMAT,
                format!(
                    "{width}×{height} pixels at offset {offset} do not fit in {} bytes",
                    b.len()
                ),
            ));
        }
    }
    let row = row.unwrap_or(0);
    let shift = if packing == 1 { 2 } else { 0 };
    let mut samples = Vec::with_capacity(width * height * 3);
    for y in 0..height {
        let start = offset + y * row;
        for x in 0..width {
            let w = endian.u32(b, start + 4 * x) >> shift;
            samples.extend_from_slice(&[
                (w >> 20) as u16 & 0x3FF,
                (w >> 10) as u16 & 0x3FF,
                w as u16 & 0x3FF,
            ]);
        }
    }
    Ok(Image {
        width,
        height,
        channels: 3,
        bits: 10,
        samples: Samples::U16(samples),
    })
}

/// Writes 10-bit RGB u16 samples as DPX, method A, in the given byte order.
pub fn write_dpx(path: &Path, image: &Image, endian: Endian) -> Result<(), ImageError> {
    let bytes = encode(path, image, endian)?;
    std::fs::write(path, bytes).map_err(io_error(path))
}

fn encode(path: &Path, image: &Image, endian: Endian) -> Result<Vec<u8>, ImageError> {
    let Samples::U16(samples) = &image.samples else {
        return Err(super::cannot_hold(
            path,
            FORMAT,
            image,
            "DPX holds 10-bit RGB: write .exr, .tif or .png",
        ));
    };
    if image.channels != 3 || image.bits != 10 {
        return Err(super::cannot_hold(
            path,
            FORMAT,
            image,
            "DPX holds 10-bit RGB only: write .tif or .png",
        ));
    }
    let (w, h) = (image.width, image.height);
    let size = HEADER_LEN + 4 * w * h;
    let mut b = vec![0u8; size];
    b[0..4].copy_from_slice(&MAGIC.to_be_bytes());
    if endian == Endian::Little {
        b[0..4].reverse();
    }
    endian.put_u32(&mut b, 4, HEADER_LEN as u32);
    b[8..12].copy_from_slice(b"V2.0");
    endian.put_u32(&mut b, 16, size as u32);
    endian.put_u32(&mut b, 20, 1); // ditto key: new frame
    endian.put_u32(&mut b, 24, 1664); // generic header
    endian.put_u32(&mut b, 28, 384); // industry header
    endian.put_u32(&mut b, 32, 0); // user data
    endian.put_u16(&mut b, 768, 0); // orientation: left to right, top to bottom
    endian.put_u16(&mut b, 770, 1); // one image element
    endian.put_u32(&mut b, 772, w as u32);
    endian.put_u32(&mut b, 776, h as u32);
    endian.put_u32(&mut b, 780, 0); // unsigned
    endian.put_u32(&mut b, 784, 0);
    endian.put_u32(&mut b, 792, 1023);
    b[800] = DESCRIPTOR_RGB;
    b[801] = 0; // transfer: user defined
    b[802] = 0;
    b[803] = 10;
    endian.put_u16(&mut b, 804, 1); // filled, method A
    endian.put_u16(&mut b, 806, 0); // no run-length encoding
    endian.put_u32(&mut b, 808, HEADER_LEN as u32);
    for (i, px) in samples.chunks_exact(3).enumerate() {
        let [r, g, bl] = [px[0], px[1], px[2]].map(|v| u32::from(v.min(1023)));
        endian.put_u32(
            &mut b,
            HEADER_LEN + 4 * i,
            (r << 22) | (g << 12) | (bl << 2),
        );
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Image {
        let samples = (0..4 * 3 * 3).map(|i| (i * 97 % 1024) as u16).collect();
        Image {
            width: 4,
            height: 3,
            channels: 3,
            bits: 10,
            samples: Samples::U16(samples),
        }
    }

    #[test]
    fn both_byte_orders_round_trip() {
        let path = Path::new("t.dpx");
        for endian in [Endian::Big, Endian::Little] {
            let bytes = encode(path, &image(), endian).unwrap();
            assert_eq!(
                &bytes[0..4],
                if endian == Endian::Big {
                    b"SDPX"
                } else {
                    b"XPDS"
                }
            );
            assert_eq!(parse(path, &bytes).unwrap(), image());
        }
    }

    #[test]
    fn method_a_puts_red_in_the_top_bits() {
        let img = Image {
            width: 1,
            height: 1,
            channels: 3,
            bits: 10,
            samples: Samples::U16(vec![1023, 0, 1]),
        };
        let bytes = encode(Path::new("t.dpx"), &img, Endian::Big).unwrap();
        assert_eq!(bytes[HEADER_LEN..], [0xFF, 0xC0, 0x00, 0x04]);
    }

    #[test]
    fn method_b_is_read_too() {
        let mut bytes = encode(Path::new("t.dpx"), &image(), Endian::Big).unwrap();
        bytes[804..806].copy_from_slice(&2u16.to_be_bytes());
        for word in bytes[HEADER_LEN..].chunks_exact_mut(4) {
            let w = u32::from_be_bytes([word[0], word[1], word[2], word[3]]) >> 2;
            word.copy_from_slice(&w.to_be_bytes());
        }
        assert_eq!(parse(Path::new("t.dpx"), &bytes).unwrap(), image());
    }

    #[test]
    fn unsupported_and_truncated_files_say_why() {
        let path = Path::new("t.dpx");
        let mut bytes = encode(path, &image(), Endian::Big).unwrap();
        bytes[803] = 12;
        let err = parse(path, &bytes).unwrap_err().to_string();
        assert_eq!(
            err,
            "t.dpx: unsupported DPX variant: 12-bit samples (only 10-bit is read)"
        );
        bytes[803] = 10;
        bytes.truncate(HEADER_LEN + 10);
        let err = parse(path, &bytes).unwrap_err().to_string();
        assert!(
            err.contains("4×3 pixels at offset 2048 do not fit in 2058 bytes"),
            "{err}"
        );
        assert!(parse(path, &[0u8; 100])
            .unwrap_err()
            .to_string()
            .contains("shorter than"));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert!(parse(path, &bad).unwrap_err().to_string().contains("magic"));
    }
}
