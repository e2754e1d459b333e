//! The table of registered spaces: id, names, curve, gamut, adaptation, OCIO builtin.

use super::curve::{Curve, LogAffine, LogCamera};
use super::gamut::{self, Adaptation, Gamut};
use super::logc3;

/// One row of the registry; the curve is built on demand (its constants need `ln`).
pub(super) struct Entry {
    pub id: &'static str,
    pub name: &'static str,
    pub curve_name: &'static str,
    pub curve: fn() -> Curve,
    pub gamut: Gamut,
    pub adaptation: Adaptation,
    pub ocio_builtin: Option<&'static str>,
}

fn linear() -> Curve {
    Curve::Linear
}

pub(super) fn acescct() -> Curve {
    Curve::LogCamera(LogCamera::ocio(
        2.0,
        [1.0 / 17.52, 9.72 / 17.52],
        [1.0, 0.0],
        0.0078125,
        None,
    ))
}

fn acescc() -> Curve {
    Curve::AcesCc
}

fn logc3_800() -> Curve {
    Curve::LogCamera(logc3::curve(logc3::DEFAULT_EI))
}

fn logc4() -> Curve {
    Curve::LogCamera(LogCamera::ocio(
        2.0,
        [0.0647954196341293, -0.295908392682586],
        [2231.82630906769, 64.0],
        -0.0180569961199113,
        None,
    ))
}

fn slog3() -> Curve {
    Curve::LogCamera(LogCamera::ocio(
        10.0,
        [261.5 / 1023.0, 420.0 / 1023.0],
        [1.0 / 0.19, 0.01 / 0.19],
        0.01125,
        Some((171.2102946929 - 95.0) / 0.01125 / 1023.0),
    ))
}

fn vlog() -> Curve {
    Curve::LogCamera(LogCamera::ocio(
        10.0,
        [0.241514, 0.598206],
        [1.0, 0.00873],
        0.01,
        None,
    ))
}

fn log3g10() -> Curve {
    let b = 155.975327;
    Curve::LogCamera(LogCamera::ocio(
        10.0,
        [0.224282, 0.0],
        [b, 0.01 * b + 1.0],
        -0.01,
        None,
    ))
}

fn redlogfilm() -> Curve {
    let k = 10f64.powf((95.0 - 685.0) * 0.002 / 0.6);
    Curve::LogAffine(LogAffine::new(
        10.0,
        [300.0 / 1023.0, 685.0 / 1023.0],
        [1.0 - k, k],
    ))
}

fn clog2() -> Curve {
    Curve::CanonLog2
}

fn clog3() -> Curve {
    Curve::CanonLog3
}

fn bmd_film_gen5() -> Curve {
    let (a, b, c) = (
        0.08692876065491224,
        0.005494072432257808,
        0.5300133392291939,
    );
    let (d, e) = (8.283605932402494, 0.09246575342465753);
    Curve::LogCamera(LogCamera::explicit(
        std::f64::consts::E,
        [a, c],
        [1.0, b],
        [d, e],
        [0.005, d * 0.005 + e],
    ))
}

fn apple_log() -> Curve {
    Curve::AppleLog
}

fn dlog() -> Curve {
    Curve::LogCamera(LogCamera::explicit(
        10.0,
        [0.256663, 0.584555],
        [0.9892, 0.0108],
        [6.025, 0.0929],
        [0.0078, 0.14],
    ))
}

fn flog2() -> Curve {
    Curve::LogCamera(LogCamera::explicit(
        10.0,
        [0.245281, 0.384316],
        [5.555556, 0.064829],
        [8.799461, 0.092864],
        [0.000889, 0.100686685370811],
    ))
}

fn davinci_intermediate() -> Curve {
    let (a, b, c, m) = (0.0075, 7.0, 0.07329248, 10.44426855);
    Curve::LogCamera(LogCamera::explicit(
        2.0,
        [c, c * b],
        [1.0, a],
        [m, 0.0],
        [0.00262409, 0.02740668],
    ))
}

fn bt709() -> Curve {
    Curve::Bt709
}

fn hlg() -> Curve {
    Curve::Hlg {
        scale: super::curve::hlg::grey_scale(),
    }
}

macro_rules! entry {
    ($id:expr, $name:expr, $curve_name:expr, $curve:expr, $gamut:expr, $cat:ident, $builtin:expr) => {
        Entry {
            id: $id,
            name: $name,
            curve_name: $curve_name,
            curve: $curve,
            gamut: $gamut,
            adaptation: Adaptation::$cat,
            ocio_builtin: $builtin,
        }
    };
}

