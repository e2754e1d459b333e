//! `lookwire export`: grades matched to the day's clips, written as a post package under ASC MHL.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use anyhow::Context;

use crate::post::clips::{read_clips, IngestOptions};
use crate::post::export::{self, AmfTransforms, ExportFormat, ExportOptions, IdBy};
use crate::post::grades::{match_grades, GradeLog, GradeTimeline, MatchRule};
use crate::post::mhl::{self, HashFormat, UtcParts};
use crate::post::show_log::timeline_from_log;
use crate::preview::Previews;
use crate::show::Show;
use crate::store::{SqliteStore, Store};
use crate::timecode::FrameRate;

const AFTER_HELP: &str = "\
The package (OUT/NAME) holds, per --format:
  cc/<clip>.cc            one ASC CDL per graded clip, id = clip name (or reel, --id reel)
  ccc/<camera>_<day>.ccc  every graded clip of a camera
  cdl/<camera>_<day>.cdl  ColorDecisionList, each decision with MediaRef = source file
  ale/<list>_graded.ale   the ingested ALE untouched plus ASC_SOP, ASC_SAT, Look Name,
                          CDL Style and CDL Working Space columns
  edl/<camera>_<day>.edl  CMX3600, one cut per clip with *ASC_SOP, *ASC_SAT,
                          * FROM CLIP NAME: and * SOURCE FILE: comments
  amf/<clip>.amf          ACES Metadata File v2.0 (grades made in ACEScct only): input
                          transform (the camera's space), CDL in ACEScct, output transform
                          (the camera's first output with an ACES 2 id), from the show
                          (--show/--store) unless --amf-input/--amf-output name them
  report.html             look report: every grade change per camera, every clip's grade
  report.pdf              per camera: setup, grade, stills before/after the grade and its
                          grade changes (--show/--store)
  workflow.svg            cameras, LUT boxes and outputs as configured (--show/--store)
  cube/, clf/             <camera>_<output>_<day>: each camera's full look (input → CDL →
                          show look → output) baked to a 3D LUT, with the grade it ended
                          the log with (--show/--store; show looks holding a LUT refused)
  review.txt              clips with no grade, and clips whose grade changed mid-clip
  ascmhl/                 ASC MHL v2 generation over all of it
Every file states the CDL style (ASC clamp or no-clamp) and the working space.
The package is written into a staging folder and renamed into place: on any error
nothing is left. Exit codes: 0 written; 1 error; 3 written, but clips need review
(see review.txt) and --strict was given.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
#[command(group = clap::ArgGroup::new("source").required(true))]
pub struct Args {
    /// The day's clip list: .ale, .csv or .otio; or a folder of camera files (.mov, .mxf, .mp4, …) read with ffprobe (name, reel tag, timecode tag, frame rate, duration).
    #[arg(long, value_name = "FILE")]
    pub clips: PathBuf,
    /// Grade timeline as JSON: {"rate", "events": [{camera, timecode, cdl, style, working_space, look}], "snapshots": [...]}.
    #[arg(long, value_name = "FILE", group = "source")]
    pub grades: Option<PathBuf>,
    /// The show's SQLite store: grades replayed from its event log (match + trim + look CDL merged).
    #[arg(long, value_name = "PATH", group = "source")]
    pub store: Option<PathBuf>,
    /// A show JSON document: every camera's current grade, for the whole day.
    #[arg(long, value_name = "SHOW.json", group = "source")]
    pub show: Option<PathBuf>,
    /// Formats to write, comma-separated: cc, ccc, cdl, ale, edl, amf, report (HTML look report; with --show/--store also the workflow SVG), cube, clf (each camera's full look per output; need --show/--store).
    #[arg(long, value_delimiter = ',', default_value = "cc,ccc,cdl,ale,edl")]
    pub format: Vec<ExportFormat>,
    /// Folder the package is created in.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Package folder name (default lookwire_<day>_<HHMMSS>Z).
    #[arg(long)]
    pub name: Option<String>,
    /// Which grade a clip gets: start (live at its first frame), last (live at its last frame), snapshot:NAME.
    #[arg(long = "match", default_value = "start", value_name = "RULE")]
    pub rule: MatchRule,
    /// CDL ids: clip (clip name) or reel.
    #[arg(long, default_value = "clip", value_parser = ["clip", "reel"])]
    pub id: String,
    /// Shooting-day label in per-camera file names (default: today, UTC).
    #[arg(long)]
    pub day: Option<String>,
    /// Frame rate of the clip list when it does not say (or to override it): 23.976, 24, 25, 29.97, 29.97df, 30, 48, 50, 59.94, 59.94df, 60.
    #[arg(long)]
    pub fps: Option<FrameRate>,
    /// Clip-list column naming the camera (default: Camera, else the reel's leading letters).
    #[arg(long)]
    pub camera_column: Option<String>,
    /// AMF input transform id, for every clip (e.g. urn:ampas:aces:transformId:v2.0:CSC.Arri.LogC4_to_ACES.a2.v1; default: from the show, per camera).
    #[arg(long)]
    pub amf_input: Option<String>,
    /// AMF output transform id, for every clip (default: from the show, per camera).
    #[arg(long)]
    pub amf_output: Option<String>,
    /// ASC MHL hash format, repeatable (default xxh64).
    #[arg(long = "hash", value_name = "HASH")]
    pub hash: Vec<HashFormat>,
    /// Lattice size of the baked cube/clf looks (2..=129).
    #[arg(long, default_value_t = 33)]
    pub lut_size: usize,
    /// Exit 3 when clips need review.
    #[arg(long)]
    pub strict: bool,
}

/// A show from a file: the server's export (`lookwire.show`, from GET /api/v1/export) or
/// a bare show document; checked as the server checks an import.
fn read_show(path: &Path) -> anyhow::Result<Show> {
    use crate::api::show::{ShowExport, EXPORT_FORMAT, EXPORT_VERSION};
    let at = path.display();
    let text = std::fs::read_to_string(path).with_context(|| at.to_string())?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{at}: not JSON"))?;
    let show = if value.get("format").is_some() {
        let export: ShowExport = serde_json::from_str(&text)
            .with_context(|| format!("{at}: not a lookwire show export"))?;
        anyhow::ensure!(
            export.format == EXPORT_FORMAT,
            "{at}: format is {:?}: expected {EXPORT_FORMAT:?}",
            export.format
        );
        anyhow::ensure!(
            export.format_version == EXPORT_VERSION,
            "{at}: format_version {} is not supported: this build reads {EXPORT_VERSION}",
            export.format_version
        );
        export.show
    } else {
        serde_json::from_str(&text)
            .with_context(|| format!("{at}: not a show document (nor a show export)"))?
    };
    show.validate_all()
        .map_err(|e| anyhow::anyhow!("{at}: {e}"))?;
    Ok(show)
}

/// The grade timeline from whichever source was given, and the show when one was.
fn grade_timeline(args: &Args) -> anyhow::Result<(GradeTimeline, Option<Show>)> {
    if let Some(path) = &args.grades {
        return Ok((GradeLog::read(path)?, None));
    }
    if let Some(path) = &args.show {
        let show = read_show(path)?;
        return Ok((timeline_from_log(&show, &[])?, Some(show)));
    }
    let path = args
        .store
        .as_ref()
        .context("give --grades, --store or --show")?;
    anyhow::ensure!(path.is_file(), "{}: no such store", path.display());
    let mut store = SqliteStore::open(path).with_context(|| path.display().to_string())?;
    let loaded = store
        .load()?
        .with_context(|| format!("{}: the store holds no show", path.display()))?;
    let timeline = timeline_from_log(&loaded.base, &loaded.events)?;
    let mut show = loaded.base;
    for event in &loaded.events {
        for patch in &event.patches {
            show.apply(patch)?;
        }
    }
    Ok((timeline, Some(show)))
}

/// The devices configured in the show's store (`--store`), for the workflow drawing.
fn stored_devices(args: &Args) -> anyhow::Result<Vec<crate::post::report::DrawnDevice>> {
    let Some(path) = args.store.as_ref().filter(|p| p.is_file()) else {
        return Ok(Vec::new());
    };
    let mut store = SqliteStore::open(path).with_context(|| path.display().to_string())?;
    store
        .devices()?
        .into_iter()
        .map(|d| {
            let config: crate::devices::config::DeviceConfig = serde_json::from_str(&d.config)
                .with_context(|| format!("{}: device {}", path.display(), d.id))?;
            Ok(crate::post::report::DrawnDevice {
                id: config.id,
                kind: config.driver.kind().to_owned(),
                camera: config.camera,
                output: config.output,
            })
        })
        .collect()
}

/// The camera checks kept in the show's store (`--store`), for the report's camera pages.
fn stored_checks(args: &Args) -> anyhow::Result<Option<Arc<Previews>>> {
    let Some(path) = args.store.as_ref().filter(|p| p.is_file()) else {
        return Ok(None);
    };
    let store: Box<dyn Store> =
        Box::new(SqliteStore::open(path).with_context(|| path.display().to_string())?);
    let previews = Previews::new();
    previews
        .restore_checks(&Mutex::new(store))
        .with_context(|| format!("{}: camera checks", path.display()))?;
    Ok(Some(Arc::new(previews)))
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let ingest = IngestOptions {
        rate: args.fps,
        camera_column: args.camera_column.clone(),
    };
    let list = read_clips(&args.clips, &ingest)?;
    let (timeline, show) = grade_timeline(&args)?;
    let report = match_grades(&list.clips, &timeline, &args.rule);
    let now = UtcParts::of(std::time::SystemTime::now());
    let day = args.day.clone().unwrap_or_else(|| now.date());
    let options = ExportOptions {
        devices: stored_devices(&args)?,
        previews: stored_checks(&args)?,
        formats: args.format.iter().copied().collect::<BTreeSet<_>>(),
        id_by: if args.id == "reel" {
            IdBy::Reel
        } else {
            IdBy::Clip
        },
        day: day.clone(),
        amf: AmfTransforms {
            input: args.amf_input.clone(),
            output: args.amf_output.clone(),
        },
        hash_formats: if args.hash.is_empty() {
            vec![mhl::DEFAULT_HASH_FORMAT]
        } else {
            args.hash.clone()
        },
        show,
        lut_size: args.lut_size,
        timeline,
    };
    let files = export::render(&list, &report, &options)?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("lookwire_{day}_{}", &now.file_stamp()[11..]));
    let package = export::export_package(&files, &args.out, &name, &options.hash_formats)
        .with_context(|| format!("export to {}", args.out.display()))?;
    println!(
        "wrote {} ({} files, {})",
        package.path.display(),
        package.files.len(),
        package.generation.display()
    );
    let (none, several) = (
        report.without_grade().count(),
        report.with_several().count(),
    );
    if none + several > 0 {
        println!("review: {none} clip(s) without a grade, {several} with a grade change mid-clip (review.txt)");
    }
    Ok(if args.strict && none + several > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
