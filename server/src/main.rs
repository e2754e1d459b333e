//! `lookwire`: the live-grading server and its command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = lookwire_server::cli::Cli::parse();
    match lookwire_server::cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("lookwire: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
