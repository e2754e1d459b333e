//! ACES 1.3 output transforms as OpenColorIO 2.6 builds them (`ACES.cpp`):
//! the RRT preamble (glow, red modifier, RRT saturation), the tone scale as quadratic
//! B-spline curves in log10 (the CTL's `segmented_spline_c5`/`c9` knots), then the ODT
//! for SDR video (dark→dim, desaturation) or HDR 1000 nit (Rec.2020 limited).
//! Output is CIE XYZ-D65, 1.0 = 100 cd/m².

use super::bspline::BSplineCurve;
use super::matrix::{self, mul_vec, Mat3, Primaries, F3};

mod lanes;

pub use lanes::Aces1Lanes;

/// The RRT saturation matrix (0.96, AP1 luminance weights).
const RRT_SAT: Mat3 = [
    [0.970889148671, 0.026963270632, 0.002147580696],
    [0.010889148671, 0.986963270632, 0.002147580696],
    [0.010889148671, 0.026963270632, 0.962147580696],
];
/// The video ODT desaturation matrix (0.93).
const ODT_SAT: Mat3 = [
    [0.949056010175, 0.047185723607, 0.003758266219],
    [0.019056010175, 0.977185723607, 0.003758266219],
    [0.019056010175, 0.047185723607, 0.933758266219],
];
/// AP1 luminance weights (the AP1 NPM's Y row).
const AP1_Y: F3 = [0.27222871678091454, 0.6740817658111483, 0.05368951740793705];

/// RRT tone scale (`segmented_spline_c5`) as OCIO's control points and slopes, log10 in/out.
const RRT_POINTS: [[f64; 2]; 7] = [
    [-5.2601776123046875, -4.0],
    [-3.7550275325775146, -3.578688383102417],
    [-2.249877452850342, -1.8213132619857788],
    [-0.7447274923324585, 0.6812412142753601],
    [1.0614525079727173, 2.874577522277832],
    [2.8676323890686035, 3.834062099456787],
    [4.673812389373779, 4.0],
];
const RRT_SLOPES: [f64; 7] = [
    0.0,
    0.5598268508911133,
    1.775322437286377,
    1.5499999523162842,
    0.8787016868591309,
    0.1837446242570877,
    0.0,
];
/// 48 nit ODT tone scale (`segmented_spline_c9`).
const ODT48_POINTS: [[f64; 2]; 15] = [
    [-2.540623664855957, -1.6989699602127075],
    [-2.080357313156128, -1.5884350538253784],
    [-1.6200908422470093, -1.3535000085830688],
    [-1.1598243713378906, -1.0469499826431274],
    [-0.6995580196380615, -0.6564000248908997],
    [-0.23929157853126526, -0.22141000628471375],
    [0.22097483277320862, 0.22814401984214783],
    [0.6812412142753601, 0.6812412142753601],
    [1.0128463506698608, 0.9914218783378601],
    [1.3444514274597168, 1.2580000162124634],
    [1.6760565042495728, 1.4499499797821045],
    [2.0076615810394287, 1.5591000318527222],
    [2.339266538619995, 1.6225999593734741],
    [2.6708717346191406, 1.6606545448303223],
    [3.002476692199707, 1.6812412738800049],
];
const ODT48_SLOPES: [f64; 15] = [
    0.0,
    0.48030880093574524,
    0.5405564904212952,
    0.7914981245994568,
    0.9055625200271606,
    0.9846037030220032,
    0.9688476324081421,
    1.0,
    0.8707834482192993,
    0.737021267414093,
    0.4206811189651489,
    0.23763206601142883,
    0.14535361528396606,
    0.08416377753019333,
    0.03999999910593033,
];
/// Single-stage 1000 nit HDR tone scale (min 0.0001, mid 15 nit, max 1000 nit).
const HDR1000_POINTS: [[f64; 2]; 7] = [
    [-5.600501537322998, -4.0],
    [-4.095351696014404, -3.578688383102417],
    [-2.5902016162872314, -1.8213132619857788],
    [-1.0850516557693481, 0.6812412142753601],
    [0.22347058355808258, 2.2267351150512695],
    [1.531992793083191, 2.8790621757507324],
    [2.840514898300171, 3.0],
];
const HDR1000_SLOPES: [f64; 7] = [
    0.0,
    0.5598268508911133,
    1.775322437286377,
    1.5499999523162842,
    0.8121972680091858,
    0.18484659492969513,
    0.0,
];

