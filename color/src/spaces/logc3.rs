//! ARRI LogC3 at any exposure index (../shared/specs/color.md §2.1).

use super::curve::LogCamera;

/// Exposure indices lookwire accepts for LogC3 (ALEXA's range).
pub const EI_RANGE: std::ops::RangeInclusive<u32> = 50..=3200;
/// ARRI's default exposure index, the only one OpenColorIO has as a builtin.
pub const DEFAULT_EI: u32 = 800;

/// The LogC3 curve at `ei`: OpenColorIO's builtin constants at EI 800, ARRI's
/// algorithm (as coded in the aces_1.0.3 OCIO configs) elsewhere.
pub fn curve(ei: u32) -> LogCamera {
    if ei == DEFAULT_EI {
        // OCIO ArriCameras.cpp, ARRI_ALEXA_LOGC_EI800_to_LINEAR.
        let lin_slope = 1.0 / (0.18 * 0.005 * (800.0 / 400.0) / 0.01);
        let lin_offset = 0.0522722750;
        let lin_break = (1.0 / 9.0 - lin_offset) / lin_slope;
        return LogCamera::ocio(
            10.0,
            [0.2471896383, 0.3855369987],
            [lin_slope, lin_offset],
            lin_break,
            None,
        );
    }
    let p = Params::new(f64::from(ei));
    LogCamera::ocio(10.0, [p.c, p.d], [p.a, p.b], p.cut, Some(p.e))
}

/// `y = c·log10(a·x + b) + d` above `cut`, `e·x + f` below.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Params {
    pub cut: f64,
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Params {
    pub fn new(ei: f64) -> Self {
        let black = 16.0 / 4095.0;
        let cut0 = 1.0 / 9.0;
        let slope = 1.0 / (cut0 * std::f64::consts::LN_10);
        let off = cut0.log10() - slope * cut0;
        let gain = ei / 400.0;
        let gray = 0.01 / gain;
        let c = (gain.log2() * (0.89 - 1.0) / 3.0 + 1.0) * (500.0 / 1023.0 * 0.525);
        let mut d = 400.0 / 1023.0;
        let mut nz = 0.0;
        for _ in 0..3 {
            nz = ((95.0 / 1023.0 - d) / c - off) / slope;
            d = 400.0 / 1023.0 - (1.0 + nz).log10() * c;
        }
        let a1 = 1.0 / gray;
        let b1 = nz - black / gray;
        let e1 = slope * a1 * c;
        let f1 = c * (slope * b1 + off) + d;
        let s = 4.0 / (0.18 * ei);
        let a = a1 * s;
        let b = b1 + a1 * black;
        Self {
            cut: (cut0 - b) / a,
            a,
            b,
            c,
            d,
            e: e1 * s,
            f: f1 + e1 * black,
        }
    }
}
