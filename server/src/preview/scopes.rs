//! Scopes of a graded frame: luma waveform and RGB parade (column histograms), vectorscope
//! density, histograms, and the marks a UI draws them with.
//!
//! Levels are the output's full-range display code values (0..1; legal signals are
//! expanded first), so 0 is black and 1 the output's peak code. Counts are little-endian
//! u16 (saturating) in base64, `columns × levels` with the level index fastest.

use base64::Engine;
use lookwire_color::output::{Encoding, Gamut, OutputTransform};
use serde::Serialize;
use utoipa::ToSchema;

use super::Graded;
use crate::show::Show;

/// Waveform columns (the picture's width is binned to these).
pub const COLUMNS: usize = 256;
/// Waveform levels.
pub const LEVELS: usize = 128;
/// Vectorscope cells per side (Cb across, Cr up; ±0.5 at the edges).
pub const VECTOR: usize = 128;
/// Histogram bins.
pub const BINS: usize = 256;

/// Column histograms of one signal: `columns × levels` u16 counts, base64.
#[derive(Debug, Serialize, ToSchema)]
pub struct Waveforms {
    pub columns: usize,
    pub levels: usize,
    pub luma: String,
    pub r: String,
    pub g: String,
    pub b: String,
}

/// A labelled level (code value, 0..1) on the waveform and histogram scales.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mark {
    pub label: String,
    pub level: f64,
}

/// A vectorscope target: where a colour bar lands in Cb/Cr (each −0.5..0.5).
#[derive(Debug, Serialize, ToSchema)]
pub struct Target {
    pub label: String,
    pub cb: f64,
    pub cr: f64,
}

/// Everything the UI draws the scopes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Scopes {
    pub output: String,
    pub encoding: String,
    pub width: usize,
    pub height: usize,
    /// Luma coefficients (R, G, B) of the output's primaries.
    pub luma_weights: [f64; 3],
    pub waveform: Waveforms,
    /// `size × size` u16 counts, base64; row 0 is Cr = +0.5, column 0 is Cb = −0.5.
    pub vectorscope: String,
    pub vectorscope_size: usize,
    /// 75 % and 100 % colour-bar targets.
    pub targets: Vec<Target>,
    /// The skin-tone line's angle from +Cb, counter-clockwise, in degrees.
    pub skin_line_degrees: f64,
    /// Per-channel and luma histograms (`bins` u32 counts each).
    pub histogram: Histograms,
    /// Levels to draw: black, 18 % grey, 100 % (SDR) or nits (PQ/HLG).
    pub marks: Vec<Mark>,
}

/// Histograms of R, G, B and luma.
#[derive(Debug, Serialize, ToSchema)]
pub struct Histograms {
    pub bins: usize,
    pub r: Vec<u32>,
    pub g: Vec<u32>,
    pub b: Vec<u32>,
    pub luma: Vec<u32>,
}

/// Rec.709 and Rec.2020 luma weights.
pub fn luma_weights(gamut: Option<Gamut>) -> [f64; 3] {
    match gamut {
        Some(Gamut::Rec2020) => [0.2627, 0.6780, 0.0593],
        _ => [0.2126, 0.7152, 0.0722],
    }
}

fn bin(v: f32, n: usize) -> usize {
    // NaN lands in bin 0 (`as` saturates).
    ((v * n as f32) as usize).min(n - 1)
}

/// Accumulated counts, before encoding.
struct Counts {
    wave: [Vec<u32>; 4],
    vector: Vec<u32>,
    hist: [Vec<u32>; 4],
}

impl Counts {
    fn new() -> Self {
        Counts {
            wave: std::array::from_fn(|_| vec![0; COLUMNS * LEVELS]),
            vector: vec![0; VECTOR * VECTOR],
            hist: std::array::from_fn(|_| vec![0; BINS]),
        }
    }

    fn add(mut self, other: Counts) -> Counts {
        let pairs = self.wave.iter_mut().chain(&mut self.hist);
        for (a, b) in pairs.zip(other.wave.iter().chain(&other.hist)) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.vector
            .iter_mut()
            .zip(&other.vector)
            .for_each(|(x, y)| *x += y);
        self
    }

    /// Counts one row; `cols[x]` is pixel x's waveform column.
    fn row(&mut self, row: &[f32], cols: &[usize], w: [f32; 3]) {
        let (sb, sr) = (0.5 / (1.0 - w[2]), 0.5 / (1.0 - w[0]));
        for (px, &col) in row.chunks_exact(3).zip(cols) {
            let y = w[0] * px[0] + w[1] * px[1] + w[2] * px[2];
            for (k, v) in [y, px[0], px[1], px[2]].into_iter().enumerate() {
                self.wave[k][col * LEVELS + bin(v, LEVELS)] += 1;
                self.hist[k][bin(v, BINS)] += 1;
            }
            let (cb, cr) = ((px[2] - y) * sb, (px[0] - y) * sr);
            let (u, v) = (bin(cb + 0.5, VECTOR), bin(0.5 - cr, VECTOR));
            self.vector[v * VECTOR + u] += 1;
        }
    }
}

