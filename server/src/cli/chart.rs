//! `lookwire chart`: render the built-in test chart as a camera records it.

use crate::image::{self, Image, ImageFormat, Samples};
use anyhow::Context;
use half::f16;
use lookwire_color::chart::{self, ChartOptions, ChartSize, Frame, Shot};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The camera's input space id (`lookwire spaces`): its log encoding, gamut and make.
    #[arg(long, value_name = "ID")]
    pub input: String,
    /// Picture size: uhd (3840×2160) or hd (1920×1080).
    #[arg(long, default_value = "uhd", value_parser = parse_size)]
    pub size: ChartSize,
    /// Exposure offset in stops.
    #[arg(
        long,
        default_value_t = 0.0,
        allow_negative_numbers = true,
        value_name = "STOPS"
    )]
    pub exposure: f64,
    /// The camera's white balance in kelvin (the scene is lit by D65; 3200 gives a blue cast).
    #[arg(long, allow_negative_numbers = true, value_name = "KELVIN")]
    pub white_balance: Option<f64>,
    /// Render without the camera make's simulated deviation.
    #[arg(long)]
    pub ideal: bool,
    /// Gaussian noise, standard deviation in normalised code values (1/1023 ≈ one 10-bit code).
    #[arg(long, allow_negative_numbers = true, value_name = "SIGMA")]
    pub noise: Option<f64>,
    /// Write EXR as 32-bit float instead of half.
    #[arg(long)]
    pub float: bool,
    /// Output picture: .exr (half or float), .dpx (10-bit), .tif/.tiff (16-bit) or .png (16-bit).
    #[arg(short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

fn parse_size(s: &str) -> Result<ChartSize, String> {
    s.parse().map_err(|e: chart::ChartError| e.to_string())
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = ImageFormat::from_path(&args.output)?;
    let options = ChartOptions {
        size: args.size,
        shot: Shot {
            exposure: args.exposure,
            white_balance: args.white_balance,
            ideal: args.ideal,
        },
        ideal: args.ideal,
        noise: args.noise,
    };
    let frame = chart::render_chart(&args.input, &options)
        .with_context(|| format!("rendering the chart for --input {}", args.input))?;
    let image = to_image(&frame, format, args.float);
    image::write(&args.output, &image)?;
    println!(
        "{}: built-in chart as {} records it, {}×{} {} {}",
        args.output.display(),
        args.input,
        frame.width,
        frame.height,
        format.name(),
        image.samples.kind()
    );
    Ok(ExitCode::SUCCESS)
}

fn quantise(data: &[f32], max: f32) -> Vec<u16> {
    data.iter()
        .map(|v| (v.clamp(0.0, 1.0) * max).round() as u16)
        .collect()
}

/// A rendered frame as an image of the samples `format` stores.
pub(super) fn to_image(frame: &Frame, format: ImageFormat, float: bool) -> Image {
    let (bits, samples) = match format {
        ImageFormat::Exr if float => (0, Samples::F32(frame.data.clone())),
        ImageFormat::Exr => (
            0,
            Samples::F16(frame.data.iter().map(|&v| f16::from_f32(v)).collect()),
        ),
        ImageFormat::Dpx => (10, Samples::U16(quantise(&frame.data, 1023.0))),
        ImageFormat::Tiff | ImageFormat::Png => (16, Samples::U16(quantise(&frame.data, 65535.0))),
    };
    Image {
        width: frame.width,
        height: frame.height,
        channels: 3,
        bits,
        samples,
    }
}

/// Reads a picture as normalised RGB code values (alpha dropped, integers over their full scale).
pub(super) fn read_frame(path: &Path) -> anyhow::Result<Frame> {
    Ok(crate::post::frames::read_frame(path)?)
}
