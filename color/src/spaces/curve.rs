//! Transfer functions: code value (log or video) ↔ scene linear, in f64, both directions.
//!
//! `decode` maps a normalised code value to scene linear, `encode` the reverse. Where
//! OpenColorIO's builtin clamps (Canon's tables over [0, 1], ACEScc's range), the curve
//! clamps the same way, so lookwire and post see the same numbers.

use super::math;
use serde::Serialize;

/// The floor OpenColorIO puts under a log argument (`std::numeric_limits<float>::min()`).
pub const LOG_ARG_FLOOR: f64 = f32::MIN_POSITIVE as f64;

/// OpenColorIO's `LogCameraTransform`: a log segment above `lin_break`, a straight
/// toe below it (../shared/specs/color.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LogCamera {
    pub base: f64,
    pub log_slope: f64,
    pub log_offset: f64,
    pub lin_slope: f64,
    pub lin_offset: f64,
    /// Scene-linear value where the toe meets the log segment.
    pub lin_break: f64,
    pub linear_slope: f64,
    pub linear_offset: f64,
    /// Code value where decoding switches from the toe to the log segment.
    pub log_break: f64,
    /// Derived once so that the per-element curve multiplies instead of dividing.
    #[serde(skip)]
    fast: Derived,
}

/// Constants derived from a log curve's parameters (divisions hoisted out of the
/// per-element code, which then vectorises).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Derived {
    /// `log_slope / log2(base)`.
    log2_slope: f64,
    /// `log2(base) / log_slope`.
    exp2_slope: f64,
    inv_lin_slope: f64,
    inv_linear_slope: f64,
}

impl Derived {
    fn new(base: f64, log_slope: f64, lin_slope: f64, linear_slope: f64) -> Self {
        Self {
            log2_slope: log_slope / base.log2(),
            exp2_slope: base.log2() / log_slope,
            inv_lin_slope: 1.0 / lin_slope,
            inv_linear_slope: 1.0 / linear_slope,
        }
    }
}

impl LogCamera {
    /// OpenColorIO's form: the toe slope is given or derived for C1 continuity at the
    /// break, and the toe offset always makes the curve continuous there.
    pub fn ocio(
        base: f64,
        [log_slope, log_offset]: [f64; 2],
        [lin_slope, lin_offset]: [f64; 2],
        lin_break: f64,
        linear_slope: Option<f64>,
    ) -> Self {
        let arg = lin_slope * lin_break + lin_offset;
        let log_break = log_slope * arg.ln() / base.ln() + log_offset;
        let linear_slope = linear_slope.unwrap_or(log_slope * lin_slope / (arg * base.ln()));
        Self {
            base,
            log_slope,
            log_offset,
            lin_slope,
            lin_offset,
            lin_break,
            linear_slope,
            linear_offset: log_break - linear_slope * lin_break,
            log_break,
            fast: Derived::new(base, log_slope, lin_slope, linear_slope),
        }
    }

    /// A maker's form with its own published toe and breaks (may be off C0 by ~1e-6).
    pub fn explicit(
        base: f64,
        [log_slope, log_offset]: [f64; 2],
        [lin_slope, lin_offset]: [f64; 2],
        [linear_slope, linear_offset]: [f64; 2],
        [lin_break, log_break]: [f64; 2],
    ) -> Self {
        Self {
            base,
            log_slope,
            log_offset,
            lin_slope,
            lin_offset,
            lin_break,
            linear_slope,
            linear_offset,
            log_break,
            fast: Derived::new(base, log_slope, lin_slope, linear_slope),
        }
    }

    /// Scene linear → code. Both segments are computed and one is selected, so that
    /// loops over this vectorise (the bake's batch path calls it per element).
    #[inline(always)]
    pub fn encode(&self, x: f64) -> f64 {
        let arg = math::at_least(self.lin_slope * x + self.lin_offset, LOG_ARG_FLOOR);
        let log = self.fast.log2_slope * math::log2(arg) + self.log_offset;
        let toe = self.linear_slope * x + self.linear_offset;
        if x < self.lin_break {
            toe
        } else {
            log
        }
    }

    /// Code → scene linear, branch-free like [`LogCamera::encode`].
    #[inline(always)]
    pub fn decode(&self, y: f64) -> f64 {
        let e2 = (y - self.log_offset) * self.fast.exp2_slope;
        let log = (math::exp2(e2) - self.lin_offset) * self.fast.inv_lin_slope;
        let toe = (y - self.linear_offset) * self.fast.inv_linear_slope;
        if y < self.log_break {
            toe
        } else {
            log
        }
    }
}

/// OpenColorIO's `LogAffineTransform` (no toe): `y = log_slope·log_base(lin_slope·x +
/// lin_offset) + log_offset`, the log argument floored at [`LOG_ARG_FLOOR`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LogAffine {
    pub base: f64,
    pub log_slope: f64,
    pub log_offset: f64,
    pub lin_slope: f64,
    pub lin_offset: f64,
    #[serde(skip)]
    fast: Derived,
}

