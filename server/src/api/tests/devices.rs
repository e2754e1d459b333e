//! Device add / configure / test / remove, tally with on-air protection and Videohub
//! routing through the API, against the simulators over real loopback sockets.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use lookwire_color::Lut3d;
use lookwire_protocol::lwlb::receiver::SlotContent;
use lookwire_protocol::sim::lutbox::{default_capabilities, LutBoxSim};
use lookwire_protocol::sim::tsl_mixer;
use lookwire_protocol::sim::videohub::VideohubSim;
use serde_json::{json, Value};

use super::{assert_error, TestServer};
use crate::devices::DeviceService;
use crate::store::{SqliteStore, Store};

async fn server() -> (TestServer, Arc<DeviceService>) {
    let t = TestServer::demo();
    let svc = DeviceService::start(t.state.show.clone(), t.state.devices.clone(), Vec::new());
    (t, svc)
}

pub(super) async fn box_sim() -> LutBoxSim {
    LutBoxSim::start("127.0.0.1:0", default_capabilities("api box"))
        .await
        .unwrap()
}

pub(super) fn lwlb(id: &str, camera: &str, sim: &LutBoxSim) -> Value {
    json!({"id": id, "camera": camera, "output": "sdr",
        "driver": {"kind": "lwlb", "address": sim.addr().to_string()}})
}

