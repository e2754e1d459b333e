//! Baked lattices against OpenColorIO 2.6 (lossless) and colour-science for every
//! input id × working space × CDL style × CDL, from
//! color/tests/reference/gen_engine_reference.py.

use lookwire_color::pipeline::{Look, Op, Pipeline, WorkingSpace, HALF_MAX};
use lookwire_color::{Cdl, CdlStyle};
use serde::Deserialize;
use std::collections::HashMap;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/engine");
const TOLERANCE: f64 = 1e-4;

#[derive(Deserialize)]
struct Index {
    size: usize,
    cdls: HashMap<String, CdlJson>,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct CdlJson {
    slope: [f64; 3],
    offset: [f64; 3],
    power: [f64; 3],
    sat: f64,
}

#[derive(Deserialize)]
struct Case {
    input: String,
    working: String,
    style: String,
    cdl: String,
    output: String,
    offset: usize,
}

fn load() -> (Index, Vec<f32>) {
    let index: Index =
        serde_json::from_slice(&std::fs::read(format!("{DIR}/pipeline.json")).unwrap()).unwrap();
    let bytes = std::fs::read(format!("{DIR}/pipeline.bin")).unwrap();
    let values = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (index, values)
}

/// What one case measured.
#[derive(Default)]
struct CaseResult {
    /// Largest error beyond the node's tolerance, and where.
    worst_excess: f64,
    worst_at: usize,
    worst_error: f64,
    /// Values OCIO left non-finite, or whose float32 evaluation overflows.
    skipped: usize,
    /// Values whose tolerance needed the float32 allowance.
    widened: usize,
}

/// Beyond this the float32 reference saturates (exp/pow and half-domain tables
/// approach f32::MAX = 3.4e38); such nodes are counted and skipped.
const F32_NEAR_OVERFLOW: f64 = 1e37;

/// The pipeline evaluated the way a float32 engine does: float32 matrix coefficients
/// and products, every op's output rounded to f32 after moving channel `c` by
/// `nudge[c]` ulps. `None` when a value nears f32 overflow.
fn apply_f32(p: &Pipeline, rgb: [f64; 3], nudge: [f64; 3]) -> Option<[f64; 3]> {
    let ulp = f64::powi(2.0, -23);
    let round = |v: [f64; 3]| [0, 1, 2].map(|c| f64::from((v[c] * (1.0 + nudge[c] * ulp)) as f32));
    let mut v = round(rgb);
    for op in p.ops() {
        v = match op {
            // float32 coefficients and products, plus one ulp of every product in the
            // nudge's direction: where rows cancel, that is the error.
            Op::Matrix(m) => [0, 1, 2].map(|r| {
                let row = [0, 1, 2].map(|c| m[(r, c)] as f32 * v[c] as f32);
                let size: f64 = row.iter().map(|x| f64::from(x.abs())).sum();
                f64::from(row[0] + row[1] + row[2]) + nudge[r] * size * ulp
            }),
            _ => op.apply(v),
        };
        if v.iter().any(|x| x.abs() > F32_NEAR_OVERFLOW) {
            return None;
        }
        v = round(v);
    }
    Some(v)
}

/// How far float32 evaluation of the chain can land from the exact value, per channel:
/// the largest deviation among float32 evaluations that round each channel differently.
fn f32_noise(p: &Pipeline, rgb: [f64; 3], exact: [f64; 3]) -> Option<[f64; 3]> {
    let patterns = [
        [0.0; 3],
        [1.0, -1.0, 1.0],
        [-1.0, 1.0, -1.0],
        [1.0, 1.0, -1.0],
        [-1.0, -1.0, 1.0],
    ];
    let mut noise = [0.0f64; 3];
    for nudge in patterns {
        let v = apply_f32(p, rgb, nudge)?;
        for c in 0..3 {
            let d = exact[c].clamp(-HALF_MAX, HALF_MAX) - v[c].clamp(-HALF_MAX, HALF_MAX);
            noise[c] = noise[c].max(d.abs());
        }
    }
    Some(noise)
}

fn look_of(index: &Index, case: &Case) -> Look {
    let c = &index.cdls[&case.cdl];
    let cdl = Cdl {
        slope: c.slope,
        offset: c.offset,
        power: c.power,
        sat: c.sat,
    };
    let working: WorkingSpace = case.working.parse().unwrap();
    let style: CdlStyle = case.style.parse().unwrap();
    Look::from_ids(&case.input, working, &case.output)
        .unwrap()
        .with_cdl(cdl, style)
}

/// Compares one case node by node. The tolerance is 1e-4 (relative above 1: the f32
/// reference has no 1e-4 resolution beyond 2048, which extreme CDLs reach even in log
/// codes), widened to 2× the float32 noise of the same chain where float32 cannot
/// resolve 1e-4 (cancellation in matrices, steep curve segments).
fn case_error(index: &Index, case: &Case, reference: &[f32]) -> CaseResult {
    // Noise follows the unoptimised ops: the reference rounds at each of them (its
    // colour-science stage keeps OCIO from merging the matrices around it).
    let pipeline = look_of(index, case).pipeline().unwrap();
    let n = index.size;
    let baked = pipeline.bake(n).unwrap();
    let want = &reference[case.offset..case.offset + 3 * n.pow(3)];
    let mut res = CaseResult::default();
    for (node, got) in baked.lut.data().iter().enumerate() {
        let rgb = [node % n, (node / n) % n, node / (n * n)].map(|v| v as f64 / (n - 1) as f64);
        let exact = pipeline.apply(rgb);
        let Some(noise) = f32_noise(&pipeline, rgb, exact) else {
            res.skipped += 3;
            continue;
        };
        for c in 0..3 {
            let i = 3 * node + c;
            let w = f64::from(want[i]);
            if !w.is_finite() {
                res.skipped += 1;
                continue;
            }
            let w = w.clamp(-HALF_MAX, HALF_MAX);
            let scale = w.abs().max(1.0);
            let err = (f64::from(got[c]) - w).abs() / scale;
            let tol = TOLERANCE.max(2.0 * noise[c] / scale);
            if err > TOLERANCE && err <= tol {
                res.widened += 1;
            }
            if err - tol > res.worst_excess {
                (res.worst_excess, res.worst_at, res.worst_error) = (err - tol, i, err);
            }
        }
    }
    res
}

#[test]
fn bakes_match_opencolorio_and_colour_science() {
    let (index, reference) = load();
    assert_eq!(index.cases.len(), 400);
    let mut failures = Vec::new();
    let (mut skipped, mut widened) = (0, 0);
    for case in &index.cases {
        let r = case_error(&index, case, &reference);
        skipped += r.skipped;
        // Only a no-clamp CDL that moves a node can overflow: saturation pushes the far
        // negative ACEScct toe codes of wide-gamut corners up to 2^128 and beyond.
        if r.skipped > 0 && (case.style == "asc" || case.cdl == "identity") {
            failures.push(format!(
                "{} {} {} {} → {}: {} values overflow float32",
                case.input, case.working, case.style, case.cdl, case.output, r.skipped
            ));
        }
        widened += r.widened;
        if r.worst_excess > 0.0 {
            let (worst, at) = (r.worst_error, r.worst_at);
            failures.push(format!(
                "{} {} {} {} → {}: error {worst:.3e} at value {at} (node {}, channel {})",
                case.input,
                case.working,
                case.style,
                case.cdl,
                case.output,
                at / 3,
                at % 3
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases off:\n{}",
        failures.len(),
        index.cases.len(),
        failures.join("\n")
    );
    let total = index.cases.len() * 3 * index.size.pow(3);
    eprintln!(
        "{total} values: {skipped} skipped (float32 overflow), {widened} within float32 noise above 1e-4"
    );
    // They must stay rare.
    assert!(skipped * 50 < total, "{skipped} of {total} values skipped");
}
