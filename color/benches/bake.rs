//! Baking a full camera chain, single thread: LogC3 → ACEScct → CDL (power and
//! saturation) → S-Log3/S-Gamut3.Cine, and the same look into ACEScct.

use lookwire_color::pipeline::{Look, Pipeline, WorkingSpace};
use lookwire_color::{Cdl, CdlStyle};

fn main() {
    divan::main();
}

fn chain(output: &str, style: CdlStyle) -> Pipeline {
    let cdl = Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.01, 0.0, -0.01, 1.0, 1.05, 1.0], 1.2).unwrap();
    Look::from_ids("arri-logc3-awg3", WorkingSpace::AcesCct, output)
        .unwrap()
        .with_cdl(cdl, style)
        .pipeline()
        .unwrap()
}

#[divan::bench(args = [33, 65])]
fn full_chain_to_camera(bencher: divan::Bencher<'_, '_>, size: usize) {
    let p = chain("sony-slog3-sgamut3cine", CdlStyle::NoClamp);
    bencher.bench(|| p.bake(divan::black_box(size)).unwrap());
}

#[divan::bench(args = [33, 65])]
fn full_chain_to_acescct(bencher: divan::Bencher<'_, '_>, size: usize) {
    let p = chain("acescct", CdlStyle::Asc);
    bencher.bench(|| p.bake(divan::black_box(size)).unwrap());
}
