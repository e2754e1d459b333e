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

/// Red of a dark grey (ColorChecker patch 23), a 5×5 mean in 8-bit codes.
fn grey_red(px: &[u8], w: usize, h: usize) -> f64 {
    let grey = patches().into_iter().find(|p| p.id == "cc23").unwrap();
    let [cx, cy] = grey.centre();
    let (x, y) = ((cx * w as f64) as usize, (cy * h as f64) as usize);
    mean_u8(px, w, x, y)[0] * 255.0
}

/// Red of camera a's grey in the next streamed frame whose red differs from `last` by
/// more than a code (frames of an unchanged picture may come between).
async fn next_red(ws: &mut Socket, last: f64, before_version: u64) -> f64 {
    loop {
        let msg = next(ws, LONG)
            .await
            .expect("a frame of the fade's next instant");
        let (head, px, w, h) = frame(msg);
        assert!(head.version > before_version, "{}", head.version);
        let red = grey_red(&px, w, h);
        if (red - last).abs() > 1.0 {
            return red;
        }
    }
}

/// The fade is timed by a hand-moved clock: each move shows that instant's in-between
/// grade, whatever the machine's speed.
#[tokio::test]
async fn the_stream_follows_a_scene_fade_frame_by_frame() {
    let dir = tempfile::tempdir().unwrap();
    let frames = Arc::new(crate::show::fade::ManualFrames::default());
    let app = router(app_state_with(&dir, Auth::open(), frames.clone()));
    let slope = |r: f64| json!({"trim": {"slope": [r, 1.0, 1.0], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0}});
    set_grade(&app, "a", slope(1.3)).await;
    let scene = json!({"id": "warm", "name": "Warm", "fade_frames": 75});
    let (res, body) = call(&app, "POST", "/api/v1/scenes", Some(scene)).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{body:?}");
    set_grade(&app, "a", slope(1.0)).await;

    let addr = listen(&app).await;
    let url = format!("ws://{addr}/api/v1/preview/stream");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let sub = json!({"subscribe": [{"camera": "a", "width": 320}]});
    ws.send(Message::text(sub.to_string())).await.unwrap();
    let (before, px, w, h) = frame(next(&mut ws, LONG).await.unwrap());
    let red_before = grey_red(&px, w, h);

    let (res, _) = call(&app, "POST", "/api/v1/scenes/warm/recall", None).await;
    assert_eq!(res.status(), StatusCode::OK);
    // Three moves of 25 frames (a second at the demo's 25 fps): two in-between grades,
    // then the scene's.
    let mut reds = vec![red_before];
    for _ in 0..3 {
        frames.advance(Duration::from_secs(1));
        let last = *reds.last().unwrap();
        reds.push(next_red(&mut ws, last, before.version).await);
    }
    assert!(
        reds.windows(2).all(|p| p[1] > p[0]),
        "each step of the fade is redder: {reds:?}"
    );
    // Linear steps: each third of the way is a third of the change (within a code or two
    // of 8-bit rounding and the display curve's bend).
    let (total, first) = (reds[3] - reds[0], reds[1] - reds[0]);
    assert!(total > 10.0, "{reds:?}");
    assert!(first > total * 0.15 && first < total * 0.6, "{reds:?}");
    // The picture holds still once the fade is over.
    frames.advance(Duration::from_secs(1));
    while let Some(msg) = next(&mut ws, Duration::from_millis(500)).await {
        let (_, px, w, h) = frame(msg);
        assert!((grey_red(&px, w, h) - reds[3]).abs() <= 1.0, "{reds:?}");
    }
}

