//! What records each camera's pictures and where the show's timecode comes from, as the
//! workflow drawing and the look report state them (issue 11). Free text is checked for
//! length and control characters (it lands in SVG, HTML and PDF).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validate::ValidationError;

/// The most recorders one camera lists.
pub const MAX_RECORDERS: usize = 8;

/// The longest free-text field, in characters.
const MAX_TEXT: usize = 200;

/// One recorder of a camera's pictures: the camera's own media or a recorder on one of its
/// outputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recorder {
    pub kind: RecorderKind,
    /// The recorder's make and model (`Atomos Shogun`); required for an external recorder,
    /// may stay empty for internal recording.
    #[serde(default)]
    pub name: String,
    /// The codec as recorded (`ARRIRAW`, `X-OCN ST`, `ProRes 4444 XQ`).
    pub codec: String,
    /// A free label: media, slot, reel naming (`CFexpress B slot 1, reels A###`).
    #[serde(default)]
    pub label: String,
}

/// Where a recorder sits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecorderKind {
    /// The camera's own card or SSD.
    Internal,
    /// A recorder fed from one of the camera's outputs (SDI/HDMI).
    External,
}

/// Where timecode comes from: for the whole show, or for one camera that differs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimecodeSource {
    pub mode: TimecodeMode,
    /// The master clock followed (`ltc`) or jammed from (`jam-sync`), e.g. `Ambient Lockit
    /// ACL 204`; required for those two modes.
    #[serde(default)]
    pub master: String,
    /// The genlock (video reference) source, e.g. `tri-level sync from the SPG`; empty when
    /// the cameras are not genlocked.
    #[serde(default)]
    pub genlock: String,
    /// A free label (`jammed at call time and after lunch`).
    #[serde(default)]
    pub label: String,
}

/// How the cameras keep timecode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TimecodeMode {
    /// An LTC signal into the camera's timecode input, all the time.
    Ltc,
    /// Jammed from a master clock, then the camera's own clock running on.
    JamSync,
    /// The camera's internal clock, free-running (time of day or a preset).
    FreeRun,
    /// The camera's internal clock, advancing only while it records.
    RecRun,
}

impl TimecodeMode {
    /// The mode in words: `LTC in`, `jam-sync`, `internal free-run`, `internal rec-run`.
    pub fn text(self) -> &'static str {
        match self {
            TimecodeMode::Ltc => "LTC in",
            TimecodeMode::JamSync => "jam-sync",
            TimecodeMode::FreeRun => "internal free-run",
            TimecodeMode::RecRun => "internal rec-run",
        }
    }
}

impl Recorder {
    /// One line for drawings and reports: `internal · ARRIRAW · CFast slot A`.
    pub fn describe(&self) -> String {
        let place = match self.kind {
            RecorderKind::Internal => "internal".to_owned(),
            RecorderKind::External => format!("external {}", self.name),
        };
        let mut parts = vec![place];
        if self.kind == RecorderKind::Internal && !self.name.is_empty() {
            parts.push(self.name.clone());
        }
        parts.push(self.codec.clone());
        if !self.label.is_empty() {
            parts.push(self.label.clone());
        }
        parts.join(" · ")
    }

    pub(super) fn check(&self, base: &str) -> Result<(), ValidationError> {
        let required = self.kind == RecorderKind::External;
        let why = "an external recorder needs its name";
        check_text(&format!("{base}/name"), &self.name, required.then_some(why))?;
        check_text(
            &format!("{base}/codec"),
            &self.codec,
            Some("a recorder needs its codec"),
        )?;
        check_text(&format!("{base}/label"), &self.label, None)
    }
}

impl TimecodeSource {
    /// The mode and master: `jam-sync from Ambient Lockit ACL 204`.
    pub fn summary(&self) -> String {
        match self.master.as_str() {
            "" => self.mode.text().to_owned(),
            master => format!("{} from {master}", self.mode.text()),
        }
    }

    /// One line for drawings and reports: `jam-sync from Lockit · genlock SPG · label`.
    pub fn describe(&self) -> String {
        let mut out = self.summary();
        if !self.genlock.is_empty() {
            out.push_str(&format!(" · genlock {}", self.genlock));
        }
        if !self.label.is_empty() {
            out.push_str(&format!(" · {}", self.label));
        }
        out
    }

    pub(super) fn check(&self, base: &str) -> Result<(), ValidationError> {
        let needs_master = matches!(self.mode, TimecodeMode::Ltc | TimecodeMode::JamSync);
        let why = "ltc and jam-sync need the master clock's name";
        check_text(
            &format!("{base}/master"),
            &self.master,
            needs_master.then_some(why),
        )?;
        check_text(&format!("{base}/genlock"), &self.genlock, None)?;
        check_text(&format!("{base}/label"), &self.label, None)
    }
}

/// Checks a camera's recorder list: at most [`MAX_RECORDERS`], each valid.
pub(super) fn check_recorders(base: &str, recorders: &[Recorder]) -> Result<(), ValidationError> {
    if recorders.len() > MAX_RECORDERS {
        return Err(ValidationError {
            path: base.to_owned(),
            message: format!("{} recorders: at most {MAX_RECORDERS}", recorders.len()),
        });
    }
    for (i, recorder) in recorders.iter().enumerate() {
        recorder.check(&format!("{base}/{i}"))?;
    }
    Ok(())
}

/// Free text: at most [`MAX_TEXT`] characters, no control characters; when `required`
/// says why, not empty or only spaces either.
fn check_text(path: &str, text: &str, required: Option<&str>) -> Result<(), ValidationError> {
    let fail = |message: String| {
        Err(ValidationError {
            path: path.to_owned(),
            message,
        })
    };
    if let Some(why) = required {
        if text.trim().is_empty() {
            return fail(format!("{why}; it is empty"));
        }
    }
    if text.chars().count() > MAX_TEXT {
        return fail(format!(
            "{} characters: at most {MAX_TEXT}",
            text.chars().count()
        ));
    }
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return fail(format!("holds the control character {c:?}"));
    }
    Ok(())
}
