//! The simulated camera's notification WebSocket (protocols.md §1.4), strict about what a
//! client sends: every request is `{"type":"request","data":{"action",…}}` with an optional
//! numeric `id`; anything else is answered `success: false` and recorded as rejected.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use super::bmd_camera::{CameraState, Changes};
use crate::bmd::events::PROPERTIES;
use crate::bmd::rest::bodies;

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())));
    *r.status_mut() = status;
    r
}

/// Answers the WebSocket handshake and serves the session on the upgraded connection.
pub(super) fn upgrade(
    req: Request<Incoming>,
    state: Arc<Mutex<CameraState>>,
    changes: Changes,
) -> Response<Full<Bytes>> {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    let is_ws = header("upgrade").as_deref() == Some("websocket")
        && header("sec-websocket-version").as_deref() == Some("13");
    let Some(key) = req.headers().get("sec-websocket-key").cloned() else {
        return plain(
            StatusCode::BAD_REQUEST,
            "a WebSocket upgrade needs Sec-WebSocket-Key",
        );
    };
    if !is_ws {
        return plain(
            StatusCode::BAD_REQUEST,
            "expected a WebSocket upgrade (version 13)",
        );
    }
    let accept = derive_accept_key(key.as_bytes());
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        session(ws, state, changes).await;
    });
    let mut r = plain(StatusCode::SWITCHING_PROTOCOLS, "");
    let h = r.headers_mut();
    h.insert(
        "upgrade",
        hyper::header::HeaderValue::from_static("websocket"),
    );
    h.insert(
        "connection",
        hyper::header::HeaderValue::from_static("Upgrade"),
    );
    if let Ok(v) = hyper::header::HeaderValue::from_str(&accept) {
        h.insert("sec-websocket-accept", v);
    }
    r
}

type Ws = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

async fn session(mut ws: Ws, state: Arc<Mutex<CameraState>>, changes: Changes) {
    let mut rx = changes.subscribe();
    let opened = json!({"type": "event", "data": {"action": "websocketOpened"}});
    if ws.send(Message::text(opened.to_string())).await.is_err() {
        return;
    }
    let mut subscribed: BTreeSet<String> = BTreeSet::new();
    loop {
        tokio::select! {
            msg = ws.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => continue,
                };
                let reply = answer(&text, &mut subscribed, &state);
                if ws.send(Message::text(reply.to_string())).await.is_err() {
                    return;
                }
            }
            change = rx.recv() => {
                let Ok((property, value)) = change else { continue };
                if !subscribed.contains(&property) {
                    continue;
                }
                let event = json!({"type": "event", "data": {"action": "propertyValueChanged",
                    "property": property, "value": value}});
                if ws.send(Message::text(event.to_string())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The current value of every known property.
fn values(state: &Mutex<CameraState>, which: &BTreeSet<String>) -> serde_json::Map<String, Value> {
    let corrector = state.lock().map(|s| s.corrector).unwrap_or_default();
    bodies(&corrector)
        .into_iter()
        .map(|(g, v)| (format!("/colorCorrection/{g}"), v))
        .filter(|(p, _)| which.contains(p))
        .collect()
}

/// One reply to one client frame; a malformed frame is refused and recorded.
fn answer(text: &str, subscribed: &mut BTreeSet<String>, state: &Mutex<CameraState>) -> Value {
    match parse(text) {
        Ok((id, action, properties)) => {
            let data = match action.as_str() {
                "subscribe" => {
                    subscribed.extend(properties.iter().cloned());
                    let set: BTreeSet<String> = properties.into_iter().collect();
                    json!({"action": action, "success": true, "values": values(state, &set)})
                }
                "unsubscribe" => {
                    for p in &properties {
                        subscribed.remove(p);
                    }
                    json!({"action": action, "success": true})
                }
                "listSubscriptions" => {
                    json!({"action": action, "success": true, "properties": subscribed})
                }
                _ => json!({"action": action, "success": true, "properties": PROPERTIES}),
            };
            let mut r = json!({"type": "response", "data": data});
            if let Some(id) = id {
                r["id"] = json!(id);
            }
            r
        }
        Err(why) => {
            if let Ok(mut s) = state.lock() {
                s.rejected.push(format!("event websocket: {why}"));
            }
            json!({"type": "response", "data": {"success": false, "error": why}})
        }
    }
}

type Parsed = (Option<u64>, String, Vec<String>);

fn parse(text: &str) -> Result<Parsed, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    if let Some(k) = obj
        .keys()
        .find(|k| !["type", "id", "data"].contains(&k.as_str()))
    {
        return Err(format!("unknown field {k:?}"));
    }
    if v["type"] != "request" {
        return Err(format!("type must be \"request\", got {}", v["type"]));
    }
    let id = match obj.get("id") {
        None => None,
        Some(i) => Some(i.as_u64().ok_or("id must be a whole number")?),
    };
    let action = v["data"]["action"]
        .as_str()
        .ok_or("data.action must be a string")?
        .to_string();
    let known = [
        "subscribe",
        "unsubscribe",
        "listSubscriptions",
        "listProperties",
    ];
    if !known.contains(&action.as_str()) {
        return Err(format!("unknown action {action:?}"));
    }
    let properties = match v["data"].get("properties") {
        None if action.ends_with("subscribe") => {
            return Err(format!("{action} needs data.properties"))
        }
        None => Vec::new(),
        Some(p) => p
            .as_array()
            .ok_or("data.properties must be an array")?
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or("a property is not a string")
            })
            .collect::<Result<_, _>>()?,
    };
    if let Some(p) = properties
        .iter()
        .find(|p| !PROPERTIES.contains(&p.as_str()))
    {
        return Err(format!("unknown property {p:?}"));
    }
    Ok((id, action, properties))
}
