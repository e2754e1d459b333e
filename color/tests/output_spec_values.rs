//! The check values of shared/specs/color.md §6 (measured with OpenColorIO 2.6.0),
//! ACES2065-1 input → code value, including a chain that has no lookwire id
//! (ACES 2.0 HDR 1000 nit Rec.2020-limited), built from the public pieces.

use lookwire_color::output::aces2::Aces2Rendering;
use lookwire_color::output::display::Display;
use lookwire_color::output::matrix::{mul_vec, Primaries};
use lookwire_color::output::{Encoding, OutputTransform};

const INPUTS: [[f64; 3]; 3] = [[0.18, 0.18, 0.18], [1.0, 1.0, 1.0], [0.5, 0.05, 0.02]];

fn check(name: &str, f: impl Fn([f64; 3]) -> [f64; 3], want: [[f64; 3]; 3]) {
    for (x, w) in INPUTS.iter().zip(want) {
        let got = f(*x);
        for k in 0..3 {
            assert!(
                (got[k] - w[k]).abs() < 2e-5,
                "{name} {x:?}: got {got:?}, spec {w:?}"
            );
        }
    }
}

fn grey(v: f64) -> [f64; 3] {
    [v; 3]
}

#[test]
fn spec_table_values_hold() {
    let table: [(&str, [[f64; 3]; 3]); 5] = [
        (
            "aces2-sdr-rec709",
            [grey(0.383117), grey(0.721975), [0.785813, 0.0, 0.199068]],
        ),
        (
            "aces2-sdr-p3d65",
            [
                grey(0.412461),
                grey(0.740295),
                [0.775595, 0.056957, 0.220524],
            ],
        ),
        (
            "aces2-hdr-rec2100-pq1000",
            [
                grey(0.329837),
                grey(0.514472),
                [0.457751, 0.226518, 0.204384],
            ],
        ),
        (
            "aces1-sdr-rec709",
            [grey(0.389530), grey(0.821773), [0.864611, 0.0, 0.102246]],
        ),
        (
            "aces1-hdr-rec2100-pq1000",
            [
                grey(0.332590),
                grey(0.515295),
                [0.462987, 0.143722, 0.128005],
            ],
        ),
    ];
    for (id, want) in table {
        let out = OutputTransform::from_id(id).unwrap();
        check(id, |x| out.apply(x), want);
    }
}

#[test]
fn rec2020_limited_aces2_hdr_matches_the_spec_row() {
    let rendering = Aces2Rendering::new(1000.0, &Primaries::REC2020);
    let display = Display::new(&Primaries::REC2020, Encoding::Pq);
    let to_xyz = Primaries::REC2020.rgb_to_xyz();
    check(
        "HDR-1000nit-REC2020_2.0",
        |x| display.encode(mul_vec(&to_xyz, rendering.apply(x))),
        [
            grey(0.329837),
            grey(0.514472),
            [0.463706, 0.172377, 0.179164],
        ],
    );
}
