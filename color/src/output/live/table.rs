//! The output side of a live bake: the output sampled on a dense lattice over the
//! working space, with a per-cell bound of its interpolation error and the exact
//! function it samples (for the nodes where the bound is too wide).

use std::fmt;
use std::sync::Arc;

use rayon::prelude::*;

use super::finish::Finish;
use super::lanes::{ExactLanes, Rendering};
use crate::lut::{Domain, Lut3d, LutError};
use crate::output::{GamutCompression, OutputTransform};
use crate::pipeline::{to_aces, Pipeline};
use crate::spaces::{self, InputSpace, AP0, AP1};

/// Working-space value → ACES2065-1 (with the optional gamut compression).
type ToAces = dyn Fn([f64; 3]) -> [f64; 3] + Send + Sync;

/// Values per batch of the exact evaluation (vectorised rendering, see
/// [`OutputTransform::unclamped_batch`]).
pub(super) const EXACT_BATCH: usize = 256;

/// Working-space values → output code values, as a table plus what completes it.
#[derive(Clone)]
pub struct OutputTable {
    /// The rendering before its last clamp ([`OutputTransform::unclamped`]).
    pub(super) lut: Lut3d,
    /// Per cell (red fastest, (N−1)³), per channel: how far tetrahedral interpolation
    /// in the cell may stray from the sampled function, in rendering RGB.
    pub(super) cell_error: Vec<[f32; 3]>,
    pub(super) finish: Finish,
    /// The first half of the function the table samples (f64); the rendering
    /// ([`OutputTransform::unclamped`], the finish's output) is the second.
    pub(super) to_aces: Arc<ToAces>,
    /// What `to_aces` is, when tables can share its values ("acescct", "acescct+rgc");
    /// `None` for camera tables.
    pub(super) source: Option<&'static str>,

    /// True when the sampled function is constant beyond the domain per channel (so the
    /// lookup's clamp to the domain is exact).
    pub(super) flat_outside: bool,
    /// The same function in f32 lanes, for the live bake.
    pub(super) lanes: Option<Arc<ExactLanes>>,
}

impl fmt::Debug for OutputTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputTable")
            .field("lut", &self.lut)
            .field("output", &self.finish.exact().info().id)
            .finish_non_exhaustive()
    }
}

/// ACEScct of AP1 linear `x` (the ACEScct encode).
fn acescct_encode(x: f64) -> f64 {
    spaces::acescct_curve().encode(x)
}

impl OutputTable {
    /// The output sampled on a `size`³ lattice over ACEScct. The working space is its
    /// own shaper: ACEScct is log-like, and for ACES 2.0 the table spans exactly the AP1
    /// values the output does not clamp (ACEScct of 0 up to 8·r_hit).
    pub fn acescct(
        output: &OutputTransform,
        gamut_compress: bool,
        size: usize,
    ) -> Result<Self, LutError> {
        // Below ACEScct of 0 every ACES 2.0 output clamps AP1 to 0; above 8·r_hit to it.
        let (lo, hi) = match output.ap1_clamp() {
            Some(upper) => (acescct_encode(0.0), acescct_encode(upper)),
            None => (0.0, acescct_encode(65504.0)),
        };
        let cct = spaces::acescct_curve();
        let to_ap0 = spaces::conversion_matrix(&AP1, &AP0, spaces::Adaptation::None);
        let gc = gamut_compress.then(GamutCompression::reference);
        let exact = move |v: [f64; 3]| {
            let lin = nalgebra::Vector3::from(v.map(|c| cct.decode(c)));
            let aces: [f64; 3] = (to_ap0 * lin).into();
            gc.as_ref().map_or(aces, |g| g.apply(aces))
        };
        // ACES 2.0 clamps AP1 per channel, so clamping ACEScct to the domain is exact,
        // unless the gamut compression (which moves negative AP1) comes first.
        let flat = output.ap1_clamp().is_some() && !gamut_compress;
        let mut table = Self::sample(output, size, [lo, hi], Arc::new(exact), flat)?;
        table.lanes =
            Rendering::of(output).map(|r| Arc::new(ExactLanes::acescct(r, gamut_compress)));
        table.source = Some(if gamut_compress {
            "acescct+rgc"
        } else {
            "acescct"
        });
        Ok(table)
    }

