//! 1D and 3D lookup tables and their scalar interpolation (the reference the
//! SIMD kernels are checked against).
//!
//! A [`Lut3d`] stores its lattice red-fastest (`r + N·(g + N·b)`), the order of
//! `.cube` files; formats that store blue-fastest convert at the file boundary.

use std::fmt;

/// Smallest and largest 3D lattice sizes lookwire accepts (the `.cube` limits).
pub const LUT3D_SIZE_RANGE: std::ops::RangeInclusive<usize> = 2..=256;
/// Smallest and largest 1D table lengths lookwire accepts (the `.cube` limits).
pub const LUT1D_SIZE_RANGE: std::ops::RangeInclusive<usize> = 2..=65536;

/// A table that does not hold together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LutError {
    #[error("{kind} LUT size {size} is outside {min}..={max}")]
    Size {
        kind: &'static str,
        size: usize,
        min: usize,
        max: usize,
    },
    #[error("{kind} LUT of size {size} needs {expected} entries, got {got}")]
    Length {
        kind: &'static str,
        size: usize,
        expected: usize,
        got: usize,
    },
    #[error("LUT domain is reversed or empty in channel {channel}: min {min} >= max {max}")]
    Domain { channel: usize, min: f32, max: f32 },
    #[error("LUT entry {index} is not finite")]
    NotFinite { index: usize },
}

/// How a 3D LUT interpolates between lattice nodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Interpolation {
    #[default]
    Tetrahedral,
    Trilinear,
}

/// Per-channel input domain of a table: input `x` maps to `(x − min)/(max − min)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Domain {
    pub min: [f32; 3],
    pub max: [f32; 3],
}

impl Domain {
    pub const UNIT: Domain = Domain {
        min: [0.0; 3],
        max: [1.0; 3],
    };

    pub fn new(min: [f32; 3], max: [f32; 3]) -> Result<Self, LutError> {
        for c in 0..3 {
            let ordered = min[c].is_finite() && max[c].is_finite() && min[c] < max[c];
            if !ordered {
                return Err(LutError::Domain {
                    channel: c,
                    min: min[c],
                    max: max[c],
                });
            }
        }
        Ok(Self { min, max })
    }

    pub fn is_unit(&self) -> bool {
        *self == Self::UNIT
    }

    /// Maps an input value of channel `c` onto [0, 1] of the table (not clamped).
    #[inline]
    pub fn normalize(&self, c: usize, x: f32) -> f32 {
        (x - self.min[c]) / (self.max[c] - self.min[c])
    }
}

impl Default for Domain {
    fn default() -> Self {
        Self::UNIT
    }
}

fn check_finite(data: &[[f32; 3]]) -> Result<(), LutError> {
    match data.iter().position(|v| v.iter().any(|x| !x.is_finite())) {
        Some(index) => Err(LutError::NotFinite { index }),
        None => Ok(()),
    }
}

/// A per-channel 1D table with linear interpolation, e.g. a shaper.
#[derive(Clone, PartialEq)]
pub struct Lut1d {
    data: Vec<[f32; 3]>,
    domain: Domain,
}

