//! RGB-curve grade nodes: a master curve and one curve per channel, each a list of control
//! points joined by a monotone (shape-preserving) cubic, applied as a 1D LUT in the
//! working space.
//!
//! The spline is the piecewise cubic Hermite interpolant of Fritsch and Butland as SciPy's
//! `PchipInterpolator` computes it (harmonic-mean slopes inside, the three-point end rule):
//! between two control points the curve never overshoots them, so a rising set of points
//! gives a rising curve. Beyond the first and the last point the curve carries on with
//! slope 1 (an identity shape shifted to the end point), so super-whites and values below
//! black keep their spacing. A channel's output is `channel(master(x))`.

use lookwire_color::pipeline::Op;
use lookwire_color::{Domain, Lut1d, LutError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Lowest and highest working-space value a control point may sit at (and the span the
/// baked 1D LUT covers): ACEScct's whole range and every camera log's 0..1 fit inside.
pub const CURVE_MIN: f64 = -0.5;
pub const CURVE_MAX: f64 = 1.75;
/// Control points per curve, at most.
pub const MAX_POINTS: usize = 32;
/// Entries of the baked 1D LUT.
pub const CURVE_LUT_SIZE: usize = 4096;

/// One control point: `[input, output]` in working-space code values.
pub type Point = [f64; 2];

/// A master curve and a curve per channel, each a list of `[input, output]` points with
/// rising inputs in -0.5..=1.75; an empty list leaves that curve straight.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RgbCurves {
    /// Applied to every channel first.
    #[serde(default)]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub master: Vec<Point>,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub r: Vec<Point>,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub g: Vec<Point>,
    #[serde(default)]
    #[schema(value_type = Vec<Vec<f64>>)]
    pub b: Vec<Point>,
}

/// A control-point list that cannot make a curve: where (`curve/index/coordinate` below the
/// node) and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CurveError {
    pub path: String,
    pub message: String,
}

/// A curve ready to evaluate: knots and the Hermite slope at each.
#[derive(Clone, Debug, PartialEq)]
pub struct Spline {
    xs: Vec<f64>,
    ys: Vec<f64>,
    slopes: Vec<f64>,
}

impl RgbCurves {
    /// The curves by their JSON names, master first.
    pub fn named(&self) -> [(&'static str, &[Point]); 4] {
        [
            ("master", &self.master),
            ("r", &self.r),
            ("g", &self.g),
            ("b", &self.b),
        ]
    }

    /// Checks every curve; the error's path is relative to the curves object.
    pub fn validate(&self) -> Result<(), CurveError> {
        for (name, points) in self.named() {
            check_points(points).map_err(|(index, coord, message)| CurveError {
                path: match (index, coord) {
                    (Some(i), Some(c)) => format!("{name}/{i}/{c}"),
                    (Some(i), None) => format!("{name}/{i}"),
                    _ => name.to_owned(),
                },
                message,
            })?;
        }
        Ok(())
    }

    /// True when every curve leaves its input unchanged.
    pub fn is_identity(&self) -> bool {
        self.named()
            .iter()
            .all(|(_, p)| p.iter().all(|[x, y]| x == y))
    }

    /// Evaluates the node on one pixel in f64 (no LUT): `channel(master(x))`.
    pub fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        let master = Spline::new(&self.master);
        let chans = [&self.r, &self.g, &self.b].map(|p| Spline::new(p));
        [0, 1, 2].map(|c| chans[c].eval(master.eval(rgb[c])))
    }

    /// The node as a 1D LUT over [`CURVE_MIN`, `CURVE_MAX`] (inputs outside clamp to the
    /// ends), or `None` when it is the identity. Call [`RgbCurves::validate`] first.
    pub fn to_lut(&self) -> Result<Option<Lut1d>, LutError> {
        if self.is_identity() {
            return Ok(None);
        }
        let master = Spline::new(&self.master);
        let chans = [&self.r, &self.g, &self.b].map(|p| Spline::new(p));
        let domain = Domain::new([CURVE_MIN as f32; 3], [CURVE_MAX as f32; 3])?;
        Lut1d::from_fn(CURVE_LUT_SIZE, domain, |c, x| chans[c].eval(master.eval(x))).map(Some)
    }

