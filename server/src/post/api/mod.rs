//! The post routes: camera matching (`/cameras/{id}/match`, `/matches/…`) and exports
//! (`/exports/…`). Each router keeps its own results in memory.

pub mod exports;
pub mod matching;

use std::sync::Arc;

use axum::{Extension, Router};

use crate::api::AppState;

/// Every post route, with fresh result stores.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(matching::routes())
        .merge(exports::routes())
        .layer(Extension(Arc::new(
            crate::post::matching::Matches::default(),
        )))
        .layer(Extension(Arc::new(
            crate::post::exports::Exports::temporary(),
        )))
}

#[cfg(test)]
mod tests;
