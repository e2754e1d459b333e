//! Devices that are not fed looks: OSC control surfaces (trims in, applied values out) and
//! Videohub routers (followed and kept connected). Both report through the manager's list.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use lookwire_protocol::manager::{DeviceManager, LinkReporter};
use lookwire_protocol::osc::{feedback, Command, OscEndpoint, Received, TrimField};
use lookwire_protocol::videohub::VideohubClient;
use lookwire_protocol::ConnectionState;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::show::{Action, GradeField, ShowHandle};

/// The router client while connected (routes from the UI go through it).
pub type RouterSlot = Arc<Mutex<Option<Arc<VideohubClient>>>>;

/// The show action an OSC command stands for.
pub fn action(cmd: &Command) -> Result<Action, String> {
    let trim = |camera: &str, field: String, value: Value| -> Result<Action, String> {
        Ok(Action::Trim {
            camera: camera.to_string(),
            field: GradeField::parse(&field)?,
            value,
        })
    };
    match cmd {
        Command::Rgb { camera, field, rgb } => {
            trim(camera, format!("trim.{}", field.name()), json!(rgb))
        }
        Command::Channel {
            camera,
            field,
            channel,
            value,
        } => trim(
            camera,
            format!("trim.{}.{}", field.name(), ["r", "g", "b"][*channel]),
            json!(value),
        ),
        Command::Saturation { camera, value } => trim(camera, "trim.sat".into(), json!(value)),
        Command::Reset { camera } => {
            trim(camera, "trim".into(), json!(lookwire_color::Cdl::IDENTITY))
        }
    }
}

/// Sends the applied trim of `camera` to every surface (except a sender in its guard window).
async fn send_trim(ep: &OscEndpoint, show: &ShowHandle, camera: &str) {
    let view = show.view();
    let Some(cam) = view.show.cameras.get(camera) else {
        return;
    };
    let t = cam.grade.trim;
    for (field, values) in [
        (TrimField::Slope.name(), t.slope.to_vec()),
        (TrimField::Offset.name(), t.offset.to_vec()),
        (TrimField::Power.name(), t.power.to_vec()),
        ("sat", vec![t.sat]),
    ] {
        if let Err(e) = ep.send_feedback(feedback(camera, field, &values)).await {
            tracing::warn!("OSC feedback for camera {camera}: {e}");
        }
    }
}

/// Listens for OSC on `bind`, applies commands to the show, and answers every trim change
/// (from any client) with the applied values.
pub async fn start_osc(
    manager: &Arc<Mutex<DeviceManager>>,
    show: ShowHandle,
    id: &str,
    bind: &str,
) -> std::io::Result<(Arc<OscEndpoint>, JoinHandle<()>)> {
    let reporter = super::lock(manager).add_link(id, "osc-surface", format!("udp://{bind}"));
    let (ep, mut rx) = match OscEndpoint::bind(bind).await {
        Ok(x) => x,
        Err(e) => {
            reporter.set(
                ConnectionState::Disconnected,
                Some(format!("cannot listen on {bind}: {e}")),
            );
            return Err(e);
        }
    };
    reporter.set(ConnectionState::Connected, None);
    let ep = Arc::new(ep);
    let endpoint = Arc::clone(&ep);
    let task = tokio::spawn(async move {
        let mut changes = show.subscribe();
        loop {
            tokio::select! {
                got = rx.recv() => match got {
                    Some(r) => apply(&show, r).await,
                    None => return,
                },
                change = changes.recv() => match change {
                    Ok(c) => for camera in &c.event.cameras { send_trim(&endpoint, &show, camera).await },
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                },
            }
        }
    });
    Ok((ep, task))
}

async fn apply(show: &ShowHandle, r: Received) {
    let result = match action(&r.command) {
        Ok(a) => show
            .apply("osc", a, None)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        tracing::warn!("OSC from {}: {:?} refused: {e}", r.from, r.command);
    }
}

/// Keeps a Videohub connected (reconnecting with backoff) and reports its state.
pub fn start_videohub(
    manager: &Arc<Mutex<DeviceManager>>,
    id: &str,
    addr: String,
) -> (JoinHandle<()>, RouterSlot) {
    let reporter = super::lock(manager).add_link(id, "videohub", format!("tcp://{addr}"));
    let current: RouterSlot = Arc::default();
    let slot = Arc::clone(&current);
    let task = tokio::spawn(async move { follow_videohub(addr, reporter, slot).await });
    (task, current)
}

