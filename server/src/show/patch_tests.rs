//! The direct path for one CDL number against the general path through JSON.

use serde_json::{json, Value};

use super::super::demo::demo_show;
use super::{apply_in_map, Patch, PatchError};
use crate::show::model::Show;

/// Applies a camera patch the general way: the camera to JSON, the value set, back.
fn through_json(show: &mut Show, patch: &Patch) -> Result<(), PatchError> {
    let rest: Vec<&str> = patch.path().split('/').skip(2).collect();
    apply_in_map(&mut show.cameras, &rest, patch)
}

fn replace(path: &str, after: Value) -> Patch {
    Patch::Replace {
        path: path.into(),
        before: Value::Null,
        after,
    }
}

#[test]
fn a_cdl_number_set_directly_equals_the_json_round_trip() {
    let mut paths = Vec::new();
    for cdl in ["trim", "match"] {
        for part in ["slope", "offset", "power"] {
            for i in 0..3 {
                paths.push(format!("/cameras/b/grade/{cdl}/{part}/{i}"));
            }
        }
        paths.push(format!("/cameras/b/grade/{cdl}/sat"));
    }
    for (n, path) in paths.iter().enumerate() {
        for after in [
            json!(1.25 + n as f64 / 64.0),
            json!(2),
            json!(-3),
            json!(0.1),
        ] {
            let (mut direct, mut general) = (demo_show(), demo_show());
            let patch = replace(path, after.clone());
            direct.apply(&patch).unwrap();
            through_json(&mut general, &patch).unwrap();
            assert_eq!(direct, general, "{path} = {after}");
            assert_eq!(direct.value_at(path), Some(json!(after.as_f64().unwrap())));
            assert_ne!(direct, demo_show(), "{path} = {after} changed nothing");
        }
    }
}

#[test]
fn other_values_and_paths_take_the_general_path_and_its_errors() {
    let mut show = demo_show();
    let cases = [
        replace("/cameras/b/grade/trim/sat", json!("high")),
        replace("/cameras/b/grade/trim/slope/3", json!(1.0)),
        replace("/cameras/b/grade/trim/gain/0", json!(1.0)),
    ];
    for patch in cases {
        let mut general = demo_show();
        let expected = through_json(&mut general, &patch).unwrap_err();
        assert_eq!(show.apply(&patch).unwrap_err(), expected, "{patch:?}");
        assert_eq!(show, demo_show(), "{patch:?} changed the show");
    }
    let missing = replace("/cameras/zz/grade/trim/sat", json!(1.0));
    assert_eq!(
        show.apply(&missing).unwrap_err(),
        PatchError::NotFound {
            path: "/cameras/zz/grade/trim/sat".into()
        }
    );
    assert_eq!(show.value_at("/cameras/zz/grade/trim/sat"), None);
    // A whole CDL or channel triple is not one number: the general path sets it.
    let triple = replace("/cameras/b/grade/trim/slope", json!([1.5, 1.0, 1.0]));
    show.apply(&triple).unwrap();
    assert_eq!(show.cameras["b"].grade.trim.slope, [1.5, 1.0, 1.0]);
    assert_eq!(
        show.value_at("/cameras/b/grade/trim/slope"),
        Some(json!([1.5, 1.0, 1.0]))
    );
}
