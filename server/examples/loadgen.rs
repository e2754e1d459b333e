//! Load generator for the WebSocket API (the benchmark).
//!
//! `cargo run --release -p lookwire-server --example loadgen -- [URL] [SECONDS]`
//!
//! Drives 16 cameras at 60 trims per second each from 4 clients (each client rides 4
//! cameras), and client 1 also trims client 0's first camera at the same instants, so two
//! clients edit one camera at once. Measures, per change, the time from the sender's send
//! to the moment the last of the 4 clients has received its `change` message (which the
//! server sends only after the change is durable). Creates the extra cameras it needs.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const CLIENTS: usize = 4;
const CAMERAS: usize = 16;
const RATE_PER_CAMERA: f64 = 60.0;

/// Send time of each trim, by (client id, seq); receipts of each version per client.
#[derive(Default)]
struct Book {
    sent: HashMap<(u64, u64), Instant>,
    received: HashMap<(u64, u64), (usize, Instant)>,
    latencies: Vec<Duration>,
    acks: usize,
    errors: usize,
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

/// Makes sure cameras lg-00 … lg-15 exist.
async fn ensure_cameras(host: &str) -> Vec<String> {
    let ids: Vec<String> = (0..CAMERAS).map(|i| format!("lg-{i:02}")).collect();
    for id in &ids {
        let cam =
            json!({"id": id, "label": id.to_uppercase(), "input_space": "sony-slog3-sgamut3cine"});
        let reply = post(host, "/api/v1/cameras", &cam).await;
        let status = reply.split(' ').nth(1).unwrap_or("");
        assert!(status == "201" || status == "409", "creating {id}: {reply}");
    }
    ids
}

fn record_change(book: &Mutex<Book>, msg: &Value, now: Instant) {
    let Some(origin) = msg.get("origin").filter(|o| !o.is_null()) else {
        return;
    };
    let key = (
        origin["client"].as_u64().unwrap_or(0),
        origin["seq"].as_u64().unwrap_or(0),
    );
    let mut book = book.lock().unwrap();
    let entry = book.received.entry(key).or_insert((0, now));
    entry.0 += 1;
    entry.1 = now;
    if entry.0 == CLIENTS {
        let last = entry.1;
        book.received.remove(&key);
        if let Some(sent) = book.sent.remove(&key) {
            book.latencies.push(last - sent);
        }
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
    let (ws, _) = tokio_tungstenite::connect_async(&url)
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
            let msg: Value = serde_json::from_str(&text).unwrap();
            match msg["type"].as_str() {
                Some("change") => record_change(&reader_book, &msg, now),
                Some("ack") => reader_book.lock().unwrap().acks += 1,
                Some("error") => reader_book.lock().unwrap().errors += 1,
                _ => {}
            }
        }
    });
    // Every camera at 60 Hz: one tick per frame, all of this client's cameras per tick.
    let period = Duration::from_secs_f64(1.0 / RATE_PER_CAMERA);
    let mut seq = 0u64;
    let ticks = (seconds as f64 * RATE_PER_CAMERA) as u64;
    for tick in 0..ticks {
        tokio::time::sleep_until((start + period * tick as u32).into()).await;
        let targets = cameras.iter().chain(shared.iter());
        for camera in targets {
            seq += 1;
            let value = 1.0 + ((tick % 100) as f64) / 1000.0 + index as f64 / 10_000.0;
            let msg = json!({"type": "trim", "seq": seq, "camera": camera, "field": "trim.slope.g", "value": value});
            book.lock()
                .unwrap()
                .sent
                .insert((client, seq), Instant::now());
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
    let cameras = ensure_cameras(&host).await;
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
    let book = book.lock().unwrap();
    let mut lat = book.latencies.clone();
    lat.sort();
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
    if sent == 0 {
        std::process::exit(1);
    }
}
