//! CIELAB and CIE ΔE 2000 (CIE 142-2001; Sharma, Wu & Dalal 2005), checked against
//! colour-science's `XYZ_to_Lab` and `delta_E(method="CIE 2000")`.

use std::f64::consts::PI;

/// CIELAB L*, a*, b*.
pub type Lab = [f64; 3];

/// XYZ → CIELAB relative to the white `white` (XYZ, usually Y = 1).
pub fn xyz_to_lab(xyz: [f64; 3], white: [f64; 3]) -> Lab {
    const EPS: f64 = 216.0 / 24389.0;
    const KAPPA: f64 = 24389.0 / 27.0;
    let f = |t: f64| {
        if t > EPS {
            t.cbrt()
        } else {
            (KAPPA * t + 16.0) / 116.0
        }
    };
    let [fx, fy, fz] = [0, 1, 2].map(|i| f(xyz[i] / white[i]));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIELAB → XYZ relative to the white `white` (the inverse of [`xyz_to_lab`]).
pub fn lab_to_xyz(lab: Lab, white: [f64; 3]) -> [f64; 3] {
    const EPS: f64 = 6.0 / 29.0;
    let finv = |f: f64| {
        if f > EPS {
            f * f * f
        } else {
            3.0 * EPS * EPS * (f - 4.0 / 29.0)
        }
    };
    let fy = (lab[0] + 16.0) / 116.0;
    let f = [fy + lab[1] / 500.0, fy, fy - lab[2] / 200.0];
    [0, 1, 2].map(|i| white[i] * finv(f[i]))
}

/// The three weighted terms of ΔE 2000 and the rotation term: ΔE = sqrt(l² + c² + h² + rt·c·h).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct De2000Terms {
    /// ΔL' / (kL·SL)
    pub lightness: f64,
    /// ΔC' / (kC·SC)
    pub chroma: f64,
    /// ΔH' / (kH·SH)
    pub hue: f64,
    /// R_T
    pub rotation: f64,
}

impl De2000Terms {
    /// Three numbers whose squares sum to ΔE²: the rotation term folded in exactly,
    /// `l² + c² + h² + rt·c·h = l² + (c + rt/2·h)² + (1 − rt²/4)·h²` (|rt| ≤ 2).
    pub fn squares(&self) -> [f64; 3] {
        let half = self.rotation / 2.0;
        [
            self.lightness,
            self.chroma + half * self.hue,
            (1.0 - half * half).max(0.0).sqrt() * self.hue,
        ]
    }

    pub fn delta_e(&self) -> f64 {
        let (l, c, h) = (self.lightness, self.chroma, self.hue);
        (l * l + c * c + h * h + self.rotation * c * h)
            .max(0.0)
            .sqrt()
    }
}

/// ΔE 2000 between two CIELAB colours (kL = kC = kH = 1).
pub fn delta_e2000(lab1: Lab, lab2: Lab) -> f64 {
    de2000_terms(lab1, lab2).delta_e()
}

fn hue_angle(b: f64, a: f64) -> f64 {
    if a == 0.0 && b == 0.0 {
        0.0
    } else {
        b.atan2(a).to_degrees().rem_euclid(360.0)
    }
}

/// The terms of ΔE 2000, from which the solver builds its residuals.
pub fn de2000_terms(lab1: Lab, lab2: Lab) -> De2000Terms {
    let [l1, a1, b1] = lab1;
    let [l2, a2, b2] = lab2;
    let c_bar = ((a1 * a1 + b1 * b1).sqrt() + (a2 * a2 + b2 * b2).sqrt()) / 2.0;
    let c7 = c_bar.powi(7);
    let g = 0.5 * (1.0 - (c7 / (c7 + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = ((a1p * a1p + b1 * b1).sqrt(), (a2p * a2p + b2 * b2).sqrt());
    let (h1p, h2p) = (hue_angle(b1, a1p), hue_angle(b2, a2p));

    let dl = l2 - l1;
    let dc = c2p - c1p;
    let dhp = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let dh = 2.0 * (c1p * c2p).sqrt() * (dhp.to_radians() / 2.0).sin();

    let l_bar = (l1 + l2) / 2.0;
    let cp_bar = (c1p + c2p) / 2.0;
    let hp_bar = mean_hue(h1p, h2p, c1p * c2p);
    let t = 1.0 - 0.17 * (hp_bar - 30.0).to_radians().cos()
        + 0.24 * (2.0 * hp_bar).to_radians().cos()
        + 0.32 * (3.0 * hp_bar + 6.0).to_radians().cos()
        - 0.20 * (4.0 * hp_bar - 63.0).to_radians().cos();
    let d_theta = 30.0 * (-((hp_bar - 275.0) / 25.0).powi(2)).exp();
    let cp7 = cp_bar.powi(7);
    let rc = 2.0 * (cp7 / (cp7 + 25f64.powi(7))).sqrt();
    let l50 = (l_bar - 50.0).powi(2);
    let sl = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let sc = 1.0 + 0.045 * cp_bar;
    let sh = 1.0 + 0.015 * cp_bar * t;
    let rt = -(2.0 * d_theta * PI / 180.0).sin() * rc;
    De2000Terms {
        lightness: dl / sl,
        chroma: dc / sc,
        hue: dh / sh,
        rotation: rt,
    }
}

fn mean_hue(h1: f64, h2: f64, c_product: f64) -> f64 {
    if c_product == 0.0 {
        h1 + h2
    } else if (h1 - h2).abs() <= 180.0 {
        (h1 + h2) / 2.0
    } else if h1 + h2 < 360.0 {
        (h1 + h2 + 360.0) / 2.0
    } else {
        (h1 + h2 - 360.0) / 2.0
    }
}
