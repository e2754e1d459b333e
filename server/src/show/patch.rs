//! A change to the show document as data: replace a value, add or remove a keyed item.
//!
//! Paths are JSON pointers into the show's JSON form (`/cameras/a/grade/trim/slope/0`).
//! Ids and field names never hold `/` or `~`, so no pointer escaping is needed.

use indexmap::IndexMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::model::Show;

/// One change at one path, carrying what was there before so it can be undone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "op", rename_all = "lowercase", deny_unknown_fields)]
pub enum Patch {
    /// Replace the value at `path`.
    Replace {
        path: String,
        before: Value,
        after: Value,
    },
    /// Add a keyed item (a camera, a look, …) at `path`.
    Add { path: String, value: Value },
    /// Remove the keyed item at `path`, whose value was `value`.
    Remove { path: String, value: Value },
}

/// A patch that does not fit the show.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PatchError {
    #[error("{path}: no such item or field")]
    NotFound { path: String },
    #[error("{path}: already exists")]
    Exists { path: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl Patch {
    pub fn path(&self) -> &str {
        match self {
            Patch::Replace { path, .. } | Patch::Add { path, .. } | Patch::Remove { path, .. } => {
                path
            }
        }
    }

    /// The patch that undoes this one.
    pub fn inverse(&self) -> Patch {
        match self.clone() {
            Patch::Replace {
                path,
                before,
                after,
            } => Patch::Replace {
                path,
                before: after,
                after: before,
            },
            Patch::Add { path, value } => Patch::Remove { path, value },
            Patch::Remove { path, value } => Patch::Add { path, value },
        }
    }

    /// The value this patch leaves at its path (`None` after a removal).
    pub fn result(&self) -> Option<&Value> {
        match self {
            Patch::Replace { after, .. } | Patch::Add { value: after, .. } => Some(after),
            Patch::Remove { .. } => None,
        }
    }
}

impl Show {
    /// Applies one patch. On error the show is unchanged.
    pub fn apply(&mut self, patch: &Patch) -> Result<(), PatchError> {
        if let Some(number) = self.cdl_number_patch(patch) {
            let (slot, value) = number;
            *slot = value;
            return Ok(());
        }
        let path = patch.path();
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or("").split('/').collect();
        let (head, rest) = segments.split_first().ok_or_else(|| not_found(path))?;
        if rest.is_empty() {
            return self.apply_top(head, patch);
        }
        match *head {
            "cameras" => apply_in_map(&mut self.cameras, rest, patch),
            "looks" => apply_in_map(&mut self.looks, rest, patch),
            "outputs" => apply_in_map(&mut self.outputs, rest, patch),
            "groups" => apply_in_map(&mut self.groups, rest, patch),
            "snapshots" => apply_in_map(&mut self.snapshots, rest, patch),
            "scenes" => apply_in_map(&mut self.scenes, rest, patch),
            "device_bypass" => apply_in_map(&mut self.device_bypass, rest, patch),
            "files" => apply_in_map(&mut self.files, rest, patch),
            _ => Err(not_found(path)),
        }
    }

    /// Replaces a whole top-level field or collection (imports).
    fn apply_top(&mut self, head: &str, patch: &Patch) -> Result<(), PatchError> {
        match head {
            "cameras" => apply_field(&mut self.cameras, &[], patch),
            "looks" => apply_field(&mut self.looks, &[], patch),
            "outputs" => apply_field(&mut self.outputs, &[], patch),
            "groups" => apply_field(&mut self.groups, &[], patch),
            "snapshots" => apply_field(&mut self.snapshots, &[], patch),
            "scenes" => apply_field(&mut self.scenes, &[], patch),
            "device_bypass" => apply_field(&mut self.device_bypass, &[], patch),
            "files" => apply_field(&mut self.files, &[], patch),
            "name" => apply_field(&mut self.name, &[], patch),
            "frame_rate" => apply_field(&mut self.frame_rate, &[], patch),
            "cdl_style" => apply_field(&mut self.cdl_style, &[], patch),
            "working_space" => apply_field(&mut self.working_space, &[], patch),
            "timecode_source" => apply_field(&mut self.timecode_source, &[], patch),
            _ => Err(not_found(patch.path())),
        }
    }

    /// Reads the value at a JSON pointer (serializing only the item it falls in).
    pub fn value_at(&self, path: &str) -> Option<Value> {
        if let Some(p) = CdlPointer::parse(path) {
            if let Some(camera) = self.cameras.get(p.camera) {
                return serde_json::to_value(p.number(&camera.grade)).ok();
            }
        }
        let segments: Vec<&str> = path.strip_prefix('/')?.split('/').collect();
        let (head, rest) = segments.split_first()?;
        let in_map = |v: Option<Value>| {
            let v = v?;
            if rest.len() <= 1 {
                return Some(v);
            }
            v.pointer(&pointer(&rest[1..])).cloned()
        };
        let key = rest.first().copied().unwrap_or("");
        match *head {
            "cameras" => in_map(item_value(&self.cameras, key)),
            "looks" => in_map(item_value(&self.looks, key)),
            "outputs" => in_map(item_value(&self.outputs, key)),
            "groups" => in_map(item_value(&self.groups, key)),
            "snapshots" => in_map(item_value(&self.snapshots, key)),
            "scenes" => in_map(item_value(&self.scenes, key)),
            "device_bypass" => in_map(item_value(&self.device_bypass, key)),
            "files" => in_map(item_value(&self.files, key)),
            _ => serde_json::to_value(self).ok()?.pointer(path).cloned(),
        }
    }
}

impl Show {
    /// A replace of one number of a camera's trim or match CDL with a number (what a trim
    /// does): the slot and its new value, set directly rather than through the camera's
    /// JSON form (the same result: an `f64` reads any JSON number as [`Value::as_f64`]).
    /// Anything else, or a camera that is not there, takes the general path.
    fn cdl_number_patch(&mut self, patch: &Patch) -> Option<(&mut f64, f64)> {
        let Patch::Replace { path, after, .. } = patch else {
            return None;
        };
        let value = after.as_f64()?;
        let p = CdlPointer::parse(path)?;
        let camera = self.cameras.get_mut(p.camera)?;
        Some((p.number_mut(&mut camera.grade), value))
    }
}

/// One number of a camera's trim or match CDL, as a pointer names it:
/// `/cameras/ID/grade/trim/slope/0` … `/cameras/ID/grade/match/sat`.
struct CdlPointer<'a> {
    camera: &'a str,
    is_match: bool,
    /// `slope`, `offset`, `power` (with a channel) or `sat`.
    part: CdlPart,
}

