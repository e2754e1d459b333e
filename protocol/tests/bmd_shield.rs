//! The SDI shield path over a real pseudo-terminal pair, against the simulated sketch.

use std::sync::Mutex;

use lookwire_color::{Cdl, Lut3d};
use lookwire_protocol::bmd::corrector::PrimaryCorrection;
use lookwire_protocol::bmd::sdi::decode_group;
use lookwire_protocol::bmd::shield::{nak, SdiShieldCamera};
use lookwire_protocol::serial::{Packet, SerialConfig};
use lookwire_protocol::sim::shield::ShieldSim;
use lookwire_protocol::{Device, DeviceError, Look};

/// `TTYPort::pair` is not thread-safe.
static PTY: Mutex<()> = Mutex::new(());

fn sim() -> ShieldSim {
    let _guard = PTY.lock().unwrap_or_else(|p| p.into_inner());
    ShieldSim::start().unwrap()
}

fn graded() -> Look {
    let mut l = Look::from_lut(Lut3d::identity(2).unwrap(), "cam 3");
    l.cdl = Some(Cdl::from_sop_sat([1.2, 1.0, 0.9, -0.05, 0.0, 0.02, 1.0, 1.0, 1.0], 0.9).unwrap());
    l
}

#[tokio::test]
async fn a_grade_reaches_the_shield_as_one_group() {
    let sim = sim();
    let mut cfg = SerialConfig::new(sim.path(), 115_200);
    cfg.parity = lookwire_protocol::serial::Parity::Even;
    let mut cam = SdiShieldCamera::new(cfg, 3);
    let caps = cam.connect().await.unwrap();
    assert!(caps.cdl_native && caps.lut3d_sizes.is_empty());
    let report = cam.push(&graded()).await.unwrap();
    assert_eq!(report.bytes, 100);
    assert!(
        report.error.max_10bit < 0.5,
        "no power in this CDL: {:?}",
        report.error
    );
    let groups = sim.groups();
    assert_eq!(groups.len(), 1);
    let want = PrimaryCorrection::from_cdl(&graded().cdl.unwrap())
        .sdi_group(3)
        .unwrap();
    assert_eq!(groups[0], want);
    // Gain message: camera 3, category 8, parameter 2, R 1.2 → 0x099A.
    let msgs = decode_group(&groups[0]).unwrap();
    assert_eq!(msgs[2].parameter, 2);
    assert_eq!(groups[0][32..40], [3, 12, 0, 0, 8, 2, 128, 0]);
    assert_eq!(groups[0][40..42], [0x9A, 0x09]);
    assert!(cam.status().await.unwrap().detail.contains("ready"));
}

#[tokio::test]
async fn a_missing_shield_is_reported_at_connect() {
    let sim = sim();
    sim.set_shield_missing(true);
    let mut cam = SdiShieldCamera::new(SerialConfig::new(sim.path(), 115_200), 1);
    let err = cam.connect().await.unwrap_err();
    assert!(err.to_string().contains("SDIC"), "{err}");
}

#[tokio::test]
async fn a_look_without_cdl_and_broadcast_camera_are_refused() {
    let sim = sim();
    let mut cam = SdiShieldCamera::new(SerialConfig::new(sim.path(), 115_200), 255);
    cam.connect().await.unwrap();
    let err = cam
        .push(&Look::from_lut(Lut3d::identity(2).unwrap(), "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Encode { .. }), "{err}");
    let err = cam.push(&graded()).await.unwrap_err();
    assert!(err.to_string().contains("broadcast"), "{err}");
    assert!(sim.groups().is_empty());
}

#[tokio::test]
async fn a_missing_port_fails_to_connect_naming_it() {
    let mut cam = SdiShieldCamera::new(SerialConfig::new("/dev/lookwire-no-such-tty", 115_200), 1);
    let err = cam.connect().await.unwrap_err();
    assert!(matches!(err, DeviceError::Connect { .. }));
    assert!(
        err.to_string().contains("/dev/lookwire-no-such-tty"),
        "{err}"
    );
}

#[test]
fn the_sketch_naks_broken_groups_and_bad_crcs() {
    use std::io::Read;
    let sim = sim();
    let mut port = SerialConfig::new(sim.path(), 115_200).open().unwrap();
    let bad_group = Packet {
        kind: 1,
        seq: 7,
        payload: vec![1, 6, 0, 0, 8, 5, 128, 0, 0, 8, 9, 9],
    };
    port.write_all(&bad_group.to_wire()).unwrap();
    let mut wire = bad_group.to_wire();
    wire[2] ^= 1;
    port.write_all(&wire).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while got.iter().filter(|&&b| b == 0).count() < 2 {
        let n = port.read(&mut buf).unwrap_or(0);
        got.extend_from_slice(&buf[..n]);
    }
    let frames: Vec<_> = got.split(|&b| b == 0).filter(|f| !f.is_empty()).collect();
    let first = Packet::from_frame(frames[0]).unwrap();
    assert_eq!(
        (first.kind, first.seq, first.payload[0]),
        (0x82, 7, nak::BAD_GROUP)
    );
    assert_eq!(
        Packet::from_frame(frames[1]).unwrap().payload,
        vec![nak::CRC]
    );
    assert_eq!(sim.naks(), vec![nak::BAD_GROUP, nak::CRC]);
}
