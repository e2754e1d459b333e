//! Frame sources: the built-in chart in each camera's log encoding, resampled once per
//! input space and preview width.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use lookwire_color::chart::{render_chart, ChartOptions, ChartSize, Frame};

use super::{lock, PreviewError};

/// Cached source frames kept before the cache starts over.
const SOURCE_CACHE: usize = 64;

/// Chart frames per (input space, width).
#[derive(Debug, Default)]
pub struct Sources {
    frames: Mutex<HashMap<(String, usize), Arc<Frame>>>,
}

impl Sources {
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
