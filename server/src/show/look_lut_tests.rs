//! A show look that is a LUT file: its table is read from the store's bytes and applied by
//! the one look description, by devices, by previews and by exports.

use axum::http::{Method, StatusCode};
use lookwire_color::output::live::exact_bake;
use lookwire_color::pipeline::{self, Op};
use lookwire_color::{Cdl, CdlStyle};
use nalgebra::Matrix3;
use serde_json::{json, Value};

use super::look::{engine_working, look_for, LookNode};
use super::lut_test_files::{
    identity_cube, max_diff, mid_lattice_diff, samples, swap_cube, upload,
};
use super::{look_luts, Bypass, ShowHandle};
use crate::api::testkit::TestApp;
use crate::devices::bake::Baker;
use crate::store::SqliteStore;

/// Adds show look `id` holding LUT file `file` and gives it to camera a, with a known trim
/// and no other node.
async fn lut_look_on_a(t: &TestApp, id: &str, file: &str) {
    let look = json!({"id": id, "name": id, "cdl": null, "lut": file});
    assert_eq!(t.post("/api/v1/looks", look).await.0, StatusCode::CREATED);
    let grade = json!({
        "match": {"slope": [1, 1, 1], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1},
        "trim": {"slope": [1.1, 1.0, 0.9], "offset": [0.01, 0, 0], "power": [1, 1, 1], "sat": 1},
        "nodes": [],
        "look": id,
    });
    let res = t.patch("/api/v1/cameras/a/grade", grade).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
}

/// Camera a's look through `sdr` built by hand, with the red/blue swap as a matrix.
fn expected_swap(show: &super::Show) -> pipeline::Look {
    let cam = &show.cameras["a"];
    let out = &show.outputs["sdr"];
    let mut look = pipeline::Look::from_ids(
        &cam.input_space,
        engine_working(cam.working_space),
        out.display.as_deref().unwrap(),
    )
    .unwrap();
    look.cdl_style = show.cdl_style;
    look.output = look.output.with_range(out.range);
    let trim = Cdl {
        slope: [1.1, 1.0, 0.9],
        offset: [0.01, 0.0, 0.0],
        ..Cdl::IDENTITY
    };
    let swap = Matrix3::new(0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0);
    look.looks = vec![
        Op::Cdl {
            cdl: trim,
            style: show.cdl_style,
        },
        Op::Matrix(swap),
    ];
    look
}

#[tokio::test]
async fn a_lut_show_look_is_applied_in_the_look_description_and_on_devices() {
    let t = TestApp::demo();
    let file = upload(&t, "swap.cube", swap_cube("swap")).await;
    lut_look_on_a(&t, "swap", &file).await;
    let show = t.state.show.view().show.clone();
    let look = look_for(&show, "a", "sdr").unwrap();
    assert!(
        matches!(look.nodes.last(), Some(LookNode::Lut(_))),
        "{:?}",
        look.nodes
    );
    assert_eq!(look.cdls(), None, "a LUT does not travel as CDLs");
    let got = look.ops().unwrap().unwrap();
    let want = expected_swap(&show).pipeline().unwrap();
    let mut unswapped = expected_swap(&show);
    unswapped.looks.pop();
    let unswapped = unswapped.pipeline().unwrap();
    let mut moved = 0.0f64;
    for p in samples() {
        let d = max_diff(got.apply(p), want.apply(p));
        assert!(d < 1e-5, "{p:?}: {d}");
        moved = moved.max(max_diff(want.apply(p), unswapped.apply(p)));
    }
    assert!(moved > 0.05, "the swap moves the picture ({moved})");

    // Devices bake the same look.
    let device = Baker::default()
        .bake(&show, "a", "sdr", Bypass::None)
        .unwrap();
    let reference = exact_bake(&expected_swap(&show), device.lut.size()).unwrap();
    let (checked, worst) = mid_lattice_diff(&device.lut, &reference);
    assert!(
        checked > 100 && worst < 1e-4,
        "{checked} nodes, worst {worst}"
    );
    assert_eq!(device.cdl_style, CdlStyle::Asc);
}

