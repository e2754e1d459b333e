//! The `lookwire` command line: one module per subcommand.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod apply;
mod bake;
mod bench;
mod chart;
mod convert;
mod export;
mod info;
mod matching;
mod mhl;
mod serve;
mod spaces;

/// lookwire: live grading for multicam shows.
#[derive(Debug, Parser)]
#[command(name = "lookwire", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Bake a camera's look (input → working space → CDL → look LUT → output) into a 3D LUT.
    Bake(bake::Args),

    /// List the input spaces and outputs lookwire knows.
    Spaces(spaces::Args),

    /// Convert a LUT between file formats, resampling when sizes differ.
    Convert(convert::Args),

    /// Describe a LUT or CDL file.
    Info(info::Args),

    /// Render image files through a look.
    Apply(apply::Args),

    /// Measure render throughput per workload and CPU level, or the live bake's time (--live).
    Bench(bench::Args),

    /// Render the built-in test chart as a camera records it.
    Chart(chart::Args),

    /// Solve a camera's match CDL onto a reference camera from pictures of the chart.
    Match(matching::Args),

    /// Run the live-grading server.
    Serve(serve::Args),

    /// ASC MHL v2 checksums: create, verify or diff a folder's ascmhl/ history.
    Mhl(mhl::Args),

    /// Write a post package (CDL, ALE, EDL, AMF) of grades matched to the day's clips.
    Export(export::Args),
}

/// Runs one subcommand; the exit code is the subcommand's.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Bake(args) => bake::run(args),
        Command::Spaces(args) => spaces::run(args),
        Command::Convert(args) => convert::run(args),
        Command::Info(args) => info::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Chart(args) => chart::run(args),
        Command::Match(args) => matching::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Mhl(args) => mhl::run(args),
        Command::Export(args) => export::run(args),
    }
}
