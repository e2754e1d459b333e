//! Gamut matrices: pairs are inverse, white maps to white, CATs as OCIO chooses them.

use lookwire_color::spaces::{self, gamut, Adaptation};
use nalgebra::{Matrix3, Vector3};

#[test]
fn every_matrix_pair_is_inverse_to_1e9() {
    for space in spaces::all() {
        let id = space.to_aces() * space.from_aces() - Matrix3::identity();
        let di = space.from_aces() * space.to_aces() - Matrix3::identity();
        assert!(
            id.amax() < 1e-9 && di.amax() < 1e-9,
            "{}: {id} {di}",
            space.id
        );
    }
    for cat in [Adaptation::None, Adaptation::Bradford, Adaptation::Cat02] {
        let ab = spaces::conversion_matrix(&gamut::REC709, &gamut::AP1, cat);
        let ba = spaces::conversion_matrix(&gamut::AP1, &gamut::REC709, cat);
        assert!((ab * ba - Matrix3::identity()).amax() < 1e-9, "{cat}");
    }
}

#[test]
fn adapted_white_maps_to_aces_white() {
    for space in spaces::all() {
        let grey = space.to_aces() * Vector3::new(0.18, 0.18, 0.18);
        let err = (grey - Vector3::repeat(0.18)).amax();
        let expect_exact =
            space.adaptation != Adaptation::None || space.gamut.white == gamut::ACES_WHITE;
        assert!(!expect_exact || err < 1e-12, "{}: grey → {grey}", space.id);
    }
}

#[test]
fn npm_takes_rgb_white_to_xyz_white_with_y_1() {
    let w = gamut::AP0.rgb_to_xyz() * Vector3::repeat(1.0);
    let d60 = [0.95264607456985, 1.0, 1.00882518435159];
    for c in 0..3 {
        assert!((w[c] - d60[c]).abs() < 1e-6, "{w}");
    }
    // AP1's Y row is the luminance ACES 1.x uses (../shared/specs/color.md §3).
    let y = gamut::AP1.rgb_to_xyz().row(1).into_owned();
    let want = [0.2722287168, 0.6740817658, 0.0536895174];
    for c in 0..3 {
        assert!((y[c] - want[c]).abs() < 1e-9, "{y}");
    }
}

/// Picking the wrong CAT moves the largest element by 4e-3 or more (spec §3): the
/// registry must use the one each OCIO builtin uses.
#[test]
fn choice_of_adaptation_matters_per_camera() {
    let vlog = spaces::lookup("panasonic-vlog-vgamut").unwrap();
    assert_eq!(vlog.adaptation, Adaptation::Bradford);
    let other = spaces::conversion_matrix(&vlog.gamut, &gamut::AP0, Adaptation::Cat02);
    assert!((other - vlog.to_aces()).amax() > 3e-3);
    assert_eq!(
        spaces::lookup("sony-slog3-sgamut3").unwrap().adaptation,
        Adaptation::Cat02
    );
    assert_eq!(
        spaces::lookup("red-log3g10-rwg").unwrap().adaptation,
        Adaptation::Bradford
    );
}
