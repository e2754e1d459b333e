//! The shipped LUTs in luts/ are what the code bakes today: each line of
//! luts/manifest.txt is re-baked exactly as `lookwire bake` does (scripts/gen-luts.sh)
//! and compared with the shipped file within 1e-6 (files print 6 decimals; FMA and
//! SIMD levels differ between machines, so no byte equality).

use std::path::{Path, PathBuf};

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::formats;
use lookwire_color::output::SignalRange;
use lookwire_color::pipeline::{resolve_output, Look};
use lookwire_color::spaces;

fn luts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../luts")
}

struct Entry {
    file: String,
    look: Look,
}

fn parse_line(line: &str) -> Entry {
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f.len(), 8, "manifest line {line:?}: expected 8 fields");
    let sop: Vec<f64> = f[5].split(',').map(|v| v.parse().unwrap()).collect();
    let cdl = Cdl::from_sop_sat(sop.try_into().unwrap(), f[6].parse().unwrap()).unwrap();
    let style: CdlStyle = f[4].parse().unwrap();
    let range: SignalRange = f[7].parse().unwrap();
    Entry {
        file: f[0].to_owned(),
        look: Look {
            input: spaces::lookup(f[1]).unwrap(),
            working: f[2].parse().unwrap(),
            cdl,
            cdl_style: style,
            looks: Vec::new(),
            output: resolve_output(f[3]).unwrap().with_range(range),
        },
    }
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(luts_dir().join("manifest.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse_line)
        .collect()
}

#[test]
fn shipped_luts_match_a_fresh_bake() {
    let entries = manifest();
    assert!(
        entries.len() >= 34,
        "every camera to SDR and HDR, plus show looks"
    );
    for e in entries {
        let path = luts_dir().join(&e.file);
        let shipped =
            formats::read_lut(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let shipped = shipped.lut3d.expect("a 3D LUT");
        let fresh = e.look.pipeline().unwrap().bake(33).unwrap().lut;
        assert_eq!(shipped.size(), 33, "{}", e.file);
        for (i, (a, b)) in shipped.data().iter().zip(fresh.data()).enumerate() {
            for c in 0..3 {
                let rounded = (b[c] as f64 * 1e6).round() / 1e6;
                let diff = (a[c] as f64 - rounded).abs();
                assert!(
                    diff <= 1e-6 + 1e-9,
                    "{} node {i} channel {c}: shipped {} fresh {}",
                    e.file,
                    a[c],
                    b[c]
                );
            }
        }
    }
}

#[test]
fn shipped_folder_stays_small() {
    let mut total = 0u64;
    let mut stack = vec![luts_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                total += entry.metadata().unwrap().len();
            }
        }
    }
    assert!(total < 40 * 1024 * 1024, "luts/ is {total} bytes");
}
