//! The show as data: cameras, show looks, outputs, groups, snapshots, scenes, files.
//!
//! Every collection is keyed by a URL-safe id and keeps insertion order. The whole show
//! serializes to one JSON document; every change is a list of [`super::Patch`]es on it.

use indexmap::IndexMap;
pub use lookwire_color::output::SignalRange;
use lookwire_color::{Cdl, CdlStyle};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use super::curves::RgbCurves;
pub use super::recording::{Recorder, RecorderKind, TimecodeMode, TimecodeSource};
use crate::timecode::FrameRate;

/// Ids name things in URLs: 1–64 of `a-z 0-9 - _ .`, starting with a letter or digit.
pub type Id = String;

/// One production: everything the server holds about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Show {
    pub name: String,
    pub frame_rate: FrameRate,
    #[schema(value_type = crate::api::schema::CdlStyleDoc)]
    pub cdl_style: CdlStyle,
    /// The working space new cameras grade in.
    pub working_space: WorkingSpace,
    pub cameras: IndexMap<Id, Camera>,
    pub looks: IndexMap<Id, ShowLook>,
    pub outputs: IndexMap<Id, Output>,
    pub groups: IndexMap<Id, Group>,
    pub snapshots: IndexMap<Id, Snapshot>,
    pub scenes: IndexMap<Id, Scene>,
    /// Bypass per device id (devices not listed run their full look).
    pub device_bypass: IndexMap<Id, Bypass>,
    /// Files uploaded into the show; their bytes live in the store.
    pub files: IndexMap<Id, FileRef>,
    /// Where the cameras' timecode comes from (null: not stated).
    #[serde(default)]
    pub timecode_source: Option<TimecodeSource>,
}

/// Where a camera's CDLs and look are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WorkingSpace {
    /// The camera's own log encoding and gamut.
    Camera,
    /// ACEScct (AP1 primaries, ACEScct curve).
    Acescct,
}

/// A camera slot: its input space, its grade and where its picture goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Camera {
    pub id: Id,
    pub label: String,
    #[serde(default)]
    pub make: String,
    #[serde(default)]
    pub model: String,
    /// The engine's input space id (e.g. `sony-slog3-sgamut3cine`).
    pub input_space: String,
    pub working_space: WorkingSpace,
    pub grade: Grade,
    /// Output ids this camera feeds.
    #[serde(default)]
    pub outputs: Vec<Id>,
    /// Device ids carrying this camera's picture.
    #[serde(default)]
    pub devices: Vec<Id>,
    /// What records this camera's pictures (its own media, external recorders).
    #[serde(default)]
    pub recorders: Vec<Recorder>,
    /// This camera's timecode source when it differs from the show's (null: the show's).
    #[serde(default)]
    pub timecode_source: Option<TimecodeSource>,
}

/// A camera's grade, applied in the working space in this order: match CDL → primary trim
/// CDL → `nodes` (secondary trims and RGB curves, first to last) → show look.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    /// Camera-to-camera match, set once per camera.
    #[serde(rename = "match")]
    #[schema(value_type = crate::api::schema::CdlDoc)]
    pub match_cdl: Cdl,
    /// The primary trim the VC rides.
    #[schema(value_type = crate::api::schema::CdlDoc)]
    pub trim: Cdl,
    /// Further nodes after the primary trim, applied first to last (at most
    /// [`MAX_NODES`], ids unique within the grade).
    #[serde(default)]
    pub nodes: Vec<GradeNode>,
    /// The show look applied last, if any.
    pub look: Option<Id>,
}

/// Nodes a grade may hold besides match and primary trim.
pub const MAX_NODES: usize = 16;

/// One node of a grade after the primary trim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum GradeNode {
    /// A secondary trim CDL.
    Cdl {
        id: Id,
        #[schema(value_type = crate::api::schema::CdlDoc)]
        cdl: Cdl,
    },
    /// RGB curves (master, then per channel), baked into a 1D LUT.
    Curves { id: Id, curves: RgbCurves },
}

