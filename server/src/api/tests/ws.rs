//! The WebSocket over a real socket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::TestServer;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn connect(addr: std::net::SocketAddr, query: &str) -> (Socket, Value) {
    let url = format!("ws://{addr}/api/v1/ws{query}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let hello = next(&mut ws).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    (ws, hello)
}

/// The next JSON message (fails after 30 s: a debug server on a busy CI machine is slow).
async fn next(ws: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a message within 30 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// Messages until one of `kind` arrives; returns it and those skipped.
async fn until(ws: &mut Socket, kind: &str) -> (Value, Vec<Value>) {
    let mut skipped = Vec::new();
    loop {
        let msg = next(ws).await;
        if msg["type"] == kind {
            return (msg, skipped);
        }
        skipped.push(msg);
    }
}

async fn send(ws: &mut Socket, msg: Value) {
    ws.send(Message::Text(msg.to_string().into()))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_trim_is_acked_and_broadcast_to_every_client() {
    let t = TestServer::demo();
    let addr = t.listen().await;
    let (mut a, hello_a) = connect(addr, "").await;
    let (mut b, _) = connect(addr, "").await;
    assert_eq!(hello_a["version"], 0);
    assert_eq!(hello_a["role"], "admin");
    let trim =
        json!({"type": "trim", "seq": 41, "camera": "c", "field": "trim.offset.g", "value": 0.025});
    send(&mut a, trim).await;
    let (ack, seen) = until(&mut a, "ack").await;
    assert_eq!(ack, json!({"type": "ack", "seq": 41, "version": 1}));
    // The change reaches the sender before its ack (broadcast happens before the reply);
    // other news (tally, devices) may arrive in between and is not this test's concern.
    let changes: Vec<&Value> = seen.iter().filter(|m| m["type"] == "change").collect();
    assert_eq!(changes.len(), 1, "{seen:?}");
    let (change, _) = until(&mut b, "change").await;
    assert_eq!(&change, changes[0]);
    assert_eq!(change["version"], 1);
    assert_eq!(
        change["origin"],
        json!({"client": hello_a["client"], "seq": 41})
    );
    assert_eq!(
        change["event"]["patches"][0]["path"],
        "/cameras/c/grade/trim/offset/1"
    );
    assert_eq!(change["event"]["patches"][0]["after"], 0.025);
    let (_, cam) = t.get("/api/v1/cameras/c").await;
    assert_eq!(cam["grade"]["trim"]["offset"], json!([0.0, 0.025, 0.0]));
}

#[tokio::test]
async fn bad_messages_get_errors_with_their_seq_and_change_nothing() {
    let t = TestServer::demo();
    let addr = t.listen().await;
    let (mut ws, _) = connect(addr, "").await;
    let cases = [
        (
            json!({"type": "trim", "seq": 1, "camera": "zz", "field": "trim.sat", "value": 1.0}),
            "not_found",
            "/cameras/zz",
        ),
        (
            json!({"type": "trim", "seq": 2, "camera": "a", "field": "trim.gain", "value": 1.0}),
            "invalid_field",
            "/field",
        ),
        (
            json!({"type": "trim", "seq": 3, "camera": "a", "field": "trim.power.b", "value": -1.0}),
            "invalid_value",
            "/cameras/a/grade/trim/power/2",
        ),
        (
            json!({"type": "trim", "seq": 4, "camera": "a", "field": "trim.slope", "value": [1, 2]}),
            "invalid_value",
            "/cameras/a/grade/trim/slope",
        ),
        (
            json!({"type": "trim", "seq": 5, "camera": "a", "field": "trim.sat", "value": "high"}),
            "invalid_value",
            "/cameras/a/grade/trim/sat",
        ),
        (
            json!({"type": "trim", "seq": 6, "camera": "a", "field": "trim.sat", "value": 1.0, "extra": 1}),
            "invalid_body",
            "",
        ),
        (json!({"type": "spin", "seq": 7}), "invalid_body", "/type"),
        (
            json!({"type": "undo", "seq": 8, "camera": "a"}),
            "nothing_to_undo",
            "",
        ),
    ];
    for (msg, code, path) in cases {
        let seq = msg["seq"].clone();
        send(&mut ws, msg).await;
        let (reply, _) = until(&mut ws, "error").await;
        assert_eq!(reply["type"], "error", "{reply}");
        assert_eq!(reply["seq"], seq, "{reply}");
        assert_eq!(reply["error"]["code"], code, "{reply}");
        assert_eq!(reply["error"]["path"], path, "{reply}");
    }
    ws.send(Message::Text("{not json".into())).await.unwrap();
    let (reply, _) = until(&mut ws, "error").await;
    assert_eq!(
        (reply["seq"].clone(), reply["error"]["code"].clone()),
        (Value::Null, json!("invalid_json"))
    );
    assert_eq!(t.get("/api/v1/show").await.1["version"], 0);
}

#[tokio::test]
async fn a_client_resuming_with_since_receives_what_it_missed() {
    let t = TestServer::demo();
    let addr = t.listen().await;
    let (mut a, _) = connect(addr, "").await;
    for (seq, value) in [(1, 1.1), (2, 1.2), (3, 1.3)] {
        send(
            &mut a,
            json!({"type": "trim", "seq": seq, "camera": "a", "field": "trim.sat", "value": value}),
        )
        .await;
        until(&mut a, "ack").await;
    }
    let (mut late, hello) = connect(addr, "?since=1").await;
    assert_eq!(hello["version"], 3);
    let missed = [
        until(&mut late, "change").await.0,
        until(&mut late, "change").await.0,
    ];
    assert_eq!(
        missed.clone().map(|m| m["version"].as_u64().unwrap()),
        [2, 3]
    );
    assert_eq!(missed[1]["event"]["patches"][0]["after"], 1.3);
    // Then live changes follow, each once.
    send(
        &mut a,
        json!({"type": "trim", "seq": 4, "camera": "a", "field": "trim.sat", "value": 1.4}),
    )
    .await;
    assert_eq!(until(&mut late, "change").await.0["version"], 4);
}

#[tokio::test]
async fn concurrent_edits_of_one_field_end_on_the_last_committed_value() {
    let t = TestServer::demo();
    let addr = t.listen().await;
    let (mut a, _) = connect(addr, "").await;
    let (mut b, _) = connect(addr, "").await;
    for i in 0..20u64 {
        let msg = |v: f64| json!({"type": "trim", "seq": i, "camera": "d", "field": "trim.slope.r", "value": v});
        send(&mut a, msg(1.0 + i as f64 / 100.0)).await;
        send(&mut b, msg(2.0 + i as f64 / 100.0)).await;
    }
    let mut last_seen = Vec::new();
    for ws in [&mut a, &mut b] {
        let mut acks = 0;
        let mut last = (0u64, Value::Null);
        while acks < 20 || last.0 < 40 {
            let msg = next(ws).await;
            match msg["type"].as_str() {
                Some("ack") => acks += 1,
                Some("change") => {
                    let v = msg["version"].as_u64().unwrap();
                    assert_eq!(v, last.0 + 1, "versions arrive in order without gaps");
                    last = (v, msg["event"]["patches"][0]["after"].clone());
                }
                _ => panic!("{msg}"),
            }
        }
        last_seen.push(last);
    }
    assert_eq!(last_seen[0], last_seen[1]);
    let (_, cam) = t.get("/api/v1/cameras/d").await;
    assert_eq!(cam["grade"]["trim"]["slope"][0], last_seen[0].1);
}

/// Pipelined messages from two clients, one refused in the middle: on each socket every
/// version arrives once and in order; the sender's replies come in the order sent, and
/// each ack after its own change.
#[tokio::test]
async fn pipelined_replies_keep_order_and_follow_their_change() {
    let t = TestServer::demo();
    let addr = t.listen().await;
    let (mut a, hello) = connect(addr, "").await;
    let (mut b, _) = connect(addr, "").await;
    let trim = |seq: u64, camera: &str, value: f64| json!({"type": "trim", "seq": seq, "camera": camera, "field": "trim.slope.r", "value": value});
    for seq in 1..=30u64 {
        let msg = match seq {
            15 => trim(seq, "nope", 1.0),
            _ => trim(seq, "a", 1.0 + seq as f64 / 100.0),
        };
        send(&mut a, msg).await;
        send(&mut b, trim(seq, "b", 1.0 + seq as f64 / 100.0)).await;
    }
    let mut versions = Vec::new();
    let mut own_changes = Vec::new();
    let mut replies = Vec::new();
    while replies.len() < 30 {
        let msg = next(&mut a).await;
        match msg["type"].as_str() {
            Some("change") => {
                versions.push(msg["version"].as_u64().unwrap());
                if msg["origin"]["client"] == hello["client"] {
                    own_changes.push(msg["origin"]["seq"].as_u64().unwrap());
                }
            }
            Some("ack") => {
                let seq = msg["seq"].as_u64().unwrap();
                assert!(own_changes.contains(&seq), "ack {seq} before its change");
                replies.push((seq, "ack"));
            }
            Some("error") => replies.push((msg["seq"].as_u64().unwrap(), "error")),
            _ => {}
        }
    }
    let expected: Vec<(u64, &str)> = (1..=30)
        .map(|s| (s, if s == 15 { "error" } else { "ack" }))
        .collect();
    assert_eq!(replies, expected);
    let mut seen_b = Vec::new();
    while seen_b.len() < 59 {
        let msg = next(&mut b).await;
        if msg["type"] == "change" {
            seen_b.push(msg["version"].as_u64().unwrap());
        }
    }
    assert_eq!(seen_b, (1..=59).collect::<Vec<u64>>());
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

#[tokio::test]
async fn events_and_the_since_replay_stop_at_the_durable_version() {
    let (t, entered) = TestServer::with_gated_store();
    let addr = t.listen().await;
    let trim = crate::show::durable_tests::trim("a", 1.1);
    let pending = t.state.show.submit("vc", trim, None).await.unwrap();
    // The sync has begun: the change is committed in the store, not yet durable.
    let (seen, finish) = entered.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(seen, 1);
    assert_eq!(t.get("/api/v1/events?since=0").await.1, json!([]));
    let (mut late, hello) = connect(addr, "?since=0").await;
    assert_eq!(hello["version"], 0);
    let early = tokio::time::timeout(Duration::from_millis(300), next(&mut late)).await;
    assert!(early.is_err(), "replayed before its sync: {early:?}");

    finish.send(Ok(())).unwrap();
    assert_eq!(pending.wait().await.unwrap().version, 1);
    assert_eq!(until(&mut late, "change").await.0["version"], 1);
    let (_, events) = t.get("/api/v1/events?since=0").await;
    assert_eq!(events.as_array().map(Vec::len), Some(1), "{events}");
}
