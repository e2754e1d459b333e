//! How a pixel buffer is laid out and what its samples mean.

use super::KernelError;
use half::f16;

/// Where the channels of a pixel sit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Layout {
    /// R, G, B interleaved.
    Rgb,
    /// R, G, B, A interleaved; alpha passes through untouched.
    Rgba,
    /// Three planes (all of R, then all of G, then all of B), each `stride × height` samples.
    PlanarRgb,
}

impl Layout {
    /// Samples per pixel within one row of one plane.
    pub fn samples_per_pixel(self) -> usize {
        match self {
            Layout::Rgb => 3,
            Layout::Rgba => 4,
            Layout::PlanarRgb => 1,
        }
    }
}

/// Integer code-value range.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Range {
    /// 0 ..= 2ⁿ − 1 maps to 0 ..= 1.
    Full,
    /// SMPTE legal ("narrow"): 16·2ⁿ⁻⁸ ..= 235·2ⁿ⁻⁸ maps to 0 ..= 1 (BT.709 / BT.2100).
    Legal,
}

/// What a sample's number means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coding {
    /// f32 or f16: the value itself.
    Float,
    /// An integer code value of `bits` bits (8 for u8; 8..=16 in a u16 container).
    Code { bits: u8, range: Range },
}

/// The shape of one image buffer (the same for input and output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ImageDesc {
    pub width: usize,
    pub height: usize,
    /// Samples from one row to the next (per plane when planar).
    pub stride: usize,
    pub layout: Layout,
    pub coding: Coding,
}

impl ImageDesc {
    /// A buffer with rows packed back to back.
    pub fn new(width: usize, height: usize, layout: Layout, coding: Coding) -> Self {
        let stride = width * layout.samples_per_pixel();
        Self {
            width,
            height,
            stride,
            layout,
            coding,
        }
    }

    /// Samples in one plane (the whole image when packed).
    pub fn plane_len(&self) -> usize {
        self.stride * self.height
    }

    /// The smallest buffer length that holds the image.
    pub fn min_len(&self) -> usize {
        match self.layout {
            Layout::PlanarRgb => 3 * self.plane_len(),
            _ => self.plane_len(),
        }
    }

    /// Checks the description against the sample type and a buffer length.
    pub fn check<T: Sample>(&self, len: usize) -> Result<(), KernelError> {
        let row = self.width * self.layout.samples_per_pixel();
        if self.stride < row {
            return Err(KernelError::Stride {
                stride: self.stride,
                row,
            });
        }
        if len < self.min_len() {
            return Err(KernelError::BufferTooSmall {
                len,
                needed: self.min_len(),
            });
        }
        T::scale(self.coding).map(|_| ())
    }
}

/// Decode/encode constants of one integer coding: `x = code·dec_mul + dec_add`,
/// `code = round_even(clamp(x·enc_mul + enc_add, 0, max))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CodeScale {
    pub dec_mul: f32,
    pub dec_add: f32,
    pub enc_mul: f32,
    pub enc_add: f32,
    pub max: f32,
}

impl CodeScale {
    /// The identity used for float samples.
    pub const FLOAT: CodeScale = CodeScale {
        dec_mul: 1.0,
        dec_add: 0.0,
        enc_mul: 1.0,
        enc_add: 0.0,
        max: f32::MAX,
    };

    fn for_code(bits: u8, range: Range) -> Self {
        let max = ((1u32 << bits) - 1) as f32;
        match range {
            Range::Full => CodeScale {
                dec_mul: 1.0 / max,
                dec_add: 0.0,
                enc_mul: max,
                enc_add: 0.0,
                max,
            },
            Range::Legal => {
                let s = (1u32 << (bits - 8)) as f32;
                CodeScale {
                    dec_mul: 1.0 / (219.0 * s),
                    dec_add: -16.0 / 219.0,
                    enc_mul: 219.0 * s,
                    enc_add: 16.0 * s,
                    max,
                }
            }
        }
    }

    /// Code value → normalised value.
    #[inline(always)]
    pub fn decode(&self, code: f32) -> f32 {
        code * self.dec_mul + self.dec_add
    }

    /// Normalised value → code value (still as f32, already rounded and clamped).
    #[inline(always)]
    pub fn encode(&self, x: f32) -> f32 {
        (x * self.enc_mul + self.enc_add)
            .max(0.0)
            .min(self.max)
            .round_ties_even()
    }
}

/// Agreement required between a level and the scalar reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// `|got − expected| ≤ k · max(|expected|, largest |LUT node|)`.
    Relative(f64),
    /// `|got − expected| ≤ k` code values.
    Codes(f64),
}

