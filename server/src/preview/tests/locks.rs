//! Heavy work runs with no lock held: a check or a still's resampling is parked at its
//! [`crate::preview::pause::Pause`] point while other requests are made. Were a lock held
//! across the work, those requests would wait for it and time out here.

use std::sync::mpsc;
use std::sync::{Condvar, Mutex as StdMutex};
use std::time::Duration;

use super::checks::post;
use super::still::{put, still_bytes};
use super::*;
use crate::sync::lock;

/// Parks work named `work` until [`Gate::open`] (or 60 s, so a failing test cannot hang).
struct Gate {
    started: mpsc::Receiver<()>,
    open: Arc<(StdMutex<bool>, Condvar)>,
}

impl Gate {
    fn new(previews: &Previews, work: &'static str) -> Gate {
        let (tx, started) = mpsc::channel();
        let open = Arc::new((StdMutex::new(false), Condvar::new()));
        let (tx, gate) = (StdMutex::new(tx), Arc::clone(&open));
        previews.sources.pause.set(move |w| {
            if w != work {
                return;
            }
            let _ = lock(&tx).send(());
            let (flag, cv) = &*gate;
            let flag = lock(flag);
            let _ = cv.wait_timeout_while(flag, Duration::from_secs(60), |open| !*open);
        });
        Gate { started, open }
    }

    /// Waits (off the async workers) until the work is parked.
    async fn parked(self) -> Gate {
        tokio::task::spawn_blocking(move || {
            self.started
                .recv_timeout(Duration::from_secs(60))
                .expect("the work reached its pause point");
            self
        })
        .await
        .unwrap()
    }

    fn open(&self) {
        *lock(&self.open.0) = true;
        self.open.1.notify_all();
    }
}

/// A request that must be served while the work is parked. It runs on its own task, so
/// a worker blocked on a lock cannot hold up the timeout.
async fn served<T: Send + 'static>(
    what: &str,
    f: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    tokio::time::timeout(Duration::from_secs(20), tokio::spawn(f))
        .await
        .unwrap_or_else(|_| panic!("{what} waited for the parked work: a lock is held across it"))
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_runs_while_other_requests_are_served() {
    let previews = Arc::new(Previews::new());
    let gate = Gate::new(&previews, "check");
    let s = preview_server(Arc::clone(&previews));
    // A capped frame with one hot pixel (red of (20, 10)), as an EXR.
    let mut data = vec![0.093f32; 64 * 36 * 3];
    data[(10 * 64 + 20) * 3] = 0.6;
    let img = crate::image::Image {
        width: 64,
        height: 36,
        channels: 3,
        bits: 0,
        samples: crate::image::Samples::F32(data),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("capped.exr");
    crate::image::write(&path, &img).unwrap();
    let capped = std::fs::read(&path).unwrap();
    let app = s.app.clone();
    let check =
        tokio::spawn(async move { post(&app, "/api/v1/cameras/a/checks/hot", capped).await });
    let gate = gate.parked().await;

    let app = s.app.clone();
    let (res, body) = served("GET /checks", async move {
        call(&app, "GET", "/api/v1/checks", None).await
    })
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!([]));
    let grey = still_bytes("png", 64, 36, 0.4);
    let app = s.app.clone();
    let (res, _) = served("PUT a still", async move {
        put(&app, "/api/v1/cameras/b/source", grey).await
    })
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!check.is_finished(), "the check is still parked");

    gate.open();
    let (status, report) = check.await.unwrap();
    assert_eq!(
        (status, report["count"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    let (_, body) = call(&s.app, "GET", "/api/v1/checks", None).await;
    let all: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (all[0]["camera"].as_str(), all[0]["hot"].as_u64()),
        (Some("a"), Some(1))
    );
}

/// Mean red (8-bit codes) of the middle of a preview.
async fn preview_red(app: &Router, uri: &str) -> f64 {
    let (res, jpeg) = call(app, "GET", uri, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (px, w, h) = decode(&jpeg);
    mean_u8(&px, w, w / 2, h / 2)[0] * 255.0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_still_is_resampled_while_other_requests_are_served() {
    let previews = Arc::new(Previews::new());
    let s = preview_server(Arc::clone(&previews));
    let (dark, bright) = (
        still_bytes("png", 640, 360, 0.2),
        still_bytes("png", 640, 360, 0.6),
    );
    let (res, _) = put(&s.app, "/api/v1/cameras/a/source", dark).await;
    assert_eq!(res.status(), StatusCode::OK);
    let gate = Gate::new(&previews, "resample");
    let app = s.app.clone();
    let uri = "/api/v1/cameras/a/preview.jpg?width=320&view=log";
    let first = tokio::spawn(async move { preview_red(&app, uri).await });
    let gate = gate.parked().await;

    let app = s.app.clone();
    let (res, _) = served("GET the source", async move {
        call(&app, "GET", "/api/v1/cameras/a/source", None).await
    })
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The still is replaced while its old version is being resampled.
    let app = s.app.clone();
    let (res, _) = served("PUT a still", async move {
        put(&app, "/api/v1/cameras/a/source", bright).await
    })
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!first.is_finished(), "the resample is still parked");

    gate.open();
    let old = first.await.unwrap();
    assert!(
        (old - 0.2 * 255.0).abs() < 3.0,
        "the request got the still it asked for: {old}"
    );
    // The old still's size was not kept for the new still.
    let new = preview_red(&s.app, uri).await;
    assert!(
        (new - 0.6 * 255.0).abs() < 3.0,
        "the new still shows: {new}"
    );
}

/// A picture asked for twice at once is rendered once: the second request waits for the
/// picture's turn, finds the first one's JPEG in the cache and answers with it. Were the
/// turn missing, the second request would miss the cache while the first is parked and
/// render the picture itself, passing the render point a second time.
#[test]
fn a_picture_asked_for_twice_at_once_is_rendered_once() {
    let show = Arc::new(demo_show());
    let previews = Arc::new(Previews::new());
    let gate = Gate::new(&previews, "render");
    let t = Arc::new(target(&show, "c", None, false).unwrap());
    let ask = || {
        let (show, previews, t) = (Arc::clone(&show), Arc::clone(&previews), Arc::clone(&t));
        std::thread::spawn(move || previews.jpeg(&show, &t, 160).unwrap())
    };
    let first = ask();
    gate.started
        .recv_timeout(Duration::from_secs(60))
        .expect("the first request reached the render point");
    let second = ask();
    // Long enough for the second request to miss the cache and reach its turn.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        gate.started.try_recv().is_err(),
        "the second request rendered while the first was rendering"
    );
    gate.open();
    let (a, b) = (first.join().unwrap(), second.join().unwrap());
    assert!(Arc::ptr_eq(&a, &b), "both requests got the one JPEG");
    assert!(
        gate.started.try_recv().is_err(),
        "the second request rendered after the first"
    );
}
