//! Matching grades to clips by camera and timecode.
//!
//! The input is plain data: per camera, a timeline of grade changes (timecode, CDL, CDL
//! style, working space, look name), and named snapshots. The server's event log can
//! produce it; `lookwire export` also reads it from a JSON file ([`GradeLog`]).

use std::collections::BTreeMap;
use std::path::Path;

use lookwire_color::{Cdl, CdlStyle};
use serde::{Deserialize, Serialize};

use super::clips::Clip;
use crate::timecode::{FrameRate, Timecode};

/// A camera's grade as post must apply it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grade {
    pub cdl: Cdl,
    #[serde(default)]
    pub style: CdlStyle,
    /// The space the CDL was applied in (e.g. `ACEScct`, `ARRI LogC4`).
    pub working_space: String,
    /// The show look's name, if any.
    #[serde(default)]
    pub look: Option<String>,
    /// When the grade (secondary nodes, curves, CDLs under the ASC clamp) merges into no
    /// single CDL, `cdl` is the best fit and this is its worst error against the grade in
    /// the working space, in 10-bit code values; `None` when `cdl` is exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit_max_cv: Option<f64>,
}

/// One grade change of one camera.
#[derive(Clone, Debug, PartialEq)]
pub struct GradeEvent {
    pub camera: String,
    pub at: Timecode,
    pub grade: Grade,
    /// The show's grade before any logged change (its stored base): live from before
    /// every clip, whatever time of day `at` says.
    pub initial: bool,
}

/// A named, stored grade for one camera (or every camera when `camera` is `None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub name: String,
    pub camera: Option<String>,
    pub at: Option<Timecode>,
    pub grade: Grade,
}

/// Per-camera grade timelines and snapshots; camera names match without regard to case.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GradeTimeline {
    events: BTreeMap<String, Vec<GradeEvent>>,
    pub snapshots: Vec<Snapshot>,
}

impl GradeTimeline {
    pub fn new(events: Vec<GradeEvent>, snapshots: Vec<Snapshot>) -> Self {
        let mut by_camera: BTreeMap<String, Vec<GradeEvent>> = BTreeMap::new();
        for e in events {
            // Show ids are lower-case (`a`), reels and ALE columns upper-case (`A001`).
            by_camera
                .entry(e.camera.to_lowercase())
                .or_default()
                .push(e);
        }
        for list in by_camera.values_mut() {
            // Stable: two changes at one timecode keep their log order, the later wins.
            list.sort_by_key(|e| e.at.to_frames());
        }
        GradeTimeline {
            events: by_camera,
            snapshots,
        }
    }

    /// Every camera's changes, by camera name (lower case).
    pub fn cameras(&self) -> impl Iterator<Item = (&str, &[GradeEvent])> {
        self.events.iter().map(|(c, e)| (c.as_str(), e.as_slice()))
    }

    pub fn events(&self, camera: &str) -> &[GradeEvent] {
        self.events
            .get(&camera.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }
}

/// Which grade a clip gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MatchRule {
    /// The grade live at the clip's first frame.
    AtStart,
    /// The grade live at the clip's last frame (the last change during the clip).
    LastDuring,
    /// A named snapshot (the camera's own, else a show-wide one).
    Snapshot(String),
}

impl std::fmt::Display for MatchRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MatchRule::AtStart => f.write_str("grade live at the clip's first frame"),
            MatchRule::LastDuring => f.write_str("grade live at the clip's last frame"),
            MatchRule::Snapshot(name) => write!(f, "snapshot {name:?}"),
        }
    }
}

impl std::str::FromStr for MatchRule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "start" => Ok(MatchRule::AtStart),
            "last" => Ok(MatchRule::LastDuring),
            _ => match s.strip_prefix("snapshot:") {
                Some(name) if !name.is_empty() => Ok(MatchRule::Snapshot(name.to_owned())),
                _ => Err(format!(
                    "unknown match rule {s:?}: expected start, last or snapshot:NAME"
                )),
            },
        }
    }
}

/// The grade chosen for a clip and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchedGrade {
    pub grade: Grade,
    /// `grade at 14:02:10:00` or `snapshot "hero"`, for descriptions.
    pub source: String,
}

/// One clip's result.
#[derive(Clone, Debug, PartialEq)]
pub struct ClipMatch {
    pub clip: Clip,
    pub grade: Option<MatchedGrade>,
    /// Grade changes strictly inside the clip (after its first frame).
    pub changes_during: usize,
}

/// Every clip's result, with the clips to review.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchReport {
    pub rule: MatchRule,
    pub matches: Vec<ClipMatch>,
}

impl MatchReport {
    /// Clips that got no grade.
    pub fn without_grade(&self) -> impl Iterator<Item = &ClipMatch> {
        self.matches.iter().filter(|m| m.grade.is_none())
    }

    /// Clips during which the grade changed (several grades could apply).
    pub fn with_several(&self) -> impl Iterator<Item = &ClipMatch> {
        self.matches.iter().filter(|m| m.changes_during > 0)
    }
}

