//! A look as a list of ops held as data, optimised and baked into a 3D LUT.
//!
//! [`Look`] describes a camera's look (input space → working space → CDL → look
//! LUTs → output); [`Look::pipeline`] turns it into a [`Pipeline`] of [`Op`]s;
//! [`Pipeline::optimized`] removes and merges adjacent ops that cancel;
//! [`Pipeline::bake`] evaluates it in f64 on an N³ lattice.

mod bake;
mod batch;
mod build;
mod op;
mod optimize;
mod output;

pub use bake::{BakedLut, BAKE_SIZE_RANGE, HALF_MAX};
pub use build::{to_aces, Look, WorkingSpace};
pub use op::{finite, CurveDirection, FixedFunction, Op};
pub use output::{output_ids, resolve_output, Output};

use crate::cdl::CdlError;
use crate::lut::LutError;
use crate::spaces::SpaceError;

/// Why a look could not be built or baked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Space(#[from] SpaceError),
    #[error(transparent)]
    Cdl(#[from] CdlError),
    #[error(transparent)]
    Lut(#[from] LutError),
    #[error("unknown output {id:?}: expected one of {valid}")]
    UnknownOutput { id: String, valid: String },
    #[error("unknown working space {0:?}: expected one of camera, acescct")]
    UnknownWorking(String),
    #[error("bake size {size} is outside {min}..={max}")]
    BakeSize { size: usize, min: usize, max: usize },
}

/// An ordered list of ops, applied first to last.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    ops: Vec<Op>,
}

impl Pipeline {
    pub fn new(ops: Vec<Op>) -> Self {
        Self { ops }
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops
    }

    pub fn into_ops(self) -> Vec<Op> {
        self.ops
    }

    pub fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    /// Applies every op in order to one pixel, in f64.
    pub fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        let rgb = rgb.map(finite);
        self.ops.iter().fold(rgb, |v, op| op.apply(v))
    }

    /// The same transform with cancelling and mergeable neighbours removed or merged.
    pub fn optimized(self) -> Self {
        Self {
            ops: optimize::optimize(self.ops),
        }
    }
}
