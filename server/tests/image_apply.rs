//! Image files round-trip, refuse what they cannot hold, and `lookwire apply` /
//! `lookwire bench` (and `bench --live`) work end to end.

use half::f16;
use lookwire_color::formats::{write_lut, LutFile, Precision};
use lookwire_color::{Interpolation, Lut3d};
use lookwire_server::image::{self, read_dpx, write_dpx, Endian, Image, Samples};
use std::path::Path;
use std::process::Command;

fn ramp(n: usize, f: impl Fn(usize) -> f64) -> Vec<f64> {
    (0..n).map(f).collect()
}

fn images() -> Vec<(&'static str, Image)> {
    let (w, h) = (7, 5);
    let img = |channels: usize, bits: u8, samples: Samples| Image {
        width: w,
        height: h,
        channels,
        bits,
        samples,
    };
    let unit = |c: usize| ramp(w * h * c, |i| (i * 37 % 101) as f64 / 100.0);
    vec![
        (
            "half.exr",
            img(
                4,
                0,
                Samples::F16(unit(4).iter().map(|&x| f16::from_f64(x)).collect()),
            ),
        ),
        (
            "float.exr",
            img(
                3,
                0,
                Samples::F32(unit(3).iter().map(|&x| x as f32 * 4.0 - 1.0).collect()),
            ),
        ),
        (
            "u8.tif",
            img(
                3,
                8,
                Samples::U8(unit(3).iter().map(|&x| (x * 255.0) as u8).collect()),
            ),
        ),
        (
            "u16a.tif",
            img(
                4,
                16,
                Samples::U16(unit(4).iter().map(|&x| (x * 65535.0) as u16).collect()),
            ),
        ),
        (
            "f32.tiff",
            img(
                3,
                0,
                Samples::F32(unit(3).iter().map(|&x| x as f32).collect()),
            ),
        ),
        (
            "u8a.png",
            img(
                4,
                8,
                Samples::U8(unit(4).iter().map(|&x| (x * 255.0) as u8).collect()),
            ),
        ),
        (
            "u16.png",
            img(
                3,
                16,
                Samples::U16(unit(3).iter().map(|&x| (x * 65535.0) as u16).collect()),
            ),
        ),
        (
            "ten.dpx",
            img(
                3,
                10,
                Samples::U16(unit(3).iter().map(|&x| (x * 1023.0) as u16).collect()),
            ),
        ),
    ]
}

#[test]
fn every_format_round_trips_its_samples() {
    let dir = tempfile::tempdir().unwrap();
    for (name, img) in images() {
        let path = dir.path().join(name);
        image::write(&path, &img).unwrap();
        assert_eq!(image::read(&path).unwrap(), img, "{name}");
    }
}

#[test]
fn little_endian_dpx_reads_like_big_endian() {
    let dir = tempfile::tempdir().unwrap();
    let (_, img) = images().pop().unwrap();
    let path = dir.path().join("le.dpx");
    write_dpx(&path, &img, Endian::Little).unwrap();
    assert_eq!(&std::fs::read(&path).unwrap()[..4], b"XPDS");
    assert_eq!(read_dpx(&path).unwrap(), img);
}

