//! The post routes: camera matching (`/cameras/{id}/match`, `/matches/…`) and exports
//! (`/exports/…`). Each router keeps its own results in memory.

pub mod matching;

use std::sync::Arc;

use axum::{Extension, Router};

use crate::api::AppState;

/// Every post route, with fresh result stores.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(matching::routes())
        .layer(Extension(Arc::new(
            crate::post::matching::Matches::default(),
        )))
}

#[cfg(test)]
mod tests;
