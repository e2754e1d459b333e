//! The built-in chart: layout, scene encoding per camera, white balance, exposure, makes.

use lookwire_color::chart::{self, camera, ChartError, ChartOptions, ChartSize, Frame, Shot};
use lookwire_color::matching::{self, Corners, MatchRequest};
use lookwire_color::pipeline::{to_aces, WorkingSpace};
use lookwire_color::spaces;

fn hd(id: &str, shot: Shot) -> Frame {
    let opts = ChartOptions {
        size: ChartSize::Hd,
        shot,
        ..Default::default()
    };
    chart::render_chart(id, &opts).unwrap()
}

fn ideal() -> Shot {
    Shot {
        ideal: true,
        ..Default::default()
    }
}

fn patch_code(frame: &Frame, id: &str) -> [f64; 3] {
    let patches = chart::patches();
    let corners = Corners::full_frame(frame.width, frame.height);
    let samples = matching::sample_chart(frame, &corners, &patches).unwrap();
    let i = patches.iter().position(|p| p.id == id).unwrap();
    samples[i].rgb
}

fn aces_of(id: &str, code: [f64; 3]) -> [f64; 3] {
    let space = spaces::lookup(id).unwrap();
    to_aces(&space).iter().fold(code, |v, op| op.apply(v))
}

#[test]
fn grey_card_lands_on_each_curves_18_percent_code() {
    // color.md §2.12: LogC3 EI800 0.391007, S-Log3 0.410557, Log3G10 1/3 (f32 frame).
    for (id, want) in [
        ("arri-logc3-awg3", 0.391007),
        ("sony-slog3-sgamut3", 0.410557),
        ("red-log3g10-rwg", 1.0 / 3.0),
    ] {
        let code = patch_code(&hd(id, ideal()), "grey18");
        for c in code {
            assert!(
                (c - want).abs() < 2e-4,
                "{id}: grey card {code:?}, expected {want}"
            );
        }
    }
}

