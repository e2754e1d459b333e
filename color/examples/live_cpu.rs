//! Times the live bake (33³: camera log → ACEScct → CDL → 33³ look LUT or look CDL → output) per
//! output id by the calling thread's CPU time: a new trim at every bake, best and median
//! of a few hundred bakes. The CPU level follows LOOKWIRE_CPU (avx512, avx2, scalar).
//! `cargo run --release -p lookwire-color --example live_cpu [runs] [ids…]`; LIVE_CPU_LOOK=lut,
//! cdl or none (the bake's CDL alone) times one kind of look only, LIVE_CPU_NODES=1 prints the
//! most nodes one bake computed in f64. `lookwire bench --live` runs the same bake (look LUT).

use lookwire_color::kernel::selection;
use lookwire_color::kernel::workload::{load_average, Clock};
use lookwire_color::output::display_output_ids;
use lookwire_color::output::live::bench::{self, BenchLook, SIZE};

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map_or(200, |s| s.parse().expect("runs"));
    let ids: Vec<String> = args.collect();
    let ids: Vec<String> = if ids.is_empty() {
        display_output_ids().map(str::to_string).collect()
    } else {
        ids
    };
    let load = || load_average().unwrap_or_else(|| "unknown".into());
    let level = selection().level;
    println!(
        "CPU level {}, bake 33³ (one thread), {runs} bakes per output, load average {}",
        level.as_str(),
        load()
    );
    println!(
        "{:28} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "output", "look", "best ms", "median ms", "ns/node", "p10 ms"
    );
    let only = std::env::var("LIVE_CPU_LOOK").ok();
    for id in &ids {
        let table = bench::output_table(id).expect("output id");
        // The look as a 33³ LUT (a pass on the render kernels), or as a CDL (the server's show
        // looks: the CDLs in the same f32 pass as the output).
        for look in BenchLook::ALL {
            let kind = look.as_str();
            if only.as_deref().is_some_and(|o| o != kind) {
                continue;
            }
            let mut live = bench::live_bake(table.clone(), look).expect("live bake");
            let t = bench::time_live(&mut live, level, runs, Clock::ThreadCpu).expect("CPU level");
            if std::env::var_os("LIVE_CPU_NODES").is_some() {
                eprintln!("f64 nodes: {}", t.f64_nodes);
            }
            println!(
                "{id:28} {kind:>5} {:9.3} {:9.3} {:9.1} {:9.3}",
                t.best_ms,
                t.median_ms,
                t.best_ms * 1e6 / (SIZE as f64).powi(3),
                t.p10_ms
            );
        }
    }
    println!("load average after: {}", load());
}
