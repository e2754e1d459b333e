//! Display transforms: ACES 2.0 and ACES 1.3 output transforms, display encodings and
//! signal range. Each output id equals an OpenColorIO 2.6 builtin chain
//! (`ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - X` then `DISPLAY - CIE-XYZ-D65_to_Y`).
//!
//! ```
//! use lookwire_color::output::{OutputTransform, SignalRange};
//! let sdr = OutputTransform::from_id("aces2-sdr-rec709").unwrap();
//! let grey = sdr.apply([0.18, 0.18, 0.18]);
//! assert!((grey[0] - 0.383117).abs() < 1e-4);
//! let legal = sdr.with_range(SignalRange::Legal);
//! assert!(legal.apply([0.0; 3])[0] == 64.0 / 1023.0);
//! ```

pub mod aces1;
pub mod aces2;
pub mod bake_file;
mod bspline;
mod catalog;
pub mod display;
mod fastmath;
pub(crate) mod fastmath32;
pub(crate) mod fastplanes;
pub mod gamut_compress;
pub mod live;
pub mod matrix;
mod pipeline_ops;
mod range;

use std::sync::{Arc, OnceLock};

pub use catalog::{list, Gamut, OutputInfo, RenderingKind};
pub use display::Encoding;
pub use gamut_compress::GamutCompression;
pub use pipeline_ops::{display_output, display_output_ids};
pub use range::SignalRange;

use aces1::Aces1Rendering;
use aces2::Aces2Rendering;
use display::Display;
use matrix::{mul_vec, Mat3, F3};

/// Errors from looking up outputs or parsing their options.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutputError {
    #[error("unknown output transform `{id}`; known ids: {known}")]
    UnknownId { id: String, known: String },
    #[error("unknown signal range `{0}`; expected `full` or `legal`")]
    UnknownRange(String),
}

/// The scene-to-display rendering part of an output, ending in CIE XYZ-D65 (1.0 = 100 cd/m²).
#[derive(Debug)]
enum Rendering {
    Aces2 {
        rendering: Box<Aces2Rendering>,
        to_xyz: Mat3,
    },
    Aces1(Box<Aces1Rendering>),
}

impl Rendering {
    fn build(kind: RenderingKind) -> Rendering {
        match kind {
            RenderingKind::Aces2 { peak, limiting } => Rendering::Aces2 {
                rendering: Box::new(Aces2Rendering::new(peak, &limiting.primaries())),
                to_xyz: limiting.primaries().rgb_to_xyz(),
            },
            RenderingKind::Aces1(kind) => Rendering::Aces1(Box::new(Aces1Rendering::new(kind))),
        }
    }

    /// Display light before the rendering's last clamp, in the rendering's own RGB.
    fn unclamped(&self, aces: F3) -> F3 {
        match self {
            Rendering::Aces2 { rendering, .. } => rendering.unclamped(aces),
            Rendering::Aces1(rendering) => rendering.unclamped(aces),
        }
    }

    fn output_clamp(&self) -> (f64, f64) {
        match self {
            Rendering::Aces2 { rendering, .. } => rendering.output_clamp(),
            Rendering::Aces1(rendering) => rendering.output_clamp(),
        }
    }

    /// The rendering's RGB (after the clamp) → CIE XYZ-D65.
    fn to_xyz_matrix(&self) -> Mat3 {
        match self {
            Rendering::Aces2 { to_xyz, .. } => *to_xyz,
            Rendering::Aces1(rendering) => rendering.to_xyz(),
        }
    }
}

/// One output transform: ACES2065-1 in, display code values out.
#[derive(Debug, Clone)]
pub struct OutputTransform {
    info: &'static OutputInfo,
    rendering: Arc<Rendering>,
    display: Display,
    /// The rendering's RGB (after its clamp) → the encoding primaries.
    to_encoding: Mat3,
    clamp: (f64, f64),
    range: SignalRange,
}

/// An inverse EOTF with [`fastmath::pow`], for the vectorised finish.
trait FastEncode: Copy {
    fn encode(self, c: f64) -> f64;
}

