//! Render throughput of the `lookwire bench` workloads from the color crate alone (no
//! server build): JSON lines like `lookwire bench --json`, single-threaded figures by
//! thread CPU time, multi-threaded ones by the wall clock. For profiling (`perf record`)
//! and for `bench/ocio_bench.py --cpu-time --lookwire target/release/examples/kernel_bench`
//! (called as `kernel_bench bench --json --cpu-time`: every workload and level, 1 thread
//! and all cores).
//!
//! `cargo run --release -p lookwire-color --example kernel_bench -- [WORKLOAD|all]
//! [LEVEL|all] [RUNS] [THREADS]`

use lookwire_color::kernel::workload::{measure_with, Clock, Workload};
use lookwire_color::kernel::CpuLevel;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (workload, level, runs, threads) = if args.first().is_some_and(|a| a == "bench") {
        ("all", "all", 5, vec![1, cores])
    } else {
        let pick = |i: usize| args.get(i).map(String::as_str).unwrap_or("all");
        let runs = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(5);
        let threads = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1);
        (pick(0), pick(1), runs, vec![threads])
    };
    for w in Workload::ALL {
        if workload != "all" && workload != w.id() {
            continue;
        }
        let frame = w.frame(3840, 2160);
        for l in CpuLevel::available() {
            if level != "all" && level != l.to_string() {
                continue;
            }
            for &t in &threads {
                let clock = if t == 1 {
                    Clock::ThreadCpu
                } else {
                    Clock::Wall
                };
                let m = measure_with(w, &frame, l, t, runs, clock).expect("the level is available");
                println!(
                    r#"{{"workload":"{}","level":"{}","threads":{},"mpx_per_s":{:.1}}}"#,
                    m.workload, m.level, m.threads, m.mpx_per_s
                );
            }
        }
    }
}
