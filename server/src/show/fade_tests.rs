//! Scene fades: in-between grades, the fade clock, and the rendered show following a
//! faded recall through the show task.

use std::time::{Duration, Instant};

use lookwire_color::Cdl;
use serde_json::json;

use super::curves::{RgbCurves, Spline};
use super::demo::demo_show;
use super::fade::{grade_between, CameraFade, Fades};
use super::{Action, Grade, GradeField, GradeNode, ShowHandle};
use crate::store::SqliteStore;

fn graded(slope: f64, nodes: Vec<GradeNode>, look: Option<&str>) -> Grade {
    let mut g = Grade::with_look(look.map(str::to_owned));
    g.trim.slope = [slope, 1.0, 1.0];
    g.trim.power = [1.0, slope, 1.0];
    g.nodes = nodes;
    g
}

fn sec(sat: f64) -> GradeNode {
    GradeNode::Cdl {
        id: "sec".into(),
        cdl: Cdl {
            sat,
            ..Cdl::IDENTITY
        },
    }
}

fn lift(y: f64) -> GradeNode {
    GradeNode::Curves {
        id: "c".into(),
        curves: RgbCurves {
            master: vec![[0.0, 0.0], [0.5, y], [1.0, 1.0]],
            ..RgbCurves::default()
        },
    }
}

#[test]
fn in_between_grades_start_and_end_exactly_and_move_number_by_number() {
    let from = graded(1.0, vec![sec(1.2), lift(0.6)], Some("a"));
    let to = graded(1.4, vec![sec(0.8)], Some("b"));
    assert_eq!(grade_between(&from, &to, 0.0), from);
    let end = grade_between(&from, &to, 1.0);
    assert_eq!(end.trim, to.trim);
    assert_eq!(end.nodes[0], to.nodes[0]);
    // The curves only the old grade has end straight.
    let GradeNode::Curves { curves, .. } = &end.nodes[1] else {
        panic!("{:?}", end.nodes)
    };
    assert!(curves.is_identity(), "{curves:?}");
    let quarter = grade_between(&from, &to, 0.25);
    assert!((quarter.trim.slope[0] - 1.1).abs() < 1e-12);
    assert!((quarter.trim.power[1] - 1.1).abs() < 1e-12);
    assert_eq!(
        quarter.look.as_deref(),
        Some("a"),
        "the old look until halfway"
    );
    assert!(
        matches!(&quarter.nodes[0], GradeNode::Cdl { cdl, .. } if (cdl.sat - 1.1).abs() < 1e-12)
    );
    let GradeNode::Curves { curves, .. } = &quarter.nodes[1] else {
        panic!()
    };
    // A quarter of the way from the lifted curve to straight at its control point.
    let mid = Spline::new(&curves.master).eval(0.5);
    assert!((mid - (0.6 + (0.5 - 0.6) * 0.25)).abs() < 1e-12, "{mid}");
    assert_eq!(grade_between(&from, &to, 0.75).look.as_deref(), Some("b"));
}

#[test]
fn fades_render_by_the_clock_and_drop_when_done() {
    let mut view = super::ShowView {
        version: 3,
        show: demo_show(),
    };
    let to = graded(1.4, Vec::new(), Some("warm-contrast"));
    view.show.cameras["a"].grade = to.clone();
    let start = Instant::now();
    let from = graded(1.0, Vec::new(), Some("warm-contrast"));
    let mut fades = Fades::default();
    let fade = CameraFade {
        from,
        to: to.clone(),
        start,
        duration: Duration::from_millis(400),
    };
    assert_eq!(fade.progress(start + Duration::from_millis(100)), 0.25);
    fades.insert("a", fade);
    let at = fades.render(&view, start + Duration::from_millis(200));
    assert!((at.show.cameras["a"].grade.trim.slope[0] - 1.2).abs() < 1e-12);
    assert_eq!(at.show.cameras["b"], view.show.cameras["b"]);
    assert_eq!(fades.cameras(), ["a"]);
    let done = fades.render(&view, start + Duration::from_millis(400));
    assert_eq!(done.show.cameras["a"].grade, to);
    assert!(fades.is_empty());
}

