//! Times the live bake (33³: camera log → ACEScct → CDL → 33³ look LUT or look CDL → output) per
//! output id by the calling thread's CPU time: a new trim at every bake, best and median
//! of a few hundred bakes. The CPU level follows LOOKWIRE_CPU (avx512, avx2, scalar).
//! `cargo run --release -p lookwire-color --example live_cpu [runs] [ids…]`; LIVE_CPU_LOOK=lut,
//! cdl or none (the bake's CDL alone) times one kind of look only, LIVE_CPU_NODES=1 prints the nodes computed in f64.

use std::sync::Arc;

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::kernel::selection;
use lookwire_color::lut::Lut3d;
use lookwire_color::output::live::{LiveBake, OutputTable};
use lookwire_color::output::{display_output_ids, OutputTransform};
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces;

/// CPU time of the calling thread, in ms.
#[cfg(target_os = "linux")]
fn thread_cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for clock_gettime to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 * 1e-6
}

#[cfg(not(target_os = "linux"))]
fn thread_cpu_ms() -> f64 {
    f64::NAN
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A trim that moves at every bake, as a VC's hands do.
fn trim(step: u32) -> Cdl {
    let t = f64::from(step % 100) * 1e-3;
    Cdl {
        slope: [1.05 + t, 1.0, 0.95],
        offset: [0.01, -t * 0.1, 0.0],
        power: [0.95, 1.0 + t, 1.05],
        sat: 1.1,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let runs: usize = args.next().map_or(200, |s| s.parse().expect("runs"));
    let ids: Vec<String> = args.collect();
    let ids: Vec<String> = if ids.is_empty() {
        display_output_ids().map(str::to_string).collect()
    } else {
        ids
    };
    let look = Lut3d::from_fn(33, |[r, g, b]| [r * 0.98 + 0.01, g, b * 1.02 - 0.01]).unwrap();
    let space = spaces::lookup("arri-logc3-awg3").unwrap();
    println!(
        "CPU level {}, bake 33³ (one thread), {runs} bakes per output, load average {}",
        selection().level.as_str(),
        load_average()
    );
    println!(
        "{:28} {:>5} {:>9} {:>9} {:>9} {:>9}",
        "output", "look", "best ms", "median ms", "ns/node", "p10 ms"
    );
    // The look as a 33³ LUT (a pass on the render kernels), or as a CDL (the server's show
    // looks: the CDLs in the same f32 pass as the output).
    let look_cdl = Cdl::from_sop_sat([1.06, 1.0, 0.95, 0.005, 0.0, -0.01, 1.1, 1.1, 1.12], 1.1)
        .expect("look CDL");
    for id in &ids {
        let out = OutputTransform::from_id(id).expect("output id");
        let table = Arc::new(OutputTable::acescct(&out, false, 65).unwrap());
        let only = std::env::var("LIVE_CPU_LOOK").ok();
        for kind in ["lut", "cdl", "none"] {
            if only.as_deref().is_some_and(|o| o != kind) {
                continue;
            }
            let mut live =
                LiveBake::new(&space, WorkingSpace::AcesCct, Arc::clone(&table), 33).unwrap();
            match kind {
                "lut" => live.set_look(Some(&look)),
                "cdl" => live.set_look_cdl(Some(look_cdl)),
                _ => {}
            }
            let (best, median, p10) = time(&live, runs);
            println!(
                "{id:28} {kind:>5} {best:9.3} {median:9.3} {:9.1} {p10:9.3}",
                best * 1e6 / 33f64.powi(3)
            );
        }
    }
    println!("load average after: {}", load_average());
}

/// Best, median and 10th-percentile thread CPU time of `runs` bakes, a new trim each
/// (the 10th percentile moves less between runs than the best on a shared machine).
fn time(live: &LiveBake, runs: usize) -> (f64, f64, f64) {
    let mut buf = Vec::new();
    let f64_nodes = live.bake_live_into(&trim(0), CdlStyle::Asc, &mut buf);
    if std::env::var_os("LIVE_CPU_NODES").is_some() {
        eprintln!("f64 nodes: {f64_nodes}");
    }
    let mut times: Vec<f64> = (0..runs as u32)
        .map(|step| {
            let cdl = trim(step);
            let t0 = thread_cpu_ms();
            live.bake_live_into(&cdl, CdlStyle::Asc, &mut buf);
            thread_cpu_ms() - t0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], times[times.len() / 10])
}