async fn follow_videohub(
    addr: String,
    reporter: LinkReporter,
    slot: Arc<Mutex<Option<Arc<VideohubClient>>>>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        reporter.set(ConnectionState::Connecting, None);
        match VideohubClient::connect(&addr).await {
            Ok(hub) => {
                backoff = Duration::from_millis(100);
                reporter.set(ConnectionState::Connected, None);
                *super::lock(&slot) = Some(Arc::clone(&hub));
                while hub.is_open() {
                    tokio::time::sleep(Duration::from_secs(15)).await;
                    if let Err(e) = hub.ping().await {
                        reporter.set(ConnectionState::Disconnected, Some(e.to_string()));
                        break;
                    }
                }
                *super::lock(&slot) = None;
                reporter.set(
                    ConnectionState::Disconnected,
                    Some("the router closed the connection".into()),
                );
            }
            Err(e) => reporter.set(ConnectionState::Disconnected, Some(e.to_string())),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// What a Blackmagic camera's own corrector holds, from its event WebSocket, against what
/// lookwire last sent it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CameraWatch {
    /// Changes the camera reported since lookwire subscribed (lookwire's own PUTs included).
    pub events: u64,
    /// A description of where the camera's corrector differs from lookwire's grade (someone
    /// turned a knob at the camera, or an ATEM overrode it); `None` when they agree.
    pub drift: Option<String>,
}

/// Where the camera's corrector differs from `sent`, group by group.
fn drift(
    camera: &lookwire_protocol::bmd::corrector::PrimaryCorrection,
    sent: &lookwire_protocol::bmd::corrector::PrimaryCorrection,
) -> Option<String> {
    use lookwire_protocol::bmd::rest::bodies;
    let differs: Vec<String> = bodies(camera)
        .into_iter()
        .zip(bodies(sent))
        .filter(|((_, a), (_, b))| !same_within_quantisation(a, b))
        .map(|((group, a), _)| format!("{group} {a}"))
        .collect();
    (!differs.is_empty()).then(|| format!("changed at the camera: {}", differs.join(", ")))
}

/// One step of the camera's own number format: Blackmagic cameras keep colour correction
/// in signed 5.11 fixed point (the SDI camera-control encoding), so a value lookwire sent
/// comes back rounded to a multiple of 1/2048.
const CAMERA_STEP: f64 = 1.0 / 2048.0;

/// Two JSON bodies agree field by field, numbers within one step of the camera's format.
fn same_within_quantisation(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= CAMERA_STEP,
            _ => x == y,
        },
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_within_quantisation(v, w)))
        }
        _ => a == b,
    }
}

/// Follows a Blackmagic camera's event WebSocket (reconnecting with backoff) and records
/// changes made at the camera, so the device list shows them.
pub(super) async fn follow_bmd_events(shared: Arc<super::Shared>, id: String, addr: String) {
    use lookwire_protocol::bmd::corrector::PrimaryCorrection;
    use lookwire_protocol::bmd::events::EventClient;
    let mut backoff = Duration::from_millis(200);
    loop {
        match EventClient::connect(&addr).await {
            Ok(client) => {
                backoff = Duration::from_millis(200);
                let mut rx = client.subscribe();
                loop {
                    let side = rx.borrow_and_update().clone();
                    let sent = shared
                        .tally
                        .shown(&id)
                        .and_then(|l| l.cdl)
                        .map(|c| PrimaryCorrection::from_cdl(&c));
                    let watch = CameraWatch {
                        events: side.changes,
                        drift: sent.and_then(|s| drift(&side.corrector, &s)),
                    };
                    super::lock(&shared.cameras).insert(id.clone(), watch);
                    shared.wake_publish.notify_one();
                    if rx.changed().await.is_err() {
                        break;
                    }
                }
            }
            Err(e) => tracing::debug!("camera {id}: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod drift_tests {
    use super::*;
    use lookwire_protocol::bmd::corrector::PrimaryCorrection;

    #[test]
    fn a_quantised_echo_is_no_drift_and_a_turned_knob_is() {
        let sent = PrimaryCorrection {
            gain: [1.1234567, 1.0, 0.9876543, 1.0],
            saturation: 0.8765432,
            ..PrimaryCorrection::default()
        };
        let mut echo = sent;
        // The camera rounds to 5.11 fixed point.
        let q = |v: f64| (v * 2048.0).round() / 2048.0;
        echo.gain = echo.gain.map(q);
        echo.saturation = q(echo.saturation);
        assert_ne!(echo, sent);
        assert_eq!(drift(&echo, &sent), None);
        let mut turned = echo;
        turned.gain[2] = 1.2;
        let d = drift(&turned, &sent).expect("a knob turned at the camera");
        assert!(d.contains("gain") && d.contains("1.2"), "{d}");
    }
}
