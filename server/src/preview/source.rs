//! Frame sources: the built-in chart in each camera's log encoding, resampled once per
//! input space and preview width, or a still uploaded for the camera ([`super::still`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lookwire_color::chart::{render_chart, ChartOptions, ChartSize, Frame};

use super::{lock, PreviewError};

/// Cached source frames kept before the cache starts over.
const SOURCE_CACHE: usize = 64;

/// A still standing in for a camera's picture, with its sizes made so far.
#[derive(Debug)]
struct Still {
    full: Arc<Frame>,
    info: SourceInfo,
    sized: HashMap<usize, Arc<Frame>>,
}

/// What a camera's picture comes from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SourceInfo {
    /// `chart`, `still` (uploaded) or `feed` (configured at start).
    pub kind: String,
    /// The still's file format, e.g. `OpenEXR`.
    pub format: Option<String>,
    pub width: usize,
    pub height: usize,
    /// Changes whenever the source does.
    pub serial: u64,
    /// The camera's live feed, when one is configured (shown whatever the picture's kind,
    /// so a feed that fails before its first frame says why).
    pub feed: Option<FeedStatus>,
}

/// A live feed's state ([`super::feed`], [`super::command`]).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct FeedStatus {
    /// `folder` or `command`.
    pub source: String,
    /// The folder, or the command line.
    pub from: String,
    /// `running`, `restarting` (after a failure, for `retry_in_ms`), `starting` (again,
    /// after that delay) or `stopped`.
    pub state: String,
    /// Frames shown since the feed started.
    pub frames: u64,
    /// Times the command was started again after a failure.
    pub restarts: u64,
    /// The last failure, until the feed delivers a frame again.
    pub error: Option<String>,
    /// Milliseconds until a failed command is started again.
    pub retry_in_ms: Option<u64>,
    /// The running command's process id.
    pub pid: Option<u32>,
}

/// Chart frames per (input space, width) and stills per camera.
#[derive(Debug)]
pub struct Sources {
    frames: Mutex<HashMap<(String, usize), Arc<Frame>>>,
    stills: Mutex<HashMap<String, Still>>,
    feeds: Mutex<HashMap<String, FeedStatus>>,
    /// The command feeds playing into these sources, stopped when they are dropped.
    commands: Mutex<Vec<Arc<super::command::Control>>>,
    serial: AtomicU64,
    /// The serial of the last source change, for streams to wake on.
    changed: tokio::sync::watch::Sender<u64>,
    /// Passed before heavy work (resampling, checks), with no lock held.
    pub pause: super::pause::Pause,
}

impl Default for Sources {
    fn default() -> Self {
        Self {
            frames: Mutex::default(),
            stills: Mutex::default(),
            feeds: Mutex::default(),
            commands: Mutex::default(),
            serial: AtomicU64::new(0),
            changed: tokio::sync::watch::Sender::new(0),
            pause: super::pause::Pause::default(),
        }
    }
}

impl Drop for Sources {
    fn drop(&mut self) {
        lock(&self.commands).drain(..).for_each(|c| c.stop());
    }
}

impl Sources {
    /// Camera `camera`'s picture at `width`: its still if it has one, else the chart in
    /// `input_space`. A still is resampled without the lock, so other cameras' pictures,
    /// uploads and source reads go on meanwhile; a size made from a still replaced in the
    /// meantime is returned to its caller but not kept.
    pub fn camera_frame(
        &self,
        camera: &str,
        input_space: &str,
        width: usize,
    ) -> Result<Arc<Frame>, PreviewError> {
        let (full, serial) = {
            let stills = lock(&self.stills);
            let Some(still) = stills.get(camera) else {
                drop(stills);
                return self.frame(input_space, width);
            };
            if let Some(f) = still.sized.get(&width) {
                return Ok(Arc::clone(f));
            }
            (Arc::clone(&still.full), still.info.serial)
        };
        if full.width == width {
            return Ok(full);
        }
        self.pause.at("resample");
        let f = Arc::new(resample(&full, width));
        let mut stills = lock(&self.stills);
        if let Some(still) = stills.get_mut(camera) {
            if still.info.serial == serial {
                if still.sized.len() >= 8 {
                    still.sized.clear();
                }
                still.sized.insert(width, Arc::clone(&f));
            }
        }
        Ok(f)
    }

    /// Makes `frame` the camera's picture.
    pub fn set_still(&self, camera: &str, frame: Frame, format: &str) -> SourceInfo {
        self.set_frame(camera, frame, "still", format)
    }

    /// Makes `frame`, the newest of the camera's feed ([`super::feed`]), its picture.
    pub fn set_feed_frame(&self, camera: &str, frame: Frame, format: &str) -> SourceInfo {
        self.set_frame(camera, frame, "feed", format)
    }