impl LogAffine {
    pub fn new(
        base: f64,
        [log_slope, log_offset]: [f64; 2],
        [lin_slope, lin_offset]: [f64; 2],
    ) -> Self {
        Self {
            base,
            log_slope,
            log_offset,
            lin_slope,
            lin_offset,
            fast: Derived::new(base, log_slope, lin_slope, 1.0),
        }
    }

    #[inline(always)]
    pub fn encode(&self, x: f64) -> f64 {
        let arg = math::at_least(self.lin_slope * x + self.lin_offset, LOG_ARG_FLOOR);
        self.fast.log2_slope * math::log2(arg) + self.log_offset
    }

    #[inline(always)]
    pub fn decode(&self, y: f64) -> f64 {
        let e2 = (y - self.log_offset) * self.fast.exp2_slope;
        (math::exp2(e2) - self.lin_offset) * self.fast.inv_lin_slope
    }

    /// Lowest scene-linear value the encoding keeps apart from its neighbours.
    fn linear_floor(&self) -> f64 {
        (LOG_ARG_FLOOR - self.lin_offset) / self.lin_slope
    }
}

/// A transfer function between a normalised code value and scene linear.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Curve {
    /// Scene linear already (ACES2065-1, ACEScg).
    Linear,
    LogCamera(LogCamera),
    LogAffine(LogAffine),
    /// Canon Log 2, decoded value ×0.9, code clamped to [0, 1] like OCIO's table.
    CanonLog2,
    /// Canon Log 3, decoded value ×0.9, code clamped to [0, 1] like OCIO's table.
    CanonLog3,
    AppleLog,
    /// ACEScc with OCIO's code range [−0.36, 1.5].
    AcesCc,
    /// ITU-R BT.709 camera OETF, extended linearly below 0.
    Bt709,
    /// ITU-R BT.2100 HLG OETF, mirrored for negatives; scene linear = `scale`·E.
    Hlg {
        scale: f64,
    },
}

mod canon {
    pub const SCALE: f64 = 0.9;

    pub fn clog2_decode(y: f64) -> f64 {
        let (a, b, c) = (0.24136077, 87.099375, 0.092864125);
        let x = if y < c {
            -(10f64.powf((c - y) / a) - 1.0) / b
        } else {
            (10f64.powf((y - c) / a) - 1.0) / b
        };
        x * SCALE
    }

    pub fn clog2_encode(x: f64) -> f64 {
        let (a, b, c) = (0.24136077, 87.099375, 0.092864125);
        let x = x / SCALE;
        if x < 0.0 {
            -a * (1.0 - b * x).log10() + c
        } else {
            a * (b * x + 1.0).log10() + c
        }
    }

    pub fn clog3_decode(y: f64) -> f64 {
        let (a, b) = (0.36726845, 14.98325);
        let x = if y < 0.097465473 {
            -(10f64.powf((0.12783901 - y) / a) - 1.0) / b
        } else if y <= 0.15277891 {
            (y - 0.12512219) / 1.9754798
        } else {
            (10f64.powf((y - 0.12240537) / a) - 1.0) / b
        };
        x * SCALE
    }

    pub fn clog3_encode(x: f64) -> f64 {
        let (a, b) = (0.36726845, 14.98325);
        let x = x / SCALE;
        if x < -0.014 {
            -a * (1.0 - b * x).log10() + 0.12783901
        } else if x <= 0.014 {
            1.9754798 * x + 0.12512219
        } else {
            a * (b * x + 1.0).log10() + 0.12240537
        }
    }
}

mod apple {
    const R0: f64 = -0.05641088;
    const RT: f64 = 0.01;
    const C: f64 = 47.28711236;
    const BETA: f64 = 0.00964052;
    const GAMMA: f64 = 0.08550479;
    const DELTA: f64 = 0.69336945;

    pub const LINEAR_FLOOR: f64 = R0;

    fn pt() -> f64 {
        C * (RT - R0) * (RT - R0)
    }

    pub fn encode(x: f64) -> f64 {
        if x >= RT {
            GAMMA * (x + BETA).log2() + DELTA
        } else if x >= R0 {
            C * (x - R0) * (x - R0)
        } else {
            0.0
        }
    }

    pub fn decode(y: f64) -> f64 {
        if y >= pt() {
            ((y - DELTA) / GAMMA).exp2() - BETA
        } else if y >= 0.0 {
            (y / C).sqrt() + R0
        } else {
            R0
        }
    }
}

mod acescc {
    pub const CODE_MIN: f64 = -0.36;
    pub const CODE_MAX: f64 = 1.5;
    const TWO_M16: f64 = 1.0 / 65536.0;

