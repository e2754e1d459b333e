//! The end of an output after its table: clamp, encoding primaries, inverse EOTF and
//! signal range, per node in f32; and a bound on how far a code value can move when the
//! rendered light is only known within an error interval.

use crate::output::{Encoding, OutputTransform};

/// Highest display-linear value the encoding table covers (larger ones are encoded exactly).
const ENCODE_MAX: f32 = 128.0;

/// A per-channel inverse EOTF tabulated on the f32 bit pattern: one entry per 2⁻⁷
/// relative step (the top 16 bits of the float), linear in between, so the relative
/// accuracy is the same near black as near peak (as OpenColorIO's half-domain LUTs).
#[derive(Debug, Clone)]
struct EncodeTable {
    values: Vec<f32>,
}

impl EncodeTable {
    fn new(f: impl Fn(f64) -> f64) -> Self {
        let last = (ENCODE_MAX.to_bits() >> 16) as usize + 1;
        let values = (0..=last)
            .map(|i| f(f32::from_bits((i as u32) << 16) as f64) as f32)
            .collect();
        EncodeTable { values }
    }

    /// `x` must be in [0, ENCODE_MAX].
    #[inline]
    fn lookup(&self, x: f32) -> f32 {
        let bits = x.to_bits();
        let i = (bits >> 16) as usize;
        let t = (bits & 0xFFFF) as f32 * (1.0 / 65536.0);
        let (a, b) = (self.values[i], self.values[i + 1]);
        a + t * (b - a)
    }
}

/// Clamp, encoding primaries, inverse EOTF and range of one output, in f32.
#[derive(Debug, Clone)]
pub(super) struct Finish {
    clamp: [f32; 2],
    to_encoding: [[f32; 3]; 3],
    encoding: Encoding,
    table: Option<EncodeTable>,
    /// Code value of display black in the output's range.
    black: f32,
    /// The exact output, for the rare values the tables do not cover and exact nodes.
    exact: OutputTransform,
}

impl Finish {
    pub(super) fn new(output: &OutputTransform) -> Self {
        let (lo, hi) = output.output_clamp();
        let encoding = output.info().encoding;
        let display = output.display().clone();
        let range = output.range();
        // The range is folded into the table: code = black + span·encode(x).
        let table = match encoding {
            Encoding::Hlg1000 => None,
            _ => Some(EncodeTable::new(|x| {
                range.apply(display.encode_rgb([x; 3])[0])
            })),
        };
        Finish {
            clamp: [
                lo.max(f32::MIN as f64) as f32,
                hi.min(f32::MAX as f64) as f32,
            ],
            to_encoding: output.to_encoding().map(|r| r.map(|x| x as f32)),
            encoding,
            table,
            black: range.apply(0.0) as f32,
            exact: output.clone(),
        }
    }

    pub(super) fn exact(&self) -> &OutputTransform {
        &self.exact
    }

    /// The code value (range applied) of one encoding-primaries channel.
    #[inline(always)]
    fn encode_channel(&self, table: &EncodeTable, x: f32) -> f32 {
        let a = x.abs();
        if a.is_nan() || a > ENCODE_MAX {
            let full = self.exact.display().encode_rgb([x as f64; 3])[0];
            return self.exact.range().apply(full) as f32;
        }
        let v = table.lookup(a);
        if x >= 0.0 {
            v
        } else if self.encoding == Encoding::Pq {
            // PQ mirrors negatives: range(−v) = 2·black − range(v).
            2.0 * self.black - v
        } else {
            table.values[0]
        }
    }

    #[inline(always)]
    fn to_encoding(&self, [r, g, b]: [f32; 3]) -> [f32; 3] {
        let m = &self.to_encoding;
        [0, 1, 2].map(|k| m[k][0] * r + m[k][1] * g + m[k][2] * b)
    }

    #[inline(always)]
    fn clamp(&self, x: f32) -> f32 {
        x.max(self.clamp[0]).min(self.clamp[1])
    }

    /// Unclamped rendering RGB → code values.
    #[inline(always)]
    pub(super) fn apply(&self, rgb: [f32; 3]) -> [f32; 3] {
        let e = self.to_encoding(rgb.map(|c| self.clamp(c)));
        match &self.table {
            Some(t) => e.map(|c| self.encode_channel(t, c)),
            None => {
                let full = self.exact.display().encode_rgb(e.map(f64::from));
                full.map(|v| self.exact.range().apply(v) as f32)
            }
        }
    }

    /// The largest change of any code value (0–1 scale) over the box `rgb ± err` of
    /// unclamped rendering RGB: the box is clamped as the output clamps, carried into the
    /// encoding primaries (centre and radius), and its ends encoded.
    pub(super) fn code_spread(&self, rgb: [f32; 3], err: [f32; 3]) -> f32 {
        let lo = [0, 1, 2].map(|c| self.clamp(rgb[c] - err[c]));
        let hi = [0, 1, 2].map(|c| self.clamp(rgb[c] + err[c]));
        let mid = [0, 1, 2].map(|c| 0.5 * (lo[c] + hi[c]));
        let half = [0, 1, 2].map(|c| 0.5 * (hi[c] - lo[c]));
        let m = &self.to_encoding;
        let centre = self.to_encoding(mid);
        let radius = [0, 1, 2]
            .map(|k| m[k][0].abs() * half[0] + m[k][1].abs() * half[1] + m[k][2].abs() * half[2]);
        let low = [0, 1, 2].map(|k| centre[k] - radius[k]);
        let high = [0, 1, 2].map(|k| centre[k] + radius[k]);
        let (a, b) = match &self.table {
            Some(t) => (
                low.map(|c| self.encode_channel(t, c)),
                high.map(|c| self.encode_channel(t, c)),
            ),
            None => {
                let d = self.exact.display();
                (
                    d.encode_rgb(low.map(f64::from)).map(|v| v as f32),
                    d.encode_rgb(high.map(f64::from)).map(|v| v as f32),
                )
            }
        };
        // HLG's differences are in full range: never smaller than in legal range.
        (0..3).map(|k| (b[k] - a[k]).abs()).fold(0.0, f32::max)
    }
}
