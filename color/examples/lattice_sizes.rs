//! Render throughput of the tetra33-f32 frame through seeded random lattices of other
//! sizes (single thread, thread CPU time, best of 5): how much of a render the lattice's
//! cache misses cost (a 2³-9³ lattice stays in L1).
//!
//! `cargo run --release -p lookwire-color --example lattice_sizes -- LEVEL [SIZE]...`
//! (default sizes 2 3 9 17 33 65).

use lookwire_color::kernel::workload::{random_lut, Clock, Workload, LUT_SEED};
use lookwire_color::kernel::{CpuLevel, Kernel, Look};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let level: CpuLevel = match args.first().map(|a| a.parse()) {
        Some(Ok(level)) => level,
        _ => {
            eprintln!("usage: lattice_sizes scalar|avx2|avx512 [SIZE]...");
            std::process::exit(2);
        }
    };
    let mut sizes: Vec<usize> = args[1..].iter().filter_map(|s| s.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![2, 3, 9, 17, 33, 65];
    }
    let frame = Workload::Tetra33F32.frame(3840, 2160);
    for size in sizes {
        let look = Look::lut(random_lut(size.clamp(2, 129), LUT_SEED));
        let kernel = match Kernel::with_level(&look, level) {
            Ok(k) => k,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let mut out = frame.clone();
        let mut best = f64::MAX;
        for _ in 0..5 {
            let start = Clock::ThreadCpu.now().unwrap_or_default();
            frame
                .render(&kernel, &mut out, false)
                .expect("same-kind frames");
            let end = Clock::ThreadCpu.now().unwrap_or_default();
            best = best.min((end - start).as_secs_f64());
        }
        let kib = size.pow(3) * 12 / 1024;
        let mpx = frame.pixels() as f64 / best.max(1e-9) / 1e6;
        println!("{level} {size}³ ({kib} KiB of nodes): {mpx:.1} Mpx/s");
    }
}