impl fmt::Debug for Lut1d {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lut1d")
            .field("size", &self.data.len())
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Lut1d {
    /// A table of `data.len()` entries (R, G, B per entry) over `domain`.
    pub fn new(data: Vec<[f32; 3]>, domain: Domain) -> Result<Self, LutError> {
        if !LUT1D_SIZE_RANGE.contains(&data.len()) {
            return Err(LutError::Size {
                kind: "1D",
                size: data.len(),
                min: *LUT1D_SIZE_RANGE.start(),
                max: *LUT1D_SIZE_RANGE.end(),
            });
        }
        check_finite(&data)?;
        Ok(Self { data, domain })
    }

    /// An identity table of `size` entries over `domain`.
    pub fn identity(size: usize, domain: Domain) -> Result<Self, LutError> {
        let n = size.max(2) - 1;
        let data = (0..size)
            .map(|i| {
                let t = i as f32 / n as f32;
                [0, 1, 2].map(|c| domain.min[c] + t * (domain.max[c] - domain.min[c]))
            })
            .collect();
        Self::new(data, domain)
    }

    /// Samples `f` per channel at `size` evenly spaced inputs over `domain`.
    pub fn from_fn(
        size: usize,
        domain: Domain,
        f: impl Fn(usize, f64) -> f64,
    ) -> Result<Self, LutError> {
        let n = size.max(2) - 1;
        let data = (0..size)
            .map(|i| {
                let t = i as f64 / n as f64;
                [0, 1, 2].map(|c| {
                    let x = domain.min[c] as f64 + t * (domain.max[c] - domain.min[c]) as f64;
                    f(c, x) as f32
                })
            })
            .collect();
        Self::new(data, domain)
    }

    pub fn size(&self) -> usize {
        self.data.len()
    }
    pub fn data(&self) -> &[[f32; 3]] {
        &self.data
    }
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// Linear interpolation of channel `c`; inputs outside the domain clamp to its ends (NaN → min).
    #[inline]
    pub fn lookup_channel(&self, c: usize, x: f32) -> f32 {
        let n = (self.data.len() - 1) as f32;
        let u = self.domain.normalize(c, x) * n;
        let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, n) };
        let i0 = (u as usize).min(self.data.len() - 2);
        let f = u - i0 as f32;
        let a = self.data[i0][c];
        let b = self.data[i0 + 1][c];
        a + f * (b - a)
    }

    /// Applies the table to one pixel, channel by channel.
    pub fn lookup(&self, rgb: [f32; 3]) -> [f32; 3] {
        [0, 1, 2].map(|c| self.lookup_channel(c, rgb[c]))
    }

    /// Same as [`Lut1d::lookup`] in f64 arithmetic (for baking).
    pub fn lookup_f64(&self, rgb: [f64; 3]) -> [f64; 3] {
        [0, 1, 2].map(|c| {
            let n = (self.data.len() - 1) as f64;
            let (lo, hi) = (self.domain.min[c] as f64, self.domain.max[c] as f64);
            let u = (rgb[c] - lo) / (hi - lo) * n;
            let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, n) };
            let i0 = (u as usize).min(self.data.len() - 2);
            let f = u - i0 as f64;
            let a = self.data[i0][c] as f64;
            let b = self.data[i0 + 1][c] as f64;
            a + f * (b - a)
        })
    }
}

/// A 3D lattice of N³ RGB nodes, red fastest, over a per-channel input domain.
#[derive(Clone, PartialEq)]
pub struct Lut3d {
    size: usize,
    data: Vec<[f32; 3]>,
    domain: Domain,
}

