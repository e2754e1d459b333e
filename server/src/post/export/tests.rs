use std::path::{Path, PathBuf};

use lookwire_color::formats::cdl_xml;
use lookwire_color::pipeline::{Op, Pipeline};
use lookwire_color::CdlStyle;

use super::*;
use crate::post::clips::{read_clips, IngestOptions};
use crate::post::grades::{match_grades, GradeLog, GradeTimeline, MatchRule};
use crate::post::xml;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/post/export")
        .join(name)
}

fn options(formats: &[ExportFormat]) -> ExportOptions {
    ExportOptions {
        previews: None,
        devices: Vec::new(),
        formats: formats.iter().copied().collect(),
        id_by: IdBy::Clip,
        day: "2024-05-01".into(),
        amf: AmfTransforms::default(),
        hash_formats: vec![HashFormat::Xxh64],
        timeline: GradeLog::read(&data("grades.json")).unwrap(),
        show: None,
        lut_size: 9,
    }
}

fn day1(rule: MatchRule) -> (ClipList, MatchReport) {
    let list = read_clips(&data("day1.ale"), &IngestOptions::default()).unwrap();
    let timeline = GradeLog::read(&data("grades.json")).unwrap();
    let report = match_grades(&list.clips, &timeline, &rule);
    (list, report)
}

fn rendered(formats: &[ExportFormat]) -> BTreeMap<String, Vec<u8>> {
    let (list, report) = day1(MatchRule::AtStart);
    render(&list, &report, &options(formats)).unwrap()
}

fn text(files: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files[name].clone()).unwrap()
}

#[test]
fn cdl_files_read_back_with_the_grade_and_its_style() {
    let files = rendered(&[ExportFormat::Cc, ExportFormat::Ccc, ExportFormat::Cdl]);
    let cc = cdl_xml::read(&files["cc/B012C003_240501_R2CD.cc"], "b.cc").unwrap();
    let c = cc.find("B012C003_240501_R2CD").unwrap();
    assert_eq!(c.cdl.power, [1.1, 1.0, 0.95]);
    assert!(c.notes.description[0].contains("no-clamp"), "{:?}", c.notes);
    assert!(c.notes.description[0].contains("working space ACEScct"));
    // The ungraded clip gets no .cc, and appears nowhere in the camera files.
    assert!(!files.contains_key("cc/B012C004_240501_R2CD.cc"));
    let ccc = cdl_xml::read(&files["ccc/A_2024-05-01.ccc"], "a.ccc").unwrap();
    let ids: Vec<_> = ccc.corrections().map(|c| c.id.clone().unwrap()).collect();
    assert_eq!(ids, ["A001C003_240501_R1AB", "A001C004_240501_R1AB"]);
    let cdl = cdl_xml::read(&files["cdl/B_2024-05-01.cdl"], "b.cdl").unwrap();
    assert_eq!(cdl.decisions.len(), 1);
    assert_eq!(
        cdl.decisions[0].media_ref.as_deref(),
        Some("B012C003_240501_R2CD.mxf")
    );
}

#[test]
fn ale_keeps_every_source_field_and_adds_the_grade() {
    let files = rendered(&[ExportFormat::Ale]);
    let out = text(&files, "ale/day1_graded.ale");
    let source = std::fs::read_to_string(data("day1.ale")).unwrap();
    let src_lines: Vec<&str> = source.lines().collect();
    let out_lines: Vec<&str> = out.lines().collect();
    assert_eq!(src_lines.len(), out_lines.len());
    for (a, b) in src_lines.iter().zip(&out_lines) {
        assert!(b.starts_with(a), "{b:?} does not extend {a:?}");
    }
    assert!(out.contains("Camroll\tASC_SOP\tASC_SAT\tLook Name\tCDL Style\tCDL Working Space\n"));
    assert!(out.contains("\tA001\t(1.021 0.9875 0.95)(-0.015 0.0 0.012)(1.0 1.0 1.05)\t0.95\tDay Ext\tasc\tACEScct\n"));
    assert!(
        out.contains("B012C004_240501_R2CD.mxf\t\t\tB012\t\t\t\t\t\n"),
        "ungraded row keeps empty grade fields"
    );
}

