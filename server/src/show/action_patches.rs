//! The patches each action makes: small builders that read the show and say what changes,
//! used by [`super::actions::Action::plan`].

use lookwire_color::Cdl;
use serde::Serialize;
use serde_json::{json, Value};

use super::actions::{GradeField, Stamp};
use super::history::{History, Scope};
use super::model::*;
use super::patch::Patch;
use super::updates::Update;
use super::ShowError;

pub(super) fn to_value<T: Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A replace at `path` reading `before` from the show.
pub(super) fn replace(show: &Show, path: String, after: Value) -> Patch {
    let before = show.value_at(&path).unwrap_or(Value::Null);
    Patch::Replace {
        path,
        before,
        after,
    }
}

pub(super) fn need<'a, T>(
    map: &'a indexmap::IndexMap<Id, T>,
    what: &'static str,
    id: &str,
) -> Result<&'a T, ShowError> {
    map.get(id).ok_or_else(|| ShowError::NotFound {
        what,
        id: id.to_owned(),
    })
}

pub(super) fn add<T: Serialize>(
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

pub(super) fn remove<T: Serialize>(
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
pub(super) fn updates(show: &Show, base: &str, update: &impl Update) -> Vec<Patch> {
    update
        .fields()
        .into_iter()
        .map(|(k, v)| replace(show, format!("{base}/{k}"), v))
        .collect()
}

/// A replace for each field `update` sets on the item at `/{collection}/{id}`.
pub(super) fn update_item<T>(
    show: &Show,
    map: &indexmap::IndexMap<Id, T>,
    (collection, what): (&str, &'static str),
    id: &str,
    update: &impl Update,
) -> Result<Vec<Patch>, ShowError> {
    need(map, what, id)?;
    Ok(updates(show, &format!("/{collection}/{id}"), update))
}

pub(super) fn set_grade(
    show: &Show,
    camera: &str,
    update: &impl Update,
) -> Result<Vec<Patch>, ShowError> {
    need(&show.cameras, "camera", camera)?;
    Ok(updates(show, &format!("/cameras/{camera}/grade"), update))
}

pub(super) fn create<T: Serialize>(
    map: &indexmap::IndexMap<Id, T>,
    (collection, what): (&str, &'static str),
    id: &str,
    item: &T,
) -> Result<Vec<Patch>, ShowError> {
    Ok(vec![add(map, collection, what, id, item)?])
}

pub(super) fn delete<T: Serialize>(
    map: &indexmap::IndexMap<Id, T>,
    (collection, what): (&str, &'static str),
    id: &str,
) -> Result<Vec<Patch>, ShowError> {
    Ok(vec![remove(map, collection, what, id)?])
}

pub(super) fn trim(
    show: &Show,
    camera: &str,
    field: &GradeField,
    value: &Value,
) -> Result<Vec<Patch>, ShowError> {
    let cam = need(&show.cameras, "camera", camera)?;
    let path = format!("/cameras/{camera}{}", field_pointer(cam, field)?);
    Ok(vec![replace(show, path, value.clone())])
}

/// The primary trim (and nodes) back to identity; the match too when asked.
pub(super) fn reset_grade(
    show: &Show,
    camera: &str,
    include_match: bool,
) -> Result<Vec<Patch>, ShowError> {
    let cam = need(&show.cameras, "camera", camera)?;
    let identity = to_value(&Cdl::IDENTITY);
    let base = format!("/cameras/{camera}/grade");
    let mut patches = vec![replace(show, format!("{base}/trim"), identity.clone())];
    if !cam.grade.nodes.is_empty() {
        patches.push(replace(show, format!("{base}/nodes"), json!([])));
    }
    if include_match {
        patches.push(replace(show, format!("{base}/match"), identity));
    }
    Ok(patches)
}

pub(super) fn take_snapshot(
    show: &Show,
    camera: &str,
    id: &str,
    name: &str,
    stamp: &Stamp,
) -> Result<Vec<Patch>, ShowError> {
    let cam = need(&show.cameras, "camera", camera)?;
    let snapshot = Snapshot {
        id: id.to_owned(),
        camera: camera.to_owned(),
        name: name.to_owned(),
        grade: cam.grade.clone(),
        timecode: stamp.timecode.clone(),
        wall_ms: stamp.wall_ms,
    };
    create(&show.snapshots, ("snapshots", "snapshot"), id, &snapshot)
}

pub(super) fn recall_snapshot(show: &Show, id: &str) -> Result<Vec<Patch>, ShowError> {
    let s = need(&show.snapshots, "snapshot", id)?;
    let path = format!("/cameras/{}/grade", s.camera);
    Ok(vec![replace(show, path, to_value(&s.grade))])
}

pub(super) fn save_scene(
    show: &Show,
    id: &str,
    name: &str,
    fade_frames: u32,
    stamp: &Stamp,
) -> Result<Vec<Patch>, ShowError> {
    let scene = Scene {
        id: id.to_owned(),
        name: name.to_owned(),
        grades: show
            .cameras
            .iter()
            .map(|(k, c)| (k.clone(), c.grade.clone()))
            .collect(),
        timecode: stamp.timecode.clone(),
        wall_ms: stamp.wall_ms,
        fade_frames,
    };
    create(&show.scenes, ("scenes", "scene"), id, &scene)
}

/// Every camera of the scene to its grade.
pub(super) fn recall_scene(show: &Show, id: &str) -> Result<Vec<Patch>, ShowError> {
    let scene = need(&show.scenes, "scene", id)?;
    Ok(scene
        .grades
        .iter()
        .map(|(camera, grade)| replace(show, format!("/cameras/{camera}/grade"), to_value(grade)))
        .collect())
}

/// The frames a recall of scene `id` fades over (none for a cut).
pub(super) fn scene_fade(show: &Show, id: &str) -> Option<u32> {
    let frames = show.scenes.get(id)?.fade_frames;
    (frames > 0).then_some(frames)
}

pub(super) fn device_bypass(show: &Show, device: &str, bypass: Bypass) -> Patch {
    let path = format!("/device_bypass/{device}");
    match show.device_bypass.get(device) {
        Some(_) => replace(show, path, to_value(&bypass)),
        None => Patch::Add {
            path,
            value: to_value(&bypass),
        },
    }
}

/// Where `field` sits in `cam`, or a refusal that names the field.
pub(super) fn field_pointer(cam: &Camera, field: &GradeField) -> Result<String, ShowError> {
    field.pointer_in(cam).map_err(|message| {
        ShowError::Invalid(super::ValidationError {
            path: "field".into(),
            message,
        })
    })
}

pub(super) fn group_trim(
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

pub(super) fn copy_grade(
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
pub(super) fn delete_camera(show: &Show, id: &str) -> Result<Vec<Patch>, ShowError> {
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
pub(super) fn import(show: &Show, new: &Show) -> Vec<Patch> {
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

pub(super) fn undo_redo(
    show: &Show,
    history: &History,
    scope: &Scope,
    redo: bool,
) -> Result<Vec<Patch>, ShowError> {
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
    Ok(patches
        .into_iter()
        .map(|p| match p {
            Patch::Replace { path, after, .. } => replace(show, path, after),
            Patch::Remove { path, value } => Patch::Remove {
                value: show.value_at(&path).unwrap_or(value),
                path,
            },
            add => add,
        })
        .collect())
}
