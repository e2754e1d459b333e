//! Undo and redo stacks, per camera and for the whole show, rebuilt from the event log.
//!
//! An entry keeps the patches it would revert, so undo never has to read the log. Quick
//! repeats of the same trim by the same user (a slider drag) merge into one entry.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::patch::Patch;
use super::Event;

/// Entries kept per stack.
const DEPTH: usize = 500;
/// Changes to the same fields by the same user within this time merge into one undo step.
const MERGE_MS: i64 = 1000;

/// Whose undo stack an undo or redo works on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "camera", rename_all = "lowercase")]
pub enum Scope {
    /// The whole show: the latest change of any kind.
    Show,
    /// One camera: the latest change to that camera, reverting only that camera's fields.
    Camera(String),
}

/// What an undo or redo event did to the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryStep {
    pub redo: bool,
    pub scope: Scope,
}

#[derive(Clone, Debug)]
pub struct Entry {
    pub who: String,
    pub wall_ms: i64,
    pub patches: Vec<Patch>,
    /// The frames the change faded over (a faded scene recall): its undo and redo fade too.
    pub fade_frames: Option<u32>,
}

#[derive(Clone, Debug, Default)]
struct Stacks {
    undo: Vec<Entry>,
    redo: Vec<Entry>,
}

impl Stacks {
    fn record(&mut self, entry: Entry) {
        self.redo.clear();
        if let Some(top) = self.undo.last_mut() {
            if mergeable(top, &entry) {
                for (old, new) in top.patches.iter_mut().zip(entry.patches) {
                    if let (Patch::Replace { after, .. }, Patch::Replace { after: a, .. }) =
                        (old, new)
                    {
                        *after = a;
                    }
                }
                top.wall_ms = entry.wall_ms;
                return;
            }
        }
        self.undo.push(entry);
        if self.undo.len() > DEPTH {
            self.undo.remove(0);
        }
    }
}

fn mergeable(top: &Entry, new: &Entry) -> bool {
    top.who == new.who
        && top.fade_frames.is_none()
        && new.fade_frames.is_none()
        && new.wall_ms - top.wall_ms < MERGE_MS
        && top.patches.len() == new.patches.len()
        && top.patches.iter().zip(&new.patches).all(|(a, b)| {
            matches!((a, b), (Patch::Replace { .. }, Patch::Replace { .. })) && a.path() == b.path()
        })
}

/// Undo and redo stacks of one show.
#[derive(Clone, Debug, Default)]
pub struct History {
    show: Stacks,
    cameras: HashMap<String, Stacks>,
}

/// The camera a patch path falls under, if any.
pub fn camera_of(path: &str) -> Option<&str> {
    path.strip_prefix("/cameras/")?.split('/').next()
}

impl History {
    /// Records a committed event (a change, an undo or a redo).
    pub fn record(&mut self, event: &Event) {
        let entry = |patches: Vec<Patch>| Entry {
            who: event.who.clone(),
            wall_ms: event.wall_ms,
            patches,
            fade_frames: event.fade_frames,
        };
        match &event.history {
            None => {
                self.show.record(entry(event.patches.clone()));
                for camera in &event.cameras {
                    let own = event
                        .patches
                        .iter()
                        .filter(|p| camera_of(p.path()) == Some(camera))
                        .cloned()
                        .collect();
                    self.stacks(&Scope::Camera(camera.clone()))
                        .record(entry(own));
                }
            }
            Some(step) => {
                let stacks = self.stacks(&step.scope);
                let (from, to) = if step.redo {
                    (&mut stacks.redo, &mut stacks.undo)
                } else {
                    (&mut stacks.undo, &mut stacks.redo)
                };
                if let Some(moved) = from.pop() {
                    to.push(moved);
                }
            }
        }
    }

    fn stacks(&mut self, scope: &Scope) -> &mut Stacks {
        match scope {
            Scope::Show => &mut self.show,
            Scope::Camera(c) => self.cameras.entry(c.clone()).or_default(),
        }
    }

    /// The patches an undo (or redo) of `scope` would apply, in order, without their
    /// `before` values (the caller reads those from the current show).
    pub fn next(&self, scope: &Scope, redo: bool) -> Option<Vec<Patch>> {
        let stacks = match scope {
            Scope::Show => Some(&self.show),
            Scope::Camera(c) => self.cameras.get(c),
        }?;
        if redo {
            Some(stacks.redo.last()?.patches.clone())
        } else {
            Some(
                stacks
                    .undo
                    .last()?
                    .patches
                    .iter()
                    .rev()
                    .map(Patch::inverse)
                    .collect(),
            )
        }
    }

    /// The frames an undo (or redo) of `scope` fades over: those of the change it reverts
    /// (or repeats), so a faded recall is undone with the same fade.
    pub fn next_fade(&self, scope: &Scope, redo: bool) -> Option<u32> {
        let stacks = match scope {
            Scope::Show => Some(&self.show),
            Scope::Camera(c) => self.cameras.get(c),
        }?;
        let entry = if redo {
            stacks.redo.last()
        } else {
            stacks.undo.last()
        };
        entry?.fade_frames
    }

    /// How many steps can be undone and redone in `scope`.
    pub fn depth(&self, scope: &Scope) -> (usize, usize) {
        let stacks = match scope {
            Scope::Show => Some(&self.show),
            Scope::Camera(c) => self.cameras.get(c),
        };
        stacks.map_or((0, 0), |s| (s.undo.len(), s.redo.len()))
    }
}
