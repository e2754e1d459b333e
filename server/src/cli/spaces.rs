//! `lookwire spaces`: the registered spaces (inputs and outputs) and display outputs.

use lookwire_color::output::OutputTransform;
use lookwire_color::pipeline;
use lookwire_color::spaces;
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print a JSON array instead of one line per id.
    #[arg(long)]
    pub json: bool,
}

/// One listed id, as printed by `--json`.
#[derive(Debug, Serialize)]
struct Listing {
    id: String,
    kind: &'static str,
    name: String,
    curve: Option<String>,
    gamut: Option<&'static str>,
    adaptation: Option<String>,
    ocio_builtin: Option<&'static str>,
    /// Display outputs: peak luminance in cd/m².
    #[serde(skip_serializing_if = "Option::is_none")]
    peak_nits: Option<f64>,
    /// Display outputs: the signal's inverse EOTF.
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    /// Display outputs: signal ranges `lookwire bake --range` offers (full is the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    ranges: Option<[&'static str; 2]>,
}

fn listings() -> Vec<Listing> {
    let mut out: Vec<Listing> = spaces::all()
        .into_iter()
        .map(|s| Listing {
            kind: "space",
            curve: Some(s.curve_name),
            gamut: Some(s.gamut.name),
            adaptation: Some(s.adaptation.to_string()),
            ocio_builtin: s.ocio_builtin,
            peak_nits: None,
            encoding: None,
            ranges: None,
            id: s.id,
            name: s.name,
        })
        .collect();
    for id in pipeline::output_ids() {
        if out.iter().any(|l| l.id == id) {
            continue;
        }
        if let Ok(output) = pipeline::resolve_output(&id) {
            let info = OutputTransform::from_id(&id).map(|t| t.info());
            out.push(Listing {
                id,
                kind: "display",
                name: output.name,
                curve: None,
                gamut: info.map(|i| i.encoding_primaries.name()),
                adaptation: None,
                ocio_builtin: None,
                peak_nits: info.map(|i| i.peak_nits),
                encoding: info.map(|i| i.encoding.name()),
                ranges: info.map(|_| ["full", "legal"]),
            });
        }
    }
    out
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    print(&mut std::io::stdout().lock(), args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the listing: one line per id (id first), or a JSON array.
fn print(out: &mut impl Write, json: bool) -> anyhow::Result<()> {
    let listings = listings();
    if json {
        serde_json::to_writer_pretty(&mut *out, &listings)?;
        writeln!(out)?;
        return Ok(());
    }
    let width = listings.iter().map(|l| l.id.len()).max().unwrap_or(0);
    for l in &listings {
        let curve = l.curve.as_deref().unwrap_or("-");
        let gamut = l.gamut.unwrap_or("-");
        if let (Some(peak), Some(encoding)) = (l.peak_nits, l.encoding) {
            writeln!(
                out,
                "{:<width$}  {}  [peak: {peak} cd/m2; encoding: {encoding}; primaries: {gamut}; range: full (default) or legal]",
                l.id, l.name
            )?;
            continue;
        }
        writeln!(
            out,
            "{:<width$}  {}  [curve: {curve}; gamut: {gamut}]",
            l.id, l.name
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lists_every_space_id_first_then_name_curve_gamut() {
        let mut out = Vec::new();
        print(&mut out, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first: Vec<&str> = text
            .lines()
            .map(|l| l.split_whitespace().next().unwrap())
            .collect();
        let ids = spaces::ids();
        assert_eq!(&first[..ids.len()], &ids[..]);
        let logc3 = text
            .lines()
            .find(|l| l.starts_with("arri-logc3-awg3 "))
            .unwrap();
        assert!(
            logc3.contains("ARRI LogC3 (EI 800) / ARRI Wide Gamut 3"),
            "{logc3}"
        );
        assert!(
            logc3.contains("curve: ARRI LogC3 EI 800; gamut: ARRI Wide Gamut 3"),
            "{logc3}"
        );
    }

    #[test]
    fn json_is_an_array_with_the_same_ids() {
        let mut out = Vec::new();
        print(&mut out, true).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let list = v.as_array().unwrap();
        let ids: Vec<&str> = list.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(&ids[..spaces::ids().len()], &spaces::ids()[..]);
        let vlog = list
            .iter()
            .find(|e| e["id"] == "panasonic-vlog-vgamut")
            .unwrap();
        assert_eq!(vlog["adaptation"], "Bradford");
        assert_eq!(vlog["ocio_builtin"], "PANASONIC_VLOG-VGAMUT_to_ACES2065-1");
        assert_eq!(vlog["curve"], "Panasonic V-Log");
    }
}
