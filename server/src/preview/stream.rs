//! `GET /api/v1/preview/stream`: pictures pushed over a WebSocket as binary messages,
//! each sent only when what it shows changed.
//!
//! The client sends a text message `{"subscribe": [Subscription, ...]}` (it replaces the
//! previous set; send it again to change widths, views or cameras). A picture the previous
//! set had already (the same id, the same subscription) is not sent again until it
//! changes: the client has it. Each subscription
//! names a camera, an optional output and width, an optional `id` echoed back, and the
//! picture parameters of `preview.jpg` (`view`, `overlay`, `snapshot`, `compare`,
//! `against`, `position`) as strings.
//!
//! Every binary message is one picture: a 4-byte big-endian length `n`, `n` bytes of JSON
//! header ([`FrameHeader`]), then the JPEG. Pictures show the *rendered* show, as devices
//! and `preview.jpg` do: during a scene fade every fade frame is a new picture (the
//! committed grade is the fade's end). After each send the stream looks at the newest
//! rendered show, so a slow client gets fewer frames, never stale ones, and each client has
//! its own task, so it never holds up another. A subscription that cannot be rendered gets
//! a text message `{"type": "error", "id": …, "message": …, "path": …}` once per change.
//!
//! Limits: at most [`MAX_STREAMS`] streams are open at once (one more is refused before
//! the upgrade with 503 `too_many_streams`), and a subscribe message lists at most
//! [`MAX_SUBSCRIPTIONS`] pictures (more is refused with an error message at
//! `subscribe`, and the previous set stays).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::Extension;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{target, Picture, PreviewError, Previews, DEFAULT_WIDTH};
use crate::api::{ApiError, AppState};
use crate::auth::Caller;
use crate::show::ShowView;

/// Streams open at once, over all clients (a multiviewer needs one).
pub const MAX_STREAMS: usize = 16;
/// Pictures one subscribe message may list (16 tiles, a focus view and compares).
pub const MAX_SUBSCRIPTIONS: usize = 32;

/// Counts the open streams; a [`StreamSlot`] holds one of them.
#[derive(Debug, Default)]
pub struct StreamSlots(Arc<AtomicUsize>);

/// One open stream's place, given back when dropped.
#[derive(Debug)]
pub struct StreamSlot(Arc<AtomicUsize>);

impl StreamSlots {
    /// A place for one more stream, or `None` when [`MAX_STREAMS`] are open.
    pub fn take(&self) -> Option<StreamSlot> {
        self.0
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_STREAMS).then_some(n + 1)
            })
            .ok()
            .map(|_| StreamSlot(Arc::clone(&self.0)))
    }

    /// Streams open now.
    pub fn open(&self) -> usize {
        self.0.load(Ordering::Acquire)
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One picture a client wants kept up to date.
#[derive(Clone, Debug, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Echoed in each frame's header (default: the subscription's index).
    pub id: Option<String>,
    pub camera: String,
    pub output: Option<String>,
    /// 64..=3840, default 960.
    pub width: Option<usize>,
    pub view: Option<String>,
    pub overlay: Option<String>,
    pub snapshot: Option<String>,
    pub compare: Option<String>,
    pub against: Option<String>,
    pub position: Option<String>,
}

/// What a client sends.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StreamRequest {
    pub subscribe: Vec<Subscription>,
}

/// The JSON header in front of each JPEG.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FrameHeader {
    /// The subscription's `id`.
    pub id: String,
    pub camera: String,
    /// The output asked for, and the one rendered (the SDR output for HDR ones).
    pub output: String,
    pub rendered: String,
    pub width: usize,
    pub height: usize,
    /// The show version the picture shows.
    pub version: u64,
}

impl Subscription {
    fn picture(&self) -> Result<Picture, PreviewError> {
        let fields = [
            ("view", &self.view),
            ("overlay", &self.overlay),
            ("snapshot", &self.snapshot),
            ("compare", &self.compare),
            ("against", &self.against),
            ("position", &self.position),
        ];
        let query: HashMap<String, String> = fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v.clone()?)))
            .collect();
        Picture::from_query(&query)
    }
}

#[utoipa::path(get, path = "/preview/stream", tag = "cameras",
    params(("token" = Option<String>, Query, description = "the session token (with auth on)")),
    responses((status = 101, description = "WebSocket: send {\"subscribe\": [Subscription]} as text; each binary message is a 4-byte big-endian header length, a FrameHeader as JSON, then a JPEG"),
        (status = 400, body = crate::api::error::ErrorBody), (status = 401, body = crate::api::error::ErrorBody),
        (status = 503, body = crate::api::error::ErrorBody, description = "too_many_streams: 16 streams are open already (close one; one stream carries up to 32 pictures)")))]
pub async fn upgrade(
    State(state): State<AppState>,
    Extension(previews): Extension<Arc<Previews>>,
    _caller: Caller,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let ws = ws.map_err(|e| ApiError::bad_request("not_websocket", e.body_text(), ""))?;
    let slot = previews.streams.take().ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "too_many_streams",
            format!(
                "{MAX_STREAMS} preview streams are open already, the most this server serves; \
                 close one (one stream carries up to {MAX_SUBSCRIPTIONS} pictures)"
            ),
            "",
        )
    })?;
    Ok(ws.on_upgrade(move |socket| async move {
        serve(socket, state, previews).await;
        drop(slot);
    }))
}

/// A subscription with what it showed last.
struct Live {
    id: String,
    sub: Subscription,
    picture: Result<Picture, String>,
    last: Option<String>,
}

