//! Pipelines (color/src/pipeline): building, optimising and baking looks.

#[path = "pipeline/optimize.rs"]
mod optimize;