#[tokio::test]
async fn a_lut_show_look_reaches_exports() {
    let t = TestApp::demo();
    let file = upload(&t, "swap-export.cube", swap_cube("swap for export")).await;
    lut_look_on_a(&t, "swap-x", &file).await;
    let show = t.state.show.view().show.clone();
    let list = crate::post::export::clf_nodes::look_process_list(&show, "a", "sdr", 33)
        .unwrap()
        .unwrap();
    let want = expected_swap(&show).pipeline().unwrap();
    let mut unswapped = expected_swap(&show);
    unswapped.looks.pop();
    let unswapped = unswapped.pipeline().unwrap();
    let (mut worst, mut without) = (0.0f64, 0.0f64);
    for p in samples() {
        let rgb = [p[0] as f32, p[1] as f32, p[2] as f32];
        let got = list.apply(rgb).map(f64::from);
        worst = worst.max(max_diff(got, want.apply(p)));
        without = without.max(max_diff(got, unswapped.apply(p)));
    }
    // The export's 33³ output table of an ACES 2.0 transform is within about 0.03 here
    // (0.025 measured; post's own tests allow 0.02 at their worst point); leaving the LUT out
    // is off by 0.7.
    assert!(worst < 0.03, "against the swapped look: {worst}");
    assert!(
        without > 10.0 * worst,
        "against the look without the LUT: {without}"
    );
}

fn decode(jpeg: &[u8]) -> Vec<u8> {
    jpeg_decoder::Decoder::new(jpeg).decode().unwrap()
}

fn mean_abs(a: &[u8], b: &[u8]) -> f64 {
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len() as f64
}

async fn preview(t: &TestApp) -> Vec<u8> {
    let uri = "/api/v1/cameras/a/preview.jpg?output=sdr&width=320";
    let reply = t.request(Method::GET, uri, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    decode(&reply.bytes)
}

#[tokio::test]
async fn previews_show_a_lut_show_look() {
    let t = TestApp::demo();
    let none = json!({"id": "plain", "name": "plain", "cdl": null, "lut": null});
    assert_eq!(t.post("/api/v1/looks", none).await.0, StatusCode::CREATED);
    let grade = json!({"nodes": [], "look": "plain",
        "trim": {"slope": [1.1, 1.0, 0.9], "offset": [0.01, 0, 0], "power": [1, 1, 1], "sat": 1}});
    assert_eq!(
        t.patch("/api/v1/cameras/a/grade", grade).await.0,
        StatusCode::OK
    );
    let plain = preview(&t).await;
    let ident = upload(&t, "identity.cube", identity_cube("identity")).await;
    lut_look_on_a(&t, "ident", &ident).await;
    let through_identity = preview(&t).await;
    let swap = upload(&t, "swap-preview.cube", swap_cube("swap for preview")).await;
    lut_look_on_a(&t, "swap-p", &swap).await;
    let swapped = preview(&t).await;
    let same = mean_abs(&plain, &through_identity);
    let moved = mean_abs(&plain, &swapped);
    assert!(
        same < 0.5,
        "an identity LUT look leaves the preview ({same} codes)"
    );
    assert!(
        moved > 3.0,
        "the swap LUT look shows in the preview ({moved} codes)"
    );
}

#[tokio::test]
async fn lut_files_that_do_not_read_are_refused_and_tables_come_back_after_a_restart() {
    let t = TestApp::demo();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/files?name=broken.cube")
        .body(axum::body::Body::from("LUT_3D_SIZE 2\n0 0 0\n"))
        .unwrap();
    let reply = t.send(req).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["error"]["code"], "invalid_lut");
    let files: Value = t.get("/api/v1/files").await.1;
    assert!(files
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["name"] != "broken.cube"));

    // A table read at start from the store's bytes, not from the upload.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let bytes = swap_cube("swap kept across a restart");
    let id = {
        let show = ShowHandle::start(
            Box::new(SqliteStore::open(&path).unwrap()),
            super::demo::demo_show,
        )
        .unwrap();
        let mut reader = SqliteStore::open(&path).unwrap();
        let stored = crate::store::StoredFile {
            id: format!("f{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes)),
            name: "kept.cube".into(),
            xxh3: format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes)),
            xxh64: format!("{:016x}", xxhash_rust::xxh64::xxh64(&bytes, 0)),
            bytes: bytes.clone(),
        };
        crate::store::Store::put_file(&mut reader, &stored).unwrap();
        let file = super::FileRef {
            id: stored.id.clone(),
            name: stored.name.clone(),
            size: bytes.len() as u64,
            xxh3: stored.xxh3.clone(),
            xxh64: stored.xxh64.clone(),
        };
        show.apply("test", super::Action::AddFile(file), None)
            .await
            .unwrap();
        stored.id
    };
    assert!(
        look_luts::get(&id).is_none(),
        "not read until the show starts"
    );
    let _show = ShowHandle::start(
        Box::new(SqliteStore::open(&path).unwrap()),
        super::demo::demo_show,
    )
    .unwrap();
    let table = look_luts::get(&id).expect("read from the store at start");
    assert_eq!(
        table.file.title.as_deref(),
        Some("swap kept across a restart")
    );
}
