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
        rx.wait_for(|l| l.len() == 12 && l.iter().all(|i| i.state == DeviceState::Connected)),
    )
    .await
    .expect("all demo devices connected")
    .unwrap()
    .clone();
    let kinds: std::collections::BTreeSet<_> = all.iter().map(|i| i.kind.as_str()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "bmd-rest",
            "file-sink",
            "lwlb",
            "osc-surface",
            "tangent",
            "videohub"
        ]
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
        "folder-cc",
        "bmd-camera-e",
    ];
    let r = wait_reports(&d, "first looks", |r| {
        looks.iter().all(|id| pushes(r, id) >= 1)
    })
    .await;
    let folder_files: Vec<_> = std::fs::read_dir(d.folder.path()).unwrap().collect();
    assert_eq!(
        folder_files.len(),
        2,
        "the file sinks wrote camera A's HDR look and camera B's CDL"
    );
    let bmd = r.iter().find(|x| x.id == "bmd-camera-e").unwrap();
    // The camera got the show look's CDL (match and trim are identities), whose power it
    // cannot take: its error is that mapping's, not the trim's zero.
    let view = show.view();
    let shown = &view.show;
    let look_cdl = shown.looks["warm-contrast"].cdl.unwrap();
    let want = lookwire_protocol::bmd::corrector::mapping_error(&look_cdl, shown.cdl_style);
    assert_eq!(bmd.last_push.as_ref().unwrap().error, want);
    assert!(want.max_10bit > 1.0, "{want:?}");

    // The API's device list carries each pushed device's latency and color error.
    let listed = tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|l| {
            looks
                .iter()
                .all(|id| l.iter().any(|i| i.id == *id && i.last_push_ms.is_some()))
        }),
    )
    .await
    .expect("every look device lists a push latency")
    .unwrap()
    .clone();
    let box_a = listed.iter().find(|i| i.id == "lutbox-a").unwrap();
    let ms = box_a.last_push_ms.unwrap();
    assert!(ms > 0.0 && ms < 30_000.0, "latency {ms} ms");
    let (max, mean) = (box_a.error_max_cv.unwrap(), box_a.error_mean_cv.unwrap());
    assert!(
        (0.0..=max).contains(&mean) && max < 2.0,
        "error {mean} / {max}"
    );
    let surface_info = listed.iter().find(|i| i.kind == "osc-surface").unwrap();
    assert_eq!(surface_info.last_push_ms, None, "a surface takes no looks");

    // A trim on camera B reaches box B only (once box A holds its settled look, so its
    // certified push is not counted as the trim's).
    tokio::time::timeout(
        Duration::from_secs(60),
        rx.wait_for(|l| {
            l.iter().any(|i| {
                i.id == "lutbox-a"
                    && i.look_quality == Some(crate::device_registry::LookQuality::Certified)
            })
        }),
    )
    .await
    .expect("box A's certified look")
    .unwrap();
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
    // A saturation trim before the look's power does not merge into one ASC CDL: the
    // camera, which takes only a CDL, gets the best fitted CDL and the API states its error.
    let took = |r: &[DeviceReport]| {
        r.iter()
            .find(|x| x.id == "bmd-camera-e")
            .map_or(0, |x| x.pushes)
    };
    wait_reports(&d, "camera E given the trimmed look", |r| {
        took(r) > took(&before)
    })
    .await;
    assert!((show.view().show.cameras["e"].grade.trim.sat - 0.7).abs() < 1e-6);
    let listed = tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|l| {
            l.iter()
                .any(|i| i.id == "bmd-camera-e" && i.cdl_fit_max_cv.is_some())
        }),
    )
    .await
    .expect("camera E lists its fitted CDL's error")
    .unwrap()
    .clone();
    let e = listed.iter().find(|i| i.id == "bmd-camera-e").unwrap();
    let want = crate::show::fitted_cdl_for(&show.view().show, "e", "sdr").unwrap();
    assert!(!want.exact);
    assert_eq!(e.cdl_fit_max_cv, Some(want.error.output_max_cv), "{e:?}");
    assert_eq!(e.error, None, "{e:?}");
    // The camera's corrector holds the fitted CDL (its saturation: the trim's 0.7 pulls the
    // fitted one below 1).
    let corrector = d.bmd_corrector().expect("the demo has a Blackmagic camera");
    assert!(want.cdl.sat < 0.95, "{want:?}");
    assert!(
        (corrector.saturation - want.cdl.sat).abs() < 1e-6,
        "{corrector:?} vs {want:?}"
    );
    // Boxes that take a lattice get no fit: their look carries the grade itself.
    let box_e = listed.iter().find(|i| i.id == "lutbox-e").unwrap();
    assert_eq!(box_e.cdl_fit_max_cv, None);

    // Someone turns the gain at the camera: its event WebSocket reports it and the device
    // list says where the camera now differs from the grade.
    tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|l| {
            l.iter().any(|i| {
                i.id == "bmd-camera-e" && i.camera_events.is_some() && i.camera_drift.is_none()
            })
        }),
    )
    .await
    .expect("the camera agrees with what lookwire sent it")
    .unwrap();
    d.bmd_sim().unwrap().local_change(|c| c.gain[2] = 1.7);
    let listed = tokio::time::timeout(
        Duration::from_secs(30),
        rx.wait_for(|l| {
            l.iter().any(|i| {
                i.id == "bmd-camera-e"
                    && i.camera_drift
                        .as_deref()
                        .is_some_and(|t| t.contains("gain"))
            })
        }),
    )
    .await
    .expect("the camera's own change shows")
    .unwrap()
    .clone();
    let e = listed.iter().find(|i| i.id == "bmd-camera-e").unwrap();
    assert!(e.camera_events.unwrap() >= 1, "{e:?}");
    assert!(e.camera_drift.as_ref().unwrap().contains("1.7"), "{e:?}");
}

