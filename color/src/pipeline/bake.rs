//! Baking: evaluate a pipeline in f64 on every node of an N³ lattice.
//!
//! The leading per-channel ops (usually the input curve) depend on one axis only, so
//! they run N times per channel instead of N³; a matrix right after them becomes three
//! per-axis column tables summed per node.

use super::batch::{self, Batch, Kernel, LANES};
use super::op::{finite, Op};
use super::{Pipeline, PipelineError};
use crate::lut::{Domain, Lut3d};

/// Lattice sizes [`Pipeline::bake`] accepts.
pub const BAKE_SIZE_RANGE: std::ops::RangeInclusive<usize> = 2..=129;
/// Largest finite half float: baked values are clamped to ±this.
pub const HALF_MAX: f64 = 65504.0;

/// A baked lattice and how many of its values were clamped to ±[`HALF_MAX`].
#[derive(Clone, Debug, PartialEq)]
pub struct BakedLut {
    pub lut: Lut3d,
    pub clamped: usize,
}

/// Per-axis tables: for channel `c`, node index `i` → the value after the leading
/// per-channel ops, already multiplied by the following matrix's column `c` if any.
struct AxisTables {
    columns: [Vec<[f64; 3]>; 3],
    /// True when `columns` hold matrix columns (sum them); false: plain values on the diagonal.
    matrix: bool,
}

impl AxisTables {
    fn new(size: usize, per_channel: &[Op], matrix: Option<&nalgebra::Matrix3<f64>>) -> Self {
        let scale = 1.0 / (size - 1) as f64;
        let columns = [0, 1, 2].map(|c| {
            (0..size)
                .map(|i| {
                    let x = per_channel
                        .iter()
                        .fold(i as f64 * scale, |x, op| op.apply_channel(c, x));
                    match matrix {
                        Some(m) => [m[(0, c)] * x, m[(1, c)] * x, m[(2, c)] * x],
                        None => {
                            let mut v = [0.0; 3];
                            v[c] = x;
                            v
                        }
                    }
                })
                .collect()
        });
        Self {
            columns,
            matrix: matrix.is_some(),
        }
    }

    #[inline]
    fn node(&self, r: usize, g: usize, b: usize) -> [f64; 3] {
        let (x, y, z) = (self.columns[0][r], self.columns[1][g], self.columns[2][b]);
        if self.matrix {
            [0, 1, 2].map(|k| finite(x[k] + y[k] + z[k]))
        } else {
            [x[0], y[1], z[2]]
        }
    }
}

/// Moves lattice indices `[r, g, b]` to the next node, red fastest.
#[inline]
fn step_red_fastest(at: &mut [usize; 3], size: usize) {
    for i in at.iter_mut() {
        *i += 1;
        if *i < size {
            return;
        }
        *i = 0;
    }
}

/// Appends the first `len` nodes of a batch as f32, clamped to ±[`HALF_MAX`]; returns
/// how many values were clamped.
fn drain(v: &Batch, len: usize, data: &mut Vec<[f32; 3]>) -> usize {
    let mut clamped = 0;
    let [r, g, b] = v;
    for ((&r, &g), &b) in r.iter().zip(g).zip(b).take(len) {
        data.push([r, g, b].map(|x| {
            clamped += usize::from(x.abs() > HALF_MAX);
            x.clamp(-HALF_MAX, HALF_MAX) as f32
        }));
    }
    clamped
}

impl Pipeline {
    /// Evaluates the optimised pipeline on the `size`³ lattice over [0, 1]³ (red fastest),
    /// clamping values beyond ±65504 and counting them.
    pub fn bake(&self, size: usize) -> Result<BakedLut, PipelineError> {
        if !BAKE_SIZE_RANGE.contains(&size) {
            return Err(PipelineError::BakeSize {
                size,
                min: *BAKE_SIZE_RANGE.start(),
                max: *BAKE_SIZE_RANGE.end(),
            });
        }
        let optimized = self.clone().optimized();
        let ops = optimized.ops();
        let lead = ops.iter().take_while(|op| op.is_per_channel()).count();
        let (matrix, rest) = match ops.get(lead) {
            Some(Op::Matrix(m)) => (Some(m), &ops[lead + 1..]),
            _ => (None, &ops[lead..]),
        };
        let axes = AxisTables::new(size, &ops[..lead], matrix);
        let kernels: Vec<Kernel<'_>> = rest.iter().map(Kernel::new).collect();
        let total = size * size * size;
        let mut data = Vec::with_capacity(total);
        let mut clamped = 0;
        let mut v: Batch = [[0.0; LANES]; 3];
        let mut at = [0usize; 3];
        for start in (0..total).step_by(LANES) {
            let len = LANES.min(total - start);
            for lane in 0..len {
                let node = axes.node(at[0], at[1], at[2]);
                for (channel, x) in v.iter_mut().zip(node) {
                    channel[lane] = x;
                }
                step_red_fastest(&mut at, size);
            }
            batch::run(&kernels, &mut v);
            clamped += drain(&v, len, &mut data);
        }
        let lut = Lut3d::new(size, data, Domain::UNIT)?;
        Ok(BakedLut { lut, clamped })
    }
}