#[derive(Clone, Copy)]
enum CdlPart {
    Slope(usize),
    Offset(usize),
    Power(usize),
    Sat,
}

impl<'a> CdlPointer<'a> {
    fn parse(path: &'a str) -> Option<CdlPointer<'a>> {
        let (camera, rest) = path.strip_prefix("/cameras/")?.split_once('/')?;
        let (which, rest) = rest.strip_prefix("grade/")?.split_once('/')?;
        let is_match = match which {
            "trim" => false,
            "match" => true,
            _ => return None,
        };
        let part = if rest == "sat" {
            CdlPart::Sat
        } else {
            let (name, channel) = rest.split_once('/')?;
            let i = match channel {
                "0" => 0,
                "1" => 1,
                "2" => 2,
                _ => return None,
            };
            match name {
                "slope" => CdlPart::Slope(i),
                "offset" => CdlPart::Offset(i),
                "power" => CdlPart::Power(i),
                _ => return None,
            }
        };
        Some(CdlPointer {
            camera,
            is_match,
            part,
        })
    }

    fn number(&self, grade: &super::model::Grade) -> f64 {
        let cdl = if self.is_match {
            &grade.match_cdl
        } else {
            &grade.trim
        };
        match self.part {
            CdlPart::Slope(i) => cdl.slope[i],
            CdlPart::Offset(i) => cdl.offset[i],
            CdlPart::Power(i) => cdl.power[i],
            CdlPart::Sat => cdl.sat,
        }
    }

    fn number_mut<'g>(&self, grade: &'g mut super::model::Grade) -> &'g mut f64 {
        let cdl = if self.is_match {
            &mut grade.match_cdl
        } else {
            &mut grade.trim
        };
        match self.part {
            CdlPart::Slope(i) => &mut cdl.slope[i],
            CdlPart::Offset(i) => &mut cdl.offset[i],
            CdlPart::Power(i) => &mut cdl.power[i],
            CdlPart::Sat => &mut cdl.sat,
        }
    }
}

fn item_value<T: Serialize>(map: &IndexMap<String, T>, key: &str) -> Option<Value> {
    serde_json::to_value(map.get(key)?).ok()
}

fn pointer(segments: &[&str]) -> String {
    segments.iter().map(|s| format!("/{s}")).collect()
}

fn not_found(path: &str) -> PatchError {
    PatchError::NotFound {
        path: path.to_owned(),
    }
}

fn invalid(path: &str, err: impl std::fmt::Display) -> PatchError {
    PatchError::Invalid {
        path: path.to_owned(),
        message: err.to_string(),
    }
}

fn apply_in_map<T: Serialize + DeserializeOwned>(
    map: &mut IndexMap<String, T>,
    rest: &[&str],
    patch: &Patch,
) -> Result<(), PatchError> {
    let path = patch.path();
    let (key, inner) = rest.split_first().ok_or_else(|| not_found(path))?;
    if inner.is_empty() {
        return match patch {
            Patch::Add { value, .. } => {
                if map.contains_key(*key) {
                    return Err(PatchError::Exists {
                        path: path.to_owned(),
                    });
                }
                let item = T::deserialize(value).map_err(|e| invalid(path, e))?;
                map.insert((*key).to_owned(), item);
                Ok(())
            }
            Patch::Remove { .. } => map
                .shift_remove(*key)
                .map(|_| ())
                .ok_or_else(|| not_found(path)),
            Patch::Replace { after, .. } => {
                let slot = map.get_mut(*key).ok_or_else(|| not_found(path))?;
                *slot = T::deserialize(after).map_err(|e| invalid(path, e))?;
                Ok(())
            }
        };
    }
    let item = map.get_mut(*key).ok_or_else(|| not_found(path))?;
    apply_field(item, inner, patch)
}

/// Replaces a value inside `target` at the pointer `inner` by round-tripping through JSON.
fn apply_field<T: Serialize + DeserializeOwned>(
    target: &mut T,
    inner: &[&str],
    patch: &Patch,
) -> Result<(), PatchError> {
    let path = patch.path();
    let Patch::Replace { after, .. } = patch else {
        return Err(invalid(path, "only a replace can change a field"));
    };
    let mut value = serde_json::to_value(&*target).map_err(|e| invalid(path, e))?;
    let slot = if inner.is_empty() {
        &mut value
    } else {
        value
            .pointer_mut(&pointer(inner))
            .ok_or_else(|| not_found(path))?
    };
    *slot = after.clone();
    *target = T::deserialize(value).map_err(|e| invalid(path, e))?;
    Ok(())
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