/// Devices on the same camera and output share one bake per change: the same lattice, not
/// a copy, and a changed camera re-bakes only its own devices.
#[test]
fn devices_on_one_look_share_one_bake() {
    use std::collections::{HashMap, HashSet};
    let mut show = demo_show();
    let route = |camera: &str, output: &str, generation| super::Route {
        camera: camera.into(),
        output: output.into(),
        generation,
    };
    let targets: HashMap<String, super::Route> = [
        ("box-1".to_string(), route("a", "sdr", 1)),
        ("monitor".to_string(), route("a", "sdr", 2)),
        ("box-2".to_string(), route("b", "sdr", 3)),
    ]
    .into();
    let none = HashSet::new();
    let (last, looks) = super::bake_all(HashMap::new(), &show, &targets, &none);
    let by_id: HashMap<_, _> = looks.into_iter().map(|(id, l, _)| (id, l)).collect();
    assert_eq!(by_id.len(), 3);
    assert!(std::sync::Arc::ptr_eq(
        &by_id["box-1"].lut,
        &by_id["monitor"].lut
    ));
    assert!(!std::sync::Arc::ptr_eq(
        &by_id["box-1"].lut,
        &by_id["box-2"].lut
    ));
    show.cameras["b"].grade.trim.sat = 0.8;
    let (_, looks) = super::bake_all(last, &show, &targets, &none);
    let ids: Vec<_> = looks.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(ids, ["box-2"], "only camera B's device is baked again");
}

/// Reconfiguring a stored device keeps its place: the list comes back in the order the
/// devices were added.
#[test]
fn a_reconfigured_device_keeps_its_place_in_the_store() {
    use crate::store::{Store, StoredDevice};
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(&dir.path().join("show.sqlite")).unwrap();
    let put = |store: &mut SqliteStore, id: &str, config: &str| {
        let d = StoredDevice {
            id: id.into(),
            config: config.into(),
        };
        store.put_device(&d).unwrap();
    };
    put(&mut store, "first", "{}");
    put(&mut store, "second", "{}");
    put(&mut store, "first", r#"{"changed":true}"#);
    let listed = store.devices().unwrap();
    let ids: Vec<_> = listed.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["first", "second"]);
    assert_eq!(listed[0].config, r#"{"changed":true}"#);
}
