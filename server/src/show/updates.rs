//! Partial updates of cameras, grades, looks, outputs, groups and show settings: absent
//! fields stay as they are; a present `null` clears a nullable field.

use lookwire_color::{Cdl, CdlStyle};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::model::{Bypass, GradeNode, Id, SignalRange, WorkingSpace};
use super::recording::{Recorder, TimecodeSource};
use crate::timecode::FrameRate;

/// Reads a field that may be present-and-null (`Some(None)`) or absent (`None`).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Changes to a camera's settings; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CameraUpdate {
    pub label: Option<String>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub input_space: Option<String>,
    pub working_space: Option<WorkingSpace>,
    pub outputs: Option<Vec<Id>>,
    pub devices: Option<Vec<Id>>,
    /// The whole recorder list (add, remove, reorder by sending it).
    pub recorders: Option<Vec<Recorder>>,
    /// The camera's own timecode source; `null` goes back to the show's.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TimecodeSource>)]
    pub timecode_source: Option<Option<TimecodeSource>>,
}

/// Changes to a camera's grade; absent fields stay as they are, `look: null` removes the look.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeUpdate {
    #[serde(rename = "match")]
    #[schema(value_type = Option<crate::api::schema::CdlDoc>)]
    pub match_cdl: Option<Cdl>,
    #[schema(value_type = Option<crate::api::schema::CdlDoc>)]
    pub trim: Option<Cdl>,
    /// The whole list of nodes after the primary trim (add, remove, reorder by sending it).
    pub nodes: Option<Vec<GradeNode>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub look: Option<Option<Id>>,
}

/// Changes to a show look.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookUpdate {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<crate::api::schema::CdlDoc>)]
    pub cdl: Option<Option<Cdl>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub lut: Option<Option<Id>>,
}

/// Changes to an output.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputUpdate {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub display: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub lut: Option<Option<Id>>,
    #[schema(value_type = Option<crate::api::schema::SignalRangeDoc>)]
    pub range: Option<SignalRange>,
    pub bypass: Option<Bypass>,
}

/// Changes to a group.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    pub name: Option<String>,
    pub cameras: Option<Vec<Id>>,
}

/// Changes to the show's settings.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShowUpdate {
    pub name: Option<String>,
    pub frame_rate: Option<FrameRate>,
    #[schema(value_type = Option<crate::api::schema::CdlStyleDoc>)]
    pub cdl_style: Option<CdlStyle>,
    pub working_space: Option<WorkingSpace>,
    /// Where the cameras' timecode comes from; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TimecodeSource>)]
    pub timecode_source: Option<Option<TimecodeSource>>,
}

/// The fields an update sets, by their JSON key (a present `null` sets null).
pub trait Update {
    fn fields(&self) -> Vec<(&'static str, Value)>;
}

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn set<T: Serialize>(out: &mut Vec<(&'static str, Value)>, key: &'static str, field: &Option<T>) {
    if let Some(v) = field {
        out.push((key, to_value(v)));
    }
}

macro_rules! update_fields {
    ($ty:ty { $($field:ident => $key:literal),* $(,)? }) => {
        impl Update for $ty {
            fn fields(&self) -> Vec<(&'static str, Value)> {
                let mut out = Vec::new();
                $(set(&mut out, $key, &self.$field);)*
                out
            }
        }
    };
}

update_fields!(CameraUpdate { label => "label", make => "make", model => "model",
    input_space => "input_space", working_space => "working_space", outputs => "outputs",
    devices => "devices", recorders => "recorders", timecode_source => "timecode_source" });
update_fields!(GradeUpdate { match_cdl => "match", trim => "trim", nodes => "nodes",
    look => "look" });
update_fields!(LookUpdate { name => "name", cdl => "cdl", lut => "lut" });
update_fields!(OutputUpdate { name => "name", display => "display", lut => "lut",
    range => "range", bypass => "bypass" });
update_fields!(GroupUpdate { name => "name", cameras => "cameras" });
update_fields!(ShowUpdate { name => "name", frame_rate => "frame_rate",
    cdl_style => "cdl_style", working_space => "working_space",
    timecode_source => "timecode_source" });
