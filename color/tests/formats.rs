//! Interop evidence for `color/src/formats`: files made by OpenColorIO's Baker and by
//! colour-science read and apply as their makers apply them, and files lookwire writes
//! apply in OpenColorIO as lookwire applies them. The reference values come from
//! `fixtures/gen_fixtures.py` and are committed; these tests never call Python.

use lookwire_color::formats::cdl_xml::{self, CdlDocument, CdlFileKind, ColorCorrection};
use lookwire_color::formats::{clf, LutFile, LutFormat, Precision};
use lookwire_color::Lut3d;
use lookwire_color::{Cdl, CdlStyle};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join(name)).expect("reference data is committed");
    serde_json::from_str(&text).expect("reference data is JSON")
}

fn triples(v: &Value) -> Vec<[f32; 3]> {
    v.as_array()
        .expect("array of triples")
        .iter()
        .map(|t| {
            let t = t.as_array().expect("triple");
            [0, 1, 2].map(|c| t[c].as_f64().expect("number") as f32)
        })
        .collect()
}

fn read(rel: &str, format: LutFormat) -> LutFile {
    let path = fixtures().join(rel);
    let bytes = std::fs::read(&path).expect("fixture exists");
    format
        .read(&bytes, rel)
        .unwrap_or_else(|e| panic!("lookwire cannot read {rel}: {e}"))
}

/// Compares lookwire's result at every probe with the reference; returns the failures.
fn compare(
    name: &str,
    lut: &LutFile,
    probes: &[[f32; 3]],
    expected: &[[f32; 3]],
    tol: f32,
) -> Vec<String> {
    let mut bad = Vec::new();
    for (p, want) in probes.iter().zip(expected) {
        let got = lut.apply(*p);
        if (0..3).any(|c| (got[c] - want[c]).abs() > tol) {
            bad.push(format!(
                "{name}: probe {p:?}: lookwire {got:?}, reference {want:?}"
            ));
        }
    }
    bad
}

