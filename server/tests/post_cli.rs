//! `lookwire mhl` and `lookwire export` through the built binary: exit codes and outputs.

use std::path::Path;
use std::process::Command;

fn lookwire(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/post/export")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn mhl_exit_codes_follow_ascmhl() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("Card");
    std::fs::create_dir_all(root.join("Clips")).unwrap();
    std::fs::write(root.join("Clips/A.mov"), b"picture").unwrap();
    let r = root.to_str().unwrap();
    assert_eq!(lookwire(&["mhl", "verify", r]).0, 30);
    let (code, text) = lookwire(&["mhl", "create", r, "-h", "md5", "-h", "xxh3"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Created new generation"), "{text}");
    assert_eq!(lookwire(&["mhl", "verify", r]).0, 0);
    std::fs::write(root.join("Clips/B.mov"), b"more").unwrap();
    let (code, text) = lookwire(&["mhl", "diff", r]);
    assert_eq!(
        (code, text.contains("found new file Clips/B.mov")),
        (21, true),
        "{text}"
    );
    std::fs::write(root.join("Clips/A.mov"), b"changed").unwrap();
    let (code, text) = lookwire(&["mhl", "verify", r]);
    assert_eq!(code, 11, "{text}");
    assert!(text.contains("hash mismatch for Clips/A.mov"), "{text}");
    let (code, text) = lookwire(&["mhl", "create", r, "-h", "sha256"]);
    assert_eq!(code, 2, "clap rejects an unknown format: {text}");
    assert!(lookwire(&["mhl", "create", "--help"])
        .1
        .contains("33  a manifest named in ascmhl_chain.xml is missing"));
}

#[test]
fn export_writes_a_verified_package_and_refuses_bad_input_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = out.to_str().unwrap();
    let args = [
        "export",
        "--clips",
        &data("day1.ale"),
        "--grades",
        &data("grades.json"),
        "--out",
        o,
        "--name",
        "day1",
        "--day",
        "2024-05-01",
    ];
    let (code, text) = lookwire(&args);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("review: 1 clip(s) without a grade, 1 with a grade change mid-clip"),
        "{text}"
    );
    let pkg = out.join("day1");
    for f in [
        "cc/A001C003_240501_R1AB.cc",
        "ccc/A_2024-05-01.ccc",
        "cdl/B_2024-05-01.cdl",
        "ale/day1_graded.ale",
        "edl/A_2024-05-01.edl",
        "review.txt",
    ] {
        assert!(pkg.join(f).is_file(), "missing {f}");
    }
    assert_eq!(lookwire(&["mhl", "verify", pkg.to_str().unwrap()]).0, 0);
    let mut strict = args.to_vec();
    strict[8] = "day1-strict";
    strict.push("--strict");
    assert_eq!(lookwire(&strict).0, 3);

    let bad = dir.path().join("bad.ale");
    let text = std::fs::read_to_string(data("day1.ale"))
        .unwrap()
        .replace("14:02:16:12", "14:02:16:30");
    std::fs::write(&bad, text).unwrap();
    let mut args = args.to_vec();
    let bad = bad.display().to_string();
    args[2] = &bad;
    args[8] = "day1-bad";
    let (code, text) = lookwire(&args);
    assert_eq!(code, 1);
    assert!(
        text.contains("bad.ale:11: column End: timecode \"14:02:16:30\""),
        "{text}"
    );
    assert!(!out.join("day1-bad").exists());
}

#[test]
fn export_from_a_show_document_uses_each_cameras_current_grade() {
    let dir = tempfile::tempdir().unwrap();
    let show = lookwire_server::show::demo::demo_show();
    let show_path = dir.path().join("show.json");
    std::fs::write(&show_path, serde_json::to_string(&show).unwrap()).unwrap();
    let clips = dir.path().join("clips.csv");
    std::fs::write(
        &clips,
        "Name,Reel,Start,End,FPS\nA002C001,A002,10:00:00:00,10:00:04:00,25\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, text) = lookwire(&[
        "export",
        "--clips",
        clips.to_str().unwrap(),
        "--show",
        show_path.to_str().unwrap(),
        "--format",
        "cc,report,cube,clf",
        "--out",
        out.to_str().unwrap(),
        "--name",
        "p",
    ]);
    assert_eq!(code, 0, "{text}");
    for file in ["report.html", "workflow.svg"] {
        assert!(out.join("p").join(file).is_file(), "{file} missing: {text}");
    }
    let looks = |dir: &str| std::fs::read_dir(out.join("p").join(dir)).map(|d| d.count());
    assert!(looks("cube").unwrap_or(0) > 0, "no .cube looks: {text}");
    assert!(looks("clf").unwrap_or(0) > 0, "no CLF looks: {text}");
    let cc = std::fs::read_to_string(out.join("p/cc/A002C001.cc")).unwrap();
    // Camera a grades identity match and trim under the demo look: the look's CDL is the grade.
    assert!(cc.contains("<Slope>1.06 1 0.95</Slope>"), "{cc}");
    assert!(cc.contains("look: Warm contrast"), "{cc}");
}

