//! The bake's inner loop: ops run over batches of nodes held channel by channel, so
//! the log/exp curves, matrices and CDL vectorise. Curves run the very same inline
//! functions as [`Op::apply`]; the CDL's power uses [`math::pow`] (within 1e-14 of
//! `powf`).

use super::op::{clamp_range, finite, CurveDirection, Op};
use crate::cdl::{CdlStyle, LUMA_REC709};
use crate::spaces::{math, Curve, LogAffine, LogCamera};

/// Nodes per batch.
pub(super) const LANES: usize = 64;

/// One batch: `v[channel][lane]`.
pub(super) type Batch = [[f64; LANES]; 3];

/// An op in the form the batch loop runs.
#[derive(Debug)]
pub(super) enum Kernel<'a> {
    LogCameraEncode(LogCamera),
    LogCameraDecode(LogCamera),
    LogAffineEncode(LogAffine),
    LogAffineDecode(LogAffine),
    Matrix([[f64; 3]; 3]),
    Cdl {
        slope: [f64; 3],
        offset: [f64; 3],
        power: [f64; 3],
        sat: f64,
        asc: bool,
    },
    Range {
        min: f64,
        max: f64,
    },
    /// Anything else, pixel by pixel through [`Op::apply`].
    Pixel(&'a Op),
}

impl<'a> Kernel<'a> {
    pub(super) fn new(op: &'a Op) -> Self {
        match op {
            Op::Curve { curve, direction } => match (curve, direction) {
                (Curve::LogCamera(c), CurveDirection::Encode) => Kernel::LogCameraEncode(*c),
                (Curve::LogCamera(c), CurveDirection::Decode) => Kernel::LogCameraDecode(*c),
                (Curve::LogAffine(c), CurveDirection::Encode) => Kernel::LogAffineEncode(*c),
                (Curve::LogAffine(c), CurveDirection::Decode) => Kernel::LogAffineDecode(*c),
                _ => Kernel::Pixel(op),
            },
            Op::Matrix(m) => Kernel::Matrix([0, 1, 2].map(|r| [0, 1, 2].map(|c| m[(r, c)]))),
            Op::Cdl { cdl, style } => Kernel::Cdl {
                slope: cdl.slope,
                offset: cdl.offset,
                power: cdl.power,
                sat: cdl.sat,
                asc: *style == CdlStyle::Asc,
            },
            Op::Range { min, max } => Kernel::Range {
                min: *min,
                max: *max,
            },
            _ => Kernel::Pixel(op),
        }
    }
}

#[inline(always)]
fn per_element(v: &mut Batch, f: impl Fn(f64) -> f64) {
    for channel in v.iter_mut() {
        for x in channel.iter_mut() {
            *x = finite(f(*x));
        }
    }
}

/// Clamp to [0, 1] with NaN → 0.
#[inline(always)]
#[allow(clippy::manual_clamp)] // f64::max gives 0 for NaN, which clamp would keep.
fn clamp01(x: f64) -> f64 {
    x.max(0.0).min(1.0)
}

#[inline(always)]
fn cdl(v: &mut Batch, slope: [f64; 3], offset: [f64; 3], power: [f64; 3], sat: f64, asc: bool) {
    for c in 0..3 {
        for x in v[c].iter_mut() {
            let y = *x * slope[c] + offset[c];
            *x = if asc {
                math::pow(clamp01(y), power[c])
            } else {
                let p = math::pow(y.max(0.0), power[c]);
                let y = if y.is_nan() { 0.0 } else { y };
                if y < 0.0 {
                    y
                } else {
                    p
                }
            };
        }
    }
    if sat != 1.0 {
        for i in 0..LANES {
            let luma =
                LUMA_REC709[0] * v[0][i] + LUMA_REC709[1] * v[1][i] + LUMA_REC709[2] * v[2][i];
            for channel in v.iter_mut() {
                channel[i] = luma + sat * (channel[i] - luma);
            }
        }
    }
    per_element(v, |x| if asc { clamp01(x) } else { x });
}

#[inline(always)]
fn matrix(v: &mut Batch, m: &[[f64; 3]; 3]) {
    for i in 0..LANES {
        let (r, g, b) = (v[0][i], v[1][i], v[2][i]);
        for (row, channel) in m.iter().zip(v.iter_mut()) {
            channel[i] = finite(row[0] * r + row[1] * g + row[2] * b);
        }
    }
}

#[inline(always)]
fn run_generic(kernels: &[Kernel<'_>], v: &mut Batch) {
    for k in kernels {
        match k {
            Kernel::LogCameraEncode(c) => per_element(v, |x| c.encode(x)),
            Kernel::LogCameraDecode(c) => per_element(v, |x| c.decode(x)),
            Kernel::LogAffineEncode(c) => per_element(v, |x| c.encode(x)),
            Kernel::LogAffineDecode(c) => per_element(v, |x| c.decode(x)),
            Kernel::Matrix(m) => matrix(v, m),
            Kernel::Cdl {
                slope,
                offset,
                power,
                sat,
                asc,
            } => cdl(v, *slope, *offset, *power, *sat, *asc),
            Kernel::Range { min, max } => per_element(v, |x| clamp_range(x, *min, *max)),
            Kernel::Pixel(op) => {
                let [r, g, b] = v;
                for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()) {
                    [*r, *g, *b] = op.apply([*r, *g, *b]);
                }
            }
        }
    }
}

/// The same loop compiled for AVX2 + FMA (no FMA contraction happens: results equal).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(kernels: &[Kernel<'_>], v: &mut Batch) {
    run_generic(kernels, v);
}

/// Runs every kernel over one batch, on the widest vector unit the CPU has.
pub(super) fn run(kernels: &[Kernel<'_>], v: &mut Batch) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        unsafe { run_avx2(kernels, v) };
        return;
    }
    run_generic(kernels, v);
}