impl Tolerance {
    /// True when `got` is close enough to `expected` for a LUT whose nodes reach `magnitude`.
    pub fn accepts(self, got: f64, expected: f64, magnitude: f64) -> bool {
        let diff = (got - expected).abs();
        match self {
            Tolerance::Relative(k) => diff <= k * expected.abs().max(magnitude),
            Tolerance::Codes(k) => diff <= k,
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for half::f16 {}
    impl Sealed for u16 {}
    impl Sealed for u8 {}
}

/// A sample type the kernels read and write: f32, f16, u16, u8.
pub trait Sample: Copy + Send + Sync + sealed::Sealed + 'static {
    /// The type's name in error messages.
    const NAME: &'static str;
    /// How far a level may differ from the scalar reference.
    const TOLERANCE: Tolerance;
    /// The stored number (a code value for integers).
    fn to_f64(self) -> f64;
    /// The constants for `coding`, or why this type cannot hold it.
    fn scale(coding: Coding) -> Result<CodeScale, KernelError>;
    fn load(self, s: &CodeScale) -> f32;
    fn store(x: f32, s: &CodeScale) -> Self;
    /// The slice as f32 samples when `Self` is f32 (lets levels pick a vector path).
    fn as_f32s(_: &[Self]) -> Option<&[f32]> {
        None
    }
    fn as_f32s_mut(_: &mut [Self]) -> Option<&mut [f32]> {
        None
    }
    /// The slice as u16 samples when `Self` is u16.
    fn as_u16s(_: &[Self]) -> Option<&[u16]> {
        None
    }
    fn as_u16s_mut(_: &mut [Self]) -> Option<&mut [u16]> {
        None
    }
    /// The slice as u8 samples when `Self` is u8.
    fn as_u8s(_: &[Self]) -> Option<&[u8]> {
        None
    }
    fn as_u8s_mut(_: &mut [Self]) -> Option<&mut [u8]> {
        None
    }
}

fn float_scale(name: &'static str, coding: Coding) -> Result<CodeScale, KernelError> {
    match coding {
        Coding::Float => Ok(CodeScale::FLOAT),
        Coding::Code { .. } => Err(KernelError::Coding {
            sample: name,
            coding,
        }),
    }
}

fn code_scale(
    name: &'static str,
    bits: std::ops::RangeInclusive<u8>,
    coding: Coding,
) -> Result<CodeScale, KernelError> {
    match coding {
        Coding::Code { bits: b, range } if bits.contains(&b) => Ok(CodeScale::for_code(b, range)),
        _ => Err(KernelError::Coding {
            sample: name,
            coding,
        }),
    }
}

impl Sample for f32 {
    const NAME: &'static str = "f32";
    fn as_f32s(s: &[Self]) -> Option<&[f32]> {
        Some(s)
    }
    fn as_f32s_mut(s: &mut [Self]) -> Option<&mut [f32]> {
        Some(s)
    }
    const TOLERANCE: Tolerance = Tolerance::Relative(1e-6);
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn scale(coding: Coding) -> Result<CodeScale, KernelError> {
        float_scale(Self::NAME, coding)
    }
    #[inline(always)]
    fn load(self, _: &CodeScale) -> f32 {
        self
    }
    #[inline(always)]
    fn store(x: f32, _: &CodeScale) -> Self {
        x
    }
}

impl Sample for f16 {
    const NAME: &'static str = "f16";
    const TOLERANCE: Tolerance = Tolerance::Relative(1.0 / 1024.0);
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
    fn scale(coding: Coding) -> Result<CodeScale, KernelError> {
        float_scale(Self::NAME, coding)
    }
    #[inline(always)]
    fn load(self, _: &CodeScale) -> f32 {
        self.to_f32()
    }
    #[inline(always)]
    fn store(x: f32, _: &CodeScale) -> Self {
        f16::from_f32(x)
    }
}

impl Sample for u16 {
    const NAME: &'static str = "u16";
    fn as_u16s(s: &[Self]) -> Option<&[u16]> {
        Some(s)
    }
    fn as_u16s_mut(s: &mut [Self]) -> Option<&mut [u16]> {
        Some(s)
    }
    const TOLERANCE: Tolerance = Tolerance::Codes(1.0);
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn scale(coding: Coding) -> Result<CodeScale, KernelError> {
        code_scale(Self::NAME, 8..=16, coding)
    }
    #[inline(always)]
    fn load(self, s: &CodeScale) -> f32 {
        s.decode(self as f32)
    }
    #[inline(always)]
    fn store(x: f32, s: &CodeScale) -> Self {
        s.encode(x) as u16
    }
}

impl Sample for u8 {
    const NAME: &'static str = "u8";
    fn as_u8s(s: &[Self]) -> Option<&[u8]> {
        Some(s)
    }
    fn as_u8s_mut(s: &mut [Self]) -> Option<&mut [u8]> {
        Some(s)
    }
    const TOLERANCE: Tolerance = Tolerance::Codes(1.0);
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn scale(coding: Coding) -> Result<CodeScale, KernelError> {
        code_scale(Self::NAME, 8..=8, coding)
    }
    #[inline(always)]
    fn load(self, s: &CodeScale) -> f32 {
        s.decode(self as f32)
    }
    #[inline(always)]
    fn store(x: f32, s: &CodeScale) -> Self {
        s.encode(x) as u8
    }
}
