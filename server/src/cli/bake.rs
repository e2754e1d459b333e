//! `lookwire bake`: bake a camera's look into a 3D LUT (.cube).

use anyhow::{bail, Context};
use lookwire_color::formats::{self, Precision};
use lookwire_color::output::bake_file::{BakedCube, CubeBake};
use lookwire_color::pipeline::{Look, Op};
use lookwire_color::{Cdl, Interpolation, Lut3d};
use lookwire_protocol::filesink::write_atomically;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// The look's pipeline: input space, working space, CDL, look LUTs, output and range.
/// `lookwire bake` and `lookwire apply` both flatten this one struct, so their flags
/// cannot drift apart.
#[derive(Debug, Clone, clap::Args)]
pub struct PipelineArgs {
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
    /// Signal range of the output: full, or legal (0–1 onto 64–940 of 1023, not clipped).
    #[arg(long, default_value = "full")]
    pub range: String,
    /// Apply the ACES 1.3 Reference Gamut Compression in front of the output.
    #[arg(long)]
    pub gamut_compress: bool,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub pipeline: PipelineArgs,
    /// Lattice size N (2..=129).
    #[arg(long)]
    pub size: String,
    /// The .cube file to write.
    #[arg(short = 'o', long = "out")]
    pub out: PathBuf,
    /// Print table values with this many decimals (default: shortest round-trip text).
    #[arg(long)]
    pub decimals: Option<u8>,
}

/// A look resolved from [`PipelineArgs`]: the bake it describes (shared with the shipped
/// LUTs and their test, so the command and the library cannot drift) and its look.
#[derive(Debug)]
pub struct Resolved {
    pub bake: CubeBake,
    pub look: Look,
}

impl PipelineArgs {
    /// Parses and checks every flag into a bake of `size`³; errors name the flag.
    pub fn resolve(&self, size: usize) -> anyhow::Result<Resolved> {
        let mut looks = Vec::new();
        for path in &self.look_lut {
            looks.extend(look_ops(path)?);
        }
        let bake = CubeBake {
            input: self.input.clone(),
            working: self.working.parse().context("--working")?,
            cdl: cdl_from_args(self)?,
            cdl_style: self.cdl_style.parse().context("--cdl-style")?,
            looks,
            look_names: self
                .look_lut
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
            output: self.output.clone(),
            range: self.range.parse().context("--range")?,
            gamut_compress: self.gamut_compress,
            size,
        };
        let look = bake.look()?;
        Ok(Resolved { bake, look })
    }

