//! `look_for`: the node order and the output range in the one look description; grade
//! nodes through the show task; the fitted CDL and its stated error.

use lookwire_color::matching::WorkingChain;
use lookwire_color::output::SignalRange;
use lookwire_color::pipeline::resolve_output;
use lookwire_color::{spaces, Cdl, CdlStyle};
use serde_json::json;

use super::curves::RgbCurves;
use super::demo::demo_show;
use super::fit::fit_cdl;
use super::look::{engine_working, look_for, LookNode};
use super::{Action, GradeField, GradeNode, Scope, Show, ShowError, ShowHandle};
use crate::store::SqliteStore;

fn cdl(sop: [f64; 9], sat: f64) -> Cdl {
    Cdl::from_sop_sat(sop, sat).unwrap()
}

fn lift_red() -> RgbCurves {
    RgbCurves {
        r: vec![[0.0, 0.0], [0.45, 0.52], [1.0, 1.0]],
        ..RgbCurves::default()
    }
}

/// Camera `a` with a match, a trim, a secondary CDL and curves (under the show look).
fn graded_show() -> Show {
    let mut show = demo_show();
    let g = &mut show.cameras["a"].grade;
    g.match_cdl = cdl([1.02, 1.0, 0.98, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], 1.0);
    g.trim = cdl([1.1, 1.0, 0.95, 0.01, 0.0, -0.01, 1.0, 1.05, 1.0], 0.9);
    g.nodes = vec![
        GradeNode::Cdl {
            id: "sec".into(),
            cdl: cdl([1.0, 1.0, 1.0, 0.0, 0.01, 0.0, 0.9, 1.0, 1.1], 1.1),
        },
        GradeNode::Curves {
            id: "curves".into(),
            curves: lift_red(),
        },
    ];
    show
}

#[test]
fn look_for_applies_every_node_in_order_then_the_output_and_its_range() {
    let show = graded_show();
    let look = look_for(&show, "a", "sdr").unwrap();
    assert_eq!(
        look.nodes.len(),
        5,
        "match, trim, secondary, curves, show look"
    );
    assert!(matches!(look.nodes[3], LookNode::Curves(_)));
    assert_eq!(look.range, SignalRange::Legal);
    let ops = look.ops().unwrap().unwrap();
    // The same chain by hand: into the working space, each node (curves as the exact
    // spline), out to ACES, the display transform, then legal range.
    let cam = &show.cameras["a"];
    let chain = WorkingChain::new(
        &spaces::lookup(&cam.input_space).unwrap(),
        engine_working(cam.working_space),
    );
    let display = resolve_output("aces2-sdr-rec709").unwrap();
    let look_cdl = show.looks["warm-contrast"].cdl.unwrap();
    for code in [[0.3, 0.35, 0.4], [0.5, 0.45, 0.42], [0.2, 0.2, 0.2]] {
        let mut w = chain.to_working(code);
        for c in [cam.grade.match_cdl, cam.grade.trim] {
            w = c.apply(w, show.cdl_style);
        }
        let GradeNode::Cdl { cdl: sec, .. } = &cam.grade.nodes[0] else {
            unreachable!()
        };
        w = lift_red().apply(sec.apply(w, show.cdl_style));
        w = look_cdl.apply(w, show.cdl_style);
        let full = display
            .ops
            .iter()
            .fold(chain.to_aces(w), |v, op| op.apply(v));
        let want = full.map(|v| SignalRange::Legal.apply(v));
        let got = ops.apply(code);
        for c in 0..3 {
            assert!(
                (got[c] - want[c]).abs() * 1023.0 < 0.05,
                "{code:?}: {got:?} vs {want:?}"
            );
        }
    }
    // The same camera on a full-range output differs by exactly the range mapping.
    let mut full_show = show.clone();
    full_show.outputs["sdr"].range = SignalRange::Full;
    let full = look_for(&full_show, "a", "sdr")
        .unwrap()
        .ops()
        .unwrap()
        .unwrap();
    let (l, f) = (ops.apply([0.4; 3]), full.apply([0.4; 3]));
    assert!((l[1] - SignalRange::Legal.apply(f[1])).abs() < 1e-12);
}

