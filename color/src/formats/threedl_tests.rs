use super::*;

fn err(src: &str) -> String {
    read(src.as_bytes(), "t.3dl").unwrap_err().to_string()
}

/// A 2³ table in blue-fastest order whose node (r, g, b) holds codes (r·1000, g·2000, b·4000).
fn body() -> String {
    let mut s = String::new();
    for r in 0..2 {
        for g in 0..2 {
            for b in 0..2 {
                s += &format!("{} {} {}\n", r * 1000, g * 2000, b * 4000);
            }
        }
    }
    s
}

#[test]
fn reads_blue_fastest_and_infers_12_bits() {
    let lut = read(format!("# c\n0 341 682 1023\n{}", body()).as_bytes(), "a").unwrap();
    assert!(lut.lut1d.is_none(), "identity sample line is dropped");
    let l3 = lut.lut3d.unwrap();
    assert_eq!(l3.node(0, 0, 1), [0.0, 0.0, 4000.0 / 4095.0]);
    assert_eq!(l3.node(1, 0, 0), [1000.0 / 4095.0, 0.0, 0.0]);
    // Red fastest in memory: entry 1 differs from entry 0 in red.
    assert!(l3.data()[1][0] > 0.0 && l3.data()[1][2] == 0.0);
}

#[test]
fn mesh_line_sets_the_depth_and_lustre_tokens_are_skipped() {
    let src = format!("3DMESH\nMesh 1 16\n{}\nLUT8\ngamma 1.0\n", body());
    let l3 = read(src.as_bytes(), "a").unwrap().lut3d.unwrap();
    assert_eq!(l3.node(0, 0, 1)[2], 4000.0 / 65535.0);
}

#[test]
fn non_identity_sample_line_becomes_a_shaper() {
    let lut = read(format!("0 100 300 1023\n{}", body()).as_bytes(), "a").unwrap();
    let shaper = lut.lut1d.unwrap();
    assert_eq!(shaper.data()[2], [300.0 / 1023.0; 3]);
}

#[test]
fn errors_are_located() {
    let cases = [
        ("<xml/>\n".to_owned(), "t.3dl:1:1: line starts with \"<\" (XML?), expected a .3dl table"),
        ("0 0\n".to_owned(), "t.3dl:1:1: line has 2 values, expected 3 (R G B) or an input-sample line"),
        ("0 1 2 3\n0 1 2 3\n".to_owned(), "t.3dl:2:1: second input-sample line (first on line 1), expected one"),
        ("0 0.5 0\n".to_owned(), "t.3dl:1:3: \"0.5\" is not an integer code value, expected an integer"),
        ("Lut3d 17\n".to_owned(), "t.3dl:1:1: unknown keyword \"Lut3d\", expected 3DMESH, Mesh, LUT8, gamma or integer code values"),
        ("# only\n".to_owned(), "t.3dl:2:1: no table, expected lines of R G B code values"),
        (format!("{}0 0 0\n", body()), "t.3dl:10:1: 9 nodes is not a cube number, expected N³ node lines with N from 2 to 256"),
        ("0 0 0\n".repeat(8), "t.3dl:9:1: largest node value is 0, too low for integer code values, expected a largest value of at least 128"),
        ("Mesh 4 7\n".to_owned(), "t.3dl:1:8: output depth 7, expected 8 to 16 bits"),
    ];
    for (src, want) in cases {
        assert_eq!(err(&src), want, "{src:?}");
    }
}

#[test]
fn writes_flame_and_lustre_layouts() {
    let lut = LutFile::from_3d(Lut3d::from_fn(5, |[r, g, b]| [r, g * 0.5, b]).unwrap());
    let flame = String::from_utf8(write(&lut, &WriteOptions::default()).unwrap()).unwrap();
    assert!(
        flame.starts_with(
            "0 256 512 767 1023\n0 0 0\n0 0 1024\n0 0 2048\n0 0 3071\n0 0 4095\n0 512 0\n"
        ),
        "{flame}"
    );
    let lustre = WriteOptions {
        variant: Variant::Lustre,
        bits: 16,
    };
    let text = String::from_utf8(write(&lut, &lustre).unwrap()).unwrap();
    assert!(
        text.starts_with("3DMESH\nMesh 2 16\n0 256 512 767 1023\n")
            && text.ends_with("LUT8\ngamma 1.0\n"),
        "{text}"
    );
    let back = read(text.as_bytes(), "b").unwrap().lut3d.unwrap();
    let src = lut.lut3d.as_ref().unwrap();
    for (a, b) in back.data().iter().zip(src.data()) {
        for c in 0..3 {
            assert!((a[c] - b[c]).abs() <= 0.5 / 65535.0, "{a:?} {b:?}");
        }
    }
}

proptest::proptest! {
    #[test]
    fn roundtrip_within_half_a_code(values in proptest::collection::vec(0.0f32..1.0, 81), bits in 10u32..=16) {
        let mut data: Vec<[f32; 3]> = values.chunks_exact(3).map(|v| [v[0], v[1], v[2]]).collect();
        data[26] = [1.0; 3]; // a full-scale node keeps the inferred depth
        let lut = LutFile::from_3d(Lut3d::new(3, data, Domain::UNIT).unwrap());
        let options = WriteOptions { variant: Variant::Lustre, bits };
        let back = read(&write(&lut, &options).unwrap(), "p").unwrap().lut3d.unwrap();
        let half = 0.5 / ((1u32 << bits) - 1) as f32 + 1e-7;
        for (a, b) in back.data().iter().zip(lut.lut3d.as_ref().unwrap().data()) {
            for c in 0..3 {
                proptest::prop_assert!((a[c] - b[c]).abs() <= half);
            }
        }
    }
}
