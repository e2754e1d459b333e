//! CLF nodes as data, normalised to 32-bit float, and how each one renders a pixel.

use crate::cdl::{Cdl, CdlStyle, LUMA_REC709};
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d};

/// One `ProcessList` node.
#[derive(Clone, Debug, PartialEq)]
pub enum ClfOp {
    /// Linear 1D table over the unit domain.
    Lut1d(Lut1d),
    /// `LUT1D` with `halfDomain="true"`: one entry per half-float code.
    Lut1dHalf(HalfDomainLut),
    /// 3D table over the unit cube with its interpolation.
    Lut3d(Lut3d, Interpolation),
    /// `out = m · in + offset`, rows R, G, B.
    Matrix {
        m: [[f64; 3]; 3],
        offset: [f64; 3],
    },
    Range(RangeOp),
    Cdl {
        cdl: Cdl,
        style: CdlStyle,
        direction: CdlDirection,
        id: Option<String>,
    },
    Log {
        style: LogStyle,
        params: [LogParams; 3],
    },
    Exponent {
        style: ExponentStyle,
        exponent: [f64; 3],
        offset: [f64; 3],
    },
}

/// A `LUT1D` over the half-float domain: entry `k` is the output for the input whose
/// 16-bit half code is `k` (65536 entries, negative codes from 0x8000). It applies as
/// OpenColorIO 2.6 does: the input rounded to the nearest half; the two neighbouring
/// codes around the input (towards zero first; infinities and inputs beyond them stop
/// at ±65504); linear interpolation between their entries in f32; NaN takes its own
/// code's entry.
#[derive(Clone, Debug, PartialEq)]
pub struct HalfDomainLut {
    table: Vec<[f32; 3]>,
}

/// Why a half-domain table cannot be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum HalfDomainError {
    #[error("halfDomain LUT1D has {0} entries")]
    Entries(usize),
    #[error("entry {index} (half code {index:#06x}) is {value}")]
    NotFinite { index: usize, value: f32 },
}

impl HalfDomainLut {
    /// Entries of a half-domain table: one per 16-bit code.
    pub const ENTRIES: usize = 65536;

    pub fn new(table: Vec<[f32; 3]>) -> Result<Self, HalfDomainError> {
        if table.len() != Self::ENTRIES {
            return Err(HalfDomainError::Entries(table.len()));
        }
        for (index, v) in table.iter().enumerate() {
            if let Some(&value) = v.iter().find(|x| !x.is_finite()) {
                return Err(HalfDomainError::NotFinite { index, value });
            }
        }
        Ok(Self { table })
    }

    /// The table of `f` at every code's value (non-finite codes get `f` of ±65504 for the
    /// infinities and 0 for NaN, so every entry is finite).
    pub fn from_fn(f: impl Fn(f32) -> [f32; 3]) -> Result<Self, HalfDomainError> {
        let table = (0..=u16::MAX)
            .map(|code| {
                let h = half::f16::from_bits(code);
                let x = if h.is_nan() {
                    0.0
                } else {
                    h.to_f32().clamp(-65504.0, 65504.0)
                };
                f(x)
            })
            .collect();
        Self::new(table)
    }

    pub fn table(&self) -> &[[f32; 3]] {
        &self.table
    }

    /// Renders one pixel (in f32, as OpenColorIO does).
    pub fn apply(&self, v: [f64; 3]) -> [f64; 3] {
        [0, 1, 2].map(|c| {
            let (a, b, frac) = half_edges(v[c] as f32);
            let (la, lb) = (self.table[a as usize][c], self.table[b as usize][c]);
            f64::from((la - lb) * (1.0 - frac) + lb)
        })
    }
}

/// The half codes around `x` (`a` nearer zero) and `x`'s fraction from `a` to `b`.
fn half_edges(x: f32) -> (u16, u16, f32) {
    use half::f16;
    let limit = |h: f16| {
        if h.is_sign_negative() {
            -f16::MAX
        } else {
            f16::MAX
        }
    };
    let mut x = x;
    let mut h = f16::from_f32(x);
    if h.is_infinite() {
        h = limit(h);
        x = h.to_f32();
    }
    let (a, mut b) = if h.to_f32().abs() > x.abs() {
        (h.to_bits().wrapping_sub(1), h.to_bits())
    } else {
        (h.to_bits(), h.to_bits().wrapping_add(1))
    };
    let hb = f16::from_bits(b);
    if hb.is_infinite() {
        let top = limit(hb);
        b = top.to_bits();
        x = top.to_f32();
    }
    let (fa, fb) = (f16::from_bits(a).to_f32(), f16::from_bits(b).to_f32());
    let frac = (x - fa) / (fb - fa);
    (a, b, if frac.is_nan() { 0.0 } else { frac })
}

/// `ASC_CDL` forward (`Fwd`, `FwdNoClamp`) or reverse (`Rev`, `RevNoClamp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CdlDirection {
    Forward,
    Reverse,
}

