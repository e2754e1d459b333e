use super::*;
use proptest::prelude::*;

fn read_str(src: &str) -> Result<LutFile, FormatError> {
    read(src.as_bytes(), "t.cube")
}

fn err(src: &str) -> String {
    read_str(src).unwrap_err().to_string()
}

/// A 2³ cube whose node (r, g, b) holds (r, g + 0.5, b + 0.25) in red-fastest order.
fn cube2() -> String {
    let mut s = String::from("TITLE \"two by two\"\nLUT_3D_SIZE 2\n");
    for b in 0..2 {
        for g in 0..2 {
            for r in 0..2 {
                s += &format!("{r} {}.5 {b}.25\n", g);
            }
        }
    }
    s
}

#[test]
fn reads_3d_red_fastest_with_title() {
    let lut = read_str(&cube2()).unwrap();
    assert_eq!(lut.title.as_deref(), Some("two by two"));
    let l3 = lut.lut3d.unwrap();
    assert_eq!(l3.size(), 2);
    // Entry 1 differs from entry 0 in red: the file is red fastest.
    assert_eq!(l3.data()[0], [0.0, 0.5, 0.25]);
    assert_eq!(l3.data()[1], [1.0, 0.5, 0.25]);
    assert_eq!(l3.node(0, 1, 1), [0.0, 1.5, 1.25]);
    assert!(lut.lut1d.is_none());
}

#[test]
fn crlf_cr_comments_and_blank_lines_read_the_same() {
    let lf = cube2();
    let noisy = format!(
        "# made by hand\n\n{}",
        lf.replace("LUT_3D_SIZE 2\n", "LUT_3D_SIZE 2\n\n# body\n")
    );
    let want = read_str(&lf).unwrap().lut3d;
    for text in [
        noisy.replace('\n', "\r\n"),
        noisy.replace('\n', "\r"),
        noisy.clone(),
    ] {
        let lut = read_str(&text).unwrap();
        assert_eq!(lut.lut3d, want);
        assert_eq!(
            lut.comments,
            vec!["made by hand".to_owned(), "body".to_owned()]
        );
    }
}

#[test]
fn reads_1d_with_domain_and_lower_case_keywords() {
    let lut = read_str(
        "lut_1d_size 3\nDOMAIN_MIN -1 -1 -1\ndomain_max 3 3 3\n0 0 0\n0.5 0.5 0.5\n1 1 1\n",
    )
    .unwrap();
    let l1 = lut.lut1d.unwrap();
    assert_eq!(l1.domain().min, [-1.0; 3]);
    assert_eq!(l1.domain().max, [3.0; 3]);
    assert_eq!(l1.lookup([1.0, 2.0, -1.0]), [0.5, 0.75, 0.0]);
}

#[test]
fn reads_resolve_shaper_and_3d() {
    let mut s = String::from(
        "LUT_1D_SIZE 2\nLUT_1D_INPUT_RANGE -0.5 1.5\nLUT_3D_SIZE 2\nLUT_3D_INPUT_RANGE 0 2\n0 0 0\n2 2 2\n",
    );
    for i in 0..8 {
        s += &format!("{} {} {}\n", i & 1, (i >> 1) & 1, i >> 2);
    }
    let lut = read_str(&s).unwrap();
    let shaper = lut.lut1d.as_ref().unwrap();
    assert_eq!(shaper.domain().min, [-0.5; 3]);
    assert_eq!(shaper.data(), &[[0.0; 3], [2.0; 3]]);
    let cube = lut.lut3d.as_ref().unwrap();
    assert_eq!(cube.domain().max, [2.0; 3]);
    // 0.5 → shaper 1.0 → cube at 0.5 of its [0, 2] range.
    let out = lut.apply([0.5, -0.5, 1.5]);
    assert_eq!(out, [0.5, 0.0, 1.0]);
}

