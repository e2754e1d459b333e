//! Scopes of a graded frame: luma waveform and RGB parade (column histograms), vectorscope
//! density, histograms, and the marks a UI draws them with.
//!
//! Levels are the output's full-range display code values (0..1; legal signals are
//! expanded first), so 0 is black and 1 the output's peak code. Counts are little-endian
//! u16 (saturating) in base64, `columns × levels` with the level index fastest.

use base64::Engine;
use lookwire_color::chart::Frame;
use lookwire_color::kernel::{Coding, ImageDesc, Kernel, Layout};
use lookwire_color::output::{Encoding, Gamut, OutputTransform};
use serde::Serialize;
use utoipa::ToSchema;

use super::{lock, Graded, Picture, PreviewError, Previews, SCOPE_WIDTH};
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
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Waveforms {
    pub columns: usize,
    pub levels: usize,
    pub luma: String,
    pub r: String,
    pub g: String,
    pub b: String,
}

/// A labelled level (code value, 0..1) on the waveform and histogram scales.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Mark {
    pub label: String,
    pub level: f64,
}

/// A vectorscope target: where a colour bar lands in Cb/Cr (each −0.5..0.5).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Target {
    pub label: String,
    pub cb: f64,
    pub cr: f64,
}

/// Everything the UI draws the scopes from.
#[derive(Clone, Debug, Serialize, ToSchema)]
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
#[derive(Clone, Debug, Serialize, ToSchema)]
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

/// A value's 1/256 step, 0..=255 (below 0 and NaN: 0; 1 and above: 255). The histogram
/// bin is this step, the waveform level this over 2.
#[inline(always)]
fn step(v: f32) -> u8 {
    let x = v * 256.0;
    // Written as comparisons (not `max`/`min`) so a NaN fails the first and becomes 0.
    let x = if x > 0.0 { x } else { 0.0 };
    let x = if x < 255.0 { x } else { 255.0 };
    // SAFETY: x is within 0..=255, not NaN, so it fits an i32. Unlike `as` (which checks
    // for NaN and overflow lane by lane) this converts four or more values at once.
    unsafe { x.to_int_unchecked::<i32>() as u8 }
}

/// One pixel's steps: luma, R, G, B, and its vectorscope cell (Cb across, Cr down).
#[inline(always)]
fn pixel_steps(r: f32, g: f32, b: f32, w: [f32; 3], [sb, sr]: [f32; 2]) -> [u8; 6] {
    let y = w[0] * r + w[1] * g + w[2] * b;
    [
        step(y),
        step(r),
        step(g),
        step(b),
        step((b - y) * sb + 0.5) >> 1,
        step(0.5 - (r - y) * sr) >> 1,
    ]
}

/// Pixels whose steps are computed together (so the compiler vectorises them) before
/// they are counted.
const BLOCK: usize = 16;

/// A zeroed `[T; N]` on the heap (never on the stack: the waveforms take 1 MiB).
fn zeroed<T: Copy, const N: usize>(zero: T) -> Box<[T; N]> {
    match vec![zero; N].into_boxed_slice().try_into() {
        Ok(b) => b,
        Err(_) => unreachable!("a vector of N elements converts to [T; N]"),
    }
}

/// Counts of one band of rows (one per thread), before merging.
///
/// Per pixel, one pass computes the steps of a block of pixels (vectorised), a second
/// adds them up: five increments, the waveforms at the histograms' 256 levels (each
/// histogram is then its waveform's columns added up, and each waveform level two of
/// these). Indexing is by `u8` into fixed-size arrays, so no bounds check is left in the
/// loop. The four signals of a cell sit side by side: as four arrays 128 KiB apart, a
/// pixel's increments fell on addresses a multiple of 4 KiB apart, which the CPU takes for
/// the same address (4K aliasing) and stalls on.
pub(crate) struct Counts {
    /// `[column][step][signal]`, signals luma, R, G, B.
    wave: Box<[[[u32; 4]; BINS]; COLUMNS]>,
    /// `[Cr row][Cb column]`.
    vector: Box<[[u32; VECTOR]; VECTOR]>,
}

