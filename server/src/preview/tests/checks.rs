//! Camera checks on frames with known defects and known noise, through the route.

use super::*;
use crate::preview::checks::{self, CheckKind};
use lookwire_color::chart::Frame;

/// A deterministic ±`amp` uniform grain (xorshift), so frames are repeatable.
fn grain(seed: &mut u64, amp: f32) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    ((*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0 * amp
}

fn flat(w: usize, h: usize, level: f32, amp: f32) -> Frame {
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    Frame {
        width: w,
        height: h,
        data: (0..w * h * 3)
            .map(|_| level + grain(&mut seed, amp))
            .collect(),
    }
}

fn set(f: &mut Frame, x: usize, y: usize, c: usize, v: f32) {
    f.data[(y * f.width + x) * 3 + c] = v;
}

/// A capped frame (S-Log3 black 0.09 with grain) with three hot pixels, one in each
/// channel, and a warm but legitimate grain peak: exactly the three are found, in
/// reading order, with thumbnails.
#[test]
fn hot_pixels_of_a_capped_frame() {
    let mut f = flat(200, 120, 0.093, 0.004);
    set(&mut f, 10, 5, 0, 0.6);
    set(&mut f, 150, 60, 1, 0.3);
    set(&mut f, 199, 119, 2, 0.9);
    set(&mut f, 50, 50, 1, 0.093 + 0.006);
    let r = checks::defects(&f, CheckKind::Hot).unwrap();
    let found: Vec<_> = r.defects.iter().map(|d| (d.x, d.y, d.channel)).collect();
    assert_eq!(found, vec![(10, 5, 0), (150, 60, 1), (199, 119, 2)]);
    assert_eq!(r.count, 3);
    assert!((r.level[1] - 0.093).abs() < 0.001, "{:?}", r.level);
    assert!(r.defects[0].thumbnail_png.len() > 100);
    // The dead check of the same frame finds none.
    assert_eq!(checks::defects(&f, CheckKind::Dead).unwrap().count, 0);
}

#[test]
fn dead_pixels_of_a_flat_bright_frame() {
    let mut f = flat(160, 90, 0.7, 0.01);
    set(&mut f, 80, 45, 1, 0.0);
    set(&mut f, 3, 88, 0, 0.2);
    let r = checks::defects(&f, CheckKind::Dead).unwrap();
    let found: Vec<_> = r.defects.iter().map(|d| (d.x, d.y)).collect();
    assert_eq!(found, vec![(80, 45), (3, 88)]);
}

/// Uniform grain of ±a has σ = a/√3; through S-Log3 at its 18 % grey code the signal
/// to noise follows from the curve's slope there.
#[test]
fn noise_of_a_flat_grey_frame() {
    let space = lookwire_color::spaces::lookup("sony-slog3-sgamut3cine").unwrap();
    let grey = space.curve.encode(0.18) as f32;
    let amp = 0.006;
    let r = checks::noise(&flat(400, 400, grey, amp), &space).unwrap();
    let sigma = amp / 3f32.sqrt();
    assert!(
        (r.sigma_code[1] - sigma).abs() / sigma < 0.03,
        "{:?}",
        r.sigma_code
    );
    assert!(r.exposure_stops.abs() < 0.01, "{}", r.exposure_stops);
    let slope = (space.curve.decode(f64::from(grey) + 1e-4)
        - space.curve.decode(f64::from(grey) - 1e-4))
        / 2e-4;
    let want = 20.0 * (0.18 / (slope * f64::from(sigma))).log10();
    assert!((r.snr_db - want).abs() < 0.3, "{} vs {want}", r.snr_db);
    assert!((r.snr_stops - r.snr_db / 20.0 / 2f64.log10()).abs() < 1e-9);
    // Twice the grain: 6 dB less.
    let r2 = checks::noise(&flat(400, 400, grey, 2.0 * amp), &space).unwrap();
    assert!((r.snr_db - r2.snr_db - 6.02).abs() < 0.3);
}

/// The show report's lines: counts with the first coordinates, "and N more" past them,
/// and the noise figures as the check measured them.
#[test]
fn check_results_read_as_report_lines() {
    let space = lookwire_color::spaces::lookup("sony-slog3-sgamut3cine").unwrap();
    let grey = space.curve.encode(0.18) as f32;
    let noise = checks::noise(&flat(400, 400, grey, 0.006), &space).unwrap();
    let pixel = |x, y| checks::Defect {
        x,
        y,
        channel: 1,
        value: 0.9,
        level: 0.1,
        thumbnail_png: String::new(),
    };
    let c = routes::CameraChecks {
        camera: "a".into(),
        hot: Some(15),
        hot_pixels: (0..15).map(|i| pixel(i, 2 * i)).collect(),
        dead: Some(0),
        stuck: Some(1),
        stuck_pixels: vec![pixel(7, 9)],
        noise: Some(noise.clone()),
        ..Default::default()
    };
    let lines = c.report_lines();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(
        lines[0].starts_with("Hot pixels (lens capped): 15 at (0, 0), (1, 2)"),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with("(11, 22) and 3 more"), "{}", lines[0]);
    assert_eq!(lines[1], "Dead pixels (flat bright): none");
    assert_eq!(lines[2], "Stuck pixels (moving): 1 at (7, 9)");
    let db = format!("stops ({:.1} dB), ", noise.snr_db);
    assert!(
        lines[3].contains(&db) && lines[3].contains("+0.0 stops"),
        "{}",
        lines[3]
    );
    // A camera never checked has no lines.
    assert!(routes::CameraChecks::default().report_lines().is_empty());
}

/// Through the route: an EXR of a capped frame with one hot pixel; the summary of every
/// camera's checks lists it.
#[tokio::test]
async fn checks_through_the_route() {
    let s = server();
    let mut f = flat(64, 36, 0.093, 0.002);
    set(&mut f, 20, 10, 0, 0.5);
    let img = crate::image::Image {
        width: 64,
        height: 36,
        channels: 3,
        bits: 0,
        samples: crate::image::Samples::F32(f.data.clone()),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capped.exr");
    crate::image::write(&path, &img).unwrap();
    let exr = std::fs::read(&path).unwrap();
    let (status, body) = post(&s.app, "/api/v1/cameras/a/checks/hot", exr.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 1);
    assert_eq!(
        (
            body["defects"][0]["x"].as_u64(),
            body["defects"][0]["y"].as_u64()
        ),
        (Some(20), Some(10))
    );
    let (res, bytes) = call(&s.app, "GET", "/api/v1/checks", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let all: Value = serde_json::from_slice(&bytes).unwrap();
    let a = all
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["camera"] == "a")
        .unwrap();
    assert_eq!(a["hot"], 1);
    assert!(a["dead"].is_null());
    assert_eq!(
        (
            a["hot_pixels"][0]["x"].as_u64(),
            a["hot_pixels"][0]["y"].as_u64()
        ),
        (Some(20), Some(10))
    );
    assert!(a["hot_pixels"][0]["thumbnail_png"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let (status, e) = post(&s.app, "/api/v1/cameras/a/checks/warm", exr.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("hot, dead, stuck or noise"),
        "{e}"
    );
    let (status, e) = post(
        &s.app,
        "/api/v1/cameras/a/checks/noise",
        b"P6 not ours".to_vec(),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_image"))
    );
}

pub(super) async fn post(app: &Router, uri: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::builder()
        .method("POST")
        .uri(uri)
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Frames of a moving picture (a gradient sliding right, with grain) where two pixels
/// hold their values in every frame.
fn moving(n: usize) -> Vec<Frame> {
    (0..n)
        .map(|i| {
            let mut f = flat(64, 36, 0.0, 0.003);
            for y in 0..36 {
                for x in 0..64 {
                    let v = 0.2 + 0.5 * (((x + 7 * i) % 64) as f32 / 64.0);
                    (0..3).for_each(|c| f.data[(y * 64 + x) * 3 + c] += v);
                }
            }
            (0..3).for_each(|c| set(&mut f, 10, 5, c, 0.41));
            (0..3).for_each(|c| set(&mut f, 50, 30, c, 0.9));
            // A dark but changing pixel is no defect.
            (0..3).for_each(|c| set(&mut f, 20, 20, c, 0.05 + 0.01 * i as f32));
            f
        })
        .collect()
}

#[test]
fn stuck_pixels_hold_still_while_the_picture_moves() {
    let r = checks::stuck(&moving(5)).unwrap();
    let found: Vec<_> = r.defects.iter().map(|d| (d.x, d.y)).collect();
    assert_eq!(found, vec![(10, 5), (50, 30)]);
    assert_eq!((r.count, r.kind), (2, CheckKind::Stuck));
    assert!((r.defects[0].value - 0.41).abs() < 1e-6);
    assert!(r.defects[0].level > 0.1, "the picture's median change");
    // A picture that does not move cannot tell stuck pixels from the rest.
    let still = vec![moving(1)[0].clone(); 4];
    let err = checks::stuck(&still).unwrap_err().to_string();
    assert!(err.contains("moving picture"), "{err}");
    let err = checks::stuck(&moving(2)).unwrap_err().to_string();
    assert!(err.contains("3 to 16"), "{err}");
}

/// Through the route: five EXR frames, length-prefixed, one after another.
#[tokio::test]
async fn stuck_pixels_through_the_route() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let mut body = Vec::new();
    for (i, f) in moving(5).into_iter().enumerate() {
        let img = crate::image::Image {
            width: f.width,
            height: f.height,
            channels: 3,
            bits: 0,
            samples: crate::image::Samples::F32(f.data),
        };
        let path = dir.path().join(format!("f{i}.exr"));
        crate::image::write(&path, &img).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        body.extend((bytes.len() as u32).to_be_bytes());
        body.extend(bytes);
    }
    let (status, r) = post(&s.app, "/api/v1/cameras/a/checks/stuck", body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["kind"].as_str(), r["count"].as_u64()),
        (Some("stuck"), Some(2))
    );
    let (_, bytes) = call(&s.app, "GET", "/api/v1/checks", None).await;
    let all: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(all[0]["stuck"], 2, "{all}");
    // A cut-off body names the frame and what is missing.
    let cut = body[..body.len() - 10].to_vec();
    let (status, e) = post(&s.app, "/api/v1/cameras/a/checks/stuck", cut).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("frame 4") && msg.contains("announced"),
        "{msg}"
    );
    let (status, e) = post(&s.app, "/api/v1/cameras/a/checks/stuck", Vec::new()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
}

/// Check results are kept in the show's store: after a restart on the same store (a new
/// server, its own preview service) `GET /checks` lists the same results, listed pixels
/// and noise included (the show report reads the same results, `Previews::camera_checks`).
#[tokio::test]
async fn check_results_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let app = router(app_state(&dir, Auth::open()));
        let mut f = flat(64, 36, 0.093, 0.002);
        set(&mut f, 20, 10, 0, 0.5);
        set(&mut f, 40, 30, 2, 0.6);
        let (status, body) = post(&app, "/api/v1/cameras/b/checks/hot", exr(&f)).await;
        assert_eq!((status, body["count"].as_u64()), (StatusCode::OK, Some(2)));
        let space = lookwire_color::spaces::lookup(&demo_show().cameras["a"].input_space).unwrap();
        let grey = flat(64, 64, space.curve.encode(0.18) as f32, 0.004);
        let (status, body) = post(&app, "/api/v1/cameras/a/checks/noise", exr(&grey)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, bytes) = call(&app, "GET", "/api/v1/checks", None).await;
        serde_json::from_slice::<Value>(&bytes).unwrap()
    };
    assert_eq!(before.as_array().map(Vec::len), Some(2), "{before}");
    let app = router(app_state(&dir, Auth::open()));
    let (_, bytes) = call(&app, "GET", "/api/v1/checks", None).await;
    let after: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(after, before);
    assert_eq!(after[1]["hot_pixels"][1]["x"], 40, "{after}");
    assert!(after[0]["noise"]["snr_db"].as_f64().is_some(), "{after}");
}

/// `f` as an OpenEXR file's bytes.
fn exr(f: &Frame) -> Vec<u8> {
    let img = crate::image::Image {
        width: f.width,
        height: f.height,
        channels: 3,
        bits: 0,
        samples: crate::image::Samples::F32(f.data.clone()),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frame.exr");
    crate::image::write(&path, &img).unwrap();
    std::fs::read(&path).unwrap()
}
