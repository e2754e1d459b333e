//! `lookwire match`: solve a camera's match CDL onto a reference camera from two pictures
//! of the built-in chart, report ΔE 2000 before and after, write the CDL as a .cc file.

use super::chart::read_frame;
use anyhow::Context;
use lookwire_color::cdl::CdlStyle;
use lookwire_color::formats::{cdl_xml, write_bytes};
use lookwire_color::matching::{self, Corners, MatchReport, MatchRequest};
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The reference camera's input space id.
    #[arg(long, value_name = "ID")]
    pub reference_input: String,
    /// The reference camera's picture of the chart (.exr, .dpx, .tif, .png).
    #[arg(long, value_name = "FRAME")]
    pub reference: PathBuf,
    /// The input space id of the camera to match.
    #[arg(long, value_name = "ID")]
    pub input: String,
    /// That camera's picture of the chart.
    #[arg(long, value_name = "FRAME")]
    pub frame: PathBuf,
    /// Where the match CDL works: camera (its log) or acescct.
    #[arg(long, value_parser = parse_working)]
    pub working: WorkingSpace,
    /// The chart in the pictures (only the built-in chart is known).
    #[arg(long, default_value = "builtin", value_parser = ["builtin"])]
    pub chart: String,
    /// The chart's corners in the reference picture: x1,y1,…,x4,y4 (top-left, top-right,
    /// bottom-right, bottom-left); default: the chart fills the picture.
    #[arg(long, value_name = "X1,Y1,…,X4,Y4", allow_hyphen_values = true)]
    pub reference_corners: Option<String>,
    /// The chart's corners in the camera's picture.
    #[arg(long, value_name = "X1,Y1,…,X4,Y4", allow_hyphen_values = true)]
    pub corners: Option<String>,
    /// The display output ΔE 2000 is measured on.
    #[arg(long, value_name = "OUTPUT_ID", default_value = matching::DEFAULT_OUTPUT)]
    pub output: String,
    /// Where to write the match CDL (.cc).
    #[arg(short = 'o', value_name = "MATCH.cc")]
    pub cc: PathBuf,
    /// Print one JSON document: {"before", "after", "cdl"} (and "monitoring_matrix").
    #[arg(long)]
    pub json: bool,
    /// Also fit a 3×3 matrix for monitoring only (it cannot travel in a CDL).
    #[arg(long)]
    pub matrix: bool,
}

fn parse_working(s: &str) -> Result<WorkingSpace, String> {
    s.parse()
        .map_err(|e: lookwire_color::pipeline::PipelineError| e.to_string())
}

fn corners(text: &Option<String>, flag: &str) -> anyhow::Result<Option<Corners>> {
    text.as_deref()
        .map(|t| Corners::parse(t).with_context(|| format!("--{flag}")))
        .transpose()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let reference_space = spaces::lookup(&args.reference_input).context("--reference-input")?;
    let space = spaces::lookup(&args.input).context("--input")?;
    let reference = read_frame(&args.reference)?;
    let frame = read_frame(&args.frame)?;
    let request = MatchRequest {
        reference: matching::Shot {
            input: &reference_space,
            frame: &reference,
            corners: corners(&args.reference_corners, "reference-corners")?,
        },
        camera: matching::Shot {
            input: &space,
            frame: &frame,
            corners: corners(&args.corners, "corners")?,
        },
        working: args.working,
        output: args.output.clone(),
        style: CdlStyle::Asc,
        monitoring_matrix: args.matrix,
    };
    let report = matching::match_camera(&request).with_context(|| {
        format!(
            "matching {} onto {}",
            args.frame.display(),
            args.reference.display()
        )
    })?;
    write_cc(&args, &report)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&args, &report);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_cc(args: &Args, report: &MatchReport) -> anyhow::Result<()> {
    let id = format!("match-{}", args.input);
    let mut cc = cdl_xml::ColorCorrection::new(id, report.cdl);
    cc.notes.description.push(format!(
        "lookwire match onto {} in {} working space; ΔE 2000 on {}: mean {:.2} → {:.2}",
        args.reference_input, args.working, args.output, report.before.mean, report.after.mean
    ));
    let doc = cdl_xml::CdlDocument::from_corrections(cdl_xml::CdlFileKind::Cc, vec![cc]);
    write_bytes(&args.cc, &cdl_xml::write(&doc)?)?;
    Ok(())
}

fn print_summary(args: &Args, r: &MatchReport) {
    println!("ΔE 2000 on {} (CIELAB D65):", args.output);
    println!(
        "  before: mean {:.2}, max {:.2}",
        r.before.mean, r.before.max
    );
    println!("  after:  mean {:.2}, max {:.2}", r.after.mean, r.after.max);
    let c = &r.cdl;
    println!(
        "match CDL ({} working space) → {}:\n  slope {:.5} {:.5} {:.5}\n  offset {:.5} {:.5} {:.5}\n  power {:.5} {:.5} {:.5}\n  sat {:.5}",
        args.working,
        args.cc.display(),
        c.slope[0], c.slope[1], c.slope[2],
        c.offset[0], c.offset[1], c.offset[2],
        c.power[0], c.power[1], c.power[2],
        c.sat
    );
    if let Some(m) = &r.monitoring_matrix {
        println!("monitoring matrix (ACES2065-1, monitoring only; not in the CDL): mean {:.2}, max {:.2}", m.mean, m.max);
        for row in m.matrix {
            println!("  {:9.6} {:9.6} {:9.6}", row[0], row[1], row[2]);
        }
    }
    for p in r
        .after
        .patches
        .iter()
        .filter(|p| p.warnings.iter().any(|w| !w.starts_with("emissive")))
    {
        eprintln!(
            "lookwire: patch {} ({}): {}",
            p.id,
            p.name,
            p.warnings.join(", ")
        );
    }
}