/// `(max - min) / max` guarded against noise and negatives (OCIO `CalcSatWeight`).
fn saturation(rgb: F3, noise_limit: f64) -> f64 {
    let lo = rgb[0].min(rgb[1]).min(rgb[2]);
    let hi = rgb[0].max(rgb[1]).max(rgb[2]);
    (hi.max(1e-10) - lo.max(1e-10)) / hi.max(noise_limit)
}

/// RRT glow (ACES 1.0 parameters: gain 0.05, mid 0.08).
fn glow(rgb: F3) -> F3 {
    let [r, g, b] = rgb;
    let chroma = (b * (b - g) + g * (g - r) + r * (r - b)).sqrt();
    let yc = (b + g + r + 1.75 * chroma) / 3.0;
    let x = (saturation(rgb, 1e-2) - 0.4) * 5.0;
    let sign = 1.0_f64.copysign(x);
    let t = (1.0 - 0.5 * sign * x).max(0.0);
    let s = (1.0 + sign * (1.0 - t * t)) * 0.5;
    let (gain, mid) = (0.05 * s, 0.08);
    let factor = if yc >= mid * 2.0 {
        0.0
    } else if yc <= mid * 2.0 / 3.0 {
        gain
    } else {
        gain * (mid / yc - 0.5)
    };
    rgb.map(|c| c * (1.0 + factor))
}

/// RRT red modifier (ACES 1.0: scale 0.82, pivot 0.03, 135° window).
fn red_modifier(rgb: F3) -> F3 {
    let [r, g, b] = rgb;
    let hue = (3.0_f64.sqrt() * (g - b)).atan2(2.0 * r - (g + b));
    let knot = hue * (4.0 / 135.0_f64.to_radians()) + 2.0;
    let j = knot.trunc();
    if !(0.0..4.0).contains(&j) {
        return rgb;
    }
    const M: [[f64; 4]; 4] = [
        [0.25, 0.0, 0.0, 0.0],
        [-0.75, 0.75, 0.75, 0.25],
        [0.75, -1.5, 0.0, 1.0],
        [-0.25, 0.75, -0.75, 0.25],
    ];
    let c = M[j as usize];
    let t = knot - j;
    let f_h = c[3] + t * (c[2] + t * (c[1] + t * c[0]));
    if f_h <= 0.0 {
        return rgb;
    }
    [
        r + f_h * saturation(rgb, 1e-2) * (0.03 - r) * (1.0 - 0.82),
        g,
        b,
    ]
}

/// Which ACES 1.x output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aces1Kind {
    /// `SDR-VIDEO_1.0`: 48 nit cinema ODT with dim-surround video adjustments.
    SdrVideo,
    /// `HDR-VIDEO-1000nit-15nit-REC2020lim_1.1`.
    Hdr1000Rec2020,
}

/// An ACES 1.3 rendering: ACES2065-1 → CIE XYZ-D65 (1.0 = 100 cd/m²).
#[derive(Debug, Clone)]
pub struct Aces1Rendering {
    kind: Aces1Kind,
    curves: Vec<BSplineCurve>,
    ap0_to_ap1: Mat3,
    ap1_to_xyz_d65: Mat3,
    ap1_to_rec2020: Mat3,
    rec2020_to_xyz_d65: Mat3,
}

/// Bradford adaptation from the ACES white to D65, on XYZ.
fn bradford_aces_to_d65() -> Mat3 {
    const K: Mat3 = [
        [0.8951, 0.2664, -0.1614],
        [-0.7502, 1.7135, 0.0367],
        [0.0389, -0.0685, 1.0296],
    ];
    let white = |xy: [f64; 2]| [xy[0] / xy[1], 1.0, (1.0 - xy[0] - xy[1]) / xy[1]];
    let src = mul_vec(&K, white(Primaries::AP1.white));
    let dst = mul_vec(&K, white(Primaries::REC709.white));
    let gain = [dst[0] / src[0], dst[1] / src[1], dst[2] / src[2]];
    matrix::mul(&matrix::invert(&K), &matrix::scale_rows(gain, &K))
}

