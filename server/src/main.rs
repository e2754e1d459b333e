//! `lookwire`: the live-grading server and its command line.

use clap::Parser;

fn main() -> std::process::ExitCode {
    quiet_on_closed_stdout();
    let cli = lookwire_server::cli::Cli::parse();
    match lookwire_server::cli::run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`lookwire spaces --json | head`) is no failure.
        Err(err) if closed_pipe(&err) && stdout_reader_gone() => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("lookwire: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `println!` panics when standard output is a closed pipe (Rust ignores SIGPIPE, so
/// sockets report errors instead); a reader that stopped early is no failure, so that
/// panic ends the process quietly with success. Every other panic is reported as before.
fn quiet_on_closed_stdout() {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.to_string().contains("failed printing to stdout") && stdout_reader_gone() {
            std::process::exit(0);
        }
        report(info);
    }));
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

/// True when standard output is a pipe whose reader has gone, so a broken pipe from a
/// socket or another file is still reported.
fn stdout_reader_gone() -> bool {
    #[cfg(unix)]
    {
        let mut fd = libc::pollfd {
            fd: libc::STDOUT_FILENO,
            events: 0,
            revents: 0,
        };
        // SAFETY: one valid pollfd, no wait; poll reads and writes only that struct.
        let ready = unsafe { libc::poll(&mut fd, 1, 0) };
        ready == 1 && fd.revents & libc::POLLERR != 0
    }
    #[cfg(not(unix))]
    {
        false
    }
}
