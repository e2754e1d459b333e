//! Command feeds: lookwire runs a configured command (e.g. ffmpeg reading a capture card)
//! and reads raw frames from its standard output, each one the camera's picture as soon as
//! it is complete.
//!
//! `--feed CAMERA=command:WIDTHxHEIGHT:FORMAT:COMMAND`, where FORMAT is `rgb48le` (packed
//! 16-bit RGB, little-endian, code values over 65535) or `gbrpf32le` (three planes of
//! little-endian f32 in the order G, B, R, values as stored); the two raw formats ffmpeg
//! writes with `-f rawvideo -pix_fmt rgb48le|gbrpf32le -`. COMMAND is split into words
//! like a shell would (quotes, backslashes) but run without one; write `sh -c '…'` for
//! pipes.
//!
//! The command runs in a process group of its own, with its standard input closed. When
//! it ends, or ends mid-frame, or cannot start, the camera's feed state
//! (`GET /cameras/{id}/source`) names the failure with the end of what the command wrote
//! to its standard error, and the command is started again after a delay that doubles
//! from [`Backoff::first`] up to [`Backoff::max`] (back to the first after a run of
//! [`Backoff::reset_after`]). When the feed stops (its preview service is dropped, or
//! [`stop_all`] at the server's exit) the whole group is killed and the command reaped;
//! on Linux the command is also killed if lookwire itself dies.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::str::FromStr;
use std::sync::{mpsc, Arc, Condvar, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use lookwire_color::chart::Frame;

use super::source::{FeedStatus, Sources};
use super::still::MAX_PIXELS;
use crate::sync::lock;

/// Lines of the command's standard error kept for its failure message.
const STDERR_LINES: usize = 4;
/// Characters kept of each such line.
const STDERR_LINE_CHARS: usize = 200;

/// The raw pixel layouts a command may write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// Packed R, G, B as little-endian u16 (ffmpeg's `rgb48le`).
    Rgb48le,
    /// Planar G, B, R as little-endian f32, one whole plane after another (`gbrpf32le`).
    Gbrpf32le,
}

impl PixelFormat {
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::Rgb48le => "rgb48le",
            PixelFormat::Gbrpf32le => "gbrpf32le",
        }
    }

    fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgb48le => 6,
            PixelFormat::Gbrpf32le => 12,
        }
    }
}

/// A command feed's frame size, pixel format and command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandFeed {
    pub width: usize,
    pub height: usize,
    pub format: PixelFormat,
    /// The command line as given.
    pub line: String,
    /// Its words: the program, then its arguments.
    pub argv: Vec<String>,
}

impl FromStr for CommandFeed {
    type Err = String;

    /// Reads `WIDTHxHEIGHT:FORMAT:COMMAND`.
    fn from_str(s: &str) -> Result<CommandFeed, String> {
        let mut parts = s.splitn(3, ':');
        let (size, format, line) = match (parts.next(), parts.next(), parts.next()) {
            (Some(size), Some(format), Some(line)) => (size, format, line),
            _ => return Err("expected WIDTHxHEIGHT:FORMAT:COMMAND after command:".into()),
        };
        let (width, height) = frame_size(size)?;
        let format = match format {
            "rgb48le" => PixelFormat::Rgb48le,
            "gbrpf32le" => PixelFormat::Gbrpf32le,
            _ => {
                return Err(format!(
                    "pixel format {format:?}: expected rgb48le or gbrpf32le"
                ))
            }
        };
        let argv = shlex::split(line)
            .filter(|w| !w.is_empty())
            .ok_or_else(|| format!("command {line:?}: no program, or an unclosed quote"))?;
        Ok(CommandFeed {
            width,
            height,
            format,
            line: line.to_owned(),
            argv,
        })
    }
}

fn frame_size(size: &str) -> Result<(usize, usize), String> {
    let bad = || format!("frame size {size:?}: expected WIDTHxHEIGHT, e.g. 1920x1080");
    let (w, h) = size.split_once('x').ok_or_else(bad)?;
    let (w, h): (usize, usize) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    if w < 16 || h < 16 || w.saturating_mul(h) > MAX_PIXELS || w > 4 * h || h > 4 * w {
        return Err(format!(
            "frame size {w}x{h}: expected at least 16x16, at most {MAX_PIXELS} pixels, \
             neither side over 4 times the other"
        ));
    }
    Ok((w, h))
}

impl CommandFeed {
    /// Bytes of one frame.
    pub fn frame_bytes(&self) -> usize {
        self.width * self.height * self.format.bytes_per_pixel()
    }

    /// Checks the program can be found now (it is looked up on `PATH` like a shell does).
    pub fn check(&self) -> Result<PathBuf, String> {
        let program = &self.argv[0];
        let found = if program.contains('/') {
            Some(PathBuf::from(program)).filter(|p| p.is_file())
        } else {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join(program))
                    .find(|p| p.is_file())
            })
        };
        found.ok_or_else(|| format!("program {program:?} not found (PATH is searched)"))
    }
}

