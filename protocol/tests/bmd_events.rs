//! The camera's notification WebSocket against the simulated camera, over real sockets.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use lookwire_protocol::bmd::events::{EventClient, EVENT_PATH};
use lookwire_protocol::sim::bmd_camera::BmdCameraSim;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn the_subscription_snapshots_then_follows_changes_at_the_camera() {
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    sim.local_change(|c| c.gain = [1.2, 1.0, 0.9, 1.0]);
    let client = EventClient::connect(&sim.addr().to_string()).await.unwrap();
    let first = client.state();
    assert_eq!(
        first.corrector,
        sim.corrector(),
        "the snapshot is the camera's state"
    );
    assert_eq!(first.changes, 0);

    let mut rx = client.subscribe();
    sim.local_change(|c| {
        c.saturation = 0.8;
        c.lift[1] = -0.05;
    });
    let seen = tokio::time::timeout(
        Duration::from_secs(5),
        rx.wait_for(|s| s.corrector == sim.corrector()),
    )
    .await
    .expect("both changed groups arrive")
    .unwrap()
    .clone();
    assert_eq!(seen.changes, 2, "one event per changed group");
    assert!(seen.last_property.unwrap().starts_with("/colorCorrection/"));
    assert!(sim.rejected().is_empty(), "{:?}", sim.rejected());
}

async fn raw(
    sim: &BmdCameraSim,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("ws://{}{EVENT_PATH}", sim.addr());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let opened = next(&mut ws).await;
    assert_eq!(
        opened,
        json!({"type": "event", "data": {"action": "websocketOpened"}})
    );
    ws
}

async fn next(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            return serde_json::from_str(t.as_str()).unwrap();
        }
    }
}

#[tokio::test]
async fn the_simulator_refuses_malformed_requests_and_echoes_ids() {
    let sim = BmdCameraSim::start("127.0.0.1:0").await.unwrap();
    let mut ws = raw(&sim).await;
    for bad in [
        "not json",
        r#"{"type":"event","data":{"action":"subscribe","properties":[]}}"#,
        r#"{"type":"request","data":{"action":"explode"}}"#,
        r#"{"type":"request","data":{"action":"subscribe","properties":["/lens/iris"]}}"#,
        r#"{"type":"request","data":{"action":"subscribe"}}"#,
        r#"{"type":"request","id":-1,"data":{"action":"listProperties"}}"#,
    ] {
        ws.send(Message::text(bad)).await.unwrap();
        let r = next(&mut ws).await;
        assert_eq!(r["data"]["success"], false, "{bad}: {r}");
    }
    assert_eq!(sim.rejected().len(), 6, "{:?}", sim.rejected());
    let ok = json!({"type": "request", "id": 9,
        "data": {"action": "subscribe", "properties": ["/colorCorrection/gain"]}});
    ws.send(Message::text(ok.to_string())).await.unwrap();
    let r = next(&mut ws).await;
    assert_eq!(r["id"], 9);
    assert_eq!(
        r["data"]["values"]["/colorCorrection/gain"]["red"], 1.0,
        "{r}"
    );
    // Only subscribed groups produce events.
    sim.local_change(|c| c.hue = 0.1);
    sim.local_change(|c| c.gain[0] = 1.5);
    let e = next(&mut ws).await;
    assert_eq!(e["data"]["property"], "/colorCorrection/gain", "{e}");
    assert_eq!(e["data"]["value"]["red"], 1.5);
}

#[tokio::test]
async fn a_port_without_the_websocket_fails_clearly() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    let err = EventClient::connect(&addr).await.unwrap_err();
    assert!(err.to_string().contains(&addr), "{err}");
}
