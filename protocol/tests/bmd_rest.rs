//! The REST camera driver against the simulated camera over real HTTP.

use lookwire_color::{Cdl, Lut3d};
use lookwire_protocol::bmd::corrector::PrimaryCorrection;
use lookwire_protocol::bmd::rest::BmdRestCamera;
use lookwire_protocol::sim::bmd_camera::BmdCameraSim;
use lookwire_protocol::{Device, DeviceError, Look};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn graded(slope_r: f64) -> Look {
    let mut l = Look::from_lut(Lut3d::identity(2).unwrap(), "cam e");
    l.cdl = Some(
        Cdl::from_sop_sat([slope_r, 1.0, 0.97, 0.01, 0.0, -0.02, 1.0, 1.0, 1.0], 1.1).unwrap(),
    );
    l
}

#[tokio::test]
async fn a_grade_lands_in_the_camera_corrector_and_only_changes_are_resent() {
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    let mut cam = BmdRestCamera::new(sim.addr().to_string());
    assert!(cam.connect().await.unwrap().cdl_native);
    let report = cam.push(&graded(1.02)).await.unwrap();
    assert!(report.error.max_10bit < 0.5, "{:?}", report.error);
    let c = sim.corrector();
    assert_eq!(c.gain, [1.02, 1.0, 0.97, 1.0]);
    assert_eq!(c.offset, [0.01, 0.0, -0.02, 0.0]);
    assert_eq!(c.saturation, 1.1);
    assert_eq!(sim.puts().len(), 7, "first push sets every group");
    cam.push(&graded(1.05)).await.unwrap();
    let puts = sim.puts();
    assert_eq!(puts.len(), 8, "a slope change is one PUT");
    assert_eq!(puts[7].0, "gain");
    assert_eq!(puts[7].1["red"], 1.05);
    assert_eq!(cam.read_back().await.unwrap(), sim.corrector());
}

#[tokio::test]
async fn changes_made_at_the_camera_are_read_back() {
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    let mut cam = BmdRestCamera::new(sim.addr().to_string());
    cam.connect().await.unwrap();
    sim.local_change(|c| c.lift[0] = 0.1);
    let back = cam.read_back().await.unwrap();
    assert_eq!(back.lift[0], 0.1);
    assert_eq!(
        back,
        PrimaryCorrection {
            lift: [0.1, 0.0, 0.0, 0.0],
            ..PrimaryCorrection::NEUTRAL
        }
    );
}

#[tokio::test]
async fn the_simulator_refuses_bad_bodies_with_400() {
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    let mut s = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    let body = r#"{"red":"a lot"}"#;
    let req = format!(
        "PUT /control/api/v1/colorCorrection/gain HTTP/1.1\r\nhost: cam\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.unwrap();
    assert!(resp.starts_with("HTTP/1.1 400"), "{resp}");
    assert!(resp.contains("gain.red is not a number"), "{resp}");
    assert_eq!(sim.rejected().len(), 1);
    assert_eq!(sim.corrector(), PrimaryCorrection::NEUTRAL);
}

#[tokio::test]
async fn a_camera_that_is_off_and_a_look_without_cdl() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut cam = BmdRestCamera::new(addr.to_string());
    assert!(matches!(
        cam.connect().await.unwrap_err(),
        DeviceError::Connect { .. }
    ));
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    let mut cam = BmdRestCamera::new(sim.addr().to_string());
    cam.connect().await.unwrap();
    let err = cam
        .push(&Look::from_lut(Lut3d::identity(2).unwrap(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Encode { .. }), "{err}");
}
