//! Output transforms against OpenColorIO 2.6 (data from
//! color/tests/reference/gen_output_reference.py): every output id on a 17³ ACEScct
//! lattice, extreme inputs (very bright, very saturated, negative) and random inputs.

use std::path::PathBuf;

use lookwire_color::output::{list, GamutCompression, OutputTransform};

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/output")
}

fn read_rows(name: &str) -> Vec<[f64; 3]> {
    let path = reference_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|line| {
            let v: Vec<f64> = line
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            [v[0], v[1], v[2]]
        })
        .collect()
}

struct Worst {
    max: f64,
    at: usize,
    got: [f64; 3],
    want: [f64; 3],
}

fn compare(f: impl Fn([f64; 3]) -> [f64; 3], inputs: &[[f64; 3]], want: &[[f64; 3]]) -> Worst {
    assert_eq!(inputs.len(), want.len());
    let mut worst = Worst {
        max: 0.0,
        at: 0,
        got: [0.0; 3],
        want: [0.0; 3],
    };
    for (i, (input, w)) in inputs.iter().zip(want).enumerate() {
        let got = f(*input);
        let err = (0..3).map(|k| (got[k] - w[k]).abs()).fold(0.0, f64::max);
        assert!(err.is_finite(), "row {i}: {input:?} -> {got:?}, OCIO {w:?}");
        if err > worst.max {
            worst = Worst {
                max: err,
                at: i,
                got,
                want: *w,
            };
        }
    }
    worst
}

/// The bar is 0.002 (two 10-bit code values); we hold a much tighter one.
const TOLERANCE: f64 = 3e-4;

#[test]
fn every_output_matches_opencolorio() {
    let inputs = read_rows("inputs.txt");
    let mut failures = Vec::new();
    for info in list() {
        let out = OutputTransform::from_id(info.id).unwrap();
        let want = read_rows(&format!("{}.txt", info.id));
        let w = compare(|x| out.apply(x), &inputs, &want);
        println!(
            "{:28} max abs {:.2e} (row {}: {:?})",
            info.id, w.max, w.at, inputs[w.at]
        );
        if w.max > TOLERANCE {
            failures.push(format!(
                "{}: {:.2e} at row {} {:?}: got {:?}, OCIO {:?}",
                info.id, w.max, w.at, inputs[w.at], w.got, w.want
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn reference_gamut_compression_matches_opencolorio() {
    let inputs = read_rows("inputs.txt");
    let want = read_rows("gamut-compress.txt");
    let gc = GamutCompression::reference();
    // Relative to the value's size: the extreme rows reach 65504.
    let w = compare(
        |x| {
            gc.apply(x)
                .map(|c| c / x.iter().fold(1.0f64, |m, v| m.max(v.abs())))
        },
        &inputs,
        &want
            .iter()
            .zip(&inputs)
            .map(|(o, x)| o.map(|c| c / x.iter().fold(1.0f64, |m, v| m.max(v.abs()))))
            .collect::<Vec<_>>(),
    );
    println!(
        "gamut compression max abs (scaled) {:.2e} at row {}",
        w.max, w.at
    );
    assert!(
        w.max < 1e-5,
        "{:.2e} at row {} {:?}: got {:?}, OCIO {:?}",
        w.max,
        w.at,
        inputs[w.at],
        w.got,
        w.want
    );
}
