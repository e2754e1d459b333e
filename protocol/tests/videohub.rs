//! The Videohub client against the simulated router over loopback.

use std::time::Duration;

use lookwire_protocol::sim::videohub::VideohubSim;
use lookwire_protocol::videohub::{
    Block, BlockParser, Lock, RouterState, VideohubClient, VideohubError,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn changed_to(client: &VideohubClient, ok: impl Fn(&RouterState) -> bool) -> RouterState {
    let mut rx = client.subscribe();
    let waited = tokio::time::timeout(Duration::from_secs(5), rx.wait_for(|s| ok(s))).await;
    let guard = waited.expect("state change in time").expect("reader alive");
    RouterState::clone(&guard)
}

#[test]
fn parser_reads_the_spec_example_and_ignores_unknown_blocks_and_lines() {
    let text = "PROTOCOL PREAMBLE:\nVersion: 2.3\n\nVIDEOHUB DEVICE:\nDevice present: true\nModel name: Smart Videohub\nVideo inputs: 4\nVideo outputs: 8\nFriendly name: truck\n\n\
ALARM STATUS:\nFan: OK\n\nINPUT LABELS:\n0 CAM A\n1 CAM B\n9 nowhere\n\nVIDEO OUTPUT ROUTING:\n7 2\nbogus\n\nVIDEO OUTPUT LOCKS:\n0 O\n1 L\n2 U\n\nACK\n\n";
    let mut p = BlockParser::default();
    let mut state = RouterState::default();
    let mut headers = Vec::new();
    for line in text.split('\n') {
        if let Some(b) = p.line(line) {
            headers.push(b.header.clone());
            state.apply(&b);
        }
    }
    assert_eq!(headers.last().unwrap(), "ACK");
    assert!(headers.contains(&"ALARM STATUS".to_string()));
    assert_eq!(state.protocol_version, "2.3");
    assert_eq!(state.model, "Smart Videohub");
    assert_eq!(state.input_labels, ["CAM A", "CAM B", "", ""]);
    assert_eq!(state.routes, [0, 0, 0, 0, 0, 0, 0, 2]);
    assert_eq!(
        state.locks[..3],
        [Some(Lock::Owned), Some(Lock::Locked), Some(Lock::Unlocked)]
    );
    assert!(state.ready);
}

#[test]
fn blocks_serialise_as_the_protocol_shows() {
    let b = Block::new("VIDEO OUTPUT ROUTING", vec!["7 2".into()]);
    assert_eq!(b.to_text(), "VIDEO OUTPUT ROUTING:\n7 2\n\n");
    assert_eq!(Block::new("ACK", vec![]).to_text(), "ACK\n\n");
}

#[tokio::test]
async fn routes_follow_the_router_including_panel_changes() {
    let sim = VideohubSim::start("127.0.0.1:0", 6, 4).await.unwrap();
    let hub = VideohubClient::connect(&sim.addr().to_string())
        .await
        .unwrap();
    let s = hub.state();
    assert_eq!(s.input_labels[2], "Camera 3");
    assert_eq!(s.output_labels.len(), 4);
    assert_eq!(s.routes, [0, 1, 2, 3]);

    hub.route(1, 5).await.unwrap();
    assert_eq!(
        changed_to(&hub, |s| s.routes[1] == 5).await.routes,
        [0, 5, 2, 3]
    );
    assert_eq!(sim.routes(), [0, 5, 2, 3]);

    let other = VideohubClient::connect(&sim.addr().to_string())
        .await
        .unwrap();
    sim.panel_route(3, 0);
    changed_to(&hub, |s| s.routes[3] == 0).await;
    changed_to(&other, |s| s.routes[3] == 0).await;

    hub.set_output_label(0, "HDR grade").await.unwrap();
    changed_to(&other, |s| s.output_labels[0] == "HDR grade").await;
    hub.ping().await.unwrap();
}

#[tokio::test]
async fn out_of_range_routes_are_refused_before_sending() {
    let sim = VideohubSim::start("127.0.0.1:0", 2, 2).await.unwrap();
    let hub = VideohubClient::connect(&sim.addr().to_string())
        .await
        .unwrap();
    let err = hub.route(0, 7).await.unwrap_err();
    assert!(matches!(err, VideohubError::OutOfRange { .. }), "{err}");
    assert!(err.to_string().contains("2 inputs"), "{err}");
    let err = hub.set_output_label(9, "x").await.unwrap_err();
    assert!(matches!(err, VideohubError::Nak { .. }), "{err}");
    assert!(sim.naks()[0].contains("out of range"));
}

#[tokio::test]
async fn the_simulator_naks_malformed_blocks() {
    let sim = VideohubSim::start("127.0.0.1:0", 2, 2).await.unwrap();
    let mut s = tokio::net::TcpStream::connect(sim.addr()).await.unwrap();
    s.write_all(b"VIDEO OUTPUT ROUTING:\n0 x\n\nWHAT:\n\n")
        .await
        .unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 1024];
    while got.matches("NAK\n\n").count() < 2 {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed early: {got}");
        got.push_str(std::str::from_utf8(&buf[..n]).unwrap());
    }
    assert!(got.starts_with("PROTOCOL PREAMBLE:\nVersion: 2.3\n\n"));
    assert_eq!(sim.naks().len(), 2);
    assert_eq!(sim.routes(), [0, 1]);
}

#[tokio::test]
async fn a_router_that_is_off_fails_to_connect() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = VideohubClient::connect(&addr.to_string())
        .await
        .unwrap_err();
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}
