//! Every transfer function round-trips where it is invertible, and clamps where
//! its OpenColorIO builtin clamps.

use lookwire_color::spaces::{self, Curve};

/// Code values inside the range where `encode(decode(y)) == y`, from −0.2 to 1.6.
fn codes(curve: &Curve) -> impl Iterator<Item = f64> + '_ {
    let (lo, hi) = curve.code_domain();
    (0..=1800)
        .map(|i| -0.2 + i as f64 * 0.001)
        .filter(move |y| *y >= lo && *y <= hi)
}

/// Scene-linear values inside the range where `decode(encode(x)) == x`, −0.05 to 1e4.
fn linears(curve: &Curve) -> impl Iterator<Item = f64> + '_ {
    let (lo, hi) = curve.linear_domain();
    let below = (0..=100).map(|i| -0.05 + i as f64 * 0.0005);
    let above = (0..=600).map(|i| 10f64.powf(-3.0 + i as f64 * 0.0117));
    below.chain(above).filter(move |x| *x >= lo && *x <= hi)
}

#[test]
fn every_curve_round_trips_to_1e6() {
    for space in spaces::all() {
        let c = space.curve;
        for y in codes(&c) {
            // BT.709's published OETF (1.099, 0.018) jumps from 0.081 to 0.08119 at
            // L = 0.018: codes in that gap have no scene-linear preimage.
            if space.id == "rec709-bt709" && y > 0.081 && y < 0.0812 {
                continue;
            }
            let back = c.encode(c.decode(y));
            assert!((back - y).abs() < 1e-6, "{}: code {y} → {back}", space.id);
        }
        for x in linears(&c) {
            let back = c.decode(c.encode(x));
            let err = (back - x).abs() / x.abs().max(1.0);
            // Apple Log's square-root toe (x < 0.01) is flat at its start: relative 1e-6 there.
            assert!(err < 1e-6, "{}: linear {x} → {back}", space.id);
        }
    }
}

#[test]
fn logc3_at_every_ei_round_trips() {
    for ei in [160, 400, 1600, 3200] {
        let c = spaces::lookup(&format!("arri-logc3-awg3-ei{ei}"))
            .unwrap()
            .curve;
        for y in codes(&c) {
            assert!((c.encode(c.decode(y)) - y).abs() < 1e-9, "EI {ei} code {y}");
        }
    }
}

#[test]
fn clamping_curves_clamp_like_their_opencolorio_builtins() {
    let clog2 = spaces::lookup("canon-clog2-cgamut").unwrap().curve;
    assert_eq!(
        clog2.decode(1.4),
        clog2.decode(1.0),
        "Canon tables end at code 1"
    );
    assert_eq!(clog2.decode(-0.3), clog2.decode(0.0));
    assert_eq!(clog2.encode(1e6), 1.0);
    assert_eq!(clog2.encode(-1.0), 0.0);
    let cc = spaces::lookup("acescc").unwrap().curve;
    assert_eq!(cc.decode(2.0), cc.decode(1.5), "ACEScc's range ends at 1.5");
    assert_eq!(cc.encode(-1.0), -0.36);
    assert!(
        (cc.decode(1.5) - 96617.67).abs() < 0.5,
        "no 65504 ceiling in OCIO 2.6"
    );
    let cct = spaces::lookup("acescct").unwrap().curve;
    assert!(
        cct.decode(1.6) > 3e5,
        "ACEScct is not clamped in OCIO 2.6: {}",
        cct.decode(1.6)
    );
    let apple = spaces::lookup("apple-log-rec2020").unwrap().curve;
    assert_eq!(apple.encode(-1.0), 0.0);
    assert!((apple.decode(-1.0) + 0.05641088).abs() < 1e-12);
}
