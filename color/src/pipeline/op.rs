//! One step of a pipeline, held as data, with its f64 evaluation.

use crate::cdl::{Cdl, CdlStyle};
use crate::lut::{Interpolation, Lut1d, Lut3d};
use crate::spaces::Curve;
use nalgebra::Matrix3;
use std::fmt;
use std::sync::Arc;

/// A transform with no data form of its own (e.g. an ACES output transform),
/// plugged into a pipeline as a black box.
pub trait FixedFunction: Send + Sync + fmt::Debug {
    /// A short name for listings and errors.
    fn name(&self) -> &str;
    /// Applies the transform to one pixel.
    fn apply(&self, rgb: [f64; 3]) -> [f64; 3];
}

/// Which way a [`Curve`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CurveDirection {
    /// Code value → scene linear.
    Decode,
    /// Scene linear → code value.
    Encode,
}

impl CurveDirection {
    pub fn inverse(self) -> Self {
        match self {
            CurveDirection::Decode => CurveDirection::Encode,
            CurveDirection::Encode => CurveDirection::Decode,
        }
    }
}

/// One step of a look.
#[derive(Clone, Debug)]
pub enum Op {
    /// A transfer function applied to each channel.
    Curve {
        curve: Curve,
        direction: CurveDirection,
    },
    /// `out = M · rgb`.
    Matrix(Matrix3<f64>),
    Cdl {
        cdl: Cdl,
        style: CdlStyle,
    },
    Lut1d(Arc<Lut1d>),
    Lut3d {
        lut: Arc<Lut3d>,
        interpolation: Interpolation,
    },
    /// Clamp every channel to `[min, max]` (either bound may be infinite).
    Range {
        min: f64,
        max: f64,
    },
    Fixed(Arc<dyn FixedFunction>),
}

/// Keeps a value finite: NaN → 0, ±∞ → ±`f64::MAX` (no op hands on a non-finite value).
#[inline(always)]
pub fn finite(x: f64) -> f64 {
    let y = x.clamp(f64::MIN, f64::MAX);
    if x.is_nan() {
        0.0
    } else {
        y
    }
}

impl Op {
    pub fn decode(curve: Curve) -> Self {
        Op::Curve {
            curve,
            direction: CurveDirection::Decode,
        }
    }

    pub fn encode(curve: Curve) -> Self {
        Op::Curve {
            curve,
            direction: CurveDirection::Encode,
        }
    }

    /// True when the op treats each channel on its own (so it can be evaluated per axis).
    pub fn is_per_channel(&self) -> bool {
        match self {
            Op::Curve { .. } | Op::Lut1d(_) | Op::Range { .. } => true,
            Op::Cdl { cdl, .. } => cdl.sat == 1.0,
            Op::Matrix(m) => (0..3).all(|r| (0..3).all(|c| r == c || m[(r, c)] == 0.0)),
            Op::Lut3d { .. } | Op::Fixed(_) => false,
        }
    }

    /// Applies a per-channel op to channel `c` alone (only for [`Op::is_per_channel`] ops).
    pub(crate) fn apply_channel(&self, c: usize, x: f64) -> f64 {
        let y = match self {
            Op::Curve { curve, direction } => match direction {
                CurveDirection::Decode => curve.decode(x),
                CurveDirection::Encode => curve.encode(x),
            },
            Op::Lut1d(lut) => {
                let mut rgb = [0.0; 3];
                rgb[c] = x;
                lut.lookup_f64(rgb)[c]
            }
            Op::Range { min, max } => clamp_range(x, *min, *max),
            Op::Matrix(m) => m[(c, c)] * x,
            _ => {
                let mut rgb = [x; 3];
                rgb = self.apply(rgb);
                rgb[c]
            }
        };
        finite(y)
    }

    /// Applies the op to one pixel in f64. A finite input always gives a finite output.
    pub fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        let out = match self {
            Op::Curve { .. } | Op::Range { .. } | Op::Lut1d(_) => {
                return [0, 1, 2].map(|c| self.apply_channel(c, rgb[c]));
            }
            Op::Matrix(m) => {
                [0, 1, 2].map(|r| m[(r, 0)] * rgb[0] + m[(r, 1)] * rgb[1] + m[(r, 2)] * rgb[2])
            }
            Op::Cdl { cdl, style } => cdl.apply(rgb, *style),
            Op::Lut3d { lut, interpolation } => lut.lookup_f64(rgb, *interpolation),
            Op::Fixed(f) => f.apply(rgb),
        };
        out.map(finite)
    }
}

#[inline(always)]
pub(super) fn clamp_range(x: f64, min: f64, max: f64) -> f64 {
    let y = x.max(min).min(max);
    if x.is_nan() {
        0.0f64.max(min).min(max)
    } else {
        y
    }
}
