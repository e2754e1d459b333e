//! Every display output bakes from every input space, in both working modes, and the
//! baked lattice agrees with the exact pipeline at its nodes.

use lookwire_color::output::{display_output_ids, SignalRange};
use lookwire_color::pipeline::{resolve_output, Look, WorkingSpace};
use lookwire_color::spaces;

#[test]
fn every_output_bakes_for_every_input_in_both_working_modes() {
    let size = 3;
    for input in spaces::ids() {
        for working in [WorkingSpace::Camera, WorkingSpace::AcesCct] {
            for output in display_output_ids() {
                let look = Look::from_ids(input, working, output).unwrap();
                let baked = look.pipeline().unwrap().optimized().bake(size).unwrap();
                let lut = &baked.lut;
                assert_eq!(baked.clamped, 0, "{input} {working} {output}");
                // Code values stay near [0, 1]: PQ mirrors the tiny negatives that the ACES 1.x
                // Bradford step leaves after its Rec.2020 clamp, as OpenColorIO does.
                for v in lut.data().iter().flatten() {
                    assert!((-0.2..=1.5).contains(v), "{input} {working} {output}: {v}");
                }
            }
        }
    }
}

#[test]
fn legal_range_bake_puts_black_at_64_and_keeps_the_rest_affine() {
    let full = Look::from_ids("acescct", WorkingSpace::AcesCct, "aces2-sdr-rec709").unwrap();
    let mut legal = full.clone();
    legal.output = resolve_output("aces2-sdr-rec709")
        .unwrap()
        .with_range(SignalRange::Legal);
    let f = full.pipeline().unwrap().bake(5).unwrap().lut;
    let l = legal.pipeline().unwrap().bake(5).unwrap().lut;
    for (a, b) in f.data().iter().flatten().zip(l.data().iter().flatten()) {
        assert!(
            (SignalRange::Legal.apply(*a as f64) - *b as f64).abs() < 1e-6,
            "{a} {b}"
        );
    }
}
