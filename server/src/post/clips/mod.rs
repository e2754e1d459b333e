//! The day's clip list: camera, reel, clip name, source file and timecode range of every
//! original camera file, read from an ALE (kept verbatim for re-export), a CSV or an
//! OpenTimelineIO JSON file. Errors name the file and line (or JSON path); a list with any
//! error is rejected whole.

pub mod ale;
mod csv;
mod otio;
pub mod scan;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::timecode::{FrameRate, Timecode, TimecodeError};
pub use ale::AleTable;

/// One original camera file.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    pub camera: String,
    pub reel: String,
    pub name: String,
    pub source_file: String,
    /// First frame.
    pub start: Timecode,
    /// One past the last frame (ALE and EDL out points are exclusive).
    pub end: Timecode,
    pub origin: Location,
}

impl Clip {
    pub fn rate(&self) -> FrameRate {
        self.start.rate
    }

    /// Frames from midnight of the first frame and one past the last, `end > start`
    /// (a clip running through midnight ends past one day of frames).
    pub fn frame_range(&self) -> (i64, i64) {
        let start = self.start.to_frames();
        let mut end = self.end.to_frames();
        if end <= start {
            end += self.rate().frames_per_day();
        }
        (start, end)
    }
}

/// Where in the source a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    Line(usize),
    JsonPath(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(0) => Ok(()),
            Location::Line(n) => write!(f, ":{n}"),
            Location::JsonPath(p) => write!(f, " at {p}"),
        }
    }
}

/// A clip list read from one file.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipList {
    pub file: PathBuf,
    pub clips: Vec<Clip>,
    /// The source table when the list came from an ALE; `ale.rows[i]` is `clips[i]`.
    pub ale: Option<AleTable>,
}

/// What went wrong, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{location}: {kind}", file.display())]
pub struct ClipError {
    pub file: PathBuf,
    pub location: Location,
    pub kind: Box<ClipErrorKind>,
}

impl ClipError {
    pub fn at(file: &Path, line: usize, kind: ClipErrorKind) -> Self {
        ClipError {
            file: file.to_path_buf(),
            location: Location::Line(line),
            kind: Box::new(kind),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClipErrorKind {
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Syntax(String),
    #[error("missing required column(s): {}", .0.join(", "))]
    MissingColumns(Vec<String>),
    #[error("{found} {separator}-separated fields, but the column line {column_line} has {expected} (mismatched {separator}s)")]
    FieldCount {
        found: usize,
        expected: usize,
        column_line: usize,
        separator: &'static str,
    },
    #[error("column {column}: {source}")]
    Timecode {
        column: String,
        source: TimecodeError,
    },
    #[error("{0}")]
    Rate(String),
    #[error("column {0} is empty")]
    Empty(String),
    #[error("clip {name:?} of camera {camera} is listed twice (first at {first})")]
    Duplicate {
        camera: String,
        name: String,
        first: String,
    },
    #[error("clip {name:?} ends at {end}, not after its start {start}")]
    EndNotAfterStart {
        name: String,
        start: String,
        end: String,
    },
}

/// How to read a clip list.
#[derive(Clone, Debug, Default)]
pub struct IngestOptions {
    /// Frame rate when the file does not say (or to override it).
    pub rate: Option<FrameRate>,
    /// Column naming the camera; default: `Camera` when present, else the reel's leading letters.
    pub camera_column: Option<String>,
}

/// Reads a clip list, choosing the reader by extension (`.ale`, `.csv`, `.otio`/`.json`);
/// a folder is scanned for camera files with ffprobe ([`scan`]).
pub fn read_clips(path: &Path, options: &IngestOptions) -> Result<ClipList, ClipError> {
    if path.is_dir() {
        let list = scan::scan_folder(path, options)?;
        check_duplicates(&list)?;
        return Ok(list);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| ClipError::at(path, 0, ClipErrorKind::Io(e.to_string())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        ClipError::at(
            path,
            line,
            ClipErrorKind::Syntax("text is not UTF-8".into()),
        )
    })?;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let list = match ext.as_str() {
        "ale" => from_ale(AleTable::parse(&text, path)?, path, options)?,
        "csv" => csv::read(&text, path, options)?,
        "otio" | "json" => otio::read(&text, path, options)?,
        other => {
            return Err(ClipError::at(
                path,
                0,
                ClipErrorKind::Syntax(format!(
                    "unknown clip list type {other:?}: expected .ale, .csv or .otio"
                )),
            ))
        }
    };
    check_duplicates(&list)?;
    Ok(list)
}

/// The frame rate an ALE `FPS` heading (or a CSV/OTIO rate) names; `drop` when the
/// timecodes use `;`.
pub fn rate_from_text(text: &str, drop: bool) -> Option<FrameRate> {
    let fps: f64 = text.trim().parse().ok()?;
    let rates = [
        (23.976, FrameRate::Fps23_976, FrameRate::Fps23_976),
        (24.0, FrameRate::Fps24, FrameRate::Fps24),
        (25.0, FrameRate::Fps25, FrameRate::Fps25),
        (29.97, FrameRate::Fps29_97, FrameRate::Fps29_97Df),
        (30.0, FrameRate::Fps30, FrameRate::Fps30),
        (48.0, FrameRate::Fps48, FrameRate::Fps48),
        (50.0, FrameRate::Fps50, FrameRate::Fps50),
        (59.94, FrameRate::Fps59_94, FrameRate::Fps59_94Df),
        (60.0, FrameRate::Fps60, FrameRate::Fps60),
    ];
    // 23.98 and 23.976 name the same rate; a tolerance of 0.01 keeps 24 apart.
    let (_, ndf, df) = rates
        .into_iter()
        .find(|(r, _, _)| (r - fps).abs() < 0.011)?;
    Some(if drop { df } else { ndf })
}

/// The camera letter(s) a reel starts with (`A001` → `A`, `B012` → `B`).
pub fn camera_from_reel(reel: &str) -> String {
    let letters: String = reel
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if letters.is_empty() {
        reel.to_owned()
    } else {
        letters
    }
}

/// The values of one source row, named by meaning (shared by the ALE and CSV readers).
pub(crate) struct RowFields<'a> {
    pub name: &'a str,
    pub camera: Option<&'a str>,
    pub reel: Option<&'a str>,
    pub source_file: Option<&'a str>,
    pub start: &'a str,
    pub end: Option<&'a str>,
    pub duration: Option<&'a str>,
}

pub(crate) fn clip_from_row(
    row: &RowFields<'_>,
    rate: FrameRate,
    file: &Path,
    line: usize,
) -> Result<Clip, ClipError> {
    let err = |kind| ClipError::at(file, line, kind);
    if row.name.trim().is_empty() {
        return Err(err(ClipErrorKind::Empty("Name".into())));
    }
    let start = parse_tc(row.start, "Start", rate).map_err(err)?;
    let end = match (row.end.filter(|e| !e.trim().is_empty()), row.duration) {
        (Some(end), _) => parse_tc(end, "End", rate).map_err(err)?,
        (None, Some(d)) => {
            start.add_frames(parse_tc(d, "Duration", rate).map_err(err)?.to_frames())
        }
        (None, None) => return Err(err(ClipErrorKind::Empty("End".into()))),
    };
    if end == start {
        return Err(err(ClipErrorKind::EndNotAfterStart {
            name: row.name.to_owned(),
            start: start.to_string(),
            end: end.to_string(),
        }));
    }
    let name = row.name.trim().to_owned();
    let reel = row
        .reel
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| name.split('_').next().unwrap_or(&name).to_owned());
    let camera = row
        .camera
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| camera_from_reel(&reel));
    let source_file = row
        .source_file
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(&name)
        .to_owned();
    Ok(Clip {
        camera,
        reel,
        name,
        source_file,
        start,
        end,
        origin: Location::Line(line),
    })
}

