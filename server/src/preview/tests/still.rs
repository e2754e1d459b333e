//! Uploaded stills as a camera's picture, in each format lookwire reads.

use super::*;
use crate::image::{self, Image, Samples};

/// Bytes of a `w`×`h` image file of one code value, in the format `ext` names.
pub(super) fn still_bytes(ext: &str, w: usize, h: usize, code: f32) -> Vec<u8> {
    let n = w * h * 3;
    let (samples, bits) = match ext {
        "exr" => (Samples::F32(vec![code; n]), 0),
        "dpx" => (Samples::U16(vec![(code * 1023.0).round() as u16; n]), 10),
        "tif" => (Samples::U16(vec![(code * 65535.0).round() as u16; n]), 16),
        _ => (Samples::U8(vec![(code * 255.0).round() as u8; n]), 8),
    };
    let img = Image {
        width: w,
        height: h,
        channels: 3,
        bits,
        samples,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("still.{ext}"));
    image::write(&path, &img).unwrap();
    std::fs::read(&path).unwrap()
}

pub(super) async fn put(app: &Router, uri: &str, body: Vec<u8>) -> (Response<()>, Bytes) {
    let req = Request::builder()
        .method("PUT")
        .uri(uri)
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let (parts, body) = res.into_parts();
    (
        Response::from_parts(parts, ()),
        body.collect().await.unwrap().to_bytes(),
    )
}

/// A flat still at the S-Log3 code of 18 % grey replaces the chart: the whole preview is
/// the grey the exact pipeline predicts, for every format; deleting it brings the chart back.
#[tokio::test]
async fn an_uploaded_still_is_the_cameras_picture_until_deleted() {
    let s = server();
    set_grade(&s.app, "a", json!({"look": null})).await;
    let slog3_grey = (420.0 + 0.0) / 1023.0; // S-Log3 18 % grey: 420 of 1023 (Sony's table)
    let want = predicted_code(slog3_grey);
    let preview = "/api/v1/cameras/a/preview.jpg?width=256";
    let (_, chart) = call(&s.app, "GET", preview, None).await;
    for ext in ["exr", "dpx", "tif", "png"] {
        let (res, body) = put(
            &s.app,
            "/api/v1/cameras/a/source",
            still_bytes(ext, 320, 180, slog3_grey),
        )
        .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{ext}: {}",
            String::from_utf8_lossy(&body)
        );
        let info: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            (info["kind"].as_str(), info["width"].as_u64()),
            (Some("still"), Some(320))
        );
        let (_, jpeg) = call(&s.app, "GET", preview, None).await;
        let (px, w, h) = decode(&jpeg);
        assert_eq!((w, h), (256, 144));
        let got = mean_u8(&px, w, 128, 72);
        for c in 0..3 {
            assert!(
                (got[c] - want[c]).abs() * 255.0 < 2.5,
                "{ext}: {got:?} vs {want:?}"
            );
        }
    }
    let (res, body) = call(&s.app, "DELETE", "/api/v1/cameras/a/source", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["kind"], "chart");
    let (_, back) = call(&s.app, "GET", preview, None).await;
    assert_eq!(back, chart);
}

/// The exact f64 pipeline of camera a (S-Log3, ACEScct, ACES 2.0 SDR) for one grey code.
fn predicted_code(code: f32) -> [f64; 3] {
    let look = pipeline::Look::from_ids(
        "sony-slog3-sgamut3cine",
        WorkingSpace::AcesCct,
        "aces2-sdr-rec709",
    )
    .unwrap()
    .with_cdl(Cdl::IDENTITY, CdlStyle::Asc)
    .pipeline()
    .unwrap();
    look.apply([f64::from(code); 3]).map(|v| v.clamp(0.0, 1.0))
}

