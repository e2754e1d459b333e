//! Pipelines (color/src/pipeline): building, optimising and baking looks.

#[path = "pipeline/optimize.rs"]
mod optimize;

#[path = "pipeline/reference.rs"]
mod reference;

#[path = "pipeline/properties.rs"]
mod properties;

#[path = "pipeline/bake.rs"]
mod bake;
