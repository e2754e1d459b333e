//! The multiviewer benchmark of issue 9: 16 cameras as 960×540 tiles on the binary
//! preview stream while one camera is trimmed at 60 changes per second through the REST
//! API. Reports tiles sent per second, the CPU the process used, and the time from each
//! trim request to the first JPEG showing it arriving at the client (loopback), p50/p99/max.
//! Meanwhile the focused camera's HD scopes are asked for at 30 per second (each request
//! after the last one's answer, at most 30 a second): the rate reached and their latency.
//! A second phase trims the show look (all 16 cameras change) at 10 per second.
//!
//! `cargo bench -p lookwire-server --bench multiview` (about 25 s). Not a divan bench: it
//! measures a running server, not a function.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use futures_util::{SinkExt, StreamExt};
use lookwire_color::kernel::workload;
use lookwire_server::api::{router, AppState};
use lookwire_server::auth::Auth;
use lookwire_server::device_registry::DeviceRegistry;
use lookwire_server::preview::stream::FrameHeader;
use lookwire_server::show::{demo::demo_show, Show, ShowHandle};
use lookwire_server::store::{SqliteStore, Store};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tower::ServiceExt;

const CAMERAS: usize = 16;
const TILE: usize = 960;

/// The demo show's six cameras cloned up to 16 (each clone keeps its make's input space).
fn sixteen() -> Show {
    let mut show = demo_show();
    let makes: Vec<_> = show.cameras.values().cloned().collect();
    for i in makes.len()..CAMERAS {
        let mut cam = makes[i % makes.len()].clone();
        cam.id = format!("cam{i:02}");
        cam.label = format!("CAM {i}");
        cam.devices.clear();
        show.cameras.insert(cam.id.clone(), cam);
    }
    show
}

/// Process CPU time (user + system) from /proc, in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(')').next()?.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Frame arrivals: (camera, show version, arrival).
type Arrivals = Arc<Mutex<Vec<(String, u64, Instant)>>>;