/// A `Range` node in normalised values; a missing pair leaves that end open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RangeOp {
    pub min: Option<(f64, f64)>,
    pub max: Option<(f64, f64)>,
    pub clamp: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStyle {
    Log10,
    AntiLog10,
    Log2,
    AntiLog2,
    LinToLog,
    LogToLin,
    CameraLinToLog,
    CameraLogToLin,
}

/// `LogParams` of one channel, with CLF's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogParams {
    pub base: f64,
    pub log_side_slope: f64,
    pub log_side_offset: f64,
    pub lin_side_slope: f64,
    pub lin_side_offset: f64,
    pub lin_side_break: Option<f64>,
    pub linear_slope: Option<f64>,
}

impl Default for LogParams {
    fn default() -> Self {
        Self {
            base: 2.0,
            log_side_slope: 1.0,
            log_side_offset: 0.0,
            lin_side_slope: 1.0,
            lin_side_offset: 0.0,
            lin_side_break: None,
            linear_slope: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExponentStyle {
    BasicFwd,
    BasicRev,
    BasicMirrorFwd,
    BasicMirrorRev,
    BasicPassThruFwd,
    BasicPassThruRev,
    MonCurveFwd,
    MonCurveRev,
    MonCurveMirrorFwd,
    MonCurveMirrorRev,
}

/// Log arguments clamp at the smallest normal f32, as CLF says.
const FLT_MIN: f64 = f32::MIN_POSITIVE as f64;

impl ClfOp {
    /// The node mapping `domain` onto 0..1 (a `Range` when the channels agree), if needed.
    pub fn domain(domain: Domain) -> Option<ClfOp> {
        if domain.is_unit() {
            return None;
        }
        let (lo, hi) = (domain.min, domain.max);
        if lo.iter().all(|&x| x == lo[0]) && hi.iter().all(|&x| x == hi[0]) {
            let (lo, hi) = (f64::from(lo[0]), f64::from(hi[0]));
            return Some(ClfOp::Range(RangeOp {
                min: Some((lo, 0.0)),
                max: Some((hi, 1.0)),
                clamp: true,
            }));
        }
        let mut m = [[0.0; 3]; 3];
        let mut offset = [0.0; 3];
        for c in 0..3 {
            let span = f64::from(hi[c]) - f64::from(lo[c]);
            m[c][c] = 1.0 / span;
            offset[c] = -f64::from(lo[c]) / span;
        }
        Some(ClfOp::Matrix { m, offset })
    }

    /// The domain a node maps onto 0..1, when it is such a mapping (a clamping `Range`
    /// onto 0..1 or a diagonal scale-and-offset `Matrix`).
    pub fn as_domain(&self) -> Option<Domain> {
        match self {
            ClfOp::Range(RangeOp {
                min: Some((lo, 0.0)),
                max: Some((hi, 1.0)),
                ..
            }) => Domain::new([*lo as f32; 3], [*hi as f32; 3]).ok(),
            ClfOp::Matrix { m, offset } => {
                let diagonal = (0..3).all(|r| (0..3).all(|c| r == c || m[r][c] == 0.0));
                if !diagonal {
                    return None;
                }
                let min = [0, 1, 2].map(|c| (-offset[c] / m[c][c]) as f32);
                let max = [0, 1, 2].map(|c| ((1.0 - offset[c]) / m[c][c]) as f32);
                Domain::new(min, max).ok()
            }
            _ => None,
        }
    }

    /// Renders one pixel.
    pub fn apply(&self, v: [f64; 3]) -> [f64; 3] {
        match self {
            ClfOp::Lut1d(l) => l.lookup_f64(v),
            ClfOp::Lut1dHalf(l) => l.apply(v),
            ClfOp::Lut3d(l, interp) => l.lookup_f64(v, *interp),
            ClfOp::Matrix { m, offset } => {
                [0, 1, 2].map(|r| m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2] + offset[r])
            }
            ClfOp::Range(r) => v.map(|x| r.apply(x)),
            ClfOp::Cdl {
                cdl,
                style,
                direction,
                ..
            } => match direction {
                CdlDirection::Forward => cdl.apply(v, *style),
                CdlDirection::Reverse => cdl_reverse(cdl, *style, v),
            },
            ClfOp::Log { style, params } => [0, 1, 2].map(|c| log(*style, &params[c], v[c])),
            ClfOp::Exponent {
                style,
                exponent,
                offset,
            } => [0, 1, 2].map(|c| exponent_curve(*style, exponent[c], offset[c], v[c])),
        }
    }
}

impl RangeOp {
    fn apply(&self, x: f64) -> f64 {
        match (self.min, self.max) {
            (Some((min_in, min_out)), Some((max_in, max_out))) => {
                let s = (max_out - min_out) / (max_in - min_in);
                let y = x * s + min_out - min_in * s;
                if self.clamp {
                    // An inverting range (minOut > maxOut) clamps to the same interval.
                    y.clamp(min_out.min(max_out), min_out.max(max_out))
                } else {
                    y
                }
            }
            (Some((min_in, min_out)), None) => x.max(min_in) + min_out - min_in,
            (None, Some((max_in, max_out))) => x.min(max_in) + max_out - max_in,
            (None, None) => x,
        }
    }
}

fn clamp01(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// The CDL's inverse: saturation, power, then slope and offset undone.
fn cdl_reverse(cdl: &Cdl, style: CdlStyle, v: [f64; 3]) -> [f64; 3] {
    let clamp = style == CdlStyle::Asc;
    let v = if clamp { v.map(clamp01) } else { v };
    let luma = LUMA_REC709[0] * v[0] + LUMA_REC709[1] * v[1] + LUMA_REC709[2] * v[2];
    let inv_sat = if cdl.sat == 0.0 { 0.0 } else { 1.0 / cdl.sat };
    let v = v.map(|x| luma + inv_sat * (x - luma));
    let v = if clamp { v.map(clamp01) } else { v };
    [0, 1, 2].map(|c| {
        let x = v[c];
        let p = if !clamp && x < 0.0 {
            x
        } else {
            x.powf(1.0 / cdl.power[c])
        };
        let inv_slope = if cdl.slope[c] == 0.0 {
            0.0
        } else {
            1.0 / cdl.slope[c]
        };
        let y = (p - cdl.offset[c]) * inv_slope;
        if clamp {
            clamp01(y)
        } else {
            y
        }
    })
}

fn log(style: LogStyle, p: &LogParams, x: f64) -> f64 {
    let lin_to_log = |x: f64| {
        p.log_side_slope
            * (p.lin_side_slope * x + p.lin_side_offset)
                .max(FLT_MIN)
                .log(p.base)
            + p.log_side_offset
    };
    let log_to_lin = |y: f64| {
        (p.base.powf((y - p.log_side_offset) / p.log_side_slope) - p.lin_side_offset)
            / p.lin_side_slope
    };
    // The camera styles' linear segment below the break (slope derived for continuity if absent).
    let segment = || {
        let brk = p.lin_side_break.unwrap_or(0.0);
        let slope = p.linear_slope.unwrap_or_else(|| {
            p.log_side_slope * p.lin_side_slope
                / ((p.lin_side_slope * brk + p.lin_side_offset) * p.base.ln())
        });
        let offset = lin_to_log(brk) - slope * brk;
        (brk, slope, offset)
    };
    match style {
        LogStyle::Log10 => x.max(FLT_MIN).log10(),
        LogStyle::AntiLog10 => 10f64.powf(x),
        LogStyle::Log2 => x.max(FLT_MIN).log2(),
        LogStyle::AntiLog2 => 2f64.powf(x),
        LogStyle::LinToLog => lin_to_log(x),
        LogStyle::LogToLin => log_to_lin(x),
        LogStyle::CameraLinToLog => {
            let (brk, slope, offset) = segment();
            if x <= brk {
                slope * x + offset
            } else {
                lin_to_log(x)
            }
        }
        LogStyle::CameraLogToLin => {
            let (brk, slope, offset) = segment();
            if x <= slope * brk + offset {
                (x - offset) / slope
            } else {
                log_to_lin(x)
            }
        }
    }
}

fn exponent_curve(style: ExponentStyle, g: f64, k: f64, x: f64) -> f64 {
    use ExponentStyle::*;
    let mirror = |f: &dyn Fn(f64) -> f64| if x < 0.0 { -f(-x) } else { f(x) };
    match style {
        BasicFwd => x.max(0.0).powf(g),
        BasicRev => x.max(0.0).powf(1.0 / g),
        BasicMirrorFwd => mirror(&|x| x.powf(g)),
        BasicMirrorRev => mirror(&|x| x.powf(1.0 / g)),
        BasicPassThruFwd => {
            if x < 0.0 {
                x
            } else {
                x.powf(g)
            }
        }
        BasicPassThruRev => {
            if x < 0.0 {
                x
            } else {
                x.powf(1.0 / g)
            }
        }
        MonCurveFwd => moncurve_fwd(g, k, x),
        MonCurveRev => moncurve_rev(g, k, x),
        MonCurveMirrorFwd => mirror(&|x| moncurve_fwd(g, k, x)),
        MonCurveMirrorRev => mirror(&|x| moncurve_rev(g, k, x)),
    }
}

/// The sRGB-style curve: linear below the break, offset power above (CLF v3 §Exponent).
fn moncurve_fwd(g: f64, k: f64, x: f64) -> f64 {
    if k <= 0.0 || g <= 1.0 {
        return x.max(0.0).powf(g);
    }
    let brk = k / (g - 1.0);
    let slope = ((g - 1.0) / k) * ((k * g) / ((g - 1.0) * (1.0 + k))).powf(g);
    if x <= brk {
        x * slope
    } else {
        ((x + k) / (1.0 + k)).powf(g)
    }
}

fn moncurve_rev(g: f64, k: f64, y: f64) -> f64 {
    if k <= 0.0 || g <= 1.0 {
        return y.max(0.0).powf(1.0 / g);
    }
    let brk = ((k * g) / ((g - 1.0) * (1.0 + k))).powf(g);
    let slope = ((g - 1.0) / k) * ((k * g) / ((g - 1.0) * (1.0 + k))).powf(g);
    if y <= brk {
        y / slope
    } else {
        (1.0 + k) * y.powf(1.0 / g) - k
    }
}