async fn serve(mut socket: WebSocket, state: AppState, previews: Arc<Previews>) {
    // The rendered show: every committed change and every frame of a scene fade.
    let mut rendered = state.show.watch_rendered();
    let mut sources = previews.sources.watch();
    let mut subs: Vec<Live> = Vec::new();
    loop {
        let view = rendered.borrow_and_update().clone();
        let tasks: Vec<_> = subs
            .iter()
            .map(|live| start_render(&view, &previews, live))
            .collect();
        for (live, task) in subs.iter_mut().zip(tasks) {
            if send(&mut socket, &view, live, task).await.is_err() {
                return;
            }
        }
        tokio::select! {
            msg = socket.recv() => match msg {
                Some(Ok(Message::Text(text))) => match request(&text) {
                    Ok(s) => subs = keep_sent(subs, s),
                    Err(e) => {
                        let err = error_text(None, &e, "subscribe");
                        if socket.send(Message::text(err)).await.is_err() {
                            return;
                        }
                    }
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
            source = sources.changed() => if source.is_err() {
                return;
            },
            // A watch keeps only the newest show: changes coalesce by themselves.
            change = rendered.changed() => if change.is_err() {
                return;
            },
        }
    }
}

fn request(text: &str) -> Result<Vec<Live>, String> {
    let req: StreamRequest = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if req.subscribe.len() > MAX_SUBSCRIPTIONS {
        return Err(format!(
            "{} pictures in one subscribe: at most {MAX_SUBSCRIPTIONS}; the previous set stays",
            req.subscribe.len()
        ));
    }
    Ok(req
        .subscribe
        .into_iter()
        .enumerate()
        .map(|(i, sub)| Live {
            id: sub.id.clone().unwrap_or_else(|| i.to_string()),
            picture: sub.picture().map_err(|e| e.to_string()),
            sub,
            last: None,
        })
        .collect())
}

/// The new set `next`, each picture the old set `old` already had (the same id and the
/// same subscription) keeping what it last sent: the client has it, so only pictures new
/// to it, or changed since, are sent again.
fn keep_sent(old: Vec<Live>, mut next: Vec<Live>) -> Vec<Live> {
    let mut sent: HashMap<String, Live> = old.into_iter().map(|l| (l.id.clone(), l)).collect();
    for live in &mut next {
        if let Some(before) = sent.remove(&live.id).filter(|b| b.sub == live.sub) {
            live.last = before.last;
        }
    }
    next
}

fn error_text(id: Option<&str>, message: &str, path: &str) -> String {
    serde_json::json!({"type": "error", "id": id, "message": message, "path": path}).to_string()
}

/// Sends `live`'s picture if what it shows changed since the last send.
/// What a render task gives: `None` when the picture is unchanged since the last send.
type Rendered = Result<Option<(String, super::Target, Arc<super::Jpeg>)>, PreviewError>;

/// Starts rendering `live`'s picture on the blocking pool (`None` when it has no valid
/// picture). A pass starts every subscription's render before it sends any, so the tiles
/// of a pass are rendered side by side (one bake per camera each, in parallel) and then
/// sent in order.
fn start_render(
    view: &Arc<ShowView>,
    previews: &Arc<Previews>,
    live: &Live,
) -> Option<tokio::task::JoinHandle<Rendered>> {
    let picture = live.picture.as_ref().ok()?.clone();
    let (sub, previews, v) = (live.sub.clone(), Arc::clone(previews), Arc::clone(view));
    let last = live.last.clone();
    Some(tokio::task::spawn_blocking(move || {
        let width = sub.width.unwrap_or(DEFAULT_WIDTH);
        let t = target(&v.show, &sub.camera, sub.output.as_deref(), false)?;
        let key = format!("{width}|{}", previews.picture_key(&v.show, &t, &picture));
        if last.as_deref() == Some(key.as_str()) {
            return Ok(None);
        }
        let jpeg = previews.picture_jpeg(&v.show, &t, width, &picture)?;
        Ok(Some((key, t, jpeg)))
    }))
}

/// Sends `live`'s picture (from its render task) if what it shows changed since the last
/// send.
async fn send(
    socket: &mut WebSocket,
    view: &Arc<ShowView>,
    live: &mut Live,
    task: Option<tokio::task::JoinHandle<Rendered>>,
) -> Result<(), axum::Error> {
    let Some(task) = task else {
        if let (Err(e), None) = (&live.picture, &live.last) {
            let text = error_text(Some(&live.id), e, "subscribe");
            live.last = Some(String::new());
            return socket.send(Message::text(text)).await;
        }
        return Ok(());
    };
    let id = live.id.clone();
    let rendered = task.await;
    let (key, t, jpeg) = match rendered {
        Ok(Ok(Some(r))) => r,
        Ok(Ok(None)) => return Ok(()),
        Ok(Err(e)) => {
            let key = format!("error|{e}|{}", view.version);
            if live.last.as_deref() == Some(key.as_str()) {
                return Ok(());
            }
            live.last = Some(key);
            let d = ApiError::from(e).detail;
            let text = error_text(Some(&id), &d.message, &d.path);
            return socket.send(Message::text(text)).await;
        }
        Err(e) => {
            return socket
                .send(Message::text(error_text(Some(&id), &e.to_string(), "")))
                .await
        }
    };
    let header = FrameHeader {
        id,
        camera: t.camera,
        output: t.requested,
        rendered: t.rendered,
        width: jpeg.width,
        height: jpeg.height,
        version: view.version,
    };
    let head = serde_json::to_vec(&header).unwrap_or_default();
    let mut frame = Vec::with_capacity(4 + head.len() + jpeg.bytes.len());
    frame.extend_from_slice(&(head.len() as u32).to_be_bytes());
    frame.extend_from_slice(&head);
    frame.extend_from_slice(&jpeg.bytes);
    socket.send(Message::Binary(frame.into())).await?;
    live.last = Some(key);
    Ok(())
}
