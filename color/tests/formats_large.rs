//! Interop at OpenColorIO's largest 3D size (129³) in every format that holds it, and the
//! CLF half-domain LUT1D.
//!
//! The tables come from formulas and are written by lookwire at test time (129³ files are
//! tens of megabytes, too large to commit). `fixtures/gen_large.py` had OpenColorIO 2.6
//! read the same bytes (checked here by length and FNV-1a hash) and apply them at the
//! probe points recorded in `fixtures/large_expected.json`; these tests read the files
//! back with lookwire and compare at the same points. They never call Python.
//!
//! Regenerate: `python3 color/tests/fixtures/gen_large.py` (it runs
//! `LOOKWIRE_LARGE_DIR=… cargo test -p lookwire-color --test formats_large write`).

use lookwire_color::formats::clf::{self, ClfOp, HalfDomainLut, ProcessList};
use lookwire_color::formats::{LutFile, LutFormat, Precision};
use lookwire_color::Lut3d;
use serde_json::Value;
use std::path::Path;

const SIZE: usize = 129;

/// A smooth look with crosstalk; some outputs leave 0..1.
fn lattice_formula([r, g, b]: [f64; 3]) -> [f64; 3] {
    [
        0.8 * r * r + 0.15 * g + 0.05 * (3.0 * b).sin() - 0.02,
        0.1 * r + 0.7 * g.sqrt() + 0.2 * b * g,
        0.05 + 0.95 * b.powf(1.5) - 0.1 * r * g + 0.08 * r,
    ]
}

/// A per-channel HDR curve over every half value.
fn half_formula(x: f32) -> [f32; 3] {
    let x = f64::from(x);
    [
        x.signum() * (1.0 + x.abs()).log2() / 8.0,
        x / (1.0 + x.abs()),
        0.25 * x + 0.01,
    ]
    .map(|v| v as f32)
}

type LargeFile = (String, Option<LutFormat>, Vec<u8>);

/// (file name, format, bytes as lookwire writes them), made once per test run.
fn large_files() -> &'static [LargeFile] {
    static FILES: std::sync::OnceLock<Vec<LargeFile>> = std::sync::OnceLock::new();
    FILES.get_or_init(make_large_files)
}

fn make_large_files() -> Vec<LargeFile> {
    let lut = Lut3d::from_fn(SIZE, lattice_formula).expect("129³ lattice");
    let file = LutFile::from_3d(lut);
    let mut out: Vec<_> = [
        (LutFormat::Cube, "cube"),
        (LutFormat::Spi3d, "spi3d"),
        (LutFormat::Csp, "csp"),
        (LutFormat::Clf, "clf"),
        (LutFormat::Flame, "3dl"),
        (LutFormat::Lustre, "3dl"),
    ]
    .into_iter()
    .map(|(format, ext)| {
        let bytes = format
            .write(&file, Precision::RoundTrip)
            .unwrap_or_else(|e| panic!("{} at 129³: {e}", format.name()));
        (
            format!("{}_{SIZE}.{ext}", format.name()),
            Some(format),
            bytes,
        )
    })
    .collect();
    let half = HalfDomainLut::from_fn(half_formula).expect("finite table");
    let list = ProcessList::new(vec![ClfOp::Lut1dHalf(half)]);
    let bytes = clf::write(&list, Precision::RoundTrip).expect("half-domain CLF");
    out.push(("half_domain.clf".to_owned(), None, bytes));
    out
}

fn fnv1a64(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{h:016x}")
}

fn expected() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/large_expected.json");
    let text = std::fs::read_to_string(path).expect("reference data is committed");
    serde_json::from_str(&text).expect("valid JSON")
}

fn triples(v: &Value) -> Vec<[f32; 3]> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|p| std::array::from_fn(|c| p[c].as_f64().expect("number") as f32))
        .collect()
}