impl fmt::Debug for Lut3d {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lut3d")
            .field("size", &self.size)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Lut3d {
    /// A lattice of `size`³ nodes stored red-fastest.
    pub fn new(size: usize, data: Vec<[f32; 3]>, domain: Domain) -> Result<Self, LutError> {
        if !LUT3D_SIZE_RANGE.contains(&size) {
            return Err(LutError::Size {
                kind: "3D",
                size,
                min: *LUT3D_SIZE_RANGE.start(),
                max: *LUT3D_SIZE_RANGE.end(),
            });
        }
        let expected = size * size * size;
        if data.len() != expected {
            return Err(LutError::Length {
                kind: "3D",
                size,
                expected,
                got: data.len(),
            });
        }
        check_finite(&data)?;
        Ok(Self { size, data, domain })
    }

    /// Builds a lattice by evaluating `f` at every node `(i, j, k)/(N − 1)` of the unit cube.
    pub fn from_fn(size: usize, f: impl Fn([f64; 3]) -> [f64; 3]) -> Result<Self, LutError> {
        let n = size.max(2) - 1;
        let scale = 1.0 / n as f64;
        let mut data = Vec::with_capacity(size * size * size);
        for b in 0..size {
            for g in 0..size {
                for r in 0..size {
                    let out = f([r as f64 * scale, g as f64 * scale, b as f64 * scale]);
                    data.push(out.map(|x| x as f32));
                }
            }
        }
        Self::new(size, data, Domain::UNIT)
    }

    /// The identity lattice of `size`³ nodes.
    pub fn identity(size: usize) -> Result<Self, LutError> {
        Self::from_fn(size, |rgb| rgb)
    }

    pub fn size(&self) -> usize {
        self.size
    }
    /// The nodes, red fastest: node `(r, g, b)` is at `r + N·(g + N·b)`.
    pub fn data(&self) -> &[[f32; 3]] {
        &self.data
    }
    pub fn into_data(self) -> Vec<[f32; 3]> {
        self.data
    }
    pub fn domain(&self) -> Domain {
        self.domain
    }

    /// The node at lattice indices `(r, g, b)`.
    #[inline]
    pub fn node(&self, r: usize, g: usize, b: usize) -> [f32; 3] {
        self.data[r + self.size * (g + self.size * b)]
    }

    /// The lattice resampled onto `size`³ nodes over the same domain: each new node is this
    /// lattice looked up in f64 with `interpolation` (OpenColorIO resamples
    /// tetrahedrally too). The same size gives a copy, so resampling never blurs.
    pub fn resample(&self, size: usize, interpolation: Interpolation) -> Result<Self, LutError> {
        if size == self.size {
            return Ok(self.clone());
        }
        let d = self.domain;
        let at = |c: usize, t: f64| {
            let (lo, hi) = (f64::from(d.min[c]), f64::from(d.max[c]));
            lo + t * (hi - lo)
        };
        let unit = Self::from_fn(size, |t| {
            self.lookup_f64([at(0, t[0]), at(1, t[1]), at(2, t[2])], interpolation)
        })?;
        Self::new(size, unit.into_data(), d)
    }

    /// Applies the lattice to one pixel in f32.
    pub fn lookup(&self, rgb: [f32; 3], interpolation: Interpolation) -> [f32; 3] {
        let out = self.lookup_f64(rgb.map(f64::from), interpolation);
        out.map(|x| x as f32)
    }

    /// Applies the lattice to one pixel in f64 arithmetic over the f32 nodes.
    pub fn lookup_f64(&self, rgb: [f64; 3], interpolation: Interpolation) -> [f64; 3] {
        let n = (self.size - 1) as f64;
        let mut i0 = [0usize; 3];
        let mut i1 = [0usize; 3];
        let mut f = [0.0f64; 3];
        for c in 0..3 {
            let (lo, hi) = (self.domain.min[c] as f64, self.domain.max[c] as f64);
            let u = (rgb[c] - lo) / (hi - lo) * n;
            // NaN → 0 and clamp to the cube's faces, as OpenColorIO does.
            let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, n) };
            let lo_index = (u.floor() as usize).min(self.size - 1);
            i0[c] = lo_index;
            i1[c] = (lo_index + 1).min(self.size - 1);
            f[c] = u - lo_index as f64;
        }
        let node = |a: usize, b: usize, c: usize| -> [f64; 3] {
            let r = if a == 0 { i0[0] } else { i1[0] };
            let g = if b == 0 { i0[1] } else { i1[1] };
            let bl = if c == 0 { i0[2] } else { i1[2] };
            self.node(r, g, bl).map(f64::from)
        };
        match interpolation {
            Interpolation::Tetrahedral => tetrahedral(f, node),
            Interpolation::Trilinear => trilinear(f, node),
        }
    }
}

/// Tetrahedral interpolation; the branches are OpenColorIO's (../shared/specs/color.md §4).
#[inline]
fn tetrahedral(f: [f64; 3], node: impl Fn(usize, usize, usize) -> [f64; 3]) -> [f64; 3] {
    let [fr, fg, fb] = f;
    let c000 = node(0, 0, 0);
    let c111 = node(1, 1, 1);
    let (v1, v2, w) = if fr > fg {
        if fg > fb {
            (
                node(1, 0, 0),
                node(1, 1, 0),
                [1.0 - fr, fr - fg, fg - fb, fb],
            )
        } else if fr > fb {
            (
                node(1, 0, 1),
                node(1, 0, 0),
                [1.0 - fr, fb - fg, fr - fb, fg],
            )
        } else {
            (
                node(0, 0, 1),
                node(1, 0, 1),
                [1.0 - fb, fb - fr, fr - fg, fg],
            )
        }
    } else if fb > fg {
        (
            node(0, 0, 1),
            node(0, 1, 1),
            [1.0 - fb, fb - fg, fg - fr, fr],
        )
    } else if fb > fr {
        (
            node(0, 1, 0),
            node(0, 1, 1),
            [1.0 - fg, fg - fb, fb - fr, fr],
        )
    } else {
        (
            node(0, 1, 0),
            node(1, 1, 0),
            [1.0 - fg, fg - fr, fr - fb, fb],
        )
    };
    [0, 1, 2].map(|c| w[0] * c000[c] + w[1] * v1[c] + w[2] * v2[c] + w[3] * c111[c])
}

