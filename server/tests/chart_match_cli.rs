//! `lookwire chart` and `lookwire match` end to end: files in each format, the JSON
//! document, the .cc file, and errors that name the fault; and a listing whose reader
//! closes early.

use lookwire_color::formats::read_cdl;
use lookwire_server::image::{self, Samples};
use std::path::Path;
use std::process::{Command, Output};

fn lookwire(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn chart_writes_each_format_at_its_depth() {
    let dir = tempfile::tempdir().unwrap();
    for (file, bits, kind) in [
        ("c.exr", 0, "16-bit half float"),
        ("c.dpx", 10, "16-bit integer"),
        ("c.tif", 16, "16-bit integer"),
    ] {
        ok(&lookwire(
            &[
                "chart",
                "--input",
                "sony-slog3-sgamut3",
                "--size",
                "hd",
                "--ideal",
                "-o",
                file,
            ],
            dir.path(),
        ));
        let img = image::read(&dir.path().join(file)).unwrap();
        assert_eq!(
            (
                img.width,
                img.height,
                img.channels,
                img.bits,
                img.samples.kind()
            ),
            (1920, 1080, 3, bits, kind),
            "{file}"
        );
        // The 18 % grey card (centre of its rectangle at HD: 1645, 250) at S-Log3's 0.410557.
        let i = (250 * 1920 + 1645) * 3;
        let v = match &img.samples {
            Samples::F16(s) => s[i].to_f32() as f64,
            Samples::U16(s) => f64::from(s[i]) / f64::from((1u32 << bits) - 1),
            other => panic!("{file}: {}", other.kind()),
        };
        assert!((v - 0.410557).abs() < 1.5e-3, "{file}: grey card {v}");
    }
    ok(&lookwire(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--size",
            "hd",
            "--float",
            "--exposure",
            "-1",
            "-o",
            "f.exr",
        ],
        dir.path(),
    ));
    let img = image::read(&dir.path().join("f.exr")).unwrap();
    assert_eq!(
        (img.width, img.height, img.samples.kind()),
        (1920, 1080, "32-bit float")
    );
}

#[test]
fn match_prints_one_json_document_and_writes_the_cc() {
    let dir = tempfile::tempdir().unwrap();
    ok(&lookwire(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--size",
            "hd",
            "-o",
            "ref.exr",
        ],
        dir.path(),
    ));
    ok(&lookwire(
        &[
            "chart",
            "--input",
            "red-log3g10-rwg",
            "--size",
            "hd",
            "--noise",
            "0.002",
            "-o",
            "cam.dpx",
        ],
        dir.path(),
    ));
    let args = [
        "match",
        "--reference-input",
        "arri-logc3-awg3",
        "--reference",
        "ref.exr",
        "--input",
        "red-log3g10-rwg",
        "--frame",
        "cam.dpx",
        "--working",
        "camera",
        "--chart",
        "builtin",
        "-o",
        "MATCH.cc",
        "--json",
    ];
    let stdout = ok(&lookwire(&args, dir.path()));
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let keys =
        |v: &serde_json::Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    assert_eq!(keys(&doc), ["after", "before", "cdl"]);
    assert_eq!(keys(&doc["before"]), ["max", "mean", "patches"]);
    assert_eq!(keys(&doc["after"]), ["max", "mean", "patches"]);
    assert_eq!(keys(&doc["cdl"]), ["offset", "power", "sat", "slope"]);
    let patch = &doc["after"]["patches"][0];
    assert!(
        patch["id"].is_string() && patch["delta_e"].is_f64(),
        "{patch}"
    );
    let (before, after) = (
        doc["before"]["mean"].as_f64().unwrap(),
        doc["after"]["mean"].as_f64().unwrap(),
    );
    assert!(after <= 0.5 * before, "{before} → {after}");
    assert_eq!(doc["after"]["patches"].as_array().unwrap().len(), 50);
    assert!(doc["before"]["max"].as_f64().unwrap() >= before);
    let file = read_cdl(&dir.path().join("MATCH.cc")).unwrap();
    let cc = file.corrections().next().unwrap();
    for (i, key) in ["slope", "offset", "power"].iter().enumerate() {
        let group = [cc.cdl.slope, cc.cdl.offset, cc.cdl.power][i];
        for c in 0..3 {
            let want = doc["cdl"][key][c].as_f64().unwrap();
            assert!((group[c] - want).abs() < 1e-9, "{key}[{c}]");
        }
    }
    assert!((cc.cdl.sat - doc["cdl"]["sat"].as_f64().unwrap()).abs() < 1e-9);
}

