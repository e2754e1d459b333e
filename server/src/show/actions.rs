//! Everything a user can do to a show, and how each becomes a list of patches.

use lookwire_color::Cdl;
use serde::Serialize;
use serde_json::{json, Value};

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

fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A replace at `path` reading `before` from the show.
fn replace(show: &Show, path: String, after: Value) -> Patch {
    let before = show.value_at(&path).unwrap_or(Value::Null);
    Patch::Replace {
        path,
        before,
        after,
    }
}

fn need<'a, T>(
    map: &'a indexmap::IndexMap<Id, T>,
    what: &'static str,
    id: &str,
) -> Result<&'a T, ShowError> {
    map.get(id).ok_or_else(|| ShowError::NotFound {
        what,
        id: id.to_owned(),
    })
}

fn add<T: Serialize>(
    map: &indexmap::IndexMap<Id, T>,
    collection: &str,
    what: &'static str,
    id: &str,
    item: &T,
) -> Result<Patch, ShowError> {
    if map.contains_key(id) {
        return Err(ShowError::Exists {
            what,
            id: id.to_owned(),
        });
    }
    Ok(Patch::Add {
        path: format!("/{collection}/{id}"),
        value: to_value(item),
    })
}

fn remove<T: Serialize>(
    map: &indexmap::IndexMap<Id, T>,
    collection: &str,
    what: &'static str,
    id: &str,
) -> Result<Patch, ShowError> {
    let item = need(map, what, id)?;
    Ok(Patch::Remove {
        path: format!("/{collection}/{id}"),
        value: to_value(item),
    })
}

/// A replace for each field the update sets.
fn updates(show: &Show, base: &str, update: &impl Update) -> Vec<Patch> {
    update
        .fields()
        .into_iter()
        .map(|(k, v)| replace(show, format!("{base}/{k}"), v))
        .collect()
}

