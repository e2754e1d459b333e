use super::*;
use crate::cdl::{Cdl, CdlStyle};
use crate::formats::Precision;

fn err(src: &str) -> String {
    read(src.as_bytes(), "t.clf").unwrap_err().to_string()
}

fn doc(nodes: &str) -> String {
    format!("<?xml version=\"1.0\"?>\n<ProcessList id=\"a\" compCLFversion=\"3.0\">\n{nodes}\n</ProcessList>\n")
}

#[test]
fn bit_depths_scale_to_normalised_values() {
    let src = doc(
        r#"<Matrix inBitDepth="10i" outBitDepth="12i"><Array dim="3 4">
        4 0 0 409.5  0 4 0 0  0 0 4 0 </Array></Matrix>
        <LUT1D inBitDepth="12i" outBitDepth="10i"><Array dim="2 1">0 1023</Array></LUT1D>"#,
    );
    let list = read(src.as_bytes(), "a").unwrap();
    let ClfOp::Matrix { m, offset } = &list.ops[0] else {
        panic!("{:?}", list.ops[0])
    };
    // 4 · 1023/4095 ≈ 0.99927 (a 10i→12i identity-ish gain), offset 409.5/4095 = 0.1.
    assert!((m[0][0] - 4.0 * 1023.0 / 4095.0).abs() < 1e-12);
    assert!((offset[0] - 0.1).abs() < 1e-12);
    let out = list.apply([0.5, 0.5, 0.5]);
    assert!(
        (out[1] - (0.5 * 4.0 * 1023.0 / 4095.0) as f32).abs() < 1e-6,
        "{out:?}"
    );
}

#[test]
fn range_styles_and_one_sided_clamps() {
    let src = doc(
        r#"<Range inBitDepth="32f" outBitDepth="32f"><minInValue>0.1</minInValue><minOutValue>0</minOutValue></Range>"#,
    );
    let list = read(src.as_bytes(), "a").unwrap();
    let out = list.apply([-1.0, 0.1, 5.0]);
    for (got, want) in out.iter().zip([0.0, 0.0, 4.9]) {
        assert!((got - want).abs() < 1e-6, "{out:?}");
    }
    let src = doc(
        r#"<Range inBitDepth="32f" outBitDepth="32f" style="noClamp"><minInValue>0</minInValue><maxInValue>2</maxInValue><minOutValue>0</minOutValue><maxOutValue>1</maxOutValue></Range>"#,
    );
    assert_eq!(
        read(src.as_bytes(), "a").unwrap().apply([4.0, -2.0, 1.0]),
        [2.0, -1.0, 0.5]
    );
}

#[test]
fn inverting_range_clamps_without_panicking() {
    // Found by the clf fuzz target: minOutValue above maxOutValue.
    let src = doc(
        r#"<Range inBitDepth="32f" outBitDepth="32f"><minInValue>0</minInValue><maxInValue>1</maxInValue><minOutValue>5</minOutValue><maxOutValue>1</maxOutValue></Range>"#,
    );
    let list = read(src.as_bytes(), "a").unwrap();
    assert_eq!(list.apply([0.0, 0.5, 2.0]), [5.0, 3.0, 1.0]);
}

#[test]
fn cdl_reverse_undoes_forward() {
    let cdl = Cdl::from_sop_sat([1.2, 0.9, 1.1, 0.02, -0.01, 0.0, 0.9, 1.1, 1.3], 1.2).unwrap();
    for style in [CdlStyle::Asc, CdlStyle::NoClamp] {
        let fwd = ClfOp::Cdl {
            cdl,
            style,
            direction: CdlDirection::Forward,
            id: None,
        };
        let rev = ClfOp::Cdl {
            cdl,
            style,
            direction: CdlDirection::Reverse,
            id: None,
        };
        let x = [0.3, 0.5, 0.7];
        let back = rev.apply(fwd.apply(x));
        for c in 0..3 {
            assert!((back[c] - x[c]).abs() < 1e-9, "{style}: {back:?}");
        }
    }
}

