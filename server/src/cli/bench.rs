//! `lookwire bench`: render throughput per workload, CPU level and thread count; with
//! `--live`, the live bake's time per display output and CPU level.

use anyhow::{bail, Context};
use lookwire_color::kernel::workload::{
    copy_bandwidth, cpu_name, load_average, measure_with, Clock, Measurement, Workload,
};
use lookwire_color::kernel::{selection, CpuLevel};
use lookwire_color::output::display_output_ids;
use lookwire_color::output::live::bench::{self as live, BenchLook, LiveTiming, TARGET_MS};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print only JSON, one object per line:
    /// {"workload", "level", "threads", "mpx_per_s"};
    /// with --live {"bake", "output", "level", "threads", "best_ms", "median_ms", "f64_nodes"}.
    #[arg(long)]
    pub json: bool,
    /// Frame width in pixels.
    #[arg(long, default_value_t = 3840, value_parser = clap::value_parser!(u32).range(1..=16384), conflicts_with = "live")]
    pub width: u32,
    /// Frame height in pixels.
    #[arg(long, default_value_t = 2160, value_parser = clap::value_parser!(u32).range(1..=16384), conflicts_with = "live")]
    pub height: u32,
    /// Runs per figure; the fastest one counts.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100), conflicts_with = "live")]
    pub runs: u32,
    /// Time single-threaded figures by the thread's CPU time instead of the wall clock
    /// (for a machine shared with other work; multi-threaded figures stay wall time).
    #[arg(long)]
    pub cpu_time: bool,
    /// Time the live bake instead, on one thread: a camera's 33³ lattice (ARRI LogC3 →
    /// ACEScct → a trim that moves at every bake → 33³ look LUT → display output) per
    /// output and CPU level; the target is a median under 1 ms.
    #[arg(long)]
    pub live: bool,
    /// With --live: a display output to time, by id (`lookwire spaces`); repeat for more.
    /// Default: every display output.
    #[arg(long = "output", value_name = "ID", requires = "live")]
    pub outputs: Vec<String>,
    /// With --live: bakes per figure; best and median count.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=10000), requires = "live")]
    pub bakes: u32,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(note) = &selection().note {
        eprintln!("lookwire: {note}");
    }
    if args.live {
        return run_live(&args);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut thread_counts = vec![1];
    if cores > 1 {
        thread_counts.push(cores);
    }
    if !args.json {
        println!(
            "{:<18} {:<7} {:>7} {:>10}",
            "workload", "level", "threads", "Mpx/s"
        );
    }
    let mut first_frame = None;
    for workload in Workload::ALL {
        let frame = workload.frame(args.width as usize, args.height as usize);
        for level in CpuLevel::available() {
            for &threads in &thread_counts {
                let clock = if args.cpu_time {
                    Clock::ThreadCpu
                } else {
                    Clock::Wall
                };
                let m = measure_with(workload, &frame, level, threads, args.runs as usize, clock)?;
                print_line(&m, args.json)?;
            }
        }
        first_frame.get_or_insert(frame);
    }
    if let (false, Some(frame)) = (args.json, first_frame) {
        for &threads in &thread_counts {
            let gbs = copy_bandwidth(&frame, threads, args.runs as usize);
            println!(
                "memory bandwidth (copy of the f32 frame, {threads} thread(s)): {gbs:.1} GB/s"
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One figure as a JSON object (keys in the documented order) or a table row.
fn print_line(m: &Measurement, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        // Ids and level names are plain ASCII words: no escaping needed.
        writeln!(
            out,
            r#"{{"workload":"{}","level":"{}","threads":{},"mpx_per_s":{}}}"#,
            m.workload.id(),
            m.level.as_str(),
            m.threads,
            (m.mpx_per_s * 100.0).round() / 100.0
        )?;
    } else {
        writeln!(
            out,
            "{:<18} {:<7} {:>7} {:>10.1}",
            m.workload.id(),
            m.level.as_str(),
            m.threads,
            m.mpx_per_s
        )?;
    }
    Ok(())
}

/// `--live`: the live bake per output and CPU level, one thread.
fn run_live(args: &Args) -> anyhow::Result<ExitCode> {
    let outputs: Vec<&str> = if args.outputs.is_empty() {
        display_output_ids().collect()
    } else {
        args.outputs.iter().map(String::as_str).collect()
    };
    if let Some(id) = outputs
        .iter()
        .find(|id| !display_output_ids().any(|d| d == **id))
    {
        bail!(
            "--output: unknown output {id:?}: not a display output (`lookwire spaces` lists them)"
        );
    }
    let clock = if args.cpu_time {
        Clock::ThreadCpu
    } else {
        Clock::Wall
    };
    let levels = CpuLevel::available();
    if !args.json {
        print_live_header(args.bakes, clock);
    }
    for id in outputs {
        let table = live::output_table(id).with_context(|| format!("output {id}"))?;
        let mut bake = live::live_bake(table, BenchLook::Lut)?;
        for &level in &levels {
            let t = live::time_live(&mut bake, level, args.bakes as usize, clock)?;
            print_live_line(id, &t, args.json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the figures were measured on, and the table's column names.
fn print_live_header(bakes: u32, clock: Clock) {
    let clock = match clock {
        Clock::ThreadCpu if Clock::ThreadCpu.now().is_some() => "thread CPU time",
        _ => "wall time",
    };
    println!(
        "live bake {size}³ ({camera} → ACEScct → trim → {size}³ look LUT → output), one thread, \
         {bakes} bakes per figure, {clock}",
        size = live::SIZE,
        camera = live::CAMERA,
    );
    println!(
        "CPU: {}, selected level {}, load average {}",
        cpu_name().as_deref().unwrap_or("unknown"),
        selection().level,
        load_average().as_deref().unwrap_or("unknown"),
    );
    println!(
        "{:<28} {:<7} {:>8} {:>10} {:>14}",
        "output",
        "level",
        "best ms",
        "median ms",
        format!("median < {TARGET_MS} ms"),
    );
}

/// One live figure as a JSON object (keys in the documented order) or a table row.
fn print_live_line(output: &str, t: &LiveTiming, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    let round = |ms: f64| (ms * 1e4).round() / 1e4;
    if json {
        // Output ids (checked against the display outputs) and level names are plain
        // ASCII words: no escaping needed.
        writeln!(
            out,
            r#"{{"bake":"live-{}","output":"{output}","level":"{}","threads":1,"best_ms":{},"median_ms":{},"f64_nodes":{}}}"#,
            live::SIZE,
            t.level.as_str(),
            round(t.best_ms),
            round(t.median_ms),
            t.f64_nodes
        )?;
    } else {
        writeln!(
            out,
            "{output:<28} {:<7} {:>8.3} {:>10.3} {:>14}",
            t.level.as_str(),
            t.best_ms,
            t.median_ms,
            if t.meets_target() { "yes" } else { "no" }
        )?;
    }
    Ok(())
}
