//! Everything a user can do to a show, and how each becomes a list of patches.

use serde_json::Value;

use super::action_patches::*;
use super::history::{History, HistoryStep, Scope};
use super::model::*;
use super::patch::Patch;
pub use super::updates::*;
use super::ShowError;

/// A field of a camera's grade, as a WebSocket trim names it: `trim.slope.r`, `trim.slope`
/// (three values), `match.sat`, `trim` (a whole CDL), `look`, `nodes` (the whole node
/// list), or a node by its id: `nodes.ID` (the whole node), `nodes.ID.slope.r` … `.sat`
/// or `.cdl` on a CDL node, `nodes.ID.curves` or `.curves.master|r|g|b` on a curves node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GradeField {
    name: String,
    /// The node id for `nodes.ID…` fields.
    node: Option<String>,
    /// The pointer within the camera, or within the node for node fields.
    pointer: String,
}

/// `slope`, `offset`, `power` (optionally `.r|.g|.b`) or `sat` → pointer under a CDL.
fn cdl_pointer(parts: &[&str]) -> Option<String> {
    Some(match parts {
        [] => String::new(),
        ["sat"] => "/sat".to_owned(),
        [p @ ("slope" | "offset" | "power")] => format!("/{p}"),
        [p @ ("slope" | "offset" | "power"), c] => {
            let index = ["r", "g", "b"].iter().position(|x| x == c)?;
            format!("/{p}/{index}")
        }
        _ => return None,
    })
}

fn node_pointer(parts: &[&str]) -> Option<String> {
    match parts {
        [] => Some(String::new()),
        ["cdl", rest @ ..] => cdl_pointer(rest).map(|p| format!("/cdl{p}")),
        ["curves"] => Some("/curves".to_owned()),
        ["curves", c @ ("master" | "r" | "g" | "b")] => Some(format!("/curves/{c}")),
        ["curves", ..] => None,
        rest => cdl_pointer(rest).map(|p| format!("/cdl{p}")),
    }
}

