//! A folder feed plays real image files at the show's rate, picks up frames dropped in
//! later, and skips a file it cannot read. The feed plays by a hand-moved clock, so what
//! it shows at each instant does not depend on the machine's speed.

use std::time::{Duration, Instant};

use super::still::still_bytes;
use super::*;
use crate::preview::feed::{self, FeedConfig, FeedSource};
use crate::show::fade::ManualFrames;

/// Camera a's picture as an 8-bit code of its first pixel, once its source is the feed.
fn shown(sources: &Sources) -> Option<u8> {
    (sources.info("a").kind == "feed").then(|| {
        let f = sources.camera_frame("a", "unused", 64).unwrap();
        (f.data[0] * 255.0).round() as u8
    })
}

/// Waits (bounded) until camera a shows `want`.
fn wait_shown(sources: &Sources, want: u8) {
    let end = Instant::now() + Duration::from_secs(60);
    while shown(sources) != Some(want) {
        assert!(
            Instant::now() < end,
            "waited in vain for {want}: {:?}",
            shown(sources)
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_folder_feed_plays_its_frames_in_order_at_the_show_rate() {
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
    let clock = Arc::new(ManualFrames::default());
    let pacing = feed::Pacing {
        clock: clock.clone(),
        ..Default::default()
    };
    feed::start_with(&sources, config, state.show.watch_rendered(), pacing);

    // The demo show runs at 25 fps: each 40 ms of the clock is the next file in name
    // order (the unreadable one skipped, so its frame holds the one before), wrapping.
    let frame = Duration::from_millis(40);
    clock.advance(frame / 2);
    wait_shown(&sources, 40);
    let files = [40u8, 80, 80, 120];
    for k in 1..10 {
        clock.advance(frame);
        wait_shown(&sources, files[k % 4]);
    }
    let status = sources.feed_status("a").unwrap();
    assert_eq!(
        (status.source.as_str(), status.state.as_str()),
        ("folder", "running")
    );
    assert!(status.frames >= 7, "{status:?}");

    // A frame dropped into the folder joins the sequence from the next pass: frame by
    // frame (each move waits for the picture to change, or a moment when the next file
    // shows the same), it comes within two passes.
    write("f003.png", 160.0 / 255.0);
    let mut seen = Vec::new();
    for _ in 0..10 {
        let before = shown(&sources);
        clock.advance(frame);
        let end = Instant::now() + Duration::from_millis(300);
        while shown(&sources) == before && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(2));
        }
        seen.extend(shown(&sources));
    }
    assert!(seen.contains(&160), "{seen:?}");
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
