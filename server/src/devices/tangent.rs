//! A Tangent panel through the Tangent Hub (managed mode): the panel grades one selected
//! camera's trim. ParameterChange increments on lookwire's parameter ids
//! ([`lookwire_protocol::tangent::ids`]) move offset/power/slope (R, G, B or all three),
//! saturation and master (exposure in stops); each change is answered with the clamped
//! value (ParameterValue). Buttons (ActionOn) select cameras, undo/redo the selected
//! camera's changes and store/recall snapshot slots. The panel's displays show the selected
//! camera and its trim (DisplayText); a change made elsewhere is sent as new values.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lookwire_color::Cdl;
use lookwire_protocol::manager::{DeviceManager, LinkReporter};
use lookwire_protocol::tangent::ids::{Action as PanelAction, Channel, Parameter, TrimField};
use lookwire_protocol::tangent::{
    AppCommand, AppDefinition, DisplayLine, HubClient, HubCommand, HubEvent,
};
use lookwire_protocol::ConnectionState;
use serde_json::json;
use tokio::task::JoinHandle;

use crate::show::{Action, GradeField, Scope, Show, ShowHandle};

const CHANNELS: [Channel; 3] = [Channel::Red, Channel::Green, Channel::Blue];

fn field_values(cdl: &Cdl, field: TrimField) -> [f64; 3] {
    match field {
        TrimField::Offset => cdl.offset,
        TrimField::Power => cdl.power,
        TrimField::Slope => cdl.slope,
    }
}

fn field_name(field: TrimField) -> &'static str {
    match field {
        TrimField::Offset => "offset",
        TrimField::Power => "power",
        TrimField::Slope => "slope",
    }
}

/// The exposure of a trim in stops: log2 of the slopes' geometric mean.
fn stops(cdl: &Cdl) -> f64 {
    let g = cdl.slope.iter().map(|s| s.max(1e-6).log2()).sum::<f64>() / 3.0;
    g.clamp(-6.0, 6.0)
}

/// A parameter's value in a trim.
pub fn value(cdl: &Cdl, p: Parameter) -> f64 {
    match p {
        Parameter::Cdl(f, Channel::Master) => field_values(cdl, f).iter().sum::<f64>() / 3.0,
        Parameter::Cdl(f, c) => {
            field_values(cdl, f)[CHANNELS.iter().position(|x| *x == c).unwrap_or(0)]
        }
        Parameter::Saturation => cdl.sat,
        Parameter::Master => stops(cdl),
    }
}

/// What `target` (a value, clamped to the parameter's range) does to the trim: the grade
/// field to set and its value.
pub fn set(cdl: &Cdl, p: Parameter, target: f64) -> (String, serde_json::Value) {
    let (lo, hi) = p.range();
    let target = target.clamp(lo, hi);
    // Increments arrive as f32: values kept to six decimals stay 0.8, not 0.79999999702.
    let q = |v: f64| (v * 1e6).round() / 1e6;
    match p {
        Parameter::Cdl(f, Channel::Master) => {
            let delta = target - value(cdl, p);
            let v = field_values(cdl, f).map(|x| q((x + delta).clamp(lo, hi)));
            (format!("trim.{}", field_name(f)), json!(v))
        }
        Parameter::Cdl(f, c) => {
            let ch = ["r", "g", "b"][CHANNELS.iter().position(|x| *x == c).unwrap_or(0)];
            (format!("trim.{}.{ch}", field_name(f)), json!(q(target)))
        }
        Parameter::Saturation => ("trim.sat".into(), json!(q(target))),
        Parameter::Master => {
            let factor = (target - stops(cdl)).exp2();
            let (lo, hi) = Parameter::Cdl(TrimField::Slope, Channel::Red).range();
            let v = cdl.slope.map(|s| q((s * factor).clamp(lo, hi)));
            ("trim.slope".into(), json!(v))
        }
    }
}

