//! Command feeds, with generated streams: small Python programs write raw frames to their
//! standard output the way `ffmpeg -f rawvideo -pix_fmt rgb48le|gbrpf32le -` would. Each
//! test waits for states the feed reports, never for a time.

use std::path::Path;
use std::time::{Duration, Instant};

use super::*;
use crate::preview::command::{frame_from_bytes, Backoff, PixelFormat};
use crate::preview::feed::{self, FeedConfig, FeedSource};
use crate::preview::source::FeedStatus;

/// How long a test waits for a state before it fails (a loaded machine is slow to start
/// Python, but never this slow).
const PATIENCE: Duration = Duration::from_secs(60);

const W: usize = 64;
const H: usize = 36;

/// Writes `script` to a file in `dir` and returns the feed flag that runs it with `args`.
fn feed_flag(dir: &Path, script: &str, format: &str, args: &str) -> FeedConfig {
    let path = dir.join("gen.py");
    std::fs::write(&path, script).unwrap();
    format!(
        "a=command:{W}x{H}:{format}:python3 {} {args}",
        path.display()
    )
    .parse()
    .unwrap()
}

/// Waits until the feed's state satisfies `done`; returns it.
fn wait_for(
    sources: &Sources,
    what: &str,
    mut done: impl FnMut(&FeedStatus) -> bool,
) -> FeedStatus {
    let end = Instant::now() + PATIENCE;
    loop {
        let status = sources.feed_status("a").unwrap_or_default();
        if done(&status) {
            return status;
        }
        assert!(
            Instant::now() < end,
            "waited in vain for {what}: {status:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Whether process `pid` still exists, a zombie not yet reaped included.
fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Whether `pid` is gone or a zombie (an orphan is reaped by whatever init runs here).
fn process_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim()
            .starts_with('Z'),
    }
}

/// `pixels` pixels of 16-bit codes R, G, B as rgb48le.
fn rgb48(rgb: [u16; 3], pixels: usize) -> Vec<u8> {
    let px: Vec<u8> = rgb.iter().flat_map(|c| c.to_le_bytes()).collect();
    px.repeat(pixels)
}

#[test]
fn command_feed_flags_are_read_and_checked() {
    let c: FeedConfig = "A=command:1920x1080:rgb48le:ffmpeg -f decklink -i 'DeckLink Mini Recorder' -f rawvideo -pix_fmt rgb48le -"
        .parse()
        .unwrap();
    let FeedSource::Command(cmd) = &c.source else {
        panic!("{c:?}")
    };
    assert_eq!(
        (c.camera.as_str(), cmd.width, cmd.height),
        ("A", 1920, 1080)
    );
    assert_eq!(cmd.format, PixelFormat::Rgb48le);
    assert_eq!(
        cmd.argv[4], "DeckLink Mini Recorder",
        "quoted words stay one"
    );
    assert_eq!(cmd.frame_bytes(), 1920 * 1080 * 6);
    let c: FeedConfig = "B=command:64x36:gbrpf32le:python3 gen.py".parse().unwrap();
    let FeedSource::Command(cmd) = &c.source else {
        panic!("{c:?}")
    };
    assert_eq!(cmd.frame_bytes(), 64 * 36 * 12);

    for (bad, says) in [
        ("a=command:ffmpeg", "WIDTHxHEIGHT:FORMAT:COMMAND"),
        ("a=command:1920:rgb48le:ffmpeg", "expected WIDTHxHEIGHT"),
        ("a=command:8x8:rgb48le:ffmpeg", "at least 16x16"),
        ("a=command:9000x9000:rgb48le:ffmpeg", "at most"),
        ("a=command:1920x1080:yuv420p:ffmpeg", "rgb48le or gbrpf32le"),
        (
            "a=command:1920x1080:rgb48le:ffmpeg -i 'open",
            "unclosed quote",
        ),
        ("a=command:1920x1080:rgb48le:", "no program"),
    ] {
        let err = bad.parse::<FeedConfig>().unwrap_err().to_string();
        assert!(err.contains(says) && err.contains(bad), "{bad}: {err}");
    }
    let missing: FeedConfig = "a=command:64x36:rgb48le:no-such-program-here -x"
        .parse()
        .unwrap();
    let err = missing.check().unwrap_err().to_string();
    assert!(err.contains("\"no-such-program-here\" not found"), "{err}");
    let found: FeedConfig = "a=command:64x36:rgb48le:sh -c true".parse().unwrap();
    found.check().unwrap();
}

#[test]
fn raw_frames_become_code_values() {
    let frame = frame_from_bytes(&rgb48([65535, 32768, 0], 2), 2, 1, PixelFormat::Rgb48le);
    let half = 32768.0 / 65535.0;
    assert_eq!(frame.data, [1.0, half, 0.0, 1.0, half, 0.0]);

    // Planes G, B, R; pixel 1 holds a NaN and an infinity.
    let planes: [[f32; 2]; 3] = [[0.5, f32::NAN], [0.25, 2.0], [0.75, f32::INFINITY]];
    let bytes: Vec<u8> = planes
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let frame = frame_from_bytes(&bytes, 2, 1, PixelFormat::Gbrpf32le);
    assert_eq!(frame.data, [0.75, 0.5, 0.25, 0.0, 0.0, 2.0]);
}

/// Writes three frames (R, G, B apart), each after the test asks for it with a file
/// `go1`, `go2` in the folder it is given, then holds its last frame.
const STEPS: &str = r#"
import os, struct, sys, time
w, h, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for i, c in enumerate([13000, 29000, 45000]):
    while i and not os.path.exists(os.path.join(folder, "go%d" % i)):
        time.sleep(0.01)
    sys.stdout.buffer.write(struct.pack("<3H", c, c // 10 * 9, c // 10 * 8) * (w * h))
    sys.stdout.flush()
time.sleep(1000)
"#;

#[test]
fn a_command_feed_shows_each_frame_and_previews_follow() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = tempfile::tempdir().unwrap();
    let state = app_state(&store_dir, Auth::open());
    let show = state.show.view().show.clone();
    let target = target(&show, "a", None, false).unwrap();
    let previews = Previews::new();
    let reference = Previews::new();
    let args = format!("{W} {H} {}", dir.path().display());
    let config = feed_flag(dir.path(), STEPS, "rgb48le", &args);
    feed::start(&previews.sources, config, state.show.watch_rendered());

    for (i, c) in [13000u16, 29000, 45000].into_iter().enumerate() {
        if i > 0 {
            std::fs::write(dir.path().join(format!("go{i}")), "").unwrap();
        }
        let status = wait_for(&previews.sources, "a frame", |s| s.frames == i as u64 + 1);
        assert_eq!((status.state.as_str(), status.error), ("running", None));
        assert!(process_exists(status.pid.unwrap()));
        let info = previews.sources.info("a");
        assert_eq!(
            (info.kind.as_str(), info.format.as_deref()),
            ("feed", Some("rgb48le"))
        );
        assert_eq!((info.width, info.height), (W, H));
        // The camera's picture is the frame, and its preview is that frame graded.
        let bytes = rgb48([c, c / 10 * 9, c / 10 * 8], W * H);
        let frame = frame_from_bytes(&bytes, W, H, PixelFormat::Rgb48le);
        let shown = previews.sources.camera_frame("a", "unused", W).unwrap();
        assert!(
            shown.data == frame.data,
            "frame {i}: {:?}",
            &shown.data[..3]
        );
        reference.sources.set_still("a", frame, "rgb48le");
        let graded = previews.graded(&show, &target, W).unwrap();
        let expected = reference.graded(&show, &target, W).unwrap();
        assert!(
            graded.rgb == expected.rgb,
            "frame {i}: {:?}",
            &graded.rgb[..3]
        );
        let jpeg = previews.jpeg(&show, &target, W).unwrap();
        assert_eq!(jpeg.bytes, reference.jpeg(&show, &target, W).unwrap().bytes);
    }
}

/// One whole gbrpf32le frame (R 0.75, G 0.5, B 0.25), half of another, a complaint on
/// standard error, exit status 1.
const SHORT: &str = r#"
import struct, sys
w, h = int(sys.argv[1]), int(sys.argv[2])
n = w * h
frame = b"".join(struct.pack("<%df" % n, *([v] * n)) for v in (0.5, 0.25, 0.75))
sys.stdout.buffer.write(frame + frame[: len(frame) // 2])
sys.stdout.flush()
print("capture card lost", file=sys.stderr)
sys.exit(1)
"#;

#[test]
fn a_command_that_writes_a_short_frame_and_dies_is_restarted_with_backoff() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = tempfile::tempdir().unwrap();
    let state = app_state(&store_dir, Auth::open());
    let sources = Arc::new(Sources::default());
    let config = feed_flag(dir.path(), SHORT, "gbrpf32le", &format!("{W} {H}"));
    let backoff = Backoff {
        first: Duration::from_millis(40),
        max: Duration::from_millis(160),
        reset_after: Duration::from_secs(3600),
    };
    let pacing = feed::Pacing {
        backoff,
        ..Default::default()
    };
    feed::start_with(&sources, config, state.show.watch_rendered(), pacing);

    let status = wait_for(&sources, "a failure", |s| s.state == "restarting");
    let error = status.error.clone().unwrap();
    let bytes = W * H * 12;
    for part in [
        "wrote a short frame".to_owned(),
        format!("{} of {bytes} bytes ({W}x{H} gbrpf32le)", bytes / 2),
        "exit status: 1".into(),
        "after 1 frames".into(),
        "capture card lost".into(),
    ] {
        assert!(error.contains(&part), "{part:?} in {error}");
    }
    // The first restarting state seen may be a later one on a slow machine (each lasts
    // only its delay): whichever it is, its delay follows from its count and nothing runs.
    let want = (40u64 << status.restarts.min(8)).min(160);
    assert_eq!(
        (status.retry_in_ms, status.pid),
        (Some(want), None),
        "after {} restarts",
        status.restarts
    );
    let shown = sources.camera_frame("a", "unused", W).unwrap();
    assert_eq!(&shown.data[..3], [0.75, 0.5, 0.25]);

    // Each failure in a row doubles the delay, up to the maximum; every run shows its frame.
    let mut seen = Vec::new();
    let status = wait_for(&sources, "four restarts", |s| {
        if s.state == "restarting" && !seen.contains(&(s.restarts, s.retry_in_ms)) {
            seen.push((s.restarts, s.retry_in_ms));
        }
        s.restarts >= 4 && s.state == "restarting"
    });
    for (restarts, retry) in seen {
        assert_eq!(
            retry,
            Some((40 << restarts).min(160)),
            "after {restarts} restarts"
        );
    }
    assert!(status.frames > status.restarts, "{status:?}");
    drop(sources);
}

#[test]
fn a_command_that_cannot_start_says_so_and_is_tried_again() {
    let store_dir = tempfile::tempdir().unwrap();
    let state = app_state(&store_dir, Auth::open());
    let sources = Arc::new(Sources::default());
    let config: FeedConfig = "a=command:64x36:rgb48le:/no/such/capture-tool --card 1"
        .parse()
        .unwrap();
    let backoff = Backoff {
        first: Duration::from_millis(10),
        ..Backoff::default()
    };
    let pacing = feed::Pacing {
        backoff,
        ..Default::default()
    };
    feed::start_with(&sources, config, state.show.watch_rendered(), pacing);
    let status = wait_for(&sources, "a second failure", |s| {
        s.restarts >= 1 && s.state == "restarting"
    });
    let error = status.error.unwrap();
    assert!(
        error.contains("cannot run \"/no/such/capture-tool\"") && error.contains("No such file"),
        "{error}"
    );
    // The camera shows its chart meanwhile, and its source says why.
    let info = sources.info("a");
    assert_eq!(info.kind, "chart");
    assert_eq!(info.feed.unwrap().source, "command");
}

/// Starts a helper process in its group (which keeps the standard output open too), notes
/// both process ids, writes one frame and waits.
const HOLD: &str = r#"
import os, subprocess, sys, time
w, h, pids = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
helper = subprocess.Popen(["sleep", "1000"])
with open(pids + ".tmp", "w") as f:
    f.write("%d %d" % (os.getpid(), helper.pid))
os.rename(pids + ".tmp", pids)
sys.stdout.buffer.write(bytes(w * h * 6))
sys.stdout.flush()
time.sleep(1000)
"#;

#[test]
fn when_the_feed_stops_its_command_and_helpers_are_killed_and_reaped() {
    let dir = tempfile::tempdir().unwrap();
    let store_dir = tempfile::tempdir().unwrap();
    let state = app_state(&store_dir, Auth::open());
    let previews = Previews::new();
    let pids = dir.path().join("pids");
    let config = feed_flag(
        dir.path(),
        HOLD,
        "rgb48le",
        &format!("{W} {H} {}", pids.display()),
    );
    feed::start(&previews.sources, config, state.show.watch_rendered());
    let status = wait_for(&previews.sources, "a frame", |s| s.frames == 1);
    let text = std::fs::read_to_string(&pids).unwrap();
    let ids: Vec<u32> = text.split(' ').map(|p| p.parse().unwrap()).collect();
    assert_eq!(status.pid, Some(ids[0]));
    assert!(ids.iter().all(|p| process_exists(*p)));

    // Dropping the preview service stops the feed: the command is gone, not a zombie.
    drop(previews);
    assert!(!process_exists(ids[0]), "the command was reaped at once");
    let end = Instant::now() + PATIENCE;
    while !process_dead(ids[1]) {
        assert!(Instant::now() < end, "helper {} still runs", ids[1]);
        std::thread::sleep(Duration::from_millis(10));
    }
}
