//! The WebSocket `/api/v1/ws`: trims in, acks once durable, every change out to everyone.
//!
//! Messages are JSON text frames; their JSON Schema is `server/api/ws-messages.schema.json`.
//! A client's messages are applied in the order sent (pipelined: it need not wait for an
//! ack before the next trim). Concurrent edits to one field resolve by commit order: the
//! last writer wins, and every client sees the winning value with its version.

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorDetail};
use super::AppState;
use crate::auth::{Caller, Role};
use crate::show::writer::{Origin, Pending};
use crate::show::{Action, GradeField, Id, Scope, ShowError};

/// Largest message a client may send.
const MAX_MESSAGE: usize = 64 * 1024;
/// Bytes read from the socket at once. tungstenite zero-fills its whole free read buffer
/// before every read (128 KiB by default); a client's messages are small, and a larger one
/// grows the buffer as it needs.
const READ_BUFFER: usize = 4 * 1024;
/// Events read from the store per step when a client catches up.
const REPLAY_PAGE: usize = 1000;

pub fn routes() -> Router<AppState> {
    Router::new().route("/ws", get(upgrade))
}

/// Query parameters of the WebSocket.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct WsQuery {
    /// Resume: receive every change after this version first.
    pub since: Option<u64>,
    /// The login token, when the server requires login.
    pub token: Option<String>,
}

/// A message from a client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientMessage {
    /// Set one field of a camera's grade.
    Trim {
        /// Client sequence number, echoed in the ack or error.
        seq: u64,
        camera: Id,
        /// `trim.slope.r`, `trim.offset`, `trim.sat`, `match.power.b`, `trim`, `look`,
        /// `nodes` (the whole node list), or a grade node by id: `nodes.ID` (the node),
        /// `nodes.ID.slope.r` … `nodes.ID.sat` and `nodes.ID.cdl` on a CDL node,
        /// `nodes.ID.curves` and `nodes.ID.curves.master|r|g|b` on a curves node.
        #[schema(
            pattern = r"^(look|nodes|(trim|match)(\.(sat|(slope|offset|power)(\.[rgb])?))?|nodes\.[a-z0-9_-]+(\.(cdl|sat|curves(\.(master|r|g|b))?|(cdl\.)?(sat|(slope|offset|power)(\.[rgb])?)))?)$"
        )]
        field: String,
        /// A number, three numbers, a CDL object, a look id (or null), a node, a node list,
        /// a curves object or a list of `[input, output]` points, as the field takes.
        value: Value,
    },
    /// Undo the latest change of a camera (or of the show without `camera`).
    Undo { seq: u64, camera: Option<Id> },
    /// Redo the latest undone change of a camera (or of the show without `camera`).
    Redo { seq: u64, camera: Option<Id> },
}

impl ClientMessage {
    /// The client's sequence number of this message.
    fn seq(&self) -> u64 {
        match self {
            ClientMessage::Trim { seq, .. }
            | ClientMessage::Undo { seq, .. }
            | ClientMessage::Redo { seq, .. } => *seq,
        }
    }
}

/// A message from the server.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ServerMessage {
    /// First message on every connection.
    Hello {
        /// This connection's id, as it appears in `change.origin.client`.
        client: u64,
        /// The show version now (before any replay).
        version: u64,
        user: String,
        role: Role,
    },
    /// The message `seq` is applied and durable at `version`.
    Ack { seq: u64, version: u64 },
    /// The message `seq` (null when unreadable) was refused; nothing changed.
    Error {
        seq: Option<u64>,
        error: ErrorDetail,
    },
    /// A committed change (sent to every client, the sender too).
    Change {
        version: u64,
        /// The connection and sequence number that caused it, for WebSocket trims.
        origin: Option<Origin>,
        event: crate::show::Event,
    },
    /// The cameras' tally changed (sent only when a tally source reports a change): every
    /// camera a tally source has reported, on air or not, with its on-air protection.
    Tally {
        cameras: Vec<crate::devices::tally::CameraTally>,
    },
    /// The device list changed (at most four times a second): every device with its state,
    /// as `GET /devices` lists it.
    Devices {
        devices: Vec<crate::device_registry::DeviceInfo>,
    },
}

static NEXT_CLIENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[utoipa::path(get, path = "/ws", tag = "websocket", params(WsQuery),
    responses((status = 101, description = "Switching to the WebSocket protocol; messages are in ws-messages.schema.json"),
        (status = 400, body = super::error::ErrorBody), (status = 401, body = super::error::ErrorBody)))]
pub async fn upgrade(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<WsQuery>, axum::extract::rejection::QueryRejection>,
    ws: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|e| ApiError::bad_request("invalid_query", e.body_text(), ""))?;
    Ok(ws
        .max_message_size(MAX_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| serve(socket, state, caller, query.since)))
}

#[path = "ws_out.rs"]
mod out;
use out::Outbox;

fn text(msg: &ServerMessage) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(msg).unwrap_or_default(),
    ))
}