/// The snapshot a slot of a camera stands for.
pub fn snapshot_id(camera: &str, slot: u32) -> String {
    let id = format!("tangent-{slot}-{camera}");
    if id.len() <= 64 {
        return id;
    }
    // A long camera id: a stable hash keeps the id within 64 characters.
    let h = camera.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("tangent-{slot}-{h:016x}")
}

/// The panel's display: the selected camera, its trim and the last thing done.
pub fn display(show: &Show, camera: Option<&str>, status: &str) -> Vec<DisplayLine> {
    let line = |t: String, double: bool| DisplayLine {
        text: Some(t),
        double_height: double,
    };
    let Some(cam) = camera.and_then(|c| show.cameras.get(c)) else {
        return vec![line("lookwire: no camera".into(), false)];
    };
    let t = &cam.grade.trim;
    let name = if cam.label.is_empty() {
        format!("CAM {}", cam.id)
    } else {
        cam.label.clone()
    };
    let rgb = |tag: &str, v: [f64; 3]| format!("{tag} {:.3} {:.3} {:.3}", v[0], v[1], v[2]);
    vec![
        line(name, true),
        line(rgb("S", t.slope), false),
        line(rgb("O", t.offset), false),
        line(rgb("P", t.power), false),
        line(format!("Sat {:.2}  M {:+.2} st", t.sat, stops(t)), false),
        // An empty line would keep what the panel shows (length 0): a space clears it.
        line(
            if status.is_empty() {
                " ".into()
            } else {
                status.to_string()
            },
            false,
        ),
    ]
}

/// The selected camera and what the Hub was last told.
struct Panel {
    selected: Option<String>,
    sent: HashMap<Parameter, f32>,
    status: String,
}

impl Panel {
    /// The selected camera, or the show's first if it is gone.
    fn camera(&mut self, show: &Show) -> Option<String> {
        if !self
            .selected
            .as_ref()
            .is_some_and(|c| show.cameras.contains_key(c))
        {
            self.selected = show.cameras.keys().next().cloned();
            self.sent.clear();
        }
        self.selected.clone()
    }

    /// ParameterValue for every parameter whose value differs from what the Hub holds.
    fn values(&mut self, show: &Show, force: Option<Parameter>) -> Vec<AppCommand> {
        let Some(cam) = self
            .camera(show)
            .and_then(|c| show.cameras.get(&c).cloned())
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for p in Parameter::all() {
            let v = value(&cam.grade.trim, p) as f32;
            if Some(p) == force || self.sent.get(&p) != Some(&v) {
                self.sent.insert(p, v);
                out.push(AppCommand::ParameterValue {
                    param_id: p.id(),
                    value: v,
                    at_default: (f64::from(v) - p.default_value()).abs() < 1e-6,
                });
            }
        }
        out
    }
}

/// Connects to the Tangent Hub at `address` (retrying with backoff) and lets its panels
/// grade the show; reports its state as device `id`.
pub fn start_tangent(
    manager: &Arc<Mutex<DeviceManager>>,
    show: ShowHandle,
    id: &str,
    address: String,
    app: AppDefinition,
) -> JoinHandle<()> {
    let reporter = super::lock(manager).add_link(id, "tangent", format!("tcp://{address}"));
    let who = format!("tangent:{id}");
    tokio::spawn(async move {
        let (hub, mut events) = HubClient::start(address, app);
        let mut changes = show.subscribe();
        let mut panel = Panel {
            selected: None,
            sent: HashMap::new(),
            status: String::new(),
        };
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Some(e) => on_event(&hub, &show, &reporter, &mut panel, &who, e).await,
                    None => return,
                },
                change = changes.recv() => match change {
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        refresh(&hub, &show, &mut panel, false);
                    }
                    Err(_) => return,
                },
            }
        }
    })
}