#[test]
fn edl_events_carry_clip_source_and_asc_comments() {
    let files = rendered(&[ExportFormat::Edl]);
    let edl = text(&files, "edl/B_2024-05-01.edl");
    assert!(edl.starts_with("TITLE: B_2024-05-01\nFCM: NON-DROP FRAME\n"));
    // Camera B in timecode order: the 09:00 clip first, recorded from 01:00:00:00.
    assert!(edl.contains("001  B012     V     C        09:00:00:00 09:00:05:00 01:00:00:00 01:00:05:00\n* FROM CLIP NAME:  B012C004_240501_R2CD\n* SOURCE FILE: B012C004_240501_R2CD.mxf\n* LOOKWIRE: NO GRADE"));
    assert!(
        edl.contains(
            "002  B012     V     C        14:02:10:05 14:02:20:00 01:00:05:00 01:00:14:19\n"
        ),
        "{edl}"
    );
    assert!(
        edl.contains("*ASC_SOP (0.98 1.0 1.04) (0.01 -0.005 0.0) (1.1 1.0 0.95)\n*ASC_SAT 0.9\n")
    );
    assert!(edl.contains("CDL style no-clamp"));
}

#[test]
fn amf_holds_the_cdl_in_acescct_and_refuses_other_spaces() {
    let files = rendered(&[ExportFormat::Amf]);
    let doc = xml::parse(&text(&files, "amf/A001C003_240501_R1AB.amf")).unwrap();
    assert_eq!(doc.name, "acesMetadataFile");
    assert_eq!(doc.attr("version"), Some("2.0"));
    let look = doc
        .child("pipeline")
        .unwrap()
        .child("lookTransform")
        .unwrap();
    assert_eq!(
        look.child("SOPNode").unwrap().child("Slope").unwrap().text,
        "1.021 0.9875 0.95"
    );
    let from = look
        .child("cdlWorkingSpace")
        .unwrap()
        .child("fromCdlWorkingSpace")
        .unwrap();
    assert!(from
        .child("transformId")
        .unwrap()
        .text
        .ends_with("ACEScct_to_ACES.a2.v1"));
    let uuid = doc
        .child("amfInfo")
        .unwrap()
        .child("uuid")
        .unwrap()
        .text
        .clone();
    assert_eq!(uuid.len(), "urn:uuid:".len() + 36);
    assert_eq!(&uuid[23..24], "5", "name-based UUID version");

    let (list, mut report) = day1(MatchRule::AtStart);
    report.matches[0]
        .grade
        .as_mut()
        .unwrap()
        .grade
        .working_space = "ARRI LogC4".into();
    let err = render(&list, &report, &options(&[ExportFormat::Amf]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("graded in ARRI LogC4"), "{err}");
}

#[test]
fn review_lists_clips_without_grade_or_with_several() {
    let files = rendered(&[]);
    let review = text(&files, "review.txt");
    assert!(review.contains("clips without a grade: 1\n  B B012C004_240501_R2CD 09:00:00:00-09:00:05:00 B012C004_240501_R2CD.mxf (day1.ale:14)"), "{review}");
    assert!(
        review.contains("clips whose grade changed during the clip: 1\n  A A001C004_240501_R1AB")
    );
}

#[test]
fn ids_by_reel_refuse_two_grades_on_one_reel() {
    let (list, report) = day1(MatchRule::LastDuring);
    let mut by_reel = options(&[ExportFormat::Ccc]);
    by_reel.id_by = IdBy::Reel;
    let err = render(&list, &report, &by_reel).unwrap_err().to_string();
    assert!(
        err.contains("camera A: two clips share the id \"A001\""),
        "{err}"
    );
    let styles: Vec<CdlStyle> = report
        .matches
        .iter()
        .filter_map(|m| m.grade.as_ref().map(|g| g.grade.style))
        .collect();
    assert!(styles.contains(&CdlStyle::NoClamp) && styles.contains(&CdlStyle::Asc));
}

#[test]
fn a_package_is_sealed_with_asc_mhl_or_not_written_at_all() {
    let files = rendered(&[ExportFormat::Cc, ExportFormat::Edl]);
    let out = tempfile::tempdir().unwrap();
    let package = export_package(&files, out.path(), "day1", &[HashFormat::Xxh64]).unwrap();
    assert!(package
        .generation
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("0001_day1_"));
    let verified = mhl::verify(&package.path, &mhl::VerifyOptions::default(), &NoProgress).unwrap();
    assert_eq!(
        (verified.status(), verified.verified),
        (mhl::ExitStatus::Ok, files.len())
    );
    // A second export to the same name is refused and leaves the first intact.
    let again = export_package(&files, out.path(), "day1", &[HashFormat::Xxh64]).unwrap_err();
    assert!(matches!(again, ExportError::Exists(_)));
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["day1"]);
}

