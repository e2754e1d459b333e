//! Live bake of one camera for one output at a grade change: 33³ nodes of
//! camera log → ACEScct → CDL → 33³ look LUT → output. `live_33`: the live bake (the
//! exact output per node in f32 lanes, every output id); `table_33`: the older table
//! bake (65³ output table, ACES 2.0 tails of hundreds of codes); `certified_33`: f64.
//! Target: under 1 ms on one core. The CPU level follows LOOKWIRE_CPU (avx512, avx2).
//! Wall time here; the `live_cpu` example measures thread CPU time.

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

/// A trim that moves at every change, as a VC's hands do.
fn trim(step: u32) -> Cdl {
    let t = (step % 100) as f64 * 1e-3;
    Cdl {
        slope: [1.05 + t, 1.0, 0.95],
        offset: [0.01, -t * 0.1, 0.0],
        power: [0.95, 1.0 + t, 1.05],
        sat: 1.1,
    }
}

const ALL_OUTPUTS: [&str; 13] = [
    "aces2-sdr-rec709",
    "aces2-sdr-p3d65",
    "aces2-hdr-rec2100-pq500",
    "aces2-hdr-rec2100-pq1000",
    "aces2-hdr-rec2100-pq2000",
    "aces2-hdr-rec2100-pq4000",
    "aces2-hdr-p3d65-pq500",
    "aces2-hdr-p3d65-pq1000",
    "aces2-hdr-p3d65-pq2000",
    "aces2-hdr-p3d65-pq4000",
    "aces2-hdr-rec2100-hlg1000",
    "aces1-sdr-rec709",
    "aces1-hdr-rec2100-pq1000",
];

#[divan::bench(args = ALL_OUTPUTS)]
fn live_33(bencher: Bencher<'_, '_>, output: &str) {
    let live = setup(output);
    let mut out = Vec::with_capacity(33 * 33 * 33);
    let mut step = 0u32;
    bencher.bench_local(|| {
        step = step.wrapping_add(1);
        black_box(live.bake_live_into(&trim(step), CdlStyle::Asc, &mut out));
    });
}

#[divan::bench(args = ["aces2-sdr-rec709", "aces2-hdr-rec2100-pq1000"])]
fn table_33(bencher: Bencher<'_, '_>, output: &str) {
    let live = setup(output);
    let mut out = Vec::with_capacity(33 * 33 * 33);
    let mut step = 0u32;
    bencher.bench_local(|| {
        step = step.wrapping_add(1);
        live.bake_into(&trim(step), CdlStyle::Asc, &mut out);
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
