//! Load generator for the WebSocket API (the benchmark).
//!
//! `cargo run --release -p lookwire-server --example loadgen -- [URL] [SECONDS]
//! [--cameras a,b,…] [--server-pid PID]`
//!
//! Drives 16 cameras at 60 trims per second each from 4 clients (each client rides 4
//! cameras), and client 1 also trims client 0's first camera at the same instants, so two
//! clients edit one camera at once. Measures, per change, the time from the sender's send
//! to the moment the last of the 4 clients has received its `change` message (which the
//! server sends only after the change is durable); also send → first client's receipt,
//! send → the sender's ack, and how late the generator's own sends left after their tick
//! (its delay, which the other figures leave out). Replies are read into the few fields it
//! needs, not parsed into a tree. Creates the extra cameras it needs
//! (`lg-00` …, feeding the outputs `sdr` and `hdr` when the show has them).
//!
//! `--cameras` trims existing cameras first (e.g. the demo's `a,b,c,d,e,f`, which feed
//! devices: their trims make the server bake looks); `lg-…` cameras fill up to 16.
//! `--server-pid` (Linux) reports the CPU time each group of the server's threads used
//! during the run, from `/proc/PID/task/*/stat`; the load generator's own CPU time is
//! always reported.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const CLIENTS: usize = 4;
const CAMERAS: usize = 16;
const RATE_PER_CAMERA: f64 = 60.0;
/// Bytes a client's socket reads at once (a tick's changes and acks are ~10 KiB).
const READ_BUFFER: usize = 16 * 1024;

/// Send time of each trim, by (client id, seq); receipts of each version per client.
#[derive(Default)]
struct Book {
    sent: HashMap<(u64, u64), Instant>,
    /// Per change: clients that received it so far, and the first receipt.
    received: HashMap<(u64, u64), (usize, Instant)>,
    /// Send → the last client's receipt (the benchmark's figure).
    latencies: Vec<Duration>,
    /// Send → the first client's receipt.
    first: Vec<Duration>,
    /// Send → the sender's ack.
    ack_latencies: Vec<Duration>,
    /// How late each send left after its tick's due time (the load generator's own delay,
    /// not in the figures above).
    send_late: Vec<Duration>,
    acks: usize,
    errors: usize,
}

/// The fields of a server message the load generator reads (the rest is skipped, not
/// built into a tree: the generator shares the machine's CPUs with the server).
#[derive(serde::Deserialize)]
struct Reply {
    #[serde(rename = "type")]
    kind: String,
    seq: Option<u64>,
    origin: Option<ReplyOrigin>,
}

#[derive(serde::Deserialize)]
struct ReplyOrigin {
    client: u64,
    seq: u64,
}

async fn post(host: &str, path: &str, body: &Value) -> String {
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("server reachable");
    let body = body.to_string();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

async fn get(host: &str, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(host)
        .await
        .expect("server reachable");
    let req = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).await.unwrap();
    out
}

/// The given cameras, then `lg-00` … created as needed, 16 in all.
async fn ensure_cameras(host: &str, given: &[String]) -> Vec<String> {
    let outputs = get(host, "/api/v1/outputs").await;
    let feeds: Vec<&str> = ["sdr", "hdr"]
        .into_iter()
        .filter(|o| outputs.contains(&format!("\"id\":\"{o}\"")))
        .collect();
    let mut ids: Vec<String> = given.iter().take(CAMERAS).cloned().collect();
    let fill: Vec<String> = (0..CAMERAS - ids.len())
        .map(|i| format!("lg-{i:02}"))
        .collect();
    ids.extend(fill.iter().cloned());
    for id in &fill {
        let cam = json!({"id": id, "label": id.to_uppercase(),
            "input_space": "sony-slog3-sgamut3cine", "outputs": feeds});
        let reply = post(host, "/api/v1/cameras", &cam).await;
        let status = reply.split(' ').nth(1).unwrap_or("");
        assert!(status == "201" || status == "409", "creating {id}: {reply}");
    }
    ids
}

