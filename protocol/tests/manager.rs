//! The device manager with simulated boxes over loopback: latest wins, faults stay local,
//! reconnect resends the current look.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lookwire_color::formats::LutFile;
use lookwire_color::{Interpolation, Lut3d};
use lookwire_protocol::encode::Samples;
use lookwire_protocol::lwlb::receiver::SlotContent;
use lookwire_protocol::lwlb::sender::{LutBoxClient, Timeouts};
use lookwire_protocol::manager::{DeviceManager, DeviceReport, RetryPolicy};
use lookwire_protocol::sim::lutbox::{default_capabilities, Fault, LutBoxSim};
use lookwire_protocol::{
    BoxFuture, Capabilities, ConnectionState, Device, DeviceError, DeviceStatus, Look, PushReport,
    SampleFormat,
};

fn policy() -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        keepalive: Duration::from_millis(200),
    }
}

fn look(v: u64) -> Look {
    let k = v as f64 / 1000.0;
    Look::from_lut(
        Lut3d::from_fn(17, |[r, g, b]| [r * (1.0 - k), g, b * (0.5 + k)]).unwrap(),
        format!("v{v}"),
    )
}

fn client(sim: &LutBoxSim) -> Box<dyn Device> {
    let t = Duration::from_millis(300);
    Box::new(
        LutBoxClient::new(sim.addr().to_string(), 0).with_timeouts(Timeouts {
            connect: t,
            write: t,
            reply: t,
        }),
    )
}

async fn wait_for(m: &DeviceManager, what: &str, ok: impl Fn(&[DeviceReport]) -> bool) {
    let mut rx = m.subscribe();
    let wait = async {
        loop {
            if ok(&m.reports()) {
                return;
            }
            let _ = rx.changed().await;
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .is_err()
    {
        panic!("timed out waiting for {what}: {:#?}", m.reports());
    }
}

fn report<'a>(r: &'a [DeviceReport], id: &str) -> &'a DeviceReport {
    r.iter().find(|d| d.id == id).unwrap()
}

fn holds(sim: &LutBoxSim, v: u64) -> bool {
    match &sim.receiver().snapshot().slots[0] {
        SlotContent::Lut { lut, .. } => lut.samples == Samples::F32(look(v).lut.data().to_vec()),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faulty_devices_stay_local_and_recover_with_the_current_look() {
    let good = LutBoxSim::start("127.0.0.1:0", default_capabilities("good"))
        .await
        .unwrap();
    let slow = LutBoxSim::start("127.0.0.1:0", default_capabilities("never reads"))
        .await
        .unwrap();
    let drops = LutBoxSim::start("127.0.0.1:0", default_capabilities("drops"))
        .await
        .unwrap();
    let garbage = LutBoxSim::start("127.0.0.1:0", default_capabilities("garbage"))
        .await
        .unwrap();
    slow.set_fault(Fault::NeverReads);
    drops.set_fault(Fault::DropsMidLut);
    garbage.set_fault(Fault::Garbage);
    let off_addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mut m = DeviceManager::new();
    for (id, sim) in [
        ("good", &good),
        ("slow", &slow),
        ("drops", &drops),
        ("garbage", &garbage),
    ] {
        m.add(id, client(sim), policy(), None);
    }
    let t = Duration::from_millis(300);
    let off = LutBoxClient::new(off_addr.to_string(), 0).with_timeouts(Timeouts {
        connect: t,
        write: t,
        reply: t,
    });
    m.add("off", Box::new(off), policy(), None);

    for v in 1..=30 {
        for id in m.ids() {
            m.push(&id, look(v)).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    wait_for(&m, "the good box to hold look 30", |r| {
        report(r, "good")
            .last_push
            .as_ref()
            .is_some_and(|p| p.version == 30)
    })
    .await;
    assert!(holds(&good, 30));
    wait_for(&m, "every faulty device to be marked", |r| {
        ["slow", "drops", "garbage", "off"]
            .iter()
            .all(|id| report(r, id).failures > 0 && report(r, id).last_error.is_some())
    })
    .await;
    let r = m.reports();
    assert_eq!(report(&r, "good").state, ConnectionState::Connected);
    assert!(report(&r, "garbage")
        .last_error
        .as_ref()
        .unwrap()
        .contains("magic"));
    assert!(report(&r, "off")
        .last_error
        .as_ref()
        .unwrap()
        .contains("cannot connect"));

    // Faults cleared, the box that was off comes up: all get the current look without a new push.
    slow.set_fault(Fault::None);
    drops.set_fault(Fault::None);
    garbage.set_fault(Fault::None);
    let late = LutBoxSim::start(&off_addr.to_string(), default_capabilities("late"))
        .await
        .unwrap();
    wait_for(&m, "every device to get look 30", |r| {
        r.iter().all(|d| {
            d.state == ConnectionState::Connected
                && d.last_push.as_ref().is_some_and(|p| p.version == 30)
        })
    })
    .await;
    for sim in [&slow, &drops, &garbage, &late] {
        assert!(
            holds(sim, 30),
            "{} holds look 30",
            sim.receiver().capabilities().model
        );
    }
}

/// A device that takes 30 ms per look.
#[derive(Debug)]
struct Sluggish {
    caps: Option<Capabilities>,
    got: Arc<AtomicUsize>,
}

impl Device for Sluggish {
    fn kind(&self) -> &'static str {
        "sluggish"
    }
    fn address(&self) -> String {
        "test".into()
    }
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>> {
        let caps = Capabilities {
            model: "sluggish".into(),
            lut3d_sizes: vec![17],
            lut1d_size: None,
            cdl_native: false,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: false,
        };
        self.caps = Some(caps.clone());
        Box::pin(async move { Ok(caps) })
    }
    fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }
    fn push<'a>(&'a mut self, _look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>> {
        let got = Arc::clone(&self.got);
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            got.fetch_add(1, Ordering::SeqCst);
            Ok(PushReport {
                bytes: 1,
                latency: Duration::ZERO,
                error: Default::default(),
            })
        })
    }
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>> {
        Box::pin(async {
            Ok(DeviceStatus {
                active_slot: None,
                active_checksum: None,
                detail: String::new(),
            })
        })
    }
    fn disconnect(&mut self) {
        self.caps = None;
    }
}

