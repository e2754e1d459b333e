//! Live bake of one camera for one output at a grade change: 33³ nodes of
//! camera log → ACEScct → CDL → 33³ look LUT → output. `live_33`: the live bake (the
//! exact output per node in f32 lanes, every output id); `table_33`: the older table
//! bake (65³ output table, ACES 2.0 tails of hundreds of codes); `certified_33`: f64.
//! Target: under 1 ms on one core. The CPU level follows LOOKWIRE_CPU (avx512, avx2).
//! Wall time here; the `live_cpu` example and `lookwire bench --live --cpu-time` measure
//! thread CPU time. The camera, look and trims are `lookwire_color::output::live::bench`'s.

use divan::{black_box, Bencher};
use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::output::display_output_ids;
use lookwire_color::output::live::bench::{live_bake, output_table, trim, BenchLook};
use lookwire_color::output::live::LiveBake;

fn main() {
    divan::main();
}

/// The benchmark's camera and look LUT feeding `output` (`lookwire bench --live`'s bake).
fn setup(output: &str) -> LiveBake {
    live_bake(output_table(output).unwrap(), BenchLook::Lut).unwrap()
}

#[divan::bench(args = display_output_ids())]
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
