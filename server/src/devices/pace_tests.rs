//! Device pacing: a device is handed at most one look per round of bakes, rounds start at
//! most once per pace, and the last look a device gets is the newest.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookwire_protocol::{
    BoxFuture, Capabilities, ColorError, Device, DeviceError, DeviceStatus, Look, PushReport,
    SampleFormat,
};
use serde_json::json;

use super::pace::{frame_interval, parse_pace};
use super::{DeviceService, LookDevice};
use crate::device_registry::DeviceRegistry;
use crate::show::demo::demo_show;
use crate::show::{Action, Bypass, GradeField, ShowHandle};
use crate::store::SqliteStore;
use crate::sync::lock;
use crate::timecode::FrameRate;

/// Every look pushed, with when it arrived.
type Pushed = Arc<Mutex<Vec<(Instant, Look)>>>;

/// A device that takes any look at once and remembers it.
#[derive(Debug)]
struct Recorder {
    pushed: Pushed,
    caps: Option<Capabilities>,
}

impl Device for Recorder {
    fn kind(&self) -> &'static str {
        "recorder"
    }
    fn address(&self) -> String {
        "memory".into()
    }
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>> {
        let caps = Capabilities {
            model: "recorder".into(),
            lut3d_sizes: vec![33],
            lut1d_size: None,
            cdl_native: false,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: true,
        };
        self.caps = Some(caps.clone());
        Box::pin(std::future::ready(Ok(caps)))
    }
    fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }
    fn push<'a>(&'a mut self, look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>> {
        lock(&self.pushed).push((Instant::now(), look.clone()));
        Box::pin(std::future::ready(Ok(PushReport {
            bytes: 0,
            latency: Duration::ZERO,
            error: ColorError::default(),
        })))
    }
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>> {
        Box::pin(std::future::ready(Ok(DeviceStatus {
            active_slot: None,
            active_checksum: None,
            detail: String::new(),
        })))
    }
    fn disconnect(&mut self) {
        self.caps = None;
    }
}

fn trim(value: f64) -> Action {
    Action::Trim {
        camera: "a".into(),
        field: GradeField::parse("trim.slope.r").unwrap(),
        value: json!(value),
    }
}

/// Waits (polling) until `ok` holds for the pushed looks; panics after a minute.
async fn wait_pushed(pushed: &Pushed, what: &str, ok: impl Fn(&[(Instant, Look)]) -> bool) {
    for _ in 0..1200 {
        if ok(&lock(pushed)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trims_within_a_pace_reach_a_device_as_one_look_and_the_newest_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let pushed = Pushed::default();
    let recorder = Recorder {
        pushed: Arc::clone(&pushed),
        caps: None,
    };
    let device = LookDevice {
        id: "rec".into(),
        camera: "a".into(),
        output: "sdr".into(),
        device: Box::new(recorder),
    };
    let pace = Duration::from_millis(400);
    let _service = DeviceService::start_paced(
        show.clone(),
        DeviceRegistry::default(),
        vec![device],
        None,
        Some(pace),
    );
    wait_pushed(&pushed, "the first look", |p| !p.is_empty()).await;

    // Twenty trims over about 600 ms, each durable before the next.
    let start = Instant::now();
    let mut last = 1.0;
    for i in 1..=20 {
        last = 1.0 + f64::from(i) / 100.0;
        show.apply("vc", trim(last), None).await.unwrap();
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let newest = show.view();
    assert_eq!(newest.show.cameras["a"].grade.trim.slope[0], last);
    let want = crate::looks::shared()
        .look(&newest.show, "a", "sdr", Bypass::None)
        .unwrap();
    wait_pushed(&pushed, "the newest look", |p| {
        p.last()
            .is_some_and(|(_, l)| l.lut.data() == want.lut.data())
    })
    .await;
    let end = Instant::now();

    // Rounds start at least `pace` apart, so the window holds at most span / pace + 1 of
    // them (one more for the round under way at its start). Without pacing each trim would
    // be a round of its own.
    let after: Vec<Instant> = lock(&pushed)
        .iter()
        .map(|(t, _)| *t)
        .filter(|t| *t >= start)
        .collect();
    let rounds = (end - start).as_secs_f64() / pace.as_secs_f64();
    assert!(
        after.len() as f64 <= rounds.floor() + 2.0,
        "{} looks pushed in {:?} at one round per {pace:?}",
        after.len(),
        end - start
    );
    assert!(!after.is_empty());
}

#[test]
fn a_frame_lasts_one_over_the_frame_rate() {
    assert_eq!(frame_interval(FrameRate::Fps25), Duration::from_millis(40));
    assert_eq!(frame_interval(FrameRate::Fps60).as_micros(), 16_666);
    assert_eq!(frame_interval(FrameRate::Fps23_976).as_micros(), 41_708);
    assert_eq!(frame_interval(FrameRate::Fps59_94Df).as_micros(), 16_683);
}

#[test]
fn a_pace_is_whole_milliseconds_up_to_a_second() {
    assert_eq!(parse_pace(" 0 "), Ok(Duration::ZERO));
    assert_eq!(parse_pace("100"), Ok(Duration::from_millis(100)));
    for bad in ["", "-1", "1.5", "off", "1001"] {
        let err = parse_pace(bad).unwrap_err();
        assert!(
            err.contains("millisecond") || err.contains("limit"),
            "{bad}: {err}"
        );
    }
}

fn recorder(id: &str, pushed: &Pushed) -> LookDevice {
    LookDevice {
        id: id.into(),
        camera: "a".into(),
        output: "sdr".into(),
        device: Box::new(Recorder {
            pushed: Arc::clone(pushed),
            caps: None,
        }),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_on_one_look_share_one_bake_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let (one, two) = (Pushed::default(), Pushed::default());
    let devices = vec![recorder("one", &one), recorder("two", &two)];
    let _service =
        DeviceService::start_paced(show.clone(), DeviceRegistry::default(), devices, None, None);
    show.apply("vc", trim(1.2), None).await.unwrap();
    let want = crate::looks::shared()
        .look(&show.view().show, "a", "sdr", Bypass::None)
        .unwrap();
    let newest = |p: &[(Instant, Look)]| {
        p.last()
            .is_some_and(|(_, l)| l.lut.data() == want.lut.data())
    };
    wait_pushed(&one, "the trimmed look on one", newest).await;
    wait_pushed(&two, "the trimmed look on two", newest).await;
    let (a, b) = (
        lock(&one).last().unwrap().1.clone(),
        lock(&two).last().unwrap().1.clone(),
    );
    assert!(
        Arc::ptr_eq(&a.lut, &b.lut),
        "each device got a bake of its own"
    );
}
