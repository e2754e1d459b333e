//! Tally and on-air protection.
//!
//! Tally sources (TSL UMD v3.1/v5.0 from the vision mixer) say which cameras are on air
//! (program) or next (preview). A tally source carries an on-air protection option (issue
//! #8 "Tally"): while a camera is on air a look change to any device carrying it either
//! **fades** from the look on air to the new one over N show frames, or is **held** until the
//! camera leaves air and then sent. The newest held look wins; an older one is dropped.
//! Explicit device tests refuse an on-air camera unless forced ([`super::admin`]).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lookwire_color::Lut3d;
use lookwire_protocol::manager::DeviceManager;
use lookwire_protocol::Look;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::config::Protection;
use super::{lock, Shared};
use crate::timecode::FrameRate;

/// One camera's tally as the API reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CameraTally {
    pub camera: String,
    /// On air (program).
    pub program: bool,
    /// Next (preview).
    pub preview: bool,
    /// The tally source (device id) that last reported this camera.
    pub source: String,
    /// What a look change to this camera does while it is on air.
    pub protection: Protection,
    /// The source fell silent for longer than its `timeout_ms`: program and preview are
    /// cleared until it reports this camera again.
    #[serde(default)]
    pub expired: bool,
}

/// Where a device stands with on-air protection, as the device list reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProtectionState {
    /// Nothing held back: the device shows the newest look (or is being sent it).
    #[default]
    Clear,
    /// A newer look is held until the camera is off air.
    Held,
    /// The device is fading to its newest look.
    Fading,
}

/// What a device's row in the device list says about tally.
#[derive(Debug, Default)]
pub struct DeviceTally {
    pub on_air: bool,
    pub state: ProtectionState,
}

/// What to do with a look handed to a device.
#[derive(Debug)]
pub enum Admit {
    Send(Look),
    Held,
    /// Fade from `from` to `to`: `start_fade` with `number`, the fade reserved for it.
    Fade {
        from: Look,
        to: Look,
        frames: u32,
        number: u64,
    },
}

#[derive(Debug, Default)]
struct Board {
    cameras: BTreeMap<String, CameraTally>,
    /// The newest look each device was handed (or is fading to).
    shown: HashMap<String, Look>,
    /// The look last pushed to each device (a fade's step while fading).
    wire: HashMap<String, Look>,
    held: HashMap<String, Look>,
    fades: HashMap<String, Fade>,
    /// Fades started so far (numbers them).
    fades_started: u64,
    frame_rate: Option<FrameRate>,
}

impl Board {
    /// Records `step` as on the wire of device `id` when fade `number` is still the
    /// device's fade; false (nothing recorded) when a newer look or the device's removal
    /// has ended it.
    fn fade_step(&mut self, id: &str, number: u64, step: &Look) -> bool {
        if self.fades.get(id).map(|f| f.number) != Some(number) {
            return false;
        }
        self.wire.insert(id.to_string(), step.clone());
        true
    }
}

/// A device's fade: its number, so its task can tell whether it is still the device's
/// fade, and the task once started (reserved by [`TallyBoard::admit`] under the same lock
/// as its decision, so a newer look or the device's removal in between ends it too).
#[derive(Debug)]
struct Fade {
    number: u64,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Fade {
    fn end(self) {
        if let Some(task) = self.task {
            task.abort();
        }
    }
}

/// Every camera's tally and every device's protected looks.
#[derive(Debug, Default)]
pub struct TallyBoard {
    board: Mutex<Board>,
}

impl TallyBoard {
    pub fn cameras(&self) -> Vec<CameraTally> {
        lock(&self.board).cameras.values().cloned().collect()
    }

    pub fn set_frame_rate(&self, rate: FrameRate) {
        lock(&self.board).frame_rate = Some(rate);
    }

    /// One frame of the show's rate (25 fps before the show is read).
    fn frame(&self) -> Duration {
        let (num, den) = lock(&self.board)
            .frame_rate
            .map_or((25, 1), FrameRate::ratio);
        Duration::from_secs_f64(den as f64 / num.max(1) as f64)
    }

    /// Whether `camera` is on air, and the protection that applies to it then.
    pub fn on_air(&self, camera: &str) -> Option<Protection> {
        let b = lock(&self.board);
        b.cameras
            .get(camera)
            .filter(|t| t.program)
            .map(|t| t.protection)
    }

