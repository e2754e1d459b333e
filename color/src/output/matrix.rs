//! 3×3 matrices on column vectors and RGB↔XYZ matrices from xy chromaticities,
//! built the way OpenColorIO builds them without chromatic adaptation.

/// A 3-vector of f64 (RGB, XYZ, Aab or JMh).
pub type F3 = [f64; 3];

/// A 3×3 matrix, rows top to bottom; it acts on column vectors (`out = M · v`).
pub type Mat3 = [[f64; 3]; 3];

/// The identity matrix.
pub const IDENTITY: Mat3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

/// `m · v`.
pub fn mul_vec(m: &Mat3, v: F3) -> F3 {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

/// `a · b`.
pub fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for (r, row) in out.iter_mut().enumerate() {
        for (c, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[r][k] * b[k][c]).sum();
        }
    }
    out
}

/// `diag(d) · m`: scales row `i` by `d[i]`.
pub fn scale_rows(d: F3, m: &Mat3) -> Mat3 {
    let mut out = *m;
    for (row, s) in out.iter_mut().zip(d) {
        row.iter_mut().for_each(|x| *x *= s);
    }
    out
}

/// The inverse by cofactors. The matrices inverted here are well conditioned colour
/// matrices built from valid primaries, never singular.
pub fn invert(m: &Mat3) -> Mat3 {
    let c =
        |r0: usize, r1: usize, c0: usize, c1: usize| m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
    let cof = [
        [c(1, 2, 1, 2), -c(1, 2, 0, 2), c(1, 2, 0, 1)],
        [-c(0, 2, 1, 2), c(0, 2, 0, 2), -c(0, 2, 0, 1)],
        [c(0, 1, 1, 2), -c(0, 1, 0, 2), c(0, 1, 0, 1)],
    ];
    let det = m[0][0] * cof[0][0] + m[0][1] * cof[0][1] + m[0][2] * cof[0][2];
    let mut out = [[0.0; 3]; 3];
    for (r, row) in out.iter_mut().enumerate() {
        for (col, cell) in row.iter_mut().enumerate() {
            *cell = cof[col][r] / det;
        }
    }
    out
}

/// A set of RGB primaries and white point as CIE 1931 xy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Primaries {
    pub red: [f64; 2],
    pub green: [f64; 2],
    pub blue: [f64; 2],
    pub white: [f64; 2],
}

impl Primaries {
    /// ACES AP0 (ST 2065-1).
    pub const AP0: Primaries = Primaries {
        red: [0.7347, 0.2653],
        green: [0.0, 1.0],
        blue: [0.0001, -0.077],
        white: [0.32168, 0.33767],
    };
    /// ACES AP1 (ACEScg, ACEScct).
    pub const AP1: Primaries = Primaries {
        red: [0.713, 0.293],
        green: [0.165, 0.830],
        blue: [0.128, 0.044],
        white: [0.32168, 0.33767],
    };
    /// ITU-R BT.709, D65.
    pub const REC709: Primaries = Primaries {
        red: [0.64, 0.33],
        green: [0.30, 0.60],
        blue: [0.15, 0.06],
        white: [0.3127, 0.3290],
    };
    /// ITU-R BT.2020 / BT.2100, D65.
    pub const REC2020: Primaries = Primaries {
        red: [0.708, 0.292],
        green: [0.170, 0.797],
        blue: [0.131, 0.046],
        white: [0.3127, 0.3290],
    };
    /// P3 with a D65 white.
    pub const P3_D65: Primaries = Primaries {
        red: [0.680, 0.320],
        green: [0.265, 0.690],
        blue: [0.150, 0.060],
        white: [0.3127, 0.3290],
    };

    /// The normalised primary matrix: RGB → XYZ with RGB (1,1,1) → white at Y = 1.
    pub fn rgb_to_xyz(&self) -> Mat3 {
        let z = |xy: [f64; 2]| 1.0 - xy[0] - xy[1];
        let p = [
            [self.red[0], self.green[0], self.blue[0]],
            [self.red[1], self.green[1], self.blue[1]],
            [z(self.red), z(self.green), z(self.blue)],
        ];
        let [wx, wy] = self.white;
        let w = [wx / wy, 1.0, z(self.white) / wy];
        let s = mul_vec(&invert(&p), w);
        let mut out = p;
        for row in out.iter_mut() {
            for (x, si) in row.iter_mut().zip(s) {
                *x *= si;
            }
        }
        out
    }

    /// XYZ → RGB, the inverse of [`Primaries::rgb_to_xyz`].
    pub fn xyz_to_rgb(&self) -> Mat3 {
        invert(&self.rgb_to_xyz())
    }

    /// RGB in `self` → RGB in `dst` through XYZ, without chromatic adaptation.
    pub fn to_primaries(&self, dst: &Primaries) -> Mat3 {
        mul(&dst.xyz_to_rgb(), &self.rgb_to_xyz())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ap0_to_ap1_matches_the_published_matrix() {
        let m = Primaries::AP0.to_primaries(&Primaries::AP1);
        let want = [
            [1.4514393161, -0.2365107469, -0.2149285693],
            [-0.0765537733, 1.1762296998, -0.0996759265],
            [0.0083161484, -0.0060324498, 0.9977163014],
        ];
        for r in 0..3 {
            for c in 0..3 {
                assert!((m[r][c] - want[r][c]).abs() < 1e-9, "{r},{c}: {}", m[r][c]);
            }
        }
    }

    #[test]
    fn inverse_times_matrix_is_identity() {
        let m = Primaries::P3_D65.rgb_to_xyz();
        let p = mul(&invert(&m), &m);
        for r in 0..3 {
            for c in 0..3 {
                assert!((p[r][c] - IDENTITY[r][c]).abs() < 1e-12);
            }
        }
    }
}
