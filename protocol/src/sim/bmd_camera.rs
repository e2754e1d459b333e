//! A simulated Blackmagic camera web server answering the REST colour-correction endpoints
//! over real HTTP/1.1: GET returns the group as JSON, PUT checks the body strictly (a JSON
//! object of known numeric fields, else 400), clamps to the protocol's ranges like the
//! camera does, and answers 204 (the Aug 2025 behaviour). It also serves the notification
//! WebSocket (`/control/api/v1/event/websocket`): `websocketOpened` on connect, strict
//! `request` handling (subscribe answers with a snapshot), and `propertyValueChanged` for
//! every subscribed group a PUT or a knob on the camera changes.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::bmd::corrector::PrimaryCorrection;
use crate::bmd::rest::{apply_body, bodies, BASE};

/// State of the simulated camera.
#[derive(Debug, Default)]
pub(super) struct CameraState {
    pub(super) corrector: PrimaryCorrection,
    /// Every accepted PUT: group and body.
    puts: Vec<(String, Value)>,
    pub(super) rejected: Vec<String>,
}

/// A changed property and its whole new value, for the event WebSocket.
pub(super) type Changes = tokio::sync::broadcast::Sender<(String, Value)>;

/// A running simulated camera.
#[derive(Debug)]
pub struct BmdCameraSim {
    addr: SocketAddr,
    state: Arc<Mutex<CameraState>>,
    changes: Changes,
    task: JoinHandle<()>,
}

impl Drop for BmdCameraSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl BmdCameraSim {
    pub async fn start(addr: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(CameraState::default()));
        let changes = tokio::sync::broadcast::channel(256).0;
        let task = tokio::spawn(accept(listener, Arc::clone(&state), changes.clone()));
        Ok(Self {
            addr,
            state,
            changes,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The corrector now.
    pub fn corrector(&self) -> PrimaryCorrection {
        self.state.lock().map(|s| s.corrector).unwrap_or_default()
    }
    /// Every accepted PUT, in order.
    pub fn puts(&self) -> Vec<(String, Value)> {
        self.state
            .lock()
            .map(|s| s.puts.clone())
            .unwrap_or_default()
    }
    /// Every refused request with the reason.
    pub fn rejected(&self) -> Vec<String> {
        self.state
            .lock()
            .map(|s| s.rejected.clone())
            .unwrap_or_default()
    }
    /// Someone turns a knob on the camera itself.
    pub fn local_change(&self, f: impl FnOnce(&mut PrimaryCorrection)) {
        if let Ok(mut s) = self.state.lock() {
            let before = bodies(&s.corrector);
            f(&mut s.corrector);
            s.corrector = s.corrector.clamped();
            announce(&self.changes, &before, &s.corrector);
        }
    }
}

/// Sends an event for every group whose body differs from `before`.
fn announce(changes: &Changes, before: &[(&'static str, Value); 7], now: &PrimaryCorrection) {
    for ((group, old), (_, new)) in before.iter().zip(bodies(now)) {
        if *old != new {
            let _ = changes.send((format!("/colorCorrection/{group}"), new));
        }
    }
}

async fn accept(listener: TcpListener, state: Arc<Mutex<CameraState>>, changes: Changes) {
    while let Ok((stream, _)) = listener.accept().await {
        let (state, changes) = (Arc::clone(&state), changes.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                handle(req, Arc::clone(&state), changes.clone())
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

fn reply(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

async fn handle(
    req: Request<Incoming>,
    state: Arc<Mutex<CameraState>>,
    changes: Changes,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if req.uri().path() == crate::bmd::events::EVENT_PATH {
        return Ok(super::bmd_events::upgrade(req, state, changes));
    }
    let Some(group) = req
        .uri()
        .path()
        .strip_prefix(BASE)
        .and_then(|p| p.strip_prefix('/'))
        .map(str::to_string)
    else {
        return Ok(reply(
            StatusCode::NOT_FOUND,
            r#"{"error":"no such resource"}"#.into(),
        ));
    };
    let method = req.method().clone();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Ok(reply(StatusCode::BAD_REQUEST, String::new())),
    };
    let Ok(mut s) = state.lock() else {
        return Ok(reply(StatusCode::INTERNAL_SERVER_ERROR, String::new()));
    };
    let current = bodies(&s.corrector);
    let Some((_, value)) = current.iter().find(|(g, _)| *g == group) else {
        return Ok(reply(
            StatusCode::NOT_FOUND,
            format!(r#"{{"error":"unknown group {group}"}}"#),
        ));
    };
    match method {
        Method::GET => Ok(reply(StatusCode::OK, value.to_string())),
        Method::PUT => {
            let before = bodies(&s.corrector);
            let r = put(&mut s, &group, &body);
            announce(&changes, &before, &s.corrector);
            Ok(r)
        }
        _ => Ok(reply(StatusCode::METHOD_NOT_ALLOWED, String::new())),
    }
}

fn put(s: &mut CameraState, group: &str, body: &[u8]) -> Response<Full<Bytes>> {
    let parsed: Result<Value, String> =
        serde_json::from_slice(body).map_err(|e| format!("{group}: not JSON: {e}"));
    let result = parsed.and_then(|v| {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("{group}: body is not a JSON object"))?
            .clone();
        let mut next = s.corrector;
        apply_body(&mut next, group, &obj)?;
        s.corrector = next.clamped();
        Ok(v)
    });
    match result {
        Ok(v) => {
            s.puts.push((group.to_string(), v));
            reply(StatusCode::NO_CONTENT, String::new())
        }
        Err(why) => {
            s.rejected.push(why.clone());
            reply(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error": why }).to_string(),
            )
        }
    }
}