#[tokio::test]
async fn bad_stills_are_refused_with_the_reason() {
    let s = server();
    let uri = "/api/v1/cameras/a/source";
    let (res, body) = put(&s.app, uri, b"GIF89a not an image we read".to_vec()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let e: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(e["error"]["code"], "invalid_image");
    assert!(e["error"]["message"].as_str().unwrap().contains("OpenEXR"));
    // A truncated PNG: the reader's reason, without the temporary path.
    let mut png = still_bytes("png", 64, 36, 0.5);
    png.truncate(60);
    let (res, body) = put(&s.app, uri, png).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let msg = String::from_utf8_lossy(&body).to_string();
    assert!(!msg.contains("/tmp"), "{msg}");
    let (res, _) = put(
        &s.app,
        "/api/v1/cameras/zz/source",
        still_bytes("png", 8, 8, 0.5),
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// An OpenEXR header (scanlines, ZIP, half R, G, B) claiming `w`×`h` pixels, with no
/// pixels after it: a small file that would decode large.
fn exr_header_only(w: i32, h: i32) -> Vec<u8> {
    fn attr(out: &mut Vec<u8>, name: &str, kind: &str, value: &[u8]) {
        for s in [name, kind] {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        out.extend_from_slice(&(value.len() as i32).to_le_bytes());
        out.extend_from_slice(value);
    }
    let ints = |v: &[i32]| v.iter().flat_map(|i| i.to_le_bytes()).collect::<Vec<u8>>();
    let mut channels = Vec::new();
    for name in ["B", "G", "R"] {
        channels.extend_from_slice(name.as_bytes());
        channels.push(0);
        channels.extend(ints(&[1])); // half
        channels.extend([0, 0, 0, 0]); // pLinear, reserved
        channels.extend(ints(&[1, 1])); // x and y sampling
    }
    channels.push(0);
    let window = ints(&[0, 0, w - 1, h - 1]);
    let mut out = vec![0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0];
    attr(&mut out, "channels", "chlist", &channels);
    attr(&mut out, "compression", "compression", &[3]); // ZIP, 16 lines a chunk
    attr(&mut out, "dataWindow", "box2i", &window);
    attr(&mut out, "displayWindow", "box2i", &window);
    attr(&mut out, "lineOrder", "lineOrder", &[0]);
    attr(&mut out, "pixelAspectRatio", "float", &1.0f32.to_le_bytes());
    attr(&mut out, "screenWindowCenter", "v2f", &[0; 8]);
    attr(
        &mut out,
        "screenWindowWidth",
        "float",
        &1.0f32.to_le_bytes(),
    );
    out.push(0);
    out.extend(vec![0; 64]);
    out
}

/// A PNG signature and header claiming `w`×`h` pixels, and no image data.
fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Sixteen);
    drop(enc.write_header().unwrap());
    out
}

/// A header that names a picture past the limit is refused by its size, before decoding.
#[tokio::test]
async fn a_still_too_large_is_refused_from_its_header_before_decoding() {
    let s = server();
    let max = crate::preview::still::MAX_PIXELS.to_string();
    let cases = [
        ("exr", exr_header_only(20_000, 20_000), "20000×20000"),
        ("exr", exr_header_only(4097, 2160), "4097×2160"),
        ("png", png_header_only(30_000, 20_000), "30000×20000"),
    ];
    for (ext, bytes, size) in cases {
        assert!(bytes.len() < 1000, "{ext}: a small file");
        let (res, body) = put(&s.app, "/api/v1/cameras/a/source", bytes.clone()).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{ext}");
        let err: Value = serde_json::from_slice(&body).unwrap();
        let msg = err["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains(size) && msg.contains(&max),
            "{ext}: the size and the limit are named: {msg}"
        );
        // The same refusal reaches the checks.
        let check = Request::builder()
            .method("POST")
            .uri("/api/v1/cameras/a/checks/hot")
            .body(Body::from(bytes))
            .unwrap();
        let res = s.app.clone().oneshot(check).await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{ext}");
    }
    // Within the limit, the header passes and the pixels are what is missing.
    let (res, body) = put(&s.app, "/api/v1/cameras/a/source", exr_header_only(64, 64)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let msg = String::from_utf8_lossy(&body);
    assert!(!msg.contains(&max), "{msg}");
}