#[rustfmt::skip]
pub(super) const ENTRIES: &[Entry] = &[
    entry!("aces2065-1", "ACES2065-1", "linear", linear, gamut::AP0, None, None),
    entry!("acescg", "ACEScg", "linear", linear, gamut::AP1, None, Some("ACEScg_to_ACES2065-1")),
    entry!("acescct", "ACEScct", "ACEScct", acescct, gamut::AP1, None, Some("ACEScct_to_ACES2065-1")),
    entry!("acescc", "ACEScc", "ACEScc", acescc, gamut::AP1, None, Some("ACEScc_to_ACES2065-1")),
    entry!("arri-logc3-awg3", "ARRI LogC3 (EI 800) / ARRI Wide Gamut 3", "ARRI LogC3 EI 800", logc3_800, gamut::AWG3, Cat02, Some("ARRI_ALEXA-LOGC-EI800-AWG_to_ACES2065-1")),
    entry!("arri-logc4-awg4", "ARRI LogC4 / ARRI Wide Gamut 4", "ARRI LogC4", logc4, gamut::AWG4, Cat02, Some("ARRI_LOGC4_to_ACES2065-1")),
    entry!("sony-slog3-sgamut3", "Sony S-Log3 / S-Gamut3", "Sony S-Log3", slog3, gamut::S_GAMUT3, Cat02, Some("SONY_SLOG3-SGAMUT3_to_ACES2065-1")),
    entry!("sony-slog3-sgamut3cine", "Sony S-Log3 / S-Gamut3.Cine", "Sony S-Log3", slog3, gamut::S_GAMUT3_CINE, Cat02, Some("SONY_SLOG3-SGAMUT3.CINE_to_ACES2065-1")),
    entry!("sony-slog3-venice-sgamut3", "Sony VENICE S-Log3 / S-Gamut3", "Sony S-Log3", slog3, gamut::VENICE_S_GAMUT3, Cat02, Some("SONY_SLOG3-SGAMUT3-VENICE_to_ACES2065-1")),
    entry!("sony-slog3-venice-sgamut3cine", "Sony VENICE S-Log3 / S-Gamut3.Cine", "Sony S-Log3", slog3, gamut::VENICE_S_GAMUT3_CINE, Cat02, Some("SONY_SLOG3-SGAMUT3.CINE-VENICE_to_ACES2065-1")),
    entry!("panasonic-vlog-vgamut", "Panasonic V-Log / V-Gamut", "Panasonic V-Log", vlog, gamut::V_GAMUT, Bradford, Some("PANASONIC_VLOG-VGAMUT_to_ACES2065-1")),
    entry!("red-log3g10-rwg", "RED Log3G10 / REDWideGamutRGB", "RED Log3G10", log3g10, gamut::RED_WIDE_GAMUT, Bradford, Some("RED_LOG3G10-RWG_to_ACES2065-1")),
    entry!("red-redlogfilm-rwg", "RED REDLogFilm / REDWideGamutRGB", "RED REDLogFilm", redlogfilm, gamut::RED_WIDE_GAMUT, Bradford, Some("RED_REDLOGFILM-RWG_to_ACES2065-1")),
    entry!("canon-clog2-cgamut", "Canon Log 2 / Cinema Gamut", "Canon Log 2", clog2, gamut::CINEMA_GAMUT, Cat02, Some("CANON_CLOG2-CGAMUT_to_ACES2065-1")),
    entry!("canon-clog3-cgamut", "Canon Log 3 / Cinema Gamut", "Canon Log 3", clog3, gamut::CINEMA_GAMUT, Cat02, Some("CANON_CLOG3-CGAMUT_to_ACES2065-1")),
    entry!("bmd-film-gen5", "Blackmagic Film Gen5 / Wide Gamut Gen5", "Blackmagic Film Gen5", bmd_film_gen5, gamut::BMD_WIDE_GAMUT_GEN5, Cat02, None),
    entry!("apple-log-rec2020", "Apple Log / Rec.2020", "Apple Log", apple_log, gamut::REC2020, Bradford, Some("APPLE_LOG_to_ACES2065-1")),
    entry!("apple-log-applewg", "Apple Log 2 / Apple Wide Gamut", "Apple Log", apple_log, gamut::APPLE_WIDE_GAMUT, Bradford, Some("APPLE_LOG-APPLEWG_to_ACES2065-1")),
    entry!("dji-dlog-dgamut", "DJI D-Log / D-Gamut", "DJI D-Log", dlog, gamut::D_GAMUT, Cat02, None),
    entry!("fuji-flog2-fgamut", "Fujifilm F-Log2 / F-Gamut", "Fujifilm F-Log2", flog2, gamut::F_GAMUT, Cat02, None),
    entry!("davinci-intermediate-dwg", "DaVinci Intermediate / DaVinci Wide Gamut", "DaVinci Intermediate", davinci_intermediate, gamut::DAVINCI_WIDE_GAMUT, Cat02, None),
    entry!("rec709-bt709", "BT.709 camera (OETF) / Rec.709", "BT.709 OETF", bt709, gamut::REC709, Bradford, None),
    entry!("rec2100-hlg", "BT.2100 HLG (scene, 38 % = 0.18) / Rec.2020", "BT.2100 HLG OETF", hlg, gamut::REC2020, Bradford, None),
];