/// Sends the values that changed and the display (`all`: every value, as on connect).
fn refresh(hub: &HubClient, show: &ShowHandle, panel: &mut Panel, all: bool) {
    let view = show.view();
    if all {
        panel.sent.clear();
    }
    let before = panel.selected.clone();
    let values = panel.values(&view.show, None);
    if values.is_empty() && !all && before == panel.selected {
        return;
    }
    values.into_iter().for_each(|c| hub.send(c));
    let lines = display(&view.show, panel.selected.as_deref(), &panel.status);
    hub.send(AppCommand::DisplayText { lines });
}

async fn on_event(
    hub: &HubClient,
    show: &ShowHandle,
    reporter: &LinkReporter,
    panel: &mut Panel,
    who: &str,
    event: HubEvent,
) {
    match event {
        HubEvent::Connecting => reporter.set(ConnectionState::Connecting, None),
        HubEvent::Disconnected(why) => reporter.set(ConnectionState::Disconnected, Some(why)),
        HubEvent::Ready { .. } => {
            reporter.set(ConnectionState::Connected, None);
            refresh(hub, show, panel, true);
        }
        HubEvent::Garbage(e) => reporter.set(ConnectionState::Connected, Some(e.to_string())),
        HubEvent::Command(c) => on_command(hub, show, panel, who, c).await,
    }
}

async fn on_command(
    hub: &HubClient,
    show: &ShowHandle,
    panel: &mut Panel,
    who: &str,
    c: HubCommand,
) {
    let view = show.view();
    let Some(camera) = panel.camera(&view.show) else {
        return;
    };
    let Some(trim) = view.show.cameras.get(&camera).map(|c| c.grade.trim) else {
        return;
    };
    let target = match c {
        HubCommand::ParameterChange {
            param_id,
            increment,
        } => Parameter::from_id(param_id).map(|p| (p, value(&trim, p) + f64::from(increment))),
        HubCommand::ParameterReset { param_id } => {
            Parameter::from_id(param_id).map(|p| (p, p.default_value()))
        }
        HubCommand::ParameterValueRequest { param_id } => {
            // The requested value, plus any other the Hub does not hold yet: `values` marks
            // each one it returns as sent, so all of them must go out.
            if let Some(p) = Parameter::from_id(param_id) {
                panel
                    .values(&view.show, Some(p))
                    .into_iter()
                    .for_each(|c| hub.send(c));
            }
            return;
        }
        HubCommand::ActionOn { action_id } => {
            match PanelAction::from_id(action_id) {
                Some(a) => on_action(show, panel, who, &camera, a).await,
                None => tracing::debug!("Tangent: action 0x{action_id:08X} is none of lookwire's"),
            }
            send_state(hub, show, panel, None);
            return;
        }
        other => {
            tracing::debug!("Tangent: {other:?} is not used by lookwire");
            return;
        }
    };
    let Some((p, target)) = target else {
        tracing::debug!("Tangent: {c:?} names none of lookwire's parameters");
        return;
    };
    let (field, v) = set(&trim, p, target);
    let result = match GradeField::parse(&field) {
        Ok(field) => show
            .apply(
                who,
                Action::Trim {
                    camera: camera.clone(),
                    field,
                    value: v,
                },
                None,
            )
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!("Tangent: {} on camera {camera} refused: {e}", p.label());
    }
    // The clamped value goes back even when it did not move (the ring hit its end).
    send_state(hub, show, panel, Some(p));
}

/// Sends the values that changed (`force`d always) and the display.
fn send_state(hub: &HubClient, show: &ShowHandle, panel: &mut Panel, force: Option<Parameter>) {
    let view = show.view();
    panel
        .values(&view.show, force)
        .into_iter()
        .for_each(|c| hub.send(c));
    let lines = display(&view.show, panel.selected.as_deref(), &panel.status);
    hub.send(AppCommand::DisplayText { lines });
}