/// Waits (up to a minute: debug-build bakes on a loaded machine are slow) until
/// `GET /devices` satisfies `ok` for device `id`.
pub(super) async fn wait_device(
    t: &TestServer,
    id: &str,
    what: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    for _ in 0..2400 {
        let (_, list) = t.get("/api/v1/devices").await;
        if let Some(d) = list
            .as_array()
            .and_then(|l| l.iter().find(|d| d["id"] == id))
        {
            if ok(d) {
                return d.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "{id}: timed out waiting for {what}: {}",
        t.get("/api/v1/devices").await.1
    );
}

/// The LUT in slot 0 of a simulated box.
pub(super) fn slot_lut(sim: &LutBoxSim) -> Option<Lut3d> {
    match &sim.receiver().snapshot().slots[0] {
        SlotContent::Lut { lut, .. } => Some(lut.to_lut3d().unwrap()),
        _ => None,
    }
}

pub(super) async fn wait_slot(sim: &LutBoxSim, what: &str, ok: impl Fn(&Lut3d) -> bool) -> Lut3d {
    for _ in 0..2400 {
        if let Some(l) = slot_lut(sim).filter(|l| ok(l)) {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting for the box to hold {what}");
}

fn is_identity(l: &Lut3d) -> bool {
    *l == Lut3d::identity(l.size()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_is_added_tested_reconfigured_and_removed() {
    let (t, _svc) = server().await;
    let sim = box_sim().await;
    let res = t.post("/api/v1/devices", lwlb("box-a", "a", &sim)).await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    // The settled look: the live one first, then its certified bake.
    let listed = wait_device(&t, "box-a", "a certified look", |d| {
        d["last_push_ms"].is_number() && d["look_quality"] == "certified"
    })
    .await;
    assert_eq!(listed["state"], "connected");
    assert_eq!(listed["camera"], "a");
    assert_eq!(listed["calibrated"], false);
    let graded = slot_lut(&sim).unwrap();
    assert!(!is_identity(&graded), "the box holds camera A's look");

    // Its configuration reads back, and a second add of the same id is refused.
    let (status, detail) = t.get("/api/v1/devices/box-a").await;
    assert_eq!(status, StatusCode::OK);
    let mut want = lwlb("box-a", "a", &sim);
    want["driver"]["slot"] = json!(0);
    assert_eq!(detail["config"], want);
    let dup = t.post("/api/v1/devices", lwlb("box-a", "b", &sim)).await;
    assert_error(&dup, StatusCode::CONFLICT, "exists", "/id");

    // Connect test: a fresh connection reads the box's model.
    let (s, r) = t
        .post("/api/v1/devices/box-a/test", json!({"action": "connect"}))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["ok"], true, "{r}");
    assert!(r["message"].as_str().unwrap().contains("api box"), "{r}");

    // Identity test: the box holds an identity, then its look again after the hold.
    let (s, r) = t
        .post(
            "/api/v1/devices/box-a/test",
            json!({"action": "identity", "hold_ms": 300}),
        )
        .await;
    assert_eq!((s, &r["ok"]), (StatusCode::OK, &json!(true)), "{r}");
    assert!(is_identity(&slot_lut(&sim).unwrap()), "identity on the box");
    let back = wait_slot(&sim, "its look again", |l| !is_identity(l)).await;
    assert_eq!(back, graded);

    // Reconfigure: the same id now carries camera B.
    let mut b = lwlb("box-a", "b", &sim);
    let (s, r) = t
        .call(Method::PUT, "/api/v1/devices/box-a", Some(b.clone()))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    wait_device(&t, "box-a", "camera b", |d| d["camera"] == "b").await;
    wait_slot(&sim, "camera B's look", |l| *l != graded).await;
    b["id"] = json!("other");
    let mismatch = t.call(Method::PUT, "/api/v1/devices/box-a", Some(b)).await;
    assert_error(
        &mismatch,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/id",
    );

    // Remove: gone from the list and from the store; the box's connection closes.
    let (s, _) = t.call(Method::DELETE, "/api/v1/devices/box-a", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, list) = t.get("/api/v1/devices").await;
    assert_eq!(list, json!([]));
    let stored = t.state.reader.lock().unwrap().devices().unwrap();
    assert!(stored.is_empty(), "{stored:?}");
    let again = t.call(Method::DELETE, "/api/v1/devices/box-a", None).await;
    assert_error(&again, StatusCode::NOT_FOUND, "not_found", "/devices/box-a");
    let test = t
        .post("/api/v1/devices/box-a/test", json!({"action": "connect"}))
        .await;
    assert_error(&test, StatusCode::NOT_FOUND, "not_found", "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_configurations_say_what_and_where() {
    let (t, _svc) = server().await;
    let cases = [
        (
            json!({"id": "x", "camera": "zz", "output": "sdr",
            "driver": {"kind": "lwlb", "address": "127.0.0.1:1"}}),
            "/camera",
        ),
        (
            json!({"id": "x", "camera": "a", "output": "sdr",
            "driver": {"kind": "lwlb", "address": "127.0.0.1"}}),
            "/driver/address",
        ),
        (
            json!({"id": "x", "camera": "a", "output": "sdr", "calibration": "nope",
            "driver": {"kind": "lwlb", "address": "127.0.0.1:1"}}),
            "/calibration",
        ),
    ];
    for (body, path) in cases {
        let res = t.post("/api/v1/devices", body).await;
        assert_error(
            &res,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            path,
        );
    }
    // A body that does not parse names its field too.
    let res = t
        .post(
            "/api/v1/devices",
            json!({"id": "x", "driver": {"kind": "lwlb", "adress": "h:1"}}),
        )
        .await;
    assert_eq!(res.0, StatusCode::BAD_REQUEST, "{}", res.1);
    assert!(
        res.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("adress"),
        "{}",
        res.1
    );
    // A tally port already taken: the device cannot start, and says why.
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap();
    let res = t
        .post(
            "/api/v1/devices",
            json!({"id": "tally", "driver":
            {"kind": "tsl", "udp": port.to_string(), "tcp": "127.0.0.1:0"}}),
        )
        .await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "cannot_start", "");
    // A box that is off: added (it is retried), and its test says it cannot connect.
    let off = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = off.local_addr().unwrap().to_string();
    drop(off);
    let body = json!({"id": "off", "camera": "a", "output": "sdr",
        "driver": {"kind": "lwlb", "address": addr}});
    assert_eq!(t.post("/api/v1/devices", body).await.0, StatusCode::CREATED);
    let (s, r) = t
        .post("/api/v1/devices/off/test", json!({"action": "connect"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["ok"], false, "{r}");
    assert!(r["message"].as_str().unwrap().contains(&addr), "{r}");
    wait_device(&t, "off", "an error state", |d| d["state"] == "error").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stored_devices_come_back_after_a_restart() {
    let (t, svc) = server().await;
    let sim = box_sim().await;
    assert_eq!(
        t.post("/api/v1/devices", lwlb("box-b", "b", &sim)).await.0,
        StatusCode::CREATED
    );
    wait_device(&t, "box-b", "a push", |d| d["last_push_ms"].is_number()).await;
    drop(svc);
    // A new device service on the same store, as `serve` starts one.
    let registry = crate::device_registry::DeviceRegistry::default();
    let again = DeviceService::start(t.state.show.clone(), registry.clone(), Vec::new());
    let stored = t.state.reader.lock().unwrap().devices().unwrap();
    assert_eq!(stored.len(), 1);
    let started = crate::devices::restore(&again, stored, |_| None).await;
    assert_eq!(started, 1);
    assert_eq!(again.config("box-b").unwrap().camera.as_deref(), Some("b"));
    let mut rx = registry.subscribe();
    tokio::time::timeout(
        Duration::from_secs(60),
        rx.wait_for(|l| {
            l.iter()
                .any(|d| d.id == "box-b" && d.last_push_ms.is_some())
        }),
    )
    .await
    .expect("the restored box takes a look")
    .unwrap();
    // And a store reopened from disk still holds it.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let mut s = SqliteStore::open(&path).unwrap();
    s.put_device(&crate::store::StoredDevice {
        id: "x".into(),
        config: "{}".into(),
    })
    .unwrap();
    drop(s);
    assert_eq!(
        SqliteStore::open(&path).unwrap().devices().unwrap()[0].id,
        "x"
    );
}

pub(super) async fn trim(t: &TestServer, camera: &str, slope: f64) {
    let field = crate::show::GradeField::parse("trim.slope.r").unwrap();
    let action = crate::show::Action::Trim {
        camera: camera.into(),
        field,
        value: json!(slope),
    };
    t.state.show.apply("test", action, None).await.unwrap();
}

async fn tally_device(t: &TestServer, protection: Value) -> std::net::SocketAddr {
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = udp.local_addr().unwrap();
    drop(udp);
    let res = t
        .post(
            "/api/v1/devices",
            json!({"id": "mixer", "driver": {"kind": "tsl",
            "udp": addr.to_string(), "tcp": "127.0.0.1:0", "sources": {"0": "a"},
            "protection": protection}}),
        )
        .await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    addr
}

/// Sends camera A (index 0) to program or to preview.
async fn set_on_air(to: std::net::SocketAddr, on_air: bool) {
    let (program, preview) = if on_air { (0, 1) } else { (1, 0) };
    tsl_mixer::send_udp(to, &tsl_mixer::v5_packet(2, program, preview, false))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_air_hold_keeps_the_look_until_the_camera_leaves_air() {
    let (t, _svc) = server().await;
    let sim = box_sim().await;
    t.post("/api/v1/devices", lwlb("box-a", "a", &sim)).await;
    wait_device(&t, "box-a", "a push", |d| d["last_push_ms"].is_number()).await;
    let mixer = tally_device(&t, json!({"mode": "hold"})).await;
    // A WebSocket client is told when the tally changes.
    let url = format!("ws://{}/api/v1/ws", t.listen().await);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    {
        // The hello comes once the connection has subscribed to the tally.
        use futures_util::StreamExt;
        let hello = tokio::time::timeout(Duration::from_secs(30), ws.next()).await;
        let hello = hello.expect("a hello").unwrap().unwrap();
        assert!(hello.to_text().unwrap().contains("\"hello\""), "{hello:?}");
    }
    set_on_air(mixer, true).await;
    let told = loop {
        use futures_util::StreamExt;
        let msg = tokio::time::timeout(Duration::from_secs(30), ws.next())
            .await
            .expect("a tally message")
            .unwrap()
            .unwrap();
        let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
        if v["type"] == "tally" && v["cameras"][0]["program"] == true {
            break v;
        }
    };
    assert_eq!(told["cameras"][0]["camera"], "a");
    wait_device(&t, "box-a", "on air", |d| d["on_air"] == true).await;
    let (_, tally) = t.get("/api/v1/tally").await;
    assert_eq!(tally[0]["camera"], "a");
    assert_eq!(tally[0]["program"], true);
    assert_eq!(tally[0]["protection"], json!({"mode": "hold"}));
    let on_air_look = slot_lut(&sim).unwrap();

    trim(&t, "a", 1.3).await;
    wait_device(&t, "box-a", "a held look", |d| d["protection"] == "held").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(slot_lut(&sim).unwrap(), on_air_look, "nothing reaches air");
    // A test look is refused while on air, unless forced.
    let res = t
        .post("/api/v1/devices/box-a/test", json!({"action": "test-look"}))
        .await;
    assert_error(&res, StatusCode::CONFLICT, "on_air", "");

    set_on_air(mixer, false).await;
    wait_slot(&sim, "the held look", |l| *l != on_air_look).await;
    let d = wait_device(&t, "box-a", "clear", |d| d["protection"] == "clear").await;
    assert_eq!(d["on_air"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_air_fade_steps_to_the_new_look() {
    let (t, _svc) = server().await;
    let sim = box_sim().await;
    t.post("/api/v1/devices", lwlb("box-a", "a", &sim)).await;
    wait_device(&t, "box-a", "a push", |d| d["last_push_ms"].is_number()).await;
    let from = slot_lut(&sim).unwrap();
    let mixer = tally_device(&t, json!({"mode": "fade", "frames": 12})).await;
    set_on_air(mixer, true).await;
    wait_device(&t, "box-a", "on air", |d| d["on_air"] == true).await;
    let mut looks = sim.receiver().subscribe();
    trim(&t, "a", 1.3).await;
    // Steps go out one per show frame; a box slower than a frame skips steps (latest wins),
    // so at least the first and the last arrive.
    let mut got: Vec<Lut3d> = Vec::new();
    let settled = |got: &[Lut3d]| {
        got.len() >= 2
            && got
                .last()
                .is_some_and(|l| Some(l) == got.get(got.len() - 2))
    };
    while !settled(&got) {
        let next = tokio::time::timeout(Duration::from_millis(1500), looks.recv()).await;
        match next {
            Ok(Ok(r)) => {
                if let SlotContent::Lut { lut, .. } = r.content {
                    got.push(lut.to_lut3d().unwrap());
                }
            }
            // Quiet for 1.5 s: the fade is over.
            _ => break,
        }
    }
    let to = got.last().expect("fade steps").clone();
    assert_ne!(to, from);
    // Probe the node the trim moves most.
    let moved = |i: usize| (to.data()[i][0] - from.data()[i][0]).abs();
    let n = (0..to.data().len())
        .max_by(|&i, &j| moved(i).total_cmp(&moved(j)))
        .unwrap();
    assert!(moved(n) > 0.01, "the trim moves the look");
    let probe = |l: &Lut3d| l.data()[n][0];
    let (a, b) = (probe(&from), probe(&to));
    let along: Vec<f32> = got.iter().map(|l| (probe(l) - a) / (b - a)).collect();
    assert!(along.len() >= 2, "{along:?}");
    assert!(along.windows(2).all(|w| w[1] >= w[0]), "{along:?}");
    assert!(
        along[0] > 0.0 && along[0] < 0.99,
        "the first step is part way: {along:?}"
    );
    assert!((along[along.len() - 1] - 1.0).abs() < 1e-6, "{along:?}");
    wait_device(&t, "box-a", "fade done", |d| d["protection"] == "clear").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_videohub_routes_from_the_api() {
    let (t, _svc) = server().await;
    let hub = VideohubSim::start("127.0.0.1:0", 12, 8).await.unwrap();
    let res = t
        .post(
            "/api/v1/devices",
            json!({"id": "hub", "driver":
            {"kind": "videohub", "address": hub.addr().to_string()}}),
        )
        .await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    wait_device(&t, "hub", "connected", |d| d["state"] == "connected").await;
    let mut view = Value::Null;
    for _ in 0..200 {
        let (s, v) = t.get("/api/v1/devices/hub/router").await;
        if s == StatusCode::OK {
            view = v;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(view["input_labels"].as_array().unwrap().len(), 12, "{view}");
    assert_eq!(view["routes"].as_array().unwrap().len(), 8);
    let (s, after) = t
        .call(
            Method::PUT,
            "/api/v1/devices/hub/router/outputs/3",
            Some(json!({"input": 7})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["routes"][3], 7);
    assert_eq!(hub.routes()[3], 7, "the router itself routed it");
    // A route made on the router's panel shows in the API.
    hub.panel_route(5, 2);
    for _ in 0..200 {
        if t.get("/api/v1/devices/hub/router").await.1["routes"][5] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(t.get("/api/v1/devices/hub/router").await.1["routes"][5], 2);
    let bad = t
        .call(
            Method::PUT,
            "/api/v1/devices/hub/router/outputs/3",
            Some(json!({"input": 12})),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/input",
    );
    let bad = t
        .call(
            Method::PUT,
            "/api/v1/devices/hub/router/outputs/8",
            Some(json!({"input": 1})),
        )
        .await;
    assert_error(
        &bad,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "output",
    );
    let (s, _) = t.call(Method::DELETE, "/api/v1/devices/hub", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let gone = t.get("/api/v1/devices/hub/router").await;
    assert_error(&gone, StatusCode::NOT_FOUND, "not_found", "");
}