#[test]
fn errors_name_file_line_column() {
    let cases: &[(&str, &str)] = &[
        ("LUT_3D_SIZE 257\n", "t.cube:1:13: LUT_3D_SIZE 257 is out of range, expected 2 to 256"),
        ("LUT_1D_SIZE 65537\n", "t.cube:1:13: LUT_1D_SIZE 65537 is out of range, expected 2 to 65536"),
        ("LUT_3D_SIZE x\n", "t.cube:1:13: LUT_3D_SIZE \"x\" is not a whole number, expected a positive integer"),
        ("LUT_2D_SIZE 4\n", "t.cube:1:1: unknown keyword \"LUT_2D_SIZE\", expected TITLE, LUT_1D_SIZE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, LUT_1D_INPUT_RANGE or LUT_3D_INPUT_RANGE"),
        ("LUT_3D_SIZE 2\n# x\n  LUT_3D_SIZE 2\n", "t.cube:3:3: LUT_3D_SIZE repeated (first on line 1), expected each keyword at most once"),
        ("DOMAIN_MIN 0 0\n", "t.cube:1:15: DOMAIN_MIN has 2 values, expected 3 values"),
        ("LUT_3D_SIZE 2 3\n", "t.cube:1:15: LUT_3D_SIZE has 2 values, expected 1 value"),
        ("DOMAIN_MAX 1 0 1\nLUT_1D_SIZE 2\n", "t.cube:1:1: DOMAIN_MIN 0 is not below DOMAIN_MAX 0 in the green channel, expected min < max"),
        ("0 0 0\n", "t.cube:1:1: no LUT_1D_SIZE or LUT_3D_SIZE before the table, expected one of them"),
        ("TITLE \"x\n", "t.cube:1:7: TITLE has no closing quote, expected TITLE \"text\""),
        ("LUT_1D_SIZE 2\n0 0 0\n1 nan 1\n", "t.cube:3:3: \"nan\" is not finite, expected a finite number"),
        ("LUT_1D_SIZE 2\n0 0 0\n1 1 inf\n", "t.cube:3:5: \"inf\" is not finite, expected a finite number"),
        ("LUT_1D_SIZE 2\n0 0 0\n1 1,0 1\n", "t.cube:3:3: \"1,0\" is not a number, expected a decimal number"),
        ("LUT_1D_SIZE 2\n0 0\n", "t.cube:2:4: table line has 2 values, expected 3 (R G B)"),
        ("LUT_1D_SIZE 2\n0 0 0 0\n", "t.cube:2:7: table line has more than 3 values, expected 3 (R G B)"),
        ("LUT_1D_SIZE 2\n0 0 0\n1 1 1\n1 1 1\n", "t.cube:4:1: extra table line (entry 3), expected 2 entries for LUT_1D_SIZE 2"),
        ("LUT_3D_SIZE 2\n0 0 0\n1 1 1\n", "t.cube:4:1: file ends after 2 table entries, expected 8 entries for LUT_3D_SIZE 2"),
        ("LUT_1D_SIZE 2\nLUT_3D_SIZE 2\n0 0 0\r\n", "t.cube:4:1: file ends after 1 table entries, expected 10 entries for LUT_1D_SIZE 2 and LUT_3D_SIZE 2"),
        ("LUT_1D_SIZE 2\n0 0 0\nDOMAIN_MIN 0 0 0\n", "t.cube:3:1: keyword \"DOMAIN_MIN\" after the table data, expected numbers (keywords go before the table)"),
        ("LUT_3D_SIZE 2\nLUT_1D_INPUT_RANGE 0 1\n", "t.cube:2:1: LUT_1D_INPUT_RANGE without LUT_1D_SIZE, expected LUT_1D_SIZE for the table it describes"),
        ("LUT_3D_SIZE 2\nDOMAIN_MIN 0 0 0\nLUT_3D_INPUT_RANGE 0 1\n", "t.cube:3:1: both DOMAIN_MIN/MAX and LUT_3D_INPUT_RANGE, expected one of them"),
        ("LUT_3D_SIZE 2\nLUT_3D_INPUT_RANGE 1 1\n", "t.cube:2:1: input range 1 1 is reversed or empty, expected min < max"),
    ];
    for (src, want) in cases {
        assert_eq!(&err(src), want, "input {src:?}");
    }
}

