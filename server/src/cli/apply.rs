//! `lookwire apply`: render image files through a look.

use super::bake::PipelineArgs;
use crate::image::{self, Image, Samples};
use anyhow::Context;
use lookwire_color::formats::read_lut;
use lookwire_color::kernel::{selection, Coding, ImageDesc, Kernel, Layout, Look, Range, Sample};
use lookwire_color::{Domain, Interpolation, Lut3d};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
#[command(
    override_usage = "lookwire apply --lut FILE [--trilinear] IN OUT\n       \
    lookwire apply --input ID --working W --output ID [--sop ... --sat ... | --cdl FILE] \
    [--look-lut FILE]... [--range R] [--gamut-compress] [--size N] [--trilinear] IN OUT"
)]
pub struct Args {
    /// The look as a LUT file (.cube, .3dl, .spi3d, .spi1d, .csp, .clf/.ctf): its 1D part, if any,
    /// is the shaper in front of its 3D part. Instead of it, give the look as for
    /// `lookwire bake` (--input, --working, --sop/--sat or --cdl, --look-lut, --output,
    /// --range...).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "PipelineArgs",
        conflicts_with = "PipelineArgs"
    )]
    pub lut: Option<PathBuf>,
    #[command(flatten)]
    pub pipeline: Option<PipelineArgs>,
    /// Lattice size N (2..=129) the look given as for `lookwire bake` is baked at.
    #[arg(long, value_name = "N", requires = "PipelineArgs")]
    pub size: Option<String>,
    /// Interpolate the 3D LUT trilinearly instead of tetrahedrally.
    #[arg(long)]
    pub trilinear: bool,
    /// Input image (.exr, .tif/.tiff, .dpx, .png).
    #[arg(value_name = "IN")]
    pub image_in: PathBuf,
    /// Output image; its extension picks the format, which must hold the input's samples.
    #[arg(value_name = "OUT")]
    pub image_out: PathBuf,
}

/// The lattice size `apply` bakes a look at when `--size` is not given.
pub const DEFAULT_SIZE: &str = "65";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(note) = &selection().note {
        eprintln!("lookwire: {note}");
    }
    let mut look = match (&args.lut, &args.pipeline) {
        (Some(path), None) => look_from_file(path)?,
        (None, Some(p)) => look_from_pipeline(p, args.size.as_deref().unwrap_or(DEFAULT_SIZE))?,
        (Some(path), Some(_)) => anyhow::bail!(
            "--lut {} cannot be combined with the pipeline flags (--input, --output...): \
             give the look one way",
            path.display()
        ),
        (None, None) => anyhow::bail!("give the look as --lut FILE or as for `lookwire bake`"),
    };
    if args.trilinear {
        look.interpolation = Interpolation::Trilinear;
    }
    let mut img = image::read(&args.image_in)?;
    let kernel = Kernel::new(&look);
    let start = Instant::now();
    render(&kernel, &mut img).with_context(|| format!("rendering {}", args.image_in.display()))?;
    let elapsed = start.elapsed();
    image::write(&args.image_out, &img)?;
    println!(
        "{} → {}: {}×{} {} RGB{} at {} in {:.1} ms",
        args.image_in.display(),
        args.image_out.display(),
        img.width,
        img.height,
        img.samples.kind(),
        if img.channels == 4 { "A" } else { "" },
        kernel.level(),
        elapsed.as_secs_f64() * 1e3
    );
    Ok(ExitCode::SUCCESS)
}

/// The look given as for `lookwire bake`, baked at `size` exactly as `bake` bakes it.
pub fn look_from_pipeline(args: &PipelineArgs, size: &str) -> anyhow::Result<Look> {
    let (_, mut baked) = args.bake(size)?;
    let lut = baked
        .file
        .lut3d
        .take()
        .context("the bake holds no 3D table")?;
    if baked.clamped > 0 {
        eprintln!(
            "lookwire apply: {} baked values beyond ±65504 clamped to ±65504",
            baked.clamped
        );
    }
    Ok(Look {
        shaper: None,
        cdl: None,
        lut,
        interpolation: Interpolation::Tetrahedral,
    })
}

/// A LUT file as a look: 1D part as shaper, 3D part as the lattice. A 1D-only file
/// gets a 2³ identity lattice spanning the 1D table's output range.
pub fn look_from_file(path: &Path) -> anyhow::Result<Look> {
    let file = read_lut(path)?;
    let lut = match (file.lut3d, &file.lut1d) {
        (Some(lut), _) => lut,
        (None, Some(lut1d)) => identity_over(lut1d.data())?,
        (None, None) => anyhow::bail!("{}: the LUT file holds no table", path.display()),
    };
    Ok(Look {
        shaper: file.lut1d,
        cdl: None,
        lut,
        interpolation: Interpolation::Tetrahedral,
    })
}

fn identity_over(values: &[[f32; 3]]) -> anyhow::Result<Lut3d> {
    let mut min = [f32::MAX; 3];
    let mut max = [f32::MIN; 3];
    for v in values {
        for c in 0..3 {
            min[c] = min[c].min(v[c]);
            max[c] = max[c].max(v[c]);
        }
    }
    for c in 0..3 {
        if max[c] <= min[c] {
            max[c] = min[c] + 1.0;
        }
    }
    let corner = |i: usize, c: usize| if i == 0 { min[c] } else { max[c] };
    let data = (0..8)
        .map(|i| {
            [
                corner(i & 1, 0),
                corner((i >> 1) & 1, 1),
                corner((i >> 2) & 1, 2),
            ]
        })
        .collect();
    Ok(Lut3d::new(2, data, Domain::new(min, max)?)?)
}

/// Renders an image in place through `kernel`.
pub fn render(kernel: &Kernel, img: &mut Image) -> anyhow::Result<()> {
    let layout = match img.channels {
        3 => Layout::Rgb,
        4 => Layout::Rgba,
        n => anyhow::bail!("{n} channels: only RGB and RGBA images are rendered"),
    };
    let coding = match img.samples {
        Samples::F32(_) | Samples::F16(_) => Coding::Float,
        _ => Coding::Code {
            bits: img.bits,
            range: Range::Full,
        },
    };
    let desc = ImageDesc::new(img.width, img.height, layout, coding);
    fn go<T: Sample>(k: &Kernel, d: &ImageDesc, v: &mut [T]) -> anyhow::Result<()> {
        Ok(k.par_render_in_place(d, v)?)
    }
    match &mut img.samples {
        Samples::F32(v) => go(kernel, &desc, v),
        Samples::F16(v) => go(kernel, &desc, v),
        Samples::U16(v) => go(kernel, &desc, v),
        Samples::U8(v) => go(kernel, &desc, v),
    }
}
