//! Route tests without a socket (`tower::ServiceExt::oneshot`).

mod cameras;
mod devices;
mod grade_nodes;
mod openapi;
mod resources;
mod security;
mod ws;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::{router, AppState};
use crate::auth::Auth;
use crate::device_registry::DeviceRegistry;
use crate::show::{demo::demo_show, ShowHandle};
use crate::store::{SqliteStore, Store};

/// A demo show on a temporary store, and the router serving it.
pub struct TestServer {
    pub app: Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub fn demo() -> TestServer {
        Self::with_auth(Auth::open())
    }

    pub fn with_auth(auth: Auth) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("show.sqlite");
        let show =
            ShowHandle::start(Box::new(SqliteStore::open(&path).unwrap()), demo_show).unwrap();
        let reader: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
        let state = AppState {
            show,
            auth: Arc::new(auth),
            devices: DeviceRegistry::default(),
            reader: Arc::new(Mutex::new(reader)),
        };
        TestServer {
            app: router(state.clone()),
            state,
            _dir: dir,
        }
    }

    /// Serves the app on an ephemeral loopback port (for WebSocket tests).
    pub async fn listen(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = self
            .app
            .clone()
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        addr
    }

    /// Sends a request; returns the status and the body as JSON (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, uri, body, None).await
    }

    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call(Method::GET, uri, None).await
    }

    pub async fn post(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, uri, Some(body)).await
    }

    pub async fn patch(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, uri, Some(body)).await
    }
}

/// Asserts an error response's status, code and path.
pub fn assert_error(res: &(StatusCode, Value), status: StatusCode, code: &str, path: &str) {
    assert_eq!(res.0, status, "{}", res.1);
    assert_eq!(res.1["error"]["code"], code, "{}", res.1);
    assert_eq!(res.1["error"]["path"], path, "{}", res.1);
    assert!(res.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
