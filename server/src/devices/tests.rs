//! The demo devices against their simulators: all connected, every look device fed,
//! trims from the show and from an OSC surface reach the devices.

use std::time::Duration;

use lookwire_protocol::manager::DeviceReport;
use lookwire_protocol::sim::osc_surface::OscSurfaceSim;
use serde_json::json;

use super::demo;
use crate::device_registry::{DeviceRegistry, DeviceState};
use crate::show::demo::demo_show;
use crate::show::{Action, GradeField, ShowHandle};
use crate::store::SqliteStore;

async fn wait_reports(
    d: &demo::DemoDevices,
    what: &str,
    ok: impl Fn(&[DeviceReport]) -> bool,
) -> Vec<DeviceReport> {
    for _ in 0..1200 {
        let r = d.service.reports();
        if ok(&r) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}: {:#?}", d.service.reports());
}

fn pushes(r: &[DeviceReport], id: &str) -> u64 {
    r.iter().find(|d| d.id == id).map_or(0, |d| d.pushes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_devices_connect_take_looks_and_follow_trims() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let show = ShowHandle::start(Box::new(store), demo_show).unwrap();
    let registry = DeviceRegistry::default();
    let d = demo::start(show.clone(), registry.clone()).await.unwrap();

    // Every device connected, as GET /api/v1/devices lists them.
    let mut rx = registry.subscribe();
    let all = tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|l| l.len() == 10 && l.iter().all(|i| i.state == DeviceState::Connected)),
    )
    .await
    .expect("all demo devices connected")
    .unwrap()
    .clone();
    let kinds: std::collections::BTreeSet<_> = all.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        ["bmd-rest", "file-sink", "lwlb", "osc-surface", "videohub"]
    );

    // Every look device gets its first look.
    let looks = [
        "lutbox-a",
        "lutbox-b",
        "lutbox-c",
        "lutbox-d",
        "lutbox-e",
        "lutbox-f",
        "folder",
        "bmd-camera-e",
    ];
    let r = wait_reports(&d, "first looks", |r| {
        looks.iter().all(|id| pushes(r, id) >= 1)
    })
    .await;
    let folder_files: Vec<_> = std::fs::read_dir(d.folder.path()).unwrap().collect();
    assert_eq!(
        folder_files.len(),
        1,
        "the file sink wrote camera A's HDR look"
    );
    let bmd = r.iter().find(|x| x.id == "bmd-camera-e").unwrap();
    assert!(bmd.last_push.as_ref().unwrap().error.max_10bit < 0.5);

    // A trim on camera B reaches box B only.
    let before = d.service.reports();
    let field = GradeField::parse("trim.slope").unwrap();
    show.apply(
        "test",
        Action::Trim {
            camera: "b".into(),
            field,
            value: json!([1.2, 1.0, 0.9]),
        },
        None,
    )
    .await
    .unwrap();
    wait_reports(&d, "box B's second look", |r| {
        pushes(r, "lutbox-b") > pushes(&before, "lutbox-b")
    })
    .await;
    assert_eq!(
        pushes(&d.service.reports(), "lutbox-a"),
        pushes(&before, "lutbox-a")
    );

    // An OSC surface trims camera E: the show changes and the Blackmagic camera follows.
    let ep_addr = d.osc_addr().unwrap();
    let surface = OscSurfaceSim::start(ep_addr).await.unwrap();
    let before = d.service.reports();
    surface
        .send("/lookwire/camera/e/sat", &[0.7])
        .await
        .unwrap();
    wait_reports(&d, "camera E pushed again", |r| {
        pushes(r, "bmd-camera-e") > pushes(&before, "bmd-camera-e")
    })
    .await;
    assert!((show.view().show.cameras["e"].grade.trim.sat - 0.7).abs() < 1e-6);
}