#[tokio::test]
async fn streams_and_subscriptions_are_capped_with_a_clear_refusal() {
    use crate::preview::stream::{MAX_STREAMS, MAX_SUBSCRIPTIONS};
    let s = server();
    let addr = listen(&s.app).await;
    let url = format!("ws://{addr}/api/v1/preview/stream");

    let mut open = Vec::new();
    for _ in 0..MAX_STREAMS {
        open.push(tokio_tungstenite::connect_async(&url).await.unwrap().0);
    }
    let refused = tokio_tungstenite::connect_async(&url).await.unwrap_err();
    let tokio_tungstenite::tungstenite::Error::Http(res) = refused else {
        panic!("expected an HTTP refusal, got {refused:?}")
    };
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_slice(res.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "too_many_streams", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&MAX_STREAMS.to_string()),
        "{body}"
    );

    // A closed stream gives its place back.
    let mut ws = open.pop().unwrap();
    ws.close(None).await.unwrap();
    drop(ws);
    let mut ws = loop {
        match tokio_tungstenite::connect_async(&url).await {
            Ok((ws, _)) => break ws,
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    };

    // Too many pictures in one subscribe: refused, and the previous set stays.
    let one = json!({"subscribe": [{"camera": "a", "width": 64}]});
    ws.send(Message::text(one.to_string())).await.unwrap();
    frame(next(&mut ws, LONG).await.unwrap());
    let many: Vec<Value> = (0..=MAX_SUBSCRIPTIONS)
        .map(|_| json!({"camera": "b", "width": 64}))
        .collect();
    ws.send(Message::text(json!({ "subscribe": many }).to_string()))
        .await
        .unwrap();
    let e = error(next(&mut ws, LONG).await.unwrap());
    assert_eq!(e["path"], "subscribe");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains(&format!("at most {MAX_SUBSCRIPTIONS}")),
        "{e}"
    );
    set_grade(&s.app, "a", json!({"trim": {"slope": [1.2, 1.0, 1.0], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0}})).await;
    let (head, ..) = frame(next(&mut ws, LONG).await.unwrap());
    assert_eq!(head.camera, "a", "the previous subscription still streams");
}

/// The binary frame's header and JPEG bytes (not decoded).
fn raw(msg: Message) -> (FrameHeader, Vec<u8>) {
    let Message::Binary(bytes) = msg else {
        panic!("expected a binary frame, got {msg:?}")
    };
    let n = u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize;
    let header: FrameHeader = serde_json::from_slice(&bytes[4..4 + n]).unwrap();
    (header, bytes[4 + n..].to_vec())
}

fn trim(step: u32) -> Value {
    let s = 1.0 + f64::from(step) * 0.05;
    json!({"trim": {"slope": [s, 1.0, 1.0], "offset": [0.0, 0.0, 0.0], "power": [1.0, 1.0, 1.0], "sat": 1.0}})
}

/// A new subscribe message sends only what the client does not have: a picture kept with
/// the same id and subscription is not sent again; a changed one, a new one and a known
/// picture under a new id are.
#[tokio::test]
async fn a_new_subscribe_sends_only_what_the_client_lacks() {
    let s = server();
    let addr = listen(&s.app).await;
    let url = format!("ws://{addr}/api/v1/preview/stream");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let first = json!({"subscribe": [
        {"id": "tile-a", "camera": "a", "width": 160},
        {"id": "tile-b", "camera": "b", "width": 160},
    ]});
    ws.send(Message::text(first.to_string())).await.unwrap();
    for _ in 0..2 {
        raw(next(&mut ws, LONG).await.unwrap());
    }
    let second = json!({"subscribe": [
        {"id": "tile-a", "camera": "a", "width": 160},
        {"id": "tile-b", "camera": "b", "width": 192},
        {"id": "tile-c", "camera": "c", "width": 160},
        {"id": "again-a", "camera": "a", "width": 160},
    ]});
    ws.send(Message::text(second.to_string())).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(raw(next(&mut ws, LONG).await.unwrap()).0.id);
    }
    assert_eq!(ids, ["tile-b", "tile-c", "again-a"]);
    assert!(
        next(&mut ws, Duration::from_millis(300)).await.is_none(),
        "tile-a is unchanged and the client has it"
    );
    // The same set again: nothing; after a trim of a, both of a's pictures.
    ws.send(Message::text(second.to_string())).await.unwrap();
    assert!(next(&mut ws, Duration::from_millis(300)).await.is_none());
    set_grade(&s.app, "a", trim(3)).await;
    let mut ids: Vec<String> = Vec::new();
    for _ in 0..2 {
        ids.push(raw(next(&mut ws, LONG).await.unwrap()).0.id);
    }
    assert_eq!(ids, ["tile-a", "again-a"]);
}

