//! Post routes through the whole router (no socket): matching and its undo.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::api::{router, AppState};
use crate::auth::Auth;
use crate::device_registry::DeviceRegistry;
use crate::show::{demo::demo_show, ShowHandle};
use crate::store::{SqliteStore, Store};

mod exports;
mod matching;

/// The demo show on a temporary store, served by the full router.
pub struct Server {
    pub app: Router,
    _dir: tempfile::TempDir,
}

/// A response: status, content type, body bytes.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }
}

impl Server {
    pub fn demo() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("show.sqlite");
        let show =
            ShowHandle::start(Box::new(SqliteStore::open(&path).unwrap()), demo_show).unwrap();
        let reader: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
        let state = AppState {
            show,
            auth: Arc::new(Auth::open()),
            devices: DeviceRegistry::default(),
            reader: Arc::new(Mutex::new(reader)),
        };
        Server {
            app: router(state),
            _dir: dir,
        }
    }

    pub async fn send(&self, method: Method, uri: &str, body: Body, kind: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", kind)
            .body(body)
            .unwrap();
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Reply {
            status,
            content_type,
            bytes,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Method::GET, uri, Body::empty(), "application/json")
            .await
    }

    pub async fn post(&self, uri: &str, body: Value) -> Reply {
        let body = Body::from(body.to_string());
        self.send(Method::POST, uri, body, "application/json").await
    }

    pub async fn patch(&self, uri: &str, body: Value) -> Reply {
        let body = Body::from(body.to_string());
        self.send(Method::PATCH, uri, body, "application/json")
            .await
    }

    /// Uploads `bytes` as show file `name`; returns its id.
    pub async fn upload(&self, name: &str, bytes: Vec<u8>) -> String {
        let uri = format!("/api/v1/files?name={name}");
        let r = self
            .send(
                Method::POST,
                &uri,
                Body::from(bytes),
                "application/octet-stream",
            )
            .await;
        assert!(r.status.is_success(), "{}", r.json());
        r.json()["id"].as_str().unwrap().to_owned()
    }
}

/// Asserts an error reply's status, code and path, and that it says something.
pub fn assert_error(r: &Reply, status: StatusCode, code: &str, path: &str) {
    let body = r.json();
    assert_eq!(r.status, status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert_eq!(body["error"]["path"], path, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}