#[tokio::test]
async fn a_slow_device_skips_stale_looks_and_ends_on_the_newest() {
    let got = Arc::new(AtomicUsize::new(0));
    let mut m = DeviceManager::new();
    m.add(
        "s",
        Box::new(Sluggish {
            caps: None,
            got: Arc::clone(&got),
        }),
        policy(),
        None,
    );
    for v in 1..=40 {
        m.push("s", look(v)).unwrap();
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    wait_for(&m, "look 40", |r| {
        r[0].last_push.as_ref().is_some_and(|p| p.version == 40)
    })
    .await;
    let r = &m.reports()[0];
    assert_eq!(r.pushes as usize, got.load(Ordering::SeqCst));
    assert!(r.pushes < 40 && r.skipped > 0, "{r:?}");
    assert_eq!(
        r.pushes + r.skipped,
        40,
        "every look is either sent or skipped: {r:?}"
    );
}

#[tokio::test]
async fn a_calibration_lut_is_applied_last() {
    let sim = LutBoxSim::start("127.0.0.1:0", default_capabilities("cal"))
        .await
        .unwrap();
    let cal = Lut3d::from_fn(9, |[r, g, b]| [r * 0.5, g * 0.5, b * 0.5]).unwrap();
    let mut m = DeviceManager::new();
    m.add(
        "c",
        client(&sim),
        policy(),
        Some(Arc::new(LutFile::from_3d(cal))),
    );
    assert!(m.reports()[0].calibrated);
    m.push("c", look(0)).unwrap();
    wait_for(&m, "the push", |r| r[0].pushes == 1).await;
    let SlotContent::Lut { lut, .. } = &sim.receiver().snapshot().slots[0] else {
        panic!("empty")
    };
    let applied = lut
        .to_lut3d()
        .unwrap()
        .lookup([1.0, 0.5, 0.25], Interpolation::Tetrahedral);
    assert!(
        (applied[0] - 0.5).abs() < 1e-6 && (applied[2] - 0.0625).abs() < 1e-6,
        "{applied:?}"
    );
}

/// A legal-range box with a calibration LUT: the calibration was measured on the signal as
/// the wire carries it, so it comes after the range (cal(legal(v))), never before.
#[tokio::test]
async fn the_range_comes_before_the_calibration_lut() {
    use lookwire_color::formats::{self, Precision};
    use lookwire_color::output::SignalRange;
    use lookwire_protocol::filesink::{FileSink, FileSinkConfig, SinkFormat};
    let dir = tempfile::tempdir().unwrap();
    let sink = FileSink::new(FileSinkConfig {
        dir: dir.path().to_path_buf(),
        format: SinkFormat::from_name("cube").unwrap(),
        size: 33,
        precision: Precision::RoundTrip,
    });
    // A non-linear calibration (a square), so the two orders differ.
    let cal = Lut3d::from_fn(33, |c| c.map(|v| v * v)).unwrap();
    let mut m = DeviceManager::new();
    let cal = Some(Arc::new(LutFile::from_3d(cal)));
    m.add_with_range("legal", Box::new(sink), policy(), cal, SignalRange::Legal);
    m.push("legal", Look::from_lut(Lut3d::identity(33).unwrap(), "id"))
        .unwrap();
    wait_for(&m, "the push", |r| r[0].pushes == 1).await;
    let lut = formats::read_lut(&dir.path().join("id.cube"))
        .unwrap()
        .lut3d
        .unwrap();
    let (black, white) = (lut.node(0, 0, 0), lut.node(32, 32, 32));
    let legal = |v: f64| SignalRange::Legal.apply(v);
    // Right order: the square of 64/1023 and of 940/1023 (within the 33-node square's own
    // interpolation error, h²/4 = 2.4e-4).
    assert!(
        (f64::from(black[0]) - legal(0.0).powi(2)).abs() < 3e-4,
        "{black:?}"
    );
    assert!(
        (f64::from(white[1]) - legal(1.0).powi(2)).abs() < 3e-4,
        "{white:?}"
    );
    // The wrong order would give legal(0²) = 64/1023 at black.
    assert!((f64::from(black[0]) - legal(0.0)).abs() > 0.05);
}

#[tokio::test]
async fn unknown_and_removed_devices() {
    let mut m = DeviceManager::new();
    assert!(m
        .push("nope", look(1))
        .unwrap_err()
        .to_string()
        .contains("nope"));
    let sim = LutBoxSim::start("127.0.0.1:0", default_capabilities("r"))
        .await
        .unwrap();
    m.add("r", client(&sim), policy(), None);
    assert!(m.remove("r"));
    assert!(m.reports().is_empty());
    assert!(!m.remove("r"));
}