#[test]
fn formats_refuse_samples_they_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let all = images();
    let float = &all[1].1;
    let err = image::write(&dir.path().join("x.png"), float)
        .unwrap_err()
        .to_string();
    assert!(err.ends_with("unsupported PNG variant: cannot store 32-bit float samples (3 channels); PNG holds 8- and 16-bit integers: write .exr or .tif"), "{err}");
    let err = image::write(&dir.path().join("x.dpx"), &all[3].1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("DPX holds 10-bit RGB only"), "{err}");
    let err = image::write(&dir.path().join("x.exr"), &all[2].1)
        .unwrap_err()
        .to_string();
    assert!(err.contains("EXR holds half and float"), "{err}");
    let err = image::read(&dir.path().join("x.jpg"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown image extension"), "{err}");
    let err = image::read(&dir.path().join("missing.png"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing.png"), "{err}");
}

#[test]
fn grey_png_and_tiff_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let png_path = dir.path().join("grey.png");
    let file = std::fs::File::create(&png_path).unwrap();
    let mut enc = png::Encoder::new(file, 2, 2);
    enc.set_color(png::ColorType::Grayscale);
    enc.write_header()
        .unwrap()
        .write_image_data(&[0, 64, 128, 255])
        .unwrap();
    let err = image::read(&png_path).unwrap_err().to_string();
    assert!(
        err.contains("unsupported PNG variant: Grayscale color"),
        "{err}"
    );
    let tif_path = dir.path().join("grey.tif");
    let file = std::fs::File::create(&tif_path).unwrap();
    tiff::encoder::TiffEncoder::new(file)
        .unwrap()
        .write_image::<tiff::encoder::colortype::Gray8>(2, 2, &[0, 1, 2, 3])
        .unwrap();
    let err = image::read(&tif_path).unwrap_err().to_string();
    assert!(
        err.contains("unsupported TIFF variant: Gray(8) color"),
        "{err}"
    );
    std::fs::write(dir.path().join("junk.exr"), b"not an exr").unwrap();
    let err = image::read(&dir.path().join("junk.exr"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("junk.exr"), "{err}");
}

fn look_lut() -> Lut3d {
    Lut3d::from_fn(17, |[r, g, b]| [1.0 - r, g * g, 0.25 + 0.5 * b]).unwrap()
}

fn lookwire(args: &[&Path]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn apply_renders_each_format_through_the_lut() {
    let dir = tempfile::tempdir().unwrap();
    let cube = dir.path().join("look.cube");
    write_lut(&cube, &LutFile::from_3d(look_lut()), Precision::default()).unwrap();
    for (name, img) in images() {
        let input = dir.path().join(format!("in-{name}"));
        let output = dir.path().join(format!("out-{name}"));
        image::write(&input, &img).unwrap();
        let out = lookwire(&[
            Path::new("apply"),
            Path::new("--lut"),
            &cube,
            &input,
            &output,
        ]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got = image::read(&output).unwrap();
        assert_eq!(
            (got.width, got.height, got.channels, got.bits),
            (img.width, img.height, img.channels, img.bits)
        );
        check_pixels(name, &img, &got);
    }
}

/// Every output pixel is the LUT applied to the input pixel, within the sample type's step.
fn check_pixels(name: &str, input: &Image, output: &Image) {
    let lut = look_lut();
    let max = ((1u32 << input.bits.max(1)) - 1) as f64;
    let (vals_in, vals_out, step) = match (&input.samples, &output.samples) {
        (Samples::F32(a), Samples::F32(b)) => {
            (to64(a, |x| *x as f64), to64(b, |x| *x as f64), 1e-5)
        }
        (Samples::F16(a), Samples::F16(b)) => {
            (to64(a, |x| x.to_f64()), to64(b, |x| x.to_f64()), 2e-3)
        }
        (Samples::U16(a), Samples::U16(b)) => (
            to64(a, |x| *x as f64 / max),
            to64(b, |x| *x as f64 / max),
            1.01 / max,
        ),
        (Samples::U8(a), Samples::U8(b)) => (
            to64(a, |x| *x as f64 / max),
            to64(b, |x| *x as f64 / max),
            1.01 / max,
        ),
        _ => panic!("{name}: sample type changed"),
    };
    let n = input.channels;
    for (p, (i, o)) in vals_in.chunks(n).zip(vals_out.chunks(n)).enumerate() {
        let want = lut.lookup(
            [i[0] as f32, i[1] as f32, i[2] as f32],
            Interpolation::Tetrahedral,
        );
        for c in 0..3 {
            assert!(
                (o[c] - want[c] as f64).abs() <= step,
                "{name} pixel {p} ch {c}: {} want {}",
                o[c],
                want[c]
            );
        }
        if n == 4 {
            assert_eq!(o[3], i[3], "{name}: alpha");
        }
    }
}

fn to64<T>(v: &[T], f: impl Fn(&T) -> f64) -> Vec<f64> {
    v.iter().map(f).collect()
}

#[test]
fn apply_names_a_missing_lut_and_a_bad_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.png");
    image::write(&input, &images()[5].1).unwrap();
    let out = lookwire(&[
        Path::new("apply"),
        Path::new("--lut"),
        &dir.path().join("none.cube"),
        &input,
        &dir.path().join("o.png"),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("none.cube"));
    let cube = dir.path().join("look.cube");
    write_lut(&cube, &LutFile::from_3d(look_lut()), Precision::default()).unwrap();
    let out = lookwire(&[
        Path::new("apply"),
        Path::new("--lut"),
        &cube,
        &input,
        &dir.path().join("o.exr"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("EXR holds half and float"),
        "{err}"
    );
    // A missing input is named, with its cause said once.
    let missing = dir.path().join("missing.exr");
    let out = lookwire(&[
        Path::new("apply"),
        Path::new("--lut"),
        &cube,
        &missing,
        &input,
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("missing.exr"),
        "{err}"
    );
    assert_eq!(err.matches("(os error 2)").count(), 1, "{err}");
}

#[test]
fn bench_json_lists_every_workload_level_and_thread_count() {
    let out = Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args([
            "bench", "--json", "--width", "32", "--height", "4", "--runs", "1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let levels = lookwire_color::kernel::CpuLevel::available();
    let threads = if std::thread::available_parallelism().unwrap().get() > 1 {
        2
    } else {
        1
    };
    assert_eq!(lines.len(), 5 * levels.len() * threads);
    for id in [
        "tetra33-f32",
        "tetra65-f32",
        "cdl-tetra33-f32",
        "tetra33-u16",
        "tetra33-u8-rgba",
    ] {
        for level in &levels {
            let hit = lines
                .iter()
                .find(|l| l["workload"] == id && l["level"] == level.as_str() && l["threads"] == 1);
            let hit = hit.unwrap_or_else(|| panic!("{id} {level} missing"));
            assert!(hit["mpx_per_s"].as_f64().unwrap() > 0.0);
            assert_eq!(hit.as_object().unwrap().len(), 4);
        }
    }
}

fn bench_live(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(["bench", "--live"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bench_live_json_has_one_line_per_level() {
    let out = bench_live(&["--output", "aces2-sdr-rec709", "--bakes", "3", "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let levels = lookwire_color::kernel::CpuLevel::available();
    assert_eq!(lines.len(), levels.len(), "{lines:?}");
    for (line, level) in lines.iter().zip(&levels) {
        let mut keys: Vec<&str> = line
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        let mut expected = [
            "bake",
            "output",
            "level",
            "threads",
            "best_ms",
            "median_ms",
            "f64_nodes",
        ];
        expected.sort_unstable();
        assert_eq!(keys, expected, "{line}");
        assert_eq!(line["bake"], "live-33");
        assert_eq!(line["output"], "aces2-sdr-rec709");
        assert_eq!(line["level"], level.as_str());
        assert_eq!(line["threads"], 1);
        let best = line["best_ms"].as_f64().unwrap();
        let median = line["median_ms"].as_f64().unwrap();
        assert!(0.0 < best && best <= median, "{line}");
        assert!(line["f64_nodes"].is_u64(), "{line}");
    }
}

#[test]
fn bench_live_refuses_an_unknown_output_and_zero_bakes() {
    let out = bench_live(&["--output", "aces2-sdr-rec7090", "--bakes", "3"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("\"aces2-sdr-rec7090\"") && err.contains("lookwire spaces"),
        "{err}"
    );
    assert!(
        out.stdout.is_empty(),
        "nothing is measured before the check"
    );
    let out = bench_live(&["--output", "aces2-sdr-rec709", "--bakes", "0"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("--bakes"), "{err}");
}