/// With LOOKWIRE_LARGE_DIR set, writes the files there for `gen_large.py`; else checks
/// that the bytes are still the ones OpenColorIO read.
#[test]
fn write_for_opencolorio_or_check_the_bytes_it_read() {
    let doc = expected();
    let out_dir = std::env::var_os("LOOKWIRE_LARGE_DIR");
    let mut stale = Vec::new();
    for (name, _, bytes) in large_files() {
        if let Some(dir) = &out_dir {
            std::fs::write(Path::new(dir).join(name), bytes).expect("write");
            continue;
        }
        let entry = doc["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|e| e["file"] == name.as_str());
        let recorded = entry.map(|e| (e["len"].as_u64(), e["fnv1a64"].as_str()));
        if recorded != Some((Some(bytes.len() as u64), Some(&fnv1a64(bytes)))) {
            stale.push(name.clone());
        }
    }
    assert!(
        stale.is_empty(),
        "lookwire now writes other bytes than OpenColorIO read (run gen_large.py): {stale:?}"
    );
}

#[test]
fn opencolorio_applies_129_cubes_and_half_domain_luts_as_lookwire() {
    let doc = expected();
    let probes_3d = triples(&doc["probes_3d"]);
    let probes_half = triples(&doc["probes_half"]);
    let mut failures = Vec::new();
    let files = large_files();
    for (name, format, bytes) in files {
        let entry = doc["files"]
            .as_array()
            .expect("files")
            .iter()
            .find(|e| e["file"] == name.as_str())
            .unwrap_or_else(|| panic!("{name} has no OpenColorIO values"));
        let want = triples(&entry["expected"]);
        let (probes, got): (&[[f32; 3]], Vec<[f32; 3]>) = match format {
            Some(format) => {
                let lut = format.read(bytes, name).expect("lookwire reads its file");
                assert_eq!(lut.lut3d.as_ref().map(Lut3d::size), Some(SIZE), "{name}");
                (
                    &probes_3d,
                    probes_3d.iter().map(|p| lut.apply(*p)).collect(),
                )
            }
            None => {
                let list = clf::read(bytes, name).expect("lookwire reads its CLF");
                assert!(matches!(list.ops[..], [ClfOp::Lut1dHalf(_)]), "{name}");
                (
                    &probes_half,
                    probes_half.iter().map(|p| list.apply(*p)).collect(),
                )
            }
        };
        // Integer .3dl tables hold 0..1 in 12-bit codes: one code value; floats 1e-5.
        let integer = matches!(format, Some(LutFormat::Flame | LutFormat::Lustre));
        for ((p, g), w) in probes.iter().zip(&got).zip(&want) {
            for c in 0..3 {
                let tol = if integer {
                    1.0 / 4095.0
                } else {
                    1e-5 * w[c].abs().max(1.0)
                };
                if (g[c] - w[c]).abs() > tol {
                    failures.push(format!(
                        "{name} at {p:?}: lookwire {g:?}, OpenColorIO {w:?}"
                    ));
                }
            }
        }
    }
    assert_eq!(files.len(), 7);
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn half_domain_lut_reads_back_and_its_errors_name_the_place() {
    let half = HalfDomainLut::from_fn(half_formula).expect("finite table");
    let list = ProcessList::new(vec![ClfOp::Lut1dHalf(half.clone())]);
    let bytes = clf::write(&list, Precision::RoundTrip).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(text.contains(r#"<LUT1D inBitDepth="16f" outBitDepth="32f" halfDomain="true">"#));
    assert_eq!(clf::read(&bytes, "h.clf").unwrap().ops, list.ops);
    // Exactly at a half value the output is that code's entry.
    let code = half::f16::from_f32(0.5).to_bits() as usize;
    assert_eq!(list.apply([0.5; 3]), half.table()[code]);
    // Beyond the largest half, inputs stop at 65504.
    assert_eq!(list.apply([1e9; 3]), list.apply([65504.0; 3]));
    let short = text.replace(r#"dim="65536 3""#, r#"dim="4 3""#);
    let short = short
        .lines()
        .take(8)
        .chain(["        </Array>", "    </LUT1D>", "</ProcessList>"])
        .collect::<Vec<_>>()
        .join("\n");
    let err = clf::read(short.as_bytes(), "h.clf")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("halfDomain LUT1D of 4 entries, expected 65536 (one per half-float code)"),
        "{err}"
    );
}
