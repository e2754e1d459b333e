//! The WebSocket `/api/v1/ws`: trims in, acks once durable, every change out to everyone.
//!
//! Messages are JSON text frames; their JSON Schema is `server/api/ws-messages.schema.json`.
//! A client's messages are applied in the order sent (pipelined: it need not wait for an
//! ack before the next trim). Concurrent edits to one field resolve by commit order: the
//! last writer wins, and every client sees the winning value with its version.

use std::sync::Arc;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc, watch};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, ErrorDetail};
use super::AppState;
use crate::auth::{Caller, Role};
use crate::show::writer::{Change, Origin, Pending};
use crate::show::{Action, GradeField, Id, Scope, ShowError};

/// Largest message a client may send.
const MAX_MESSAGE: usize = 64 * 1024;
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
        .on_upgrade(move |socket| serve(socket, state, caller, query.since)))
}

fn text(msg: &ServerMessage) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(msg).unwrap_or_default(),
    ))
}

async fn serve(socket: WebSocket, state: AppState, caller: Caller, since: Option<u64>) {
    let client = NEXT_CLIENT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (mut sink, mut stream) = socket.split();
    let (out, mut out_rx) = mpsc::channel::<Message>(1024);
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
    let writer = tokio::spawn(async move {
        while let Some(msg) = out_rx.recv().await {
            if sink.feed(msg).await.is_err() {
                break;
            }
            // What queued meanwhile goes out with it: one flush (one write) per burst.
            while let Ok(more) = out_rx.try_recv() {
                if sink.feed(more).await.is_err() {
                    return;
                }
            }
            if sink.flush().await.is_err() {
                break;
            }
        }
    });
    let (forwarded, forwarded_rx) = watch::channel(0);
    let forward = tokio::spawn(forward_changes(
        state.clone(),
        changes,
        since,
        out.clone(),
        forwarded,
    ));
    let tally = tokio::spawn(forward_tally(tally_rx, out.clone()));
    let devices = tokio::spawn(forward_devices(devices_rx, out.clone()));
    let (acks, acks_rx) = mpsc::channel(4096);
    let acker = tokio::spawn(send_acks(acks_rx, out.clone(), forwarded_rx));
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
    forward.abort();
    tally.abort();
    devices.abort();
    drop(acks);
    let _ = acker.await;
    drop(out);
    let _ = writer.await;
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

/// Sends missed changes (from the store) then live ones, each version once, in order.
async fn forward_changes(
    state: AppState,
    mut changes: broadcast::Receiver<Arc<Change>>,
    since: Option<u64>,
    out: mpsc::Sender<Message>,
    forwarded: watch::Sender<u64>,
) {
    let mut sent = match since {
        Some(v) => match replay(&state, v, &out).await {
            Some(v) => v,
            None => return,
        },
        None => state.show.view().version,
    };
    loop {
        forwarded.send_replace(sent);
        match changes.recv().await {
            Ok(change) => {
                if change.event.version <= sent {
                    continue;
                }
                let message = Message::Text(change.message.clone());
                if out.send(message).await.is_err() {
                    return;
                }
                sent = change.event.version;
            }
            // Too slow for the live stream: catch up from the store instead.
            Err(broadcast::error::RecvError::Lagged(_)) => match replay(&state, sent, &out).await {
                Some(v) => sent = v,
                None => return,
            },
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Sends every stored change after `since`; returns the last version sent.
async fn replay(state: &AppState, mut since: u64, out: &mpsc::Sender<Message>) -> Option<u64> {
    loop {
        let from = since;
        let events = match state
            .with_reader(move |s| s.events_since(from, REPLAY_PAGE))
            .await
        {
            Ok(events) => events,
            Err(e) => {
                let _ = out.send(text(&error(None, e))).await;
                return None;
            }
        };
        if events.is_empty() {
            return Some(since);
        }
        for event in events {
            since = event.version;
            let msg = ServerMessage::Change {
                version: event.version,
                origin: None,
                event,
            };
            out.send(text(&msg)).await.ok()?;
        }
    }
}

fn error(seq: Option<u64>, err: impl Into<ApiError>) -> ServerMessage {
    ServerMessage::Error {
        seq,
        error: err.into().detail,
    }
}

/// Handles one client message; returns an immediate reply, or none when an ack will follow.
async fn handle(
    state: &AppState,
    caller: &Caller,
    client: u64,
    text: &str,
    acks: &mpsc::Sender<(u64, Pending)>,
) -> Option<ServerMessage> {
    let seq = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v.get("seq").and_then(Value::as_u64));
    let msg: ClientMessage = match super::error::parse_json(text.as_bytes()) {
        Ok(msg) => msg,
        Err(e) => return Some(error(seq, e)),
    };
    if let Err(e) = super::require(caller, Role::Operator) {
        return Some(error(seq, e));
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

/// Waits for each queued action in order and sends its ack or error.
/// Sends each ack once the change it acknowledges has gone out on this connection, so a
/// client always sees a change before its ack.
async fn send_acks(
    mut acks: mpsc::Receiver<(u64, Pending)>,
    out: mpsc::Sender<Message>,
    mut forwarded: watch::Receiver<u64>,
) {
    while let Some((seq, pending)) = acks.recv().await {
        let reply = match pending.wait().await {
            Ok(applied) => {
                // Err: the forwarder stopped (the connection is closing); ack regardless.
                let _ = forwarded.wait_for(|v| *v >= applied.version).await;
                ServerMessage::Ack {
                    seq,
                    version: applied.version,
                }
            }
            Err(e) => error(Some(seq), ApiError::from(e)),
        };
        if out.send(text(&reply)).await.is_err() {
            return;
        }
    }
}

impl From<ShowError> for ErrorDetail {
    fn from(err: ShowError) -> Self {
        ApiError::from(err).detail
    }
}