    pub fn device(&self, id: &str, camera: Option<&str>) -> DeviceTally {
        let b = lock(&self.board);
        let on_air = camera
            .and_then(|c| b.cameras.get(c))
            .is_some_and(|t| t.program);
        let state = if b.held.contains_key(id) {
            ProtectionState::Held
        } else if b
            .fades
            .get(id)
            .is_some_and(|f| f.task.as_ref().is_none_or(|t| !t.is_finished()))
        {
            ProtectionState::Fading
        } else {
            ProtectionState::Clear
        };
        DeviceTally { on_air, state }
    }

    /// Decides what a new look for device `id` (carrying `camera`) does now.
    pub fn admit(&self, id: &str, camera: Option<&str>, look: Look) -> Admit {
        // The on-air test and the decision share one guard: a tally change in between
        // would otherwise hold a look for a camera already off air, until it next left air.
        let mut b = lock(&self.board);
        let protection = camera
            .and_then(|c| b.cameras.get(c))
            .filter(|t| t.program)
            .map(|t| t.protection);
        if let Some(fade) = b.fades.remove(id) {
            fade.end();
        }
        if protection == Some(Protection::Hold) {
            // What is on air stays; the newest look goes out once the camera is off air.
            b.held.insert(id.to_string(), look);
            return Admit::Held;
        }
        b.held.remove(id);
        b.shown.insert(id.to_string(), look.clone());
        let from = b.wire.get(id).cloned();
        match (protection, from) {
            (Some(Protection::Fade { frames }), Some(from)) if frames > 1 => {
                b.fades_started += 1;
                let number = b.fades_started;
                b.fades.insert(id.to_string(), Fade { number, task: None });
                Admit::Fade {
                    from,
                    to: look,
                    frames,
                    number,
                }
            }
            _ => {
                b.wire.insert(id.to_string(), look.clone());
                Admit::Send(look)
            }
        }
    }

    /// A camera's tally from `source`; returns the held looks to send when it left air.
    pub(super) fn set(
        &self,
        camera: &str,
        program: bool,
        preview: bool,
        source: &str,
        protection: Protection,
        routes: &HashMap<String, super::Route>,
    ) -> Vec<(String, Look)> {
        let mut b = lock(&self.board);
        b.cameras.insert(
            camera.to_string(),
            CameraTally {
                camera: camera.to_string(),
                program,
                preview,
                source: source.to_string(),
                protection,
                expired: false,
            },
        );
        if program {
            return Vec::new();
        }
        let ids: Vec<String> = b
            .held
            .keys()
            .filter(|id| routes.get(*id).is_some_and(|r| r.camera == camera))
            .cloned()
            .collect();
        ids.into_iter()
            .filter_map(|id| {
                let look = b.held.remove(&id)?;
                b.shown.insert(id.clone(), look.clone());
                b.wire.insert(id.clone(), look.clone());
                Some((id, look))
            })
            .collect()
    }

    /// Drops a tally source's cameras (the source was removed); returns released looks.
    pub(super) fn forget_source(
        &self,
        source: &str,
        routes: &HashMap<String, super::Route>,
    ) -> Vec<(String, Look)> {
        let cams: Vec<String> = lock(&self.board)
            .cameras
            .values()
            .filter(|t| t.source == source)
            .map(|t| t.camera.clone())
            .collect();
        let mut out = Vec::new();
        for c in cams {
            out.extend(self.set(&c, false, false, source, Protection::Off, routes));
            lock(&self.board).cameras.remove(&c);
        }
        out
    }

    /// A silent source's cameras go off air, marked expired; returns released looks.
    pub(super) fn expire_source(
        &self,
        source: &str,
        routes: &HashMap<String, super::Route>,
    ) -> Vec<(String, Look)> {
        let cams: Vec<CameraTally> = lock(&self.board)
            .cameras
            .values()
            .filter(|t| t.source == source && !t.expired)
            .cloned()
            .collect();
        let mut out = Vec::new();
        for t in cams {
            out.extend(self.set(&t.camera, false, false, source, t.protection, routes));
            if let Some(c) = lock(&self.board).cameras.get_mut(&t.camera) {
                c.expired = true;
            }
        }
        out
    }

    pub fn forget_device(&self, id: &str) {
        let mut b = lock(&self.board);
        b.shown.remove(id);
        b.wire.remove(id);
        b.held.remove(id);
        if let Some(f) = b.fades.remove(id) {
            f.end();
        }
    }