#[test]
fn bad_arguments_fail_with_a_message_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    ok(&lookwire(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--size",
            "hd",
            "-o",
            "ref.exr",
        ],
        dir.path(),
    ));
    let fails = |args: &[&str], needle: &str| {
        let out = lookwire(args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && err.contains(needle),
            "{args:?}: {err}"
        );
    };
    fails(
        &["chart", "--input", "nope", "-o", "x.exr"],
        "unknown space \"nope\"",
    );
    fails(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--white-balance",
            "100",
            "-o",
            "x.exr",
        ],
        "white balance 100 K",
    );
    // Negative numbers reach the range checks (the parser must not take them for flags).
    fails(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--white-balance",
            "-5",
            "-o",
            "x.exr",
        ],
        "white balance -5 K",
    );
    fails(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--noise",
            "-1",
            "-o",
            "x.exr",
        ],
        "noise sigma -1",
    );
    fails(
        &[
            "chart",
            "--input",
            "arri-logc3-awg3",
            "--size",
            "8k",
            "-o",
            "x.exr",
        ],
        "unknown chart size",
    );
    fails(
        &["chart", "--input", "arri-logc3-awg3", "-o", "x.jpg"],
        "unknown image extension",
    );
    let base = [
        "match",
        "--reference-input",
        "arri-logc3-awg3",
        "--reference",
        "ref.exr",
        "--input",
        "arri-logc3-awg3",
        "--frame",
        "ref.exr",
        "-o",
        "m.cc",
    ];
    let with = |extra: &[&'static str]| [&base[..], extra].concat();
    fails(
        &with(&["--working", "log"]),
        "unknown working space \"log\"",
    );
    fails(
        &with(&["--working", "camera", "--corners", "1,2,3"]),
        "expected 8 numbers, found 3",
    );
    fails(
        &with(&["--working", "camera", "--chart", "macbeth"]),
        "macbeth",
    );
    fails(
        &with(&["--working", "camera", "--output", "nope"]),
        "unknown output transform `nope`",
    );
    fails(
        &[
            "match",
            "--reference-input",
            "arri-logc3-awg3",
            "--reference",
            "missing.exr",
            "--input",
            "arri-logc3-awg3",
            "--frame",
            "ref.exr",
            "--working",
            "camera",
            "-o",
            "m.cc",
        ],
        "missing.exr",
    );
}

/// `path`'s picture placed at (`ox`, `oy`) inside a larger dark grey picture, as f32 EXR.
fn embed(dir: &Path, path: &str, out: &str, (ox, oy): (usize, usize)) {
    let img = image::read(&dir.join(path)).unwrap();
    let Samples::F16(src) = &img.samples else {
        panic!("{path}: {}", img.samples.kind())
    };
    let (w, h) = (img.width + 2 * ox, img.height + 2 * oy);
    let mut data = vec![0.05f32; w * h * 3];
    for y in 0..img.height {
        let row = &src[y * img.width * 3..(y + 1) * img.width * 3];
        let at = ((y + oy) * w + ox) * 3;
        for (d, s) in data[at..at + row.len()].iter_mut().zip(row) {
            *d = s.to_f32();
        }
    }
    let big = image::Image {
        width: w,
        height: h,
        channels: 3,
        bits: 0,
        samples: Samples::F32(data),
    };
    image::write(&dir.join(out), &big).unwrap();
}

fn corners_text((ox, oy): (usize, usize)) -> String {
    let (r, b) = (ox + 1920, oy + 1080);
    format!("{ox},{oy},{r},{oy},{r},{b},{ox},{b}")
}

