//! The grade timeline of a show, rebuilt from its stored document and event log: after every
//! event, each camera whose post grade changed gets a [`GradeEvent`] at the event's show
//! timecode. A camera's post grade is its match CDL, trim CDL and show-look CDL merged into
//! one ASC CDL, which is only done where the merge is exact.

use std::collections::HashMap;

use lookwire_color::Cdl;

use super::grades::{Grade, GradeEvent, GradeTimeline, Snapshot};
use crate::show::{Event, Show, WorkingSpace};
use crate::timecode::{FrameRate, Timecode};

/// A log that cannot become a grade timeline, with the event and camera.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("show event {version} ({timecode}): {message}")]
pub struct ShowLogError {
    pub version: u64,
    pub timecode: String,
    pub message: String,
}

/// The one CDL post applies for a camera's grade in `show`.
pub(crate) fn post_grade(
    show: &Show,
    camera: &str,
    grade: &crate::show::Grade,
) -> Result<Grade, String> {
    let cam = show
        .cameras
        .get(camera)
        .ok_or_else(|| format!("no camera {camera:?}"))?;
    let look = grade.look.as_ref().and_then(|id| show.looks.get(id));
    let (cdl, fit_max_cv) = match exact_cdl(show, grade, look) {
        Some(cdl) => (cdl, None),
        None => {
            let fit = fitted(show, cam, grade).map_err(|e| {
                format!("camera {camera}: its grade merges into no single CDL and none could be fitted: {e}")
            })?;
            (fit.cdl, Some(fit.error.working_max_cv))
        }
    };
    let working_space = match cam.working_space {
        WorkingSpace::Acescct => "ACEScct".to_owned(),
        WorkingSpace::Camera => cam.input_space.clone(),
    };
    let look_name = look.map(|l| match l.lut {
        Some(_) => format!("{} (look LUT not in the CDL)", l.name),
        None => l.name.clone(),
    });
    Ok(Grade {
        cdl,
        style: show.cdl_style,
        working_space,
        look: look_name,
        fit_max_cv,
    })
}

/// Match, trim and the show look's CDL merged into one ASC CDL, where that is exact (no
/// further nodes, no clamp in between).
fn exact_cdl(
    show: &Show,
    grade: &crate::show::Grade,
    look: Option<&crate::show::ShowLook>,
) -> Option<Cdl> {
    if !grade.nodes.is_empty() {
        return None;
    }
    let cdl = Cdl::merge_exact(&[grade.match_cdl, grade.trim], show.cdl_style)?;
    match look.and_then(|l| l.cdl.as_ref()) {
        Some(look_cdl) => Cdl::merge_exact(&[cdl, *look_cdl], show.cdl_style),
        None => Some(cdl),
    }
}

/// The best single CDL for a grade no CDL expresses, fitted through the camera's first
/// output (the show's first when it feeds none).
fn fitted(
    show: &Show,
    cam: &crate::show::Camera,
    grade: &crate::show::Grade,
) -> Result<crate::show::fit::FittedCdl, String> {
    let output = cam
        .outputs
        .first()
        .or_else(|| show.outputs.keys().next())
        .ok_or("the show has no output to fit through")?;
    let look =
        crate::show::look::look_for_grade(show, cam, output, grade, crate::show::Bypass::None)
            .map_err(|e| e.to_string())?;
    crate::show::fit::fit_cdl(&look).map_err(|e| e.to_string())
}

fn tc(text: &str, rate: FrameRate, version: u64) -> Result<Timecode, ShowLogError> {
    Timecode::parse(text, rate).map_err(|e| ShowLogError {
        version,
        timecode: text.to_owned(),
        message: e.to_string(),
    })
}

/// Replays `events` over `base` into per-camera grade timelines and the final snapshots.
pub fn timeline_from_log(base: &Show, events: &[Event]) -> Result<GradeTimeline, ShowLogError> {
    let mut show = base.clone();
    let mut last: HashMap<String, Grade> = HashMap::new();
    let mut memo = Memo::new();
    let mut out = Vec::new();
    let start = Timecode::from_frames(0, show.frame_rate);
    record(&show, start, 0, &mut last, &mut memo, &mut out)?;
    for event in events {
        let fail = |message: String| ShowLogError {
            version: event.version,
            timecode: event.timecode.clone(),
            message,
        };
        for patch in &event.patches {
            show.apply(patch).map_err(|e| fail(e.to_string()))?;
        }
        let at = tc(&event.timecode, show.frame_rate, event.version)?;
        record(&show, at, event.version, &mut last, &mut memo, &mut out)?;
    }
    let mut snapshots = Vec::new();
    for s in show.snapshots.values() {
        let grade = post_grade(&show, &s.camera, &s.grade).map_err(|message| ShowLogError {
            version: 0,
            timecode: s.timecode.clone(),
            message: format!("snapshot {}: {message}", s.name),
        })?;
        snapshots.push(Snapshot {
            name: s.name.clone(),
            camera: Some(s.camera.clone()),
            at: Some(tc(&s.timecode, show.frame_rate, 0)?),
            grade,
        });
    }
    Ok(GradeTimeline::new(out, snapshots))
}

/// Post grades already worked out, by everything they depend on (a fit takes milliseconds
/// and a long log replays every camera after every event).
type Memo = HashMap<String, Grade>;

