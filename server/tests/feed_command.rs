//! End to end with the real binary: `lookwire serve --feed a=command:…` runs a generated
//! stream (a small Python program writing rgb48le frames), the API reports the feed and
//! its frames, and when the server exits its command is killed with the helpers it started
//! (Ctrl-C); when the server is SIGKILLed, the command still dies (Linux parent-death
//! signal).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const PATIENCE: Duration = Duration::from_secs(60);

/// Starts a helper in its process group, notes both process ids in `pids`, then writes a
/// 64x36 rgb48le frame every 40 ms.
const GENERATOR: &str = r#"
import os, struct, subprocess, sys, time
pids = sys.argv[1]
helper = subprocess.Popen(["sleep", "1000"])
with open(pids + ".tmp", "w") as f:
    f.write("%d %d" % (os.getpid(), helper.pid))
os.rename(pids + ".tmp", pids)
i = 0
while True:
    c = (i * 997) % 65536
    sys.stdout.buffer.write(struct.pack("<3H", c, c, c) * (64 * 36))
    sys.stdout.flush()
    i += 1
    time.sleep(0.04)
"#;

struct Served {
    child: Child,
    addr: SocketAddr,
    pids: [u32; 2],
}

fn serve(dir: &Path) -> Served {
    let script = dir.join("gen.py");
    std::fs::write(&script, GENERATOR).unwrap();
    let pids = dir.join("pids");
    let feed = format!(
        "a=command:64x36:rgb48le:python3 {} {}",
        script.display(),
        pids.display()
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_lookwire"))
        .args(["serve", "--demo", "--bind", "127.0.0.1:0", "--feed", &feed])
        .arg("--store")
        .arg(dir.join("show.sqlite"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the lookwire binary starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("the server prints its URL").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.trim_end_matches('/').parse().unwrap();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    let end = Instant::now() + PATIENCE;
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&pids) {
            break text;
        }
        assert!(Instant::now() < end, "the feed's command never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    let ids: Vec<u32> = text.split(' ').map(|p| p.parse().unwrap()).collect();
    Served {
        child,
        addr,
        pids: [ids[0], ids[1]],
    }
}

fn get(addr: SocketAddr, path: &str) -> Value {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// Whether `pid` is gone or a zombie.
fn dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim()
            .starts_with('Z'),
    }
}

fn wait_dead(pid: u32, what: &str) {
    let end = Instant::now() + PATIENCE;
    while !dead(pid) {
        assert!(Instant::now() < end, "{what} {pid} still runs");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(pid: u32, signal: i32) {
    // SAFETY: kill(2) only sends a signal to a process this test started.
    unsafe { libc::kill(pid as i32, signal) };
}

#[test]
fn the_api_reports_a_command_feed_and_ctrl_c_kills_its_command_and_helpers() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(dir.path());
    let end = Instant::now() + PATIENCE;
    let source = loop {
        let source = get(served.addr, "/api/v1/cameras/a/source");
        if source["kind"] == "feed" && source["feed"]["frames"].as_u64() >= Some(2) {
            break source;
        }
        assert!(Instant::now() < end, "no frames: {source}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(source["format"], "rgb48le");
    assert_eq!(
        (source["width"].as_u64(), source["height"].as_u64()),
        (Some(64), Some(36))
    );
    assert_eq!(source["feed"]["source"], "command");
    assert_eq!(source["feed"]["state"], "running");
    assert_eq!(source["feed"]["pid"].as_u64(), Some(served.pids[0].into()));

    signal(served.child.id(), libc::SIGINT);
    let status = served.child.wait().unwrap();
    assert!(status.success(), "{status}");
    wait_dead(served.pids[0], "the feed's command");
    wait_dead(served.pids[1], "the helper it started");
}

#[test]
fn a_sigkilled_server_takes_its_feed_command_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve(dir.path());
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    // The command gets the parent-death signal; a helper it started outside it is the
    // command's business (here: this test's), so it is ended by hand.
    wait_dead(served.pids[0], "the feed's command");
    signal(served.pids[1], libc::SIGKILL);
}
