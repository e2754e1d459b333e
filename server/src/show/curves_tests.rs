//! RGB curves against SciPy's `PchipInterpolator` (reference/gen_curves_reference.py), the
//! baked 1D LUT against the spline, and the refusals of bad control points.

use serde::Deserialize;

use super::curves::{RgbCurves, Spline, CURVE_MAX, CURVE_MIN};

#[derive(Deserialize)]
struct Reference {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    points: Vec<[f64; 2]>,
    x: Vec<f64>,
    y: Vec<f64>,
}

#[test]
fn spline_matches_scipy_pchip() {
    let reference: Reference =
        serde_json::from_str(include_str!("reference/curves_reference.json")).unwrap();
    assert!(reference.cases.len() >= 9);
    for case in &reference.cases {
        let spline = Spline::new(&case.points);
        for (x, want) in case.x.iter().zip(&case.y) {
            let got = spline.eval(*x);
            assert!(
                (got - want).abs() < 1e-12,
                "{:?} at {x}: {got} vs scipy {want}",
                case.points
            );
        }
    }
}

#[test]
fn rising_points_give_a_rising_curve_and_ends_continue_at_slope_one() {
    // Points that make an ordinary cubic spline overshoot (a flat run then a step).
    let points = [[0.0, 0.0], [0.3, 0.1], [0.35, 0.8], [1.0, 0.85]];
    let s = Spline::new(&points);
    let mut last = f64::NEG_INFINITY;
    for i in 0..=1000 {
        let y = s.eval(i as f64 / 1000.0);
        assert!(y >= last - 1e-15, "falls at {i}");
        assert!((0.0..=0.85 + 1e-12).contains(&y), "overshoots: {y}");
        last = y;
    }
    assert!((s.eval(1.2) - 1.05).abs() < 1e-12);
    assert!((s.eval(-0.1) + 0.1).abs() < 1e-12);
    // No points: straight.
    assert_eq!(Spline::new(&[]).eval(0.37), 0.37);
}

#[test]
fn curves_apply_master_then_channel_and_bake_into_a_close_lut() {
    let curves = RgbCurves {
        master: vec![[0.0, 0.05], [0.5, 0.45], [1.0, 1.0]],
        r: vec![[0.0, 0.0], [0.4, 0.5], [1.0, 1.0]],
        g: vec![],
        b: vec![[0.0, 0.02], [1.0, 0.9]],
    };
    curves.validate().unwrap();
    let master = Spline::new(&curves.master);
    let x = 0.3;
    let got = curves.apply([x; 3]);
    assert_eq!(got[0], Spline::new(&curves.r).eval(master.eval(x)));
    assert_eq!(got[1], master.eval(x));
    assert_eq!(got[2], Spline::new(&curves.b).eval(master.eval(x)));
    let lut = curves.to_lut().unwrap().expect("not the identity");
    let mut worst = 0.0f64;
    for i in 0..=2000 {
        let v = CURVE_MIN + (CURVE_MAX - CURVE_MIN) * i as f64 / 2000.0;
        let exact = curves.apply([v; 3]);
        let baked = lut.lookup_f64([v; 3]);
        for c in 0..3 {
            worst = worst.max((exact[c] - baked[c]).abs());
        }
    }
    // Linear interpolation over 4096 entries plus f32 storage: far below a 10-bit code.
    assert!(
        worst * 1023.0 < 0.01,
        "LUT vs spline: {} codes",
        worst * 1023.0
    );
    let straight = RgbCurves {
        master: vec![[0.0, 0.0], [1.0, 1.0]],
        ..RgbCurves::default()
    };
    assert!(straight.is_identity());
    assert!(straight.to_lut().unwrap().is_none());
}

#[test]
fn bad_points_are_refused_with_their_place() {
    let cases = [
        (vec![[0.5, 0.5]], "r", "0 or at least 2"),
        (
            vec![[0.0, 0.0], [0.0, 0.5]],
            "r/1/0",
            "greater than the previous",
        ),
        (vec![[0.0, 0.0], [0.6, 0.5], [0.4, 0.7]], "r/2/0", "greater"),
        (vec![[0.0, f64::NAN], [1.0, 1.0]], "r/0/1", "outside"),
        (vec![[0.0, 0.0], [2.0, 1.0]], "r/1/0", "outside"),
        (
            (0..40).map(|i| [i as f64 / 40.0; 2]).collect(),
            "r",
            "at most 32",
        ),
    ];
    for (points, path, says) in cases {
        let curves = RgbCurves {
            r: points,
            ..RgbCurves::default()
        };
        let err = curves.validate().unwrap_err();
        assert_eq!(err.path, path, "{err}");
        assert!(err.message.contains(says), "{err}");
    }
}
