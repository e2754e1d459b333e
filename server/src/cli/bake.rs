//! `lookwire bake`: bake a camera's look into a 3D LUT (.cube).

use anyhow::{bail, Context};
use lookwire_color::formats::{self, LutFile, Precision};
use lookwire_color::output::{OutputTransform, SignalRange};
use lookwire_color::pipeline::{self, Look, Op, WorkingSpace};
use lookwire_color::spaces;
use lookwire_color::{Cdl, CdlStyle, Interpolation};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Input space id (see `lookwire spaces`), e.g. arri-logc3-awg3 or arri-logc3-awg3-ei1600.
    #[arg(long)]
    pub input: String,
    /// Working space of the CDL and look LUTs: camera or acescct.
    #[arg(long)]
    pub working: String,
    /// Slope, offset, power per channel: "sR sG sB oR oG oB pR pG pB".
    #[arg(long, allow_hyphen_values = true)]
    pub sop: Option<String>,
    /// CDL saturation.
    #[arg(long, allow_hyphen_values = true)]
    pub sat: Option<String>,
    /// CDL clamp style: asc or noclamp.
    #[arg(long, default_value = "asc")]
    pub cdl_style: String,
    /// Read the CDL from an ASC CDL file (.cc, .ccc, .cdl).
    #[arg(long)]
    pub cdl: Option<PathBuf>,
    /// Which correction of a .ccc/.cdl file to use.
    #[arg(long)]
    pub cdl_id: Option<String>,
    /// Look LUT(s) (.cube) applied in the working space after the CDL, in order.
    #[arg(long)]
    pub look_lut: Vec<PathBuf>,
    /// Output space or display transform id.
    #[arg(long)]
    pub output: String,
    /// Lattice size N (2..=129).
    #[arg(long)]
    pub size: String,
    /// The .cube file to write.
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
    /// Signal range of the output: full, or legal (0–1 onto 64–940 of 1023, not clipped).
    #[arg(long, default_value = "full")]
    pub range: String,
    /// Apply the ACES 1.3 Reference Gamut Compression in front of the output.
    #[arg(long)]
    pub gamut_compress: bool,
    /// Print table values with this many decimals (default: shortest round-trip text).
    #[arg(long)]
    pub decimals: Option<u8>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let working: WorkingSpace = args.working.parse().context("--working")?;
    let style: CdlStyle = args.cdl_style.parse().context("--cdl-style")?;
    let range: SignalRange = args.range.parse().context("--range")?;
    let cdl = cdl_from_args(&args)?;
    let size: usize = args.size.parse().map_err(|_| {
        anyhow::anyhow!(
            "--size {:?} is not a whole number: expected 2..=129",
            args.size
        )
    })?;
    let mut looks = Vec::new();
    for path in &args.look_lut {
        looks.extend(look_ops(path)?);
    }
    let look = Look {
        input: spaces::lookup(&args.input).context("--input")?,
        working,
        cdl,
        cdl_style: style,
        looks,
        output: output_from_args(&args, range)?,
    };
    let baked = look.pipeline()?.bake(size).context("--size")?;
    let mut file = LutFile::from_3d(baked.lut);
    file.title = Some(format!("lookwire {} to {}", args.input, args.output));
    file.comments = vec![
        describe(&args, working, style, &cdl),
        describe_output(&args, range),
    ];
    let precision = match args.decimals {
        Some(d) if d > 12 => bail!("--decimals {d}: expected 0..=12"),
        Some(d) => Precision::Fixed(d),
        None => Precision::RoundTrip,
    };
    let bytes = formats::LutFormat::Cube.write(&file, precision)?;
    write_atomic(&args.out, &bytes)?;
    if baked.clamped > 0 {
        eprintln!(
            "lookwire bake: {} values beyond ±65504 clamped to ±65504",
            baked.clamped
        );
    }
    println!("wrote {} ({size}³)", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The output with `--gamut-compress` in front and `--range` as its last step.
fn output_from_args(args: &Args, range: SignalRange) -> anyhow::Result<pipeline::Output> {
    let mut output = pipeline::resolve_output(&args.output).context("--output")?;
    if args.gamut_compress {
        output = output.with_gamut_compression();
    }
    Ok(output.with_range(range))
}

/// The comment line that says what the output encodes: range, peak, encoding.
fn describe_output(args: &Args, range: SignalRange) -> String {
    let gc = if args.gamut_compress {
        "ACES 1.3 reference gamut compression, then "
    } else {
        ""
    };
    match OutputTransform::from_id(&args.output) {
        Some(t) => {
            let i = t.info();
            format!(
                "output: {gc}{} ({} cd/m2 peak, {}, {} limited, {} primaries), {range} range",
                i.name,
                i.peak_nits,
                i.encoding.name(),
                i.limiting.name(),
                i.encoding_primaries.name()
            )
        }
        None => format!("output: {gc}{}, {range} range", args.output),
    }
}

/// The CDL from `--sop`/`--sat` or from `--cdl FILE [--cdl-id ID]` (not both).
fn cdl_from_args(args: &Args) -> anyhow::Result<Cdl> {
    if let Some(path) = &args.cdl {
        if args.sop.is_some() || args.sat.is_some() {
            bail!(
                "--cdl {} cannot be combined with --sop/--sat: give the CDL one way",
                path.display()
            );
        }
        return cdl_from_file(path, args.cdl_id.as_deref());
    }
    if let Some(id) = &args.cdl_id {
        bail!("--cdl-id {id:?} needs --cdl FILE");
    }
    let sop = match &args.sop {
        Some(text) => parse_sop(text)?,
        None => Cdl::IDENTITY.to_sop_sat().0,
    };
    let sat = match &args.sat {
        Some(text) => parse_number("--sat", text)?,
        None => 1.0,
    };
    Cdl::from_sop_sat(sop, sat).context("--sop/--sat")
}

fn parse_number(flag: &str, text: &str) -> anyhow::Result<f64> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag} {text:?} is not a number"))?;
    if !v.is_finite() {
        bail!("{flag} {text:?} is not a finite number");
    }
    Ok(v)
}