    /// The node as a pipeline op (`None` when it is the identity).
    pub fn to_op(&self) -> Result<Option<Op>, LutError> {
        Ok(self
            .to_lut()?
            .map(|lut| Op::Lut1d(std::sync::Arc::new(lut))))
    }
}

type PointFault = (Option<usize>, Option<usize>, String);

fn check_points(points: &[Point]) -> Result<(), PointFault> {
    if points.len() == 1 {
        return Err((None, None, "a curve needs 0 or at least 2 points".into()));
    }
    if points.len() > MAX_POINTS {
        return Err((
            None,
            None,
            format!("{} points: at most {MAX_POINTS}", points.len()),
        ));
    }
    for (i, p) in points.iter().enumerate() {
        for (c, v) in p.iter().enumerate() {
            if !v.is_finite() || !(CURVE_MIN..=CURVE_MAX).contains(v) {
                return Err((
                    Some(i),
                    Some(c),
                    format!("{v} is outside {CURVE_MIN}..={CURVE_MAX}"),
                ));
            }
        }
        if i > 0 && p[0] <= points[i - 1][0] {
            return Err((
                Some(i),
                Some(0),
                format!(
                    "input {} must be greater than the previous point's {}",
                    p[0],
                    points[i - 1][0]
                ),
            ));
        }
    }
    Ok(())
}

impl Spline {
    /// The monotone cubic through `points` (x strictly increasing); fewer than 2 points
    /// give the identity.
    pub fn new(points: &[Point]) -> Spline {
        let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
        let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
        let slopes = pchip_slopes(&xs, &ys);
        Spline { xs, ys, slopes }
    }

    pub fn eval(&self, x: f64) -> f64 {
        let n = self.xs.len();
        if n < 2 {
            return x;
        }
        if x <= self.xs[0] {
            return self.ys[0] + (x - self.xs[0]);
        }
        if x >= self.xs[n - 1] {
            return self.ys[n - 1] + (x - self.xs[n - 1]);
        }
        let k = self.xs.partition_point(|&k| k <= x).saturating_sub(1);
        let h = self.xs[k + 1] - self.xs[k];
        let t = (x - self.xs[k]) / h;
        let (t2, t3) = (t * t, t * t * t);
        let h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
        let h10 = t3 - 2.0 * t2 + t;
        let h01 = -2.0 * t3 + 3.0 * t2;
        let h11 = t3 - t2;
        h00 * self.ys[k]
            + h10 * h * self.slopes[k]
            + h01 * self.ys[k + 1]
            + h11 * h * self.slopes[k + 1]
    }
}

/// SciPy's `PchipInterpolator` derivatives.
fn pchip_slopes(xs: &[f64], ys: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n < 2 {
        return vec![1.0; n];
    }
    let h: Vec<f64> = xs.windows(2).map(|w| w[1] - w[0]).collect();
    let m: Vec<f64> = (0..n - 1).map(|k| (ys[k + 1] - ys[k]) / h[k]).collect();
    if n == 2 {
        return vec![m[0]; 2];
    }
    let mut d = vec![0.0; n];
    for k in 1..n - 1 {
        let (m0, m1) = (m[k - 1], m[k]);
        if m0 == 0.0 || m1 == 0.0 || m0.signum() != m1.signum() {
            continue;
        }
        let w1 = 2.0 * h[k] + h[k - 1];
        let w2 = h[k] + 2.0 * h[k - 1];
        d[k] = (w1 + w2) / (w1 / m0 + w2 / m1);
    }
    d[0] = edge_slope(h[0], h[1], m[0], m[1]);
    d[n - 1] = edge_slope(h[n - 2], h[n - 3], m[n - 2], m[n - 3]);
    d
}

/// The three-point end slope, limited so the end interval stays monotone.
fn edge_slope(h0: f64, h1: f64, m0: f64, m1: f64) -> f64 {
    let d = ((2.0 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    let sign = |v: f64| if v == 0.0 { 0.0 } else { v.signum() };
    if sign(d) != sign(m0) {
        0.0
    } else if sign(m0) != sign(m1) && d.abs() > 3.0 * m0.abs() {
        3.0 * m0
    } else {
        d
    }
}