async fn on_action(show: &ShowHandle, panel: &mut Panel, who: &str, camera: &str, a: PanelAction) {
    let view = show.view();
    let cameras: Vec<&String> = view.show.cameras.keys().collect();
    let at = cameras.iter().position(|c| *c == camera).unwrap_or(0);
    let n = cameras.len();
    let select = |i: usize| cameras.get(i).map(|c| c.to_string());
    let (action, status) = match a {
        PanelAction::CameraNext => {
            panel.selected = select((at + 1) % n);
            (None, String::new())
        }
        PanelAction::CameraPrevious => {
            panel.selected = select((at + n - 1) % n);
            (None, String::new())
        }
        PanelAction::CameraSelect(k) => {
            match select(k as usize - 1) {
                Some(c) => panel.selected = Some(c),
                None => panel.status = format!("no camera {k}"),
            }
            (None, panel.status.clone())
        }
        PanelAction::Undo => (
            Some(Action::Undo(Scope::Camera(camera.into()))),
            "undo".into(),
        ),
        PanelAction::Redo => (
            Some(Action::Redo(Scope::Camera(camera.into()))),
            "redo".into(),
        ),
        PanelAction::SnapshotStore(k) => {
            let id = snapshot_id(camera, k);
            if view.show.snapshots.contains_key(&id) {
                let _ = show
                    .apply(who, Action::DeleteSnapshot(id.clone()), None)
                    .await;
            }
            let name = format!("Tangent slot {k}");
            (
                Some(Action::TakeSnapshot {
                    camera: camera.into(),
                    id,
                    name,
                }),
                format!("stored slot {k}"),
            )
        }
        PanelAction::SnapshotRecall(k) => {
            let id = snapshot_id(camera, k);
            if view.show.snapshots.contains_key(&id) {
                (
                    Some(Action::RecallSnapshot(id)),
                    format!("recalled slot {k}"),
                )
            } else {
                (None, format!("slot {k} is empty"))
            }
        }
    };
    panel.status = status;
    if let Some(action) = action {
        if let Err(e) = show.apply(who, action, None).await {
            panel.status = cut(&e.to_string(), 32);
            tracing::warn!("Tangent: {a:?} on camera {camera} refused: {e}");
        }
    }
}

fn cut(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn master_parameters_move_all_three_channels_and_clamp() {
        let cdl = Cdl {
            slope: [1.0, 1.2, 0.8],
            offset: [0.0, 0.1, -0.1],
            ..Cdl::IDENTITY
        };
        let p = Parameter::Cdl(TrimField::Offset, Channel::Master);
        assert!((value(&cdl, p) - 0.0).abs() < 1e-12);
        let (field, v) = set(&cdl, p, 0.05);
        assert_eq!(field, "trim.offset");
        let v: [f64; 3] = serde_json::from_value(v).unwrap();
        for (got, want) in v.iter().zip([0.05, 0.15, -0.05]) {
            assert!((got - want).abs() < 1e-12, "{v:?}");
        }
        // One channel, clamped to the range.
        let (field, v) = set(&cdl, Parameter::Cdl(TrimField::Slope, Channel::Green), 99.0);
        assert_eq!((field.as_str(), v), ("trim.slope.g", json!(8.0)));
        // Master is exposure: +1 stop doubles every slope, keeping the balance.
        let (field, v) = set(&cdl, Parameter::Master, stops(&cdl) + 1.0);
        assert_eq!(field, "trim.slope");
        let v: [f64; 3] = serde_json::from_value(v).unwrap();
        for (got, want) in v.iter().zip([2.0, 2.4, 1.6]) {
            assert!((got - want).abs() < 1e-9, "{v:?}");
        }
    }

    #[test]
    fn snapshot_ids_are_valid_for_any_camera_id() {
        assert_eq!(snapshot_id("a", 3), "tangent-3-a");
        let long = "c".repeat(64);
        let id = snapshot_id(&long, 16);
        assert!(crate::show::is_valid_id(&id), "{id}");
        assert_ne!(id, snapshot_id(&"d".repeat(64), 16));
    }
}

#[cfg(test)]
#[path = "tangent_tests.rs"]
mod surface_tests;
