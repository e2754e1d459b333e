//! Render throughput per workload and CPU level (the same workloads as `lookwire bench`,
//! on a 960×540 frame so divan can take many samples).

use divan::counter::ItemsCount;
use divan::Bencher;
use lookwire_color::kernel::workload::Workload;
use lookwire_color::kernel::{CpuLevel, Kernel};

fn main() {
    divan::main();
}

fn render(bencher: Bencher<'_, '_>, workload: Workload, level: CpuLevel) {
    if !level.is_supported() {
        eprintln!("skipped {level}: this CPU does not have it");
        return;
    }
    let frame = workload.frame(960, 540);
    let kernel = Kernel::with_level(&workload.look(), level).expect("level is supported");
    let mut out = frame.clone();
    bencher
        .counter(ItemsCount::new(frame.pixels()))
        .bench_local(|| {
            frame
                .render(&kernel, &mut out, false)
                .expect("frame renders")
        });
}

#[divan::bench(args = Workload::ALL)]
fn scalar(bencher: Bencher<'_, '_>, workload: Workload) {
    render(bencher, workload, CpuLevel::Scalar);
}

#[divan::bench(args = Workload::ALL)]
fn avx2(bencher: Bencher<'_, '_>, workload: Workload) {
    render(bencher, workload, CpuLevel::Avx2);
}

#[divan::bench(args = Workload::ALL)]
fn avx512(bencher: Bencher<'_, '_>, workload: Workload) {
    render(bencher, workload, CpuLevel::Avx512);
}
