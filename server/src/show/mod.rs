//! The show: its model, the changes to it, undo history, and the one task that writes it.

/// In a test store wrapping a real one in `self.inner`: the `Store` methods the tests never
/// intercept, each handed to the inner store as it is.
#[cfg(test)]
macro_rules! store_methods_forwarded_to_inner {
    () => {
        fn load(&mut self) -> Result<Option<crate::store::Loaded>, crate::store::StoreError> {
            self.inner.load()
        }
        fn init(&mut self, base: &crate::show::Show) -> Result<(), crate::store::StoreError> {
            self.inner.init(base)
        }
        fn events_since(
            &mut self,
            version: u64,
            limit: usize,
        ) -> Result<Vec<crate::show::Event>, crate::store::StoreError> {
            self.inner.events_since(version, limit)
        }
        fn put_file(
            &mut self,
            file: &crate::store::StoredFile,
        ) -> Result<(), crate::store::StoreError> {
            self.inner.put_file(file)
        }
        fn get_file(
            &mut self,
            id: &str,
        ) -> Result<Option<crate::store::StoredFile>, crate::store::StoreError> {
            self.inner.get_file(id)
        }
        fn put_user(
            &mut self,
            user: &crate::store::StoredUser,
        ) -> Result<(), crate::store::StoreError> {
            self.inner.put_user(user)
        }
        fn delete_user(&mut self, name: &str) -> Result<bool, crate::store::StoreError> {
            self.inner.delete_user(name)
        }
        fn users(&mut self) -> Result<Vec<crate::store::StoredUser>, crate::store::StoreError> {
            self.inner.users()
        }
        fn put_device(
            &mut self,
            device: &crate::store::StoredDevice,
        ) -> Result<(), crate::store::StoreError> {
            self.inner.put_device(device)
        }
        fn delete_device(&mut self, id: &str) -> Result<bool, crate::store::StoreError> {
            self.inner.delete_device(id)
        }
        fn devices(&mut self) -> Result<Vec<crate::store::StoredDevice>, crate::store::StoreError> {
            self.inner.devices()
        }
        fn put_camera_checks(
            &mut self,
            checks: &crate::store::StoredChecks,
        ) -> Result<(), crate::store::StoreError> {
            self.inner.put_camera_checks(checks)
        }
        fn camera_checks(
            &mut self,
        ) -> Result<Vec<crate::store::StoredChecks>, crate::store::StoreError> {
            self.inner.camera_checks()
        }
    };
}

mod action_patches;
pub mod actions;
pub mod curves;
pub mod demo;
mod durable;
pub mod fade;
pub mod fit;
pub mod history;
pub mod look;
pub mod look_luts;
pub mod model;
pub mod patch;
pub mod recording;
pub mod updates;
pub mod validate;
pub mod writer;

#[cfg(test)]
mod curves_tests;
#[cfg(test)]
pub(crate) mod durable_tests;
#[cfg(test)]
mod fade_tests;
#[cfg(test)]
mod look_lut_tests;
#[cfg(test)]
mod look_tests;
#[cfg(test)]
mod lut_test_files;
#[cfg(test)]
mod show_lut_tests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use actions::{Action, GradeField};
pub use fit::{fit_cdl, fitted_cdl_for, FitError, FittedCdl};
pub use history::{History, HistoryStep, Scope};
pub use look::{export_look_for, look_for, look_for_grade, CameraLook, LookError, LookNode};
pub use model::*;
pub use patch::{Patch, PatchError};
pub use validate::ValidationError;
pub use writer::{Applied, ShowHandle, ShowView};

/// One committed change: who made it, when (wall time and show timecode), and what it did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The show version this event produced (1, 2, 3, … without gaps).
    pub version: u64,
    /// The user who made the change.
    pub who: String,
    /// Wall time, milliseconds since the Unix epoch.
    pub wall_ms: i64,
    /// Show timecode when the change was applied.
    pub timecode: String,
    /// What was done, e.g. `trim`, `camera.create`, `undo`.
    pub action: String,
    /// Cameras whose fields changed.
    pub cameras: Vec<Id>,
    pub patches: Vec<Patch>,
    /// Set on undo and redo events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryStep>,
    /// Set on a scene recall that fades: the picture moves to the new grades over this
    /// many frames (the grades themselves are committed at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fade_frames: Option<u32>,
}

/// Why a change was refused. Nothing is changed when one is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShowError {
    #[error("no {what} {id:?}")]
    NotFound { what: &'static str, id: String },
    #[error("{what} {id:?} already exists")]
    Exists { what: &'static str, id: String },
    #[error("{}", .0.message)]
    Invalid(ValidationError),
    #[error("{}", .0.message)]
    Conflict(ValidationError),
    #[error("nothing to {verb} in {scope}")]
    NothingToUndo { verb: &'static str, scope: String },
    #[error("the store failed: {0}")]
    Store(String),
    #[error("the show task has stopped")]
    Stopped,
}

impl ShowError {
    /// The JSON pointer (or id) the error is about.
    pub fn path(&self) -> String {
        match self {
            ShowError::Invalid(v) | ShowError::Conflict(v) => v.path.clone(),
            ShowError::NotFound { what, id } | ShowError::Exists { what, id } => {
                format!("/{what}s/{id}")
            }
            _ => String::new(),
        }
    }
}

impl From<PatchError> for ShowError {
    fn from(err: PatchError) -> Self {
        let (path, message) = match &err {
            PatchError::NotFound { path } => (path.clone(), "no such item or field".to_owned()),
            PatchError::Exists { path } => (path.clone(), "already exists".to_owned()),
            PatchError::Invalid { path, message } => (path.clone(), message.clone()),
        };
        ShowError::Invalid(ValidationError { path, message })
    }
}
