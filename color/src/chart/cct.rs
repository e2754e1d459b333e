//! Correlated colour temperature → chromaticity, for the camera's white-balance setting.
//!
//! From 4000 K up the CIE daylight locus (CIE 15:2004 §3.1; 6504 K lands within 2e-4 of
//! D65); below 4000 K the Planckian locus (Kang et al. 2002 cubic fit, valid from
//! 1667 K). Both agree with colour-science's `CCT_to_xy_CIE_D` and `CCT_to_xy_Kang2002`
//! (tests compare with committed values).

use crate::spaces::gamut::Xy;
use std::ops::RangeInclusive;

/// Kelvin values a white balance may be set to.
pub const KELVIN_RANGE: RangeInclusive<f64> = 1700.0..=25000.0;

/// xy of the CIE daylight illuminant at `kelvin` (4000–25000 K).
pub fn daylight_xy(kelvin: f64) -> Xy {
    let t = kelvin;
    let (t2, t3) = (t * t, t * t * t);
    let x = if t <= 7000.0 {
        -4.6070e9 / t3 + 2.9678e6 / t2 + 0.09911e3 / t + 0.244063
    } else {
        -2.0064e9 / t3 + 1.9018e6 / t2 + 0.24748e3 / t + 0.23704
    };
    let y = -3.0 * x * x + 2.87 * x - 0.275;
    [x, y]
}

/// xy on the Planckian locus at `kelvin` (1667–25000 K), Kang et al. 2002.
pub fn planckian_xy(kelvin: f64) -> Xy {
    let t = kelvin;
    let (t2, t3) = (t * t, t * t * t);
    let x = if t <= 4000.0 {
        -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
    } else {
        -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390
    };
    let y = if t <= 2222.0 {
        -1.1063814 * x.powi(3) - 1.34811020 * x * x + 2.18555832 * x - 0.20219683
    } else if t <= 4000.0 {
        -0.9549476 * x.powi(3) - 1.37418593 * x * x + 2.09137015 * x - 0.16748867
    } else {
        3.0817580 * x.powi(3) - 5.87338670 * x * x + 3.75112997 * x - 0.37001483
    };
    [x, y]
}

/// The white a camera set to `kelvin` renders neutral: daylight from 4000 K, Planckian below.
pub fn white_balance_xy(kelvin: f64) -> Xy {
    if kelvin >= 4000.0 {
        daylight_xy(kelvin)
    } else {
        planckian_xy(kelvin)
    }
}
