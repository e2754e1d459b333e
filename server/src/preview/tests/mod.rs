//! Preview and scope tests: pure functions on known frames, and the routes through
//! `tower::ServiceExt::oneshot` against the demo show.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use axum::response::Response;
use axum::Router;
use http_body_util::BodyExt;
use lookwire_color::chart::{patches, PatchGroup};
use lookwire_color::pipeline::{self, WorkingSpace};
use lookwire_color::{Cdl, CdlStyle};
use serde_json::{json, Value};
use tower::ServiceExt;

use super::scopes::{self, unpack, LEVELS};
use super::source::{resample, Sources};
use super::*;
use crate::api::{router, AppState};
use crate::auth::Auth;
use crate::device_registry::DeviceRegistry;
use crate::show::{demo::demo_show, ShowHandle};
use crate::store::{SqliteStore, Store};

/// ACES 18 % grey through ACES 2.0 SDR Rec.709, full range: OpenColorIO 2.6's value, as
/// pinned by the engine's reference tests (color/src/output/mod.rs).
const GREY_709: f32 = 0.383117;

struct Server {
    app: Router,
    _dir: tempfile::TempDir,
}

fn server() -> Server {
    server_with(Auth::open())
}

fn server_with(auth: Auth) -> Server {
    let dir = tempfile::tempdir().unwrap();
    Server {
        app: router(app_state(&dir, auth)),
        _dir: dir,
    }
}

fn app_state(dir: &tempfile::TempDir, auth: Auth) -> AppState {
    app_state_with(dir, auth, Arc::new(crate::show::fade::SystemFrames))
}

/// [`app_state`] with scene fades timed by `frames`.
fn app_state_with(
    dir: &tempfile::TempDir,
    auth: Auth,
    frames: Arc<dyn crate::show::fade::FrameClock>,
) -> AppState {
    let path = dir.path().join("show.sqlite");
    let store = Box::new(SqliteStore::open(&path).unwrap());
    let show = ShowHandle::start_with_frames(store, demo_show, frames).unwrap();
    let reader: Box<dyn Store> = Box::new(SqliteStore::open(&path).unwrap());
    AppState {
        show,
        auth: Arc::new(auth),
        devices: DeviceRegistry::default(),
        reader: Arc::new(Mutex::new(reader)),
    }
}

/// The preview routes alone, serving `previews` (for tests that reach into it).
fn preview_server(previews: Arc<Previews>) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let app = Router::new()
        .nest("/api/v1", routes::routes_with(previews))
        .with_state(app_state(&dir, Auth::open()));
    Server { app, _dir: dir }
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (Response<()>, Bytes) {
    let req = Request::builder().method(method).uri(uri);
    let req = match body {
        Some(b) => req
            .header("content-type", "application/json")
            .body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    };
    let res = app.clone().oneshot(req.unwrap()).await.unwrap();
    let (parts, body) = res.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (Response::from_parts(parts, ()), bytes)
}

