//! The HTTP API under `/api/v1`, the WebSocket, the OpenAPI document and the embedded UI.

pub mod cameras;
pub mod devices;
pub mod displays;
pub mod error;
pub mod files;
pub mod health;
pub mod openapi;
pub mod resources;
pub mod schema;
pub mod session;
pub mod show;
#[cfg(test)]
pub mod testkit;
pub mod web;
pub mod ws;

use std::sync::{Arc, Mutex, PoisonError};

use axum::extract::{DefaultBodyLimit, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Router;

use crate::auth::{Auth, Caller, Role};
use crate::device_registry::DeviceRegistry;
use crate::show::ShowHandle;
use crate::store::Store;
pub use error::{ApiError, ApiJson};

/// Largest JSON body accepted (a whole show import is the big one).
pub const JSON_LIMIT: usize = 8 * 1024 * 1024;
/// Largest uploaded file (a 65³ float LUT as text is about 7 MB).
pub const UPLOAD_LIMIT: usize = 32 * 1024 * 1024;

/// Everything a handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub show: ShowHandle,
    pub auth: Arc<Auth>,
    pub devices: DeviceRegistry,
    /// A second store connection for reads (event replay, files, users) off the writer.
    pub reader: Arc<Mutex<Box<dyn Store>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// Runs `f` on the reading store connection, off the async threads.
    pub async fn with_reader<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> Result<T, crate::store::StoreError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let reader = self.reader.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = reader.lock().unwrap_or_else(PoisonError::into_inner);
            f(guard.as_mut())
        })
        .await
        .map_err(|e| ApiError::internal(format!("store task failed: {e}")))?
        .map_err(ApiError::from)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !state.auth.required() {
            return Ok(Caller::local());
        }
        let bearer = bearer_token(&parts.headers).map(str::to_owned);
        // Browsers cannot set headers on a WebSocket, an `<img>`, an `<a download>` link
        // or a preview stream, so reads (GET, which the WebSocket upgrade is) also take
        // `?token=`; anything that changes the show needs the header.
        let uri = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(&parts.uri, |o| &o.0);
        let query = (parts.method == axum::http::Method::GET)
            .then(|| token_from_query(uri.query().unwrap_or("")))
            .flatten();
        let token = bearer.or(query).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "log in first: POST /api/v1/login",
                "",
            )
        })?;
        state.auth.caller(&token).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "the token is unknown or expired",
                "",
            )
        })
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

fn token_from_query(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(str::to_owned)
}

/// Refuses callers below `role`.
pub fn require(caller: &Caller, role: Role) -> Result<(), ApiError> {
    if caller.role >= role {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!(
            "{} is a {}; this needs {}",
            caller.name,
            caller.role.as_str(),
            role.as_str()
        )))
    }
}

/// The whole application: API, WebSocket, OpenAPI document and the embedded UI.
pub fn router(state: AppState) -> Router {
    // One preview service: the preview routes' stills also feed the post report.
    let previews = Arc::new(crate::preview::Previews::with_configured_feeds());
    if let Err(e) = previews.restore_checks(&state.reader) {
        eprintln!("lookwire: the stored camera checks do not read: {e}");
    }
    let api = Router::new()
        .merge(show::routes())
        .merge(cameras::routes())
        .merge(resources::routes())
        .merge(session::routes())
        .merge(ws::routes())
        .merge(crate::preview::routes::routes_with(previews.clone()))
        .merge(crate::post::api::routes(previews))
        .merge(devices::routes())
        .merge(displays::routes())
        .merge(health::routes())
        .layer(DefaultBodyLimit::max(JSON_LIMIT))
        .merge(files::routes())
        .merge(openapi::routes())
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API route", "")
        });
    Router::new()
        .nest("/api/v1", api)
        .merge(web::routes())
        .with_state(state)
}

#[cfg(test)]
mod tests;
