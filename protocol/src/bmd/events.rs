//! The camera's notification WebSocket (`/control/api/v1/event/websocket`, protocols.md
//! §1.4): subscribe to the seven `/colorCorrection/*` properties, take the snapshot the
//! subscription answers with, then follow `propertyValueChanged` events, so changes made at
//! the camera (or by an ATEM) are seen.
//!
//! The path is the one third-party clients use (BM-Camera-Control-WebUI `BMDevice.js`); the
//! vendor document names the service and its messages but not the path.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Map, Value};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::corrector::PrimaryCorrection;
use super::rest::apply_body;

/// Where the WebSocket lives on the camera's web server.
pub const EVENT_PATH: &str = "/control/api/v1/event/websocket";

/// The properties lookwire subscribes to, one per corrector group.
pub const PROPERTIES: [&str; 7] = [
    "/colorCorrection/lift",
    "/colorCorrection/gamma",
    "/colorCorrection/gain",
    "/colorCorrection/offset",
    "/colorCorrection/contrast",
    "/colorCorrection/color",
    "/colorCorrection/lumaContribution",
];

/// What the camera's corrector holds, as its events say.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CameraSide {
    pub corrector: PrimaryCorrection,
    /// `propertyValueChanged` events taken since the subscription.
    pub changes: u64,
    /// The last property that changed.
    pub last_property: Option<String>,
}

/// Why the event WebSocket failed.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("{addr}: cannot open the event WebSocket: {message}")]
    Connect { addr: String, message: String },
    #[error("{addr}: event WebSocket: {message}")]
    Protocol { addr: String, message: String },
    #[error("{addr}: no answer within {0:?} while {doing}", Duration::from_secs(3))]
    Timeout { addr: String, doing: &'static str },
}

/// A subscribed event WebSocket; its task follows the camera until the socket closes.
#[derive(Debug)]
pub struct EventClient {
    state: watch::Receiver<CameraSide>,
    task: JoinHandle<()>,
}

impl Drop for EventClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Socket = tokio_tungstenite::WebSocketStream<TcpStream>;

impl EventClient {
    /// Connects to `host:port`, waits for `websocketOpened`, subscribes and reads the
    /// snapshot.
    pub async fn connect(addr: &str) -> Result<Self, EventError> {
        let err = |message: String| EventError::Connect {
            addr: addr.to_string(),
            message,
        };
        let timeout = Duration::from_secs(3);
        let tcp = tokio::time::timeout(timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| err("no TCP connection within 3 s".into()))?
            .map_err(|e| err(e.to_string()))?;
        let url = format!("ws://{addr}{EVENT_PATH}");
        let (mut ws, _) = tokio::time::timeout(timeout, tokio_tungstenite::client_async(url, tcp))
            .await
            .map_err(|_| err("no WebSocket handshake within 3 s".into()))?
            .map_err(|e| err(e.to_string()))?;
        let opened = next_json(&mut ws, addr, "waiting for websocketOpened").await?;
        if opened["type"] != "event" || opened["data"]["action"] != "websocketOpened" {
            return Err(protocol(
                addr,
                format!("expected websocketOpened, got {opened}"),
            ));
        }
        let request = json!({"type": "request", "id": 1,
            "data": {"action": "subscribe", "properties": PROPERTIES}});
        ws.send(Message::text(request.to_string()))
            .await
            .map_err(|e| err(e.to_string()))?;
        let mut side = CameraSide::default();
        loop {
            let msg = next_json(&mut ws, addr, "waiting for the subscription").await?;
            if msg["type"] != "response" || msg["id"] != 1 {
                continue; // events may come first; the snapshot follows
            }
            if msg["data"]["success"] != true {
                return Err(protocol(addr, format!("subscribe refused: {msg}")));
            }
            let values = msg["data"]["values"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (property, value) in &values {
                apply_property(&mut side.corrector, property, value)
                    .map_err(|m| protocol(addr, m))?;
            }
            break;
        }
        let (tx, state) = watch::channel(side);
        let task = tokio::spawn(follow(ws, tx, addr.to_string()));
        Ok(Self { state, task })
    }

    /// The camera side now.
    pub fn state(&self) -> CameraSide {
        self.state.borrow().clone()
    }

    /// Wakes on every change made at the camera.
    pub fn subscribe(&self) -> watch::Receiver<CameraSide> {
        self.state.clone()
    }

    /// Whether the socket is still open.
    pub fn is_open(&self) -> bool {
        !self.task.is_finished()
    }
}

fn protocol(addr: &str, message: String) -> EventError {
    EventError::Protocol {
        addr: addr.to_string(),
        message,
    }
}

async fn next_json(ws: &mut Socket, addr: &str, doing: &'static str) -> Result<Value, EventError> {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(3), ws.next())
            .await
            .map_err(|_| EventError::Timeout {
                addr: addr.to_string(),
                doing,
            })?;
        match msg {
            Some(Ok(Message::Text(t))) => {
                return serde_json::from_str(t.as_str())
                    .map_err(|e| protocol(addr, format!("not JSON ({e}): {t}")))
            }
            Some(Ok(Message::Close(_))) | None => {
                return Err(protocol(addr, format!("closed while {doing}")))
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(protocol(addr, e.to_string())),
        }
    }
}

/// Applies one property's value (`/colorCorrection/gain` → the gain group).
pub fn apply_property(
    c: &mut PrimaryCorrection,
    property: &str,
    value: &Value,
) -> Result<(), String> {
    let group = property
        .strip_prefix("/colorCorrection/")
        .ok_or_else(|| format!("{property:?} is not a colorCorrection property"))?;
    let body: &Map<String, Value> = value
        .as_object()
        .ok_or_else(|| format!("{property}: the value is not a JSON object"))?;
    apply_body(c, group, body)
}

async fn follow(mut ws: Socket, tx: watch::Sender<CameraSide>, addr: String) {
    while let Some(msg) = ws.next().await {
        let text = match msg {
            Ok(Message::Text(t)) => t,
            Ok(Message::Ping(p)) => {
                let _ = ws.send(Message::Pong(p)).await;
                continue;
            }
            Ok(Message::Close(_)) | Err(_) => return,
            Ok(_) => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(text.as_str()) else {
            tracing::warn!("{addr}: event WebSocket: ignored a frame that is not JSON");
            continue;
        };
        if v["type"] != "event" || v["data"]["action"] != "propertyValueChanged" {
            continue;
        }
        let property = v["data"]["property"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut next = tx.borrow().corrector;
        match apply_property(&mut next, &property, &v["data"]["value"]) {
            Ok(()) => tx.send_modify(|s| {
                s.corrector = next;
                s.changes += 1;
                s.last_property = Some(property);
            }),
            Err(e) => tracing::warn!("{addr}: event WebSocket: ignored: {e}"),
        }
    }
}