/// Counts every pixel, one band of rows per thread (each set of counts is over half a
/// megabyte: allocating and adding one per small band cost more than the counting).
fn count(g: &Graded, w: [f32; 3]) -> Counts {
    use rayon::prelude::*;
    let cols: Vec<usize> = (0..g.width).map(|x| x * COLUMNS / g.width).collect();
    let rows = g.height.div_ceil(rayon::current_num_threads()).max(1);
    g.rgb
        .par_chunks(g.width * 3 * rows)
        .map(|band| {
            let mut c = Counts::new();
            band.chunks_exact(g.width * 3)
                .for_each(|row| c.row(row, &cols, w));
            c
        })
        .reduce(Counts::new, Counts::add)
}

/// Counts as little-endian u16 (saturating), base64.
pub fn pack(counts: &[u32]) -> String {
    let bytes: Vec<u8> = counts
        .iter()
        .flat_map(|&n| u16::try_from(n).unwrap_or(u16::MAX).to_le_bytes())
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes [`pack`]'s output (for tests and tools).
pub fn unpack(text: &str) -> Option<Vec<u16>> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    Some(
        bytes
            .chunks_exact(2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .collect(),
    )
}

/// The scopes of `graded`, an output of `show`.
pub fn compute(show: &Show, graded: &Graded) -> Scopes {
    let transform = show
        .outputs
        .get(&graded.output)
        .and_then(|o| o.display.as_deref())
        .and_then(OutputTransform::from_id);
    let info = transform.as_ref().map(|t| t.info());
    let weights = luma_weights(info.map(|i| i.encoding_primaries));
    let c = count(graded, weights.map(|x| x as f32));
    let [luma, r, g, b] = c.wave.each_ref().map(|w| pack(w));
    let [hr, hg, hb, hy] = [1, 2, 3, 0].map(|k| c.hist[k].clone());
    Scopes {
        output: graded.output.clone(),
        encoding: info
            .map_or("unknown", |i| encoding_id(i.encoding))
            .to_owned(),
        width: graded.width,
        height: graded.height,
        luma_weights: weights,
        waveform: Waveforms {
            columns: COLUMNS,
            levels: LEVELS,
            luma,
            r,
            g,
            b,
        },
        vectorscope: pack(&c.vector),
        vectorscope_size: VECTOR,
        targets: targets(weights),
        skin_line_degrees: 123.0,
        histogram: Histograms {
            bins: BINS,
            r: hr,
            g: hg,
            b: hb,
            luma: hy,
        },
        marks: transform.map_or_else(Vec::new, |t| marks(&t)),
    }
}

/// Short stable name of a display encoding.
fn encoding_id(e: Encoding) -> &'static str {
    match e {
        Encoding::Bt1886 => "bt1886",
        Encoding::Gamma26 => "gamma2.6",
        Encoding::Pq => "pq",
        Encoding::Hlg1000 => "hlg",
    }
}

/// Colour bars at 100 % and 75 %: R, G, B, cyan, magenta, yellow.
pub fn targets(w: [f64; 3]) -> Vec<Target> {
    const BARS: [(&str, [f64; 3]); 6] = [
        ("R", [1.0, 0.0, 0.0]),
        ("G", [0.0, 1.0, 0.0]),
        ("B", [0.0, 0.0, 1.0]),
        ("Cy", [0.0, 1.0, 1.0]),
        ("Mg", [1.0, 0.0, 1.0]),
        ("Yl", [1.0, 1.0, 0.0]),
    ];
    [1.0, 0.75]
        .iter()
        .flat_map(|&level| {
            BARS.iter().map(move |(name, rgb)| {
                let p = rgb.map(|c| c * level);
                let y = w[0] * p[0] + w[1] * p[1] + w[2] * p[2];
                Target {
                    label: format!("{name} {}%", level * 100.0),
                    cb: (p[2] - y) / (2.0 * (1.0 - w[2])),
                    cr: (p[0] - y) / (2.0 * (1.0 - w[0])),
                }
            })
        })
        .collect()
}

/// Black, 18 % grey (scene) where the output transform puts it, and 100 % or nits levels.
fn marks(t: &OutputTransform) -> Vec<Mark> {
    let full = t
        .clone()
        .with_range(lookwire_color::output::SignalRange::Full);
    let grey = full.apply([0.18; 3])[1];
    let mut marks = vec![
        Mark {
            label: "black".into(),
            level: 0.0,
        },
        Mark {
            label: "18% grey".into(),
            level: grey,
        },
    ];
    match t.info().encoding {
        Encoding::Pq => marks.extend([100.0, 203.0, 1000.0].map(|nits| Mark {
            label: format!("{nits} nits"),
            level: pq_code(nits),
        })),
        _ => marks.push(Mark {
            label: "100%".into(),
            level: 1.0,
        }),
    }
    marks
}

/// SMPTE ST 2084 code value of `nits`.
pub fn pq_code(nits: f64) -> f64 {
    let (m1, m2) = (2610.0 / 16384.0, 2523.0 / 4096.0 * 128.0);
    let (c1, c2, c3) = (
        3424.0 / 4096.0,
        2413.0 / 4096.0 * 32.0,
        2392.0 / 4096.0 * 32.0,
    );
    let y = (nits / 10000.0).powf(m1);
    ((c1 + c2 * y) / (1.0 + c3 * y)).powf(m2)
}
