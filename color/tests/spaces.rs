//! Spaces (color/src/spaces): curves, gamuts and the registry against published,
//! OpenColorIO and colour-science values.

#[path = "spaces/registry.rs"]
mod registry;

#[path = "spaces/curves.rs"]
mod curves;

#[path = "spaces/gamut.rs"]
mod gamut_matrices;

#[path = "spaces/reference.rs"]
mod reference;
