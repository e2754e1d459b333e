use super::*;

fn tc(text: &str, rate: FrameRate) -> Timecode {
    Timecode::parse(text, rate).unwrap()
}

#[test]
fn drop_frame_labels_at_minute_boundaries() {
    let r = FrameRate::Fps29_97Df;
    assert_eq!(Timecode::from_frames(1799, r).to_string(), "00:00:59;29");
    assert_eq!(Timecode::from_frames(1800, r).to_string(), "00:01:00;02");
    assert_eq!(Timecode::from_frames(17981, r).to_string(), "00:09:59;29");
    assert_eq!(Timecode::from_frames(17982, r).to_string(), "00:10:00;00");
    assert_eq!(Timecode::from_frames(107_892, r).to_string(), "01:00:00;00");
    let r = FrameRate::Fps59_94Df;
    assert_eq!(Timecode::from_frames(3600, r).to_string(), "00:01:00;04");
    assert_eq!(Timecode::from_frames(215_784, r).to_string(), "01:00:00;00");
}

#[test]
fn frames_per_day_matches_the_drop_rule() {
    assert_eq!(FrameRate::Fps29_97Df.frames_per_day(), 2_589_408);
    assert_eq!(FrameRate::Fps59_94Df.frames_per_day(), 5_178_816);
    assert_eq!(FrameRate::Fps25.frames_per_day(), 2_160_000);
    assert_eq!(FrameRate::Fps23_976.frames_per_day(), 24 * 86_400);
}

#[test]
fn every_label_round_trips_and_counts_up_by_one() {
    for rate in FrameRate::ALL {
        // The first 11 minutes in full (every dropping minute kind), then a stride over the day.
        let frames = (0..rate.frames_per_day().min(11 * 60 * 60))
            .chain((0..rate.frames_per_day()).step_by(997));
        let mut previous: Option<Timecode> = None;
        for f in frames {
            let label = Timecode::from_frames(f, rate);
            assert_eq!(label.to_frames(), f, "{rate} frame {f} → {label}");
            let reparsed = Timecode::parse(&label.to_string(), rate).unwrap();
            assert_eq!(reparsed, label);
            if let Some(prev) = previous.filter(|p| p.to_frames() + 1 == f) {
                assert_eq!(prev.add_frames(1), label);
            }
            previous = Some(label);
        }
    }
}

#[test]
fn wraps_at_midnight_both_ways() {
    let r = FrameRate::Fps29_97Df;
    assert_eq!(
        tc("23:59:59;29", r).add_frames(1).to_string(),
        "00:00:00;00"
    );
    assert_eq!(
        tc("00:00:00;00", r).add_frames(-1).to_string(),
        "23:59:59;29"
    );
    assert_eq!(
        tc("00:00:59;29", r).add_frames(1).to_string(),
        "00:01:00;02"
    );
    let r = FrameRate::Fps25;
    assert_eq!(
        tc("23:59:59:24", r).add_frames(1).to_string(),
        "00:00:00:00"
    );
}

#[test]
fn parse_rejects_bad_text_naming_the_fault() {
    let r = FrameRate::Fps29_97Df;
    assert_eq!(
        Timecode::parse("00:01:00;00", r).unwrap_err(),
        TimecodeError::DroppedFrame {
            text: "00:01:00;00".into(),
            frame: 0,
            rate: r
        }
    );
    assert!(Timecode::parse("00:10:00;00", r).is_ok());
    let err = Timecode::parse("00:00:00:25", FrameRate::Fps25).unwrap_err();
    assert_eq!(
        err.to_string(),
        "timecode \"00:00:00:25\": frames is 25, it must be below 25"
    );
    for bad in [
        "",
        "1:00:00:00",
        "01:00:00",
        "aa:00:00:00",
        "01:00:00:00:00",
        "24:00:00:00",
    ] {
        assert!(Timecode::parse(bad, FrameRate::Fps24).is_err(), "{bad}");
    }
    // Avid's all-semicolon spelling is accepted.
    assert_eq!(tc("01;18;00;02", r).to_string(), "01:18:00;02");
}

#[test]
fn rates_parse_by_their_spelling() {
    for rate in FrameRate::ALL {
        assert_eq!(rate.as_str().parse::<FrameRate>().unwrap(), rate);
        let json = serde_json::to_string(&rate).unwrap();
        assert_eq!(json, format!("\"{rate}\""));
    }
    assert!("29.97DF".parse::<FrameRate>().is_err());
}
