use std::path::Path;

use super::*;

const ALE: &str = "Heading\nFIELD_DELIM\tTABS\nVIDEO_FORMAT\t1080\nAUDIO_FORMAT\t48kHz\nFPS\t23.976\n\nColumn\nName\tTracks\tStart\tEnd\tTape\tSource File\tScene\n\nData\nA001C003_240501_R1AB\tV\t14:02:10:00\t14:02:16:12\tA001\tA001C003_240501_R1AB.mxf\t12A\nB012C003_240501_R2CD\tVA1\t14:02:10:05\t14:02:20:00\tB012\tB012C003_240501_R2CD.mxf\t\n";

fn write_tmp(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn read(name: &str, text: &str) -> Result<ClipList, ClipError> {
    let (_dir, path) = write_tmp(name, text);
    read_clips(&path, &IngestOptions::default())
}

#[test]
fn ale_clips_carry_camera_reel_file_and_timecode() {
    let list = read("day1.ale", ALE).unwrap();
    assert_eq!(list.clips.len(), 2);
    let b = &list.clips[1];
    assert_eq!((b.camera.as_str(), b.reel.as_str()), ("B", "B012"));
    assert_eq!(b.source_file, "B012C003_240501_R2CD.mxf");
    assert_eq!(b.rate(), FrameRate::Fps23_976);
    assert_eq!(
        (b.start.to_string(), b.end.to_string()),
        ("14:02:10:05".into(), "14:02:20:00".into())
    );
    assert_eq!(b.origin, Location::Line(12));
    let (s, e) = list.clips[0].frame_range();
    assert_eq!(e - s, 6 * 24 + 12);
}

#[test]
fn ale_writes_back_byte_for_byte_and_only_adds_columns() {
    let path = Path::new("x.ale");
    let table = AleTable::parse(ALE, path).unwrap();
    assert_eq!(table.to_text(), ALE);
    let crlf = ALE.replace('\n', "\r\n");
    assert_eq!(AleTable::parse(&crlf, path).unwrap().to_text(), crlf);
    let mut table = table;
    table.set_column("ASC_SAT", &["0.9".into(), "1.1".into()]);
    table.set_column("Scene", &["12B".into(), "tab\there".into()]);
    let text = table.to_text();
    assert!(text.contains("Name\tTracks\tStart\tEnd\tTape\tSource File\tScene\tASC_SAT\n"));
    assert!(text.contains("A001C003_240501_R1AB.mxf\t12B\t0.9\n"));
    assert!(
        text.contains("B012C003_240501_R2CD.mxf\ttab here\t1.1\n"),
        "{text}"
    );
}

fn error_of(name: &str, text: &str) -> String {
    read(name, text).unwrap_err().to_string()
}

#[test]
fn ale_faults_name_file_and_line() {
    let missing = ALE.replace("Name\tTracks\tStart", "Name\tStart");
    let e = error_of("a.ale", &missing);
    assert!(
        e.contains("a.ale:8: missing required column(s): Tracks"),
        "{e}"
    );

    let tabs = ALE.replace("A001\tA001C003_240501_R1AB.mxf", "A001C003_240501_R1AB.mxf");
    let e = error_of("b.ale", &tabs);
    assert!(
        e.contains(
            "b.ale:11: 6 tab-separated fields, but the column line 8 has 7 (mismatched tabs)"
        ),
        "{e}"
    );

    let rate = ALE.replace("14:02:16:12", "14:02:16:24");
    let e = error_of("c.ale", &rate);
    assert!(
        e.contains("c.ale:11: column End: timecode \"14:02:16:24\""),
        "{e}"
    );

    let drop = ALE.replace("14:02:16:12", "14:02:16;12");
    let e = error_of("d.ale", &drop);
    assert!(e.contains("d.ale:11:") && e.contains("drop-frame"), "{e}");

    let dup = ALE.replace(
        "B012C003_240501_R2CD\tVA1\t14:02:10:05\t14:02:20:00\tB012",
        "A001C003_240501_R1AB\tVA1\t14:02:10:05\t14:02:20:00\tA001",
    );
    let e = error_of("e.ale", &dup);
    assert!(e.contains("e.ale:12: clip \"A001C003_240501_R1AB\" of camera A is listed twice (first at line 11)"), "{e}");

    let delim = ALE.replace("TABS", "COMMAS");
    assert!(error_of("f.ale", &delim).contains("f.ale:2: FIELD_DELIM"));
    let no_fps = ALE.replace("FPS\t23.976\n", "");
    assert!(error_of("g.ale", &no_fps).contains("no FPS heading"));
}

#[test]
fn rates_are_read_as_avid_and_otio_spell_them() {
    assert_eq!(rate_from_text("23.98", false), Some(FrameRate::Fps23_976));
    assert_eq!(rate_from_text("24", false), Some(FrameRate::Fps24));
    assert_eq!(rate_from_text("29.97", true), Some(FrameRate::Fps29_97Df));
    assert_eq!(rate_from_text("59.94", false), Some(FrameRate::Fps59_94));
    assert_eq!(rate_from_text("23", false), None);
    assert_eq!(camera_from_reel("B012"), "B");
    assert_eq!(camera_from_reel("001"), "001");
}

#[test]
fn csv_lists_read_with_loose_headers_and_quoted_fields() {
    let csv = "Clip Name,camera,Reel,Source_File,TC In,Duration,FPS\nA001C001,A,A001,\"A001C001, take 2.mov\",01:00:00:00,00:00:10:00,25\n";
    let list = read("list.csv", csv).unwrap();
    let clip = &list.clips[0];
    assert_eq!(clip.source_file, "A001C001, take 2.mov");
    assert_eq!(clip.end.to_string(), "01:00:10:00");
    assert_eq!(clip.rate(), FrameRate::Fps25);
    let e = error_of("bad.csv", "Name,Start\nA,01:00:00:00\n");
    assert!(
        e.contains("bad.csv:1: missing required column(s): End (or Duration)"),
        "{e}"
    );
    let e = error_of(
        "bad2.csv",
        "Name,Start,End,FPS\nA,01:00:00:00,01:00:01:00\n",
    );
    assert!(
        e.contains("bad2.csv:2: 3 comma-separated fields, but the column line 1 has 4"),
        "{e}"
    );
}

#[test]
fn otio_clips_come_with_their_json_path() {
    let otio = r#"{"OTIO_SCHEMA":"Timeline.1","name":"day","tracks":{"OTIO_SCHEMA":"Stack.1","children":[{"OTIO_SCHEMA":"Track.1","children":[
      {"OTIO_SCHEMA":"Clip.2","name":"A001C004","metadata":{"cmx_3600":{"reel":"A001"}},
       "source_range":{"OTIO_SCHEMA":"TimeRange.1","start_time":{"OTIO_SCHEMA":"RationalTime.1","value":86400,"rate":24},"duration":{"OTIO_SCHEMA":"RationalTime.1","value":48,"rate":24}},
       "media_reference":{"OTIO_SCHEMA":"ExternalReference.1","target_url":"file:///media/A001/A001C004.mov"}},
      {"OTIO_SCHEMA":"Clip.2","name":"A001C005","source_range":null}]}]}}"#;
    let e = error_of("day.otio", otio);
    assert!(
        e.contains("day.otio at $.tracks.children[0].children[1]: clip without source_range"),
        "{e}"
    );
    let good = otio.replace(
        r#",
      {"OTIO_SCHEMA":"Clip.2","name":"A001C005","source_range":null}"#,
        "",
    );
    let list = read("day.otio", &good).unwrap();
    let clip = &list.clips[0];
    assert_eq!(
        (clip.camera.as_str(), clip.source_file.as_str()),
        ("A", "A001C004.mov")
    );
    assert_eq!(
        (clip.start.to_string(), clip.end.to_string()),
        ("01:00:00:00".into(), "01:00:02:00".into())
    );
    let e = error_of("broken.otio", "{\n\"a\": [\n}");
    assert!(e.contains("broken.otio:3:"), "{e}");
}