/// A client that stops reading while trims go on: the other client gets a frame of every
/// trim meanwhile; the slow one, once it reads again, gets fewer frames than were made,
/// in order, and its last frame of each picture is the newest version's very JPEG.
#[tokio::test]
async fn a_slow_client_gets_fewer_frames_never_stale_ones() {
    let s = server();
    let addr = listen(&s.app).await;
    let url = format!("ws://{addr}/api/v1/preview/stream");
    // The slow client: a small receive buffer, and 32 pictures of camera a at 960 (one
    // render each version, 32 frames a pass) so unread frames soon fill the socket.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(8192).unwrap();
    let tcp = socket.connect(addr).await.unwrap();
    let (mut slow, _) = tokio_tungstenite::client_async(url.clone(), MaybeTlsStream::Plain(tcp))
        .await
        .unwrap();
    let subs: Vec<Value> = (0..32)
        .map(|i| json!({"id": format!("s{i}"), "camera": "a", "width": 960}))
        .collect();
    slow.send(Message::text(json!({"subscribe": subs}).to_string()))
        .await
        .unwrap();
    let (h, jpeg) = raw(next(&mut slow, LONG).await.unwrap());
    assert_eq!(h.id, "s0");
    let (mut fast, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let sub = json!({"subscribe": [{"id": "f", "camera": "a", "width": 160}]});
    fast.send(Message::text(sub.to_string())).await.unwrap();
    let mut version = raw(next(&mut fast, LONG).await.unwrap()).0.version;
    // Enough trims that their frames are far more than any socket buffer holds (4 MiB
    // for the server's side on Linux by default), each one seen by the fast client.
    let trims = (16 << 20) / (32 * jpeg.len()) + 3;
    for step in 0..trims as u32 {
        set_grade(&s.app, "a", trim(step + 1)).await;
        let h = raw(next(&mut fast, LONG).await.unwrap()).0;
        assert!(h.version > version, "the fast client sees each trim");
        version = h.version;
    }
    // The slow client reads again, until each of its pictures shows the newest version
    // (however long the renders take on a loaded machine: each read waits up to LONG).
    let mut last: HashMap<String, (u64, Vec<u8>)> = HashMap::new();
    let mut frames = 1;
    while last.len() < 32 || last.values().any(|l| l.0 < version) {
        let msg = next(&mut slow, LONG).await.unwrap_or_else(|| {
            panic!("the slow client stopped short of the newest version: {frames} frames")
        });
        let (h, jpeg) = raw(msg);
        let before = last.get(&h.id).map_or(0, |l| l.0);
        assert!(h.version >= before, "{} went back to {}", h.id, h.version);
        assert!(h.version <= version, "{} from a version never made", h.id);
        last.insert(h.id, (h.version, jpeg));
        frames += 1;
    }
    assert!(
        next(&mut slow, Duration::from_millis(300)).await.is_none(),
        "nothing after the newest version"
    );
    let made = 32 * (trims + 1);
    assert!(frames < made, "{frames} frames of {made} made");
    let (res, newest) = call(
        &s.app,
        "GET",
        "/api/v1/cameras/a/preview.jpg?width=960",
        None,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(last.len(), 32);
    for (id, (v, jpeg)) in &last {
        assert_eq!(*v, version, "{id} ends on the newest version");
        assert!(jpeg[..] == newest[..], "{id} shows the newest picture");
    }
}
