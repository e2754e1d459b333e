//! The binary preview stream over a real socket.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::*;
use crate::preview::stream::FrameHeader;

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn listen(app: &Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// The next message, or `None` after `wait`.
async fn next(ws: &mut Socket, wait: Duration) -> Option<Message> {
    match tokio::time::timeout(wait, ws.next()).await {
        Ok(msg) => Some(msg.unwrap().unwrap()),
        Err(_) => None,
    }
}

/// Splits a binary frame into its header and decoded JPEG.
fn frame(msg: Message) -> (FrameHeader, Vec<u8>, usize, usize) {
    let Message::Binary(bytes) = msg else {
        panic!("expected a binary frame, got {msg:?}")
    };
    let n = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
    let header: FrameHeader = serde_json::from_slice(&bytes[4..4 + n]).unwrap();
    let (px, w, h) = decode(&bytes[4 + n..]);
    (header, px, w, h)
}

fn error(msg: Message) -> Value {
    let Message::Text(text) = msg else {
        panic!("expected a text error, got {msg:?}")
    };
    serde_json::from_str(&text).unwrap()
}

const LONG: Duration = Duration::from_secs(20);

#[tokio::test]
async fn frames_come_when_the_picture_changes_and_only_then() {
    let s = server();
    let addr = listen(&s.app).await;
    let url = format!("ws://{addr}/api/v1/preview/stream");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let subscribe = json!({"subscribe": [
        {"id": "tile-a", "camera": "a", "width": 320},
        {"camera": "b", "width": 160, "view": "false-color", "overlay": "safe"},
    ]});
    ws.send(Message::text(subscribe.to_string())).await.unwrap();
    let (a, px_a, w, h) = frame(next(&mut ws, LONG).await.unwrap());
    assert_eq!(
        (a.id.as_str(), a.camera.as_str(), w, h),
        ("tile-a", "a", 320, 180)
    );
    assert_eq!((a.width, a.rendered.as_str()), (320, "sdr"));
    let (b, _, w, _) = frame(next(&mut ws, LONG).await.unwrap());
    assert_eq!((b.id.as_str(), b.camera.as_str(), w), ("1", "b", 160));
    assert!(
        next(&mut ws, Duration::from_millis(300)).await.is_none(),
        "nothing changed"
    );

    // A trim of camera a: one new frame of a, none of b.
    set_grade(&s.app, "a", json!({"trim": {"slope": [1.3, 1.0, 0.7], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0}})).await;
    let (a2, px_a2, _, _) = frame(next(&mut ws, LONG).await.unwrap());
    assert_eq!(a2.id, "tile-a");
    assert!(a2.version > a.version);
    let (x, y) = (px_a.len() / 3 / 2 % 320, px_a.len() / 3 / 2 / 320);
    assert_ne!(
        px_a[(y * 320 + x) * 3],
        px_a2[(y * 320 + x) * 3],
        "the picture changed"
    );
    assert!(
        next(&mut ws, Duration::from_millis(300)).await.is_none(),
        "b is unchanged"
    );

    // Errors name what is wrong, per subscription.
    ws.send(Message::text(r#"{"subscribe": [{"camera": "zz"}]}"#))
        .await
        .unwrap();
    let e = error(next(&mut ws, LONG).await.unwrap());
    assert_eq!(
        (e["id"].as_str(), e["path"].as_str()),
        (Some("0"), Some("/cameras/zz"))
    );
    ws.send(Message::text(
        r#"{"subscribe": [{"camera": "a", "view": "x"}]}"#,
    ))
    .await
    .unwrap();
    let e = error(next(&mut ws, LONG).await.unwrap());
    assert!(
        e["message"].as_str().unwrap().contains("false-color"),
        "{e}"
    );
    ws.send(Message::text("{not json")).await.unwrap();
    let e = error(next(&mut ws, LONG).await.unwrap());
    assert_eq!(e["path"], "subscribe");
}
