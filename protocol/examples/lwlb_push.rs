//! Pushes a test look to an LWLB receiver, and writes what the look should do to a still,
//! computed by lookwire, so a script can compare with what the receiver produced.
//!
//! `cargo run -p lookwire-protocol --example lwlb_push -- ADDR SIZE SLOT [IN.pfm EXPECTED.pfm]`

use std::io::{BufRead, BufReader, Read, Write};

use lookwire_color::{Interpolation, Lut3d};
use lookwire_protocol::lwlb::sender::LutBoxClient;
use lookwire_protocol::{Device, Look};

fn test_look(size: usize) -> Lut3d {
    let lut = Lut3d::from_fn(size, |[r, g, b]| {
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        [
            (0.9 * r + 0.1 * y).powf(0.8),
            0.8 * g + 0.2 * y * y,
            (0.7 * b + 0.3 * y).sqrt(),
        ]
    });
    lut.expect("valid size")
}

fn read_pfm(path: &str) -> std::io::Result<(usize, usize, Vec<f32>)> {
    let mut f = BufReader::new(std::fs::File::open(path)?);
    let mut line = String::new();
    let mut fields = Vec::new();
    while fields.len() < 4 {
        line.clear();
        f.read_line(&mut line)?;
        fields.extend(line.split_whitespace().map(str::to_string));
    }
    let bad =
        |what| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{path}: {what}"));
    if fields[0] != "PF" || fields[3] != "-1.0" {
        return Err(bad("not a little-endian RGB PFM"));
    }
    let w: usize = fields[1].parse().map_err(|_| bad("bad width"))?;
    let h: usize = fields[2].parse().map_err(|_| bad("bad height"))?;
    let mut bytes = vec![0u8; w * h * 12];
    f.read_exact(&mut bytes)?;
    let px = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    Ok((w, h, px.collect()))
}

fn write_pfm(path: &str, w: usize, h: usize, px: &[f32]) -> std::io::Result<()> {
    let mut f = std::fs::File::create(path)?;
    write!(f, "PF\n{w} {h}\n-1.0\n")?;
    let bytes: Vec<u8> = px.iter().flat_map(|v| v.to_le_bytes()).collect();
    f.write_all(&bytes)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [addr, size, slot, rest @ ..] = args.as_slice() else {
        return Err("usage: lwlb_push ADDR SIZE SLOT [IN.pfm EXPECTED.pfm]".into());
    };
    let lut = test_look(size.parse()?);
    if let [input, expected] = rest {
        let (w, h, px) = read_pfm(input)?;
        let out: Vec<f32> = px
            .chunks_exact(3)
            .flat_map(|p| lut.lookup([p[0], p[1], p[2]], Interpolation::Tetrahedral))
            .collect();
        write_pfm(expected, w, h, &out)?;
    }
    let mut dev = LutBoxClient::new(addr.clone(), slot.parse()?);
    let caps = dev.connect().await?;
    let report = dev.push(&Look::from_lut(lut, "test look")).await?;
    println!(
        "{}: {} bytes, {:?}, {:?}",
        caps.model, report.bytes, report.latency, report.error
    );
    Ok(())
}
