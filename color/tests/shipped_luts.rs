//! The shipped LUTs in luts/ are what the code bakes today: each line of
//! luts/manifest.txt is re-baked through [`CubeBake`], the code `lookwire bake` runs
//! (scripts/gen-luts.sh), written as `.cube` text with 6 decimals as the script asks,
//! and compared with the shipped file: the same title and comments (input, grade,
//! output, range), and values within 1e-6 (FMA and SIMD levels differ between
//! machines, so no byte equality).

use std::path::{Path, PathBuf};

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::formats::{self, LutFile, LutFormat, Precision};
use lookwire_color::output::bake_file::CubeBake;
use lookwire_color::output::SignalRange;

fn luts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../luts")
}

struct Entry {
    file: String,
    bake: CubeBake,
}

/// One manifest line, as scripts/gen-luts.sh turns it into `lookwire bake` flags.
fn parse_line(line: &str) -> Entry {
    let f: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(f.len(), 8, "manifest line {line:?}: expected 8 fields");
    let sop: Vec<f64> = f[5].split(',').map(|v| v.parse().unwrap()).collect();
    let mut bake = CubeBake::new(f[1], f[2].parse().unwrap(), f[3], 33);
    bake.cdl = Cdl::from_sop_sat(sop.try_into().unwrap(), f[6].parse().unwrap()).unwrap();
    bake.cdl_style = f[4].parse::<CdlStyle>().unwrap();
    bake.range = f[7].parse::<SignalRange>().unwrap();
    Entry {
        file: f[0].to_owned(),
        bake,
    }
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(luts_dir().join("manifest.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(parse_line)
        .collect()
}

fn fresh(entry: &Entry) -> LutFile {
    let (bytes, clamped) = entry.bake.cube_bytes(Precision::Fixed(6)).unwrap();
    assert_eq!(clamped, 0, "{}", entry.file);
    LutFormat::Cube.read(&bytes, &entry.file).unwrap()
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
        let fresh = fresh(&e);
        assert_eq!(shipped.title, fresh.title, "{}", e.file);
        assert_eq!(shipped.comments, fresh.comments, "{}", e.file);
        let (shipped, fresh) = (shipped.lut3d.expect("a 3D LUT"), fresh.lut3d.unwrap());
        assert_eq!(shipped.size(), 33, "{}", e.file);
        for (i, (a, b)) in shipped.data().iter().zip(fresh.data()).enumerate() {
            for c in 0..3 {
                let diff = (a[c] as f64 - b[c] as f64).abs();
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
