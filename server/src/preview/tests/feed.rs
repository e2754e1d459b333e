//! A folder feed plays real image files at the show's rate, picks up frames dropped in
//! later, and skips a file it cannot read.

use std::time::{Duration, Instant};

use super::still::still_bytes;
use super::*;
use crate::preview::feed::{self, FeedConfig, FeedSource};

/// Distinct first-pixel values seen on camera `a`'s picture for `wait`, in order of first
/// appearance, with the source kinds seen.
fn watch_values(sources: &Sources, wait: Duration) -> (Vec<u8>, Vec<String>) {
    let (mut values, mut kinds) = (Vec::new(), Vec::new());
    let end = Instant::now() + wait;
    while Instant::now() < end {
        let info = sources.info("a");
        if !kinds.contains(&info.kind) {
            kinds.push(info.kind.clone());
        }
        if info.kind == "feed" {
            let f = sources
                .camera_frame("a", "ARRI LogC3 (EI 800)", 64)
                .unwrap();
            let v = (f.data[0] * 255.0).round() as u8;
            if values.last() != Some(&v) {
                values.push(v);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (values, kinds)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_feed_plays_its_frames_in_order_at_the_show_rate() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, code: f32| {
        std::fs::write(dir.path().join(name), still_bytes("png", 64, 36, code)).unwrap()
    };
    write("f000.png", 40.0 / 255.0);
    write("f001.png", 80.0 / 255.0);
    write("f002.png", 120.0 / 255.0);
    std::fs::write(dir.path().join("notes.txt"), "not a frame").unwrap();
    std::fs::write(dir.path().join("f001b.png"), b"\x89PNG broken").unwrap();

    let store_dir = tempfile::tempdir().unwrap();
    let state = app_state(&store_dir, Auth::open());
    let config: FeedConfig = format!("a=folder:{}", dir.path().display())
        .parse()
        .unwrap();
    assert_eq!(config.source, FeedSource::Folder(dir.path().to_owned()));
    let sources = Arc::new(Sources::default());
    feed::start(&sources, config, state.show.watch_rendered());

    let s = Arc::clone(&sources);
    let (values, kinds) =
        tokio::task::spawn_blocking(move || watch_values(&s, Duration::from_secs(2)))
            .await
            .unwrap();
    assert_eq!(kinds.last().map(String::as_str), Some("feed"), "{kinds:?}");
    // 25 frames a second over 3 readable frames: several loops, always in name order.
    assert!(values.len() >= 6, "{values:?}");
    let order = [40u8, 80, 120];
    let at = order.iter().position(|v| *v == values[0]).unwrap();
    for (i, v) in values.iter().enumerate() {
        assert_eq!(*v, order[(at + i) % 3], "played in name order: {values:?}");
    }

    // A frame dropped into the folder joins the sequence.
    write("f003.png", 160.0 / 255.0);
    let s = Arc::clone(&sources);
    let (values, _) = tokio::task::spawn_blocking(move || watch_values(&s, Duration::from_secs(2)))
        .await
        .unwrap();
    assert!(values.contains(&160), "{values:?}");
}

#[test]
fn feed_flags_are_checked_at_start() {
    for bad in ["a", "a=folder:", "=folder:/tmp", "a=camera:/dev/video0"] {
        let err = bad.parse::<FeedConfig>().unwrap_err().to_string();
        assert!(err.contains("CAMERA=folder:DIR"), "{bad}: {err}");
    }
    let missing: FeedConfig = "a=folder:/no/such/folder".parse().unwrap();
    let err = missing.check().unwrap_err().to_string();
    assert!(
        err.contains("/no/such/folder") && err.contains("\"a\""),
        "{err}"
    );
}
