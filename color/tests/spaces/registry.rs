//! The registry: ids, check values of the spec, a reference matrix.

use lookwire_color::spaces::{self, gamut, Adaptation, Curve, InputSpace};

fn space(id: &str) -> InputSpace {
    spaces::lookup(id).unwrap_or_else(|e| panic!("{e}"))
}

/// ../shared/specs/color.md §2.12: encode of scene-linear 0 / 0.18 / 1.0
/// (colour-science 0.4.7; OpenColorIO agrees to < 1e-5).
#[test]
fn check_values_of_spec_table() {
    let table: &[(&str, [f64; 3])] = &[
        ("arri-logc3-awg3", [0.092809, 0.391007, 0.570632]),
        ("arri-logc4-awg4", [0.092864, 0.278396, 0.427519]),
        ("sony-slog3-sgamut3", [0.092864, 0.410557, 0.596027]),
        ("panasonic-vlog-vgamut", [0.125000, 0.423311, 0.599118]),
        ("red-log3g10-rwg", [0.091551, 0.333333, 0.493449]),
        ("red-redlogfilm-rwg", [0.092864, 0.457320, 0.669599]),
        ("canon-clog2-cgamut", [0.092864, 0.398255, 0.573229]),
        ("canon-clog3-cgamut", [0.125122, 0.343389, 0.580278]),
        ("bmd-film-gen5", [0.092466, 0.383562, 0.530490]),
        ("davinci-intermediate-dwg", [0.000000, 0.336043, 0.513837]),
        ("apple-log-rec2020", [0.150476, 0.488272, 0.694553]),
        ("dji-dlog-dgamut", [0.092900, 0.398765, 0.584555]),
        ("fuji-flog2-fgamut", [0.092864, 0.391007, 0.568219]),
        ("acescct", [0.072906, 0.413588, 0.554795]),
        ("acescc", [-0.358447, 0.413588, 0.554795]),
    ];
    for (id, expected) in table {
        let curve = space(id).curve;
        for (x, want) in [0.0, 0.18, 1.0].into_iter().zip(expected) {
            let got = curve.encode(x);
            assert!(
                (got - want).abs() < 1.5e-6,
                "{id} encode({x}) = {got}, table {want}"
            );
        }
    }
}

/// AWG3 → AP0 with CAT02, as printed in ../shared/specs/color.md §3 (equal to OCIO's builtin).
#[test]
fn awg3_matrix_matches_opencolorio() {
    let m = space("arri-logc3-awg3").to_aces();
    let want = [
        [0.680205505106279, 0.236136601606481, 0.0836578932872398],
        [0.0854149797421404, 1.01747087860704, -0.102885858349182],
        [0.00205652166929683, -0.0625625003847921, 1.06050597871549],
    ];
    for r in 0..3 {
        for c in 0..3 {
            assert!(
                (m[(r, c)] - want[r][c]).abs() < 1e-12,
                "{r},{c}: {}",
                m[(r, c)]
            );
        }
    }
    let ap0_ap1 = spaces::conversion_matrix(&gamut::AP0, &gamut::AP1, Adaptation::Cat02);
    assert!(
        (ap0_ap1[(0, 0)] - 1.4514393161).abs() < 1e-9,
        "same white: no adaptation"
    );
}

#[test]
fn registry_has_the_issue_ids_and_logc3_ei() {
    let ids = spaces::ids();
    assert_eq!(ids.len(), 23);
    let ei = space("arri-logc3-awg3-ei1600");
    assert!(ei.ocio_builtin.is_none());
    // Table of ../shared/specs/color.md §2.1: f (the code of 0) at EI 1600; grey stays put.
    assert!((ei.curve.encode(0.0) - 0.092824).abs() < 1e-6);
    assert!((ei.curve.encode(0.18) - 0.391007).abs() < 1e-5);
    assert!(matches!(
        space("arri-logc3-awg3-ei800").curve,
        Curve::LogCamera(_)
    ));
    let err = spaces::lookup("arri-logc3-awg3-ei9")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("exposure index 9 is outside 50..=3200"),
        "{err}"
    );
    let err = spaces::lookup("sony-slog2").unwrap_err().to_string();
    assert!(
        err.starts_with("unknown space \"sony-slog2\": expected one of aces2065-1"),
        "{err}"
    );
}