impl GradeNode {
    pub fn id(&self) -> &str {
        match self {
            GradeNode::Cdl { id, .. } | GradeNode::Curves { id, .. } => id,
        }
    }

    /// True when the node leaves every value unchanged.
    pub fn is_identity(&self) -> bool {
        match self {
            GradeNode::Cdl { cdl, .. } => cdl.is_identity(),
            GradeNode::Curves { curves, .. } => curves.is_identity(),
        }
    }
}

impl Grade {
    /// Identity match and trim, no further nodes, under `look`.
    pub fn with_look(look: Option<Id>) -> Grade {
        Grade {
            match_cdl: Cdl::IDENTITY,
            trim: Cdl::IDENTITY,
            nodes: Vec::new(),
            look,
        }
    }
}

/// A look shared by many cameras: a CDL, a look LUT from the show's files, or both
/// (CDL first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowLook {
    pub id: Id,
    pub name: String,
    #[schema(value_type = Option<crate::api::schema::CdlDoc>)]
    pub cdl: Option<Cdl>,
    /// A LUT file id from the show's files, applied in the working space.
    pub lut: Option<Id>,
}

/// A monitor path: a display transform or a show LUT, and the signal range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub id: Id,
    pub name: String,
    /// The engine's output transform id (e.g. `aces2-sdr-rec709`); or null with `lut` set.
    pub display: Option<String>,
    /// A show LUT file id (camera log → display), used instead of `display`.
    pub lut: Option<Id>,
    /// Video signal range: `legal` (64–940 of 1023) or `full`.
    #[schema(value_type = crate::api::schema::SignalRangeDoc)]
    pub range: SignalRange,
    pub bypass: Bypass,
}

/// What an output or device sends instead of the full look, to check the raw picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Bypass {
    /// The full look.
    None,
    /// The display transform alone (no CDLs, no show look).
    DisplayOnly,
    /// An identity LUT.
    Identity,
}

/// Cameras ganged together: a trim on the group moves each camera by the same offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: Id,
    pub name: String,
    pub cameras: Vec<Id>,
}

/// A named, stored grade of one camera.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub id: Id,
    pub camera: Id,
    pub name: String,
    pub grade: Grade,
    /// Show timecode when it was taken.
    pub timecode: String,
    /// Wall time when it was taken, milliseconds since the Unix epoch.
    pub wall_ms: i64,
}

/// Every camera's grade at once, recalled together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scene {
    pub id: Id,
    pub name: String,
    /// Grade per camera id.
    pub grades: IndexMap<Id, Grade>,
    pub timecode: String,
    pub wall_ms: i64,
    /// Frames a recall fades over (0 = cut, at most [`MAX_FADE_FRAMES`]).
    #[schema(maximum = 600)]
    pub fade_frames: u32,
}

/// The longest scene fade, in frames (10 s at 60 fps; the UI's limit too).
pub const MAX_FADE_FRAMES: u32 = 600;

/// A LUT or CDL file kept in the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileRef {
    pub id: Id,
    pub name: String,
    pub size: u64,
    /// XXH3-64 of the bytes, 16 hex digits.
    pub xxh3: String,
    /// XXH64 (seed 0) of the bytes, 16 hex digits.
    pub xxh64: String,
}

impl Show {
    /// An empty show.
    pub fn new(name: &str, frame_rate: FrameRate) -> Show {
        Show {
            name: name.to_owned(),
            frame_rate,
            cdl_style: CdlStyle::Asc,
            working_space: WorkingSpace::Acescct,
            cameras: IndexMap::new(),
            looks: IndexMap::new(),
            outputs: IndexMap::new(),
            groups: IndexMap::new(),
            snapshots: IndexMap::new(),
            scenes: IndexMap::new(),
            device_bypass: IndexMap::new(),
            files: IndexMap::new(),
            timecode_source: None,
        }
    }
}

/// True when `id` is a valid URL-safe id.
pub fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(b))
}