#[test]
fn shaper_and_cube_become_a_lut_file() {
    let src = doc(
        r#"<Range inBitDepth="32f" outBitDepth="32f"><minInValue>-0.125</minInValue><maxInValue>2</maxInValue><minOutValue>0</minOutValue><maxOutValue>1</maxOutValue></Range>
        <LUT1D inBitDepth="32f" outBitDepth="32f"><Array dim="2 1">0 1</Array></LUT1D>
        <LUT3D inBitDepth="32f" outBitDepth="32f" interpolation="tetrahedral"><Array dim="2 2 2 3">
        0 0 0  0 0 1  0 1 0  0 1 1  1 0 0  1 0 1  1 1 0  1 1 1</Array></LUT3D>"#,
    );
    let lut = read_lut(src.as_bytes(), "a").unwrap();
    assert_eq!(lut.lut1d.as_ref().unwrap().domain().min, [-0.125; 3]);
    let l3 = lut.lut3d.as_ref().unwrap();
    assert_eq!(
        l3.node(0, 0, 1),
        [0.0, 0.0, 1.0],
        "blue fastest in the file"
    );
    assert_eq!(lut.interpolation, crate::lut::Interpolation::Tetrahedral);
    let text = write_lut(&lut, Precision::RoundTrip).unwrap();
    assert_eq!(read_lut(&text, "b").unwrap(), lut);
}

