use super::*;

fn err(src: &str) -> String {
    read(src.as_bytes(), "t.csp").unwrap_err().to_string()
}

fn cube2(prelut: &str) -> String {
    let mut s = format!(
        "CSPLUTV100\n3D\n\nBEGIN METADATA\nmade by hand\nEND METADATA\n\n{prelut}\n2 2 2\n"
    );
    for b in 0..2 {
        for g in 0..2 {
            for r in 0..2 {
                s += &format!("{r} {g}.5 {b}\n");
            }
        }
    }
    s
}

const UNIT: &str = "2\n0 1\n0 1\n2\n0 1\n0 1\n2\n0 1\n0 1\n";

#[test]
fn reads_3d_red_fastest_with_metadata() {
    let lut = read(cube2(UNIT).as_bytes(), "a").unwrap();
    assert_eq!(lut.comments, vec!["made by hand"]);
    assert!(lut.lut1d.is_none());
    let l3 = lut.lut3d.unwrap();
    assert_eq!(l3.data()[1], [1.0, 0.5, 0.0]);
    assert!(l3.domain().is_unit());
}

#[test]
fn two_point_prelut_is_a_domain() {
    let lut = read(cube2("2\n-0.5 2\n0 1\n2\n0 1\n0 1\n0\n").as_bytes(), "a").unwrap();
    assert!(lut.lut1d.is_none());
    let d = lut.lut3d.unwrap().domain();
    assert_eq!((d.min, d.max), ([-0.5, 0.0, 0.0], [2.0, 1.0, 1.0]));
}

#[test]
fn curved_prelut_is_resampled_spline() {
    let pre = "3\n0 0.5 1\n0 0.25 1\n3\n0 0.5 1\n0 0.25 1\n3\n0 0.5 1\n0 0.25 1\n";
    let lut = read(cube2(pre).as_bytes(), "a").unwrap();
    let shaper = lut.lut1d.unwrap();
    assert_eq!(shaper.size(), PRELUT_SAMPLES);
    // The spline passes through its points.
    let mid = shaper.lookup([0.5; 3]);
    assert!((mid[0] - 0.25).abs() < 1e-6, "{mid:?}");
    assert_eq!(shaper.lookup([1.0; 3]), [1.0; 3]);
}

#[test]
fn errors_are_located() {
    let cases = [
        (
            "CSPLUT\n".to_owned(),
            "t.csp:1:1: first line is not CSPLUTV100, expected CSPLUTV100",
        ),
        (
            "CSPLUTV100\n2D\n".to_owned(),
            "t.csp:2:1: table type \"2D\", expected 1D or 3D",
        ),
        (
            "CSPLUTV100\n3D\nBEGIN METADATA\nx\n".to_owned(),
            "t.csp:5:1: file ends early, expected END METADATA",
        ),
        (
            "CSPLUTV100\n3D\n3\n0 1\n".to_owned(),
            "t.csp:4:4: red pre-LUT input line has 2 values, expected 3",
        ),
        (
            "CSPLUTV100\n3D\n2\n1 0\n0 1\n".to_owned(),
            "t.csp:4:1: red pre-LUT input 0 is not above 1, expected increasing inputs",
        ),
        (
            "CSPLUTV100\n3D\n99999\n".to_owned(),
            "t.csp:3:1: red pre-LUT of 99999 points, expected at most 65536",
        ),
        (
            cube2(UNIT).replace("2 2 2\n", "2 2 3\n"),
            "t.csp:18:1: cube sizes 2 2 3 differ, expected equal sizes N N N",
        ),
        (
            cube2(UNIT).replace("2 2 2\n", "300 300 300\n"),
            "t.csp:18:1: cube size 300 is out of range, expected 2 to 256",
        ),
        (
            cube2(UNIT).replace("1 1.5 1\n", ""),
            "t.csp:26:1: file ends early, expected 8 table lines (found 7)",
        ),
        (
            cube2(UNIT).replace("1 1.5 1\n", "1 1.5 nan\n"),
            "t.csp:26:7: \"nan\" is not finite, expected a finite number",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(err(&src), want, "{src:?}");
    }
}

#[test]
fn writes_domain_as_two_point_prelut_and_reads_back_exactly() {
    let domain = Domain::new([-0.25, 0.0, 0.0], [1.5, 1.0, 2.0]).unwrap();
    let data: Vec<[f32; 3]> = (0..27)
        .map(|i| [i as f32 * 0.1, 1.0 - i as f32 * 0.01, 0.3])
        .collect();
    let lut = LutFile::from_3d(Lut3d::new(3, data, domain).unwrap());
    let back = read(&write(&lut, Precision::RoundTrip).unwrap(), "w").unwrap();
    assert_eq!(back.lut3d, lut.lut3d);
    let one = LutFile::from_1d(Lut1d::identity(16, domain).unwrap());
    assert_eq!(
        read(&write(&one, Precision::RoundTrip).unwrap(), "w")
            .unwrap()
            .lut1d,
        one.lut1d
    );
}

proptest::proptest! {
    #[test]
    fn roundtrip_3d_is_exact(values in proptest::collection::vec(-2.0f32..2.0, 24)) {
        let data: Vec<[f32; 3]> = values.chunks_exact(3).map(|v| [v[0], v[1], v[2]]).collect();
        let lut = LutFile::from_3d(Lut3d::new(2, data, Domain::UNIT).unwrap());
        let text = write(&lut, Precision::RoundTrip).unwrap();
        proptest::prop_assert_eq!(read(&text, "p").unwrap(), lut);
    }
}