#[tokio::test]
async fn a_faded_recall_commits_at_once_and_renders_in_between_grades() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let trim = |v: f64| Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("trim.slope.r").unwrap(),
        value: json!(v),
    };
    show.apply("vc", trim(1.5), None).await.unwrap();
    let save = Action::SaveScene {
        id: "wide".into(),
        name: "Wide".into(),
        fade_frames: 50,
    };
    show.apply("vc", save, None).await.unwrap();
    show.apply("vc", trim(1.0), None).await.unwrap();
    let mut rendered = show.watch_rendered();
    rendered.borrow_and_update();
    let mut changes = show.subscribe();
    show.apply("vc", Action::RecallScene("wide".into()), None)
        .await
        .unwrap();
    let recall = changes.recv().await.unwrap();
    assert_eq!(recall.event.fade_frames, Some(50));
    assert_eq!(show.view().show.cameras["a"].grade.trim.slope[0], 1.5);
    let (mut seen, deadline) = (Vec::new(), Instant::now() + Duration::from_secs(20));
    while Instant::now() < deadline {
        let _ = tokio::time::timeout(Duration::from_secs(1), rendered.changed()).await;
        let slope = rendered.borrow_and_update().show.cameras["a"]
            .grade
            .trim
            .slope[0];
        seen.push(slope);
        if slope == 1.5 {
            break;
        }
    }
    assert_eq!(seen.last(), Some(&1.5), "{seen:?}");
    assert!(
        seen.iter().any(|s| *s > 1.0 && *s < 1.5),
        "an in-between grade was rendered: {seen:?}"
    );
    // A trim after the fade shows at once.
    show.apply("vc", trim(1.25), None).await.unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(5), rendered.changed()).await;
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.25);
}

fn change(
    action: &str,
    path: &str,
    before: serde_json::Value,
    after: serde_json::Value,
    fade: Option<u32>,
) -> super::writer::Change {
    super::writer::Change {
        event: super::Event {
            version: 1,
            who: "vc".into(),
            wall_ms: 0,
            timecode: "00:00:00:00".into(),
            action: action.into(),
            cameras: vec!["a".into()],
            patches: vec![super::Patch::Replace {
                path: path.into(),
                before,
                after,
            }],
            history: None,
            fade_frames: fade,
        },
        origin: None,
        message: String::new(),
    }
}

#[test]
fn a_faded_recall_starts_a_fade_and_a_trim_ends_it() {
    let from = serde_json::to_value(graded(1.0, Vec::new(), None)).unwrap();
    let to = serde_json::to_value(graded(1.4, Vec::new(), None)).unwrap();
    let now = Instant::now();
    let mut fades = Fades::default();
    let cut = change(
        "scene.recall",
        "/cameras/a/grade",
        from.clone(),
        to.clone(),
        None,
    );
    fades.follow(&cut.event, now, 25.0);
    assert!(fades.is_empty(), "no fade frames: a cut");
    let faded = change("scene.recall", "/cameras/a/grade", from, to, Some(50));
    fades.follow(&faded.event, now, 25.0);
    assert_eq!(fades.cameras(), ["a"]);
    let view = super::ShowView {
        version: 1,
        show: demo_show(),
    };
    let half = fades.render(&view, now + Duration::from_secs(1));
    assert!((half.show.cameras["a"].grade.trim.slope[0] - 1.2).abs() < 1e-9);
    let trim = change(
        "trim",
        "/cameras/a/grade/trim/slope/0",
        json!(1.4),
        json!(1.3),
        None,
    );
    fades.follow(&trim.event, now, 25.0);
    assert!(fades.is_empty(), "the live trim wins");
}