fn record_change(book: &Mutex<Book>, origin: Option<ReplyOrigin>, now: Instant) {
    let Some(origin) = origin else {
        return;
    };
    let key = (origin.client, origin.seq);
    let mut book = book.lock().unwrap();
    let entry = book.received.entry(key).or_insert((0, now));
    entry.0 += 1;
    if entry.0 == CLIENTS {
        let first = entry.1;
        book.received.remove(&key);
        // Kept in `sent` for the ack, which may come later.
        if let Some(&sent) = book.sent.get(&key) {
            book.latencies.push(now - sent);
            book.first.push(first - sent);
        }
    }
}

fn record_ack(book: &Mutex<Book>, client: u64, seq: Option<u64>, now: Instant) {
    let mut book = book.lock().unwrap();
    book.acks += 1;
    let sent = seq.and_then(|s| book.sent.get(&(client, s)).copied());
    if let Some(sent) = sent {
        book.ack_latencies.push(now - sent);
    }
}

async fn run_client(
    url: String,
    index: usize,
    cameras: Vec<String>,
    shared: Option<String>,
    seconds: u64,
    book: Arc<Mutex<Book>>,
    start: Instant,
) {
    // Small writes leave at once (TCP_NODELAY, as browsers set on WebSockets; with Nagle a
    // tick's second trim waited for the first one's ACK), and the read buffer is 16 KiB, not
    // tungstenite's 128 KiB, which it zero-fills before every read.
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let (ws, _) = tokio_tungstenite::connect_async_with_config(&url, Some(config), true)
        .await
        .expect("WebSocket connects");
    let (mut tx, mut rx) = ws.split();
    let hello: Value = match rx.next().await {
        Some(Ok(Message::Text(t))) => serde_json::from_str(&t).unwrap(),
        other => panic!("no hello: {other:?}"),
    };
    let client = hello["client"].as_u64().unwrap();
    let reader_book = book.clone();
    let reader = tokio::spawn(async move {
        while let Some(Ok(Message::Text(text))) = rx.next().await {
            let now = Instant::now();
            let msg: Reply = serde_json::from_str(&text).unwrap();
            match msg.kind.as_str() {
                "change" => record_change(&reader_book, msg.origin, now),
                "ack" => record_ack(&reader_book, client, msg.seq, now),
                "error" => reader_book.lock().unwrap().errors += 1,
                _ => {}
            }
        }
    });
    // Every camera at 60 Hz: one tick per frame, all of this client's cameras per tick.
    let period = Duration::from_secs_f64(1.0 / RATE_PER_CAMERA);
    let mut seq = 0u64;
    let ticks = (seconds as f64 * RATE_PER_CAMERA) as u64;
    for tick in 0..ticks {
        let due = start + period * tick as u32;
        tokio::time::sleep_until(due.into()).await;
        let targets = cameras.iter().chain(shared.iter());
        for camera in targets {
            seq += 1;
            let value = 1.0 + ((tick % 100) as f64) / 1000.0 + index as f64 / 10_000.0;
            let msg = json!({"type": "trim", "seq": seq, "camera": camera, "field": "trim.slope.g", "value": value});
            {
                let now = Instant::now();
                let mut book = book.lock().unwrap();
                book.sent.insert((client, seq), now);
                book.send_late.push(now.saturating_duration_since(due));
            }
            if tx
                .send(Message::Text(msg.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    reader.abort();
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let host = args
        .get(1)
        .map_or("127.0.0.1:8750", |s| {
            s.trim_start_matches("http://").trim_end_matches('/')
        })
        .to_owned();
    let seconds: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(60);
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let given: Vec<String> = flag("--cameras")
        .map(|c| c.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let server_pid: Option<u32> = flag("--server-pid").and_then(|p| p.parse().ok());
    let cameras = ensure_cameras(&host, &given).await;
    let server_before = server_pid.map(cpu::threads);
    let own_before = cpu::own();
    let url = format!("ws://{host}/api/v1/ws");
    let book = Arc::new(Mutex::new(Book::default()));
    let start = Instant::now() + Duration::from_millis(300);
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let own = cameras[i * 4..i * 4 + 4].to_vec();
            let shared = (i == 1).then(|| cameras[0].clone());
            tokio::spawn(run_client(
                url.clone(),
                i,
                own,
                shared,
                seconds,
                book.clone(),
                start,
            ))
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let own = cpu::own() - own_before;
    let server = server_pid
        .zip(server_before)
        .map(|(p, b)| cpu::since(&cpu::threads(p), &b));
    let mut guard = book.lock().unwrap();
    let book = &mut *guard;
    let mut lat = book.latencies.clone();
    lat.sort();
    for list in [
        &mut book.first,
        &mut book.ack_latencies,
        &mut book.send_late,
    ] {
        list.sort();
    }
    let sent = book.acks + book.errors;
    println!("clients {CLIENTS}, cameras {CAMERAS} at {RATE_PER_CAMERA}/s (+1 shared camera from a second client), {seconds} s");
    println!(
        "trims acked {} ({:.0}/s), errors {}, changes seen by all clients {}",
        book.acks,
        book.acks as f64 / seconds as f64,
        book.errors,
        lat.len()
    );
    println!(
        "send → all clients received: p50 {:?}  p99 {:?}  max {:?}",
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        lat.last().copied().unwrap_or_default()
    );
    for (name, list) in [
        ("send → first client received", &book.first),
        ("send → sender's ack", &book.ack_latencies),
        ("send late after its tick (generator)", &book.send_late),
    ] {
        println!(
            "{name}: p50 {:?}  p99 {:?}  max {:?}",
            percentile(list, 50.0),
            percentile(list, 99.0),
            list.last().copied().unwrap_or_default()
        );
    }
    println!("cameras trimmed: {}", cameras.join(","));
    let per = |d: Duration| d.as_secs_f64() * 1e6 / book.acks.max(1) as f64;
    println!(
        "load generator CPU {:.2} s ({:.1} µs per trim)",
        own.as_secs_f64(),
        per(own)
    );
    if let Some(groups) = server {
        let total: Duration = groups.iter().map(|g| g.1).sum();
        println!(
            "server CPU {:.2} s ({:.1} µs per trim), by thread:",
            total.as_secs_f64(),
            per(total)
        );
        for (name, t) in groups {
            println!(
                "  {name:<24} {:>7.3} s  {:>6.1} µs/trim",
                t.as_secs_f64(),
                per(t)
            );
        }
    }
    if sent == 0 {
        std::process::exit(1);
    }
}

/// CPU time from Linux's `/proc` (utime + stime, in clock ticks of 10 ms).
mod cpu {
    use std::collections::BTreeMap;
    use std::time::Duration;

    const TICK: Duration = Duration::from_millis(10);

    /// utime + stime of one `stat` line (fields after the parenthesised name).
    fn ticks(stat: &str) -> Option<(String, u64)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let name = stat[open + 1..close].to_owned();
        let rest: Vec<&str> = stat[close + 2..].split(' ').collect();
        let (u, s): (u64, u64) = (rest.get(11)?.parse().ok()?, rest.get(12)?.parse().ok()?);
        Some((name, u + s))
    }

    /// This process's CPU time.
    pub fn own() -> Duration {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        TICK * ticks(&stat).map_or(0, |t| t.1) as u32
    }

    /// CPU time per thread of `pid`, by thread id (name, time).
    pub fn threads(pid: u32) -> BTreeMap<String, (String, Duration)> {
        let mut out = BTreeMap::new();
        let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
            return out;
        };
        for task in dir.flatten() {
            let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
            if let Some((name, t)) = ticks(&stat) {
                let tid = task.file_name().to_string_lossy().into_owned();
                out.insert(tid, (name, TICK * t as u32));
            }
        }
        out
    }

    /// CPU time used since `before`, summed by thread name, largest first.
    pub fn since(
        now: &BTreeMap<String, (String, Duration)>,
        before: &BTreeMap<String, (String, Duration)>,
    ) -> Vec<(String, Duration)> {
        let mut groups: BTreeMap<String, Duration> = BTreeMap::new();
        for (tid, (name, t)) in now {
            let was = before.get(tid).map_or(Duration::ZERO, |b| b.1);
            *groups.entry(name.clone()).or_default() += t.saturating_sub(was);
        }
        let mut list: Vec<_> = groups.into_iter().filter(|g| !g.1.is_zero()).collect();
        list.sort_by_key(|g| std::cmp::Reverse(g.1));
        list
    }
}