async fn serve(socket: WebSocket, state: AppState, caller: Caller, since: Option<u64>) {
    let client = NEXT_CLIENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (mut sink, mut stream) = socket.split();
    let (out, other) = mpsc::channel::<Message>(1024);
    // Subscribe before reading the version, so nothing falls between replay and live; and
    // to the tally before the hello, so a change right after it is not missed.
    let changes = state.show.subscribe();
    let tally_rx = state.devices.subscribe_tally();
    let devices_rx = state.devices.subscribe();
    let hello = ServerMessage::Hello {
        client,
        version: state.show.view().version,
        user: caller.name.clone(),
        role: caller.role,
    };
    if sink.send(text(&hello)).await.is_err() {
        return;
    }
    let (acks, acks_rx) = mpsc::channel(4096);
    let outbox = Outbox {
        state: state.clone(),
        sink,
        changes,
        acks: acks_rx,
        other,
    };
    let sender = tokio::spawn(outbox.run(since));
    let tally = tokio::spawn(forward_tally(tally_rx, out.clone()));
    let devices = tokio::spawn(forward_devices(devices_rx, out.clone()));
    while let Some(Ok(msg)) = stream.next().await {
        let reply = match msg {
            Message::Text(text) => handle(&state, &caller, client, text.as_str(), &acks).await,
            Message::Binary(_) => Some(error(
                None,
                ApiError::bad_request("binary_frame", "send JSON text frames", ""),
            )),
            Message::Close(_) => break,
            _ => None,
        };
        if let Some(reply) = reply {
            if out.send(text(&reply)).await.is_err() {
                break;
            }
        }
    }
    tally.abort();
    devices.abort();
    // The sender finishes the acks still due, then ends once every sender is gone.
    drop(acks);
    drop(out);
    let _ = sender.await;
}

/// Sends the cameras' tally whenever it changes.
async fn forward_tally(
    mut tally: watch::Receiver<Vec<crate::devices::tally::CameraTally>>,
    out: mpsc::Sender<Message>,
) {
    // A new receiver has seen the value it was made with: a change after the subscription
    // (made before the hello) is reported, not marked seen here.
    while tally.changed().await.is_ok() {
        let cameras = tally.borrow_and_update().clone();
        if out
            .send(text(&ServerMessage::Tally { cameras }))
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Sends the device list whenever it changes, at most every 250 ms (states, push
/// latencies and errors change with every push; the newest list wins).
async fn forward_devices(
    mut devices: watch::Receiver<Vec<crate::device_registry::DeviceInfo>>,
    out: mpsc::Sender<Message>,
) {
    while devices.changed().await.is_ok() {
        let list = devices.borrow_and_update().clone();
        let msg = ServerMessage::Devices { devices: list };
        if out.send(text(&msg)).await.is_err() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

fn error(seq: Option<u64>, err: impl Into<ApiError>) -> ServerMessage {
    ServerMessage::Error {
        seq,
        error: err.into().detail,
    }
}

/// The `seq` of a message that does not parse as a client message, when it has one.
fn seq_of(text: &str) -> Option<u64> {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("seq").and_then(Value::as_u64))
}

/// Handles one client message; returns an immediate reply, or none when an ack will follow.
async fn handle(
    state: &AppState,
    caller: &Caller,
    client: u64,
    text: &str,
    acks: &mpsc::Sender<(u64, Pending)>,
) -> Option<ServerMessage> {
    let msg: ClientMessage = match super::error::parse_json(text.as_bytes()) {
        Ok(msg) => msg,
        Err(e) => return Some(error(seq_of(text), e)),
    };
    if let Err(e) = super::require(caller, Role::Operator) {
        return Some(error(Some(msg.seq()), e));
    }
    let (seq, action) = match msg {
        ClientMessage::Trim {
            seq,
            camera,
            field,
            value,
        } => match GradeField::parse(&field) {
            Ok(field) => (
                seq,
                Action::Trim {
                    camera,
                    field,
                    value,
                },
            ),
            Err(message) => {
                return Some(error(
                    Some(seq),
                    ApiError::new(
                        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        message,
                        "/field",
                    ),
                ))
            }
        },
        ClientMessage::Undo { seq, camera } => {
            (seq, Action::Undo(camera.map_or(Scope::Show, Scope::Camera)))
        }
        ClientMessage::Redo { seq, camera } => {
            (seq, Action::Redo(camera.map_or(Scope::Show, Scope::Camera)))
        }
    };
    let origin = Origin { client, seq };
    let pending = match state.show.submit(&caller.name, action, Some(origin)).await {
        Ok(p) => p,
        Err(e) => return Some(error(Some(seq), e)),
    };
    // Acks go out in the order the messages came in.
    if acks.send((seq, pending)).await.is_err() {
        return Some(error(Some(seq), ShowError::Stopped));
    }
    None
}

impl From<ShowError> for ErrorDetail {
    fn from(err: ShowError) -> Self {
        ApiError::from(err).detail
    }
}
