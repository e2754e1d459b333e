//! lookwire's color engine: pure math, no network, no async.
//!
//! - [`cdl`]: ASC CDL v1.2 in both clamp styles.
//! - [`chart`]: the built-in test chart rendered as a camera records it.
//! - [`matching`]: ΔE 2000, chart patch sampling and the camera-match CDL solver.
//! - [`lut`]: 1D and 3D lookup tables with the scalar interpolation reference.
//! - [`spaces`]: camera and ACES encodings: transfer curves, gamuts, the registry of input spaces.
//! - [`pipeline`]: a look as a list of ops held as data, and baking it into a [`lut::Lut3d`].
//! - [`output`]: display transforms (ACES 2.0 and 1.3 output transforms, display encodings).
//! - [`kernel`]: fast renderers of baked looks over pixel buffers, one per CPU level.
//! - [`formats`]: LUT and CDL file formats, one module per format.

pub mod cdl;
pub mod chart;
pub mod formats;
pub mod kernel;
pub mod lut;
pub mod matching;
pub mod output;
pub mod pipeline;
pub mod spaces;

pub use cdl::{Cdl, CdlError, CdlStyle};
pub use lut::{Domain, Interpolation, Lut1d, Lut3d, LutError};
