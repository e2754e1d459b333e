//! Fan-out benchmark (issue 8 "Speed"): 32 simulated LWLB boxes on loopback (16 cameras ×
//! SDR + HDR), 4 cameras trimmed at 60 changes per second. For every look a box applies it
//! measures the time from the trim's arrival (before the live bake) to the box holding the
//! whole new LUT, and reports p50/p99/max and how many stale looks were skipped.
//!
//! `cargo bench -p lookwire-protocol --bench lutbox_fanout` (LOOKWIRE_BENCH_SECS, default 60)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookwire_color::output::live::{LiveBake, OutputTable};
use lookwire_color::output::OutputTransform;
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::{spaces, Cdl, CdlStyle};
use lookwire_protocol::encode::Samples;
use lookwire_protocol::lwlb::receiver::SlotContent;
use lookwire_protocol::lwlb::sender::LutBoxClient;
use lookwire_protocol::manager::{DeviceManager, RetryPolicy};
use lookwire_protocol::sim::lutbox::{default_capabilities, LutBoxSim};
use lookwire_protocol::Look;

const CAMERAS: usize = 16;
const TRIMMED: usize = 4;
const OUTPUTS: [&str; 2] = ["aces2-sdr-rec709", "aces2-hdr-rec2100-pq1000"];

type Sent = Arc<Mutex<HashMap<(String, u32), Instant>>>;

fn main() {
    let secs: u64 = std::env::var("LOOKWIRE_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(secs));
}

fn bakes() -> Vec<Vec<LiveBake>> {
    let space = spaces::lookup("arri-logc4-awg4").expect("space");
    let tables: Vec<_> = OUTPUTS
        .iter()
        .map(|o| {
            Arc::new(
                OutputTable::acescct(&OutputTransform::from_id(o).expect("output"), false, 65)
                    .expect("table"),
            )
        })
        .collect();
    (0..CAMERAS)
        .map(|_| {
            tables
                .iter()
                .map(|t| {
                    LiveBake::new(&space, WorkingSpace::AcesCct, Arc::clone(t), 33).expect("bake")
                })
                .collect()
        })
        .collect()
}

/// Bakes a look and tags node 0 with `tag` so the box side can tell which look it got.
fn tagged(live: &LiveBake, cdl: &Cdl, tag: u32) -> Look {
    let lut = live.bake(cdl, CdlStyle::Asc).expect("bake");
    let mut data = lut.into_data();
    data[0][0] = tag as f32;
    Look::from_lut(
        lookwire_color::Lut3d::new(33, data, lookwire_color::Domain::UNIT).expect("lut"),
        "bench",
    )
}

async fn run(secs: u64) {
    let lives = bakes();
    let mut caps = default_capabilities("bench box");
    caps.sizes = vec![33];
    let mut manager = DeviceManager::new();
    let sent: Sent = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let mut sims = Vec::new();
    for cam in 0..CAMERAS {
        for out in 0..OUTPUTS.len() {
            let id = format!("cam{cam}-{out}");
            let sim = LutBoxSim::start("127.0.0.1:0", caps.clone())
                .await
                .expect("sim");
            let mut events = sim.receiver().subscribe();
            let (sent, lat, key) = (Arc::clone(&sent), Arc::clone(&latencies), id.clone());
            tokio::spawn(async move {
                while let Ok(e) = events.recv().await {
                    let now = Instant::now();
                    if let SlotContent::Lut { lut, .. } = e.content {
                        if let Samples::F32(d) = lut.samples {
                            let start = sent
                                .lock()
                                .expect("sent")
                                .remove(&(key.clone(), d[0][0] as u32));
                            if let Some(t0) = start {
                                lat.lock().expect("lat").push(now - t0);
                            }
                        }
                    }
                }
            });
            manager.add(
                &id,
                Box::new(LutBoxClient::new(sim.addr().to_string(), 0)),
                RetryPolicy::default(),
                None,
            );
            sims.push(sim);
        }
    }
    let manager = Arc::new(Mutex::new(manager));
    let (m, s) = (Arc::clone(&manager), Arc::clone(&sent));
    let l = Arc::clone(&latencies);
    let driver = std::thread::spawn(move || drive(lives, m, s, l, secs));
    let changes = tokio::task::spawn_blocking(move || driver.join().expect("driver"))
        .await
        .expect("join");
    tokio::time::sleep(Duration::from_secs(1)).await;
    report(
        &latencies.lock().expect("lat"),
        &manager.lock().expect("m").reports(),
        changes,
        secs,
    );
}

/// Initial looks for all 32 boxes, then 4 cameras × 60 trims per second.
fn drive(
    lives: Vec<Vec<LiveBake>>,
    manager: Arc<Mutex<DeviceManager>>,
    sent: Sent,
    latencies: Arc<Mutex<Vec<Duration>>>,
    secs: u64,
) -> usize {
    let mut tag = 1u32;
    let mut push = |cam: usize, cdl: &Cdl| {
        for (out, live) in lives[cam].iter().enumerate() {
            let id = format!("cam{cam}-{out}");
            let t0 = Instant::now();
            let look = tagged(live, cdl, tag);
            sent.lock().expect("sent").insert((id.clone(), tag), t0);
            let _ = manager.lock().expect("m").push(&id, look);
            tag += 1;
        }
    };
    for cam in 0..CAMERAS {
        push(cam, &Cdl::IDENTITY);
    }
    std::thread::sleep(Duration::from_secs(2));
    // Connection set-up and the first looks are not part of the measurement.
    sent.lock().expect("sent").clear();
    latencies.lock().expect("lat").clear();
    let period = Duration::from_secs_f64(1.0 / 60.0);
    let start = Instant::now();
    let mut changes = 0;
    for frame in 0..secs * 60 {
        let t = (frame % 120) as f64 / 120.0;
        for cam in 0..TRIMMED {
            let cdl = Cdl {
                slope: [1.0 + 0.1 * t, 1.0, 1.0 - 0.05 * t],
                sat: 1.0 + 0.1 * t,
                ..Cdl::IDENTITY
            };
            push(cam, &cdl);
            changes += 1;
        }
        let next = start + period * (frame as u32 + 1);
        std::thread::sleep(next.saturating_duration_since(Instant::now()));
    }
    changes
}

fn report(
    lat: &[Duration],
    reports: &[lookwire_protocol::manager::DeviceReport],
    changes: usize,
    secs: u64,
) {
    let mut ms: Vec<f64> = lat.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        ms.get(((ms.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let skipped: u64 = reports.iter().map(|r| r.skipped).sum();
    let failures: u64 = reports.iter().map(|r| r.failures).sum();
    println!("lutbox_fanout: {CAMERAS} cameras × {} outputs = {} boxes, {TRIMMED} cameras trimmed at 60/s for {secs} s", OUTPUTS.len(), reports.len());
    println!(
        "  trims: {changes} ({} looks pushed to boxes); looks applied and timed: {}",
        changes * OUTPUTS.len(),
        ms.len()
    );
    println!(
        "  trim -> box holds the whole 33³ f32 LUT: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!("  stale looks skipped (latest wins): {skipped}; link failures: {failures}");
}
