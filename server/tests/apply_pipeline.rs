//! `lookwire apply` takes the look as `lookwire bake` does (one shared set of flags), and
//! renders image files exactly as bake's LUT applied to the same pixels.

use half::f16;
use lookwire_color::formats::read_lut;
use lookwire_color::pipeline::{Look, WorkingSpace};
use lookwire_color::{Cdl, CdlStyle, Interpolation, Lut3d};
use lookwire_server::image::{self, Image, Samples};
use std::ffi::OsString;
use std::process::{Command, Output};

const SOP: &str = "1.1 0.95 0.9 0.02 0 -0.01 1.1 1 0.92";

/// The look flags of one case, as both commands take them.
fn look_flags(output: &str, range: &str) -> Vec<String> {
    [
        "--input",
        "arri-logc3-awg3",
        "--working",
        "acescct",
        "--sop",
        SOP,
        "--sat",
        "1.15",
        "--output",
        output,
        "--range",
        range,
    ]
    .map(String::from)
    .to_vec()
}

fn lookwire(args: &[OsString]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "lookwire {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn os(v: &[String]) -> Vec<OsString> {
    v.iter().map(OsString::from).collect()
}

/// Samples in [-0.1, 1.1] for floats and over the whole code range for integers.
fn test_image(channels: usize, bits: u8, kind: &str) -> Image {
    let (w, h) = (23, 9);
    let n = w * h * channels;
    let unit = (0..n).map(|i| ((i * 7919) % 1013) as f64 / 1012.0);
    let samples = match kind {
        "f32" => Samples::F32(unit.map(|x| (x * 1.2 - 0.1) as f32).collect()),
        "f16" => Samples::F16(unit.map(f16::from_f64).collect()),
        "u16" => {
            let max = ((1u32 << bits) - 1) as f64;
            Samples::U16(unit.map(|x| (x * max).round() as u16).collect())
        }
        _ => Samples::U8(unit.map(|x| (x * 255.0).round() as u8).collect()),
    };
    Image {
        width: w,
        height: h,
        channels,
        bits,
        samples,
    }
}

/// Samples as f64 in [0, 1] code (floats as they are) and one step of the sample type.
fn values(img: &Image) -> (Vec<f64>, f64) {
    let max = ((1u64 << img.bits.max(1)) - 1) as f64;
    match &img.samples {
        Samples::F32(v) => (v.iter().map(|&x| f64::from(x)).collect(), 0.0),
        Samples::F16(v) => (v.iter().map(|x| x.to_f64()).collect(), 0.0),
        Samples::U16(v) => (v.iter().map(|&x| f64::from(x) / max).collect(), 1.0 / max),
        Samples::U8(v) => (v.iter().map(|&x| f64::from(x) / max).collect(), 1.0 / max),
    }
}

/// Every output pixel is `lut` applied to the input pixel: f32 within 1e-6 relative,
/// half within its own rounding, integers within one code value; alpha passes through.
fn assert_lut_applied(name: &str, lut: &Lut3d, input: &Image, output: &Image) {
    assert_eq!(
        (output.width, output.height, output.channels, output.bits),
        (input.width, input.height, input.channels, input.bits),
        "{name}: size, channels and depth kept"
    );
    let (vin, step) = values(input);
    let (vout, _) = values(output);
    let half = matches!(input.samples, Samples::F16(_));
    let n = input.channels;
    for (p, (i, o)) in vin.chunks(n).zip(vout.chunks(n)).enumerate() {
        let want = lut.lookup(
            [i[0], i[1], i[2]].map(|x| x as f32),
            Interpolation::Tetrahedral,
        );
        for c in 0..3 {
            let mut w = f64::from(want[c]);
            if step > 0.0 {
                w = w.clamp(0.0, 1.0); // integer codes saturate
            }
            let tol = if half {
                w.abs() * 1e-3 + 1e-4
            } else if step == 0.0 {
                w.abs().max(1.0) * 1e-6
            } else {
                step * 1.001
            };
            assert!(
                (o[c] - w).abs() <= tol,
                "{name} pixel {p} channel {c}: apply gave {} but bake's LUT {w}",
                o[c]
            );
        }
        if n == 4 {
            assert_eq!(o[3], i[3], "{name} pixel {p}: alpha");
        }
    }
}

#[test]
fn apply_renders_files_as_bakes_lut_applied_to_the_same_pixels() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("float.exr", test_image(3, 0, "f32"), "acescct", "full"),
        (
            "half-rgba.exr",
            test_image(4, 0, "f16"),
            "aces2-sdr-rec709",
            "full",
        ),
        (
            "float.tif",
            test_image(3, 0, "f32"),
            "aces2-hdr-rec2100-pq1000",
            "full",
        ),
        (
            "u16.tif",
            test_image(3, 16, "u16"),
            "aces2-sdr-rec709",
            "full",
        ),
        (
            "u8-rgba.tif",
            test_image(4, 8, "u8"),
            "aces1-sdr-rec709",
            "full",
        ),
        (
            "ten.dpx",
            test_image(3, 10, "u16"),
            "aces2-sdr-rec709",
            "legal",
        ),
    ];
    for (name, img, output, range) in cases {
        let flags = look_flags(output, range);
        let cube = dir.path().join(format!("{name}.cube"));
        let (src, dst) = (
            dir.path().join(name),
            dir.path().join(format!("out-{name}")),
        );
        image::write(&src, &img).unwrap();
        let mut bake = os(&["bake".into(), "--size".into(), "33".into()]);
        bake.extend(os(&flags));
        bake.extend(["-o".into(), cube.clone().into()]);
        lookwire(&bake);
        let mut apply = os(&["apply".into(), "--size".into(), "33".into()]);
        apply.extend(os(&flags));
        apply.extend([src.into(), dst.clone().into()]);
        lookwire(&apply);
        let lut = read_lut(&cube).unwrap().lut3d.unwrap();
        assert_lut_applied(name, &lut, &img, &image::read(&dst).unwrap());
    }
}