#[test]
fn layout_is_inside_the_chart_without_overlaps_and_scales_to_uhd() {
    let patches = chart::patches();
    assert_eq!(patches.len(), 50);
    for (i, a) in patches.iter().enumerate() {
        let [l, t, r, b] = a.rect;
        assert!(
            0.0 <= l && l < r && r <= 1.0 && 0.0 <= t && t < b && b <= 1.0,
            "{}",
            a.id
        );
        for other in &patches[i + 1..] {
            let [l2, t2, r2, b2] = other.rect;
            let apart = r <= l2 || r2 <= l || b <= t2 || b2 <= t;
            assert!(apart, "{} overlaps {}", a.id, other.id);
        }
        let hd = a.pixel_rect(1920, 1080);
        let uhd = a.pixel_rect(3840, 2160);
        for k in 0..4 {
            assert!((uhd[k] - 2.0 * hd[k]).abs() < 1e-9);
            assert!(
                (hd[k] - hd[k].round()).abs() < 1e-9,
                "{} not on whole pixels",
                a.id
            );
        }
    }
    let uhd = chart::render_chart(
        "arri-logc3-awg3",
        &ChartOptions {
            ideal: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        (uhd.width, uhd.height, uhd.data.len()),
        (3840, 2160, 3840 * 2160 * 3)
    );
    let a = patch_code(&uhd, "cc13");
    let b = patch_code(&hd("arri-logc3-awg3", ideal()), "cc13");
    assert!(
        (0..3).all(|c| (a[c] - b[c]).abs() < 1e-6),
        "UHD {a:?} vs HD {b:?}"
    );
}

#[test]
fn exposure_offsets_scene_light_in_stops() {
    let id = "sony-slog3-sgamut3cine";
    let base = aces_of(id, patch_code(&hd(id, ideal()), "grey18"));
    let up = aces_of(
        id,
        patch_code(
            &hd(
                id,
                Shot {
                    exposure: 1.0,
                    ..ideal()
                },
            ),
            "grey18",
        ),
    );
    for c in 0..3 {
        assert!((up[c] / base[c] - 2.0).abs() < 2e-3, "{base:?} → {up:?}");
    }
}

#[test]
fn tungsten_white_balance_under_daylight_gives_a_blue_cast() {
    let id = "arri-logc4-awg4";
    let grey = |k: Option<f64>| {
        aces_of(
            id,
            patch_code(
                &hd(
                    id,
                    Shot {
                        white_balance: k,
                        ..ideal()
                    },
                ),
                "grey18",
            ),
        )
    };
    let tungsten = grey(Some(3200.0));
    assert!(
        tungsten[2] > 1.3 * tungsten[0],
        "3200 K: {tungsten:?} should be blue"
    );
    let warm = grey(Some(10000.0));
    assert!(warm[0] > 1.05 * warm[2], "10000 K: {warm:?} should be warm");
    let daylight = grey(Some(6504.0));
    let spread =
        daylight.iter().cloned().fold(0.0, f64::max) - daylight.iter().cloned().fold(1.0, f64::min);
    assert!(spread < 0.003, "6504 K: {daylight:?} should be neutral");
}

fn mean_before(ref_id: &str, cam_id: &str, shot: Shot) -> f64 {
    let (rs, cs) = (
        spaces::lookup(ref_id).unwrap(),
        spaces::lookup(cam_id).unwrap(),
    );
    let (rf, cf) = (hd(ref_id, shot), hd(cam_id, shot));
    let req = MatchRequest {
        reference: matching::Shot {
            input: &rs,
            frame: &rf,
            corners: None,
        },
        camera: matching::Shot {
            input: &cs,
            frame: &cf,
            corners: None,
        },
        working: WorkingSpace::Camera,
        output: matching::DEFAULT_OUTPUT.into(),
        style: Default::default(),
        monitoring_matrix: false,
    };
    let prepared = matching::Prepared::new(&req).unwrap();
    let report = prepared.solve(false);
    report.before.mean
}

#[test]
fn ideal_cameras_agree_after_their_input_transforms() {
    for id in [
        "sony-slog3-sgamut3cine",
        "panasonic-vlog-vgamut",
        "canon-clog3-cgamut",
        "apple-log-rec2020",
    ] {
        let de = mean_before("arri-logc3-awg3", id, ideal());
        assert!(de < 0.1, "{id}: ideal renders differ by mean ΔE {de}");
    }
}

#[test]
fn makes_differ_like_real_cameras() {
    let others = [
        "sony-slog3-sgamut3cine",
        "panasonic-vlog-vgamut",
        "red-log3g10-rwg",
        "canon-clog3-cgamut",
        "bmd-film-gen5",
    ];
    let des: Vec<f64> = others
        .iter()
        .map(|id| mean_before("arri-logc3-awg3", id, Shot::default()))
        .collect();
    for (id, de) in others.iter().zip(&des) {
        assert!((1.5..=6.5).contains(de), "arri vs {id}: mean ΔE {de}");
    }
    assert!(camera::make_of("acescct").is_none());
    assert_eq!(
        camera::make_of("sony-slog3-venice-sgamut3").unwrap().make,
        "sony"
    );
    for d in camera::MAKES {
        for row in d.crosstalk() {
            assert!(
                (row.iter().sum::<f64>() - 1.0).abs() < 1e-12,
                "{} crosstalk row {row:?}",
                d.make
            );
        }
    }
}

#[test]
fn bad_settings_are_refused_with_the_value() {
    let render = |id: &str, shot: Shot, noise| {
        chart::render_chart(
            id,
            &ChartOptions {
                size: ChartSize::Hd,
                shot,
                noise,
                ideal: false,
            },
        )
    };
    assert!(matches!(
        render("nope", Shot::default(), None),
        Err(ChartError::Space(_))
    ));
    assert_eq!(
        render(
            "acescct",
            Shot {
                white_balance: Some(900.0),
                ..Default::default()
            },
            None
        ),
        Err(ChartError::WhiteBalance(900.0))
    );
    assert_eq!(
        render(
            "acescct",
            Shot {
                exposure: f64::NAN,
                ..Default::default()
            },
            None
        )
        .unwrap_err()
        .to_string(),
        "exposure NaN stops: expected a finite number within ±16"
    );
    assert_eq!(
        render("acescct", Shot::default(), Some(-1.0)),
        Err(ChartError::Noise(-1.0))
    );
    assert_eq!(
        "4k".parse::<ChartSize>(),
        Err(ChartError::Size("4k".into()))
    );
}

#[test]
fn noise_has_the_requested_spread() {
    let opts = |noise| ChartOptions {
        size: ChartSize::Hd,
        noise,
        ideal: true,
        ..Default::default()
    };
    let clean = chart::render_chart("arri-logc3-awg3", &opts(None)).unwrap();
    let noisy = chart::render_chart("arri-logc3-awg3", &opts(Some(0.01))).unwrap();
    let diffs: Vec<f64> = clean
        .data
        .iter()
        .zip(&noisy.data)
        .map(|(a, b)| f64::from(b - a))
        .collect();
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    let sd = (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / diffs.len() as f64).sqrt();
    assert!(
        mean.abs() < 1e-3 && (sd - 0.01).abs() < 5e-4,
        "mean {mean}, sd {sd}"
    );
}
