//! OSC in and out over real UDP sockets with a simulated surface.

use std::time::Duration;

use lookwire_protocol::osc::{feedback, parse_message, Command, OscEndpoint, TrimField};
use lookwire_protocol::sim::osc_surface::OscSurfaceSim;
use rosc::{OscMessage, OscType};

fn msg(addr: &str, args: Vec<OscType>) -> OscMessage {
    OscMessage {
        addr: addr.into(),
        args,
    }
}

#[test]
fn the_address_scheme_decodes_and_checks_values() {
    let f = OscType::Float;
    assert_eq!(
        parse_message(&msg(
            "/lookwire/camera/a/slope",
            vec![f(1.1), OscType::Int(1), OscType::Double(0.9)]
        ))
        .unwrap(),
        Command::Rgb {
            camera: "a".into(),
            field: TrimField::Slope,
            rgb: [1.100000023841858, 1.0, 0.9]
        }
    );
    assert_eq!(
        parse_message(&msg("/lookwire/camera/cam-2/offset/b", vec![f(-0.5)])).unwrap(),
        Command::Channel {
            camera: "cam-2".into(),
            field: TrimField::Offset,
            channel: 2,
            value: -0.5
        }
    );
    assert_eq!(
        parse_message(&msg("/lookwire/camera/a/reset", vec![])).unwrap(),
        Command::Reset { camera: "a".into() }
    );
    let cases = [
        (
            "/lookwire/camera/a/power",
            vec![f(1.0), f(0.0), f(1.0)],
            "power 0 must be greater than 0 and at most 100",
        ),
        (
            "/lookwire/camera/a/sat",
            vec![f(f32::NAN)],
            "sat NaN must be a finite number",
        ),
        (
            "/lookwire/camera/a/offset/g",
            vec![OscType::Double(-1e300)],
            "offset -1e300 must be within ±100",
        ),
        (
            "/lookwire/camera/a/slope",
            vec![f(1.0), f(250.0), f(1.0)],
            "slope 250 must be from 0 to 100",
        ),
        (
            "/lookwire/camera/a/slope",
            vec![f(1.0)],
            "expected 3 numeric argument(s), got 1",
        ),
        (
            "/lookwire/camera/a/slope/x",
            vec![f(1.0)],
            "channel \"x\" is not r, g or b",
        ),
        (
            "/lookwire/camera/a/sat",
            vec![OscType::String("hi".into())],
            "argument 0 is String",
        ),
        ("/lookwire/camera/A B/sat", vec![f(1.0)], "camera id"),
        ("/other/thing", vec![], "not under /lookwire/camera"),
        (
            "/lookwire/camera/a/gamma",
            vec![f(1.0), f(1.0), f(1.0)],
            "unknown control \"gamma\"",
        ),
    ];
    for (addr, args, want) in cases {
        let err = parse_message(&msg(addr, args)).unwrap_err();
        assert_eq!(err.address, addr);
        assert!(err.to_string().contains(want), "{addr}: {err}");
    }
}

#[test]
fn feedback_bytes_follow_osc_1_0() {
    // protocols.md §4.1's worked example, on lookwire's scheme: address, ",f", f32 BE.
    let m = feedback("1", "sat", &[1.25]);
    let bytes = rosc::encoder::encode(&rosc::OscPacket::Message(m)).unwrap();
    let mut want = b"/lookwire/camera/1/sat\0\0".to_vec();
    want.extend_from_slice(&[0x2C, 0x66, 0, 0, 0x3F, 0xA0, 0, 0]);
    assert_eq!(bytes, want);
}

#[tokio::test]
async fn commands_arrive_malformed_ones_are_ignored_and_feedback_returns() {
    let (ep, mut rx) = OscEndpoint::bind("127.0.0.1:0").await.unwrap();
    let surface = OscSurfaceSim::start(ep.local_addr().unwrap())
        .await
        .unwrap();
    surface.send_raw(b"\x00garbage").await.unwrap();
    surface
        .send("/lookwire/camera/a/power", &[1.0, -1.0, 1.0])
        .await
        .unwrap();
    surface
        .send("/lookwire/camera/a/sat", &[0.8])
        .await
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        got.command,
        Command::Saturation {
            camera: "a".into(),
            value: 0.800000011920929
        }
    );
    assert_eq!(got.from, surface.addr().unwrap());
    assert_eq!(ep.ignored(), 2);

    // Within the guard window the sender gets no echo; another surface does.
    let other = OscSurfaceSim::start(ep.local_addr().unwrap())
        .await
        .unwrap();
    ep.add_peer(other.addr().unwrap());
    assert_eq!(
        ep.send_feedback(feedback("a", "sat", &[0.8]))
            .await
            .unwrap(),
        1
    );
    let fb = tokio::time::timeout(Duration::from_secs(5), other.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fb.addr, "/lookwire/camera/a/sat");
    assert_eq!(fb.args, vec![OscType::Float(0.8)]);
    tokio::time::sleep(ep.guard).await;
    assert_eq!(
        ep.send_feedback(feedback("a", "sat", &[0.8]))
            .await
            .unwrap(),
        2
    );
    let fb = tokio::time::timeout(Duration::from_secs(5), surface.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fb.addr, "/lookwire/camera/a/sat");
}