#[test]
fn declared_huge_size_does_not_allocate_it() {
    // 256³ entries declared, a few bytes given: reading fails fast with a truncation error.
    assert_eq!(
        err("LUT_3D_SIZE 256\n0 0 0\n"),
        "t.cube:3:1: file ends after 1 table entries, expected 16777216 entries for LUT_3D_SIZE 256"
    );
}

#[test]
fn writes_fixed_decimals_and_adobe_header() {
    let lut = read_str(&cube2()).unwrap();
    let text = write(
        &lut,
        &WriteOptions {
            precision: Precision::Fixed(6),
        },
    )
    .unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("TITLE \"two by two\"\nLUT_3D_SIZE 2\n0.000000 0.500000 0.250000\n1.000000 0.500000 0.250000\n"), "{text}");
    assert_eq!(read_str(&text).unwrap(), lut);
}

#[test]
fn writes_resolve_layout_for_shaper_and_rejects_uneven_range() {
    let shaper = Lut1d::identity(4, Domain::new([-0.25; 3], [2.0; 3]).unwrap()).unwrap();
    let cube = Lut3d::identity(3).unwrap();
    let mut file = LutFile {
        title: Some("t".into()),
        ..LutFile::from_3d(cube)
    };
    file.lut1d = Some(shaper);
    let text = String::from_utf8(write(&file, &WriteOptions::default()).unwrap()).unwrap();
    assert!(
        text.starts_with(
            "# t\nLUT_1D_SIZE 4\nLUT_1D_INPUT_RANGE -0.25 2\nLUT_3D_SIZE 3\n-0.25 -0.25 -0.25\n"
        ),
        "{text}"
    );
    let back = read_str(&text).unwrap();
    assert_eq!(back.lut1d, file.lut1d);
    assert_eq!(back.lut3d, file.lut3d);
    file.lut1d = Some(Lut1d::identity(4, Domain::new([0.0, 0.0, 0.1], [1.0; 3]).unwrap()).unwrap());
    assert!(matches!(
        write(&file, &WriteOptions::default()),
        Err(FormatError::Unsupported { .. })
    ));
}

fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        -4.0f32..4.0,
        -1e6f32..1e6,
        Just(0.0),
        Just(-0.0),
        1e-30f32..1e-20
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn roundtrip_3d_is_exact(size in 2usize..6, seed in proptest::collection::vec(value(), 3)) {
        let data: Vec<[f32; 3]> = (0..size * size * size)
            .map(|i| [seed[0] * i as f32, seed[1] - i as f32 * 0.37, seed[2] / (1.0 + i as f32)])
            .collect();
        let domain = Domain::new([-0.5, 0.0, -2.0], [1.0, 3.0, 0.5]).unwrap();
        let file = LutFile::from_3d(Lut3d::new(size, data, domain).unwrap());
        let text = write(&file, &WriteOptions::default()).unwrap();
        prop_assert_eq!(read(&text, "p.cube").unwrap(), file);
    }

    #[test]
    fn roundtrip_shaper_and_3d_is_exact(n1 in 2usize..40, values in proptest::collection::vec(value(), 27 * 3)) {
        let shaper = Lut1d::from_fn(n1, Domain::new([-1.0; 3], [4.0; 3]).unwrap(), |c, x| x * x + c as f64).unwrap();
        let cube: Vec<[f32; 3]> = values.chunks(3).map(|v| [v[0], v[1], v[2]]).collect();
        let mut file = LutFile::from_3d(Lut3d::new(3, cube, Domain::UNIT).unwrap());
        file.lut1d = Some(shaper);
        file.comments = vec!["a comment".into()];
        let text = write(&file, &WriteOptions::default()).unwrap();
        prop_assert_eq!(read(&text, "p.cube").unwrap(), file);
    }
}