impl Aces1Rendering {
    pub fn new(kind: Aces1Kind) -> Self {
        let curves = match kind {
            Aces1Kind::SdrVideo => vec![
                BSplineCurve::new(&RRT_POINTS, &RRT_SLOPES),
                BSplineCurve::new(&ODT48_POINTS, &ODT48_SLOPES),
            ],
            Aces1Kind::Hdr1000Rec2020 => vec![BSplineCurve::new(&HDR1000_POINTS, &HDR1000_SLOPES)],
        };
        let cat = bradford_aces_to_d65();
        Aces1Rendering {
            kind,
            curves,
            ap0_to_ap1: Primaries::AP0.to_primaries(&Primaries::AP1),
            ap1_to_xyz_d65: matrix::mul(&cat, &Primaries::AP1.rgb_to_xyz()),
            ap1_to_rec2020: Primaries::AP1.to_primaries(&Primaries::REC2020),
            rec2020_to_xyz_d65: matrix::mul(&cat, &Primaries::REC2020.rgb_to_xyz()),
        }
    }

    /// Tone scale of one channel in linear light (log10 → curves → 10^x).
    fn tone(&self, x: f64) -> f64 {
        let log = x.max(f32::MIN_POSITIVE as f64).log10();
        10.0_f64.powf(self.curves.iter().fold(log, |v, c| c.eval(v)))
    }

    /// RRT preamble through the tone scale: display luminance in cd/m², AP1.
    fn rrt(&self, aces: F3) -> F3 {
        let rgb = red_modifier(glow(aces)).map(|c| c.max(0.0));
        let ap1 = mul_vec(&self.ap0_to_ap1, rgb).map(|c| c.max(0.0));
        mul_vec(&RRT_SAT, ap1).map(|c| self.tone(c))
    }

    /// Display light before the last clamp: XYZ-D65 for SDR video, Rec.2020 (ODT white)
    /// for the Rec.2020-limited HDR output.
    pub fn unclamped(&self, aces: F3) -> F3 {
        let toned = self.rrt(aces);
        match self.kind {
            Aces1Kind::SdrVideo => {
                let lin = toned.map(|y| (y - 0.02) / (48.0 - 0.02));
                let y = (AP1_Y[0] * lin[0] + AP1_Y[1] * lin[1] + AP1_Y[2] * lin[2]).max(1e-10);
                let dim = lin.map(|c| c * y.powf(0.9811 - 1.0));
                mul_vec(&self.ap1_to_xyz_d65, mul_vec(&ODT_SAT, dim))
            }
            Aces1Kind::Hdr1000Rec2020 => {
                let lin = toned.map(|y| (y - 0.0001) / (1000.0 - 0.0001));
                mul_vec(&self.ap1_to_rec2020, lin)
            }
        }
    }

    /// The clamp after [`Self::unclamped`] (none for SDR video).
    pub fn output_clamp(&self) -> (f64, f64) {
        match self.kind {
            Aces1Kind::SdrVideo => (f64::NEG_INFINITY, f64::INFINITY),
            Aces1Kind::Hdr1000Rec2020 => (0.0, 1.0),
        }
    }

    /// From the clamped values to CIE XYZ-D65, 1.0 = 100 cd/m².
    pub fn to_xyz(&self) -> Mat3 {
        match self.kind {
            Aces1Kind::SdrVideo => matrix::IDENTITY,
            Aces1Kind::Hdr1000Rec2020 => matrix::scale_rows([10.0; 3], &self.rec2020_to_xyz_d65),
        }
    }

    /// ACES2065-1 → CIE XYZ-D65, 1.0 = 100 cd/m².
    pub fn apply(&self, aces: F3) -> F3 {
        let (lo, hi) = self.output_clamp();
        mul_vec(
            &self.to_xyz(),
            self.unclamped(aces).map(|c| c.clamp(lo, hi)),
        )
    }
}
