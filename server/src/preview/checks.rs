//! Camera checks before capture, on frames the camera recorded (code values 0..1 of its
//! own log encoding):
//! - hot pixels, from a frame shot with the lens capped: a channel far above the frame's
//!   black level;
//! - dead pixels, from a flat bright frame: a channel far below the frame's level;
//! - stuck pixels, across several frames of a moving picture: a pixel whose every channel
//!   stays put while the picture around it changes;
//! - noise, from a flat grey frame: the spread of the centre half in code values, and as
//!   a signal-to-noise ratio of scene light (dB and stops) through the camera's curve.
//!
//! "Far" is robust: the median and the median absolute deviation (MAD, scaled by 1.4826
//! to a standard deviation) of each channel, so the defects themselves do not move the
//! threshold. Each defect comes with a thumbnail of its surroundings.

use base64::Engine;
use lookwire_color::chart::Frame;
use lookwire_color::spaces::InputSpace;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::PreviewError;

/// A defect lies this many robust standard deviations away from the level…
pub const SIGMAS: f32 = 12.0;
/// …and at least this far in code value (a tenth of a stop-ish in log; ignores grain).
pub const MIN_STEP: f32 = 0.02;
/// Defects listed at most (a frame with more is not a defect list but a bad frame).
pub const MAX_DEFECTS: usize = 200;
/// Thumbnail: pixels each side of the defect, and the scale they are drawn at.
const THUMB_RADIUS: usize = 7;
const THUMB_SCALE: usize = 4;

/// Which check a frame is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Hot,
    Dead,
    Stuck,
}

/// One defective pixel.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Defect {
    pub x: usize,
    pub y: usize,
    /// The channel furthest from the level: 0 red, 1 green, 2 blue.
    pub channel: usize,
    /// Its code value, and the frame's level (median) in that channel. For a stuck
    /// pixel: its value in the first frame, and the median change of the channel's pixels
    /// across the frames.
    pub value: f32,
    pub level: f32,
    /// PNG (base64) of the 15×15 pixels around it at 4×, the defect in the middle.
    pub thumbnail_png: String,
}

/// The result of a hot or dead pixel check.
#[derive(Debug, Serialize, ToSchema)]
pub struct DefectReport {
    pub kind: CheckKind,
    pub width: usize,
    pub height: usize,
    /// Per channel: median and robust standard deviation of the frame (stuck: the last
    /// frame's median, and the median change across the frames).
    pub level: [f32; 3],
    pub sigma: [f32; 3],
    /// Defects found (all of them, even past the listed ones).
    pub count: usize,
    /// The first [`MAX_DEFECTS`] in reading order.
    pub defects: Vec<Defect>,
}

/// The result of a noise check.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct NoiseReport {
    /// Mean code value and its standard deviation per channel (centre half of the frame).
    pub mean_code: [f32; 3],
    pub sigma_code: [f32; 3],
    /// Standard deviation in 10-bit code values (green), the figure cameras quote.
    pub sigma_10bit: f32,
    /// Signal-to-noise of scene light through the camera's curve (green): 20·log10(S/N).
    pub snr_db: f64,
    /// The same in stops: log2(S/N).
    pub snr_stops: f64,
    /// Scene light of the frame relative to 18 % grey, in stops (0 for a grey card).
    pub exposure_stops: f64,
}

/// Median and scaled MAD of one channel.
fn robust(frame: &Frame, c: usize) -> (f32, f32) {
    let mut v: Vec<f32> = frame.data.iter().skip(c).step_by(3).copied().collect();
    let mid = v.len() / 2;
    let median = *v.select_nth_unstable_by(mid, f32::total_cmp).1;
    v.iter_mut().for_each(|x| *x = (*x - median).abs());
    let mad = *v.select_nth_unstable_by(mid, f32::total_cmp).1;
    (median, mad * 1.4826)
}