    /// The look the device was last handed (for restoring after a test).
    pub fn shown(&self, id: &str) -> Option<Look> {
        lock(&self.board).shown.get(id).cloned()
    }
}

/// Sends `frames` steps from `from` to `to`, one per show frame, as fade `number` (which
/// [`TallyBoard::admit`] reserved); the last step is `to`. Nothing when the fade has ended
/// since.
///
/// A newer look for the device ends the fade ([`TallyBoard::admit`] removes it and aborts
/// its task), but an abort takes effect only at the task's next await: a step computed
/// meanwhile would reach the device after the newer look, or seed the next fade from a
/// step the device never keeps. So each step goes out under the board's lock, and only
/// while this fade is still the device's.
pub(super) fn start_fade(
    manager: &Arc<Mutex<DeviceManager>>,
    shared: &Arc<Shared>,
    id: &str,
    (from, to): (Look, Look),
    frames: u32,
    number: u64,
) {
    let frame = shared.tally.frame();
    let (manager, id_owned) = (Arc::clone(manager), id.to_string());
    let board = Arc::clone(shared);
    // The task starts under this lock, so it cannot take a step before it is registered.
    let mut b = lock(&shared.tally.board);
    let Some(fade) = b.fades.get_mut(id).filter(|f| f.number == number) else {
        return; // a newer look, or the device's removal, came first
    };
    fade.task = Some(tokio::spawn(async move {
        let mut tick = tokio::time::interval(frame);
        for k in 1..=frames {
            tick.tick().await;
            let step = if k == frames {
                to.clone()
            } else {
                blend(&from, &to, f64::from(k) / f64::from(frames))
            };
            let mut b = lock(&board.tally.board);
            if !b.fade_step(&id_owned, number, &step) {
                return;
            }
            let _ = lock(&manager).push(&id_owned, step);
        }
        board.wake_publish.notify_one();
    }));
}

/// The look `t` of the way from `a` to `b` (lattices node by node, CDLs parameter by
/// parameter); `b` itself when the lattices differ in size or domain.
pub fn blend(a: &Look, b: &Look, t: f64) -> Look {
    let (la, lb) = (&a.lut, &b.lut);
    if la.size() != lb.size() || la.domain() != lb.domain() {
        return b.clone();
    }
    let t32 = t as f32;
    let data = la
        .data()
        .iter()
        .zip(lb.data())
        .map(|(x, y)| std::array::from_fn(|c| x[c] + (y[c] - x[c]) * t32))
        .collect();
    let Ok(lut) = Lut3d::new(la.size(), data, la.domain()) else {
        return b.clone();
    };
    let cdl = match (a.cdl, b.cdl) {
        (Some(x), Some(y)) => Some(crate::show::fade::cdl_between(&x, &y, t)),
        _ => b.cdl,
    };
    Look {
        lut: Arc::new(lut),
        cdl,
        ..b.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(gain: f32) -> Look {
        let lut = Lut3d::from_fn(2, |[r, g, b]| [r * f64::from(gain), g, b]).unwrap();
        Look::from_lut(lut, format!("gain {gain}"))
    }

    /// A fade step computed after a newer look was admitted (its task's abort takes effect
    /// only at its next await) is not recorded, and the newer look's fade starts from the
    /// last step that went out.
    #[tokio::test]
    async fn a_fade_ended_by_a_newer_look_sends_no_more_steps() {
        let tally = TallyBoard::default();
        {
            let mut b = lock(&tally.board);
            b.cameras.insert(
                "a".into(),
                CameraTally {
                    camera: "a".into(),
                    program: true,
                    preview: false,
                    source: "mixer".into(),
                    protection: Protection::Fade { frames: 12 },
                    expired: false,
                },
            );
            b.wire.insert("box".into(), look(1.0));
            let task = Some(tokio::spawn(std::future::pending()));
            b.fades.insert("box".into(), Fade { number: 1, task });
            b.fades_started = 1;
        }
        let step = look(1.5);
        assert!(lock(&tally.board).fade_step("box", 1, &step));
        assert_eq!(lock(&tally.board).wire["box"].lut, step.lut);

        let Admit::Fade { from, number, .. } = tally.admit("box", Some("a"), look(3.0)) else {
            panic!("an on-air camera with fade protection fades");
        };
        assert_eq!(from.lut, step.lut);
        assert_eq!(number, 2);
        // The ended fade's next step: not recorded, so not sent.
        assert!(!lock(&tally.board).fade_step("box", 1, &look(1.7)));
        assert_eq!(lock(&tally.board).wire["box"].lut, step.lut);
        // The new fade is the device's from the moment it was decided, before its task runs.
        assert_eq!(
            tally.device("box", Some("a")).state,
            ProtectionState::Fading
        );
        assert!(lock(&tally.board).fade_step("box", 2, &look(2.0)));
        // Nor after the device is forgotten, even by a fade whose task had not started.
        tally.forget_device("box");
        assert!(!lock(&tally.board).fade_step("box", 2, &look(2.1)));
        assert!(lock(&tally.board).fades.is_empty());
    }
}
