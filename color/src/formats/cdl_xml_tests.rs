use super::*;
use proptest::prelude::*;

fn err(src: &str) -> String {
    read(src.as_bytes(), "t.ccc").unwrap_err().to_string()
}

const CCC_V12: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ColorCorrectionCollection xmlns="urn:ASC:CDL:v1.2">
  <Description>reel 3</Description>
  <ColorCorrection id="sh010">
    <Description>warm</Description>
    <InputDescription>ACEScct</InputDescription>
    <SOPNode>
      <Description>sop note</Description>
      <Slope> 1.0 1.0 0.9 </Slope>
      <Offset>-.03 -2e-2 0</Offset>
      <Power>1.25 1e0 1</Power>
    </SOPNode>
    <SatNode><Saturation>1.7</Saturation></SatNode>
  </ColorCorrection>
  <ColorCorrection id="sh020">
    <Unknown>ignored</Unknown>
    <SATNode><Saturation>0.5</Saturation></SATNode>
  </ColorCorrection>
</ColorCorrectionCollection>
"#;

#[test]
fn reads_collection_with_descriptions_and_spellings() {
    let doc = read(CCC_V12.as_bytes(), "t.ccc").unwrap();
    assert_eq!(doc.kind, CdlFileKind::Ccc);
    assert_eq!(doc.namespace.as_deref(), Some(NAMESPACE_V12));
    assert_eq!(doc.notes.description, vec!["reel 3"]);
    let a = doc.find("sh010").unwrap();
    assert_eq!(a.cdl.slope, [1.0, 1.0, 0.9]);
    assert_eq!(a.cdl.offset, [-0.03, -0.02, 0.0]);
    assert_eq!(a.cdl.power, [1.25, 1.0, 1.0]);
    assert_eq!(a.cdl.sat, 1.7);
    assert_eq!(a.notes.description, vec!["warm"]);
    assert_eq!(a.notes.input.as_deref(), Some("ACEScct"));
    assert_eq!(a.sop_description, vec!["sop note"]);
    let b = doc.find("sh020").unwrap();
    assert_eq!(
        b.cdl,
        Cdl {
            sat: 0.5,
            ..Cdl::IDENTITY
        }
    );
}

#[test]
fn reads_cc_without_namespace_and_asc_substitutes() {
    let src = r#"<cdl:ColorCorrection id="a" xmlns:cdl="urn:ASC:CDL:v1.01">
        <cdl:ASC_SOP><cdl:Slope>2 2 2</cdl:Slope></cdl:ASC_SOP>
        <cdl:ASC_SAT><cdl:Saturation>0.8</cdl:Saturation></cdl:ASC_SAT>
    </cdl:ColorCorrection>"#;
    let doc = read(src.as_bytes(), "a.cc").unwrap();
    assert_eq!(doc.kind, CdlFileKind::Cc);
    let c = doc.corrections().next().unwrap();
    assert_eq!(c.cdl.slope, [2.0; 3]);
    assert_eq!(c.cdl.sat, 0.8);
    let plain = read(
        b"<ColorCorrection><SOPNode><Power>1 2 3</Power></SOPNode></ColorCorrection>",
        "b.cc",
    )
    .unwrap();
    assert_eq!(plain.namespace, None);
    assert_eq!(
        plain.corrections().next().unwrap().cdl.power,
        [1.0, 2.0, 3.0]
    );
}

#[test]
fn reads_decision_list_with_refs_and_media() {
    let src = r#"<ColorDecisionList xmlns="urn:ASC:CDL:v1.01">
      <ColorDecision>
        <MediaRef ref="file:///shots/a.mov"/>
        <ColorCorrection id="a"><SatNode><Saturation>1.1</Saturation></SatNode></ColorCorrection>
      </ColorDecision>
      <ColorDecision><ColorCorrectionRef ref="b"/></ColorDecision>
    </ColorDecisionList>"#;
    let doc = read(src.as_bytes(), "t.cdl").unwrap();
    assert_eq!(doc.kind, CdlFileKind::Cdl);
    assert_eq!(
        doc.decisions[0].media_ref.as_deref(),
        Some("file:///shots/a.mov")
    );
    assert_eq!(doc.decisions[1].correction, Correction::Ref("b".into()));
    let back = read(&write(&doc).unwrap(), "t.cdl").unwrap();
    assert_eq!(back, doc);
}

#[test]
fn round_trip_keeps_everything() {
    let doc = read(CCC_V12.as_bytes(), "t.ccc").unwrap();
    let text = write(&doc).unwrap();
    assert_eq!(read(&text, "w.ccc").unwrap(), doc);
    let cc =
        CdlDocument::from_corrections(CdlFileKind::Cc, vec![doc.find("sh010").unwrap().clone()]);
    let text = String::from_utf8(write(&cc).unwrap()).unwrap();
    assert!(
        text.contains("<ColorCorrection id=\"sh010\" xmlns=\"urn:ASC:CDL:v1.01\">"),
        "{text}"
    );
    assert!(text.contains("<Slope>1 1 0.9</Slope>"), "{text}");
    assert_eq!(read(text.as_bytes(), "w.cc").unwrap(), cc);
}

