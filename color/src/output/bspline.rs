//! Monotone quadratic B-spline curves defined by control points and slopes
//! (OpenColorIO `GradingBSplineCurve`: `FitSpline`, `AdjustSlopes` and the forward
//! evaluation), used for the ACES 1.x tone scales that OCIO encodes this way.

/// A fitted curve: knots and per-segment quadratic coefficients `(A·t + B)·t + C`.
#[derive(Debug, Clone)]
pub struct BSplineCurve {
    knots: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

#[derive(Default)]
struct Fit {
    knots: Vec<f64>,
    a: Vec<f64>,
    b: Vec<f64>,
    c: Vec<f64>,
}

/// One segment between two control points: one quadratic when the slopes allow, else
/// two joined at an inserted knot `ksi`.
fn fit_segment(fit: &mut Fit, p0: [f64; 2], p1: [f64; 2], s0: f64, s1: f64) {
    let [x0, y0] = p0;
    let [x1, y1] = p1;
    let dx = x1 - x0;
    let secant = (y1 - y0) / dx;
    if ((s0 + s1) - 2.0 * secant).abs() < 1e-6 {
        fit.c.push(y0);
        fit.b.push(s0);
        fit.a.push(0.5 * (s1 - s0) / dx);
    } else {
        let (aa, bb) = (s0 - secant, s1 - secant);
        let ksi = if aa * bb >= 0.0 {
            (x0 + x1) * 0.5
        } else if aa.abs() > bb.abs() {
            x1 + aa * dx / (s1 - s0)
        } else {
            x0 + bb * dx / (s1 - s0)
        };
        let s_bar = (2.0 * secant - s1) + (s1 - s0) * (ksi - x0) / dx;
        let eta = (s_bar - s0) / (ksi - x0);
        fit.c.push(y0);
        fit.b.push(s0);
        fit.a.push(0.5 * eta);
        fit.c
            .push(y0 + s0 * (ksi - x0) + 0.5 * eta * (ksi - x0) * (ksi - x0));
        fit.b.push(s_bar);
        fit.a.push(0.5 * (s1 - s_bar) / (x1 - ksi));
        fit.knots.push(ksi);
    }
    fit.knots.push(x1);
}

fn fit_spline(points: &[[f64; 2]], slopes: &[f64]) -> Fit {
    let mut fit = Fit {
        knots: vec![points[0][0]],
        ..Fit::default()
    };
    for i in 0..points.len() - 1 {
        fit_segment(&mut fit, points[i], points[i + 1], slopes[i], slopes[i + 1]);
    }
    fit
}

/// Scales down slopes whose inserted knot would make the curve non-monotone.
fn adjust_slopes(points: &[[f64; 2]], slopes: &mut [f64], knots: &[f64]) -> bool {
    let mut adjusted = false;
    let mut i = 0;
    for &ksi in knots {
        if points[i][0] == ksi {
            continue;
        }
        let ([x0, y0], [x1, y1]) = (points[i], points[i + 1]);
        let s_bar =
            (2.0 * (y1 - y0) - (ksi - x0) * slopes[i] - (x1 - ksi) * slopes[i + 1]) / (x1 - x0);
        if s_bar < 0.0 {
            adjusted = true;
            let secant = (y1 - y0) / (x1 - x0);
            let blend = ((ksi - x0) * slopes[i] + (x1 - ksi) * slopes[i + 1]) / (x1 - x0);
            let aim = (0.01 * 0.5 * (slopes[i] + slopes[i + 1])).min(secant);
            let adjust = (2.0 * secant - aim) / blend;
            slopes[i] *= adjust;
            slopes[i + 1] *= adjust;
        }
        i += 1;
    }
    adjusted
}

impl BSplineCurve {
    /// Fits the curve through `points` (x ascending) with the given slopes.
    pub fn new(points: &[[f64; 2]], slopes: &[f64]) -> Self {
        let mut slopes = slopes.to_vec();
        let mut fit = fit_spline(points, &slopes);
        if adjust_slopes(points, &mut slopes, &fit.knots) {
            fit = fit_spline(points, &slopes);
        }
        BSplineCurve {
            knots: fit.knots,
            a: fit.a,
            b: fit.b,
            c: fit.c,
        }
    }

    /// The knots, and the curve as pieces `[origin, A, B, C]` with value `(A·t + B)·t + C`
    /// at `t = x − origin`: piece 0 is the line below the first knot, piece j (from 1)
    /// the quadratic from knot j − 1, the last the line above the last knot; the piece
    /// holding x is the number of knots at or below x (what [`Self::eval`] computes).
    pub fn pieces(&self) -> (&[f64], Vec<[f64; 4]>) {
        let k = &self.knots;
        let (start, end) = (k[0], k[k.len() - 1]);
        let last = self.a.len() - 1;
        let t = end - k[k.len() - 2];
        let slope = 2.0 * self.a[last] * t + self.b[last];
        let offset = (self.a[last] * t + self.b[last]) * t + self.c[last];
        let mut pieces = vec![[start, 0.0, self.b[0], self.c[0]]];
        pieces.extend((0..self.a.len()).map(|i| [k[i], self.a[i], self.b[i], self.c[i]]));
        pieces.push([end, 0.0, slope, offset]);
        (k, pieces)
    }

    /// Evaluates the curve; outside the knots it continues linearly.
    pub fn eval(&self, x: f64) -> f64 {
        let n = self.knots.len();
        let (start, end) = (self.knots[0], self.knots[n - 1]);
        if x <= start {
            return (x - start) * self.b[0] + self.c[0];
        }
        let last = self.a.len() - 1;
        if x >= end {
            let t = end - self.knots[n - 2];
            let slope = 2.0 * self.a[last] * t + self.b[last];
            let offset = (self.a[last] * t + self.b[last]) * t + self.c[last];
            return (x - end) * slope + offset;
        }
        let i = (0..n - 2).find(|&i| x < self.knots[i + 1]).unwrap_or(n - 2);
        let t = x - self.knots[i];
        (self.a[i] * t + self.b[i]) * t + self.c[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_through_its_control_points_with_their_slopes() {
        let points = [[0.0, 0.0], [1.0, 0.8], [2.0, 1.0]];
        let slopes = [0.5, 0.6, 0.05];
        let curve = BSplineCurve::new(&points, &slopes);
        for (p, s) in points.iter().zip(slopes) {
            assert!((curve.eval(p[0]) - p[1]).abs() < 1e-12, "{p:?}");
            let d = (curve.eval(p[0] + 1e-6) - curve.eval(p[0] - 1e-6)) / 2e-6;
            assert!((d - s).abs() < 1e-4, "slope at {p:?}: {d}");
        }
        // Linear extension below the first knot.
        assert!((curve.eval(-1.0) + 0.5).abs() < 1e-12);
    }

    #[test]
    fn pieces_evaluate_as_the_curve() {
        let points = [[0.0, 0.0], [1.0, 0.8], [2.0, 1.0], [3.0, 1.05]];
        let curve = BSplineCurve::new(&points, &[0.5, 0.6, 0.05, 0.02]);
        let (knots, pieces) = curve.pieces();
        assert_eq!(pieces.len(), knots.len() + 1);
        for i in 0..=400 {
            let x = -1.0 + i as f64 * 0.0125;
            let [origin, a, b, c] = pieces[knots.iter().filter(|&&k| x >= k).count()];
            let t = x - origin;
            let v = (a * t + b) * t + c;
            assert!(
                (v - curve.eval(x)).abs() < 1e-12,
                "{x}: {v} vs {}",
                curve.eval(x)
            );
        }
    }
}