    /// The input side and output together, sampled over the camera's code values
    /// (for looks graded in the camera's own log encoding).
    pub fn camera(
        input: &InputSpace,
        output: &OutputTransform,
        gamut_compress: bool,
        size: usize,
    ) -> Result<Self, LutError> {
        let to_aces = Pipeline::new(to_aces(input));
        let gc = gamut_compress.then(GamutCompression::reference);
        let exact = move |v: [f64; 3]| {
            let aces = to_aces.apply(v);
            gc.as_ref().map_or(aces, |g| g.apply(aces))
        };
        let mut table = Self::sample(output, size, [0.0, 1.0], Arc::new(exact), false)?;
        table.lanes =
            Rendering::of(output).map(|r| Arc::new(ExactLanes::camera(input, r, gamut_compress)));
        Ok(table)
    }

    /// Samples the output after `to_aces` on the lattice (in parallel, in vectorised
    /// batches) and bounds each cell's error.
    fn sample(
        output: &OutputTransform,
        size: usize,
        [lo, hi]: [f64; 2],
        to_aces: Arc<ToAces>,
        flat_outside: bool,
    ) -> Result<Self, LutError> {
        let domain = Domain::new([lo as f32; 3], [hi as f32; 3])?;
        let n = size.max(2);
        let step = (hi - lo) / (n - 1) as f64;
        let at = |i: usize| [i % n, (i / n) % n, i / (n * n)].map(|k| lo + step * k as f64);
        let exact = |points: &[[f64; 3]], out: &mut [[f64; 3]]| {
            let aces: Vec<[f64; 3]> = points.iter().map(|&v| to_aces(v)).collect();
            output.unclamped_batch(&aces, out);
        };
        let nodes = evaluate(n * n * n, at, exact);
        let centre = |i: usize| {
            let m = n - 1;
            [i % m, (i / m) % m, i / (m * m)].map(|k| lo + step * (k as f64 + 0.5))
        };
        let centres = evaluate((n - 1).pow(3), centre, exact);
        let cell_error = cell_errors(&nodes, &centres, n);
        let finish = Finish::new(output);
        let data = nodes.iter().map(|v| v.map(|x| x as f32)).collect();
        Ok(Self {
            lut: Lut3d::new(size, data, domain)?,
            cell_error,
            finish,
            to_aces,
            source: None,
            flat_outside,
            lanes: None,
        })
    }

    /// The function the table samples, exact (f64), at one working-space value.
    pub fn exact(&self, v: [f64; 3]) -> [f64; 3] {
        self.finish.exact().unclamped((self.to_aces)(v))
    }

    /// [`Self::exact`] of ACES2065-1 values (already through `to_aces`), batched.
    pub(super) fn exact_aces(&self, aces: &[[f64; 3]], out: &mut [[f64; 3]]) {
        self.finish.exact().unclamped_batch(aces, out);
    }

    /// The working-space value → ACES2065-1 half of [`Self::exact`], within ±1e30 (a
    /// grade far beyond any camera's range decodes past f64's range: the sums of
    /// infinities in the output's matrices would make NaN, where every output clamps).
    pub(super) fn to_aces(&self, v: [f64; 3]) -> [f64; 3] {
        (self.to_aces)(v).map(|x| {
            if x.is_nan() {
                0.0
            } else {
                x.clamp(-1e30, 1e30)
            }
        })
    }

    pub fn lut(&self) -> &Lut3d {
        &self.lut
    }

    /// True when the table stands for the function at `v`: inside the domain, or outside
    /// where the function is flat.
    #[inline]
    pub(super) fn covers(&self, v: [f32; 3]) -> bool {
        let d = self.lut.domain();
        self.flat_outside || (0..3).all(|c| v[c] >= d.min[c] && v[c] <= d.max[c])
    }

    /// The cell of the lattice that `v` (working-space value) falls in, red fastest.
    #[inline]
    pub(super) fn cell(&self, v: [f32; 3]) -> usize {
        let m = self.lut.size() - 1;
        let d = self.lut.domain();
        let mut idx = [0usize; 3];
        for c in 0..3 {
            let u = (v[c] - d.min[c]) / (d.max[c] - d.min[c]) * m as f32;
            let u = if u.is_nan() {
                0.0
            } else {
                u.clamp(0.0, m as f32)
            };
            idx[c] = (u as usize).min(m - 1);
        }
        idx[0] + m * (idx[1] + m * idx[2])
    }
}

/// `count` points (`at(i)`) through `exact`, in parallel batches of [`EXACT_BATCH`].
fn evaluate(
    count: usize,
    at: impl Fn(usize) -> [f64; 3] + Sync,
    exact: impl Fn(&[[f64; 3]], &mut [[f64; 3]]) + Sync,
) -> Vec<[f64; 3]> {
    let mut out = vec![[0.0; 3]; count];
    out.par_chunks_mut(EXACT_BATCH)
        .enumerate()
        .for_each(|(k, chunk)| {
            let points: Vec<[f64; 3]> = (0..chunk.len()).map(|j| at(k * EXACT_BATCH + j)).collect();
            exact(&points, chunk);
        });
    out
}