fn parse_sop(text: &str) -> anyhow::Result<[f64; 9]> {
    let parts: Vec<&str> = text
        .split([' ', ',', '\t'])
        .filter(|s| !s.is_empty())
        .collect();
    if parts.len() != 9 {
        bail!(
            "--sop {text:?} has {} numbers: expected 9 (slope R G B, offset R G B, power R G B)",
            parts.len()
        );
    }
    let mut sop = [0.0; 9];
    for (i, part) in parts.iter().enumerate() {
        sop[i] = parse_number(&format!("--sop value {}", i + 1), part)?;
    }
    Ok(sop)
}

fn cdl_from_file(path: &Path, id: Option<&str>) -> anyhow::Result<Cdl> {
    let doc = formats::read_cdl(path).context("--cdl")?;
    let ids: Vec<String> = doc
        .corrections()
        .map(|c| c.id.clone().unwrap_or_else(|| "(no id)".to_owned()))
        .collect();
    let chosen = match id {
        Some(id) => doc.find(id).with_context(|| {
            format!(
                "{}: no correction with id {id:?}: the file has {}",
                path.display(),
                ids.join(", ")
            )
        })?,
        None => {
            let mut all = doc.corrections();
            match (all.next(), all.next()) {
                (Some(only), None) => only,
                (None, _) => bail!("{}: the file holds no color correction", path.display()),
                (Some(_), Some(_)) => bail!(
                    "{}: the file holds {} corrections: choose one with --cdl-id ({})",
                    path.display(),
                    ids.len(),
                    ids.join(", ")
                ),
            }
        }
    };
    chosen
        .cdl
        .validate()
        .with_context(|| path.display().to_string())?;
    Ok(chosen.cdl)
}

/// A look LUT file as ops: its 1D table (shaper) if any, then its 3D table.
fn look_ops(path: &Path) -> anyhow::Result<Vec<Op>> {
    if formats::LutFormat::from_path(path)? != formats::LutFormat::Cube {
        bail!("--look-lut {}: expected a .cube file", path.display());
    }
    let file = formats::read_lut(path).context("--look-lut")?;
    let mut ops = Vec::new();
    if let Some(l1) = file.lut1d {
        ops.push(Op::Lut1d(Arc::new(l1)));
    }
    if let Some(l3) = file.lut3d {
        ops.push(Op::Lut3d {
            lut: Arc::new(l3),
            interpolation: Interpolation::Tetrahedral,
        });
    }
    Ok(ops)
}

fn describe(args: &Args, working: WorkingSpace, style: CdlStyle, cdl: &Cdl) -> String {
    let (sop, sat) = cdl.to_sop_sat();
    let sop: Vec<String> = sop.iter().map(|v| v.to_string()).collect();
    let luts: Vec<String> = args
        .look_lut
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    format!(
        "lookwire bake: input {} working {working} CDL ({style}) sop {} sat {sat} look LUTs [{}] output {}",
        args.input,
        sop.join(" "),
        luts.join(", "),
        args.output
    )
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over `path`,
/// so the file appears whole or not at all.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("--out {}: not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
