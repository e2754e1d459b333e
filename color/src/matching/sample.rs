//! Reading patch values from a picture of the chart: corners → homography → each patch's
//! inner region → a robust mean (median, then a trimmed mean that drops specular
//! outliers), with warnings for clipped and noisy patches.

use super::MatchError;
use crate::chart::{Frame, Patch};
use nalgebra::{SMatrix, SVector, Vector3};
use serde::Serialize;

/// Share of a patch's width and height that is sampled (the centre; edges blur and misalign).
pub const INNER: f64 = 0.6;
/// A code value at or above this is clipped high (half a 10-bit code below 1).
pub const CLIP_HIGH: f32 = 1.0 - 0.5 / 1023.0;
/// A code value at or below this is clipped low.
pub const CLIP_LOW: f32 = 0.5 / 1023.0;
/// Share of clipped pixels that marks a patch clipped.
pub const CLIPPED_SHARE: f64 = 0.02;
/// Most pixels read per patch (larger regions are read on a coarser grid).
pub const MAX_PIXELS: usize = 4096;
/// Robust standard deviation (code values) above which a patch is called noisy.
pub const NOISY_SIGMA: f64 = 0.01;
/// Pixels further than this many robust standard deviations from the median are trimmed.
pub const TRIM_SIGMAS: f64 = 3.0;

/// The chart's four corners in the picture (pixels; top-left, top-right, bottom-right,
/// bottom-left), mapping the layout's unit square onto the picture.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Corners(pub [[f64; 2]; 4]);

impl Corners {
    /// The chart fills the whole picture.
    pub fn full_frame(width: usize, height: usize) -> Self {
        let (w, h) = (width as f64, height as f64);
        Corners([[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]])
    }

    /// Parses `x1,y1,x2,y2,x3,y3,x4,y4`.
    pub fn parse(text: &str) -> Result<Self, MatchError> {
        let bad = |why: String| MatchError::Corners {
            text: text.to_owned(),
            why,
        };
        let values: Vec<f64> = text
            .split(',')
            .map(|s| {
                let s = s.trim();
                s.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| bad(format!("{s:?} is not a finite number")))
            })
            .collect::<Result<_, _>>()?;
        if values.len() != 8 {
            return Err(bad(format!("expected 8 numbers, found {}", values.len())));
        }
        let c = [0, 1, 2, 3].map(|i| [values[2 * i], values[2 * i + 1]]);
        Ok(Corners(c))
    }
}

/// The projective map from chart coordinates (unit square) to picture pixels.
#[derive(Clone, Copy, Debug)]
pub struct Homography {
    h: nalgebra::Matrix3<f64>,
    inv: nalgebra::Matrix3<f64>,
}

impl Homography {
    pub fn from_corners(c: &Corners) -> Result<Self, MatchError> {
        let src = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        let mut a = SMatrix::<f64, 8, 8>::zeros();
        let mut b = SVector::<f64, 8>::zeros();
        for (i, ([u, v], [x, y])) in src.into_iter().zip(c.0).enumerate() {
            let r = 2 * i;
            a.row_mut(r)
                .copy_from_slice(&[u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x]);
            a.row_mut(r + 1)
                .copy_from_slice(&[0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y]);
            b[r] = x;
            b[r + 1] = y;
        }
        let degenerate = || MatchError::Corners {
            text: format!("{:?}", c.0),
            why: "the four corners do not span a quadrilateral".into(),
        };
        let p = a.lu().solve(&b).ok_or_else(degenerate)?;
        let h = nalgebra::Matrix3::new(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 1.0);
        let inv = h.try_inverse().ok_or_else(degenerate)?;
        Ok(Self { h, inv })
    }

    fn apply(m: &nalgebra::Matrix3<f64>, p: [f64; 2]) -> [f64; 2] {
        let v = m * Vector3::new(p[0], p[1], 1.0);
        [v.x / v.z, v.y / v.z]
    }

    /// Chart (u, v) → picture (x, y).
    pub fn to_picture(&self, uv: [f64; 2]) -> [f64; 2] {
        Self::apply(&self.h, uv)
    }

    /// Picture (x, y) → chart (u, v).
    pub fn to_chart(&self, xy: [f64; 2]) -> [f64; 2] {
        Self::apply(&self.inv, xy)
    }
}

/// One patch as read from the picture.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatchSample {
    /// Robust mean code value.
    pub rgb: [f64; 3],
    /// Robust standard deviation per channel (1.4826 · MAD).
    pub sigma: [f64; 3],
    /// Pixels in the inner region, and how many survived the trim.
    pub pixels: usize,
    pub kept: usize,
    pub clipped: bool,
    pub noisy: bool,
}