#[derive(Clone, Copy)]
struct FastGamma(f64);

impl FastEncode for FastGamma {
    #[inline(always)]
    fn encode(self, c: f64) -> f64 {
        fastmath::pow(c.max(0.0), self.0)
    }
}

#[derive(Clone, Copy)]
struct FastPq;

impl FastEncode for FastPq {
    #[inline(always)]
    fn encode(self, c: f64) -> f64 {
        display::pq_encode_by(c, aces2::Vector)
    }
}

/// Renderings are costly to set up (their tables take milliseconds); build each once.
fn cached_rendering(index: usize) -> Arc<Rendering> {
    static CACHE: OnceLock<Vec<OnceLock<Arc<Rendering>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| list().iter().map(|_| OnceLock::new()).collect());
    cache[index]
        .get_or_init(|| Arc::new(Rendering::build(list()[index].rendering)))
        .clone()
}

impl OutputTransform {
    /// The output with this id (full range), or `None` when the id is unknown.
    pub fn from_id(id: &str) -> Option<OutputTransform> {
        let index = list().iter().position(|o| o.id == id)?;
        let info = &list()[index];
        let rendering = cached_rendering(index);
        let display = Display::new(&info.encoding_primaries.primaries(), info.encoding);
        Some(OutputTransform {
            info,
            to_encoding: matrix::mul(display.xyz_to_rgb(), &rendering.to_xyz_matrix()),
            clamp: rendering.output_clamp(),
            rendering,
            display,
            range: SignalRange::Full,
        })
    }

    /// Like [`OutputTransform::from_id`], with an error that lists the known ids.
    pub fn by_id(id: &str) -> Result<OutputTransform, OutputError> {
        Self::from_id(id).ok_or_else(|| OutputError::UnknownId {
            id: id.to_string(),
            known: list().iter().map(|o| o.id).collect::<Vec<_>>().join(", "),
        })
    }

    /// The same output with another signal range.
    pub fn with_range(mut self, range: SignalRange) -> OutputTransform {
        self.range = range;
        self
    }

