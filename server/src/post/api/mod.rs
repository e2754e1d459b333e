//! The post routes: camera matching (`/cameras/{id}/match`, `/matches/…`) and exports
//! (`/exports/…`, `/clips/scan`, `/media-roots`). Each router keeps its own results in
//! memory.

pub mod exports;
pub mod matching;
pub mod scan;

use std::sync::Arc;

use axum::{Extension, Router};

use crate::api::AppState;
use crate::post::media::PostConfig;
use crate::preview::Previews;

/// Every post route, with fresh result stores, configured from the environment at start
/// ([`PostConfig::from_env`]), the report's stills from `previews` (the preview routes').
pub fn routes(previews: Arc<Previews>) -> Router<AppState> {
    routes_with(PostConfig::from_env(), previews)
}

/// Every post route, with fresh result stores and the given configuration.
pub fn routes_with(config: PostConfig, previews: Arc<Previews>) -> Router<AppState> {
    let exports = crate::post::exports::Exports::configured(&config);
    Router::new()
        .merge(matching::routes())
        .merge(exports::routes())
        .merge(scan::routes())
        .layer(Extension(Arc::new(
            crate::post::matching::Matches::default(),
        )))
        .layer(Extension(Arc::new(exports)))
        .layer(Extension(Arc::new(config)))
        .layer(Extension(previews))
}

/// Milliseconds since the Unix epoch (0 if the clock is before it).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests;
