//! `lookwire info FILE`: what a LUT or CDL file holds.

use lookwire_color::formats::{self, cdl_xml, inspect, LutFormat};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A LUT (.cube, .3dl, .spi1d, .spi3d, .csp, .clf, .ctf) or CDL file (.cc, .ccc, .cdl).
    pub file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    print!("{}", describe(&args.file)?);
    Ok(ExitCode::SUCCESS)
}

/// The report `lookwire info` prints.
pub fn describe(path: &Path) -> anyhow::Result<String> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "cc" | "ccc" | "cdl") {
        return Ok(describe_cdl(&formats::read_cdl(path)?));
    }
    let format = LutFormat::from_path(path)?;
    let lut = formats::read_lut(path)?;
    let s = inspect::summarize(&lut);
    let mut out = String::new();
    let _ = writeln!(out, "file:     {}", path.display());
    let _ = writeln!(out, "format:   {}", format.extension());
    if let Some(title) = &lut.title {
        let _ = writeln!(out, "title:    {title}");
    }
    let _ = writeln!(out, "kind:     {}", s.kind);
    if let Some(n) = s.size1d {
        let _ = writeln!(out, "1D size:  {n}");
    }
    if let Some(n) = s.size3d {
        let _ = writeln!(out, "3D size:  {n}³");
    }
    let _ = writeln!(out, "domain:   {:?} .. {:?}", s.domain.min, s.domain.max);
    let _ = writeln!(out, "values:   {:?} .. {:?}", s.min, s.max);
    let _ = writeln!(out, "identity: {}", if s.identity { "yes" } else { "no" });
    let clips = match s.clipped_nodes {
        0 => "no".to_owned(),
        n => format!("yes ({n} entries pinned at 0 or 1)"),
    };
    let _ = writeln!(out, "clips:    {clips}");
    Ok(out)
}

fn describe_cdl(doc: &cdl_xml::CdlDocument) -> String {
    let mut out = String::new();
    let kind = match doc.kind {
        cdl_xml::CdlFileKind::Cc => "ColorCorrection (.cc)",
        cdl_xml::CdlFileKind::Ccc => "ColorCorrectionCollection (.ccc)",
        cdl_xml::CdlFileKind::Cdl => "ColorDecisionList (.cdl)",
    };
    let _ = writeln!(out, "kind:      {kind}");
    let _ = writeln!(
        out,
        "namespace: {}",
        doc.namespace.as_deref().unwrap_or("none")
    );
    for d in &doc.notes.description {
        let _ = writeln!(out, "note:      {d}");
    }
    let _ = writeln!(out, "entries:   {}", doc.decisions.len());
    for (i, d) in doc.decisions.iter().enumerate() {
        match &d.correction {
            cdl_xml::Correction::Inline(c) => {
                let id = c.id.as_deref().unwrap_or("(no id)");
                let v = &c.cdl;
                let _ = writeln!(
                    out,
                    "  {}: {id}  slope {:?} offset {:?} power {:?} sat {}",
                    i + 1,
                    v.slope,
                    v.offset,
                    v.power,
                    v.sat
                );
                for note in &c.notes.description {
                    let _ = writeln!(out, "     note: {note}");
                }
            }
            cdl_xml::Correction::Ref(r) => {
                let _ = writeln!(out, "  {}: reference to {r}", i + 1);
            }
        }
        if let Some(m) = &d.media_ref {
            let _ = writeln!(out, "     media: {m}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../color/tests/fixtures")
            .join(name)
    }

    #[test]
    fn describes_a_shaper_cube() {
        let text = describe(&fixture("ocio/resolve_shaper_9.cube")).unwrap();
        assert!(text.contains("kind:     1D shaper + 3D\n"), "{text}");
        assert!(text.contains("1D size:  64\n3D size:  9³\n"), "{text}");
        assert!(
            text.contains("domain:   [-0.125, -0.125, -0.125] .. [2.0, 2.0, 2.0]\n"),
            "{text}"
        );
        assert!(text.contains("identity: no\n"), "{text}");
    }

    #[test]
    fn describes_cdl_corrections_with_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reel.ccc");
        let src = r#"<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.01">
            <ColorCorrection id="sh010"><SOPNode><Slope>1.1 1 0.9</Slope></SOPNode></ColorCorrection>
            <ColorCorrection id="sh020"><SatNode><Saturation>0.5</Saturation></SatNode></ColorCorrection>
        </ColorCorrectionCollection>"#;
        std::fs::write(&path, src).unwrap();
        let text = describe(&path).unwrap();
        assert!(text.contains("entries:   2\n"), "{text}");
        assert!(text.contains("  1: sh010  slope [1.1, 1.0, 0.9]"), "{text}");
        assert!(text.contains("  2: sh020  slope [1.0, 1.0, 1.0] offset [0.0, 0.0, 0.0] power [1.0, 1.0, 1.0] sat 0.5"), "{text}");
    }

    #[test]
    fn read_errors_carry_the_location() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.cube");
        std::fs::write(&path, "LUT_3D_SIZE 2\n0 0 0\n0 0 x\n").unwrap();
        let err = describe(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("bad.cube:3:5: \"x\" is not a number, expected a decimal number"),
            "{err}"
        );
    }
}
