//! The show task: undo steps, merging of slider drags, refusals that change nothing.

use serde_json::json;

use super::demo::demo_show;
use super::{Action, GradeField, Scope, ShowError, ShowHandle};
use crate::store::SqliteStore;

fn start() -> (ShowHandle, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
    (ShowHandle::start(Box::new(store), demo_show).unwrap(), dir)
}

fn trim(value: f64) -> Action {
    Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("trim.slope.r").unwrap(),
        value: json!(value),
    }
}

fn slope(show: &ShowHandle) -> f64 {
    show.view().show.cameras["a"].grade.trim.slope[0]
}

#[tokio::test]
async fn a_slider_drag_by_one_user_is_one_undo_step() {
    let (show, _dir) = start();
    for v in [1.01, 1.02, 1.03, 1.04] {
        show.apply("vc", trim(v), None).await.unwrap();
    }
    assert_eq!(
        show.view().version,
        4,
        "every change is still its own event"
    );
    show.apply("vc", Action::Undo(Scope::Camera("a".into())), None)
        .await
        .unwrap();
    assert_eq!(slope(&show), 1.0);
    show.apply("vc", Action::Redo(Scope::Camera("a".into())), None)
        .await
        .unwrap();
    assert_eq!(slope(&show), 1.04);
}

#[tokio::test]
async fn changes_by_different_users_stay_separate_steps() {
    let (show, _dir) = start();
    show.apply("vc", trim(1.1), None).await.unwrap();
    show.apply("colorist", trim(1.2), None).await.unwrap();
    show.apply("vc", Action::Undo(Scope::Show), None)
        .await
        .unwrap();
    assert_eq!(slope(&show), 1.1);
    show.apply("vc", Action::Undo(Scope::Show), None)
        .await
        .unwrap();
    assert_eq!(slope(&show), 1.0);
    let err = show
        .apply("vc", Action::Undo(Scope::Show), None)
        .await
        .unwrap_err();
    assert!(matches!(err, ShowError::NothingToUndo { .. }), "{err}");
}

#[tokio::test]
async fn a_refused_change_leaves_version_and_state_alone() {
    let (show, _dir) = start();
    let before = show.view();
    let err = show.apply("vc", trim(-0.5), None).await.unwrap_err();
    assert_eq!(err.path(), "/cameras/a/grade/trim/slope/0");
    let missing = Action::Trim {
        camera: "zz".into(),
        field: GradeField::parse("trim.sat").unwrap(),
        value: json!(1.0),
    };
    assert!(matches!(
        show.apply("vc", missing, None).await,
        Err(ShowError::NotFound { .. })
    ));
    assert_eq!(show.view().version, before.version);
    assert_eq!(show.view().show, before.show);
}

#[test]
fn grade_fields_parse_to_pointers() {
    let cases = [
        ("trim.slope.r", "/grade/trim/slope/0"),
        ("match.power.b", "/grade/match/power/2"),
        ("trim.offset", "/grade/trim/offset"),
        ("trim.sat", "/grade/trim/sat"),
        ("trim", "/grade/trim"),
        ("look", "/grade/look"),
    ];
    let mut cam = demo_show().cameras["a"].clone();
    cam.grade.nodes = vec![
        super::GradeNode::Curves {
            id: "c1".into(),
            curves: Default::default(),
        },
        super::GradeNode::Cdl {
            id: "sec".into(),
            cdl: lookwire_color::Cdl::IDENTITY,
        },
    ];
    let node_cases = [
        ("nodes", "/grade/nodes"),
        ("nodes.sec", "/grade/nodes/1"),
        ("nodes.sec.slope.b", "/grade/nodes/1/cdl/slope/2"),
        ("nodes.sec.cdl.sat", "/grade/nodes/1/cdl/sat"),
        ("nodes.sec.cdl", "/grade/nodes/1/cdl"),
        ("nodes.c1.curves.master", "/grade/nodes/0/curves/master"),
        ("nodes.c1.curves", "/grade/nodes/0/curves"),
    ];
    for (name, pointer) in cases.into_iter().chain(node_cases) {
        assert_eq!(
            GradeField::parse(name).unwrap().pointer_in(&cam).unwrap(),
            pointer
        );
    }
    // Parsed fine, but not in this camera's grade: the refusal names the node.
    for (name, says) in [
        ("nodes.zz.sat", "no grade node \"zz\""),
        ("nodes.c1.slope", "holds curves"),
        ("nodes.sec.curves.r", "holds a CDL"),
    ] {
        let err = GradeField::parse(name)
            .unwrap()
            .pointer_in(&cam)
            .unwrap_err();
        assert!(err.contains(says), "{name}: {err}");
    }
    for bad in [
        "",
        "trim.gain",
        "trim.slope.a",
        "look.cdl",
        "trim.slope.r.x",
        "grade",
        "nodes.",
        "nodes.c1.curves.y",
        "nodes.c1.curves.r.0",
    ] {
        assert!(GradeField::parse(bad).is_err(), "{bad}");
    }
}