/// Turns one raw frame of `format` into code values (packed RGB f32); floats that are not
/// finite become 0.
pub fn frame_from_bytes(bytes: &[u8], width: usize, height: usize, format: PixelFormat) -> Frame {
    let data = match format {
        PixelFormat::Rgb48le => bytes
            .chunks_exact(2)
            .map(|b| f32::from(u16::from_le_bytes([b[0], b[1]])) / 65535.0)
            .collect(),
        PixelFormat::Gbrpf32le => {
            let plane = width * height * 4;
            let value = |p: usize, i: usize| {
                let b = &bytes[p * plane + i * 4..p * plane + i * 4 + 4];
                let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if v.is_finite() {
                    v
                } else {
                    0.0
                }
            };
            (0..width * height)
                .flat_map(|i| [value(2, i), value(0, i), value(1, i)])
                .collect()
        }
    };
    Frame {
        width,
        height,
        data,
    }
}

/// How long a failed command waits before it is started again.
#[derive(Clone, Copy, Debug)]
pub struct Backoff {
    /// The first delay; each failure in a row doubles it.
    pub first: Duration,
    pub max: Duration,
    /// A run at least this long starts the delays over.
    pub reset_after: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(250),
            max: Duration::from_secs(8),
            reset_after: Duration::from_secs(10),
        }
    }
}

/// Stops a command feed: whether it is stopped, and its running command.
#[derive(Debug, Default)]
pub struct Control {
    run: Mutex<Run>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Run {
    stopped: bool,
    child: Option<Child>,
}

/// The command feeds of this process, for [`stop_all`].
static RUNNING: OnceLock<Mutex<Vec<Weak<Control>>>> = OnceLock::new();

/// Stops every command feed of this process, killing and reaping their commands.
pub fn stop_all() {
    let running = std::mem::take(&mut *lock(RUNNING.get_or_init(Mutex::default)));
    running
        .iter()
        .filter_map(Weak::upgrade)
        .for_each(|c| c.stop());
}

impl Control {
    /// A control [`stop_all`] reaches.
    pub fn registered() -> Arc<Control> {
        let control = Arc::new(Control::default());
        let mut running = lock(RUNNING.get_or_init(Mutex::default));
        running.retain(|c| c.strong_count() > 0);
        running.push(Arc::downgrade(&control));
        control
    }

    /// Stops the feed: kills the running command's process group and reaps it.
    pub fn stop(&self) {
        let child = {
            let mut run = lock(&self.run);
            run.stopped = true;
            run.child.take()
        };
        self.wake.notify_all();
        if let Some(mut child) = child {
            end(&mut child);
        }
    }

    pub fn stopped(&self) -> bool {
        lock(&self.run).stopped
    }

    /// Keeps `child` as the running command; kills it at once if the feed has stopped.
    fn adopt(&self, mut child: Child) -> bool {
        let mut run = lock(&self.run);
        if run.stopped {
            drop(run);
            end(&mut child);
            return false;
        }
        run.child = Some(child);
        true
    }

    /// Kills and reaps the running command (if [`Control::stop`] has not already).
    fn end_child(&self) -> Option<ExitStatus> {
        let child = lock(&self.run).child.take();
        child.and_then(|mut c| end(&mut c))
    }

    /// Waits `delay`; `false` if the feed stopped meanwhile.
    fn pause(&self, delay: Duration) -> bool {
        let run = lock(&self.run);
        let (run, _) = self
            .wake
            .wait_timeout_while(run, delay, |r| !r.stopped)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !run.stopped
    }
}

/// Kills `child`'s process group and reaps `child`.
fn end(child: &mut Child) -> Option<ExitStatus> {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) only sends a signal; `child` is not reaped yet, so its pid still
        // names the process group it leads (it was started with `process_group(0)`).
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
    let _ = child.kill();
    child.wait().ok()
}

/// Runs `feed` for `camera` into `sources` until `control` stops it or `sources` is
/// dropped, starting the command again after each failure.
pub fn play(
    weak: &Weak<Sources>,
    camera: &str,
    feed: &CommandFeed,
    control: &Control,
    backoff: Backoff,
) {
    let mut delay = backoff.first;
    let status = |f: &dyn Fn(&mut FeedStatus)| {
        if let Some(sources) = weak.upgrade() {
            sources.update_feed(camera, f);
        }
    };
    while !control.stopped() && weak.strong_count() > 0 {
        let started = Instant::now();
        let failure = run_once(weak, camera, feed, control);
        if control.stopped() {
            break;
        }
        if started.elapsed() >= backoff.reset_after {
            delay = backoff.first;
        }
        tracing::warn!("feed of camera {camera}: {failure}; again in {delay:?}");
        status(&|s| {
            s.state = "restarting".into();
            s.error = Some(failure.clone());
            s.retry_in_ms = Some(delay.as_millis() as u64);
            s.pid = None;
        });
        if !control.pause(delay) {
            break;
        }
        delay = (delay * 2).min(backoff.max);
        status(&|s| {
            s.restarts += 1;
            s.state = "starting".into();
            s.retry_in_ms = None;
        });
    }
    status(&|s| {
        s.state = "stopped".into();
        s.pid = None;
        s.retry_in_ms = None;
    });
}