fn parse_tc(text: &str, column: &str, rate: FrameRate) -> Result<Timecode, ClipErrorKind> {
    let text = text.trim();
    if text.contains(';') && !rate.is_drop_frame() {
        return Err(ClipErrorKind::Rate(format!(
            "column {column}: drop-frame timecode {text} in a {rate} fps list"
        )));
    }
    Timecode::parse(text, rate).map_err(|source| ClipErrorKind::Timecode {
        column: column.to_owned(),
        source,
    })
}

fn from_ale(table: AleTable, file: &Path, options: &IngestOptions) -> Result<ClipList, ClipError> {
    let col = |name: &str| table.column_loose(name);
    let start_col = col("Start").unwrap_or_default();
    let drop = table.rows.iter().any(|r| r.fields[start_col].contains(';'));
    let rate = match options.rate {
        Some(rate) => rate,
        None => {
            let fps = table.heading_value("FPS").ok_or_else(|| {
                ClipError::at(
                    file,
                    0,
                    ClipErrorKind::Rate("no FPS heading; give the rate".into()),
                )
            })?;
            rate_from_text(fps, drop).ok_or_else(|| {
                ClipError::at(
                    file,
                    0,
                    ClipErrorKind::Rate(format!("FPS {fps:?} is not a known rate")),
                )
            })?
        }
    };
    let camera = options
        .camera_column
        .as_deref()
        .map_or_else(|| col("Camera"), |c| table.column_loose(c));
    let reel = col("Tape")
        .or_else(|| col("Reel"))
        .or_else(|| col("Camroll"));
    let source = col("Source File")
        .or_else(|| col("Filename"))
        .or_else(|| col("Clip Filename"));
    let (name, end, duration) = (col("Name").unwrap_or_default(), col("End"), col("Duration"));
    let clips = table
        .rows
        .iter()
        .map(|row| {
            let f = |i: Option<usize>| i.map(|i| row.fields[i].as_str());
            let fields = RowFields {
                name: &row.fields[name],
                camera: f(camera),
                reel: f(reel),
                source_file: f(source),
                start: &row.fields[start_col],
                end: f(end),
                duration: f(duration),
            };
            clip_from_row(&fields, rate, file, row.line)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ClipList {
        file: file.to_path_buf(),
        clips,
        ale: Some(table),
    })
}

fn check_duplicates(list: &ClipList) -> Result<(), ClipError> {
    let mut seen: HashMap<(&str, &str), &Location> = HashMap::new();
    for clip in &list.clips {
        if let Some(first) = seen.insert((&clip.camera, &clip.name), &clip.origin) {
            let first = match first {
                Location::Line(n) => format!("line {n}"),
                Location::JsonPath(p) => p.clone(),
            };
            return Err(ClipError {
                file: list.file.clone(),
                location: clip.origin.clone(),
                kind: Box::new(ClipErrorKind::Duplicate {
                    camera: clip.camera.clone(),
                    name: clip.name.clone(),
                    first,
                }),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