fn inner_rect(p: &Patch) -> [f64; 4] {
    let [l, t, r, b] = p.rect;
    let (dx, dy) = ((r - l) * (1.0 - INNER) / 2.0, (b - t) * (1.0 - INNER) / 2.0);
    [l + dx, t + dy, r - dx, b - dy]
}

/// The pixels of `frame` whose centres fall in the patch's inner region.
fn region_pixels(frame: &Frame, h: &Homography, p: &Patch) -> Vec<[f32; 3]> {
    let [l, t, r, b] = inner_rect(p);
    let quad = [[l, t], [r, t], [r, b], [l, b]].map(|uv| h.to_picture(uv));
    let (w, ht) = (frame.width as f64, frame.height as f64);
    let x0 = quad
        .iter()
        .map(|q| q[0])
        .fold(f64::INFINITY, f64::min)
        .floor()
        .clamp(0.0, w) as usize;
    let x1 = quad
        .iter()
        .map(|q| q[0])
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil()
        .clamp(0.0, w) as usize;
    let y0 = quad
        .iter()
        .map(|q| q[1])
        .fold(f64::INFINITY, f64::min)
        .floor()
        .clamp(0.0, ht) as usize;
    let y1 = quad
        .iter()
        .map(|q| q[1])
        .fold(f64::NEG_INFINITY, f64::max)
        .ceil()
        .clamp(0.0, ht) as usize;
    // Large regions are read on a grid of at most ~MAX_PIXELS points: plenty for a mean.
    let area = (x1 - x0) * (y1 - y0);
    let stride = ((area as f64 / MAX_PIXELS as f64).sqrt().ceil() as usize).max(1);
    let mut out = Vec::with_capacity(area / (stride * stride) + 1);
    for y in (y0..y1).step_by(stride) {
        for x in (x0..x1).step_by(stride) {
            let [u, v] = h.to_chart([x as f64 + 0.5, y as f64 + 0.5]);
            if (l..r).contains(&u) && (t..b).contains(&v) {
                out.extend(
                    frame
                        .pixel(x, y)
                        .filter(|p| p.iter().all(|c| c.is_finite())),
                );
            }
        }
    }
    out
}

fn median(values: &mut [f32]) -> f64 {
    let mid = values.len() / 2;
    let (_, m, _) = values.select_nth_unstable_by(mid, f32::total_cmp);
    f64::from(*m)
}

/// Samples one patch; an error when its region holds no pixel (corners off the picture).
pub fn sample_patch(frame: &Frame, h: &Homography, p: &Patch) -> Result<PatchSample, MatchError> {
    let px = region_pixels(frame, h, p);
    if px.is_empty() {
        return Err(MatchError::PatchOutside {
            patch: p.id.clone(),
        });
    }
    let mut med = [0.0; 3];
    let mut sigma = [0.0; 3];
    for c in 0..3 {
        let mut ch: Vec<f32> = px.iter().map(|v| v[c]).collect();
        med[c] = median(&mut ch);
        let mut dev: Vec<f32> = ch
            .iter()
            .map(|v| (f64::from(*v) - med[c]).abs() as f32)
            .collect();
        sigma[c] = 1.4826 * median(&mut dev);
    }
    let limit = sigma.map(|s| (TRIM_SIGMAS * s).max(1e-4));
    let keep = |v: &&[f32; 3]| (0..3).all(|c| (f64::from(v[c]) - med[c]).abs() <= limit[c]);
    let kept: Vec<&[f32; 3]> = px.iter().filter(keep).collect();
    let rgb = if kept.is_empty() {
        med
    } else {
        [0, 1, 2].map(|c| kept.iter().map(|v| f64::from(v[c])).sum::<f64>() / kept.len() as f64)
    };
    let clipped_px = px
        .iter()
        .filter(|v| v.iter().any(|&x| x >= CLIP_HIGH || x <= CLIP_LOW))
        .count();
    Ok(PatchSample {
        rgb,
        sigma,
        pixels: px.len(),
        kept: kept.len(),
        clipped: clipped_px as f64 > CLIPPED_SHARE * px.len() as f64,
        noisy: sigma.iter().any(|&s| s > NOISY_SIGMA),
    })
}

/// Samples every patch of `patches` from `frame`.
pub fn sample_chart(
    frame: &Frame,
    corners: &Corners,
    patches: &[Patch],
) -> Result<Vec<PatchSample>, MatchError> {
    if frame.width == 0 || frame.height == 0 || frame.data.len() != frame.width * frame.height * 3 {
        return Err(MatchError::Frame(format!(
            "{}×{} frame holds {} values",
            frame.width,
            frame.height,
            frame.data.len()
        )));
    }
    let h = Homography::from_corners(corners)?;
    patches.iter().map(|p| sample_patch(frame, &h, p)).collect()
}
