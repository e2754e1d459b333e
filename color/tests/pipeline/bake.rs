//! Baking: lattice layout, size limits, the ±65504 clamp and its count, and the batch
//! path against the op-by-op path.

use lookwire_color::pipeline::{Look, Op, Pipeline, PipelineError, WorkingSpace, HALF_MAX};
use lookwire_color::spaces;
use lookwire_color::{Cdl, CdlStyle};

fn node_input(i: usize, n: usize) -> [f64; 3] {
    [i % n, (i / n) % n, i / (n * n)].map(|v| v as f64 / (n - 1) as f64)
}

#[test]
fn batch_bake_equals_op_by_op_evaluation() {
    let cdl = Cdl::from_sop_sat([1.3, 0.9, 1.1, 0.02, -0.03, 0.01, 0.8, 1.2, 1.05], 1.4).unwrap();
    let n = 9;
    for input in spaces::ids() {
        for (working, output, style) in [
            (
                WorkingSpace::AcesCct,
                "sony-slog3-sgamut3cine",
                CdlStyle::NoClamp,
            ),
            (WorkingSpace::Camera, "red-redlogfilm-rwg", CdlStyle::Asc),
            (WorkingSpace::AcesCct, "aces2065-1", CdlStyle::Asc),
        ] {
            let p = Look::from_ids(input, working, output)
                .unwrap()
                .with_cdl(cdl, style)
                .pipeline()
                .unwrap();
            let baked = p.bake(n).unwrap();
            // The bake runs the optimised ops (merged matrices round differently where
            // values reach 1e30, so compare with those).
            let p = p.optimized();
            for (i, got) in baked.lut.data().iter().enumerate() {
                let want = p
                    .apply(node_input(i, n))
                    .map(|x| x.clamp(-HALF_MAX, HALF_MAX) as f32);
                for c in 0..3 {
                    let tol = 1e-6 * want[c].abs().max(1.0);
                    assert!(
                        (got[c] - want[c]).abs() <= tol,
                        "{input} {working} {output} node {i}: {got:?} {want:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn lattice_is_red_fastest_over_the_unit_cube() {
    // A pure matrix: node (r, g, b) holds M·(r, g, b)/(N − 1).
    let m = nalgebra::Matrix3::new(1.0, 2.0, 3.0, 0.0, 1.0, 0.0, -1.0, 0.0, 0.5);
    let baked = Pipeline::new(vec![Op::Matrix(m)]).bake(5).unwrap();
    let node = baked.lut.data()[1 + 5 * (2 + 5 * 4)];
    let want = m * nalgebra::Vector3::new(0.25, 0.5, 1.0);
    for c in 0..3 {
        assert!((f64::from(node[c]) - want[c]).abs() < 1e-7, "{node:?}");
    }
    assert_eq!(baked.clamped, 0);
}

#[test]
fn values_beyond_half_max_are_clamped_and_counted() {
    // ACEScct code 1.0 decodes to 222.86; a slope of 1.6 in ACEScct puts it at 2^20.
    let cdl = Cdl::from_sop_sat([1.6, 1.6, 1.6, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], 1.0).unwrap();
    let look = Look::from_ids("acescct", WorkingSpace::Camera, "aces2065-1")
        .unwrap()
        .with_cdl(cdl, CdlStyle::NoClamp);
    let p = look.pipeline().unwrap();
    let n = 5;
    let baked = p.bake(n).unwrap();
    let beyond = (0..n * n * n)
        .flat_map(|i| p.apply(node_input(i, n)))
        .filter(|x| x.abs() > HALF_MAX)
        .count();
    assert!(beyond > 0);
    assert_eq!(baked.clamped, beyond);
    let top = baked.lut.data()[n * n * n - 1];
    assert_eq!(top, [65504.0; 3]);
    assert!(baked
        .lut
        .data()
        .iter()
        .flatten()
        .all(|x| x.abs() <= 65504.0));
}

#[test]
fn bake_size_is_checked() {
    let p = Look::from_ids("acescct", WorkingSpace::Camera, "acescct")
        .unwrap()
        .pipeline()
        .unwrap();
    for size in [0, 1, 130, 1000] {
        assert_eq!(
            p.bake(size).unwrap_err(),
            PipelineError::BakeSize {
                size,
                min: 2,
                max: 129
            }
        );
    }
    assert_eq!(p.bake(2).unwrap().lut.size(), 2);
    assert_eq!(p.bake(129).unwrap().lut.size(), 129);
}
