//! Gamuts (primaries + white) and the matrices between them, built the way
//! OpenColorIO's `ColorMatrixHelpers.cpp` builds them (../shared/specs/color.md §3).

use nalgebra::{Matrix3, Vector3};
use serde::Serialize;
use std::fmt;

/// CIE 1931 xy chromaticity.
pub type Xy = [f64; 2];

/// D65 white as OpenColorIO and the camera makers write it.
pub const D65: Xy = [0.3127, 0.3290];
/// The ACES white ("D60"), SMPTE ST 2065-1.
pub const ACES_WHITE: Xy = [0.32168, 0.33767];

/// An RGB gamut: three primaries and a white, all as xy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Gamut {
    pub name: &'static str,
    pub red: Xy,
    pub green: Xy,
    pub blue: Xy,
    pub white: Xy,
}

/// How a conversion adapts between gamuts whose whites differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Adaptation {
    /// No adaptation: XYZ passes unchanged (or the whites are equal).
    None,
    Bradford,
    Cat02,
}

impl fmt::Display for Adaptation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Adaptation::None => "none",
            Adaptation::Bradford => "Bradford",
            Adaptation::Cat02 => "CAT02",
        })
    }
}

const BRADFORD: [f64; 9] = [
    0.8951, 0.2664, -0.1614, -0.7502, 1.7135, 0.0367, 0.0389, -0.0685, 1.0296,
];
const CAT02: [f64; 9] = [
    0.7328, 0.4296, -0.1624, -0.7036, 1.6975, 0.0061, 0.0030, 0.0136, 0.9834,
];

impl Adaptation {
    /// The cone-response matrix `K` of the von Kries transform, if any.
    fn cone_matrix(self) -> Option<Matrix3<f64>> {
        match self {
            Adaptation::None => None,
            Adaptation::Bradford => Some(Matrix3::from_row_slice(&BRADFORD)),
            Adaptation::Cat02 => Some(Matrix3::from_row_slice(&CAT02)),
        }
    }
}

/// XYZ of a white given as xy, with Y normalised to 1.
pub fn white_xyz(white: Xy) -> Vector3<f64> {
    let [x, y] = white;
    Vector3::new(x / y, 1.0, (1.0 - x - y) / y)
}

fn xyz_column(p: Xy) -> Vector3<f64> {
    Vector3::new(p[0], p[1], 1.0 - p[0] - p[1])
}

impl Gamut {
    /// RGB → XYZ normalised primary matrix: RGB (1, 1, 1) maps to the white with Y = 1.
    pub fn rgb_to_xyz(&self) -> Matrix3<f64> {
        let p = Matrix3::from_columns(&[
            xyz_column(self.red),
            xyz_column(self.green),
            xyz_column(self.blue),
        ]);
        // The primaries of every registered gamut are independent, so P is invertible.
        let inv = p.try_inverse().unwrap_or_else(Matrix3::identity);
        let s = inv * white_xyz(self.white);
        p * Matrix3::from_diagonal(&s)
    }

    /// XYZ → RGB, the inverse of [`Gamut::rgb_to_xyz`].
    pub fn xyz_to_rgb(&self) -> Matrix3<f64> {
        invert(&self.rgb_to_xyz())
    }
}

/// Inverse of a matrix known to be invertible (every gamut and adaptation matrix here).
pub fn invert(m: &Matrix3<f64>) -> Matrix3<f64> {
    m.try_inverse().unwrap_or_else(Matrix3::identity)
}

/// The von Kries adaptation from one XYZ white to another (identity when they are equal
/// or the method is [`Adaptation::None`]).
pub fn adaptation_matrix(src: Xy, dst: Xy, method: Adaptation) -> Matrix3<f64> {
    let Some(k) = method.cone_matrix() else {
        return Matrix3::identity();
    };
    if src == dst {
        return Matrix3::identity();
    }
    let s = k * white_xyz(src);
    let d = k * white_xyz(dst);
    let gain = Matrix3::from_diagonal(&d.component_div(&s));
    invert(&k) * gain * k
}

/// `M = NPM_dst⁻¹ · A · NPM_src`, OpenColorIO's `build_conversion_matrix`.
pub fn conversion_matrix(src: &Gamut, dst: &Gamut, method: Adaptation) -> Matrix3<f64> {
    dst.xyz_to_rgb() * adaptation_matrix(src.white, dst.white, method) * src.rgb_to_xyz()
}

