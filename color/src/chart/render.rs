//! Renders the chart into a frame of recorded code values.

use super::camera::CameraModel;
use super::layout::{self, Patch};
use super::scene;
use super::{ChartError, ChartSize, Frame};

/// Noise added to the recorded code values: Gaussian, standard deviation `sigma`
/// (normalised code value; 1/1023 ≈ one 10-bit code), from a fixed seed so renders repeat.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Noise {
    pub sigma: f64,
    pub seed: u64,
}

/// Renders the built-in chart as `camera` records it.
pub fn render(
    camera: &CameraModel,
    size: ChartSize,
    noise: Option<Noise>,
) -> Result<Frame, ChartError> {
    if let Some(n) = noise {
        if !(n.sigma.is_finite() && (0.0..=1.0).contains(&n.sigma)) {
            return Err(ChartError::Noise(n.sigma));
        }
    }
    let (w, h) = size.dimensions();
    let mut frame = Frame::filled(w, h, camera.code(scene::neutral(scene::SURROUND)));
    for p in layout::patches() {
        fill_patch(&mut frame, &p, camera.code(p.xyz));
    }
    fill_ramp(&mut frame, camera);
    if let Some(n) = noise.filter(|n| n.sigma > 0.0) {
        add_noise(&mut frame, n);
    }
    Ok(frame)
}

fn pixel_span(a: f64, b: f64, limit: usize) -> std::ops::Range<usize> {
    let lo = (a.round().max(0.0) as usize).min(limit);
    let hi = (b.round().max(0.0) as usize).min(limit);
    lo..hi
}

fn fill_patch(frame: &mut Frame, p: &Patch, code: [f64; 3]) {
    let [l, t, r, b] = p.pixel_rect(frame.width, frame.height);
    let px = code.map(|c| c as f32);
    let xs = pixel_span(l, r, frame.width);
    for y in pixel_span(t, b, frame.height) {
        let row = &mut frame.data[(y * frame.width + xs.start) * 3..(y * frame.width + xs.end) * 3];
        for chunk in row.chunks_exact_mut(3) {
            chunk.copy_from_slice(&px);
        }
    }
}

fn fill_ramp(frame: &mut Frame, camera: &CameraModel) {
    let [x, y, w, h] = layout::RAMP_RECT;
    let sx = frame.width as f64 / layout::BASE_WIDTH;
    let sy = frame.height as f64 / layout::BASE_HEIGHT;
    let xs = pixel_span(x * sx, (x + w) * sx, frame.width);
    let columns: Vec<[f32; 3]> = xs
        .clone()
        .map(|col| {
            let t = (col as f64 + 0.5 - x * sx) / (w * sx);
            camera.code(scene::ramp(t)).map(|c| c as f32)
        })
        .collect();
    for row in pixel_span(y * sy, (y + h) * sy, frame.height) {
        let start = (row * frame.width + xs.start) * 3;
        let line = &mut frame.data[start..start + columns.len() * 3];
        for (dst, src) in line.chunks_exact_mut(3).zip(&columns) {
            dst.copy_from_slice(src);
        }
    }
}

/// splitmix64: a small, well-mixed generator; enough for test noise.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on (0, 1].
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Two independent standard normals (Box–Muller).
    fn normal_pair(&mut self) -> (f64, f64) {
        let r = (-2.0 * self.unit().ln()).sqrt();
        let a = std::f64::consts::TAU * self.unit();
        (r * a.cos(), r * a.sin())
    }
}

fn add_noise(frame: &mut Frame, noise: Noise) {
    let mut rng = SplitMix(noise.seed);
    for pair in frame.data.chunks_mut(2) {
        let (a, b) = rng.normal_pair();
        for (v, n) in pair.iter_mut().zip([a, b]) {
            *v = (*v + (n * noise.sigma) as f32).clamp(0.0, 1.0);
        }
    }
}
