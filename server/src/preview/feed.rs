//! Live feeds: a camera's picture from a folder of frames, played in name order at the
//! show's frame rate, or from the raw frames a command writes ([`super::command`]).
//!
//! Security: feeds are configured at start only (`lookwire serve --feed CAMERA=folder:DIR`
//! or `--feed CAMERA=command:WIDTHxHEIGHT:FORMAT:COMMAND`) and never created or changed
//! from the API. A folder feed reads whatever files sit in its folder, and a command feed
//! runs a program, so choosing either is the operator's decision at the machine, not an
//! API caller's. Each feed's state shows in `GET /cameras/{id}/source` (`feed`).
//!
//! The folder is listed again on every pass through it (a pass whose first frame was
//! skipped included), so frames a capture tool drops in join the sequence. Which frame shows follows the clock (`elapsed × rate`, wrapping), so a
//! frame slower to decode than the rate skips ahead rather than falling behind. Each frame
//! is read like an uploaded still (OpenEXR, DPX, TIFF or PNG, its header's size checked
//! first); a file that cannot be read is skipped with a warning. A still uploaded to a
//! camera with a feed shows until the feed's next frame.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock, Weak};
use std::time::Duration;

use tokio::sync::watch;

use super::command::{self, Backoff, CommandFeed, Control};
use super::source::Sources;
use super::still;
use crate::show::fade::{FrameClock, SystemFrames};
use crate::show::ShowView;

/// Where a feed's frames come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedSource {
    /// Image files (`.exr`, `.dpx`, `.tif`/`.tiff`, `.png`) in a folder, in name order.
    Folder(PathBuf),
    /// Raw frames from a command's standard output.
    Command(CommandFeed),
}

/// One camera's feed, as `--feed CAMERA=folder:DIR` or
/// `--feed CAMERA=command:WIDTHxHEIGHT:FORMAT:COMMAND` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedConfig {
    pub camera: String,
    pub source: FeedSource,
}

/// Why a feed cannot be configured.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("feed {0:?}: expected {SYNTAX}")]
    Syntax(String),
    #[error("feed {feed:?}: {message}")]
    Command { feed: String, message: String },
    #[error("feed of camera {camera:?}: {path} is not a readable folder: {message}")]
    Folder {
        camera: String,
        path: String,
        message: String,
    },
    #[error("feeds are configured once, at start")]
    Again,
}

/// The feed flag's forms, for error messages.
const SYNTAX: &str = "CAMERA=folder:DIR or CAMERA=command:WIDTHxHEIGHT:rgb48le|gbrpf32le:COMMAND";

impl FromStr for FeedConfig {
    type Err = FeedError;

    fn from_str(s: &str) -> Result<FeedConfig, FeedError> {
        let syntax = || FeedError::Syntax(s.to_owned());
        let (camera, source) = s.split_once('=').ok_or_else(syntax)?;
        let (kind, rest) = source.split_once(':').ok_or_else(syntax)?;
        if camera.is_empty() || rest.is_empty() {
            return Err(syntax());
        }
        let source = match kind {
            "folder" => FeedSource::Folder(PathBuf::from(rest)),
            "command" => {
                FeedSource::Command(rest.parse().map_err(|message| FeedError::Command {
                    feed: s.to_owned(),
                    message,
                })?)
            }
            _ => return Err(syntax()),
        };
        Ok(FeedConfig {
            camera: camera.to_owned(),
            source,
        })
    }
}

impl FeedConfig {
    /// Checks the folder can be listed now (it may still be empty), or the command's
    /// program can be found.
    pub fn check(&self) -> Result<(), FeedError> {
        match &self.source {
            FeedSource::Folder(dir) => {
                std::fs::read_dir(dir)
                    .map(|_| ())
                    .map_err(|e| FeedError::Folder {
                        camera: self.camera.clone(),
                        path: dir.display().to_string(),
                        message: e.to_string(),
                    })
            }
            FeedSource::Command(c) => c.check().map(|_| ()).map_err(|message| FeedError::Command {
                feed: format!("{}=command:{}", self.camera, c.line),
                message,
            }),
        }
    }
}

/// The feeds of this process and the rendered show they take their rate from.
type Configured = (Vec<FeedConfig>, watch::Receiver<Arc<ShowView>>);

static CONFIGURED: OnceLock<Configured> = OnceLock::new();

/// Sets the process's feeds (once, at start); every preview service started afterwards
/// plays them.
pub fn configure(
    feeds: Vec<FeedConfig>,
    rendered: watch::Receiver<Arc<ShowView>>,
) -> Result<(), FeedError> {
    feeds.iter().try_for_each(FeedConfig::check)?;
    CONFIGURED
        .set((feeds, rendered))
        .map_err(|_| FeedError::Again)
}

