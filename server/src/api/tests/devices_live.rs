//! Devices as they change at run time: a tally source that falls silent, the device list
//! pushed over the WebSocket, and reconfiguring a device (new one started before the old is
//! dropped, store kept consistent). Real loopback sockets throughout.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use futures_util::StreamExt;
use lookwire_protocol::sim::tsl_mixer;
use serde_json::{json, Value};

use super::devices::{box_sim, lwlb, wait_device};
use super::{assert_error, TestServer};
use crate::devices::DeviceService;

async fn server() -> (TestServer, Arc<DeviceService>) {
    let t = TestServer::demo();
    let svc = DeviceService::start(t.state.show.clone(), t.state.devices.clone(), Vec::new());
    (t, svc)
}

fn free_udp() -> std::net::SocketAddr {
    let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    s.local_addr().unwrap()
}

fn mixer(udp: std::net::SocketAddr, extra: Value) -> Value {
    let mut driver = json!({"kind": "tsl", "udp": udp.to_string(), "tcp": "127.0.0.1:0",
        "sources": {"0": "a"}});
    if let (Some(d), Some(e)) = (driver.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    json!({"id": "mixer", "driver": driver})
}

/// Camera A (index 0) on program.
fn on_air() -> Vec<u8> {
    tsl_mixer::v5_packet(2, 0, 1, false)
}

/// Sends camera A on air every 100 ms until `GET /tally` reports it on program.
async fn keep_on_air_until_seen(t: &TestServer, to: std::net::SocketAddr) -> Value {
    keep_on_air_until(t, to, |_| true).await
}

/// Sends camera A on air every 100 ms until `GET /tally` reports it on program and `ok`.
async fn keep_on_air_until(
    t: &TestServer,
    to: std::net::SocketAddr,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..600 {
        tsl_mixer::send_udp(to, &on_air()).await.unwrap();
        let (_, tally) = t.get("/api/v1/tally").await;
        if tally[0]["program"] == true && ok(&tally[0]) {
            return tally;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "camera A never went on air as expected: {}",
        t.get("/api/v1/tally").await.1
    );
}

async fn test_mixer(t: &TestServer) -> Value {
    let (s, r) = t
        .post("/api/v1/devices/mixer/test", json!({"action": "connect"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_tally_source_expires_its_cameras_and_its_test_says_so() {
    let (t, _svc) = server().await;
    let udp = free_udp();
    let res = t
        .post("/api/v1/devices", mixer(udp, json!({"timeout_ms": 1500})))
        .await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    wait_device(&t, "mixer", "listening", |d| d["state"] == "connected").await;

    // Before the mixer speaks, the test fails and says so.
    let r = test_mixer(&t).await;
    assert_eq!(r["ok"], false, "{r}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("no tally heard yet"),
        "{r}"
    );

    let tally = keep_on_air_until_seen(&t, udp).await;
    assert_eq!(tally[0]["expired"], false);
    // While the mixer speaks, the test passes and names what it heard.
    tsl_mixer::send_udp(udp, &on_air()).await.unwrap();
    let r = test_mixer(&t).await;
    let m = r["message"].as_str().unwrap().to_string();
    assert!(
        m.contains("from 127.0.0.1") && m.contains("messages"),
        "{r}"
    );
    if r["ok"] != true {
        // Only a machine stalled past the 1.5 s timeout gets here; then it says so.
        assert!(m.contains("silent"), "{r}");
    }

    // Silence: camera A goes off air, marked expired, and the source's row says why.
    let d = wait_device(&t, "mixer", "the silence noted", |d| {
        d["error"]
            .as_str()
            .is_some_and(|e| e.contains("no tally for"))
    })
    .await;
    assert_eq!(d["state"], "connected", "still listening: {d}");
    let (_, tally) = t.get("/api/v1/tally").await;
    assert_eq!(tally[0]["camera"], "a");
    assert_eq!(tally[0]["program"], false, "{tally}");
    assert_eq!(tally[0]["expired"], true, "{tally}");
    let r = test_mixer(&t).await;
    assert_eq!(r["ok"], false, "{r}");
    assert!(r["message"].as_str().unwrap().contains("silent"), "{r}");

    // The mixer speaks again: on air, no longer expired, the row is clear.
    let tally = keep_on_air_until_seen(&t, udp).await;
    assert_eq!(tally[0]["expired"], false, "{tally}");
    wait_device(&t, "mixer", "the error cleared", |d| d["error"].is_null()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_pushes_the_device_list() {
    let (t, _svc) = server().await;
    let url = format!("ws://{}/api/v1/ws", t.listen().await);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let hello = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
    let hello = hello.expect("a hello").unwrap().unwrap();
    assert!(hello.to_text().unwrap().contains("\"hello\""), "{hello:?}");
    let sim = box_sim().await;
    let res = t.post("/api/v1/devices", lwlb("box-ws", "a", &sim)).await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    let listed = loop {
        let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .expect("a devices message")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        if v["type"] != "devices" {
            continue;
        }
        let devices = v["devices"].as_array().unwrap().clone();
        if let Some(d) = devices.into_iter().find(|d| d["id"] == "box-ws") {
            if d["state"] == "connected" {
                break d;
            }
        }
    };
    assert_eq!(listed["kind"], "lwlb");
    assert_eq!(listed["camera"], "a");
    // Removal is pushed too.
    let (s, _) = t.call(Method::DELETE, "/api/v1/devices/box-ws", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(60), ws.next())
            .await
            .expect("a devices message without box-ws")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        if v["type"] == "devices"
            && v["devices"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["id"] != "box-ws")
        {
            break;
        }
    }
}

fn stored_udp(t: &TestServer) -> String {
    let stored = t.state.reader.lock().unwrap().devices().unwrap();
    let c: Value = serde_json::from_str(&stored[0].config).unwrap();
    c["driver"]["udp"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_reconfigure_keeps_the_old_device_running_and_stored() {
    let (t, _svc) = server().await;
    let udp = free_udp();
    assert_eq!(
        t.post("/api/v1/devices", mixer(udp, json!({}))).await.0,
        StatusCode::CREATED
    );
    keep_on_air_until_seen(&t, udp).await;

    // Moving to a port another program holds fails: the old source still runs and is
    // still what the store holds.
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let body = mixer(taken.local_addr().unwrap(), json!({}));
    let res = t
        .call(Method::PUT, "/api/v1/devices/mixer", Some(body))
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "cannot_start", "");
    let (_, detail) = t.get("/api/v1/devices/mixer").await;
    assert_eq!(
        detail["config"]["driver"]["udp"],
        udp.to_string(),
        "{detail}"
    );
    assert_eq!(stored_udp(&t), udp.to_string());
    // It still hears the mixer on its port: off air, then on air again.
    tsl_mixer::send_udp(udp, &tsl_mixer::v5_packet(2, 1, 0, false))
        .await
        .unwrap();
    for _ in 0..600 {
        if t.get("/api/v1/tally").await.1[0]["program"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    keep_on_air_until_seen(&t, udp).await;

    // Reconfiguring on the same port works: the old source lets go of it first.
    let body = mixer(udp, json!({"protection": {"mode": "hold"}}));
    let res = t
        .call(Method::PUT, "/api/v1/devices/mixer", Some(body))
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    // (Camera A stays on air from the old source until the mixer speaks to the new one.)
    let tally = keep_on_air_until(&t, udp, |c| c["protection"]["mode"] == "hold").await;
    assert_eq!(tally[0]["source"], "mixer", "{tally}");
    let stored = t.state.reader.lock().unwrap().devices().unwrap();
    assert!(stored[0].config.contains("hold"), "{}", stored[0].config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconfigured_box_never_leaves_the_device_list() {
    let (t, _svc) = server().await;
    let (one, two) = (box_sim().await, box_sim().await);
    assert_eq!(
        t.post("/api/v1/devices", lwlb("box-a", "a", &one)).await.0,
        StatusCode::CREATED
    );
    wait_device(&t, "box-a", "a push", |d| d["last_push_ms"].is_number()).await;
    // Record every list the registry publishes while the box moves to another address.
    let mut rx = t.state.devices.subscribe();
    // (seen, missing) counted as they happen: the watcher only ends when aborted.
    let counts = Arc::new([AtomicUsize::new(0), AtomicUsize::new(0)]);
    let watched = counts.clone();
    let watcher = tokio::spawn(async move {
        while rx.changed().await.is_ok() {
            watched[0].fetch_add(1, Ordering::SeqCst);
            if !rx.borrow_and_update().iter().any(|d| d.id == "box-a") {
                watched[1].fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let res = t
        .call(
            Method::PUT,
            "/api/v1/devices/box-a",
            Some(lwlb("box-a", "a", &two)),
        )
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let d = wait_device(&t, "box-a", "the new box fed", |d| {
        d["state"] == "connected" && d["last_push_ms"].is_number()
    })
    .await;
    assert_eq!(d["camera"], "a");
    for _ in 0..2400 {
        if super::devices::slot_lut(&two).is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(
        super::devices::slot_lut(&two).is_some(),
        "the new box holds a look"
    );
    watcher.abort();
    let (seen, missing) = (
        counts[0].load(Ordering::SeqCst),
        counts[1].load(Ordering::SeqCst),
    );
    assert!(seen > 0, "the watcher saw the list change");
    assert_eq!(
        missing, 0,
        "the box was missing from {missing} of {seen} lists"
    );
    let stored = t.state.reader.lock().unwrap().devices().unwrap();
    assert!(stored[0].config.contains(&two.addr().to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_boxes_leave_the_api_and_the_other_boxes_alone() {
    use lookwire_protocol::sim::lutbox::Fault;
    let (t, _svc) = server().await;
    let good = box_sim().await;
    let mut faulty = Vec::new();
    for (id, fault) in [
        ("slow", Fault::NeverReads),
        ("drops", Fault::DropsMidLut),
        ("garbage", Fault::Garbage),
    ] {
        let sim = box_sim().await;
        sim.set_fault(fault);
        let res = t.post("/api/v1/devices", lwlb(id, "a", &sim)).await;
        assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
        faulty.push(sim);
    }
    let off = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let off_addr = off.local_addr().unwrap().to_string();
    drop(off);
    let body = json!({"id": "off", "camera": "a", "output": "sdr",
        "driver": {"kind": "lwlb", "address": off_addr}});
    assert_eq!(t.post("/api/v1/devices", body).await.0, StatusCode::CREATED);
    assert_eq!(
        t.post("/api/v1/devices", lwlb("good", "a", &good)).await.0,
        StatusCode::CREATED
    );
    let mut last = super::devices::wait_slot(&good, "a first look", |_| true).await;
    // Trims keep reaching the good box, and the API keeps answering, while the others fail.
    for (i, slope) in [1.1, 1.2, 1.3].into_iter().enumerate() {
        super::devices::trim(&t, "a", slope).await;
        let (s, cams) = t.get("/api/v1/cameras").await;
        assert_eq!(s, StatusCode::OK, "{cams}");
        let before = last.clone();
        last = super::devices::wait_slot(&good, &format!("trim {i}"), |l| *l != before).await;
    }
    for id in ["slow", "drops", "garbage", "off"] {
        let d = wait_device(&t, id, "marked", |d| {
            d["state"] != "connected" || d["error"].is_string()
        })
        .await;
        assert!(
            d["error"].is_string() || d["state"] == "connecting",
            "{id}: {d}"
        );
    }
    let d = wait_device(&t, "good", "still fine", |d| d["state"] == "connected").await;
    assert!(d["error"].is_null(), "{d}");
}