pub const AP0: Gamut = Gamut {
    name: "ACES AP0",
    red: [0.7347, 0.2653],
    green: [0.0, 1.0],
    blue: [0.0001, -0.0770],
    white: ACES_WHITE,
};
pub const AP1: Gamut = Gamut {
    name: "ACES AP1",
    red: [0.713, 0.293],
    green: [0.165, 0.830],
    blue: [0.128, 0.044],
    white: ACES_WHITE,
};
pub const REC709: Gamut = Gamut {
    name: "Rec.709",
    red: [0.64, 0.33],
    green: [0.30, 0.60],
    blue: [0.15, 0.06],
    white: D65,
};
pub const REC2020: Gamut = Gamut {
    name: "Rec.2020",
    red: [0.708, 0.292],
    green: [0.170, 0.797],
    blue: [0.131, 0.046],
    white: D65,
};
pub const P3_D65: Gamut = Gamut {
    name: "P3-D65",
    red: [0.680, 0.320],
    green: [0.265, 0.690],
    blue: [0.150, 0.060],
    white: D65,
};
pub const AWG3: Gamut = Gamut {
    name: "ARRI Wide Gamut 3",
    red: [0.6840, 0.3130],
    green: [0.2210, 0.8480],
    blue: [0.0861, -0.1020],
    white: D65,
};
pub const AWG4: Gamut = Gamut {
    name: "ARRI Wide Gamut 4",
    red: [0.7347, 0.2653],
    green: [0.1424, 0.8576],
    blue: [0.0991, -0.0308],
    white: D65,
};
pub const S_GAMUT3: Gamut = Gamut {
    name: "S-Gamut3",
    red: [0.730, 0.280],
    green: [0.140, 0.855],
    blue: [0.100, -0.050],
    white: D65,
};
pub const S_GAMUT3_CINE: Gamut = Gamut {
    name: "S-Gamut3.Cine",
    red: [0.766, 0.275],
    green: [0.225, 0.800],
    blue: [0.089, -0.087],
    white: D65,
};
pub const VENICE_S_GAMUT3: Gamut = Gamut {
    name: "Venice S-Gamut3",
    red: [0.740464264304292, 0.27936437475066],
    green: [0.089241145423286, 0.893809528608105],
    blue: [0.110488236673827, -0.052579333080476],
    white: D65,
};
pub const VENICE_S_GAMUT3_CINE: Gamut = Gamut {
    name: "Venice S-Gamut3.Cine",
    red: [0.775901871567345, 0.274502392854799],
    green: [0.188682902773355, 0.828684937020288],
    blue: [0.101337382499301, -0.089187517306263],
    white: D65,
};
pub const V_GAMUT: Gamut = Gamut {
    name: "V-Gamut",
    red: [0.730, 0.280],
    green: [0.165, 0.840],
    blue: [0.100, -0.030],
    white: D65,
};
pub const RED_WIDE_GAMUT: Gamut = Gamut {
    name: "REDWideGamutRGB",
    red: [0.780308, 0.304253],
    green: [0.121595, 1.493994],
    blue: [0.095612, -0.084589],
    white: D65,
};
pub const CINEMA_GAMUT: Gamut = Gamut {
    name: "Canon Cinema Gamut",
    red: [0.7400, 0.2700],
    green: [0.1700, 1.1400],
    blue: [0.0800, -0.1000],
    white: D65,
};
pub const BMD_WIDE_GAMUT_GEN5: Gamut = Gamut {
    name: "Blackmagic Wide Gamut Gen5",
    red: [0.7177215, 0.3171181],
    green: [0.2280410, 0.8615690],
    blue: [0.1005841, -0.0820452],
    white: [0.3127170, 0.3290312],
};
/// Apple Wide Gamut: the primaries that reproduce OpenColorIO 2.6's
/// `APPLE_LOG-APPLEWG_to_ACES2065-1` matrix with Bradford (to 3e-11).
pub const APPLE_WIDE_GAMUT: Gamut = Gamut {
    name: "Apple Wide Gamut",
    red: [0.725, 0.301],
    green: [0.221, 0.814],
    blue: [0.068, -0.076],
    white: D65,
};
pub const D_GAMUT: Gamut = Gamut {
    name: "DJI D-Gamut",
    red: [0.71, 0.31],
    green: [0.21, 0.88],
    blue: [0.09, -0.08],
    white: D65,
};
pub const F_GAMUT: Gamut = Gamut {
    name: "F-Gamut",
    ..REC2020
};
pub const DAVINCI_WIDE_GAMUT: Gamut = Gamut {
    name: "DaVinci Wide Gamut",
    red: [0.8000, 0.3130],
    green: [0.1682, 0.9877],
    blue: [0.0790, -0.1155],
    white: D65,
};
