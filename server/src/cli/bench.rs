//! `lookwire bench`: render throughput per workload, CPU level and thread count.

use lookwire_color::kernel::workload::{
    copy_bandwidth, measure_with, Clock, Measurement, Workload,
};
use lookwire_color::kernel::{selection, CpuLevel};
use std::io::Write;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print only JSON, one object per line:
    /// {"workload", "level", "threads", "mpx_per_s"}.
    #[arg(long)]
    pub json: bool,
    /// Frame width in pixels.
    #[arg(long, default_value_t = 3840, value_parser = clap::value_parser!(u32).range(1..=16384))]
    pub width: u32,
    /// Frame height in pixels.
    #[arg(long, default_value_t = 2160, value_parser = clap::value_parser!(u32).range(1..=16384))]
    pub height: u32,
    /// Runs per figure; the fastest one counts.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub runs: u32,
    /// Time single-threaded figures by the thread's CPU time instead of the wall clock
    /// (for a machine shared with other work; multi-threaded figures stay wall time).
    #[arg(long)]
    pub cpu_time: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(note) = &selection().note {
        eprintln!("lookwire: {note}");
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