#[test]
fn errors_give_line_column_and_element_path() {
    let cases: &[(&str, &str)] = &[
        (
            "<ColorCorrectionCollection>\n <ColorCorrection id=\"a\"><SatNode><Saturation>1</Saturation></SatNode></ColorCorrection>\n <ColorCorrection id=\"a\"><SatNode><Saturation>1</Saturation></SatNode></ColorCorrection>\n</ColorCorrectionCollection>",
            "t.ccc:3:2: /ColorCorrectionCollection/ColorCorrection[2]: duplicate id \"a\", expected ids unique in the file",
        ),
        (
            "<ColorCorrection id=\"a\">\n  <SOPNode>\n    <Slope>1 1</Slope>\n  </SOPNode>\n</ColorCorrection>",
            "t.ccc:3:5: /ColorCorrection/SOPNode/Slope: Slope has 2 numbers, expected 3 (R G B)",
        ),
        (
            "<ColorCorrection><SOPNode><Power>1 0 1</Power></SOPNode></ColorCorrection>",
            "t.ccc:1:27: /ColorCorrection/SOPNode/Power: Power value 0, expected greater than 0 and at most 100",
        ),
        (
            "<ColorCorrection><SOPNode><Offset>0 1e308 0</Offset></SOPNode></ColorCorrection>",
            "t.ccc:1:27: /ColorCorrection/SOPNode/Offset: Offset value 1e308, expected within ±100",
        ),
        (
            "<ColorCorrection><SOPNode><Slope>1 NaN 1</Slope></SOPNode></ColorCorrection>",
            "t.ccc:1:27: /ColorCorrection/SOPNode/Slope: \"NaN\" is not finite, expected a finite number",
        ),
        (
            "<ColorCorrection><SatNode><Saturation>x</Saturation></SatNode></ColorCorrection>",
            "t.ccc:1:27: /ColorCorrection/SatNode/Saturation: \"x\" is not a number, expected a decimal number",
        ),
        (
            "<ColorCorrection><SatNode><Saturation>-1</Saturation></SatNode></ColorCorrection>",
            "t.ccc:1:27: /ColorCorrection/SatNode/Saturation: Saturation value -1, expected from 0 to 100",
        ),
        (
            "<ColorCorrection id=\"a\"><Description/></ColorCorrection>",
            "t.ccc:1:1: /ColorCorrection: ColorCorrection has no SOPNode or SatNode, expected at least one of them",
        ),
        ("<Look/>", "t.ccc:1:1: /Look: root element <Look>, expected ColorCorrection, ColorCorrectionCollection or ColorDecisionList"),
        (
            "<ColorCorrectionCollection>\n  <ColorCorrection>\n",
            "t.ccc:3:1: /ColorCorrectionCollection/ColorCorrection: file ends inside <ColorCorrection>, expected </ColorCorrection>",
        ),
        (
            "<ColorDecisionList><ColorDecision><MediaRef ref=\"x\"/></ColorDecision></ColorDecisionList>",
            "t.ccc:1:20: /ColorDecisionList/ColorDecision: ColorDecision has no ColorCorrection or ColorCorrectionRef, expected one of them",
        ),
        ("<ColorCorrectionCollection/>", "t.ccc:1:1: /ColorCorrectionCollection: no ColorCorrection, expected at least one"),
        ("", "t.ccc:1:1: no root element, expected an XML document"),
    ];
    for (src, want) in cases {
        assert_eq!(&err(src), want, "input {src:?}");
    }
    let mismatched = err("<ColorCorrection>\n<SOPNode></SatNode></ColorCorrection>");
    assert!(mismatched.starts_with("t.ccc:2:"), "{mismatched}");
    assert!(
        mismatched.contains("/ColorCorrection/SOPNode: malformed XML"),
        "{mismatched}"
    );
}

#[test]
fn writer_refuses_duplicate_ids() {
    let c = ColorCorrection::new("x", Cdl::IDENTITY);
    let doc = CdlDocument::from_corrections(CdlFileKind::Ccc, vec![c.clone(), c]);
    assert_eq!(
        write(&doc).unwrap_err().to_string(),
        "ASC CDL cannot hold two corrections with id \"x\""
    );
}

fn cdl() -> impl Strategy<Value = Cdl> {
    (
        proptest::array::uniform3(0.0f64..4.0),
        proptest::array::uniform3(-1.0f64..1.0),
        proptest::array::uniform3(0.05f64..4.0),
        0.0f64..3.0,
    )
        .prop_map(|(slope, offset, power, sat)| Cdl {
            slope,
            offset,
            power,
            sat,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn roundtrip_collection_is_exact(cdls in proptest::collection::vec(cdl(), 1..5), note in "[ -~]{0,20}") {
        let corrections = cdls.into_iter().enumerate().map(|(i, cdl)| {
            let mut c = ColorCorrection::new(format!("shot<{i}>&"), cdl);
            c.notes.description.push(note.trim().to_owned());
            c
        }).collect();
        let doc = CdlDocument::from_corrections(CdlFileKind::Ccc, corrections);
        let text = write(&doc).unwrap();
        prop_assert_eq!(read(&text, "p.ccc").unwrap(), doc);
    }
}