/// Per cell, per channel: the larger of the interpolation error at the cell's centre
/// (`centres`: the exact function there, cells red fastest) and a quarter of the largest
/// second difference (along the three axes and the main diagonal) at its corners, which
/// catches a kink anywhere between neighbouring nodes.
fn cell_errors(nodes: &[[f64; 3]], centres: &[[f64; 3]], n: usize) -> Vec<[f32; 3]> {
    let idx = |r: usize, g: usize, b: usize| r + n * (g + n * b);
    let second: Vec<[f64; 3]> = (0..n * n * n)
        .into_par_iter()
        .map(|i| {
            let p = [i % n, (i / n) % n, i / (n * n)];
            let mut e = [0.0f64; 3];
            let dirs: [[usize; 3]; 4] = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]];
            for d in dirs {
                let inside = (0..3).all(|c| d[c] == 0 || (p[c] > 0 && p[c] + 1 < n));
                if !inside {
                    continue;
                }
                let a = nodes[idx(p[0] - d[0], p[1] - d[1], p[2] - d[2])];
                let b = nodes[idx(p[0] + d[0], p[1] + d[1], p[2] + d[2])];
                let c = nodes[i];
                for k in 0..3 {
                    e[k] = e[k].max((a[k] - 2.0 * c[k] + b[k]).abs() * 0.25);
                }
            }
            e
        })
        .collect();
    let m = n - 1;
    (0..m * m * m)
        .into_par_iter()
        .map(|i| {
            let [r, g, b] = [i % m, (i / m) % m, i / (m * m)];
            // Tetrahedral interpolation at the centre is the mean of the diagonal's ends.
            let (c0, c1) = (nodes[idx(r, g, b)], nodes[idx(r + 1, g + 1, b + 1)]);
            let centre = centres[i];
            let mut e = [0, 1, 2].map(|k| (0.5 * (c0[k] + c1[k]) - centre[k]).abs());
            for corner in 0..8 {
                let s = second[idx(r + (corner & 1), g + (corner >> 1 & 1), b + (corner >> 2))];
                for k in 0..3 {
                    e[k] = e[k].max(s[k]);
                }
            }
            e.map(|x| x as f32)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lut::Interpolation;

    /// What the certified bake relies on: inside a cell, tetrahedral interpolation
    /// strays from the sampled function by no more than the widened cell bound.
    #[test]
    fn cell_bound_covers_the_interpolation_error() {
        let points: usize = std::env::var("LOOKWIRE_BOUND_POINTS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3000);
        for (id, size) in [
            ("aces2-sdr-rec709", 17),
            ("aces2-hdr-rec2100-pq1000", 21),
            ("aces2-sdr-rec709", 33),
            ("aces2-hdr-rec2100-pq1000", 33),
            ("aces2-hdr-p3d65-pq4000", 25),
            ("aces1-sdr-rec709", 17),
            ("aces2-hdr-rec2100-hlg1000", 33),
        ] {
            let out = OutputTransform::from_id(id).unwrap();
            let table = OutputTable::acescct(&out, false, size).unwrap();
            let d = table.lut.domain();
            let mut seed = 0x9E37_79B9_7F4A_7C15u64;
            let mut unit = || {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 11) as f64 / (1u64 << 53) as f64
            };
            let mut worst = 0.0f64;
            for _ in 0..points {
                let v = [0, 1, 2].map(|c| d.min[c] as f64 + unit() * (d.max[c] - d.min[c]) as f64);
                let exact = table.exact(v);
                let interp = table.lut.lookup_f64(v, Interpolation::Tetrahedral);
                let bound = table.cell_error[table.cell(v.map(|x| x as f32))];
                for c in 0..3 {
                    let allowed = f64::from(bound[c] * super::super::CELL_ERROR_SAFETY)
                        + 1e-6 * (1.0 + exact[c].abs());
                    let ratio = (interp[c] - exact[c]).abs() / allowed;
                    worst = worst.max(ratio);
                    assert!(
                        ratio <= 1.0,
                        "{id} at {v:?}: {interp:?} vs {exact:?}, bound {bound:?}"
                    );
                }
            }
            println!("{id} {size}³: worst error / allowed = {worst:.3}");
        }
    }
}
