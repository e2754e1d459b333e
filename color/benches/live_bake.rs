//! Live bake of one camera for one output at a grade change: 33³ nodes of
//! camera log → ACEScct → CDL → 33³ look LUT → ACES 2.0 output (65³ table).
//! Target: under 1 ms on one core (the fast bake; the certified bake is for comparison).

use std::sync::Arc;

use divan::{black_box, Bencher};
use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::lut::Lut3d;
use lookwire_color::output::live::{LiveBake, OutputTable};
use lookwire_color::output::OutputTransform;
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces;

fn main() {
    divan::main();
}

fn setup(output: &str) -> LiveBake {
    let out = OutputTransform::from_id(output).unwrap();
    let table = Arc::new(OutputTable::acescct(&out, false, 65).unwrap());
    let space = spaces::lookup("arri-logc3-awg3").unwrap();
    let mut live = LiveBake::new(&space, WorkingSpace::AcesCct, table, 33).unwrap();
    let look = Lut3d::from_fn(33, |[r, g, b]| [r * 0.98 + 0.01, g, b * 1.02 - 0.01]).unwrap();
    live.set_look(Some(&look));
    live
}

#[divan::bench(args = ["aces2-sdr-rec709", "aces2-hdr-rec2100-pq1000"])]
fn full_stack_33(bencher: Bencher<'_, '_>, output: &str) {
    let live = setup(output);
    let mut out = Vec::with_capacity(33 * 33 * 33);
    let mut step = 0u32;
    bencher.bench_local(|| {
        // A new trim at every change, as a VC's hands move.
        step = step.wrapping_add(1);
        let t = (step % 100) as f64 * 1e-3;
        let cdl = Cdl {
            slope: [1.05 + t, 1.0, 0.95],
            offset: [0.01, -t * 0.1, 0.0],
            power: [0.95, 1.0 + t, 1.05],
            sat: 1.1,
        };
        live.bake_into(&cdl, CdlStyle::Asc, &mut out);
        black_box(&out);
    });
}

/// The certified bake (every node within half a code of the exact bake); with the 65³
/// table most ACES 2.0 nodes of a graded camera lattice fall back to the exact transform,
/// which runs on rayon's pool (all cores, not one).
#[divan::bench(args = ["aces2-sdr-rec709", "aces2-hdr-rec2100-pq1000"], sample_count = 10)]
fn certified_33(bencher: Bencher<'_, '_>, output: &str) {
    let live = setup(output);
    let mut out = Vec::with_capacity(33 * 33 * 33);
    let cdl = Cdl {
        slope: [1.05, 1.0, 0.95],
        offset: [0.01, 0.0, 0.0],
        power: [0.95, 1.0, 1.05],
        sat: 1.1,
    };
    bencher.bench_local(|| {
        black_box(live.bake_certified_into(&cdl, CdlStyle::Asc, 0.5, &mut out));
    });
}
