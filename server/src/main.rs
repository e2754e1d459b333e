//! `lookwire`: the live-grading server and its command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = lookwire_server::cli::Cli::parse();
    match lookwire_server::cli::run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`lookwire spaces --json | head`) is no failure.
        Err(err) if closed_pipe(&err) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lookwire: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn closed_pipe(err: &anyhow::Error) -> bool {
    let pipe = Some(std::io::ErrorKind::BrokenPipe);
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().map(|io| io.kind());
        let json = cause
            .downcast_ref::<serde_json::Error>()
            .and_then(|e| e.io_error_kind());
        io == pipe || json == pipe
    })
}