/// The corner flags find each chart inside a larger picture: the match equals the one on
/// the charts alone. `--output` picks the display ΔE is measured on; without `--json` the
/// command prints before and after as text.
#[test]
fn match_corners_output_and_text_summary() {
    let dir = tempfile::tempdir().unwrap();
    for (input, file) in [
        ("arri-logc3-awg3", "ref.exr"),
        ("sony-slog3-sgamut3cine", "cam.exr"),
    ] {
        let args = ["chart", "--input", input, "--size", "hd", "-o", file];
        ok(&lookwire(&args, dir.path()));
    }
    let (ref_at, cam_at) = ((64, 40), (200, 150));
    embed(dir.path(), "ref.exr", "ref-big.exr", ref_at);
    embed(dir.path(), "cam.exr", "cam-big.exr", cam_at);
    let matched = |reference: &str, frame: &str, extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "match",
            "--reference-input",
            "arri-logc3-awg3",
            "--reference",
            reference,
            "--input",
            "sony-slog3-sgamut3cine",
            "--frame",
            frame,
            "--working",
            "acescct",
            "--output",
            "aces2-sdr-p3d65",
            "-o",
            "m.cc",
            "--json",
        ];
        args.extend_from_slice(extra);
        serde_json::from_str(&ok(&lookwire(&args, dir.path()))).unwrap()
    };
    let alone = matched("ref.exr", "cam.exr", &[]);
    let (rc, cc) = (corners_text(ref_at), corners_text(cam_at));
    let inside = matched(
        "ref-big.exr",
        "cam-big.exr",
        &["--reference-corners", &rc, "--corners", &cc],
    );
    for part in ["before", "after"] {
        let (a, b) = (
            alone[part]["mean"].as_f64().unwrap(),
            inside[part]["mean"].as_f64().unwrap(),
        );
        assert!((a - b).abs() < 1e-4, "{part}: {a} vs {b}");
    }
    let uncornered = matched("ref-big.exr", "cam-big.exr", &[]);
    assert!(
        (uncornered["before"]["mean"].as_f64().unwrap()
            - alone["before"]["mean"].as_f64().unwrap())
        .abs()
            > 0.5,
        "without corners the patches are sampled elsewhere"
    );
    let rec709 = ok(&lookwire(
        &[
            "match",
            "--reference-input",
            "arri-logc3-awg3",
            "--reference",
            "ref.exr",
            "--input",
            "sony-slog3-sgamut3cine",
            "--frame",
            "cam.exr",
            "--working",
            "acescct",
            "-o",
            "m709.cc",
        ],
        dir.path(),
    ));
    assert!(
        rec709.contains("ΔE 2000 on aces2-sdr-rec709")
            && rec709.contains("before: mean")
            && rec709.contains("after:  mean"),
        "{rec709}"
    );
    let p3 = alone["before"]["mean"].as_f64().unwrap();
    assert!(
        !rec709.contains(&format!("before: mean {p3:.2},")),
        "P3 and Rec.709 ΔE should differ: {rec709}"
    );
}

#[test]
fn a_listing_ends_quietly_when_its_reader_closes() {
    use std::process::Stdio;
    // As `lookwire spaces --json | head -c 100`: the pipe closes before the listing is
    // written (the reader is gone before the child has started), which is no failure.
    // `convert` prints with println!, which panics on a closed stdout unless caught.
    let dir = tempfile::tempdir().unwrap();
    let cube = dir.path().join("a.cube");
    std::fs::write(
        &cube,
        "LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n0 0 1\n1 0 1\n0 1 1\n1 1 1\n",
    )
    .unwrap();
    let (cube, spi) = (cube.to_str().unwrap(), dir.path().join("a.spi3d"));
    let spi_arg = spi.to_str().unwrap();
    for args in [
        &["spaces", "--json"][..],
        &["spaces"],
        &["convert", cube, spi_arg],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lookwire"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success() && err.is_empty(), "{args:?}: {err}");
    }
    assert!(spi.exists(), "convert wrote its file before printing");
}
