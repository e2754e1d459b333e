//! Outputs whose transform is a show LUT file (camera log → display code values): uploaded,
//! validated, applied by the one look description, by devices, previews and exports, and
//! read again from the store after a restart.

use axum::http::{Method, StatusCode};
use lookwire_color::formats::LutFormat;
use lookwire_color::output::live::exact_bake;
use lookwire_color::pipeline::{self, Op};
use lookwire_color::Cdl;
use lookwire_protocol::LookQuality;
use nalgebra::Matrix3;
use serde_json::json;

use super::look::{engine_working, look_for, LookError};
use super::lut_test_files::{
    identity_cube, max_diff, mid_lattice_diff, samples, swap_cube, upload,
};
use super::{Action, Bypass, FileRef, Show, ShowHandle};
use crate::api::testkit::{assert_error, TestApp};
use crate::devices::bake::Baker;
use crate::store::{SqliteStore, Store, StoredFile};

const TRIM: Cdl = Cdl {
    slope: [1.1, 1.0, 0.9],
    offset: [0.01, 0.0, 0.0],
    power: [1.0, 1.0, 1.0],
    sat: 1.0,
};

/// Adds output `id` through show LUT `file` (full range), has camera a feed it, and gives
/// camera a a known trim and no show look.
async fn show_lut_output_on_a(t: &TestApp, id: &str, file: &str) {
    let out = json!({"id": id, "name": id, "display": null, "lut": file, "range": "full", "bypass": "none"});
    let res = t.post("/api/v1/outputs", out).await;
    assert_eq!(res.0, StatusCode::CREATED, "{}", res.1);
    let mut outputs = t.state.show.view().show.cameras["a"].outputs.clone();
    outputs.push(id.to_owned());
    let res = t
        .patch("/api/v1/cameras/a", json!({ "outputs": outputs }))
        .await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
    let grade = json!({
        "match": {"slope": [1, 1, 1], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1},
        "trim": {"slope": [1.1, 1.0, 0.9], "offset": [0.01, 0, 0], "power": [1, 1, 1], "sat": 1},
        "nodes": [],
        "look": null,
    });
    let res = t.patch("/api/v1/cameras/a/grade", grade).await;
    assert_eq!(res.0, StatusCode::OK, "{}", res.1);
}

/// Camera a's look through a show LUT output built by hand: the engine's own "camera
/// space as an output" (ACES2065-1 → camera gamut and log), then the red/blue swap as a
/// matrix; `swap: false` leaves the swap out.
fn expected(show: &Show, swap: bool) -> pipeline::Look {
    let cam = &show.cameras["a"];
    let mut look = pipeline::Look::from_ids(
        &cam.input_space,
        engine_working(cam.working_space),
        &cam.input_space,
    )
    .unwrap();
    // The identity CDL slot clamps nothing; the trim carries the show's style.
    look.cdl_style = lookwire_color::CdlStyle::NoClamp;
    look.looks = vec![Op::Cdl {
        cdl: TRIM,
        style: show.cdl_style,
    }];
    if swap {
        let m = Matrix3::new(0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0);
        look.output.ops.push(Op::Matrix(m));
    }
    look
}

#[tokio::test]
async fn a_show_lut_output_is_the_look_and_devices_bake_it_exactly() {
    let t = TestApp::demo();
    let file = upload(&t, "swap-out.cube", swap_cube("show LUT swap")).await;
    show_lut_output_on_a(&t, "swap", &file).await;
    let show = t.state.show.view().show.clone();
    let look = look_for(&show, "a", "swap").unwrap();
    assert_eq!(look.display, "show LUT swap-out.cube");
    assert!(look.show_lut.is_some());
    let got = look.ops().unwrap().unwrap();
    let want = expected(&show, true).pipeline().unwrap();
    let unswapped = expected(&show, false).pipeline().unwrap();
    let mut moved = 0.0f64;
    for p in samples() {
        let d = max_diff(got.apply(p), want.apply(p));
        assert!(d < 1e-5, "{p:?}: {d}");
        moved = moved.max(max_diff(want.apply(p), unswapped.apply(p)));
    }
    assert!(moved > 0.05, "the swap moves the picture ({moved})");

    let device = Baker::default()
        .bake(&show, "a", "swap", Bypass::None)
        .unwrap();
    assert_eq!(device.quality, LookQuality::Certified, "baked exactly");
    let reference = exact_bake(&expected(&show, true), device.lut.size()).unwrap();
    let (checked, worst) = mid_lattice_diff(&device.lut, &reference);
    assert!(
        checked > 100 && worst < 1e-4,
        "{checked} nodes, worst {worst}"
    );
    assert_eq!(device.cdl, Some(TRIM), "CDL devices get the trim");

    // Display-only sends the show LUT alone; identity sends the camera's log.
    let alone = Baker::default()
        .bake(&show, "a", "swap", Bypass::DisplayOnly)
        .unwrap();
    let mut plain = expected(&show, true);
    plain.looks.clear();
    // No CDL at all (an identity ASC CDL would still clamp the working values).
    plain.cdl_style = lookwire_color::CdlStyle::NoClamp;
    let plain = exact_bake(&plain, alone.lut.size()).unwrap();
    let (_, worst) = mid_lattice_diff(&alone.lut, &plain);
    assert!(worst < 1e-4, "display-only: {worst}");
}