#[test]
fn a_failed_export_leaves_no_folder() {
    let out = tempfile::tempdir().unwrap();
    // "cc" as a file and as a folder: staging fails half-way through.
    let mut files = BTreeMap::new();
    files.insert("cc".to_string(), b"x".to_vec());
    files.insert("cc/x.cc".to_string(), b"y".to_vec());
    let err = export_package(&files, out.path(), "pkg", &[HashFormat::Xxh64]).unwrap_err();
    assert!(matches!(err, ExportError::Io { .. }), "{err}");
    let names: Vec<_> = std::fs::read_dir(out.path()).unwrap().collect();
    assert!(names.is_empty(), "staging left behind: {names:?}");
}

#[test]
fn long_days_continue_in_a_second_edl() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut csv = String::from("Name,Start,Duration,FPS\n");
    for i in 0..1000 {
        csv.push_str(&format!(
            "A001C{i:04},{:02}:{:02}:00:00,00:00:10:00,25\n",
            1 + i / 60,
            i % 60
        ));
    }
    std::fs::write(&path, csv).unwrap();
    let list = read_clips(&path, &IngestOptions::default()).unwrap();
    let report = match_grades(&list.clips, &GradeTimeline::default(), &MatchRule::AtStart);
    let files = render(&list, &report, &options(&[ExportFormat::Edl])).unwrap();
    let first = text(&files, "edl/A_2024-05-01.edl");
    let second = text(&files, "edl/A_2024-05-01_2.edl");
    assert!(first.contains("\n999  ") && !first.contains("\n1000 "));
    // Reels longer than 8 characters are cut on the event line and kept whole in a note.
    assert!(second.contains("* REEL NAME: A001C0999\n"));
    assert!(
        second.starts_with("TITLE: A_2024-05-01_2\n")
            && second.contains("\n001  A001C099 V     C        17:39:00:00"),
        "{second}"
    );
}

#[test]
fn the_look_report_lists_every_grade_change_and_clip() {
    let files = rendered(&[ExportFormat::Report]);
    let html = text(&files, "report.html");
    assert!(html.contains("<h2>Camera a</h2>"));
    assert!(
        html.contains(
            "<td>14:10:30:00</td><td>(1.1 1.0 0.9)(0.0 0.0 0.0)(1.0 1.0 1.0)</td><td>1.1</td>"
        ),
        "{html}"
    );
    assert!(html.contains("<td>B012C004_240501_R2CD</td><td>B012C004_240501_R2CD.mxf</td><td>09:00:00:00</td><td>09:00:05:00</td><td>none</td><td>no grade</td>"));
    assert!(!files.contains_key("workflow.svg"), "no show, no drawing");
}