impl GradeField {
    pub fn parse(name: &str) -> Result<GradeField, String> {
        let err = || {
            format!(
                "unknown grade field {name:?}: expected look, nodes, trim or match, the last \
                 two optionally followed by .slope, .offset, .power (each optionally .r, .g \
                 or .b) or .sat; or nodes.ID followed by the same, .cdl, .curves or \
                 .curves.master|r|g|b"
            )
        };
        let parts: Vec<&str> = name.split('.').collect();
        let (node, pointer) = match parts[..] {
            ["look"] => (None, "/grade/look".to_owned()),
            ["nodes"] => (None, "/grade/nodes".to_owned()),
            ["nodes", id, ref rest @ ..] if !id.is_empty() => {
                (Some(id.to_owned()), node_pointer(rest).ok_or_else(err)?)
            }
            [n @ ("trim" | "match"), ref rest @ ..] => {
                let p = cdl_pointer(rest).ok_or_else(err)?;
                (None, format!("/grade/{n}{p}"))
            }
            _ => return Err(err()),
        };
        Ok(GradeField {
            name: name.to_owned(),
            node,
            pointer,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The pointer within `camera` (`/grade/trim/slope/0`, `/grade/nodes/1/cdl/sat`), or why
    /// the field is not there (no node with that id, or a node of the other kind).
    pub fn pointer_in(&self, camera: &Camera) -> Result<String, String> {
        let Some(id) = &self.node else {
            return Ok(self.pointer.clone());
        };
        let (index, node) = camera
            .grade
            .nodes
            .iter()
            .enumerate()
            .find(|(_, n)| n.id() == id)
            .ok_or_else(|| format!("camera {:?} has no grade node {id:?}", camera.id))?;
        let wants_cdl = self.pointer.starts_with("/cdl");
        let wants_curves = self.pointer.starts_with("/curves");
        match node {
            GradeNode::Curves { .. } if wants_cdl => {
                Err(format!("grade node {id:?} holds curves, not a CDL"))
            }
            GradeNode::Cdl { .. } if wants_curves => {
                Err(format!("grade node {id:?} holds a CDL, not curves"))
            }
            _ => Ok(format!("/grade/nodes/{index}{}", self.pointer)),
        }
    }
}

/// One thing a user does to the show.
#[derive(Clone, Debug)]
pub enum Action {
    Trim {
        camera: Id,
        field: GradeField,
        value: Value,
    },
    GroupTrim {
        group: Id,
        field: GradeField,
        delta: Value,
    },
    SetGrade {
        camera: Id,
        update: GradeUpdate,
    },
    CopyGrade {
        from: Id,
        to: Vec<Id>,
        include_match: bool,
    },
    ResetGrade {
        camera: Id,
        include_match: bool,
    },
    CreateCamera(Box<Camera>),
    UpdateCamera {
        id: Id,
        update: CameraUpdate,
    },
    DeleteCamera(Id),
    CreateLook(ShowLook),
    UpdateLook {
        id: Id,
        update: LookUpdate,
    },
    DeleteLook(Id),
    CreateOutput(Output),
    UpdateOutput {
        id: Id,
        update: OutputUpdate,
    },
    DeleteOutput(Id),
    CreateGroup(Group),
    UpdateGroup {
        id: Id,
        update: GroupUpdate,
    },
    DeleteGroup(Id),
    TakeSnapshot {
        camera: Id,
        id: Id,
        name: String,
    },
    RecallSnapshot(Id),
    DeleteSnapshot(Id),
    SaveScene {
        id: Id,
        name: String,
        fade_frames: u32,
    },
    RecallScene(Id),
    DeleteScene(Id),
    SetDeviceBypass {
        device: Id,
        bypass: Bypass,
    },
    AddFile(FileRef),
    DeleteFile(Id),
    UpdateShow(ShowUpdate),
    Import(Box<Show>),
    Undo(Scope),
    Redo(Scope),
}

/// When an action runs: wall time and show timecode.
#[derive(Clone, Debug)]
pub struct Stamp {
    pub wall_ms: i64,
    pub timecode: String,
}

/// What an action will do: patches to apply, and for undo/redo the history step.
#[derive(Clone, Debug)]
pub struct Plan {
    pub action: &'static str,
    pub patches: Vec<Patch>,
    pub history: Option<HistoryStep>,
    /// Frames the picture fades over (a faded scene recall).
    pub fade_frames: Option<u32>,
}

const CAMERAS: (&str, &str) = ("cameras", "camera");
const LOOKS: (&str, &str) = ("looks", "look");
const OUTPUTS: (&str, &str) = ("outputs", "output");
const GROUPS: (&str, &str) = ("groups", "group");
const SNAPSHOTS: (&str, &str) = ("snapshots", "snapshot");
const SCENES: (&str, &str) = ("scenes", "scene");
const FILES: (&str, &str) = ("files", "file");

impl Action {
    /// The patches this action makes on `show`, or why it cannot be done.
    pub fn plan(&self, show: &Show, history: &History, stamp: &Stamp) -> Result<Plan, ShowError> {
        let (action, patches) = self.patches(show, history, stamp)?;
        let (history, fade_frames) = match self {
            Action::Undo(scope) | Action::Redo(scope) => {
                let redo = matches!(self, Action::Redo(_));
                let step = HistoryStep {
                    redo,
                    scope: scope.clone(),
                };
                (Some(step), history.next_fade(scope, redo))
            }
            Action::RecallScene(id) => (None, scene_fade(show, id)),
            _ => (None, None),
        };
        Ok(Plan {
            action,
            patches,
            history,
            fade_frames,
        })
    }

    /// The event's action name and its patches.
    fn patches(
        &self,
        show: &Show,
        history: &History,
        stamp: &Stamp,
    ) -> Result<(&'static str, Vec<Patch>), ShowError> {
        use Action as A;
        Ok(match self {
            A::Trim {
                camera,
                field,
                value,
            } => ("trim", trim(show, camera, field, value)?),
            A::GroupTrim {
                group,
                field,
                delta,
            } => ("group.trim", group_trim(show, group, field, delta)?),
            A::SetGrade { camera, update } => ("grade.set", set_grade(show, camera, update)?),
            A::CopyGrade {
                from,
                to,
                include_match: m,
            } => ("grade.copy", copy_grade(show, from, to, *m)?),
            A::ResetGrade {
                camera,
                include_match: m,
            } => ("grade.reset", reset_grade(show, camera, *m)?),
            A::CreateCamera(c) => ("camera.create", create(&show.cameras, CAMERAS, &c.id, c)?),
            A::UpdateCamera { id, update } => (
                "camera.update",
                update_item(show, &show.cameras, CAMERAS, id, update)?,
            ),
            A::DeleteCamera(id) => ("camera.delete", delete_camera(show, id)?),
            A::CreateLook(l) => ("look.create", create(&show.looks, LOOKS, &l.id, l)?),
            A::UpdateLook { id, update } => (
                "look.update",
                update_item(show, &show.looks, LOOKS, id, update)?,
            ),
            A::DeleteLook(id) => ("look.delete", delete(&show.looks, LOOKS, id)?),
            A::CreateOutput(o) => ("output.create", create(&show.outputs, OUTPUTS, &o.id, o)?),
            A::UpdateOutput { id, update } => (
                "output.update",
                update_item(show, &show.outputs, OUTPUTS, id, update)?,
            ),
            A::DeleteOutput(id) => ("output.delete", delete(&show.outputs, OUTPUTS, id)?),
            A::CreateGroup(g) => ("group.create", create(&show.groups, GROUPS, &g.id, g)?),
            A::UpdateGroup { id, update } => (
                "group.update",
                update_item(show, &show.groups, GROUPS, id, update)?,
            ),
            A::DeleteGroup(id) => ("group.delete", delete(&show.groups, GROUPS, id)?),
            A::TakeSnapshot { camera, id, name } => (
                "snapshot.take",
                take_snapshot(show, camera, id, name, stamp)?,
            ),
            A::RecallSnapshot(id) => ("snapshot.recall", recall_snapshot(show, id)?),
            A::DeleteSnapshot(id) => ("snapshot.delete", delete(&show.snapshots, SNAPSHOTS, id)?),
            A::SaveScene {
                id,
                name,
                fade_frames,
            } => (
                "scene.save",
                save_scene(show, id, name, *fade_frames, stamp)?,
            ),
            A::RecallScene(id) => ("scene.recall", recall_scene(show, id)?),
            A::DeleteScene(id) => ("scene.delete", delete(&show.scenes, SCENES, id)?),
            A::SetDeviceBypass { device, bypass } => {
                ("device.bypass", vec![device_bypass(show, device, *bypass)])
            }
            A::AddFile(f) => ("file.add", create(&show.files, FILES, &f.id, f)?),
            A::DeleteFile(id) => ("file.delete", delete(&show.files, FILES, id)?),
            A::UpdateShow(update) => ("show.update", updates(show, "", update)),
            A::Import(new) => ("show.import", import(show, new)),
            A::Undo(scope) => ("undo", undo_redo(show, history, scope, false)?),
            A::Redo(scope) => ("redo", undo_redo(show, history, scope, true)?),
        })
    }
}