async fn preview(t: &TestApp, output: &str) -> Vec<u8> {
    let uri = format!("/api/v1/cameras/a/preview.jpg?output={output}&width=320");
    let reply = t.request(Method::GET, &uri, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(
        reply.headers["x-lookwire-rendered-output"], output,
        "rendered through the show LUT output itself"
    );
    jpeg_decoder::Decoder::new(&reply.bytes[..])
        .decode()
        .unwrap()
}

/// Mean absolute difference between channel `ca` of `a` and channel `cb` of `b` (RGB8).
fn channel_diff(a: &[u8], ca: usize, b: &[u8], cb: usize) -> f64 {
    let n = a.len() / 3;
    let sum: u64 = (0..n)
        .map(|i| u64::from(a[3 * i + ca].abs_diff(b[3 * i + cb])))
        .sum();
    sum as f64 / n as f64
}

#[tokio::test]
async fn previews_render_through_a_show_lut_output() {
    let t = TestApp::demo();
    let ident = upload(&t, "log.cube", identity_cube("show LUT identity")).await;
    show_lut_output_on_a(&t, "log", &ident).await;
    let swap = upload(&t, "swap-preview.cube", swap_cube("show LUT swap preview")).await;
    show_lut_output_on_a(&t, "swapped", &swap).await;
    let log = preview(&t, "log").await;
    let swapped = preview(&t, "swapped").await;
    let sdr = preview(&t, "sdr").await;
    // Through the swap, red is the identity's blue and blue its red (JPEG 4:2:0 blurs
    // colour edges: a code or two on average).
    let crossed = channel_diff(&swapped, 0, &log, 2).max(channel_diff(&swapped, 2, &log, 0));
    let straight = channel_diff(&swapped, 0, &log, 0);
    assert!(crossed < 2.5, "swapped channels: {crossed} codes");
    assert!(
        straight > 3.0 * crossed.max(1.0),
        "red against red: {straight} codes"
    );
    assert!(
        channel_diff(&sdr, 1, &log, 1) > 3.0,
        "the identity show LUT shows the camera's log, not the display transform"
    );
}

#[tokio::test]
async fn a_show_lut_output_reaches_exports() {
    let t = TestApp::demo();
    let file = upload(&t, "swap-export.cube", swap_cube("show LUT swap export")).await;
    show_lut_output_on_a(&t, "swapx", &file).await;
    let show = t.state.show.view().show.clone();
    let want = expected(&show, true).pipeline().unwrap();
    let unswapped = expected(&show, false).pipeline().unwrap();

    let files =
        crate::post::export::look_lut::look_luts(&show, "d1", 33, &[LutFormat::Cube]).unwrap();
    let (name, bytes) = files
        .iter()
        .find(|(p, _)| p.contains("swapx"))
        .expect("a .cube for the show LUT output");
    let baked = LutFormat::Cube.read(bytes, name).unwrap();
    let text = String::from_utf8_lossy(bytes);
    assert!(
        text.contains("output show LUT swap-export.cube"),
        "{text:.400}"
    );
    let (mut worst, mut without) = (0.0f64, 0.0f64);
    for p in samples() {
        let got = baked.apply_f64(p);
        worst = worst.max(max_diff(got, want.apply(p)));
        without = without.max(max_diff(got, unswapped.apply(p)));
    }
    // A 33³ table between its nodes (about 3 codes where saturated samples bend the camera's
    // log; at the nodes the .cube is the look, post::export's cube test).
    assert!(worst < 4e-3, ".cube against the look: {worst}");
    assert!(without > 0.05, ".cube without the swap: {without}");

    let list = crate::post::export::clf_nodes::look_process_list(&show, "a", "swapx", 33)
        .unwrap()
        .unwrap();
    let (mut worst, mut without) = (0.0f64, 0.0f64);
    for p in samples() {
        let got = list
            .apply([p[0] as f32, p[1] as f32, p[2] as f32])
            .map(f64::from);
        worst = worst.max(max_diff(got, want.apply(p)));
        without = without.max(max_diff(got, unswapped.apply(p)));
    }
    assert!(worst < 0.03, "CLF against the look: {worst}");
    assert!(without > 10.0 * worst, "CLF without the swap: {without}");
}

#[tokio::test]
async fn show_lut_outputs_are_validated_where_they_fail() {
    let t = TestApp::demo();
    let out = |lut: &str| json!({"id": "sl", "name": "SL", "display": null, "lut": lut, "range": "legal", "bypass": "none"});
    assert_error(
        &t.post("/api/v1/outputs", out("fnope")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/outputs/sl/lut",
    );
    let notes = upload(&t, "notes.txt", b"not a LUT".to_vec()).await;
    let res = t.post("/api/v1/outputs", out(&notes)).await;
    assert_error(
        &res,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/outputs/sl/lut",
    );
    assert!(res.1["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not a LUT file"));
    let lut = upload(&t, "sl.cube", identity_cube("validated")).await;
    let both = json!({"id": "sl", "name": "SL", "display": "aces2-sdr-rec709", "lut": lut, "range": "legal", "bypass": "none"});
    assert_error(
        &t.post("/api/v1/outputs", both).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/outputs/sl",
    );
    assert!(!t.state.show.view().show.outputs.contains_key("sl"));
    assert_eq!(
        t.post("/api/v1/outputs", out(&lut)).await.0,
        StatusCode::CREATED
    );

    // A LUT file that does not read is refused at upload, with its line.
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/files?name=short.cube")
        .body(axum::body::Body::from("LUT_3D_SIZE 2\n0 0 0\n1 1 1\n"))
        .unwrap();
    let reply = t.send(req).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = reply.json();
    assert_eq!(body["error"]["code"], "invalid_lut");
    assert_eq!(body["error"]["path"], "body");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("short.cube"), "{message}");
}

#[tokio::test]
async fn a_show_lut_output_is_read_from_the_store_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.sqlite");
    let bytes = swap_cube("show LUT kept across a restart");
    let xxh3 = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&bytes));
    let stored = StoredFile {
        id: format!("f{xxh3}"),
        name: "kept-output.cube".into(),
        xxh3,
        xxh64: format!("{:016x}", xxhash_rust::xxh64::xxh64(&bytes, 0)),
        bytes: bytes.clone(),
    };
    let start = || {
        ShowHandle::start(
            Box::new(SqliteStore::open(&path).unwrap()),
            super::demo::demo_show,
        )
        .unwrap()
    };
    {
        let show = start();
        SqliteStore::open(&path).unwrap().put_file(&stored).unwrap();
        let file = FileRef {
            id: stored.id.clone(),
            name: stored.name.clone(),
            size: bytes.len() as u64,
            xxh3: stored.xxh3.clone(),
            xxh64: stored.xxh64.clone(),
        };
        show.apply("test", Action::AddFile(file), None)
            .await
            .unwrap();
        let out: super::Output = serde_json::from_value(json!({"id": "kept", "name": "Kept", "display": null, "lut": stored.id, "range": "full", "bypass": "none"})).unwrap();
        show.apply("test", Action::CreateOutput(out), None)
            .await
            .unwrap();
        // Not read yet: the look says which file is missing instead of baking without it.
        let err = look_for(&show.view().show, "a", "kept").unwrap_err();
        assert_eq!(err, LookError::ShowLut("kept".into(), stored.id.clone()));
    }
    let show = start();
    let view = show.view();
    let look = look_for(&view.show, "a", "kept").expect("the table is read from the store");
    assert_eq!(
        look.show_lut.unwrap().file.title.as_deref(),
        Some("show LUT kept across a restart")
    );
}
