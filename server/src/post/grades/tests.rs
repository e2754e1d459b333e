use super::*;
use crate::post::clips::Location;

const RATE: FrameRate = FrameRate::Fps24;

fn tc(text: &str) -> Timecode {
    Timecode::parse(text, RATE).unwrap()
}

fn clip(camera: &str, name: &str, start: &str, end: &str) -> Clip {
    Clip {
        camera: camera.into(),
        reel: format!("{camera}001"),
        name: name.into(),
        source_file: format!("{name}.mov"),
        start: tc(start),
        end: tc(end),
        origin: Location::Line(1),
    }
}

fn grade(slope: f64) -> Grade {
    Grade {
        cdl: Cdl {
            slope: [slope; 3],
            ..Cdl::IDENTITY
        },
        style: CdlStyle::Asc,
        working_space: "ACEScct".into(),
        look: None,
        fit_max_cv: None,
    }
}

fn event(camera: &str, at: &str, slope: f64) -> GradeEvent {
    GradeEvent {
        camera: camera.into(),
        at: tc(at),
        grade: grade(slope),
        initial: false,
    }
}

fn slope_of(m: &ClipMatch) -> Option<f64> {
    m.grade.as_ref().map(|g| g.grade.cdl.slope[0])
}

fn timeline() -> GradeTimeline {
    GradeTimeline::new(
        vec![
            event("A", "10:00:05:00", 1.2),
            event("A", "09:00:00:00", 1.1),
            event("A", "10:00:00:00", 1.15),
            event("B", "10:30:00:00", 0.9),
        ],
        vec![Snapshot {
            name: "hero".into(),
            camera: None,
            at: None,
            grade: grade(2.0),
        }],
    )
}

#[test]
fn grade_at_start_and_last_during_follow_the_camera_timeline() {
    let clips = [
        clip("A", "A001C001", "10:00:00:00", "10:00:10:00"),
        clip("A", "A001C002", "09:30:00:00", "09:31:00:00"),
        clip("B", "B001C001", "10:00:00:00", "10:10:00:00"),
    ];
    let start = match_grades(&clips, &timeline(), &MatchRule::AtStart);
    // An event exactly at the first frame is live at that frame.
    assert_eq!(slope_of(&start.matches[0]), Some(1.15));
    assert_eq!(start.matches[0].changes_during, 1);
    assert_eq!(slope_of(&start.matches[1]), Some(1.1));
    assert_eq!(slope_of(&start.matches[2]), None);
    let last = match_grades(&clips, &timeline(), &MatchRule::LastDuring);
    assert_eq!(slope_of(&last.matches[0]), Some(1.2));
    assert_eq!(
        last.matches[0].grade.as_ref().unwrap().source,
        "grade at 10:00:05:00"
    );
    let no_grade: Vec<_> = start
        .without_grade()
        .map(|m| m.clip.name.as_str())
        .collect();
    assert_eq!(no_grade, ["B001C001"]);
    let several: Vec<_> = start.with_several().map(|m| m.clip.name.as_str()).collect();
    assert_eq!(several, ["A001C001"]);
}

#[test]
fn an_event_on_the_end_frame_is_outside_the_clip() {
    // End is exclusive: a change at 10:00:10:00 belongs to the next clip.
    let t = GradeTimeline::new(
        vec![
            event("A", "09:00:00:00", 1.0),
            event("A", "10:00:10:00", 3.0),
        ],
        vec![],
    );
    let clips = [clip("A", "c", "10:00:00:00", "10:00:10:00")];
    let last = match_grades(&clips, &t, &MatchRule::LastDuring);
    assert_eq!(
        (slope_of(&last.matches[0]), last.matches[0].changes_during),
        (Some(1.0), 0)
    );
}

#[test]
fn snapshots_prefer_the_cameras_own() {
    let mut t = timeline();
    t.snapshots.push(Snapshot {
        name: "hero".into(),
        camera: Some("B".into()),
        at: Some(tc("11:00:00:00")),
        grade: grade(0.5),
    });
    let clips = [
        clip("A", "a", "10:00:00:00", "10:00:01:00"),
        clip("B", "b", "10:00:00:00", "10:00:01:00"),
    ];
    let m = match_grades(&clips, &t, &MatchRule::Snapshot("hero".into()));
    assert_eq!(
        (slope_of(&m.matches[0]), slope_of(&m.matches[1])),
        (Some(2.0), Some(0.5))
    );
    assert_eq!(
        m.matches[1].grade.as_ref().unwrap().source,
        "snapshot \"hero\" (11:00:00:00)"
    );
    let none = match_grades(&clips, &t, &MatchRule::Snapshot("other".into()));
    assert_eq!(none.without_grade().count(), 2);
}

#[test]
fn clips_at_another_rate_compare_by_timecode_label() {
    let t = GradeTimeline::new(vec![event("A", "10:00:00:12", 1.3)], vec![]);
    let c = Clip {
        start: Timecode::parse("10:00:00:25", FrameRate::Fps50).unwrap(),
        end: Timecode::parse("10:00:01:00", FrameRate::Fps50).unwrap(),
        ..clip("A", "x", "10:00:00:00", "10:00:01:00")
    };
    // 12 frames at 24 = label 24 at 50 fps: live before frame 25.
    let m = match_grades(&[c], &t, &MatchRule::AtStart);
    assert_eq!(slope_of(&m.matches[0]), Some(1.3));
}

#[test]
fn match_rules_parse_from_their_flag_spelling() {
    assert_eq!("start".parse::<MatchRule>(), Ok(MatchRule::AtStart));
    assert_eq!("last".parse::<MatchRule>(), Ok(MatchRule::LastDuring));
    assert_eq!(
        "snapshot:hero".parse::<MatchRule>(),
        Ok(MatchRule::Snapshot("hero".into()))
    );
    assert!("snapshot:".parse::<MatchRule>().is_err());
}

#[test]
fn grade_logs_are_checked_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grades.json");
    let good = r#"{"rate":"24","events":[{"camera":"A","timecode":"10:00:00:00","cdl":{"slope":[1.1,1,1],"offset":[0,0,0],"power":[1,1,1],"sat":0.9},"style":"noclamp","working_space":"ACEScct","look":"Day"}],
      "snapshots":[{"name":"hero","cdl":{"slope":[1,1,1],"offset":[0,0,0],"power":[1,1,1],"sat":1.0},"working_space":"ACEScct"}]}"#;
    std::fs::write(&path, good).unwrap();
    let t = GradeLog::read(&path).unwrap();
    let e = &t.events("A")[0];
    assert_eq!(
        (e.grade.style, e.grade.look.as_deref()),
        (CdlStyle::NoClamp, Some("Day"))
    );
    assert_eq!(t.snapshots[0].grade.style, CdlStyle::Asc);
    std::fs::write(&path, good.replace("10:00:00:00", "10:00:00:24")).unwrap();
    let err = GradeLog::read(&path).unwrap_err().to_string();
    assert!(
        err.contains("grades.json: events[0]:") && err.contains("frames"),
        "{err}"
    );
    std::fs::write(
        &path,
        good.replace(
            "\"power\":[1,1,1],\"sat\":0.9",
            "\"power\":[0,1,1],\"sat\":0.9",
        ),
    )
    .unwrap();
    let err = GradeLog::read(&path).unwrap_err().to_string();
    assert!(err.contains("events[0]") && err.contains("power"), "{err}");
}