#[test]
fn apply_without_size_bakes_at_65_and_follows_the_exact_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let img = test_image(3, 0, "f32");
    let (src, dst) = (dir.path().join("in.exr"), dir.path().join("out.exr"));
    image::write(&src, &img).unwrap();
    let mut apply = os(&["apply".into()]);
    apply.extend(os(&look_flags("acescct", "full")));
    apply.extend([src.into(), dst.clone().into()]);
    lookwire(&apply);
    let got = image::read(&dst).unwrap();
    let sop: Vec<f64> = SOP.split(' ').map(|s| s.parse().unwrap()).collect();
    let cdl = Cdl::from_sop_sat(sop.try_into().unwrap(), 1.15).unwrap();
    let look = Look::from_ids("arri-logc3-awg3", WorkingSpace::AcesCct, "acescct")
        .unwrap()
        .with_cdl(cdl, CdlStyle::Asc);
    let exact = look.pipeline().unwrap();
    let baked = exact.bake(65).unwrap().lut;
    assert_lut_applied("65³ default", &baked, &img, &got);
    // The 65³ lattice stays close to the f64 pipeline inside the lattice's domain.
    let (vin, _) = values(&img);
    let (vout, _) = values(&got);
    let mut errors: Vec<f64> = vin
        .chunks(3)
        .zip(vout.chunks(3))
        .flat_map(|(i, o)| {
            let want = exact.apply([i[0], i[1], i[2]].map(|v| v.clamp(0.0, 1.0)));
            (0..3).map(move |c| (o[c] - want[c]).abs())
        })
        .collect();
    errors.sort_by(f64::total_cmp);
    let (median, worst) = (errors[errors.len() / 2], errors[errors.len() - 1]);
    eprintln!("65³ bake vs exact f64 pipeline: median {median:e}, max {worst:e}");
    assert!(
        median < 1e-4 && worst < 2e-2,
        "median {median:e}, max {worst:e}"
    );
}

#[test]
fn apply_refuses_a_look_given_twice_or_not_at_all_and_names_bad_flags() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.png");
    image::write(&src, &test_image(3, 8, "u8")).unwrap();
    let dst = dir.path().join("out.png");
    let run = |extra: &[&str]| {
        let mut args: Vec<OsString> = vec!["apply".into()];
        args.extend(extra.iter().map(OsString::from));
        args.extend([src.clone().into(), dst.clone().into()]);
        let out = Command::new(env!("CARGO_BIN_EXE_lookwire"))
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{extra:?} must fail");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = run(&["--lut", "x.cube", "--input", "acescct"]);
    assert!(e.contains("'--lut <FILE>' cannot be used with"), "{e}");
    let e = run(&[]);
    assert!(e.contains("--lut <FILE>"), "{e}");
    let e = run(&["--input", "acescct"]);
    assert!(
        e.contains("--working <WORKING>") && e.contains("--output <OUTPUT>"),
        "{e}"
    );
    let e = run(&[
        "--input",
        "logc9",
        "--working",
        "camera",
        "--output",
        "acescct",
    ]);
    assert!(e.contains("--input: unknown space \"logc9\""), "{e}");
    let e = run(&[
        "--input",
        "acescct",
        "--working",
        "camera",
        "--output",
        "acescct",
        "--size",
        "200",
    ]);
    assert!(
        e.contains("--size: bake size 200 is outside 2..=129"),
        "{e}"
    );
    let e = run(&[
        "--input",
        "acescct",
        "--working",
        "camera",
        "--output",
        "acescct",
        "--range",
        "tv",
    ]);
    assert!(e.contains("--range"), "{e}");
    assert!(!dst.exists(), "nothing written on error");
}

#[test]
fn both_commands_take_the_same_look_flags() {
    let help = |cmd: &str| {
        let out = lookwire(&[cmd.into(), "--help".into()]);
        String::from_utf8(out.stdout).unwrap()
    };
    let (bake, apply) = (help("bake"), help("apply"));
    for flag in [
        "--input",
        "--working",
        "--sop",
        "--sat",
        "--cdl-style",
        "--cdl ",
        "--cdl-id",
        "--look-lut",
        "--output",
        "--range",
        "--gamut-compress",
        "--size",
    ] {
        assert!(bake.contains(flag), "bake lacks {flag}");
        assert!(apply.contains(flag), "apply lacks {flag}");
    }
}