    /// Resolves the look and bakes it on a `size`³ lattice (the size given as text, as
    /// typed after `--size`).
    pub fn bake(&self, size: &str) -> anyhow::Result<(Resolved, BakedCube)> {
        let size: usize = size.parse().map_err(|_| {
            anyhow::anyhow!("--size {size:?} is not a whole number: expected 2..=129")
        })?;
        let resolved = self.resolve(size)?;
        let baked = resolved.bake.bake()?;
        Ok((resolved, baked))
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (_, baked) = args.pipeline.bake(&args.size)?;
    let size = baked.file.lut3d.as_ref().map_or(0, Lut3d::size);
    let precision = match args.decimals {
        Some(d) if d > 12 => bail!("--decimals {d}: expected 0..=12"),
        Some(d) => Precision::Fixed(d),
        None => Precision::RoundTrip,
    };
    let bytes = formats::LutFormat::Cube.write(&baked.file, precision)?;
    write_atomically(&args.out, &bytes)
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    if baked.clamped > 0 {
        eprintln!(
            "lookwire bake: {} values beyond ±65504 clamped to ±65504",
            baked.clamped
        );
    }
    println!("wrote {} ({size}³)", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The CDL from `--sop`/`--sat` or from `--cdl FILE [--cdl-id ID]` (not both).
fn cdl_from_args(args: &PipelineArgs) -> anyhow::Result<Cdl> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use lookwire_color::formats::LutFile;
    use lookwire_color::pipeline::WorkingSpace;
    use lookwire_color::CdlStyle;

    fn args(dir: &Path) -> Args {
        Args {
            pipeline: PipelineArgs {
                input: "arri-logc3-awg3".into(),
                working: "acescct".into(),
                sop: None,
                sat: None,
                cdl_style: "asc".into(),
                cdl: None,
                cdl_id: None,
                look_lut: Vec::new(),
                output: "acescct".into(),
                range: "full".into(),
                gamut_compress: false,
            },
            size: "9".into(),
            out: dir.join("look.cube"),
            decimals: None,
        }
    }

    fn err(a: Args) -> String {
        format!("{:#}", run(a).unwrap_err())
    }

    #[test]
    fn writes_the_baked_lattice_as_cube() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = args(dir.path());
        a.pipeline.sop = Some("1.1 1 0.9 0.01 0 -0.01 1 1.05 1".into());
        a.pipeline.sat = Some("1.2".into());
        let out = a.out.clone();
        run(a).unwrap();
        let file = formats::read_lut(&out).unwrap();
        let lut = file.lut3d.unwrap();
        assert!(file.lut1d.is_none(), "no shaper");
        assert_eq!(lut.size(), 9);
        let cdl =
            Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.01, 0.0, -0.01, 1.0, 1.05, 1.0], 1.2).unwrap();
        let look = Look::from_ids("arri-logc3-awg3", WorkingSpace::AcesCct, "acescct")
            .unwrap()
            .with_cdl(cdl, CdlStyle::Asc);
        let want = look.pipeline().unwrap().bake(9).unwrap().lut;
        assert_eq!(lut.data(), want.data(), "values round-trip f32 exactly");
        let grey = lut.lookup([0.391007; 3], Interpolation::Tetrahedral);
        assert!(grey[0] > grey[2], "warm slope: {grey:?}");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn bad_arguments_name_the_value_and_the_choices() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = args(dir.path());
        a.pipeline.input = "arri-logc9".into();
        let e = err(a);
        assert!(
            e.starts_with("--input: unknown space \"arri-logc9\": expected one of aces2065-1"),
            "{e}"
        );
        let mut a = args(dir.path());
        a.pipeline.working = "log".into();
        assert_eq!(
            err(a),
            "--working: unknown working space \"log\": expected one of camera, acescct"
        );
        let mut a = args(dir.path());
        a.pipeline.output = "rec709".into();
        assert!(err(a).starts_with("--output: unknown output \"rec709\": expected one of"));
        let mut a = args(dir.path());
        a.size = "300".into();
        assert_eq!(err(a), "--size: bake size 300 is outside 2..=129");
        let mut a = args(dir.path());
        a.size = "big".into();
        assert_eq!(
            err(a),
            "--size \"big\" is not a whole number: expected 2..=129"
        );
        let mut a = args(dir.path());
        a.pipeline.cdl_style = "clip".into();
        assert_eq!(
            err(a),
            "--cdl-style: unknown CDL style \"clip\": expected one of asc, noclamp"
        );
        let mut a = args(dir.path());
        a.pipeline.sop = Some("1 1 1 0 0 0 1 1 x".into());
        assert_eq!(err(a), "--sop value 9 \"x\" is not a number");
        let mut a = args(dir.path());
        a.pipeline.sop = Some("1 1 1 0 0 0 1 1".into());
        assert!(err(a).contains("has 8 numbers: expected 9"));
        let mut a = args(dir.path());
        a.pipeline.sop = Some("1 1 1 0 0 0 1 0 1".into());
        assert_eq!(
            err(a),
            "--sop/--sat: CDL power.g is 0: it must be greater than 0 and at most 100"
        );
        let out = args(dir.path()).out;
        assert!(!out.exists(), "nothing written on error");
    }

    #[test]
    fn cdl_files_and_their_conflicts() {
        let dir = tempfile::tempdir().unwrap();
        let ccc = dir.path().join("show.ccc");
        std::fs::write(
            &ccc,
            r#"<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.01">
  <ColorCorrection id="cam-a"><SOPNode><Slope>1.2 1 1</Slope><Offset>0 0 0</Offset><Power>1 1 1</Power></SOPNode><SatNode><Saturation>1</Saturation></SatNode></ColorCorrection>
  <ColorCorrection id="cam-b"><SOPNode><Slope>1 1 0.8</Slope><Offset>0 0 0</Offset><Power>1 1 1</Power></SOPNode><SatNode><Saturation>0.9</Saturation></SatNode></ColorCorrection>
</ColorCorrectionCollection>"#,
        )
        .unwrap();
        let mut a = args(dir.path());
        a.pipeline.cdl = Some(ccc.clone());
        let e = err(a);
        assert!(
            e.contains("holds 2 corrections: choose one with --cdl-id (cam-a, cam-b)"),
            "{e}"
        );
        let mut a = args(dir.path());
        a.pipeline.cdl = Some(ccc.clone());
        a.pipeline.cdl_id = Some("cam-c".into());
        assert!(err(a).contains("no correction with id \"cam-c\": the file has cam-a, cam-b"));
        let mut a = args(dir.path());
        a.pipeline.cdl = Some(ccc.clone());
        a.pipeline.sat = Some("1.1".into());
        assert!(err(a).contains("cannot be combined with --sop/--sat"));
        let mut a = args(dir.path());
        a.pipeline.cdl_id = Some("cam-a".into());
        assert_eq!(err(a), "--cdl-id \"cam-a\" needs --cdl FILE");
        let mut a = args(dir.path());
        a.pipeline.cdl = Some(ccc.clone());
        a.pipeline.cdl_id = Some("cam-b".into());
        assert_eq!(
            cdl_from_args(&a.pipeline).unwrap(),
            Cdl::from_sop_sat([1.0, 1.0, 0.8, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], 0.9).unwrap()
        );
        run(a).unwrap();
    }

    #[test]
    fn look_lut_is_applied_in_the_working_space() {
        let dir = tempfile::tempdir().unwrap();
        // A look LUT that inverts: the bake through it must invert the plain bake.
        let invert = lookwire_color::Lut3d::from_fn(5, |rgb| rgb.map(|x| 1.0 - x)).unwrap();
        let path = dir.path().join("invert.cube");
        formats::write_lut(&path, &LutFile::from_3d(invert), Precision::RoundTrip).unwrap();
        let mut a = args(dir.path());
        a.pipeline.input = "acescct".into();
        a.pipeline.look_lut = vec![path];
        a.size = "5".into();
        let out = a.out.clone();
        run(a).unwrap();
        let lut = formats::read_lut(&out).unwrap().lut3d.unwrap();
        assert_eq!(lut.node(0, 0, 0), [1.0; 3]);
        assert_eq!(lut.node(4, 4, 4), [0.0; 3]);
    }

    #[test]
    fn unwritable_output_is_an_error_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = args(dir.path());
        a.out = dir.path().join("missing").join("look.cube");
        let e = err(a);
        assert!(e.starts_with("cannot write "), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