#[test]
fn camera_looks_bake_through_the_engine_per_output() {
    let show = crate::show::demo::demo_show();
    let (list, report) = day1(MatchRule::AtStart);
    let mut opts = options(&[ExportFormat::Cube, ExportFormat::Clf, ExportFormat::Report]);
    opts.show = Some(show.clone());
    let files = render(&list, &report, &opts).unwrap();
    let camera = show.cameras.values().next().unwrap();
    let cube = text(&files, &format!("cube/{}_sdr_2024-05-01.cube", camera.id));
    assert!(cube.contains("LUT_3D_SIZE 9"), "{}", &cube[..200]);
    assert!(cube.contains(&camera.input_space) && cube.contains("Warm contrast"));
    // The cube holds the engine's bake of this camera's look, node for node, in the
    // output's signal range (legal for the demo's SDR output).
    let mut look = lookwire_color::pipeline::Look::from_ids(
        &camera.input_space,
        lookwire_color::pipeline::WorkingSpace::AcesCct,
        "aces2-sdr-rec709",
    )
    .unwrap()
    .with_cdl(show.looks["warm-contrast"].cdl.unwrap(), show.cdl_style);
    assert_eq!(show.outputs["sdr"].range, crate::show::SignalRange::Legal);
    look.output = look.output.with_range(show.outputs["sdr"].range);
    let white = look.pipeline().unwrap().apply([1.0, 1.0, 1.0]);
    let last: Vec<f64> = cube
        .lines()
        .rev()
        .find(|l| !l.is_empty())
        .unwrap()
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    for c in 0..3 {
        assert!((last[c] - white[c]).abs() < 1e-5, "{last:?} vs {white:?}");
    }
    let clf = text(&files, &format!("clf/{}_hdr_2024-05-01.clf", camera.id));
    // The ProcessList's id is one `urn:uuid:` (the prefix was doubled once).
    let id = xml::parse(&clf).unwrap().attr("id").unwrap().to_owned();
    assert_eq!(id.matches("urn:uuid:").count(), 1, "{id}");
    assert_eq!(id.len(), "urn:uuid:".len() + 36, "{id}");
    assert!(files.contains_key("workflow.svg"));
    let err = render(&list, &report, &options(&[ExportFormat::Cube]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("need the show"), "{err}");
}

/// The `transformId` of the AMF pipeline's `tag` element, if any.
fn amf_transform(files: &BTreeMap<String, Vec<u8>>, clip: &str, tag: &str) -> Option<String> {
    let doc = xml::parse(&text(files, &format!("amf/{clip}.amf"))).unwrap();
    let pipeline = doc.child("pipeline").unwrap();
    Some(pipeline.child(tag)?.child("transformId")?.text.clone())
}

#[test]
fn amf_names_each_cameras_input_and_output_transform_from_the_show() {
    let mut show = crate::show::demo::demo_show();
    // Camera b feeds HDR first: its AMFs name the HDR output transform.
    show.cameras["b"].outputs = vec!["hdr".into(), "sdr".into()];
    let (list, report) = day1(MatchRule::AtStart);
    let mut opts = options(&[ExportFormat::Amf]);
    opts.show = Some(show.clone());
    let files = render(&list, &report, &opts).unwrap();
    let id = |clip, tag| amf_transform(&files, clip, tag).unwrap();
    let v2 = "urn:ampas:aces:transformId:v2.0:";
    assert_eq!(
        id("A001C003_240501_R1AB", "inputTransform"),
        format!("{v2}CSC.Sony.SLog3_SGamut3Cine_to_ACES.a2.v1")
    );
    assert_eq!(
        id("A001C003_240501_R1AB", "outputTransform"),
        format!("{v2}Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1")
    );
    assert_eq!(
        id("B012C003_240501_R2CD", "inputTransform"),
        format!("{v2}CSC.Arri.LogC4_to_ACES.a2.v1")
    );
    assert_eq!(
        id("B012C003_240501_R2CD", "outputTransform"),
        format!("{v2}Output.Academy.P3-D65_1000nit_in_Rec2100-D65_ST2084.a2.v1")
    );
    // Transforms given on the command line win for every clip.
    opts.amf = AmfTransforms {
        input: Some("urn:example:idt".into()),
        output: None,
    };
    let files = render(&list, &report, &opts).unwrap();
    assert_eq!(
        amf_transform(&files, "B012C003_240501_R2CD", "inputTransform").unwrap(),
        "urn:example:idt"
    );
    // A space and an output with no ACES id: no element, the rest of the AMF as before.
    show.cameras["a"].input_space = "dji-dlog-dgamut".into();
    show.cameras["a"].outputs = vec![];
    opts.show = Some(show);
    opts.amf = AmfTransforms::default();
    let files = render(&list, &report, &opts).unwrap();
    assert_eq!(
        amf_transform(&files, "A001C003_240501_R1AB", "inputTransform"),
        None
    );
    assert_eq!(
        amf_transform(&files, "A001C003_240501_R1AB", "outputTransform"),
        None
    );
    // Without the show, none either (the grade log names no camera setup).
    let files = rendered(&[ExportFormat::Amf]);
    assert_eq!(
        amf_transform(&files, "A001C003_240501_R1AB", "inputTransform"),
        None
    );
}

#[test]
fn amf_and_cc_carry_the_same_number_text() {
    let files = rendered(&[ExportFormat::Amf, ExportFormat::Cc]);
    let amf = xml::parse(&text(&files, "amf/A001C003_240501_R1AB.amf")).unwrap();
    let cc = xml::parse(&text(&files, "cc/A001C003_240501_R1AB.cc")).unwrap();
    let look = amf
        .child("pipeline")
        .unwrap()
        .child("lookTransform")
        .unwrap();
    let (a, c) = (look.child("SOPNode").unwrap(), cc.child("SOPNode").unwrap());
    for node in ["Slope", "Offset", "Power"] {
        assert_eq!(
            a.child(node).unwrap().text.trim(),
            c.child(node).unwrap().text.trim(),
            "{node}"
        );
    }
}

/// The chain the exported CLF's nodes describe, evaluated exactly: the input transform to
/// ACEScct, the grade's `ASC_CDL` nodes in the show's style, the output transform.
fn clf_chain(show: &crate::show::Show, camera: &str, output: &str) -> Pipeline {
    use lookwire_color::spaces::{self, Adaptation, AP0, AP1};
    let look = crate::show::export_look_for(show, camera, output).unwrap();
    let input = spaces::lookup(&show.cameras[camera].input_space).unwrap();
    let cct = spaces::acescct_curve();
    let mut ops = lookwire_color::pipeline::to_aces(&input);
    ops.push(Op::Matrix(spaces::conversion_matrix(
        &AP0,
        &AP1,
        Adaptation::None,
    )));
    ops.push(Op::encode(cct));
    for node in &look.nodes {
        let crate::show::LookNode::Cdl(cdl) = node else {
            panic!("{camera}: the demo grades are CDLs")
        };
        ops.push(Op::Cdl {
            cdl: *cdl,
            style: show.cdl_style,
        });
    }
    ops.push(Op::decode(cct));
    ops.push(Op::Matrix(spaces::conversion_matrix(
        &AP1,
        &AP0,
        Adaptation::None,
    )));
    let display = lookwire_color::pipeline::resolve_output(&look.display).unwrap();
    ops.extend(display.with_range(look.range).ops);
    Pipeline::new(ops)
}

/// The .cube bakes exactly the chain of the CLF's nodes, with no clamp of the working values
/// besides the grade's own CDLs. (The look's description once carried an identity CDL in the
/// ASC style, which clamps ACEScct to 0..1 where no CLF node does: saturated camera colours
/// reach far below 0, and an ungraded camera's .cube moved by up to 21 10-bit codes.)
#[test]
fn the_cube_bakes_the_chain_of_the_clf_nodes_and_no_other_clamp() {
    let mut show = crate::show::demo::demo_show();
    for ungraded in ["b", "d"] {
        show.cameras.get_mut(ungraded).unwrap().grade = crate::show::Grade::with_look(None);
    }
    let files = look_lut::look_luts(&show, "d1", 9, &[LutFormat::Cube]).unwrap();
    assert_eq!(files.len(), 12);
    let mut below_black = 0;
    for (name, bytes) in &files {
        let (camera, output) = name[5..].split_once('_').unwrap();
        let output = output.split('_').next().unwrap();
        let cube = LutFormat::Cube.read(bytes, name).unwrap().lut3d.unwrap();
        let chain = clf_chain(&show, camera, output);
        let to_cct = lookwire_color::matching::WorkingChain::new(
            &lookwire_color::spaces::lookup(&show.cameras[camera].input_space).unwrap(),
            lookwire_color::pipeline::WorkingSpace::AcesCct,
        );
        let n = cube.size();
        for (i, got) in cube.data().iter().enumerate() {
            let x = [i % n, i / n % n, i / (n * n)].map(|k| k as f64 / (n - 1) as f64);
            let want = chain.apply(x);
            for c in 0..3 {
                assert!(
                    (f64::from(got[c]) - want[c]).abs() < 2e-6,
                    "{name}: node {x:?} channel {c}: {} vs {}",
                    got[c],
                    want[c]
                );
            }
            below_black += usize::from(to_cct.to_working(x).iter().any(|&v| v < 0.0));
        }
    }
    assert!(below_black > 100, "{below_black} nodes below ACEScct 0");
}

/// Every export carries the CDL style and the working space, so post applies the grade as it
/// was seen: the CDL files, ALE, EDL and AMF per grade, the looks and both reports.
#[test]
fn every_export_states_the_cdl_style_and_working_space() {
    let (list, report) = day1(MatchRule::AtStart);
    let all = [
        ExportFormat::Cc,
        ExportFormat::Ccc,
        ExportFormat::Cdl,
        ExportFormat::Ale,
        ExportFormat::Edl,
        ExportFormat::Clf,
        ExportFormat::Cube,
        ExportFormat::Amf,
        ExportFormat::Report,
    ];
    let mut opts = options(&all);
    opts.show = Some(crate::show::demo::demo_show());
    let files = render(&list, &report, &opts).unwrap();
    let mut kinds = BTreeSet::new();
    for (name, bytes) in &files {
        let ext = name.rsplit('.').next().unwrap();
        if name.starts_with("ascmhl/") || matches!(ext, "svg" | "jpg" | "png" | "txt") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes).to_lowercase();
        let style = ["cdl style", "asc v1.2", "no-clamp"]
            .iter()
            .any(|s| text.contains(s));
        assert!(style, "{name}: no CDL style");
        assert!(text.contains("working space"), "{name}: no working space");
        kinds.insert(ext.to_owned());
    }
    let want = [
        "ale", "amf", "cc", "ccc", "cdl", "clf", "cube", "edl", "html", "pdf",
    ];
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), want);
}