/// An event's frame on the clip's timecode count (labels scale by nominal rate, since
/// camera and show timecode count labels, not real time), unwrapped past midnight.
fn frame_on_clip(at: &Timecode, clip_rate: FrameRate, clip_start: i64) -> i64 {
    let ev = at.to_frames() * i64::from(clip_rate.nominal()) / i64::from(at.rate.nominal());
    let day = clip_rate.frames_per_day();
    // An event just before a clip that starts after midnight keeps its place.
    if ev + day / 2 < clip_start {
        ev + day
    } else {
        ev
    }
}

/// Matches every clip to a grade under `rule`.
pub fn match_grades(clips: &[Clip], timeline: &GradeTimeline, rule: &MatchRule) -> MatchReport {
    let matches = clips
        .iter()
        .map(|clip| {
            let (start, end) = clip.frame_range();
            let events = timeline.events(&clip.camera);
            let frame = |e: &GradeEvent| {
                if e.initial {
                    i64::MIN
                } else {
                    frame_on_clip(&e.at, clip.rate(), start)
                }
            };
            // The latest change at or before f; on equal timecodes the later log entry wins.
            let live_at = |f: i64| {
                events
                    .iter()
                    .filter(|e| frame(e) <= f)
                    .max_by_key(|e| frame(e))
            };
            let changes_during = events
                .iter()
                .filter(|e| (start + 1..end).contains(&frame(e)))
                .count();
            let from_event = |e: &GradeEvent| MatchedGrade {
                grade: e.grade.clone(),
                source: format!("grade at {}", e.at),
            };
            let grade = match rule {
                MatchRule::AtStart => live_at(start).map(from_event),
                MatchRule::LastDuring => live_at(end - 1).map(from_event),
                MatchRule::Snapshot(name) => find_snapshot(timeline, name, &clip.camera),
            };
            ClipMatch {
                clip: clip.clone(),
                grade,
                changes_during,
            }
        })
        .collect();
    MatchReport {
        rule: rule.clone(),
        matches,
    }
}

fn find_snapshot(timeline: &GradeTimeline, name: &str, camera: &str) -> Option<MatchedGrade> {
    let named = || timeline.snapshots.iter().filter(|s| s.name == name);
    let own = named().find(|s| {
        s.camera
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(camera))
    });
    let any = || named().find(|s| s.camera.is_none());
    own.or_else(any).map(|s| MatchedGrade {
        grade: s.grade.clone(),
        source: match &s.at {
            Some(at) => format!("snapshot {:?} ({at})", s.name),
            None => format!("snapshot {:?}", s.name),
        },
    })
}

/// The JSON form of a grade timeline: `{"rate": "23.976", "events": [...], "snapshots": [...]}`,
/// each event `{"camera", "timecode", "cdl": {slope, offset, power, sat}, "style",
/// "working_space", "look"}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeLog {
    pub rate: String,
    #[serde(default)]
    pub events: Vec<GradeLogEvent>,
    #[serde(default)]
    pub snapshots: Vec<GradeLogSnapshot>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GradeLogEvent {
    pub camera: String,
    pub timecode: String,
    #[serde(flatten)]
    pub grade: Grade,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct GradeLogSnapshot {
    pub name: String,
    #[serde(default)]
    pub camera: Option<String>,
    #[serde(default)]
    pub timecode: Option<String>,
    #[serde(flatten)]
    pub grade: Grade,
}

/// A grade log that cannot be used, with where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}: {at}: {message}")]
pub struct GradeLogError {
    pub file: String,
    pub at: String,
    pub message: String,
}

impl GradeLog {
    /// Reads and checks a grade log file into a timeline.
    pub fn read(path: &Path) -> Result<GradeTimeline, GradeLogError> {
        let file = path.display().to_string();
        let fail = |at: String, message: String| GradeLogError {
            file: file.clone(),
            at,
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail("file".into(), e.to_string()))?;
        let log: GradeLog = serde_json::from_str(&text)
            .map_err(|e| fail(format!("line {}", e.line()), e.to_string()))?;
        log.into_timeline()
            .map_err(|(at, message)| fail(at, message))
    }

    fn into_timeline(self) -> Result<GradeTimeline, (String, String)> {
        let rate: FrameRate = self
            .rate
            .parse()
            .map_err(|e| ("rate".to_string(), format!("{e}")))?;
        let tc = |text: &str, at: &str| {
            Timecode::parse(text, rate).map_err(|e| (at.to_owned(), e.to_string()))
        };
        let check =
            |g: &Grade, at: &str| g.cdl.validate().map_err(|e| (at.to_owned(), e.to_string()));
        let mut events = Vec::new();
        for (i, e) in self.events.into_iter().enumerate() {
            let at = format!("events[{i}]");
            check(&e.grade, &at)?;
            events.push(GradeEvent {
                camera: e.camera,
                at: tc(&e.timecode, &at)?,
                grade: e.grade,
                initial: false,
            });
        }
        let mut snapshots = Vec::new();
        for (i, s) in self.snapshots.into_iter().enumerate() {
            let at = format!("snapshots[{i}]");
            check(&s.grade, &at)?;
            let when = s.timecode.as_deref().map(|t| tc(t, &at)).transpose()?;
            snapshots.push(Snapshot {
                name: s.name,
                camera: s.camera,
                at: when,
                grade: s.grade,
            });
        }
        Ok(GradeTimeline::new(events, snapshots))
    }
}

#[cfg(test)]
mod tests;
