//! The optimiser removes what cancels and keeps every clamp.

use lookwire_color::pipeline::{Look, Op, Pipeline, WorkingSpace};
use lookwire_color::spaces;
use lookwire_color::{Cdl, CdlStyle};

fn max_diff(a: &Pipeline, b: &Pipeline, inputs: &[[f64; 3]]) -> f64 {
    inputs
        .iter()
        .flat_map(|&x| {
            let (p, q) = (a.apply(x), b.apply(x));
            (0..3).map(move |c| (p[c] - q[c]).abs() / q[c].abs().max(1.0))
        })
        .fold(0.0, f64::max)
}

fn probes(v: &[f64]) -> Vec<[f64; 3]> {
    let mut out = Vec::new();
    for &r in v {
        for &g in v {
            for &b in v {
                out.push([r, g, b]);
            }
        }
    }
    out
}

#[test]
fn same_camera_in_and_out_collapses_to_its_clamps() {
    for space in spaces::all() {
        let look = Look::from_ids(&space.id, WorkingSpace::Camera, &space.id)
            .unwrap()
            .with_cdl(Cdl::IDENTITY, CdlStyle::NoClamp);
        let full = look.pipeline().unwrap();
        let opt = full.clone().optimized();
        // ACEScc's builtin clamps ACES2065-1 at 0 between its matrices: that must stay.
        let only_ranges = opt.ops().iter().all(|op| matches!(op, Op::Range { .. }));
        assert!(
            only_ranges || space.clamps_negative_aces(),
            "{}: {:?}",
            space.id,
            opt.ops()
        );
        let d = max_diff(
            &opt,
            &full,
            &probes(&[-0.5, -0.01, 0.0, 0.1, 0.18, 0.5, 1.0, 1.3]),
        );
        // HLG's sqrt toe turns the unoptimised chain's 1e-16 matrix round-off into ~3e-8.
        assert!(d < 1e-7, "{}: optimised differs by {d}", space.id);
    }
}

#[test]
fn optimised_chain_equals_unoptimised_chain() {
    let cdl = Cdl::from_sop_sat([1.2, 0.9, 1.1, 0.02, -0.01, 0.0, 0.9, 1.1, 1.3], 1.2).unwrap();
    for style in [CdlStyle::Asc, CdlStyle::NoClamp] {
        for working in [WorkingSpace::Camera, WorkingSpace::AcesCct] {
            let look = Look::from_ids("canon-clog2-cgamut", working, "acescc")
                .unwrap()
                .with_cdl(cdl, style);
            let full = look.pipeline().unwrap();
            let opt = full.clone().optimized();
            assert!(opt.ops().len() <= full.ops().len(), "{:?}", opt.ops());
            // Tame inputs: a saturated C-Log2 blue through this CDL reaches 1e127 in linear,
            // where round-off decides the sign of the small channels.
            let d = max_diff(&opt, &full, &probes(&[0.0, 0.1, 0.18, 0.4, 0.6]));
            assert!(d < 1e-12, "{working} {style}: {d}");
        }
    }
}
