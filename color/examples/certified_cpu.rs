//! Times the certified bake (and the fast one) per output id: best wall-clock and best
//! process CPU time of a few runs, with the fraction of nodes computed exactly.
//! `RAYON_NUM_THREADS=1 cargo run --release -p lookwire-color --example certified_cpu [table size] [ids…]`

use std::sync::Arc;
use std::time::Instant;

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::lut::Lut3d;
use lookwire_color::output::live::{bake_certified_group, LiveBake, OutputTable};
use lookwire_color::output::{display_output_ids, OutputTransform};
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces;

/// CPU time of the whole process (all threads), in ms.
#[cfg(target_os = "linux")]
fn cpu_ms() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for clock_gettime to write.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e3 + t.tv_nsec as f64 * 1e-6
}

/// CPU time of the whole process (all threads), in ms: not measured here.
#[cfg(not(target_os = "linux"))]
fn cpu_ms() -> f64 {
    f64::NAN
}

fn best(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
    for _ in 0..runs {
        let (w0, c0) = (Instant::now(), cpu_ms());
        f();
        cpu = cpu.min(cpu_ms() - c0);
        wall = wall.min(w0.elapsed().as_secs_f64() * 1e3);
    }
    (wall, cpu)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let size: usize = args.next().map_or(65, |s| s.parse().expect("table size"));
    let ids: Vec<String> = args.collect();
    let ids: Vec<String> = if ids.is_empty() {
        display_output_ids().map(str::to_string).collect()
    } else {
        ids
    };
    let threads = rayon::current_num_threads();
    let cdl = Cdl {
        slope: [1.05, 1.0, 0.95],
        offset: [0.01, 0.0, 0.0],
        power: [0.95, 1.0, 1.05],
        sat: 1.1,
    };
    let look = Lut3d::from_fn(33, |[r, g, b]| [r * 0.98 + 0.01, g, b * 1.02 - 0.01]).unwrap();
    let space = spaces::lookup("arri-logc3-awg3").unwrap();
    println!("threads {threads}, table {size}³, bake 33³, best of 5 (ms: wall / process CPU)");
    let runs = std::env::var("CERT_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut bakes: Vec<LiveBake> = Vec::new();
    for id in &ids {
        let out = OutputTransform::from_id(id).expect("output id");
        let t0 = Instant::now();
        let table = Arc::new(OutputTable::acescct(&out, false, size).unwrap());
        let build = t0.elapsed().as_secs_f64() * 1e3;
        let live = match bakes.first() {
            Some(first) => first.for_output(table),
            None => {
                let mut live = LiveBake::new(&space, WorkingSpace::AcesCct, table, 33).unwrap();
                live.set_look(Some(&look));
                live
            }
        };
        let mut buf = Vec::new();
        let mut exact = 0;
        let runs = std::env::var("CERT_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(5);
        let (cw, cc) = best(runs, || {
            exact = live
                .bake_certified_into(&cdl, CdlStyle::Asc, 0.5, &mut buf)
                .exact_nodes;
        });
        let (fw, fc) = best(20, || live.bake_into(&cdl, CdlStyle::Asc, &mut buf));
        println!(
            "{id:28} certified {cw:7.2} / {cc:7.2}  exact {:5.1} %  | fast {fw:5.2} / {fc:5.2} | table build {build:6.0}",
            100.0 * exact as f64 / 33f64.powi(3)
        );
        bakes.push(live);
    }
    if bakes.len() > 1 {
        let group: Vec<&LiveBake> = bakes.iter().collect();
        let mut outs = vec![Vec::new(); group.len()];
        let (gw, gc) = best(runs, || {
            bake_certified_group(&group, &cdl, CdlStyle::Asc, 0.5, &mut outs);
        });
        println!(
            "all {} outputs as one group: certified {gw:7.2} / {gc:7.2}",
            group.len()
        );
    }
}