#[inline]
fn trilinear(f: [f64; 3], node: impl Fn(usize, usize, usize) -> [f64; 3]) -> [f64; 3] {
    let mut out = [0.0; 3];
    for a in 0..2 {
        let wr = if a == 1 { f[0] } else { 1.0 - f[0] };
        for b in 0..2 {
            let wg = if b == 1 { f[1] } else { 1.0 - f[1] };
            for c in 0..2 {
                let wb = if c == 1 { f[2] } else { 1.0 - f[2] };
                let v = node(a, b, c);
                let w = wr * wg * wb;
                for ch in 0..3 {
                    out[ch] += w * v[ch];
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quadratic(rgb: [f64; 3]) -> [f64; 3] {
        [
            rgb[0] * rgb[0] + 0.1 * rgb[2],
            0.5 * rgb[1] + 0.3 * rgb[0] * rgb[2],
            rgb[2].sqrt(),
        ]
    }

    #[test]
    fn identity_reproduces_input_both_ways() {
        let lut = Lut3d::identity(17).unwrap();
        for rgb in [[0.1f32, 0.7, 0.33], [0.0, 1.0, 0.5], [0.999, 0.001, 0.25]] {
            for interp in [Interpolation::Tetrahedral, Interpolation::Trilinear] {
                let out = lut.lookup(rgb, interp);
                for c in 0..3 {
                    assert!((out[c] - rgb[c]).abs() < 1e-6, "{interp:?} {rgb:?} {out:?}");
                }
            }
        }
    }

    #[test]
    fn nodes_are_exact_and_layout_is_red_fastest() {
        let lut = Lut3d::from_fn(5, quadratic).unwrap();
        let expected = quadratic([0.25, 0.5, 1.0]);
        // node (1, 2, 4) sits at 1 + 5·(2 + 5·4)
        let stored = lut.data()[1 + 5 * (2 + 5 * 4)];
        for c in 0..3 {
            assert!((stored[c] as f64 - expected[c]).abs() < 1e-7);
        }
        let looked = lut.lookup_f64([0.25, 0.5, 1.0], Interpolation::Tetrahedral);
        for c in 0..3 {
            assert!((looked[c] - expected[c]).abs() < 1e-7);
        }
    }

    #[test]
    fn tetrahedral_uses_only_the_diagonal_on_grey() {
        // A lattice whose off-diagonal nodes are far away: grey inputs must not see them.
        let lut = Lut3d::from_fn(2, |rgb| {
            if rgb[0] == rgb[1] && rgb[1] == rgb[2] {
                rgb
            } else {
                [9.0; 3]
            }
        })
        .unwrap();
        let out = lut.lookup([0.3, 0.3, 0.3], Interpolation::Tetrahedral);
        assert!((out[0] - 0.3).abs() < 1e-6, "{out:?}");
        let tri = lut.lookup([0.3, 0.3, 0.3], Interpolation::Trilinear);
        assert!(tri[0] > 1.0, "trilinear mixes all eight nodes: {tri:?}");
    }

    #[test]
    fn out_of_domain_and_nan_clamp_to_faces() {
        let lut = Lut3d::from_fn(9, quadratic).unwrap();
        let high = lut.lookup_f64([7.0, 1.0, 1.0], Interpolation::Tetrahedral);
        assert_eq!(high, lut.lookup_f64([1.0; 3], Interpolation::Tetrahedral));
        let nan = lut.lookup_f64([f64::NAN, 0.0, 0.0], Interpolation::Tetrahedral);
        assert_eq!(nan, lut.lookup_f64([0.0; 3], Interpolation::Tetrahedral));
    }

    #[test]
    fn resample_evaluates_the_source_at_the_new_nodes_and_keeps_the_domain() {
        let domain = Domain::new([-0.1, 0.0, 0.2], [1.1, 2.0, 0.9]).unwrap();
        let data = (0..5 * 5 * 5)
            .map(|i| {
                [
                    (i % 7) as f32 * 0.1,
                    (i % 5) as f32 * 0.3,
                    (i % 3) as f32 - 1.0,
                ]
            })
            .collect();
        let src = Lut3d::new(5, data, domain).unwrap();
        for interp in [Interpolation::Tetrahedral, Interpolation::Trilinear] {
            let big = src.resample(9, interp).unwrap();
            assert_eq!((big.size(), big.domain()), (9, domain));
            for (r, g, b) in [(0, 0, 0), (3, 7, 1), (8, 8, 8), (5, 2, 6)] {
                let at = |c: usize, i: usize| {
                    let (lo, hi) = (f64::from(domain.min[c]), f64::from(domain.max[c]));
                    lo + i as f64 / 8.0 * (hi - lo)
                };
                let want = src.lookup_f64([at(0, r), at(1, g), at(2, b)], interp);
                let got = big.node(r, g, b);
                for c in 0..3 {
                    assert!((f64::from(got[c]) - want[c]).abs() < 1e-6, "{interp:?}");
                }
            }
            // Every second node of the 9³ lattice is a node of the 5³ one.
            assert_eq!(big.node(2, 4, 6), src.node(1, 2, 3));
        }
        assert_eq!(src.resample(5, Interpolation::Trilinear).unwrap(), src);
        let id = Lut3d::identity(17)
            .unwrap()
            .resample(33, Interpolation::Tetrahedral)
            .unwrap();
        let max_err = id
            .data()
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let want = [i % 33, i / 33 % 33, i / 1089].map(|k| k as f32 / 32.0);
                (0..3).map(|c| (v[c] - want[c]).abs()).fold(0.0, f32::max)
            })
            .fold(0.0, f32::max);
        assert!(max_err < 1e-6, "identity stays identity: {max_err}");
        assert!(matches!(
            src.resample(1, Interpolation::Tetrahedral),
            Err(LutError::Size { size: 1, .. })
        ));
    }

    #[test]
    fn rejects_bad_shapes() {
        assert_eq!(
            Lut3d::new(3, vec![[0.0; 3]; 26], Domain::UNIT)
                .unwrap_err()
                .to_string(),
            "3D LUT of size 3 needs 27 entries, got 26"
        );
        assert!(matches!(
            Lut3d::new(1, vec![[0.0; 3]], Domain::UNIT),
            Err(LutError::Size { size: 1, .. })
        ));
        let mut data = vec![[0.0; 3]; 8];
        data[5][1] = f32::INFINITY;
        assert_eq!(
            Lut3d::new(2, data, Domain::UNIT),
            Err(LutError::NotFinite { index: 5 })
        );
        assert!(Domain::new([0.0, 1.0, 0.0], [1.0, 1.0, 1.0]).is_err());
    }

    #[test]
    fn lut1d_interpolates_and_clamps() {
        let lut = Lut1d::from_fn(11, Domain::UNIT, |_, x| x * x).unwrap();
        let out = lut.lookup([0.05, 0.5, 2.0]);
        assert!((out[0] - 0.005).abs() < 1e-6, "{out:?}");
        assert!((out[1] - 0.25).abs() < 1e-6);
        assert!((out[2] - 1.0).abs() < 1e-6);
        let wide = Domain::new([-1.0; 3], [3.0; 3]).unwrap();
        let id = Lut1d::identity(5, wide).unwrap();
        assert_eq!(id.lookup([2.0, -1.0, 0.5]), [2.0, -1.0, 0.5]);
    }
}