async fn set_grade(app: &Router, camera: &str, body: Value) {
    let (res, bytes) = call(
        app,
        "PATCH",
        &format!("/api/v1/cameras/{camera}/grade"),
        Some(body),
    )
    .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

/// Decoded RGB8 pixels and size.
fn decode(jpeg: &[u8]) -> (Vec<u8>, usize, usize) {
    let mut d = jpeg_decoder::Decoder::new(jpeg);
    let px = d.decode().unwrap();
    let info = d.info().unwrap();
    assert_eq!(info.pixel_format, jpeg_decoder::PixelFormat::RGB24);
    (px, usize::from(info.width), usize::from(info.height))
}

/// Mean of a 5×5 block around (x, y) of an RGB8 image, as 0..1.
fn mean_u8(px: &[u8], w: usize, x: usize, y: usize) -> [f64; 3] {
    let mut s = [0.0; 3];
    for yy in y - 2..=y + 2 {
        for xx in x - 2..=x + 2 {
            (0..3).for_each(|c| s[c] += f64::from(px[(yy * w + xx) * 3 + c]));
        }
    }
    s.map(|v| v / 25.0 / 255.0)
}

/// Patches a 960-wide picture samples cleanly (ColorChecker, greys, skin), with centres.
fn sample_points(w: usize, h: usize) -> Vec<(String, usize, usize)> {
    patches()
        .into_iter()
        .filter(|p| {
            matches!(
                p.group,
                PatchGroup::Chromatic | PatchGroup::Neutral | PatchGroup::Skin
            )
        })
        .map(|p| {
            let [cx, cy] = p.centre();
            (p.id, (cx * w as f64) as usize, (cy * h as f64) as usize)
        })
        .collect()
}

/// The exact f64 engine pipeline of camera `a` (S-Log3, ACEScct working) with `trim`,
/// through ACES 2.0 SDR Rec.709 full range, at each patch centre of the 960-wide chart.
fn predicted(trim: Cdl, w: usize, h: usize) -> Vec<(String, [f64; 3], usize, usize)> {
    let look = pipeline::Look::from_ids(
        "sony-slog3-sgamut3cine",
        WorkingSpace::AcesCct,
        "aces2-sdr-rec709",
    )
    .unwrap()
    .with_cdl(trim, CdlStyle::Asc)
    .pipeline()
    .unwrap();
    let src = Sources::default()
        .frame("sony-slog3-sgamut3cine", w)
        .unwrap();
    sample_points(w, h)
        .into_iter()
        .map(|(id, x, y)| {
            let code = src.pixel(x, y).unwrap().map(f64::from);
            (id, look.apply(code), x, y)
        })
        .collect()
}

/// Per-patch largest channel difference (8-bit codes) between a picture and the prediction,
/// sorted, with the patch ids.
fn errors(px: &[u8], w: usize, want: &[(String, [f64; 3], usize, usize)]) -> Vec<(f64, String)> {
    let mut e: Vec<(f64, String)> = want
        .iter()
        .map(|(id, rgb, x, y)| {
            let got = mean_u8(px, w, *x, *y);
            let d = (0..3).map(|c| (got[c] - rgb[c].clamp(0.0, 1.0)).abs() * 255.0);
            (d.fold(0.0, f64::max), id.clone())
        })
        .collect();
    e.sort_by(|a, b| a.0.total_cmp(&b.0));
    e
}

/// Median within 1.5 and every patch within 4.5 of 255 codes: the devices' 33³ live bake
/// interpolated tetrahedrally (measured before JPEG: median 0.5, max 3.1 codes, on the saturated
/// ColorChecker blue and yellow where the ACES 2.0 gamut mapping bends most), 8-bit
/// rounding and JPEG q90 4:4:4 on flat patches.
fn check_tolerance(px: &[u8], w: usize, want: &[(String, [f64; 3], usize, usize)]) {
    let e = errors(px, w, want);
    let (median, max) = (&e[e.len() / 2], &e[e.len() - 1]);
    assert!(
        median.0 <= 1.5,
        "median patch off by {:.2} codes of 255 ({})",
        median.0,
        median.1
    );
    assert!(
        max.0 <= 4.5,
        "patch {} off by {:.2} codes of 255",
        max.1,
        max.0
    );
}

/// Identity look (no show look, identity trim): the preview is the display transform of
/// the chart (the exact f64 engine pipeline) within [`check_tolerance`].
#[tokio::test]
async fn identity_look_preview_is_the_display_transform_of_the_chart() {
    let s = server();
    set_grade(&s.app, "a", json!({"look": null, "trim": Cdl::IDENTITY})).await;
    let (res, jpeg) = call(
        &s.app,
        "GET",
        "/api/v1/cameras/a/preview.jpg?output=sdr&width=960&v=3",
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    assert_eq!(res.headers()["x-lookwire-rendered-output"], "sdr");
    let (px, w, h) = decode(&jpeg);
    assert_eq!((w, h), (960, 540));
    let want = predicted(Cdl::IDENTITY, w, h);
    assert!(want.len() >= 24, "{} patches", want.len());
    check_tolerance(&px, w, &want);
}

/// A trim lands where the exact pipeline predicts, and moves the picture visibly.
#[tokio::test]
async fn trim_changes_the_preview_as_predicted() {
    let s = server();
    let uri = "/api/v1/cameras/a/preview.jpg?width=960";
    set_grade(&s.app, "a", json!({"look": null})).await;
    let (_, before) = call(&s.app, "GET", uri, None).await;
    let trim = Cdl {
        slope: [1.15, 1.0, 0.85],
        offset: [0.02, 0.0, -0.02],
        power: [1.0, 1.0, 1.0],
        sat: 1.0,
    };
    set_grade(&s.app, "a", json!({ "trim": trim })).await;
    let (res, after) = call(&s.app, "GET", uri, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (px0, w, h) = decode(&before);
    let (px1, _, _) = decode(&after);
    check_tolerance(&px1, w, &predicted(trim, w, h));
    // Mid grey (the 18 % card) turns warm: red up, blue down, by well over the tolerance.
    let (_, x, y) = sample_points(w, h)
        .into_iter()
        .find(|p| p.0 == "grey-p0")
        .unwrap();
    let (g0, g1) = (mean_u8(&px0, w, x, y), mean_u8(&px1, w, x, y));
    assert!(
        g1[0] - g0[0] > 10.0 / 255.0 && g0[2] - g1[2] > 10.0 / 255.0,
        "{g0:?} → {g1:?}"
    );
}

#[tokio::test]
async fn hdr_output_renders_as_the_cameras_sdr_output() {
    let s = server();
    let (res, hdr) = call(
        &s.app,
        "GET",
        "/api/v1/cameras/b/preview.jpg?output=hdr&width=320",
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-lookwire-rendered-output"], "sdr");
    assert_eq!(res.headers()["x-lookwire-output"], "hdr");
    let (_, sdr) = call(
        &s.app,
        "GET",
        "/api/v1/cameras/b/preview.jpg?output=sdr&width=320",
        None,
    )
    .await;
    assert_eq!(hdr, sdr);
    assert_eq!(decode(&sdr).1, 320);
}

async fn error_of(app: &Router, uri: &str, status: StatusCode) -> Value {
    let (res, bytes) = call(app, "GET", uri, None).await;
    assert_eq!(res.status(), status, "{uri}");
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    body["error"].clone()
}

#[tokio::test]
async fn bad_requests_get_the_api_error_body() {
    let s = server();
    let e = error_of(
        &s.app,
        "/api/v1/cameras/zz/preview.jpg",
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        (e["code"].as_str(), e["path"].as_str()),
        (Some("not_found"), Some("/cameras/zz"))
    );
    assert!(e["message"].as_str().unwrap().contains("zz"));
    let e = error_of(
        &s.app,
        "/api/v1/cameras/a/preview.jpg?output=nope",
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(e["path"], "output");
    assert!(e["message"].as_str().unwrap().contains("nope"));
    assert!(e["message"].as_str().unwrap().contains("sdr, hdr"));
    for w in ["10", "5000", "wide", "-1"] {
        let uri = format!("/api/v1/cameras/a/preview.jpg?width={w}");
        let e = error_of(&s.app, &uri, StatusCode::BAD_REQUEST).await;
        assert_eq!(
            (e["code"].as_str(), e["path"].as_str()),
            (Some("invalid_parameter"), Some("width"))
        );
    }
    let e = error_of(&s.app, "/api/v1/cameras/zz/scopes", StatusCode::NOT_FOUND).await;
    assert_eq!(e["code"], "not_found");
}

#[test]
fn jpeg_cache_follows_the_grade() {
    let mut show = demo_show();
    let previews = Previews::new();
    let t = target(&show, "c", None, false).unwrap();
    assert_eq!(t.rendered, "sdr");
    let a = previews.jpeg(&show, &t, 128).unwrap();
    let b = previews.jpeg(&show, &t, 128).unwrap();
    assert!(
        Arc::ptr_eq(&a, &b),
        "an unchanged grade is served from the cache"
    );
    show.cameras["d"].grade.trim.sat = 0.5;
    let c = previews.jpeg(&show, &t, 128).unwrap();
    assert!(
        Arc::ptr_eq(&a, &c),
        "another camera's trim leaves this one cached"
    );
    show.cameras["c"].grade.trim.sat = 0.5;
    let d = previews.jpeg(&show, &t, 128).unwrap();
    assert!(!Arc::ptr_eq(&a, &d) && a.bytes != d.bytes);
}

#[test]
fn no_sdr_output_is_an_error() {
    let mut show = demo_show();
    show.cameras["a"].outputs = vec!["hdr".into()];
    let err = target(&show, "a", Some("hdr"), false).unwrap_err();
    assert!(matches!(err, PreviewError::NoSdr(_)), "{err}");
    // Scopes keep the HDR signal.
    assert_eq!(
        target(&show, "a", Some("hdr"), true).unwrap().rendered,
        "hdr"
    );
}

#[test]
fn resample_averages_each_footprint() {
    let mut src = lookwire_color::chart::Frame::filled(4, 2, [0.0; 3]);
    // Left half 0, right half 1 (per channel c: 1 + c).
    for y in 0..2 {
        for x in 2..4 {
            (0..3).for_each(|c| src.data[(y * 4 + x) * 3 + c] = 1.0 + c as f32);
        }
    }
    let out = resample(&src, 2);
    assert_eq!((out.width, out.height), (2, 1));
    assert_eq!(out.data, vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0]);
    let mid = resample(&src, 3);
    assert_eq!(
        mid.pixel(1, 0).unwrap(),
        [0.0; 3],
        "footprint [1, 2) is the left half"
    );
}

fn flat(output: &str, w: usize, h: usize, rgb: [f32; 3]) -> Graded {
    Graded {
        width: w,
        height: h,
        rgb: rgb.iter().copied().cycle().take(w * h * 3).collect(),
        output: output.into(),
    }
}

/// 18 % grey through the SDR output lands on the 18 % mark, in every column, at the centre
/// of the vectorscope.
#[test]
fn scopes_of_a_grey_frame() {
    let show = demo_show();
    let (w, h) = (512, 20);
    let s = scopes::compute(&show, &flat("sdr", w, h, [GREY_709; 3]));
    let mark = s.marks.iter().find(|m| m.label == "18% grey").unwrap();
    assert!(
        (mark.level - f64::from(GREY_709)).abs() < 1e-4,
        "{}",
        mark.level
    );
    let level = (GREY_709 * LEVELS as f32) as usize;
    for wave in [&s.waveform.luma, &s.waveform.r, &s.waveform.b] {
        let counts = unpack(wave).unwrap();
        assert_eq!(counts.len(), scopes::COLUMNS * LEVELS);
        for col in 0..scopes::COLUMNS {
            // 512 pixels over 256 columns: 2 per column per row.
            assert_eq!(counts[col * LEVELS + level], 2 * h as u16, "column {col}");
        }
    }
    let vec = unpack(&s.vectorscope).unwrap();
    let centre = scopes::VECTOR / 2;
    assert_eq!(vec[centre * scopes::VECTOR + centre], (w * h) as u16);
    assert_eq!(
        s.histogram.luma[(GREY_709 * 256.0) as usize],
        (w * h) as u32
    );
    assert_eq!(s.encoding, "bt1886");
}

/// A pure red frame lands on the 100 % red target of the vectorscope; PQ marks are in nits.
#[test]
fn scopes_targets_and_nits() {
    let show = demo_show();
    let s = scopes::compute(&show, &flat("sdr", 64, 8, [1.0, 0.0, 0.0]));
    let red = s.targets.iter().find(|t| t.label == "R 100%").unwrap();
    let n = scopes::VECTOR as f64;
    let (u, v) = (((red.cb + 0.5) * n) as usize, ((0.5 - red.cr) * n) as usize);
    let vec = unpack(&s.vectorscope).unwrap();
    assert_eq!(vec[v * scopes::VECTOR + u], 64 * 8);
    assert!(
        (red.cr - 0.5).abs() < 1e-9,
        "red is Cr +0.5 in Rec.709 Y'CbCr"
    );
    let hdr = scopes::compute(&show, &flat("hdr", 8, 8, [0.5; 3]));
    let nits100 = hdr.marks.iter().find(|m| m.label == "100 nits").unwrap();
    // ST 2084: 100 cd/m² is code 0.508 (BT.2100 reference table: 520 of 1023 → 0.5081).
    assert!((nits100.level - 0.5081).abs() < 1e-3, "{}", nits100.level);
    assert_eq!(hdr.luma_weights, [0.2627, 0.6780, 0.0593]);
}

#[tokio::test]
async fn scopes_route_counts_every_pixel_of_the_hd_frame() {
    let s = server();
    let (res, bytes) = call(&s.app, "GET", "/api/v1/cameras/a/scopes?output=hdr", None).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(1920), Some(1080))
    );
    assert_eq!(v["output"], "hdr");
    assert_eq!(v["encoding"], "pq");
    let luma = unpack(v["waveform"]["luma"].as_str().unwrap()).unwrap();
    let total: u64 = luma.iter().map(|&n| u64::from(n)).sum();
    assert_eq!(total, 1920 * 1080);
    let hist: u64 = v["histogram"]["g"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(hist, 1920 * 1080);
}

/// With auth on, an `<img>` passes its token as `?token=`; other routes still refuse it.
#[tokio::test]
async fn preview_takes_the_token_as_a_query_parameter() {
    let auth = Auth::with_passphrase(crate::auth::hash_secret("truck seven").unwrap());
    let s = server_with(auth);
    let uri = "/api/v1/cameras/a/preview.jpg?width=64";
    let e = error_of(&s.app, uri, StatusCode::UNAUTHORIZED).await;
    assert_eq!(e["code"], "unauthorized");
    let (_, session) = call(
        &s.app,
        "POST",
        "/api/v1/login",
        Some(json!({"passphrase": "truck seven"})),
    )
    .await;
    let session: Value = serde_json::from_slice(&session).unwrap();
    let token = session["token"].as_str().unwrap();
    let (res, jpeg) = call(&s.app, "GET", &format!("{uri}&token={token}"), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(decode(&jpeg).1, 64);
    // Every read takes it (a page's scopes and downloads as well); a forged one does not pass.
    let scopes = format!("/api/v1/cameras/a/scopes?token={token}");
    let (res, _) = call(&s.app, "GET", &scopes, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    error_of(
        &s.app,
        "/api/v1/cameras/a/scopes?token=forged",
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

mod banded_scopes;
mod checks;
mod command;
mod feed;
mod locks;
mod still;
mod stream;
mod views;
