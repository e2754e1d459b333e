//! End to end with the real binary: SIGKILL the server in the middle of a burst of 1000
//! trims from four clients, restart it on the same store, and find every acknowledged
//! change, with the value that client sent, at the version it was acknowledged with.

#[path = "support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use support::Server;

const CLIENTS: u64 = 4;
const TRIMS_PER_CLIENT: u64 = 250;
const CAMERAS: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
const FIELDS: [&str; 3] = ["trim.offset.r", "trim.offset.g", "trim.offset.b"];

/// What client `client` sends as its `seq`-th trim: a field and a value no other trim uses.
fn trim(client: u64, seq: u64) -> (&'static str, &'static str, f64) {
    let camera = CAMERAS[((client + seq) % 6) as usize];
    let field = FIELDS[(seq % 3) as usize];
    (camera, field, (client * 1000 + seq) as f64 / 100_000.0)
}

/// The pointer a trim field writes.
fn pointer(camera: &str, field: &str) -> String {
    let channel = match field.rsplit('.').next() {
        Some("r") => 0,
        Some("g") => 1,
        _ => 2,
    };
    format!("/cameras/{camera}/grade/trim/offset/{channel}")
}

/// Sends this client's trims (paced, pipelined) and records each ack: seq → version.
async fn client(
    url: String,
    id: u64,
    acked: Arc<Mutex<HashMap<(u64, u64), u64>>>,
    total: Arc<AtomicUsize>,
) {
    let Ok((ws, _)) = tokio_tungstenite::connect_async(url).await else {
        return;
    };
    let (mut tx, mut rx) = ws.split();
    let sender = tokio::spawn(async move {
        for seq in 0..TRIMS_PER_CLIENT {
            let (camera, field, value) = trim(id, seq);
            let msg = json!({"type": "trim", "seq": seq, "camera": camera, "field": field, "value": value});
            if tx
                .send(Message::Text(msg.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
            tokio::time::sleep(Duration::from_micros(500)).await;
        }
    });
    while let Some(Ok(msg)) = rx.next().await {
        let Message::Text(text) = msg else { continue };
        let msg: Value = serde_json::from_str(&text).unwrap();
        if msg["type"] == "ack" {
            let (seq, version) = (
                msg["seq"].as_u64().unwrap(),
                msg["version"].as_u64().unwrap(),
            );
            acked.lock().unwrap().insert((id, seq), version);
            total.fetch_add(1, Ordering::SeqCst);
        }
        assert_ne!(msg["type"], "error", "{msg}");
    }
    sender.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_trim_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("show.sqlite");
    let mut server = Server::start(&store, true);
    let url = format!("ws://{}/api/v1/ws", server.addr);
    let acked = Arc::new(Mutex::new(HashMap::new()));
    let total = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| tokio::spawn(client(url.clone(), id, acked.clone(), total.clone())))
        .collect();
    // Kill once a good part of the burst is acknowledged, while trims are still in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while total.load(Ordering::SeqCst) < 300 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.sigkill();
    for c in clients {
        let _ = tokio::time::timeout(Duration::from_secs(10), c).await;
    }
    let acked = acked.lock().unwrap().clone();
    let sent_all = CLIENTS * TRIMS_PER_CLIENT;
    assert!(
        acked.len() >= 300,
        "only {} acks before the kill",
        acked.len()
    );
    assert!(
        (acked.len() as u64) < sent_all,
        "the kill came after the burst ended"
    );

    let server = Server::start(&store, false);
    let events = server.events().await;
    let by_version: HashMap<u64, &Value> = events
        .iter()
        .map(|e| (e["version"].as_u64().unwrap(), e))
        .collect();
    for (&(client, seq), &version) in &acked {
        let event = by_version.get(&version).unwrap_or_else(|| {
            panic!("acked version {version} (client {client} seq {seq}) is lost")
        });
        let (camera, field, value) = trim(client, seq);
        let patch = &event["patches"][0];
        assert_eq!(patch["path"], pointer(camera, field), "version {version}");
        assert_eq!(patch["after"].as_f64().unwrap(), value, "version {version}");
    }
    // Versions have no gaps, and the state is the last write to each field.
    let versions: Vec<u64> = events
        .iter()
        .map(|e| e["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, (1..=versions.len() as u64).collect::<Vec<_>>());
    let cameras = server.get("/api/v1/cameras").await;
    let mut last: HashMap<String, f64> = HashMap::new();
    for e in &events {
        let p = &e["patches"][0];
        last.insert(
            p["path"].as_str().unwrap().to_owned(),
            p["after"].as_f64().unwrap(),
        );
    }
    for cam in cameras.as_array().unwrap() {
        for channel in 0..3 {
            let path = format!(
                "/cameras/{}/grade/trim/offset/{channel}",
                cam["id"].as_str().unwrap()
            );
            let expected = last.get(&path).copied().unwrap_or(0.0);
            assert_eq!(
                cam["grade"]["trim"]["offset"][channel].as_f64().unwrap(),
                expected,
                "{path}"
            );
        }
    }
    eprintln!(
        "kill test: {} of {sent_all} trims acked before SIGKILL, {} stored",
        acked.len(),
        events.len()
    );
}