#[test]
fn files_from_opencolorio_and_colour_science_apply_like_their_makers() {
    let doc = json("expected.json");
    let probes = triples(&doc["probes"]);
    let mut failures = Vec::new();
    let mut checked = 0;
    for f in doc["fixtures"].as_array().expect("fixtures") {
        let file = f["file"].as_str().expect("file");
        let format =
            LutFormat::from_name(f["format"].as_str().expect("format")).expect("known format");
        let lut = read(file, format);
        let tol = f["tolerance"].as_f64().expect("tolerance") as f32;
        failures.extend(compare(file, &lut, &probes, &triples(&f["expected"]), tol));
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn hand_written_clf_nodes_apply_like_opencolorio() {
    let doc = json("expected.json");
    let probes = triples(&doc["probes"]);
    let mut failures = Vec::new();
    let lists = doc["process_lists"].as_array().expect("process lists");
    for f in lists {
        let file = f["file"].as_str().expect("file");
        let bytes = std::fs::read(fixtures().join(file)).expect("fixture exists");
        let list = clf::read(&bytes, file).unwrap_or_else(|e| panic!("{e}"));
        let tol = f["tolerance"].as_f64().expect("tolerance") as f32;
        for (p, want) in probes.iter().zip(triples(&f["expected"])) {
            let got = list.apply(*p);
            // Relative for large values (log/antilog curves reach 1e2).
            if (0..3).any(|c| (got[c] - want[c]).abs() > tol * want[c].abs().max(1.0)) {
                failures.push(format!(
                    "{file}: probe {p:?}: lookwire {got:?}, OpenColorIO {want:?}"
                ));
            }
        }
    }
    assert!(lists.len() >= 10, "only {} process lists", lists.len());
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// What lookwire writes for OpenColorIO to read: (source fixture, target format, precision).
fn written_files() -> Vec<(&'static str, LutFormat, Precision, String)> {
    let fixed = Precision::Fixed(6);
    let round = Precision::RoundTrip;
    let plan: &[(&str, LutFormat, Precision, &str)] = &[
        ("ocio/iridas_9.cube", LutFormat::Cube, round, "look_9.cube"),
        (
            "ocio/iridas_9.cube",
            LutFormat::Cube,
            fixed,
            "look_9_fixed6.cube",
        ),
        (
            "ocio/iridas_9.cube",
            LutFormat::Spi3d,
            round,
            "look_9.spi3d",
        ),
        ("ocio/iridas_9.cube", LutFormat::Csp, round, "look_9.csp"),
        (
            "ocio/iridas_9.cube",
            LutFormat::Flame,
            round,
            "look_9_flame.3dl",
        ),
        (
            "ocio/iridas_9.cube",
            LutFormat::Lustre,
            round,
            "look_9_lustre.3dl",
        ),
        (
            "ocio/resolve_shaper_9.cube",
            LutFormat::Cube,
            round,
            "resolve_shaper_9.cube",
        ),
        (
            "ocio/curve_64.spi1d",
            LutFormat::Spi1d,
            round,
            "curve_64.spi1d",
        ),
        (
            "ocio/curve_64.spi1d",
            LutFormat::Cube,
            fixed,
            "curve_64.cube",
        ),
        ("ocio/curve_64.spi1d", LutFormat::Csp, round, "curve_64.csp"),
        (
            "ocio/cinespace_shaper_9.csp",
            LutFormat::Cube,
            round,
            "cinespace_shaper_9.cube",
        ),
        (
            "colour/look_7.cube",
            LutFormat::Cube,
            round,
            "colour_look_7.cube",
        ),
        ("ocio/iridas_9.cube", LutFormat::Clf, round, "look_9.clf"),
        (
            "ocio/resolve_shaper_9.cube",
            LutFormat::Clf,
            round,
            "resolve_shaper_9.clf",
        ),
        ("ocio/curve_64.spi1d", LutFormat::Clf, round, "curve_64.clf"),
        (
            "ocio/cinespace_9.csp",
            LutFormat::Csp,
            fixed,
            "cinespace_9.csp",
        ),
    ];
    plan.iter()
        .map(|&(src, format, precision, name)| (src, format, precision, name.to_owned()))
        .collect()
}

fn source_format(src: &str) -> LutFormat {
    LutFormat::from_path(Path::new(src)).expect("fixture extension")
}

/// Writes the files (with LOOKWIRE_BLESS=1, for gen_fixtures.py) or checks they are current.
#[test]
fn bless_or_check_files_written_for_opencolorio() {
    let bless = std::env::var_os("LOOKWIRE_BLESS").is_some();
    let dir = fixtures().join("written");
    let mut stale = Vec::new();
    for (src, format, precision, name) in written_files() {
        let lut = read(src, source_format(src));
        let bytes = format
            .write(&lut, precision)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let path = dir.join(&name);
        if bless {
            std::fs::create_dir_all(&dir).expect("written/ folder");
            std::fs::write(&path, &bytes).expect("write fixture");
        } else if std::fs::read(&path).ok().as_deref() != Some(&bytes[..]) {
            stale.push(name);
        }
    }
    let cdl = cdl_xml::write(&grades()).expect("grades write");
    if bless {
        std::fs::write(dir.join("grades.ccc"), &cdl).expect("write fixture");
    } else if std::fs::read(dir.join("grades.ccc")).ok().as_deref() != Some(&cdl[..]) {
        stale.push("grades.ccc".to_owned());
    }
    assert!(
        stale.is_empty(),
        "stale files in fixtures/written (run gen_fixtures.py): {stale:?}"
    );
}

#[test]
fn opencolorio_applies_lookwire_files_as_lookwire_applies_their_source() {
    let doc = json("written_expected.json");
    let probes = triples(&doc["probes"]);
    let plan = written_files();
    let mut failures = Vec::new();
    let luts = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|e| e.get("cccid").is_none());
    let mut count = 0;
    for entry in luts {
        count += 1;
        let file = entry["file"].as_str().expect("file");
        let name = file.trim_start_matches("written/");
        let (src, format, ..) = plan
            .iter()
            .find(|p| p.3 == name)
            .unwrap_or_else(|| panic!("{file} not in the plan"));
        let mut source = read(src, source_format(src));
        // Integer formats hold 0..1 in 12-bit codes: compare with the clamped table,
        // within one code value; float formats within 1e-5.
        let tol = match format {
            LutFormat::Flame | LutFormat::Lustre => {
                source.lut3d = source.lut3d.map(|l| {
                    let data = l
                        .data()
                        .iter()
                        .map(|v| v.map(|x| x.clamp(0.0, 1.0)))
                        .collect();
                    Lut3d::new(l.size(), data, l.domain()).expect("same shape")
                });
                1.0 / 4095.0
            }
            _ => 1e-5,
        };
        failures.extend(compare(
            file,
            &source,
            &probes,
            &triples(&entry["expected"]),
            tol,
        ));
    }
    assert_eq!(
        count,
        plan.len(),
        "every written file has OpenColorIO values"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The corrections lookwire writes as `written/grades.ccc` for OpenColorIO to apply.
fn grades() -> CdlDocument {
    let warm =
        Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.02, 0.0, -0.015, 1.0, 1.05, 0.95], 1.2).expect("valid");
    let cool = Cdl::from_sop_sat([0.92, 1.0, 1.08, -0.01, 0.005, 0.03, 1.1, 1.0, 0.9], 0.85)
        .expect("valid");
    let mut a = ColorCorrection::new("sh010_warm", warm);
    a.notes.description.push("warm key".to_owned());
    let b = ColorCorrection::new("sh020_cool", cool);
    CdlDocument::from_corrections(CdlFileKind::Ccc, vec![a, b])
}

#[test]
fn opencolorio_applies_lookwire_ccc_like_lookwire() {
    let doc = json("written_expected.json");
    let probes = triples(&doc["probes"]);
    let grades = grades();
    let mut checked = 0;
    for entry in doc["files"].as_array().expect("files") {
        let Some(id) = entry.get("cccid").and_then(Value::as_str) else {
            continue;
        };
        let cdl = grades
            .find(id)
            .unwrap_or_else(|| panic!("{id} not written"))
            .cdl;
        for (p, want) in probes.iter().zip(triples(&entry["expected"])) {
            // OpenColorIO's FileTransform applies a .ccc in its default no-clamp style.
            let got = cdl.apply(p.map(f64::from), CdlStyle::NoClamp);
            for c in 0..3 {
                assert!(
                    (got[c] as f32 - want[c]).abs() <= 1e-5,
                    "{id} {p:?}: {got:?} vs {want:?}"
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 2, "both corrections have OpenColorIO values");
}

#[test]
fn file_extensions_name_their_format_and_unknown_ones_list_the_known() {
    for (name, format) in [
        ("a.CUBE", LutFormat::Cube),
        ("a.3dl", LutFormat::Flame),
        ("a.ctf", LutFormat::Clf),
        ("a.clf", LutFormat::Clf),
        ("dir.v2/a.spi3d", LutFormat::Spi3d),
    ] {
        assert_eq!(
            LutFormat::from_path(Path::new(name)).ok(),
            Some(format),
            "{name}"
        );
    }
    let message = LutFormat::from_path(Path::new("looks/x.foo"))
        .expect_err("foo is no LUT format")
        .to_string();
    assert_eq!(
        message,
        "looks/x.foo: unknown LUT file extension \"foo\", \
         expected one of cube, 3dl, spi1d, spi3d, csp, clf, ctf"
    );
    let message = LutFormat::from_path(Path::new("looks/show_lut"))
        .expect_err("no extension")
        .to_string();
    assert!(
        message.starts_with("looks/show_lut: the file name has no extension, expected one of cube"),
        "{message}"
    );
}