/// One run of the command: its frames into `sources` until it fails; returns why.
fn run_once(weak: &Weak<Sources>, camera: &str, feed: &CommandFeed, control: &Control) -> String {
    let mut child = match spawn(feed) {
        Ok(child) => child,
        Err(e) => return format!("cannot run {:?}: {e}", feed.argv[0]),
    };
    let (stdout, tail) = (child.stdout.take(), stderr_tail(child.stderr.take()));
    let pid = child.id();
    if !control.adopt(child) {
        return "stopped".into();
    }
    if let Some(sources) = weak.upgrade() {
        sources.update_feed(camera, &|s| {
            s.state = "running".into();
            s.pid = Some(pid);
            s.retry_in_ms = None;
        });
    }
    let (frames, ending) = match stdout {
        Some(out) => read_frames(out, weak, camera, feed),
        None => (0, Ending::Error("no standard output".into())),
    };
    let status = control.end_child();
    let status = status.map_or_else(|| "killed".to_owned(), |s| s.to_string());
    let tail = tail.finish();
    let what = match ending {
        Ending::Ended => format!("ended ({status})"),
        Ending::Short(got) => format!(
            "wrote a short frame: {got} of {} bytes ({}x{} {}), then its output ended ({status})",
            feed.frame_bytes(),
            feed.width,
            feed.height,
            feed.format.name()
        ),
        Ending::Error(e) => format!("could not be read: {e} ({status})"),
    };
    let mut message = format!("command {:?} {what} after {frames} frames", feed.line);
    if !tail.is_empty() {
        message = format!("{message}; its last words: {tail}");
    }
    message
}

fn spawn(feed: &CommandFeed) -> std::io::Result<Child> {
    let mut command = Command::new(&feed.argv[0]);
    command
        .args(&feed.argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    #[cfg(target_os = "linux")]
    // SAFETY: the closure runs in the forked child before exec and calls only prctl(2),
    // which is async-signal-safe and allocates nothing.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            match libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) {
                0 => Ok(()),
                _ => Err(std::io::Error::last_os_error()),
            }
        });
    }
    command.spawn()
}

/// How reading a command's frames ended.
enum Ending {
    /// Its output ended on a frame boundary.
    Ended,
    /// Its output ended this many bytes into a frame.
    Short(usize),
    Error(String),
}

/// Reads whole frames from `out` into `sources` until the output ends; returns the frames
/// read and how it ended.
fn read_frames(
    mut out: impl Read,
    weak: &Weak<Sources>,
    camera: &str,
    feed: &CommandFeed,
) -> (u64, Ending) {
    let mut buf = vec![0u8; feed.frame_bytes()];
    let mut frames = 0;
    loop {
        match fill(&mut out, &mut buf) {
            Ok(n) if n == buf.len() => {}
            Ok(0) => return (frames, Ending::Ended),
            Ok(n) => return (frames, Ending::Short(n)),
            Err(e) => return (frames, Ending::Error(e.to_string())),
        }
        let Some(sources) = weak.upgrade() else {
            return (frames, Ending::Error("the feed stopped".into()));
        };
        let frame = frame_from_bytes(&buf, feed.width, feed.height, feed.format);
        sources.set_feed_frame(camera, frame, feed.format.name());
        frames += 1;
        sources.update_feed(camera, &|s| {
            s.frames += 1;
            s.error = None;
        });
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn fill(out: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match out.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// The last lines a command writes to its standard error, collected on a thread.
struct StderrTail {
    lines: Arc<Mutex<VecDeque<String>>>,
    done: mpsc::Receiver<()>,
}

fn stderr_tail(stderr: Option<ChildStderr>) -> StderrTail {
    let lines = Arc::new(Mutex::new(VecDeque::new()));
    let (tx, done) = mpsc::channel();
    if let Some(stderr) = stderr {
        let kept = Arc::clone(&lines);
        let read = move || {
            for line in BufReader::new(stderr).split(b'\n').map_while(Result::ok) {
                let line = String::from_utf8_lossy(&line);
                let line: String = line.trim().chars().take(STDERR_LINE_CHARS).collect();
                if line.is_empty() {
                    continue;
                }
                let mut kept = lock(&kept);
                if kept.len() == STDERR_LINES {
                    kept.pop_front();
                }
                kept.push_back(line);
            }
            let _ = tx.send(());
        };
        if std::thread::Builder::new()
            .name("feed-stderr".into())
            .spawn(read)
            .is_err()
        {
            tracing::warn!("cannot start a thread to read a feed command's errors");
        }
    }
    StderrTail { lines, done }
}

impl StderrTail {
    /// The lines kept, once the command's standard error has ended (or after a second).
    fn finish(self) -> String {
        let _ = self.done.recv_timeout(Duration::from_secs(1));
        let lines = lock(&self.lines);
        lines.iter().cloned().collect::<Vec<_>>().join(" | ")
    }
}