/// Frames a stuck-pixel check takes.
pub const STUCK_FRAMES: std::ops::RangeInclusive<usize> = 3..=16;

fn median(mut v: Vec<f32>) -> f32 {
    let mid = v.len() / 2;
    *v.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Stuck pixels across `frames` of a moving picture: every channel's change (max − min
/// over the frames) below a [`SIGMAS`]th of that channel's median change.
pub fn stuck(frames: &[Frame]) -> Result<DefectReport, PreviewError> {
    let bad = |m: String| PreviewError::Still(m);
    let first = frames
        .first()
        .filter(|_| STUCK_FRAMES.contains(&frames.len()));
    let first = first.ok_or_else(|| {
        bad(format!(
            "{} frames: a stuck-pixel check takes 3 to 16",
            frames.len()
        ))
    })?;
    if let Some((i, f)) = frames
        .iter()
        .enumerate()
        .find(|(_, f)| (f.width, f.height) != (first.width, first.height))
    {
        return Err(bad(format!(
            "frame {i} is {}×{}, frame 0 {}×{}: the frames must be one size",
            f.width, f.height, first.width, first.height
        )));
    }
    let mut range = vec![0.0f32; first.data.len()];
    for (i, r) in range.iter_mut().enumerate() {
        let (lo, hi) = frames.iter().fold((f32::MAX, f32::MIN), |(lo, hi), f| {
            (lo.min(f.data[i]), hi.max(f.data[i]))
        });
        *r = hi - lo;
    }
    let change: [f32; 3] =
        std::array::from_fn(|c| median(range.iter().skip(c).step_by(3).copied().collect()));
    if change.iter().all(|&m| m < MIN_STEP) {
        return Err(bad(format!(
            "the picture barely changes across the frames (median change {:.4} in code \
             value): stuck pixels need a moving picture",
            change.iter().copied().fold(0.0, f32::max)
        )));
    }
    let last = &frames[frames.len() - 1];
    let level: [f32; 3] =
        std::array::from_fn(|c| median(last.data.iter().skip(c).step_by(3).copied().collect()));
    let mut count = 0;
    let mut found = Vec::new();
    for (i, r) in range.chunks_exact(3).enumerate() {
        if (0..3).any(|c| r[c] * SIGMAS >= change[c]) {
            continue;
        }
        count += 1;
        if found.len() < MAX_DEFECTS {
            let (x, y) = (i % first.width, i / first.width);
            let channel = (0..3)
                .max_by(|&a, &b| change[a].total_cmp(&change[b]))
                .unwrap_or(0);
            found.push(Defect {
                x,
                y,
                channel,
                value: first.data[i * 3 + channel],
                level: change[channel],
                thumbnail_png: thumbnail(last, x, y, level),
            });
        }
    }
    Ok(DefectReport {
        kind: CheckKind::Stuck,
        width: first.width,
        height: first.height,
        level,
        sigma: change,
        count,
        defects: found,
    })
}

/// Hot (`Hot`: above the level) or dead (`Dead`: below it) pixels of `frame`.
pub fn defects(frame: &Frame, kind: CheckKind) -> Result<DefectReport, PreviewError> {
    if frame.width * frame.height < 9 {
        return Err(PreviewError::Still(format!(
            "{}×{}: a check needs at least 3×3 pixels",
            frame.width, frame.height
        )));
    }
    let stats: [(f32, f32); 3] = std::array::from_fn(|c| robust(frame, c));
    let step = stats.map(|(_, s)| (s * SIGMAS).max(MIN_STEP));
    let mut count = 0;
    let mut found = Vec::new();
    for (i, px) in frame.data.chunks_exact(3).enumerate() {
        let off: [f32; 3] = std::array::from_fn(|c| match kind {
            CheckKind::Hot => px[c] - stats[c].0,
            CheckKind::Dead | CheckKind::Stuck => stats[c].0 - px[c],
        });
        let Some(channel) = (0..3)
            .filter(|&c| off[c] > step[c])
            .max_by(|&a, &b| off[a].total_cmp(&off[b]))
        else {
            continue;
        };
        count += 1;
        if found.len() < MAX_DEFECTS {
            let (x, y) = (i % frame.width, i / frame.width);
            found.push(Defect {
                x,
                y,
                channel,
                value: px[channel],
                level: stats[channel].0,
                thumbnail_png: thumbnail(frame, x, y, stats.map(|s| s.0)),
            });
        }
    }
    Ok(DefectReport {
        kind,
        width: frame.width,
        height: frame.height,
        level: stats.map(|s| s.0),
        sigma: stats.map(|s| s.1),
        count,
        defects: found,
    })
}

/// The pixels around (x, y), stretched so the level is mid grey and a full-scale step
/// is white or black, at [`THUMB_SCALE`]×, as a base64 PNG (8-bit RGB).
fn thumbnail(frame: &Frame, x: usize, y: usize, level: [f32; 3]) -> String {
    let side = (2 * THUMB_RADIUS + 1) * THUMB_SCALE;
    let mut rgb = Vec::with_capacity(side * side * 3);
    for ty in 0..side {
        for tx in 0..side {
            let sx = (x + tx / THUMB_SCALE).checked_sub(THUMB_RADIUS);
            let sy = (y + ty / THUMB_SCALE).checked_sub(THUMB_RADIUS);
            let px = sx.zip(sy).and_then(|(sx, sy)| frame.pixel(sx, sy));
            let px = px.unwrap_or(level);
            rgb.extend(
                (0..3).map(|c| ((0.5 + (px[c] - level[c]) * 2.0).clamp(0.0, 1.0) * 255.0) as u8),
            );
        }
    }
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, side as u32, side as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let written = enc
        .write_header()
        .and_then(|mut w| w.write_image_data(&rgb));
    match written {
        Ok(()) => base64::engine::general_purpose::STANDARD.encode(out),
        Err(_) => String::new(),
    }
}

/// Noise of a flat frame of a camera recording in `space`.
pub fn noise(frame: &Frame, space: &InputSpace) -> Result<NoiseReport, PreviewError> {
    let (x0, x1) = (frame.width / 4, frame.width * 3 / 4);
    let (y0, y1) = (frame.height / 4, frame.height * 3 / 4);
    let n = ((x1 - x0) * (y1 - y0)) as f64;
    if n < 16.0 {
        return Err(PreviewError::Still(format!(
            "{}×{}: a noise check needs at least 8×8 pixels",
            frame.width, frame.height
        )));
    }
    let mut sum = [0.0f64; 3];
    let mut sq = [0.0f64; 3];
    for y in y0..y1 {
        for x in x0..x1 {
            let px = frame.pixel(x, y).unwrap_or([0.0; 3]);
            for c in 0..3 {
                sum[c] += f64::from(px[c]);
                sq[c] += f64::from(px[c]).powi(2);
            }
        }
    }
    let mean = sum.map(|s| s / n);
    let sigma: [f64; 3] = std::array::from_fn(|c| (sq[c] / n - mean[c] * mean[c]).max(0.0).sqrt());
    // Scene light and its spread through the curve's slope at the mean (green).
    let (m, s) = (mean[1], sigma[1]);
    let lin = space.curve.decode(m);
    let h = 1e-4;
    let slope = (space.curve.decode(m + h) - space.curve.decode(m - h)) / (2.0 * h);
    let noise_lin = (slope * s).abs().max(1e-12);
    let snr = (lin / noise_lin).max(1e-12);
    Ok(NoiseReport {
        mean_code: mean.map(|v| v as f32),
        sigma_code: sigma.map(|v| v as f32),
        sigma_10bit: (s * 1023.0) as f32,
        snr_db: 20.0 * snr.log10(),
        snr_stops: snr.log2(),
        exposure_stops: (lin.max(1e-12) / 0.18).log2(),
    })
}
