//! A simulated Blackmagic camera web server answering the REST colour-correction endpoints
//! over real HTTP/1.1: GET returns the group as JSON, PUT checks the body strictly (a JSON
//! object of known numeric fields, else 400), clamps to the protocol's ranges like the
//! camera does, and answers 204 (the Aug 2025 behaviour).

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
struct CameraState {
    corrector: PrimaryCorrection,
    /// Every accepted PUT: group and body.
    puts: Vec<(String, Value)>,
    rejected: Vec<String>,
}

/// A running simulated camera.
#[derive(Debug)]
pub struct BmdCameraSim {
    addr: SocketAddr,
    state: Arc<Mutex<CameraState>>,
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
        let task = tokio::spawn(accept(listener, Arc::clone(&state)));
        Ok(Self { addr, state, task })
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
            f(&mut s.corrector);
        }
    }
}

async fn accept(listener: TcpListener, state: Arc<Mutex<CameraState>>) {
    while let Ok((stream, _)) = listener.accept().await {
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, Arc::clone(&state)));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
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
) -> Result<Response<Full<Bytes>>, Infallible> {
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
        Method::PUT => Ok(put(&mut s, &group, &body)),
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