impl Action {
    /// The patches this action makes on `show`, or why it cannot be done.
    pub fn plan(&self, show: &Show, history: &History, stamp: &Stamp) -> Result<Plan, ShowError> {
        let plan = |action, patches| Plan {
            action,
            patches,
            history: None,
            fade_frames: None,
        };
        Ok(match self {
            Action::Trim {
                camera,
                field,
                value,
            } => {
                let cam = need(&show.cameras, "camera", camera)?;
                let path = format!("/cameras/{camera}{}", field_pointer(cam, field)?);
                plan("trim", vec![replace(show, path, value.clone())])
            }
            Action::GroupTrim {
                group,
                field,
                delta,
            } => plan("group.trim", group_trim(show, group, field, delta)?),
            Action::SetGrade { camera, update } => {
                need(&show.cameras, "camera", camera)?;
                plan(
                    "grade.set",
                    updates(show, &format!("/cameras/{camera}/grade"), update),
                )
            }
            Action::CopyGrade {
                from,
                to,
                include_match,
            } => plan("grade.copy", copy_grade(show, from, to, *include_match)?),
            Action::ResetGrade {
                camera,
                include_match,
            } => {
                let cam = need(&show.cameras, "camera", camera)?;
                let identity = to_value(&Cdl::IDENTITY);
                let mut patches = vec![replace(
                    show,
                    format!("/cameras/{camera}/grade/trim"),
                    identity.clone(),
                )];
                if !cam.grade.nodes.is_empty() {
                    let path = format!("/cameras/{camera}/grade/nodes");
                    patches.push(replace(show, path, json!([])));
                }
                if *include_match {
                    patches.push(replace(
                        show,
                        format!("/cameras/{camera}/grade/match"),
                        identity,
                    ));
                }
                plan("grade.reset", patches)
            }
            Action::CreateCamera(c) => plan(
                "camera.create",
                vec![add(&show.cameras, "cameras", "camera", &c.id, c.as_ref())?],
            ),
            Action::UpdateCamera { id, update } => {
                need(&show.cameras, "camera", id)?;
                plan(
                    "camera.update",
                    updates(show, &format!("/cameras/{id}"), update),
                )
            }
            Action::DeleteCamera(id) => plan("camera.delete", delete_camera(show, id)?),
            Action::CreateLook(l) => plan(
                "look.create",
                vec![add(&show.looks, "looks", "look", &l.id, l)?],
            ),
            Action::UpdateLook { id, update } => {
                need(&show.looks, "look", id)?;
                plan(
                    "look.update",
                    updates(show, &format!("/looks/{id}"), update),
                )
            }
            Action::DeleteLook(id) => plan(
                "look.delete",
                vec![remove(&show.looks, "looks", "look", id)?],
            ),
            Action::CreateOutput(o) => plan(
                "output.create",
                vec![add(&show.outputs, "outputs", "output", &o.id, o)?],
            ),
            Action::UpdateOutput { id, update } => {
                need(&show.outputs, "output", id)?;
                plan(
                    "output.update",
                    updates(show, &format!("/outputs/{id}"), update),
                )
            }
            Action::DeleteOutput(id) => plan(
                "output.delete",
                vec![remove(&show.outputs, "outputs", "output", id)?],
            ),
            Action::CreateGroup(g) => plan(
                "group.create",
                vec![add(&show.groups, "groups", "group", &g.id, g)?],
            ),
            Action::UpdateGroup { id, update } => {
                need(&show.groups, "group", id)?;
                plan(
                    "group.update",
                    updates(show, &format!("/groups/{id}"), update),
                )
            }
            Action::DeleteGroup(id) => plan(
                "group.delete",
                vec![remove(&show.groups, "groups", "group", id)?],
            ),
            Action::TakeSnapshot { camera, id, name } => {
                let cam = need(&show.cameras, "camera", camera)?;
                let snapshot = Snapshot {
                    id: id.clone(),
                    camera: camera.clone(),
                    name: name.clone(),
                    grade: cam.grade.clone(),
                    timecode: stamp.timecode.clone(),
                    wall_ms: stamp.wall_ms,
                };
                plan(
                    "snapshot.take",
                    vec![add(
                        &show.snapshots,
                        "snapshots",
                        "snapshot",
                        id,
                        &snapshot,
                    )?],
                )
            }
            Action::RecallSnapshot(id) => {
                let s = need(&show.snapshots, "snapshot", id)?;
                let path = format!("/cameras/{}/grade", s.camera);
                plan(
                    "snapshot.recall",
                    vec![replace(show, path, to_value(&s.grade))],
                )
            }
            Action::DeleteSnapshot(id) => plan(
                "snapshot.delete",
                vec![remove(&show.snapshots, "snapshots", "snapshot", id)?],
            ),
            Action::SaveScene {
                id,
                name,
                fade_frames,
            } => {
                let scene = Scene {
                    id: id.clone(),
                    name: name.clone(),
                    grades: show
                        .cameras
                        .iter()
                        .map(|(k, c)| (k.clone(), c.grade.clone()))
                        .collect(),
                    timecode: stamp.timecode.clone(),
                    wall_ms: stamp.wall_ms,
                    fade_frames: *fade_frames,
                };
                plan(
                    "scene.save",
                    vec![add(&show.scenes, "scenes", "scene", id, &scene)?],
                )
            }
            Action::RecallScene(id) => {
                let scene = need(&show.scenes, "scene", id)?;
                let patches = scene
                    .grades
                    .iter()
                    .map(|(camera, grade)| {
                        replace(show, format!("/cameras/{camera}/grade"), to_value(grade))
                    })
                    .collect();
                Plan {
                    fade_frames: (scene.fade_frames > 0).then_some(scene.fade_frames),
                    ..plan("scene.recall", patches)
                }
            }
            Action::DeleteScene(id) => plan(
                "scene.delete",
                vec![remove(&show.scenes, "scenes", "scene", id)?],
            ),
            Action::SetDeviceBypass { device, bypass } => {
                let path = format!("/device_bypass/{device}");
                let patch = match show.device_bypass.get(device) {
                    Some(_) => replace(show, path, to_value(bypass)),
                    None => Patch::Add {
                        path,
                        value: to_value(bypass),
                    },
                };
                plan("device.bypass", vec![patch])
            }
            Action::AddFile(f) => plan(
                "file.add",
                vec![add(&show.files, "files", "file", &f.id, f)?],
            ),
            Action::DeleteFile(id) => plan(
                "file.delete",
                vec![remove(&show.files, "files", "file", id)?],
            ),
            Action::UpdateShow(update) => plan("show.update", updates(show, "", update)),
            Action::Import(new) => plan("show.import", import(show, new)),
            Action::Undo(scope) | Action::Redo(scope) => {
                return undo_redo(show, history, scope, matches!(self, Action::Redo(_)))
            }
        })
    }
}

/// Where `field` sits in `cam`, or a refusal that names the field.
fn field_pointer(cam: &Camera, field: &GradeField) -> Result<String, ShowError> {
    field.pointer_in(cam).map_err(|message| {
        ShowError::Invalid(super::ValidationError {
            path: "field".into(),
            message,
        })
    })
}