    pub fn decode(y: f64) -> f64 {
        let y = y.clamp(CODE_MIN, CODE_MAX);
        let p = (17.52 * y - 9.72).exp2();
        if y < (9.72 - 15.0) / 17.52 {
            2.0 * (p - TWO_M16)
        } else {
            p
        }
    }

    pub fn encode(x: f64) -> f64 {
        let y = if x < 2.0 * TWO_M16 {
            let arg = (TWO_M16 + 0.5 * x).max(f64::MIN_POSITIVE);
            (arg.log2() + 9.72) / 17.52
        } else {
            (x.log2() + 9.72) / 17.52
        };
        y.clamp(CODE_MIN, CODE_MAX)
    }
}

mod bt709 {
    const ALPHA: f64 = 1.099;
    const BETA: f64 = 0.018;

    pub fn encode(x: f64) -> f64 {
        if x < BETA {
            4.5 * x
        } else {
            ALPHA * x.powf(0.45) - (ALPHA - 1.0)
        }
    }

    pub fn decode(v: f64) -> f64 {
        if v < 4.5 * BETA {
            v / 4.5
        } else {
            ((v + ALPHA - 1.0) / ALPHA).powf(1.0 / 0.45)
        }
    }
}

/// ITU-R BT.2100 HLG OETF and its inverse on E ∈ [0, 1], mirrored for negatives.
pub mod hlg {
    const A: f64 = 0.17883277;
    const B: f64 = 0.28466892;
    const C: f64 = 0.55991073;

    pub fn oetf(e: f64) -> f64 {
        let m = e.abs();
        let v = if m <= 1.0 / 12.0 {
            (3.0 * m).sqrt()
        } else {
            A * (12.0 * m - B).ln() + C
        };
        v.copysign(e)
    }

    pub fn oetf_inverse(v: f64) -> f64 {
        let m = v.abs();
        let e = if m <= 0.5 {
            m * m / 3.0
        } else {
            (((m - C) / A).exp() + B) / 12.0
        };
        e.copysign(v)
    }

    /// Scale that makes the BT.2408 reference grey (HLG 38 %) decode to 0.18.
    pub fn grey_scale() -> f64 {
        0.18 / oetf_inverse(0.38)
    }
}

impl Curve {
    /// Code value → scene linear.
    pub fn decode(&self, y: f64) -> f64 {
        match self {
            Curve::Linear => y,
            Curve::LogCamera(c) => c.decode(y),
            Curve::LogAffine(c) => c.decode(y),
            Curve::CanonLog2 => canon::clog2_decode(y.clamp(0.0, 1.0)),
            Curve::CanonLog3 => canon::clog3_decode(y.clamp(0.0, 1.0)),
            Curve::AppleLog => apple::decode(y),
            Curve::AcesCc => acescc::decode(y),
            Curve::Bt709 => bt709::decode(y),
            Curve::Hlg { scale } => hlg::oetf_inverse(y) * scale,
        }
    }

    /// Scene linear → code value.
    pub fn encode(&self, x: f64) -> f64 {
        match self {
            Curve::Linear => x,
            Curve::LogCamera(c) => c.encode(x),
            Curve::LogAffine(c) => c.encode(x),
            Curve::CanonLog2 => canon::clog2_encode(x).clamp(0.0, 1.0),
            Curve::CanonLog3 => canon::clog3_encode(x).clamp(0.0, 1.0),
            Curve::AppleLog => apple::encode(x),
            Curve::AcesCc => acescc::encode(x),
            Curve::Bt709 => bt709::encode(x),
            Curve::Hlg { scale } => hlg::oetf(x / scale),
        }
    }

    /// Code values `y` for which `encode(decode(y)) == y` (beyond it, decoding clamps).
    pub fn code_domain(&self) -> (f64, f64) {
        match self {
            Curve::CanonLog2 | Curve::CanonLog3 => (0.0, 1.0),
            Curve::AppleLog => (0.0, f64::INFINITY),
            Curve::AcesCc => (acescc::CODE_MIN, acescc::CODE_MAX),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    /// Scene-linear values `x` for which `decode(encode(x)) == x` (beyond it, encoding clamps).
    pub fn linear_domain(&self) -> (f64, f64) {
        match self {
            Curve::CanonLog2 | Curve::CanonLog3 | Curve::AcesCc => {
                let (lo, hi) = self.code_domain();
                (self.decode(lo), self.decode(hi))
            }
            Curve::AppleLog => (apple::LINEAR_FLOOR, f64::INFINITY),
            Curve::LogAffine(c) => (c.linear_floor(), f64::INFINITY),
            _ => (f64::NEG_INFINITY, f64::INFINITY),
        }
    }

    pub fn is_linear(&self) -> bool {
        matches!(self, Curve::Linear)
    }
}
