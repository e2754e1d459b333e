//! How often devices are handed new looks: at most once per frame of the show by default
//! (a device shows one look per frame), or per [`PACE_ENV`].

use std::time::Duration;

use crate::timecode::FrameRate;

/// The environment variable that sets the shortest time between two rounds of device
/// bakes, in milliseconds (unset: one frame of the show; `0`: a round after every change).
pub const PACE_ENV: &str = "LOOKWIRE_DEVICE_PACE_MS";

/// The longest pace [`PACE_ENV`] may set.
const MAX_PACE_MS: u64 = 1000;

/// One frame at `rate`.
pub fn frame_interval(rate: FrameRate) -> Duration {
    let (frames, seconds) = rate.ratio();
    Duration::from_nanos(seconds * 1_000_000_000 / frames)
}

/// The pace from [`PACE_ENV`]; `None` (one frame of the show) when unset or unreadable.
pub fn pace_from_env() -> Option<Duration> {
    let v = std::env::var(PACE_ENV).ok()?;
    parse_pace(&v)
        .map_err(|e| tracing::warn!("{PACE_ENV}: {e}; pacing devices by the show's frame"))
        .ok()
}

/// A whole number of milliseconds from 0 to `MAX_PACE_MS`.
pub fn parse_pace(v: &str) -> Result<Duration, String> {
    let ms: u64 = v
        .trim()
        .parse()
        .map_err(|_| format!("{v:?} is not a whole number of milliseconds"))?;
    if ms > MAX_PACE_MS {
        return Err(format!("{ms} ms is over the limit of {MAX_PACE_MS} ms"));
    }
    Ok(Duration::from_millis(ms))
}
