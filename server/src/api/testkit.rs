//! One test-server setup for route tests (`#[cfg(test)]` only): the demo show on a temporary
//! store, served by the full router without a socket (`tower::ServiceExt::oneshot`), or on an
//! ephemeral loopback port for WebSocket tests.
//!
//! Route tests anywhere in the crate can build on it:
//! `let t = TestApp::demo(); let r = t.request(Method::GET, "/api/v1/cameras", None).await;`

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::{router, AppState};
use crate::auth::Auth;
use crate::device_registry::DeviceRegistry;
use crate::show::{demo::demo_show, Show, ShowHandle};
use crate::store::{Durability, SqliteStore, Store};

/// A show on a temporary store, and the router serving it. The store lives as long as this.
pub struct TestApp {
    pub app: Router,
    pub state: AppState,
    _dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp").finish_non_exhaustive()
    }
}

/// A response: status, headers and body bytes.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as JSON (Null when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    /// The `content-type` header ("" when absent).
    pub fn content_type(&self) -> &str {
        self.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    /// The demo show, no login (loopback rules).
    pub fn demo() -> TestApp {
        Self::with_auth(Auth::open())
    }

    /// The demo show behind the given authentication.
    pub fn with_auth(auth: Auth) -> TestApp {
        Self::with(auth, demo_show)
    }

    /// A show made by `make` (used only when the new store is empty) behind `auth`.
    pub fn with(auth: Auth, make: fn() -> Show) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("show.sqlite");
        let store = SqliteStore::open(&path).unwrap();
        Self::serving(dir, Box::new(store), auth, make)
    }

    /// The demo show, no login, on a store opened as `serve` opens it (its writer store,
    /// with `durability`: [`Durability::Power`] runs the pipelined sync end to end).
    pub fn with_durability(durability: Durability) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_writer(&dir.path().join("show.sqlite"), durability);
        Self::serving(dir, Box::new(store.unwrap()), Auth::open(), demo_show)
    }

    /// Stops serving; returns the folder holding the store (`show.sqlite`) for a restart.
    pub fn into_store(self) -> tempfile::TempDir {
        self._dir
    }

    /// The demo show, no login, on a store whose disk syncs the test finishes
    /// ([`crate::show::durable_tests::gated_store`]): each sync that begins is announced on
    /// the receiver with the sender of its outcome.
    pub fn with_gated_store() -> (
        TestApp,
        std::sync::mpsc::Receiver<crate::show::durable_tests::Entered>,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (store, entered) =
            crate::show::durable_tests::gated_store(&dir.path().join("show.sqlite"));
        (Self::with_store(dir, store), entered)
    }

    /// The demo show, no login, on `store` (its file `show.sqlite` in `dir`).
    pub fn with_store(dir: tempfile::TempDir, store: Box<dyn Store>) -> TestApp {
        Self::serving(dir, store, Auth::open(), demo_show)
    }

    fn serving(
        dir: tempfile::TempDir,
        store: Box<dyn Store>,
        auth: Auth,
        make: fn() -> Show,
    ) -> TestApp {
        let path = dir.path().join("show.sqlite");
        let show = ShowHandle::start(store, make).unwrap();
        let reader: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
        let state = AppState {
            show,
            auth: Arc::new(auth),
            devices: DeviceRegistry::default(),
            reader: Arc::new(Mutex::new(reader)),
        };
        TestApp {
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

    /// Sends any request through the router.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            headers,
            bytes,
        }
    }

    /// Sends `body` (if any) as JSON, with a bearer `token` (if any).
    pub async fn request_with(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            req = req.header("authorization", format!("Bearer {token}"));
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// Sends `body` (if any) as JSON.
    pub async fn request(&self, method: Method, uri: &str, body: Option<Value>) -> Reply {
        self.request_with(method, uri, body, None).await
    }

    /// Status and JSON body (Null when empty or not JSON).
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.call_with(method, uri, body, None).await
    }

    /// Status and JSON body, with a bearer token.
    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let reply = self.request_with(method, uri, body, token).await;
        (reply.status, reply.json())
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

/// Asserts an error response's status, code and JSON-pointer path, and that it has a message.
pub fn assert_error(res: &(StatusCode, Value), status: StatusCode, code: &str, path: &str) {
    assert_eq!(res.0, status, "{}", res.1);
    assert_eq!(res.1["error"]["code"], code, "{}", res.1);
    assert_eq!(res.1["error"]["path"], path, "{}", res.1);
    assert!(res.1["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