#[test]
fn errors_name_the_element() {
    let cases = [
        (doc(r#"<LUT1D inBitDepth="32f" outBitDepth="32f"><Array dim="3 1">0 1</Array></LUT1D>"#),
         "t.clf:3:43: /ProcessList/LUT1D/Array: Array has 2 values, expected 3 for its dim"),
        (doc(r#"<LUT3D inBitDepth="32f" outBitDepth="32f"><Array dim="300 300 300 3">0</Array></LUT3D>"#),
         "t.clf:3:43: /ProcessList/LUT3D/Array: LUT3D of size 300, expected 2 to 256"),
        (doc(r#"<Matrix inBitDepth="32f" outBitDepth="32f"><Array dim="3 3">1 0 0 0 1 0 0 0 NaN</Array></Matrix>"#),
         "t.clf:3:44: /ProcessList/Matrix/Array: \"NaN\" is not finite, expected a finite number"),
        (doc(r#"<Gamma inBitDepth="32f" outBitDepth="32f"/>"#),
         "t.clf:3:1: /ProcessList/Gamma: unsupported element <Gamma>, expected LUT1D, LUT3D, Matrix, Range, ASC_CDL, Log or Exponent"),
        (doc(r#"<Range inBitDepth="32f"/>"#),
         "t.clf:3:1: /ProcessList/Range: no outBitDepth, expected outBitDepth=\"32f\" (or 8i, 10i, 12i, 16i, 16f)"),
        (doc(r#"<Range inBitDepth="32f" outBitDepth="10i"><minInValue>0</minInValue><minOutValue>0</minOutValue></Range>
<Range inBitDepth="32f" outBitDepth="32f"><minInValue>0</minInValue><minOutValue>0</minOutValue></Range>"#),
         "t.clf:4:1: /ProcessList/Range[2]: inBitDepth 32f differs from outBitDepth 10i of <Range>, expected inBitDepth=\"10i\""),
        (doc(r#"<ASC_CDL inBitDepth="32f" outBitDepth="32f" style="Fwd"><SOPNode><Slope>1 1</Slope></SOPNode></ASC_CDL>"#),
         "t.clf:3:66: /ProcessList/ASC_CDL/SOPNode/Slope: Slope has 2 numbers, expected 3 (R G B)"),
        // The ASC rules of the shared CDL XML reader apply inside CLF too.
        (doc(r#"<ASC_CDL inBitDepth="32f" outBitDepth="32f" style="Fwd"><SOPNode><Power>1 0 1</Power></SOPNode></ASC_CDL>"#),
         "t.clf:3:66: /ProcessList/ASC_CDL/SOPNode/Power: Power value 0, expected greater than 0 and at most 100"),
        (doc(r#"<ASC_CDL inBitDepth="32f" outBitDepth="32f" style="Fwd"><SatNode></SatNode></ASC_CDL>"#),
         "t.clf:3:57: /ProcessList/ASC_CDL/SatNode: <SatNode> without Saturation, expected <Saturation>"),
        (doc(r#"<Exponent inBitDepth="32f" outBitDepth="32f" style="monCurveFwd"><ExponentParams exponent="2.4" offset="1.5"/></Exponent>"#),
         "t.clf:3:66: /ProcessList/Exponent/ExponentParams: exponent 2.4, offset 1.5, expected exponent 1 to 10 and offset 0 to 0.9"),
        ("<ProcessList id=\"x\" compCLFversion=\"3\" version=\"2\"/>".to_owned(),
         "t.clf:1:1: /ProcessList: both compCLFversion and version, expected one of them"),
        (doc(""), "t.clf:2:1: /ProcessList: no process nodes, expected at least one of LUT1D, LUT3D, Matrix, Range, ASC_CDL, Log or Exponent"),
    ];
    let got: Vec<String> = cases.iter().map(|(src, _)| err(src)).collect();
    let want: Vec<&str> = cases.iter().map(|c| c.1).collect();
    assert_eq!(got, want);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    #[test]
    fn roundtrip_matrix_cdl_lut3d(m in proptest::array::uniform9(-2.0f64..2.0), v in proptest::collection::vec(-1.0f32..2.0, 24), sat in 0.0f64..2.0) {
        let lut = crate::lut::Lut3d::new(2, v.chunks_exact(3).map(|c| [c[0], c[1], c[2]]).collect(), crate::lut::Domain::UNIT).unwrap();
        let ops = vec![
            ClfOp::Matrix { m: [[m[0], m[1], m[2]], [m[3], m[4], m[5]], [m[6], m[7], m[8]]], offset: [m[0] / 3.0, 0.0, -0.5] },
            ClfOp::Cdl { cdl: Cdl { sat, ..Cdl::IDENTITY }, style: CdlStyle::NoClamp, direction: CdlDirection::Reverse, id: Some("x".into()) },
            ClfOp::Lut3d(lut, crate::lut::Interpolation::Trilinear),
        ];
        let list = ProcessList::new(ops);
        let text = write(&list, Precision::RoundTrip).unwrap();
        let back = read(&text, "p").unwrap();
        proptest::prop_assert_eq!(&back.ops, &list.ops);
    }
}

#[test]
fn reads_ctf_version_and_its_cdl_style_names() {
    let src = r#"<ProcessList id="c" version="1.3">
        <ASC_CDL inBitDepth="32f" outBitDepth="32f" style="noClampFwd"><SOPNode><Slope>2 2 2</Slope></SOPNode></ASC_CDL>
        <ASC_CDL inBitDepth="32f" outBitDepth="32f" style="v1.2_Rev"><SatNode><Saturation>1</Saturation></SatNode></ASC_CDL>
    </ProcessList>"#;
    let list = read(src.as_bytes(), "a.ctf").unwrap();
    assert_eq!(list.version.as_deref(), Some("1.3"));
    // noClampFwd keeps 1.5·2 = 3; v1.2_Rev then clamps to 1.
    assert_eq!(list.ops[0].apply([1.5, -0.25, 0.25]), [3.0, -0.5, 0.5]);
    assert_eq!(list.apply([1.5, -0.25, 0.25]), [1.0, 0.0, 0.5]);
}

#[test]
fn the_node_before_a_half_domain_lut1d_writes_16f_out() {
    let half = HalfDomainLut::from_fn(|x| [x * 0.5; 3]).unwrap();
    let matrix = ClfOp::Matrix {
        m: [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        offset: [0.0; 3],
    };
    let list = ProcessList::new(vec![
        matrix.clone(),
        ClfOp::Lut1dHalf(half.clone()),
        ClfOp::Lut1dHalf(half),
        matrix,
    ]);
    let text = String::from_utf8(write(&list, Precision::Fixed(6)).unwrap()).unwrap();
    let heads: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("inBitDepth"))
        .map(str::trim)
        .collect();
    assert_eq!(
        heads,
        [
            r#"<Matrix inBitDepth="32f" outBitDepth="16f">"#,
            r#"<LUT1D inBitDepth="16f" outBitDepth="16f" halfDomain="true">"#,
            r#"<LUT1D inBitDepth="16f" outBitDepth="32f" halfDomain="true">"#,
            r#"<Matrix inBitDepth="32f" outBitDepth="32f">"#,
        ]
    );
    // The reader checks each node's inBitDepth against the previous outBitDepth.
    let back = read(text.as_bytes(), "t.clf").unwrap();
    assert_eq!(back.ops.len(), 4);
}