fn group_trim(
    show: &Show,
    group: &str,
    field: &GradeField,
    delta: &Value,
) -> Result<Vec<Patch>, ShowError> {
    let g = need(&show.groups, "group", group)?;
    let invalid = |message: String| {
        ShowError::Invalid(super::ValidationError {
            path: "delta".into(),
            message,
        })
    };
    let mut patches = Vec::new();
    for camera in &g.cameras {
        let cam = need(&show.cameras, "camera", camera)?;
        let path = format!("/cameras/{camera}{}", field_pointer(cam, field)?);
        let current = show.value_at(&path).unwrap_or(Value::Null);
        let after = match (&current, delta) {
            (Value::Number(c), Value::Number(d)) => {
                json!(c.as_f64().unwrap_or(0.0) + d.as_f64().unwrap_or(0.0))
            }
            (Value::Array(c), Value::Array(d)) if c.len() == d.len() => Value::Array(
                c.iter()
                    .zip(d)
                    .map(|(c, d)| match (c.as_f64(), d.as_f64()) {
                        (Some(c), Some(d)) => Ok(json!(c + d)),
                        _ => Err(invalid("a delta of three numbers is needed".into())),
                    })
                    .collect::<Result<_, _>>()?,
            ),
            _ => {
                return Err(invalid(format!(
                    "field {} takes no numeric delta of this shape",
                    field.name()
                )))
            }
        };
        patches.push(Patch::Replace {
            path,
            before: current,
            after,
        });
    }
    Ok(patches)
}

fn copy_grade(
    show: &Show,
    from: &str,
    to: &[Id],
    include_match: bool,
) -> Result<Vec<Patch>, ShowError> {
    let source = need(&show.cameras, "camera", from)?.grade.clone();
    let mut patches = Vec::new();
    for target in to {
        let cam = need(&show.cameras, "camera", target)?;
        let mut grade = source.clone();
        if !include_match {
            grade.match_cdl = cam.grade.match_cdl;
        }
        patches.push(replace(
            show,
            format!("/cameras/{target}/grade"),
            to_value(&grade),
        ));
    }
    Ok(patches)
}

/// Removes a camera, its snapshots, and its place in groups and scenes, as one change.
fn delete_camera(show: &Show, id: &str) -> Result<Vec<Patch>, ShowError> {
    let mut patches = Vec::new();
    for g in show
        .groups
        .values()
        .filter(|g| g.cameras.iter().any(|c| c == id))
    {
        let kept: Vec<&Id> = g.cameras.iter().filter(|c| *c != id).collect();
        patches.push(replace(
            show,
            format!("/groups/{}/cameras", g.id),
            to_value(&kept),
        ));
    }
    for s in show.scenes.values().filter(|s| s.grades.contains_key(id)) {
        let mut grades = s.grades.clone();
        grades.shift_remove(id);
        patches.push(replace(
            show,
            format!("/scenes/{}/grades", s.id),
            to_value(&grades),
        ));
    }
    for s in show.snapshots.values().filter(|s| s.camera == id) {
        patches.push(remove(&show.snapshots, "snapshots", "snapshot", &s.id)?);
    }
    patches.push(remove(&show.cameras, "cameras", "camera", id)?);
    Ok(patches)
}

/// Replaces every top-level field; files come first so looks can refer to them.
fn import(show: &Show, new: &Show) -> Vec<Patch> {
    let Value::Object(fields) = to_value(new) else {
        return Vec::new();
    };
    let Value::Object(old) = to_value(show) else {
        return Vec::new();
    };
    let mut patches: Vec<Patch> = fields
        .into_iter()
        .map(|(k, after)| Patch::Replace {
            before: old.get(&k).cloned().unwrap_or(Value::Null),
            path: format!("/{k}"),
            after,
        })
        .collect();
    patches.sort_by_key(|p| p.path() != "/files");
    patches
}

fn undo_redo(show: &Show, history: &History, scope: &Scope, redo: bool) -> Result<Plan, ShowError> {
    if let Scope::Camera(c) = scope {
        need(&show.cameras, "camera", c)?;
    }
    let verb = if redo { "redo" } else { "undo" };
    let patches = history
        .next(scope, redo)
        .ok_or_else(|| ShowError::NothingToUndo {
            verb,
            scope: match scope {
                Scope::Show => "the show".into(),
                Scope::Camera(c) => format!("camera {c:?}"),
            },
        })?;
    // Re-read what is there now, so the event's `before` is the truth at this version.
    let patches = patches
        .into_iter()
        .map(|p| match p {
            Patch::Replace { path, after, .. } => replace(show, path, after),
            Patch::Remove { path, value } => Patch::Remove {
                value: show.value_at(&path).unwrap_or(value),
                path,
            },
            add => add,
        })
        .collect();
    Ok(Plan {
        action: verb,
        fade_frames: None,
        patches,
        history: Some(HistoryStep {
            redo,
            scope: scope.clone(),
        }),
    })
}