struct Phase {
    name: &'static str,
    uri: String,
    body: fn(u32) -> serde_json::Value,
    rate: f64,
    seconds: f64,
    camera: &'static str,
    /// HD scopes of `camera` asked for per second meanwhile (0: none).
    scopes_rate: f64,
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("show.sqlite");
    let show = ShowHandle::start(Box::new(SqliteStore::open(&path).unwrap()), sixteen).unwrap();
    let reader: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
    let state = AppState {
        show: show.clone(),
        auth: Arc::new(Auth::open()),
        devices: DeviceRegistry::default(),
        reader: Arc::new(Mutex::new(reader)),
    };
    let app = router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = app
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });

    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/preview/stream"))
            .await
            .unwrap();
    let cameras: Vec<String> = show.view().show.cameras.keys().cloned().collect();
    let subs: Vec<_> = cameras
        .iter()
        .map(|c| json!({"camera": c, "width": TILE}))
        .collect();
    let start = Instant::now();
    ws.send(Message::text(json!({ "subscribe": subs }).to_string()))
        .await
        .unwrap();
    let arrivals: Arrivals = Arc::default();
    let (_tx, mut rx) = (0, ws);
    let sink = Arc::clone(&arrivals);
    tokio::spawn(async move {
        while let Some(Ok(msg)) = rx.next().await {
            if let Message::Binary(bytes) = msg {
                let n = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
                let h: FrameHeader = serde_json::from_slice(&bytes[4..4 + n]).unwrap();
                sink.lock()
                    .unwrap()
                    .push((h.camera, h.version, Instant::now()));
            }
        }
    });
    while arrivals.lock().unwrap().len() < CAMERAS {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!(
        "first {CAMERAS} tiles ({TILE} wide, cold: chart, bake, kernel, JPEG): {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    println!("CPU: {}", cpu_name());
    let phases = [
        Phase {
            name: "one camera trimmed at 60/s",
            uri: "/api/v1/cameras/a/grade".into(),
            body: |k| {
                json!({"trim": {"slope": [1.0 + f64::from(k % 200) * 1e-3, 1.0, 1.0],
                "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0}})
            },
            rate: 60.0,
            seconds: 10.0,
            camera: "a",
            scopes_rate: 30.0,
        },
        Phase {
            name: "show look trimmed at 10/s (all 16 cameras change)",
            uri: "/api/v1/looks/warm-contrast".into(),
            body: |k| {
                json!({"cdl": {"slope": [1.06 + f64::from(k % 200) * 1e-3, 1.0, 0.95],
                "offset": [0.005, 0.0, -0.01], "power": [1.1, 1.1, 1.12], "sat": 1.1}})
            },
            rate: 10.0,
            seconds: 10.0,
            camera: "b",
            scopes_rate: 0.0,
        },
    ];
    for phase in phases {
        run(&app, &show, &arrivals, &phase).await;
    }
}

fn cpu_name() -> String {
    format!(
        "{}, {} threads, load average {}",
        workload::cpu_name().as_deref().unwrap_or("unknown"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        workload::load_average().as_deref().unwrap_or("unknown"),
    )
}

async fn run(app: &axum::Router, show: &ShowHandle, arrivals: &Arrivals, phase: &Phase) {
    arrivals.lock().unwrap().clear();
    let (cpu0, t0) = (cpu_seconds(), Instant::now());
    let mut sent: BTreeMap<u64, Instant> = BTreeMap::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / phase.rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let n = (phase.rate * phase.seconds) as u32;
    let stop_scopes = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let scopes = (phase.scopes_rate > 0.0).then(|| {
        let uri = format!("/api/v1/cameras/{}/scopes", phase.camera);
        tokio::spawn(scopes_load(
            app.clone(),
            uri,
            phase.scopes_rate,
            Arc::clone(&stop_scopes),
        ))
    });
    for k in 0..n {
        tick.tick().await;
        let at = Instant::now();
        let req = Request::builder()
            .method("PATCH")
            .uri(&phase.uri)
            .header("content-type", "application/json")
            .body(Body::from((phase.body)(k).to_string()))
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert!(res.status().is_success(), "{}: {}", phase.uri, res.status());
        sent.insert(show.view().version, at);
    }
    let trims_wall = t0.elapsed().as_secs_f64();
    stop_scopes.store(true, std::sync::atomic::Ordering::Relaxed);
    let scopes = match scopes {
        Some(task) => Some(task.await.unwrap()),
        None => None,
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let wall = t0.elapsed().as_secs_f64();
    let cpu = cpu0.zip(cpu_seconds()).map(|(a, b)| b - a);
    let frames = arrivals.lock().unwrap().clone();
    // Each trim's latency: until the first frame of the watched camera at or past its version.
    let mut watched: Vec<(u64, Instant)> = frames
        .iter()
        .filter(|f| f.0 == phase.camera)
        .map(|f| (f.1, f.2))
        .collect();
    watched.sort_by_key(|f| f.1);
    let mut lat: Vec<f64> = sent
        .iter()
        .filter_map(|(v, at)| {
            let f = watched.iter().find(|f| f.0 >= *v)?;
            Some(f.1.duration_since(*at).as_secs_f64() * 1e3)
        })
        .collect();
    lat.sort_by(f64::total_cmp);
    println!("\n{} for {:.0} s:", phase.name, phase.seconds);
    println!(
        "  tiles sent: {} ({:.0}/s), {} of {} trims shown",
        frames.len(),
        frames.len() as f64 / wall,
        lat.len(),
        sent.len()
    );
    if let Some(cpu) = cpu {
        println!(
            "  CPU: {:.2} s in {:.1} s ({:.0} % of one core)",
            cpu,
            wall,
            cpu / wall * 100.0
        );
    }
    println!(
        "  trim request → JPEG at the client: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    if let Some(mut scopes) = scopes {
        scopes.sort_by(f64::total_cmp);
        println!(
            "  HD scopes of camera {}: {} in {:.1} s ({:.1}/s of {:.0} asked), p50 {:.1} ms, p99 {:.1} ms",
            phase.camera,
            scopes.len(),
            trims_wall,
            scopes.len() as f64 / trims_wall,
            phase.scopes_rate,
            percentile(&scopes, 0.5),
            percentile(&scopes, 0.99)
        );
    }
}

/// Asks for `uri` (a camera's scopes) at most `rate` times a second, each request after
/// the last one's answer, until `stop`; returns each request's time in ms.
async fn scopes_load(
    app: axum::Router,
    uri: String,
    rate: f64,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<f64> {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut times = Vec::new();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        tick.tick().await;
        let at = Instant::now();
        let req = Request::builder().uri(&uri).body(Body::empty()).unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert!(res.status().is_success(), "{uri}: {}", res.status());
        let _ = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        times.push(at.elapsed().as_secs_f64() * 1e3);
    }
    times
}
