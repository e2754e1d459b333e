//! The demo show: six cameras of different makes in an ACES workflow, SDR and HDR outputs
//! and a show look.

use indexmap::IndexMap;
use lookwire_color::Cdl;

use super::model::*;
use crate::timecode::FrameRate;

/// (id, label, make, model, input space)
const CAMERAS: [(&str, &str, &str, &str, &str); 6] = [
    ("a", "CAM A", "Sony", "VENICE 2", "sony-slog3-sgamut3cine"),
    ("b", "CAM B", "ARRI", "ALEXA 35", "arri-logc4-awg4"),
    (
        "c",
        "CAM C",
        "Panasonic",
        "VariCam LT",
        "panasonic-vlog-vgamut",
    ),
    ("d", "CAM D", "RED", "V-RAPTOR", "red-log3g10-rwg"),
    (
        "e",
        "CAM E",
        "Blackmagic Design",
        "URSA Cine 12K",
        "bmd-film-gen5",
    ),
    (
        "f",
        "CAM F",
        "Canon",
        "EOS C500 Mark II",
        "canon-clog3-cgamut",
    ),
];

/// What records each demo camera: (camera, codec, media).
const RECORDERS: [(&str, &str, &str); 6] = [
    ("a", "X-OCN ST", "AXS card"),
    ("b", "ARRIRAW", "Codex Compact Drive"),
    ("c", "AVC-Intra 4:4:4", "expressP2 card"),
    ("d", "REDCODE RAW HQ", "CFexpress B card"),
    ("e", "Blackmagic RAW 5:1", "Media Module"),
    ("f", "Cinema RAW Light", "CFexpress B card"),
];

/// Each camera records internally; CAM F also to an external recorder on its SDI out.
/// Timecode is jammed from a master clock; CAM E runs its own rec-run timecode.
fn add_recording(show: &mut Show) {
    for (camera, codec, media) in RECORDERS {
        show.cameras[camera].recorders.push(Recorder {
            kind: RecorderKind::Internal,
            name: String::new(),
            codec: codec.into(),
            label: media.into(),
        });
    }
    show.cameras["f"].recorders.push(Recorder {
        kind: RecorderKind::External,
        name: "Atomos Shogun".into(),
        codec: "ProRes 422 HQ".into(),
        label: "SDI 1, backup".into(),
    });
    show.timecode_source = Some(TimecodeSource {
        mode: TimecodeMode::JamSync,
        master: "Ambient Lockit ACL 204".into(),
        genlock: String::new(),
        label: "jammed at call and after lunch".into(),
    });
    show.cameras["e"].timecode_source = Some(TimecodeSource {
        mode: TimecodeMode::RecRun,
        master: String::new(),
        genlock: String::new(),
        label: "synced in post".into(),
    });
}

/// A ready show for `lookwire serve --demo`.
pub fn demo_show() -> Show {
    let mut show = Show::new("Demo show", FrameRate::Fps25);
    let look = ShowLook {
        id: "warm-contrast".into(),
        name: "Warm contrast".into(),
        cdl: Some(Cdl {
            slope: [1.06, 1.0, 0.95],
            offset: [0.005, 0.0, -0.01],
            power: [1.1, 1.1, 1.12],
            sat: 1.1,
        }),
        lut: None,
    };
    show.looks.insert(look.id.clone(), look);
    for (id, name, display) in [
        ("sdr", "SDR Rec.709", "aces2-sdr-rec709"),
        ("hdr", "HDR PQ 1000 nits", "aces2-hdr-rec2100-pq1000"),
    ] {
        let output = Output {
            id: id.into(),
            name: name.into(),
            display: Some(display.into()),
            lut: None,
            range: SignalRange::Legal,
            bypass: Bypass::None,
        };
        show.outputs.insert(id.into(), output);
    }
    show.cameras = CAMERAS
        .iter()
        .map(|&(id, label, make, model, space)| {
            let camera = Camera {
                id: id.into(),
                label: label.into(),
                make: make.into(),
                model: model.into(),
                input_space: space.into(),
                working_space: WorkingSpace::Acescct,
                grade: Grade::with_look(Some("warm-contrast".into())),
                outputs: vec!["sdr".into(), "hdr".into()],
                devices: Vec::new(),
                recorders: Vec::new(),
                timecode_source: None,
            };
            (id.to_owned(), camera)
        })
        .collect::<IndexMap<_, _>>();
    show.groups.insert(
        "wides".into(),
        Group {
            id: "wides".into(),
            name: "Wides".into(),
            cameras: vec!["a".into(), "b".into()],
        },
    );
    add_recording(&mut show);
    show
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_show_is_valid_and_complete() {
        let show = demo_show();
        show.validate_all().unwrap();
        assert_eq!(show.cameras.len(), 6);
        let makes: std::collections::HashSet<_> = show.cameras.values().map(|c| &c.make).collect();
        assert_eq!(makes.len(), 6);
        assert!(show.cameras.values().all(|c| c.outputs == ["sdr", "hdr"]));
    }
}