/// `--show` takes the server's export file (GET /api/v1/export) as well as a bare show, and
/// refuses a show that breaks the server's rules, naming the file and the pointer.
#[test]
fn export_takes_the_servers_show_export_and_checks_it() {
    let dir = tempfile::tempdir().unwrap();
    let show = lookwire_server::show::demo::demo_show();
    let export = serde_json::json!({ "format": "lookwire.show", "format_version": 1,
        "version": 7, "show": show });
    let clips = dir.path().join("clips.csv");
    std::fs::write(
        &clips,
        "Name,Reel,Start,End,FPS\nF002C001,F002,10:00:00:00,10:00:04:00,25\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = |file: &str, name: &str| {
        lookwire(&[
            "export",
            "--clips",
            clips.to_str().unwrap(),
            "--show",
            file,
            "--format",
            "cc,report",
            "--out",
            out.to_str().unwrap(),
            "--name",
            name,
        ])
    };
    let good = dir.path().join("show.lookwire.json");
    std::fs::write(&good, serde_json::to_string(&export).unwrap()).unwrap();
    let (code, text) = run(good.to_str().unwrap(), "p");
    assert_eq!(code, 0, "{text}");
    let svg = std::fs::read_to_string(out.join("p/workflow.svg")).unwrap();
    assert!(
        svg.contains("Rec: external Atomos Shogun · ProRes 422 HQ"),
        "{svg}"
    );
    assert!(
        svg.contains("Timecode: jam-sync from Ambient Lockit ACL 204"),
        "{svg}"
    );
    let html = std::fs::read_to_string(out.join("p/report.html")).unwrap();
    assert!(
        html.contains("recorded: internal · Cinema RAW Light"),
        "{html}"
    );
    let mut bad = export.clone();
    bad["show"]["cameras"]["f"]["recorders"][1]["name"] = serde_json::json!("");
    let bad_path = dir.path().join("bad.lookwire.json");
    std::fs::write(&bad_path, serde_json::to_string(&bad).unwrap()).unwrap();
    let (code, text) = run(bad_path.to_str().unwrap(), "q");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("bad.lookwire.json: /cameras/f/recorders/1/name:"),
        "{text}"
    );
    let mut newer = export.clone();
    newer["format_version"] = serde_json::json!(2);
    std::fs::write(&bad_path, serde_json::to_string(&newer).unwrap()).unwrap();
    let (code, text) = run(bad_path.to_str().unwrap(), "q");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("format_version 2 is not supported"), "{text}");
    assert!(!out.join("q").exists());
}

/// `--store` replays the show's event log: a clip rolling before a trim gets the grade of
/// before, a clip after it the trimmed one (rule: live at the clip's first frame).
#[test]
fn export_from_a_store_replays_its_grade_log() {
    use lookwire_server::show::{Event, Patch};
    use lookwire_server::store::{SqliteStore, Store};
    let dir = tempfile::tempdir().unwrap();
    let show = lookwire_server::show::demo::demo_show();
    let slope = show.cameras["a"].grade.trim.slope[0];
    let store_path = dir.path().join("show.sqlite");
    {
        let mut store = SqliteStore::open(&store_path).unwrap();
        store.init(&show).unwrap();
        store
            .put_device(&lookwire_server::store::StoredDevice {
                id: "hub".into(),
                config:
                    r#"{"id": "hub", "driver": {"kind": "videohub", "address": "10.0.0.9:9990"}}"#
                        .into(),
            })
            .unwrap();
        store
            .append(&[Event {
                version: 1,
                who: "vc".into(),
                wall_ms: 0,
                timecode: "10:00:03:00".into(),
                action: "trim".into(),
                cameras: vec!["a".into()],
                patches: vec![Patch::Replace {
                    path: "/cameras/a/grade/trim/slope/0".into(),
                    before: slope.into(),
                    after: (slope * 1.25).into(),
                }],
                history: None,
                fade_frames: None,
            }])
            .unwrap();
        let checked = lookwire_server::preview::routes::CameraChecks {
            camera: "a".into(),
            hot: Some(3),
            ..Default::default()
        };
        store
            .put_camera_checks(&lookwire_server::store::StoredChecks {
                camera: "a".into(),
                result: serde_json::to_string(&checked).unwrap(),
            })
            .unwrap();
    }
    let clips = dir.path().join("clips.csv");
    std::fs::write(
        &clips,
        "Name,Reel,Start,End,FPS\nA002C001,A002,10:00:00:00,10:00:02:00,25\nA002C002,A002,10:00:05:00,10:00:07:00,25\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (code, text) = lookwire(&[
        "export",
        "--clips",
        clips.to_str().unwrap(),
        "--store",
        store_path.to_str().unwrap(),
        "--format",
        "cc,report",
        "--out",
        out.to_str().unwrap(),
        "--name",
        "s",
    ]);
    assert_eq!(code, 0, "{text}");
    // The report's camera page lists the checks kept in the store.
    let html = std::fs::read_to_string(out.join("s/report.html")).unwrap();
    assert!(
        html.contains("Camera checks") && html.contains("Hot pixels"),
        "the stored checks are in the report"
    );
    // The workflow drawing shows the store's configured router.
    let svg = std::fs::read_to_string(out.join("s/workflow.svg")).unwrap();
    assert!(
        svg.contains(">hub<") && svg.contains("router · videohub"),
        "{svg}"
    );
    let slope_of = |clip: &str| -> f64 {
        let cc = std::fs::read_to_string(out.join(format!("s/cc/{clip}.cc"))).unwrap();
        let at = cc.find("<Slope>").unwrap() + "<Slope>".len();
        cc[at..].split_whitespace().next().unwrap().parse().unwrap()
    };
    // The demo look's CDL (slope 1.06 in red) after the trim: the red slope grows by 1.25
    // (the ASC clamp between trim and look makes the merged CDL a fit, not exact).
    let (before, after) = (slope_of("A002C001"), slope_of("A002C002"));
    assert!((before - 1.06 * slope).abs() < 1e-9, "{before}");
    assert!((after / before - 1.25).abs() < 1e-3, "{before} → {after}");
    let (code, text) = lookwire(&[
        "export",
        "--clips",
        clips.to_str().unwrap(),
        "--store",
        dir.path().join("none.sqlite").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        code != 0 && text.contains("none.sqlite: no such store"),
        "{text}"
    );
}