#[test]
fn devices_bake_the_nodes() {
    use crate::devices::bake::Baker;
    let mut show = demo_show();
    let mut baker = Baker::default();
    let before = baker.bake(&show, "a", "sdr", super::Bypass::None).unwrap();
    show.cameras["a"].grade.nodes = vec![GradeNode::Curves {
        id: "c".into(),
        curves: lift_red(),
    }];
    let after = baker.bake(&show, "a", "sdr", super::Bypass::None).unwrap();
    let probe = [0.45f32; 3];
    let (b, a) = (
        before
            .lut
            .lookup(probe, lookwire_color::Interpolation::Tetrahedral),
        after
            .lut
            .lookup(probe, lookwire_color::Interpolation::Tetrahedral),
    );
    assert!(a[0] > b[0] + 0.01, "red rises: {b:?} → {a:?}");
    assert!((a[2] - b[2]).abs() < 0.01, "blue stays: {b:?} → {a:?}");
    assert_eq!(after.cdl, None, "no single CDL is claimed exact");
}

#[test]
fn fitted_cdl_is_exact_where_the_grade_merges() {
    let mut show = demo_show();
    show.cdl_style = CdlStyle::NoClamp;
    show.cameras["a"].grade.nodes = vec![GradeNode::Cdl {
        id: "sec".into(),
        cdl: cdl([1.1, 0.9, 1.0, 0.02, 0.0, -0.01, 1.0, 1.0, 1.0], 1.0),
    }];
    let fit = fit_cdl(&look_for(&show, "a", "sdr").unwrap()).unwrap();
    assert!(fit.exact);
    assert!(fit.error.output_max_cv < 1e-6, "{:?}", fit.error);
    assert_eq!(fit.error.samples, 729);
}

#[test]
fn a_straight_curve_is_fitted_as_slope_and_offset() {
    let mut show = demo_show();
    show.cdl_style = CdlStyle::NoClamp;
    let cam = &mut show.cameras["a"];
    cam.working_space = super::WorkingSpace::Camera;
    cam.grade.look = None;
    cam.grade.nodes = vec![GradeNode::Curves {
        id: "c".into(),
        curves: RgbCurves {
            master: vec![[0.0, 0.05], [1.0, 0.95]],
            ..RgbCurves::default()
        },
    }];
    let fit = fit_cdl(&look_for(&show, "a", "sdr").unwrap()).unwrap();
    assert!(!fit.exact);
    for c in 0..3 {
        assert!((fit.cdl.slope[c] - 0.9).abs() < 1e-6, "{:?}", fit.cdl);
        assert!((fit.cdl.offset[c] - 0.05).abs() < 1e-6, "{:?}", fit.cdl);
        assert!((fit.cdl.power[c] - 1.0).abs() < 1e-6, "{:?}", fit.cdl);
    }
    assert!(fit.error.working_max_cv < 1e-3, "{:?}", fit.error);
}

#[test]
fn fitted_cdl_states_the_error_it_makes() {
    let show = graded_show();
    let look = look_for(&show, "a", "sdr").unwrap();
    let fit = fit_cdl(&look).unwrap();
    assert!(!fit.exact, "ASC powers and curves do not merge");
    fit.cdl.validate().unwrap();
    // Recompute the working-space error independently on the stated lattice.
    let cam = &show.cameras["a"];
    let chain = WorkingChain::new(
        &spaces::lookup(&cam.input_space).unwrap(),
        engine_working(cam.working_space),
    );
    let (mut max, mut sum, mut start_sum) = (0.0f64, 0.0, 0.0);
    let identity_guess = look.nodes.iter().fold(Cdl::IDENTITY, |acc, n| match n {
        LookNode::Cdl(c) => Cdl {
            slope: [0, 1, 2].map(|i| acc.slope[i] * c.slope[i]),
            ..acc
        },
        LookNode::Curves(_) | LookNode::Lut(_) => acc,
    });
    let n = 9;
    for i in 0..n * n * n {
        let code = [i / 81, (i / 9) % 9, i % 9].map(|k| k as f64 / 8.0);
        let w = chain.to_working(code);
        let want = look.grade(w);
        let got = fit.cdl.apply(w, look.style);
        let naive = identity_guess.apply(w, look.style);
        for c in 0..3 {
            let d = (got[c] - want[c]).abs() * 1023.0;
            max = max.max(d);
            sum += d;
            start_sum += (naive[c] - want[c]).abs() * 1023.0;
        }
    }
    let mean = sum / (3 * n * n * n) as f64;
    assert!(
        (max - fit.error.working_max_cv).abs() < 1e-9,
        "{max} vs {:?}",
        fit.error
    );
    assert!((mean - fit.error.working_mean_cv).abs() < 1e-9);
    assert!(
        mean < start_sum / (3 * n * n * n) as f64 / 2.0,
        "the fit beats slopes alone"
    );
    assert!(fit.error.output_max_cv > 0.0 && fit.error.output_mean_cv <= fit.error.output_max_cv);
}

