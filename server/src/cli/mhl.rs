//! `lookwire mhl create|verify|diff`: ASC MHL v2 histories, compatible with the `ascmhl` tool.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::post::mhl::{self, CreateOptions, HashFormat, MhlError, Progress, VerifyOptions};
use indicatif::{ProgressBar, ProgressStyle};

const EXIT_CODES: &str = "\
Exit codes (as ascmhl's):
   0  verified / generation written (or nothing changed)
   1  an I/O or format error (message on stderr)
  10  files recorded in the history are missing
  11  a file's hash differs from its original hash (create still writes the generation, marked failed)
  21  new files that no generation records (verify, diff)
  30  no ascmhl/ history
  31  a manifest was modified after it was written (its C4 differs from ascmhl_chain.xml)
  32  ascmhl/ has no ascmhl_chain.xml
  33  a manifest named in ascmhl_chain.xml is missing";

#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    pub command: MhlCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum MhlCommand {
    /// Hash a folder and add a generation to its ascmhl/ history, only when its content changed.
    #[command(disable_help_flag = true, after_help = EXIT_CODES)]
    Create {
        /// Root of the tracked folder (ascmhl/ is created inside it).
        path: PathBuf,
        /// Hash format, repeatable: xxh64 (default), xxh3, xxh128, md5, sha1, c4.
        #[arg(short = 'h', long = "hash_format", value_name = "HASH")]
        hash: Vec<HashFormat>,
        /// Write a generation even when nothing changed (a dated re-verification).
        #[arg(long)]
        force: bool,
        /// Extra ignore pattern (gitignore style), repeatable; kept in the history.
        #[arg(short = 'i', long = "ignore", value_name = "PATTERN")]
        ignore: Vec<String>,
        /// Comment stored in the generation's creator info.
        #[arg(long)]
        comment: Option<String>,
        /// List every file as it is recorded.
        #[arg(short, long)]
        verbose: bool,
        /// Print help.
        #[arg(long, action = clap::ArgAction::Help)]
        help: Option<bool>,
    },
    /// Re-hash every file and compare with its original hash; writes nothing.
    #[command(after_help = EXIT_CODES)]
    Verify {
        path: PathBuf,
        /// Extra ignore pattern, repeatable.
        #[arg(short = 'i', long = "ignore", value_name = "PATTERN")]
        ignore: Vec<String>,
        /// Report each verified file too.
        #[arg(short, long)]
        verbose: bool,
    },
    /// List new and missing files without hashing; writes nothing.
    #[command(after_help = EXIT_CODES)]
    Diff {
        path: PathBuf,
        /// Extra ignore pattern, repeatable.
        #[arg(short = 'i', long = "ignore", value_name = "PATTERN")]
        ignore: Vec<String>,
    },
}

/// A byte progress bar on stderr; indicatif hides it when stderr is not a terminal.
struct Bar(ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::new(0);
        let style = ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total_bytes: u64, _files: usize) {
        self.0.set_length(total_bytes);
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let result = match args.command {
        MhlCommand::Create {
            path,
            hash,
            force,
            ignore,
            comment,
            verbose,
            help: _,
        } => {
            let formats = if hash.is_empty() {
                vec![mhl::DEFAULT_HASH_FORMAT]
            } else {
                hash
            };
            let options = CreateOptions {
                formats,
                ignore,
                force,
                comment,
            };
            create(&path, &options, verbose)
        }
        MhlCommand::Verify {
            path,
            ignore,
            verbose,
        } => verify(&path, &VerifyOptions { ignore }, verbose),
        MhlCommand::Diff { path, ignore } => diff(&path, &VerifyOptions { ignore }),
    };
    match result {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(err) => {
            eprintln!("lookwire mhl: {err}");
            Ok(ExitCode::from(err.exit_code()))
        }
    }
}

fn create(path: &std::path::Path, options: &CreateOptions, verbose: bool) -> Result<u8, MhlError> {
    let report = mhl::create(path, options, &Bar::new())?;
    if verbose {
        for file in &report.new_files {
            println!("  created original hash for {file}");
        }
    }
    print_failures(&report.failed, &report.missing);
    match &report.generation {
        Some(generation) => println!("Created new generation {}", generation.display()),
        None => println!(
            "No change since the last generation ({} files verified); nothing written",
            report.files
        ),
    }
    Ok(report.status().code())
}

fn print_failures(mismatches: &[mhl::Mismatch], missing: &[String]) {
    for m in mismatches {
        eprintln!(
            "ERROR: hash mismatch for {} old {}: {}, new {}: {}",
            m.path, m.format, m.expected, m.format, m.actual
        );
    }
    if !missing.is_empty() {
        eprintln!("ERROR: {} missing file(s):", missing.len());
        for path in missing {
            eprintln!("  {path}");
        }
    }
}

fn verify(path: &std::path::Path, options: &VerifyOptions, verbose: bool) -> Result<u8, MhlError> {
    let report = mhl::verify(path, options, &Bar::new())?;
    for file in &report.new_files {
        eprintln!("found new file {file}");
    }
    print_failures(&report.mismatches, &report.missing);
    if verbose || report.status() == mhl::ExitStatus::Ok {
        println!("verified {} file(s)", report.verified);
    }
    Ok(report.status().code())
}

fn diff(path: &std::path::Path, options: &VerifyOptions) -> Result<u8, MhlError> {
    let report = mhl::diff(path, options)?;
    for file in &report.new_files {
        eprintln!("found new file {file}");
    }
    print_failures(&[], &report.missing);
    if report.status() == mhl::ExitStatus::Ok {
        println!("no new or missing files");
    }
    Ok(report.status().code())
}
