//! `lookwire convert IN OUT`: any readable LUT to any writable format, resampling with
//! tetrahedral interpolation when sizes differ, keeping shapers where the target holds them.

use anyhow::Context;
use lookwire_color::formats::{self, convert::convert, LutFormat, Precision};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// LUT to read: .cube, .3dl, .spi1d, .spi3d, .csp, .clf or .ctf.
    pub input: PathBuf,
    /// LUT to write; its extension picks the format unless --format is given.
    pub output: PathBuf,
    /// Resample the 3D table (or a lone 1D table) to this size.
    #[arg(long)]
    pub size: Option<usize>,
    /// Output format: cube, flame, lustre, spi1d, spi3d, csp or clf.
    #[arg(long)]
    pub format: Option<String>,
    /// Write values with this many decimals instead of the shortest exact form.
    #[arg(long)]
    pub decimals: Option<u8>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = match &args.format {
        Some(name) => LutFormat::from_name(name).with_context(|| {
            let known: Vec<_> = LutFormat::ALL.iter().map(|f| f.name()).collect();
            format!(
                "unknown format {name:?}: expected one of {}",
                known.join(", ")
            )
        })?,
        None => LutFormat::from_path(&args.output)?,
    };
    let lut = formats::read_lut(&args.input)?;
    let done = convert(&lut, target, args.size)?;
    for note in &done.notes {
        eprintln!("note: {note}");
    }
    let precision = args.decimals.map_or(Precision::RoundTrip, Precision::Fixed);
    let bytes = target.write(&done.lut, precision)?;
    formats::write_bytes(&args.output, &bytes)?;
    println!(
        "{} → {} ({})",
        args.input.display(),
        args.output.display(),
        target.name()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../color/tests/fixtures")
            .join(name)
    }

    #[test]
    fn converts_resolve_cube_to_lustre_with_the_shaper_baked_in() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("look.3dl");
        let args = Args {
            input: fixture("ocio/resolve_shaper_9.cube"),
            output: out.clone(),
            size: Some(17),
            format: Some("lustre".into()),
            decimals: None,
        };
        assert_eq!(run(args).unwrap(), ExitCode::SUCCESS);
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with("3DMESH\nMesh 4 12\n"), "{}", &text[..40]);
        let back = formats::read_lut(&out).unwrap();
        assert_eq!(back.lut3d.unwrap().size(), 17);
    }

    #[test]
    fn fixed_decimals_and_unknown_format() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("look.cube");
        let args = |format: Option<&str>| Args {
            input: fixture("ocio/look_9.spi3d"),
            output: out.clone(),
            size: None,
            format: format.map(str::to_owned),
            decimals: Some(6),
        };
        run(args(None)).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let first_value = text
            .lines()
            .find(|l| l.starts_with(|c: char| c.is_ascii_digit() || c == '-'))
            .unwrap();
        assert!(
            first_value
                .split(' ')
                .all(|v| v.split('.').nth(1).map(str::len) == Some(6)),
            "{first_value}"
        );
        let err = run(args(Some("tiff"))).unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown format \"tiff\": expected one of cube, flame, lustre, spi1d, spi3d, csp, clf"
        );
    }
}