const _: () = assert!(COLUMNS == 256 && BINS == 256 && LEVELS * 2 == BINS && VECTOR * 2 == 256);

impl Counts {
    pub(crate) fn new() -> Self {
        Counts {
            wave: zeroed([[0; 4]; BINS]),
            vector: zeroed([0; VECTOR]),
        }
    }

    pub(crate) fn add(mut self, other: Counts) -> Counts {
        fn sum(a: &mut [u32], b: &[u32]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        sum(
            self.wave.as_flattened_mut().as_flattened_mut(),
            other.wave.as_flattened().as_flattened(),
        );
        sum(self.vector.as_flattened_mut(), other.vector.as_flattened());
        self
    }

    /// Counts rows of packed RGB; `cols[x]` is pixel x's waveform column.
    pub(crate) fn rows(&mut self, rgb: &[f32], cols: &[u8], w: [f32; 3]) {
        if cols.is_empty() {
            return;
        }
        let scale = [0.5 / (1.0 - w[2]), 0.5 / (1.0 - w[0])];
        let blocks = cols.chunks_exact(BLOCK);
        let tail = blocks.remainder();
        for row in rgb.chunks_exact(cols.len() * 3) {
            let pixels = row.chunks_exact(3 * BLOCK);
            let rest = pixels.remainder();
            for (px, cols) in pixels.zip(blocks.clone()) {
                let (Ok(px), Ok(cols)) = (
                    <&[f32; 3 * BLOCK]>::try_from(px),
                    <&[u8; BLOCK]>::try_from(cols),
                ) else {
                    unreachable!("exact chunks of the array's length")
                };
                // Kind by kind (luma, R, G, B, Cb, Cr), pixel by pixel: so they vectorise.
                let mut steps = [[0u8; BLOCK]; 6];
                for i in 0..BLOCK {
                    let s = pixel_steps(px[3 * i], px[3 * i + 1], px[3 * i + 2], w, scale);
                    for k in 0..6 {
                        steps[k][i] = s[k];
                    }
                }
                for i in 0..BLOCK {
                    self.count(std::array::from_fn(|k| steps[k][i]), cols[i]);
                }
            }
            for (p, &col) in rest.chunks_exact(3).zip(tail) {
                self.count(pixel_steps(p[0], p[1], p[2], w, scale), col);
            }
        }
    }

    #[inline(always)]
    fn count(&mut self, s: [u8; 6], col: u8) {
        let column = &mut self.wave[usize::from(col)];
        for k in 0..4 {
            column[usize::from(s[k])][k] += 1;
        }
        self.vector[usize::from(s[5])][usize::from(s[4])] += 1;
    }

    /// Signal `k`'s waveform at [`LEVELS`], `columns × levels` with the level fastest.
    fn waveform(&self, k: usize) -> Vec<u32> {
        self.wave
            .iter()
            .flat_map(|column| column.chunks_exact(2).map(move |p| p[0][k] + p[1][k]))
            .collect()
    }

    /// Signal `k`'s histogram: its waveform's columns added up.
    fn histogram(&self, k: usize) -> Vec<u32> {
        (0..BINS)
            .map(|bin| self.wave.iter().map(|column| column[bin][k]).sum())
            .collect()
    }
}

/// Each pixel's waveform column at `width`.
pub(crate) fn columns(width: usize) -> Vec<u8> {
    (0..width)
        .map(|x| u8::try_from(x * COLUMNS / width).unwrap_or(u8::MAX))
        .collect()
}

/// Counts every pixel, one band of rows per thread (each set of counts is over half a
/// megabyte: allocating and adding one per small band cost more than the counting).
fn count(g: &Graded, w: [f32; 3]) -> Counts {
    use rayon::prelude::*;
    let cols = columns(g.width);
    let rows = g.height.div_ceil(rayon::current_num_threads()).max(1);
    g.rgb
        .par_chunks(g.width * 3 * rows)
        .map(|band| {
            let mut c = Counts::new();
            c.rows(band, &cols, w);
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
    let weights = weights(show, &graded.output);
    let c = count(graded, weights.map(|x| x as f32));
    from_counts(show, &graded.output, (graded.width, graded.height), &c)
}

/// Luma weights of `output`'s encoding primaries (Rec.709's when it has no known transform).
pub(crate) fn weights(show: &Show, output: &str) -> [f64; 3] {
    let transform = show
        .outputs
        .get(output)
        .and_then(|o| o.display.as_deref())
        .and_then(OutputTransform::from_id);
    luma_weights(transform.map(|t| t.info().encoding_primaries))
}

/// The scopes from counts of a `size` (width, height) frame of `output`.
pub(crate) fn from_counts(
    show: &Show,
    output: &str,
    (width, height): (usize, usize),
    c: &Counts,
) -> Scopes {
    let transform = show
        .outputs
        .get(output)
        .and_then(|o| o.display.as_deref())
        .and_then(OutputTransform::from_id);
    let info = transform.as_ref().map(|t| t.info());
    let weights = luma_weights(info.map(|i| i.encoding_primaries));
    let [luma, r, g, b] = [0, 1, 2, 3].map(|k| pack(&c.waveform(k)));
    let [hr, hg, hb, hy] = [1, 2, 3, 0].map(|k| c.histogram(k));
    Scopes {
        output: output.to_owned(),
        encoding: info
            .map_or("unknown", |i| encoding_id(i.encoding))
            .to_owned(),
        width,
        height,
        luma_weights: weights,
        waveform: Waveforms {
            columns: COLUMNS,
            levels: LEVELS,
            luma,
            r,
            g,
            b,
        },
        vectorscope: pack(c.vector.as_flattened()),
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

/// Rows graded at a time into a thread's buffer before they are counted (small enough to
/// stay in cache between the two).
const BAND: usize = 8;

/// Scopes kept before the cache starts over.
const SCOPES_CACHE: usize = 256;

impl Previews {
    /// The scopes of the camera's frame graded through `t.rendered` at HD: each thread
    /// grades a few rows into its own buffer and counts them straight away (the graded HD
    /// frame is never written out whole), and the result is kept while the look and the
    /// source are unchanged.
    pub fn scopes(&self, show: &Show, t: &super::Target) -> Result<Scopes, PreviewError> {
        let id = (t.camera.clone(), t.rendered.clone());
        let key = self.picture_key(show, t, &Picture::default());
        if let Some((k, scopes)) = lock(&self.scopes).get(&id) {
            if *k == key {
                return Ok(scopes.clone());
            }
        }
        let (src, kernel, legal) = self.grading(show, t, SCOPE_WIDTH)?;
        let w = weights(show, &t.rendered).map(|x| x as f32);
        let counts = grade_and_count(&kernel, &src, legal, w)?;
        let scopes = from_counts(show, &t.rendered, (src.width, src.height), &counts);
        let mut cache = lock(&self.scopes);
        if cache.len() >= SCOPES_CACHE {
            cache.clear();
        }
        cache.insert(id, (key, scopes.clone()));
        Ok(scopes)
    }
}

/// Grades `src` through `kernel` and counts it, one part of the rows per thread, graded
/// [`BAND`] rows at a time.
fn grade_and_count(
    kernel: &Kernel,
    src: &Frame,
    legal: bool,
    w: [f32; 3],
) -> Result<Counts, PreviewError> {
    use rayon::prelude::*;
    let cols = columns(src.width);
    let row = src.width * 3;
    let rows = src.height.div_ceil(rayon::current_num_threads()).max(1);
    src.data
        .par_chunks(row * rows)
        .map(|part| {
            let mut counts = Counts::new();
            let mut buf = vec![0.0f32; row * BAND];
            for band in part.chunks(row * BAND) {
                let out = &mut buf[..band.len()];
                let desc = ImageDesc::new(src.width, band.len() / row, Layout::Rgb, Coding::Float);
                kernel.render(&desc, band, out)?;
                if legal {
                    super::legal_to_full(out);
                }
                counts.rows(out, &cols, w);
            }
            Ok(counts)
        })
        .try_reduce(Counts::new, |a, b| Ok(a.add(b)))
}
