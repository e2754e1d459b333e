//! Scene fades: in-between grades, the fade clock, and the rendered show following a
//! faded recall through the show task.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lookwire_color::Cdl;
use serde_json::json;

use super::curves::{RgbCurves, Spline};
use super::demo::demo_show;
use super::fade::{grade_between, CameraFade, Fades, ManualFrames};
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

/// A show on a temporary store whose fades follow a hand-moved clock.
fn manual_show() -> (ShowHandle, Arc<ManualFrames>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    let frames = Arc::new(ManualFrames::default());
    let show = ShowHandle::start_with_frames(Box::new(store), demo_show, frames.clone()).unwrap();
    (show, frames, dir)
}

fn trim(v: f64) -> Action {
    Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("trim.slope.r").unwrap(),
        value: json!(v),
    }
}

/// Saves scene `id` holding camera a at trim slope `slope`, faded over `frames`.
async fn scene_at(show: &ShowHandle, id: &str, slope: f64, frames: u32) {
    show.apply("vc", trim(slope), None).await.unwrap();
    let save = Action::SaveScene {
        id: id.into(),
        name: id.into(),
        fade_frames: frames,
    };
    show.apply("vc", save, None).await.unwrap();
}

/// Waits (bounded) until camera a's rendered red slope is `want`; returns what was seen.
async fn rendered_slope(show: &ShowHandle, want: f64) -> f64 {
    let mut rendered = show.watch_rendered();
    let slope = |r: &tokio::sync::watch::Receiver<Arc<super::ShowView>>| {
        r.borrow().show.cameras["a"].grade.trim.slope[0]
    };
    for _ in 0..100 {
        if (slope(&rendered) - want).abs() < 1e-9 {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), rendered.changed()).await;
    }
    slope(&rendered)
}

/// 50 frames at the demo's 25 fps: two seconds.
const FADE: Duration = Duration::from_secs(2);

#[tokio::test]
async fn a_faded_recall_commits_at_once_and_renders_in_between_grades() {
    let (show, frames, _dir) = manual_show();
    scene_at(&show, "wide", 1.5, 50).await;
    show.apply("vc", trim(1.0), None).await.unwrap();
    let mut changes = show.subscribe();
    show.apply("vc", Action::RecallScene("wide".into()), None)
        .await
        .unwrap();
    let recall = changes.recv().await.unwrap();
    assert_eq!(recall.event.fade_frames, Some(50));
    assert_eq!(show.view().show.cameras["a"].grade.trim.slope[0], 1.5);
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.0);
    frames.advance(FADE / 4);
    assert_eq!(rendered_slope(&show, 1.125).await, 1.125);
    frames.advance(FADE / 4);
    assert_eq!(rendered_slope(&show, 1.25).await, 1.25);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.5).await, 1.5);
    // A trim after the fade shows at once.
    show.apply("vc", trim(1.25), None).await.unwrap();
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.25);
}

#[tokio::test]
async fn the_undo_of_a_faded_recall_fades_back() {
    let (show, frames, _dir) = manual_show();
    scene_at(&show, "wide", 1.5, 50).await;
    show.apply("vc", trim(1.0), None).await.unwrap();
    show.apply("vc", Action::RecallScene("wide".into()), None)
        .await
        .unwrap();
    frames.advance(FADE);
    assert_eq!(rendered_slope(&show, 1.5).await, 1.5);
    let mut changes = show.subscribe();
    show.apply("vc", Action::Undo(super::Scope::Show), None)
        .await
        .unwrap();
    let undo = changes.recv().await.unwrap();
    assert_eq!(
        undo.event.fade_frames,
        Some(50),
        "the undo fades as the recall did"
    );
    assert_eq!(show.view().show.cameras["a"].grade.trim.slope[0], 1.0);
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.5);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.25).await, 1.25);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.0).await, 1.0);
    // Redo fades forward again.
    show.apply("vc", Action::Redo(super::Scope::Show), None)
        .await
        .unwrap();
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.0);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.25).await, 1.25);
}

#[tokio::test]
async fn a_second_fade_during_a_fade_starts_from_the_picture() {
    let (show, frames, _dir) = manual_show();
    scene_at(&show, "low", 1.0, 50).await;
    scene_at(&show, "high", 1.5, 50).await;
    show.apply("vc", Action::RecallScene("low".into()), None)
        .await
        .unwrap();
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.25).await, 1.25);
    // Back to high while halfway down: the picture stays at 1.25, then rises from there.
    show.apply("vc", Action::RecallScene("high".into()), None)
        .await
        .unwrap();
    assert_eq!(show.view().show.cameras["a"].grade.trim.slope[0], 1.5);
    assert_eq!(show.rendered().show.cameras["a"].grade.trim.slope[0], 1.25);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.375).await, 1.375);
    frames.advance(FADE / 2);
    assert_eq!(rendered_slope(&show, 1.5).await, 1.5);
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
        message: Default::default(),
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