    fn set_frame(&self, camera: &str, frame: Frame, kind: &str, format: &str) -> SourceInfo {
        let info = SourceInfo {
            kind: kind.into(),
            format: Some(format.into()),
            width: frame.width,
            height: frame.height,
            serial: self.serial.fetch_add(1, Ordering::Relaxed) + 1,
            feed: None,
        };
        let still = Still {
            full: Arc::new(frame),
            info: info.clone(),
            sized: HashMap::new(),
        };
        lock(&self.stills).insert(camera.into(), still);
        self.changed.send_replace(info.serial);
        info
    }

    /// Returns the camera to the chart; `false` if it had no still.
    pub fn clear_still(&self, camera: &str) -> bool {
        let had = lock(&self.stills).remove(camera).is_some();
        let serial = self.serial.fetch_add(1, Ordering::Relaxed) + 1;
        self.changed.send_replace(serial);
        had
    }

    /// Wakes on every source change.
    pub fn watch(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// What the camera's picture comes from.
    pub fn info(&self, camera: &str) -> SourceInfo {
        let mut info = lock(&self.stills).get(camera).map_or_else(
            || SourceInfo {
                kind: "chart".into(),
                format: None,
                width: 1920,
                height: 1080,
                serial: 0,
                feed: None,
            },
            |s| s.info.clone(),
        );
        info.feed = self.feed_status(camera);
        info
    }

    /// The state of the camera's live feed, if it has one.
    pub fn feed_status(&self, camera: &str) -> Option<FeedStatus> {
        lock(&self.feeds).get(camera).cloned()
    }

    /// Changes the state of the camera's live feed.
    pub fn update_feed(&self, camera: &str, change: &dyn Fn(&mut FeedStatus)) {
        change(lock(&self.feeds).entry(camera.to_owned()).or_default());
    }

    /// Keeps `control` to stop its command feed when these sources are dropped.
    pub fn adopt_command(&self, control: Arc<super::command::Control>) {
        lock(&self.commands).push(control);
    }

    /// A short key that changes whenever the camera's source does.
    pub fn key(&self, camera: &str) -> String {
        let info = self.info(camera);
        format!("{}#{}", info.kind, info.serial)
    }

    /// The chart as a camera with `input_space` records it, `width` pixels wide (16:9).
    pub fn frame(&self, input_space: &str, width: usize) -> Result<Arc<Frame>, PreviewError> {
        let id = (input_space.to_owned(), width);
        if let Some(f) = lock(&self.frames).get(&id) {
            return Ok(Arc::clone(f));
        }
        let size = if width <= 1920 {
            ChartSize::Hd
        } else {
            ChartSize::Uhd
        };
        let full = self.full(input_space, size)?;
        let frame = Arc::new(if full.width == width {
            (*full).clone()
        } else {
            resample(&full, width)
        });
        let mut frames = lock(&self.frames);
        if frames.len() >= SOURCE_CACHE {
            frames.clear();
        }
        frames.insert(id, Arc::clone(&frame));
        Ok(frame)
    }

    /// The chart at full HD (cached like any width); UHD is rendered on demand, not kept.
    fn full(&self, input_space: &str, size: ChartSize) -> Result<Arc<Frame>, PreviewError> {
        if size == ChartSize::Hd {
            if let Some(f) = lock(&self.frames).get(&(input_space.to_owned(), 1920)) {
                return Ok(Arc::clone(f));
            }
        }
        let options = ChartOptions {
            size,
            ..Default::default()
        };
        let frame = Arc::new(render_chart(input_space, &options)?);
        if size == ChartSize::Hd {
            lock(&self.frames).insert((input_space.to_owned(), 1920), Arc::clone(&frame));
        }
        Ok(frame)
    }
}

/// `src` resampled to `width` (height keeps the aspect): each output pixel averages the
/// source pixels its footprint covers (nearest when enlarging).
pub fn resample(src: &Frame, width: usize) -> Frame {
    let height = ((src.height * width) as f64 / src.width as f64)
        .round()
        .max(1.0) as usize;
    let xs = spans(src.width, width);
    let ys = spans(src.height, height);
    let mut data = Vec::with_capacity(width * height * 3);
    for &(y0, y1) in &ys {
        for &(x0, x1) in &xs {
            let mut sum = [0.0f32; 3];
            for y in y0..y1 {
                let row = &src.data[(y * src.width + x0) * 3..(y * src.width + x1) * 3];
                for px in row.chunks_exact(3) {
                    (0..3).for_each(|c| sum[c] += px[c]);
                }
            }
            let n = ((y1 - y0) * (x1 - x0)) as f32;
            data.extend(sum.map(|s| s / n));
        }
    }
    Frame {
        width,
        height,
        data,
    }
}

/// Source index ranges (non-empty) each of `to` output samples covers.
fn spans(from: usize, to: usize) -> Vec<(usize, usize)> {
    (0..to)
        .map(|i| {
            let a = (i * from) / to;
            let b = (((i + 1) * from) / to).clamp(a + 1, from);
            (a.min(from - 1), b)
        })
        .collect()
}