/// Starts the configured feeds into `sources` (none when none are configured).
pub fn start_configured(sources: &Arc<Sources>) {
    if let Some((feeds, rendered)) = CONFIGURED.get() {
        for feed in feeds {
            start(sources, feed.clone(), rendered.clone());
        }
    }
}

/// Plays `feed` into `sources` on its own thread, which ends once `sources` is dropped
/// (a command feed's command is killed then).
pub fn start(sources: &Arc<Sources>, feed: FeedConfig, rendered: watch::Receiver<Arc<ShowView>>) {
    start_with(sources, feed, rendered, Pacing::default());
}

/// How a feed is paced: the clock a folder feed plays by, and how long a failed command
/// waits before it is started again.
#[derive(Clone, Debug)]
pub struct Pacing {
    pub clock: Arc<dyn FrameClock>,
    pub backoff: Backoff,
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing {
            clock: Arc::new(SystemFrames),
            backoff: Backoff::default(),
        }
    }
}

/// [`start`], paced by `pacing` (tests pass a hand-moved clock or short delays).
pub fn start_with(
    sources: &Arc<Sources>,
    feed: FeedConfig,
    rendered: watch::Receiver<Arc<ShowView>>,
    pacing: Pacing,
) {
    let weak = Arc::downgrade(sources);
    let name = format!("feed-{}", feed.camera);
    let (source, from, state) = match &feed.source {
        FeedSource::Folder(dir) => ("folder", dir.display().to_string(), "running"),
        FeedSource::Command(c) => ("command", c.line.clone(), "starting"),
    };
    sources.update_feed(&feed.camera, &|s| {
        s.source = source.into();
        s.from = from.clone();
        s.state = state.into();
    });
    let started = match &feed.source {
        FeedSource::Folder(_) => std::thread::Builder::new()
            .name(name)
            .spawn(move || play_folder(&weak, &feed, &rendered, &*pacing.clock)),
        FeedSource::Command(c) => {
            let (c, control) = (c.clone(), Control::registered());
            sources.adopt_command(Arc::clone(&control));
            std::thread::Builder::new()
                .name(name)
                .spawn(move || command::play(&weak, &feed.camera, &c, &control, pacing.backoff))
        }
    };
    if let Err(e) = started {
        tracing::warn!("cannot start a feed thread: {e}");
    }
}

/// Image files of `dir` in name order.
pub fn frames_in(dir: &Path) -> Vec<PathBuf> {
    let is_image = |p: &PathBuf| {
        p.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .is_some_and(|e| matches!(e.as_str(), "exr" | "dpx" | "tif" | "tiff" | "png"))
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(is_image)
        .collect();
    files.sort();
    files
}

fn play_folder(
    weak: &Weak<Sources>,
    feed: &FeedConfig,
    rendered: &watch::Receiver<Arc<ShowView>>,
    clock: &dyn FrameClock,
) {
    let FeedSource::Folder(dir) = &feed.source else {
        return;
    };
    let start = clock.now();
    let elapsed = || clock.now().saturating_duration_since(start).as_secs_f64();
    let (mut files, mut shown) = (Vec::new(), None::<PathBuf>);
    let (mut warned, mut listed_pass) = (None::<PathBuf>, None::<usize>);
    while weak.strong_count() > 0 {
        let (num, den) = rendered.borrow().show.frame_rate.ratio();
        let fps = num as f64 / den as f64;
        let tick = elapsed() * fps;
        let mut index = tick as usize;
        // Listed again on each new pass through the folder (even one whose first frame
        // was skipped), so frames dropped in join.
        let pass = (!files.is_empty()).then(|| index / files.len());
        if pass.is_none() || pass != listed_pass {
            files = frames_in(dir);
            listed_pass = (!files.is_empty()).then(|| index / files.len());
        }
        if !files.is_empty() {
            index %= files.len();
            let file = &files[index];
            if shown.as_ref() != Some(file) {
                let Some(sources) = weak.upgrade() else {
                    return;
                };
                match read_frame(file) {
                    Ok((frame, format)) => {
                        sources.set_feed_frame(&feed.camera, frame, format);
                        sources.update_feed(&feed.camera, &|s| {
                            s.frames += 1;
                            s.error = None;
                        });
                    }
                    Err(e) if warned.as_ref() != Some(file) => {
                        let error = format!("{}: {e}", file.display());
                        tracing::warn!("feed of camera {}: {error}", feed.camera);
                        sources.update_feed(&feed.camera, &|s| s.error = Some(error.clone()));
                        warned = Some(file.clone());
                    }
                    Err(_) => {}
                }
                shown = Some(file.clone());
            }
        }
        // Until the next frame's time (at least a millisecond, to let others run).
        let next = (tick.floor() + 1.0) / fps;
        let wait = (next - elapsed()).max(0.001);
        clock.wait(Duration::from_secs_f64(wait));
    }
}

fn read_frame(file: &Path) -> Result<(lookwire_color::chart::Frame, &'static str), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    still::decode(&bytes).map_err(|e| e.to_string())
}
