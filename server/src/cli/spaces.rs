//! `lookwire spaces`: the registered spaces (inputs and outputs) and display outputs.

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
            id: s.id,
            name: s.name,
        })
        .collect();
    for id in pipeline::output_ids() {
        if out.iter().any(|l| l.id == id) {
            continue;
        }
        if let Ok(output) = pipeline::resolve_output(&id) {
            out.push(Listing {
                id,
                kind: "display",
                name: output.name,
                curve: None,
                gamut: None,
                adaptation: None,
                ocio_builtin: None,
            });
        }
    }
    out
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let listings = listings();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &listings)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    let width = listings.iter().map(|l| l.id.len()).max().unwrap_or(0);
    for l in &listings {
        let curve = l.curve.as_deref().unwrap_or("-");
        let gamut = l.gamut.unwrap_or("-");
        writeln!(
            out,
            "{:<width$}  {}  [curve: {curve}; gamut: {gamut}]",
            l.id, l.name
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