/// Adds an event for every camera whose post grade differs from its last one.
fn record(
    show: &Show,
    at: Timecode,
    version: u64,
    last: &mut HashMap<String, Grade>,
    memo: &mut Memo,
    out: &mut Vec<GradeEvent>,
) -> Result<(), ShowLogError> {
    for (id, camera) in &show.cameras {
        let look = camera.grade.look.as_ref().and_then(|l| show.looks.get(l));
        let key = serde_json::to_string(&(camera, look, show.cdl_style, &show.outputs)).ok();
        let grade = match key.as_ref().and_then(|k| memo.get(k)) {
            Some(grade) => grade.clone(),
            None => {
                let grade =
                    post_grade(show, id, &camera.grade).map_err(|message| ShowLogError {
                        version,
                        timecode: at.to_string(),
                        message,
                    })?;
                if let Some(key) = key {
                    memo.insert(key, grade.clone());
                }
                grade
            }
        };
        if last.get(id) != Some(&grade) {
            last.insert(id.clone(), grade.clone());
            out.push(GradeEvent {
                camera: id.clone(),
                at,
                grade,
                initial: version == 0,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lookwire_color::CdlStyle;

    fn show_with_camera_a() -> Show {
        let mut show = Show::new("test", FrameRate::Fps24);
        show.cdl_style = CdlStyle::NoClamp;
        let camera = crate::show::Camera {
            id: "a".into(),
            label: "A".into(),
            make: String::new(),
            model: String::new(),
            input_space: "arri-logc4".into(),
            working_space: WorkingSpace::Camera,
            grade: crate::show::Grade::with_look(None),
            outputs: Vec::new(),
            devices: Vec::new(),
            recorders: Vec::new(),
            timecode_source: None,
        };
        show.cameras.insert("a".into(), camera);
        show
    }

    fn trim_event(version: u64, timecode: &str, before: f64, after: f64) -> Event {
        Event {
            version,
            who: "vc".into(),
            wall_ms: 0,
            timecode: timecode.into(),
            action: "trim".into(),
            cameras: vec!["a".into()],
            patches: vec![crate::show::Patch::Replace {
                path: "/cameras/a/grade/trim/slope/0".into(),
                before: before.into(),
                after: after.into(),
            }],
            history: None,
            fade_frames: None,
        }
    }

    #[test]
    fn replaying_events_gives_a_grade_change_per_trim() {
        let show = show_with_camera_a();
        let events = [
            trim_event(1, "10:00:00:00", 1.0, 1.2),
            trim_event(2, "10:05:00:00", 1.2, 1.3),
        ];
        let t = timeline_from_log(&show, &events).unwrap();
        let a = t.events("a");
        let got: Vec<(String, f64)> = a
            .iter()
            .map(|e| (e.at.to_string(), e.grade.cdl.slope[0]))
            .collect();
        assert_eq!(
            got,
            [
                ("00:00:00:00".into(), 1.0),
                ("10:00:00:00".into(), 1.2),
                ("10:05:00:00".into(), 1.3)
            ]
        );
        assert_eq!(
            (a[1].grade.style, a[1].grade.working_space.as_str()),
            (CdlStyle::NoClamp, "arri-logc4")
        );
        let bad = [trim_event(1, "10:00:00:30", 1.0, 1.2)];
        let err = timeline_from_log(&show, &bad).unwrap_err();
        assert_eq!(err.version, 1, "{err}");
    }

    #[test]
    fn the_stored_grade_is_live_before_every_clip_whatever_its_time_of_day() {
        use crate::post::clips::{Clip, Location};
        use crate::post::grades::{match_grades, MatchRule};
        let show = show_with_camera_a();
        let timeline = timeline_from_log(&show, &[trim_event(1, "16:00:00:00", 1.0, 1.2)]).unwrap();
        let clip = |start: &str, end: &str| Clip {
            camera: "A".into(),
            reel: "A001".into(),
            name: format!("clip {start}"),
            source_file: String::new(),
            start: Timecode::parse(start, FrameRate::Fps24).unwrap(),
            end: Timecode::parse(end, FrameRate::Fps24).unwrap(),
            origin: Location::Line(0),
        };
        // 14:00 is more than half a day after the base's 00:00:00:00; it still gets the base.
        let clips = [
            clip("14:00:00:00", "14:00:10:00"),
            clip("16:30:00:00", "16:30:10:00"),
        ];
        let report = match_grades(&clips, &timeline, &MatchRule::AtStart);
        let slopes: Vec<_> = report
            .matches
            .iter()
            .map(|m| m.grade.as_ref().map(|g| g.grade.cdl.slope[0]))
            .collect();
        assert_eq!(slopes, [Some(1.0), Some(1.2)]);
        assert!(report.matches.iter().all(|m| m.changes_during == 0));
    }

    #[test]
    fn a_grade_no_single_cdl_expresses_exports_its_best_fit_with_the_error_stated() {
        // The demo look has a power and the show is ASC style: a slope trim before it
        // does not merge with it into one CDL.
        let show = crate::show::demo::demo_show();
        let mut event = trim_event(1, "10:00:00:00", 1.0, 1.3);
        event.cameras = vec!["c".into()];
        if let crate::show::Patch::Replace { path, .. } = &mut event.patches[0] {
            *path = "/cameras/c/grade/trim/slope/0".into();
        }
        let timeline = timeline_from_log(&show, &[event]).expect("no camera blocks the export");
        let c = timeline.events("c");
        let (before, after) = (&c[0].grade, &c[c.len() - 1].grade);
        assert_eq!(before.fit_max_cv, None, "an identity trim merges exactly");
        let cv = after.fit_max_cv.expect("the trimmed grade is a fit");
        assert!(cv.is_finite() && cv > 0.0 && cv < 40.0, "fit error {cv} cv");
        // The fit carries the trim: red's slope rises over the look's own.
        assert!(
            after.cdl.slope[0] > before.cdl.slope[0] + 0.1,
            "{:?}",
            after.cdl
        );
        // Cameras nobody touched keep their exact grade and a single event.
        assert_eq!(timeline.events("a").len(), 1);
        assert_eq!(timeline.events("a")[0].grade.fit_max_cv, None);
    }
}
