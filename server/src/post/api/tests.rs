//! Post routes through the whole router (no socket), on the shared test server
//! ([`crate::api::testkit`]): matching and its undo, exports, folder scans.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use serde_json::Value;

use crate::api::testkit::{Reply, TestApp};
use crate::post::media::PostConfig;

mod exports;
mod matching;
mod scan;

/// The demo show served by the full router, or by the post routes alone with a chosen
/// configuration; replies keep their bytes.
pub struct Server {
    test: TestApp,
    /// The post routes with a test's configuration, when it has one.
    post: Option<Router>,
}

impl Server {
    pub fn demo() -> Server {
        Server {
            test: TestApp::demo(),
            post: None,
        }
    }

    /// The demo show with only the post routes, configured by `config`.
    pub fn with_config(config: PostConfig) -> Server {
        let test = TestApp::demo();
        let previews = std::sync::Arc::new(crate::preview::Previews::new());
        let routes = crate::post::api::routes_with(config, previews).with_state(test.state.clone());
        Server {
            post: Some(Router::new().nest("/api/v1", routes)),
            test,
        }
    }

    pub async fn send(&self, method: Method, uri: &str, body: Body, kind: &str) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", kind)
            .body(body)
            .unwrap();
        match &self.post {
            None => self.test.send(req).await,
            Some(app) => {
                use http_body_util::BodyExt;
                use tower::ServiceExt;
                let res = app.clone().oneshot(req).await.unwrap();
                let (status, headers) = (res.status(), res.headers().clone());
                let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
                Reply {
                    status,
                    headers,
                    bytes,
                }
            }
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
    crate::api::testkit::assert_error(&(r.status, r.json()), status, code, path);
}