fn start() -> (ShowHandle, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    (ShowHandle::start(Box::new(store), demo_show).unwrap(), dir)
}

fn set_nodes(nodes: serde_json::Value) -> Action {
    let update = serde_json::from_value(json!({ "nodes": nodes })).unwrap();
    Action::SetGrade {
        camera: "a".into(),
        update,
    }
}

#[tokio::test]
async fn nodes_are_set_trimmed_undone_and_refused_with_their_place() {
    let (show, _dir) = start();
    let nodes = json!([
        {"kind": "cdl", "id": "sec", "cdl": {"slope": [1,1,1], "offset": [0,0,0], "power": [1,1,1], "sat": 1}},
        {"kind": "curves", "id": "c", "curves": {"master": [[0, 0], [0.5, 0.55], [1, 1]]}}
    ]);
    show.apply("vc", set_nodes(nodes), None).await.unwrap();
    let trim = Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("nodes.sec.slope.g").unwrap(),
        value: json!(1.2),
    };
    show.apply("vc", trim, None).await.unwrap();
    let grade = show.view().show.cameras["a"].grade.clone();
    assert!(matches!(&grade.nodes[0], GradeNode::Cdl { cdl, .. } if cdl.slope[1] == 1.2));
    // Refusals say where.
    let bad_curve = set_nodes(json!([
        {"kind": "curves", "id": "c", "curves": {"r": [[0, 0], [0.7, 0.5], [0.6, 0.9]]}}
    ]));
    let err = show.apply("vc", bad_curve, None).await.unwrap_err();
    assert_eq!(err.path(), "/cameras/a/grade/nodes/0/curves/r/2/0", "{err}");
    let twice = set_nodes(json!([
        {"kind": "curves", "id": "c", "curves": {}},
        {"kind": "curves", "id": "c", "curves": {}}
    ]));
    let err = show.apply("vc", twice, None).await.unwrap_err();
    assert_eq!(err.path(), "/cameras/a/grade/nodes/1/id", "{err}");
    let wrong_kind = Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("nodes.c.sat").unwrap(),
        value: json!(1.0),
    };
    let err = show.apply("vc", wrong_kind, None).await.unwrap_err();
    assert!(matches!(err, ShowError::Invalid(_)) && err.to_string().contains("curves"));
    // Undo goes back through the trim, then the node list.
    for _ in 0..2 {
        show.apply("vc", Action::Undo(Scope::Camera("a".into())), None)
            .await
            .unwrap();
    }
    assert!(show.view().show.cameras["a"].grade.nodes.is_empty());
    // Reset clears the nodes with the trim.
    show.apply("vc", Action::Redo(Scope::Camera("a".into())), None)
        .await
        .unwrap();
    let reset = Action::ResetGrade {
        camera: "a".into(),
        include_match: false,
    };
    show.apply("vc", reset, None).await.unwrap();
    assert!(show.view().show.cameras["a"].grade.nodes.is_empty());
}

#[test]
fn an_output_bypass_holds_for_monitors_but_not_for_exports() {
    let mut show = graded_show();
    show.outputs["sdr"].bypass = super::Bypass::DisplayOnly;
    let monitor = look_for(&show, "a", "sdr").unwrap();
    assert!(monitor.nodes.is_empty());
    assert_eq!(monitor.bypass, super::Bypass::DisplayOnly);
    let export = super::export_look_for(&show, "a", "sdr").unwrap();
    assert_eq!(export.nodes.len(), 5);
    assert_eq!(export.range, SignalRange::Legal);
    show.outputs["sdr"].bypass = super::Bypass::Identity;
    assert!(look_for(&show, "a", "sdr").unwrap().pipeline.is_none());
    assert!(look_for(&show, "a", "nope").is_err());
}