    pub fn info(&self) -> &'static OutputInfo {
        self.info
    }

    pub fn range(&self) -> SignalRange {
        self.range
    }

    /// ACES2065-1 → CIE XYZ-D65 display light (1.0 = 100 cd/m²).
    pub fn to_display_xyz(&self, aces2065_1: F3) -> F3 {
        let clamped = self.clamp_rendered(self.rendering.unclamped(aces2065_1));
        mul_vec(&self.rendering.to_xyz_matrix(), clamped)
    }

    /// The upper AP1 clamp in front of an ACES 2.0 rendering (8·r_hit; AP1 is also
    /// clamped at 0), or `None` for renderings without one.
    pub fn ap1_clamp(&self) -> Option<f64> {
        match &*self.rendering {
            Rendering::Aces2 { rendering, .. } => Some(rendering.forward_limit()),
            Rendering::Aces1(_) => None,
        }
    }

    /// The ACES 2.0 rendering of this output, if it is one.
    pub fn aces2(&self) -> Option<&Aces2Rendering> {
        match &*self.rendering {
            Rendering::Aces2 { rendering, .. } => Some(rendering),
            Rendering::Aces1(_) => None,
        }
    }

    /// The ACES 1.x rendering of this output, if it is one.
    pub fn aces1(&self) -> Option<&Aces1Rendering> {
        match &*self.rendering {
            Rendering::Aces1(rendering) => Some(rendering),
            Rendering::Aces2 { .. } => None,
        }
    }

    /// ACES2065-1 → the rendering's display light before its last clamp. Smooth where
    /// the clamp is not, so it is what dense tables sample; [`Self::finish`] completes it.
    pub fn unclamped(&self, aces2065_1: F3) -> F3 {
        self.rendering.unclamped(aces2065_1)
    }

    /// [`Self::unclamped`] of every value of `aces` into `out` (the shorter sets the
    /// count): ACES 2.0 renderings run vectorised (within 1e-12 relative of the per-value
    /// path), ACES 1.x value by value.
    pub fn unclamped_batch(&self, aces: &[F3], out: &mut [F3]) {
        match &*self.rendering {
            Rendering::Aces2 { rendering, .. } => rendering.unclamped_batch(aces, out),
            Rendering::Aces1(rendering) => {
                for (o, a) in out.iter_mut().zip(aces) {
                    *o = rendering.unclamped(*a);
                }
            }
        }
    }

    fn clamp_rendered(&self, rgb: F3) -> F3 {
        let (lo, hi) = self.clamp;
        rgb.map(|c| c.clamp(lo, hi))
    }

    /// The clamp of the rendering.
    pub fn output_clamp(&self) -> (f64, f64) {
        self.clamp
    }

    /// The matrix from the clamped rendering RGB to the encoding primaries.
    pub fn to_encoding(&self) -> &Mat3 {
        &self.to_encoding
    }

    pub fn display(&self) -> &Display {
        &self.display
    }

    /// From [`Self::unclamped`] to code values: clamp, encoding primaries, EOTF⁻¹, range.
    pub fn finish(&self, unclamped: F3) -> F3 {
        let rgb = mul_vec(&self.to_encoding, self.clamp_rendered(unclamped));
        self.display.encode_rgb(rgb).map(|c| self.range.apply(c))
    }

    /// [`Self::finish`] of every value of `unclamped` into `out` (the shorter sets the
    /// count), vectorised where the CPU allows (HLG value by value).
    pub fn finish_batch(&self, unclamped: &[F3], out: &mut [F3]) {
        #[cfg(target_arch = "x86_64")]
        {
            use crate::kernel::{selection, CpuLevel};
            match selection().level {
                // SAFETY: the selected level was detected on this CPU.
                CpuLevel::Avx512 => return unsafe { self.finish_batch_avx512(unclamped, out) },
                // SAFETY: as above.
                CpuLevel::Avx2 => return unsafe { self.finish_batch_avx2(unclamped, out) },
                CpuLevel::Scalar => {}
            }
        }
        self.finish_batch_body(unclamped, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx2,fma")]
    unsafe fn finish_batch_avx512(&self, unclamped: &[F3], out: &mut [F3]) {
        self.finish_batch_body(unclamped, out);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn finish_batch_avx2(&self, unclamped: &[F3], out: &mut [F3]) {
        self.finish_batch_body(unclamped, out);
    }

    /// One loop per encoding (so each vectorises), powers from [`fastmath::pow`].
    #[inline(always)]
    fn finish_batch_body(&self, unclamped: &[F3], out: &mut [F3]) {
        match self.display.encoding() {
            Encoding::Bt1886 => self.finish_loop(unclamped, out, FastGamma(1.0 / 2.4)),
            Encoding::Gamma26 => self.finish_loop(unclamped, out, FastGamma(1.0 / 2.6)),
            Encoding::Pq => self.finish_loop(unclamped, out, FastPq),
            Encoding::Hlg1000 => {
                for (o, u) in out.iter_mut().zip(unclamped) {
                    *o = self.finish(*u);
                }
            }
        }
    }

    #[inline(always)]
    fn finish_loop(&self, unclamped: &[F3], out: &mut [F3], encode: impl FastEncode) {
        let black = self.range.apply(0.0);
        let span = self.range.apply(1.0) - black;
        let (lo, hi) = self.clamp;
        for (o, u) in out.iter_mut().zip(unclamped) {
            let clamped = [u[0].clamp(lo, hi), u[1].clamp(lo, hi), u[2].clamp(lo, hi)];
            let rgb = mul_vec(&self.to_encoding, clamped);
            *o = [
                black + span * encode.encode(rgb[0]),
                black + span * encode.encode(rgb[1]),
                black + span * encode.encode(rgb[2]),
            ];
        }
    }

    /// ACES2065-1 → display code values, normalised (0–1 full range; legal maps 0–1 onto
    /// 64–940 /1023).
    pub fn apply(&self, aces2065_1: F3) -> F3 {
        self.finish(self.unclamped(aces2065_1))
    }
}