/// With the show, the HTML report carries each camera's page as the PDF does: make, input
/// space, outputs, the grade, and JPEG stills before and after the grade; and the drawing.
#[test]
fn the_html_report_shows_each_camera_with_stills_before_and_after() {
    use base64::Engine;
    let (list, report) = day1(MatchRule::AtStart);
    let mut opts = options(&[ExportFormat::Report]);
    let mut show = crate::show::demo::demo_show();
    show.cameras.retain(|id, _| id == "a" || id == "d");
    opts.show = Some(show.clone());
    let files = render(&list, &report, &opts).unwrap();
    let html = text(&files, "report.html");
    assert!(html.contains("<h2>Workflow</h2>\n<svg"), "no drawing");
    for (id, cam) in &show.cameras {
        let at = html
            .find(&format!("<h2>{} ({id})</h2>", cam.label))
            .unwrap_or_else(|| panic!("no section for {id}"));
        let section = &html[at..];
        let section = &section[..section[4..].find("<h2>").map_or(section.len(), |e| e + 4)];
        assert!(section.contains(&format!("input {}", cam.input_space)));
        assert!(section.contains(&format!("outputs: {}", cam.outputs.join(", "))));
        assert!(section.contains("grade: ASC_SOP ("), "{id}");
        let images: Vec<&str> = section
            .split("src=\"data:image/jpeg;base64,")
            .skip(1)
            .collect();
        assert_eq!(images.len(), 2, "{id}: before and after");
        for img in images {
            let data = &img[..img.find('"').unwrap()];
            let jpeg = base64::engine::general_purpose::STANDARD
                .decode(data)
                .unwrap();
            assert_eq!(&jpeg[..2], &[0xff, 0xd8], "{id}: a JPEG");
        }
        assert!(section.contains("before: no grade") && section.contains("after: the camera"));
    }
}
