//! Live feeds: a camera's picture from a folder of frames, played in name order at the
//! show's frame rate.
//!
//! Security: feeds are configured at start only (`lookwire serve --feed CAMERA=folder:DIR`)
//! and never created or changed from the API. A folder feed reads whatever files sit in
//! its folder, and a command feed would run a program, so choosing either is the
//! operator's decision at the machine, not an API caller's.
//!
//! The folder is listed again on every pass through it, so frames a capture tool drops in
//! join the sequence. Which frame shows follows the clock (`elapsed × rate`, wrapping), so a
//! frame slower to decode than the rate skips ahead rather than falling behind. Each frame
//! is read like an uploaded still (OpenEXR, DPX, TIFF or PNG, its header's size checked
//! first); a file that cannot be read is skipped with a warning. A still uploaded to a
//! camera with a feed shows until the feed's next frame.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::source::Sources;
use super::still;
use crate::show::ShowView;

/// Where a feed's frames come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FeedSource {
    /// Image files (`.exr`, `.dpx`, `.tif`/`.tiff`, `.png`) in a folder, in name order.
    Folder(PathBuf),
}

/// One camera's feed, as `--feed CAMERA=folder:DIR` gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedConfig {
    pub camera: String,
    pub source: FeedSource,
}

/// Why a feed cannot be configured.
#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("feed {0:?}: expected CAMERA=folder:DIR")]
    Syntax(String),
    #[error("feed of camera {camera:?}: {path} is not a readable folder: {message}")]
    Folder {
        camera: String,
        path: String,
        message: String,
    },
    #[error("feeds are configured once, at start")]
    Again,
}

impl FromStr for FeedConfig {
    type Err = FeedError;

    fn from_str(s: &str) -> Result<FeedConfig, FeedError> {
        let syntax = || FeedError::Syntax(s.to_owned());
        let (camera, source) = s.split_once('=').ok_or_else(syntax)?;
        let (kind, path) = source.split_once(':').ok_or_else(syntax)?;
        if camera.is_empty() || path.is_empty() || kind != "folder" {
            return Err(syntax());
        }
        Ok(FeedConfig {
            camera: camera.to_owned(),
            source: FeedSource::Folder(PathBuf::from(path)),
        })
    }
}

impl FeedConfig {
    /// Checks the folder can be listed now (it may still be empty).
    pub fn check(&self) -> Result<(), FeedError> {
        let FeedSource::Folder(dir) = &self.source;
        std::fs::read_dir(dir)
            .map(|_| ())
            .map_err(|e| FeedError::Folder {
                camera: self.camera.clone(),
                path: dir.display().to_string(),
                message: e.to_string(),
            })
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

/// Plays `feed` into `sources` on its own thread, which ends once `sources` is dropped.
pub fn start(sources: &Arc<Sources>, feed: FeedConfig, rendered: watch::Receiver<Arc<ShowView>>) {
    let weak = Arc::downgrade(sources);
    let name = format!("feed-{}", feed.camera);
    let started = std::thread::Builder::new()
        .name(name)
        .spawn(move || play_folder(&weak, &feed, &rendered));
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

fn play_folder(weak: &Weak<Sources>, feed: &FeedConfig, rendered: &watch::Receiver<Arc<ShowView>>) {
    let FeedSource::Folder(dir) = &feed.source;
    let start = Instant::now();
    let (mut files, mut shown) = (Vec::new(), None::<PathBuf>);
    let mut warned = None::<PathBuf>;
    while weak.strong_count() > 0 {
        let (num, den) = rendered.borrow().show.frame_rate.ratio();
        let fps = num as f64 / den as f64;
        let tick = start.elapsed().as_secs_f64() * fps;
        let mut index = tick as usize;
        if files.is_empty() || index % files.len() == 0 {
            files = frames_in(dir);
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
                    }
                    Err(e) if warned.as_ref() != Some(file) => {
                        tracing::warn!("feed of camera {}: {}: {e}", feed.camera, file.display());
                        warned = Some(file.clone());
                    }
                    Err(_) => {}
                }
                shown = Some(file.clone());
            }
        }
        // Until the next frame's time (at least a millisecond, to let others run).
        let next = (tick.floor() + 1.0) / fps;
        let wait = (next - start.elapsed().as_secs_f64()).max(0.001);
        std::thread::sleep(Duration::from_secs_f64(wait));
    }
}

fn read_frame(file: &Path) -> Result<(lookwire_color::chart::Frame, &'static str), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    still::decode(&bytes).map_err(|e| e.to_string())
}
