//! SMPTE LTC decoder: biphase-mark audio → 80-bit frames → timecode, played forward or
//! reversed (../shared/specs/formats.md §10).
//!
//! Edges are found with hysteresis around an adaptive envelope, so noise and a DC offset
//! do not add edges. Intervals between edges are a whole bit (a 0) or half a bit (half a
//! 1); the bit period adapts as the signal runs, over 24–30 fps LTC at any sample rate.

use super::{FrameRate, Timecode, TimecodeError};

/// The sync word in the order it is sent (bits 64–79).
const SYNC_FORWARD: u128 = 0x3FFD;
/// The sync word as received when the tape runs backwards.
const SYNC_REVERSE: u128 = 0xBFFC;
const MASK_80: u128 = (1 << 80) - 1;

/// One decoded LTC frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LtcFrame {
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
    pub frames: u32,
    /// Bit 10: the source counts drop-frame.
    pub drop_frame: bool,
    /// The eight user-bit groups, group 1 in the low nibble.
    pub user_bits: u32,
    /// The frame was read from audio playing backwards.
    pub reversed: bool,
    /// Sample index where the frame's last bit ended (when it was complete).
    pub end_sample: u64,
}

impl LtcFrame {
    /// The frame as a timecode at `rate`: LTC at 25/30 fps labels a 50/60 fps show's
    /// frames in pairs, so the frame number is doubled for those rates.
    pub fn timecode(&self, rate: FrameRate) -> Result<Timecode, TimecodeError> {
        let factor = if rate.nominal() >= 48 { 2 } else { 1 };
        let text = format!(
            "{:02}:{:02}:{:02}:{:02}",
            self.hours,
            self.minutes,
            self.seconds,
            self.frames * factor
        );
        Timecode::parse(&text, rate)
    }
}

/// A streaming LTC decoder; feed it samples in any chunk size.
#[derive(Debug, Clone)]
pub struct LtcDecoder {
    /// Shortest and longest plausible bit periods, in samples (30 fps … 24 fps, ±10 %).
    min_period: f64,
    max_period: f64,
    period: f64,
    envelope: f32,
    decay: f32,
    /// The signal's side of zero; `None` until it first leaves silence.
    high: Option<bool>,
    position: u64,
    last_edge: u64,
    half_pending: bool,
    bits: u128,
    bit_count: u32,
}

impl LtcDecoder {
    pub fn new(sample_rate: u32) -> LtcDecoder {
        let sr = f64::from(sample_rate.max(1));
        LtcDecoder {
            min_period: sr / (80.0 * 30.0) * 0.9,
            max_period: sr / (80.0 * 23.976) * 1.1,
            period: sr / (80.0 * 27.0),
            envelope: 0.0,
            // The envelope falls to a tenth over about 20 ms.
            decay: (0.1f64.ln() / (0.02 * sr)).exp() as f32,
            high: None,
            position: 0,
            last_edge: 0,
            half_pending: false,
            bits: 0,
            bit_count: 0,
        }
    }

    /// Decodes `samples`; returns the frames completed in them.
    pub fn push(&mut self, samples: &[f32]) -> Vec<LtcFrame> {
        let mut frames = Vec::new();
        for &x in samples {
            let x = if x.is_finite() { x } else { 0.0 };
            self.envelope = (self.envelope * self.decay).max(x.abs());
            let threshold = 0.3 * self.envelope;
            let loud = self.envelope > 1e-3;
            let edge = match self.high {
                _ if !loud => false,
                // Leaving silence counts as an edge: it starts the first bit.
                None => x.abs() > threshold,
                Some(true) => x < -threshold,
                Some(false) => x > threshold,
            };
            if edge {
                self.high = Some(x > 0.0);
                let interval = (self.position - self.last_edge) as f64;
                self.last_edge = self.position;
                if let Some(frame) = self.interval(interval) {
                    frames.push(frame);
                }
            }
            self.position += 1;
        }
        frames
    }

    /// Classifies the time between two edges as a 0 bit, half a 1 bit, or a dropout.
    fn interval(&mut self, interval: f64) -> Option<LtcFrame> {
        if interval > 2.0 * self.max_period || interval < 0.25 * self.min_period {
            self.half_pending = false;
            self.bit_count = 0;
            return None;
        }
        if interval > 0.75 * self.period {
            // A half-bit followed by a whole bit means the pairing slipped: drop the half.
            self.half_pending = false;
            self.adapt(interval);
            return self.bit(false);
        }
        if self.half_pending {
            self.half_pending = false;
            self.adapt(2.0 * interval);
            return self.bit(true);
        }
        self.half_pending = true;
        None
    }

    fn adapt(&mut self, measured: f64) {
        let p = 0.9 * self.period + 0.1 * measured;
        self.period = p.clamp(self.min_period, self.max_period);
    }

    fn bit(&mut self, one: bool) -> Option<LtcFrame> {
        self.bits = ((self.bits << 1) | u128::from(one)) & MASK_80;
        self.bit_count = self.bit_count.saturating_add(1);
        if self.bit_count < 80 {
            return None;
        }
        let (data, reversed) = if self.bits & 0xFFFF == SYNC_FORWARD {
            // Received first = bit 0 = most significant of the 64 data bits.
            (((self.bits >> 16) as u64).reverse_bits(), false)
        } else if self.bits >> 64 == SYNC_REVERSE {
            (self.bits as u64, true)
        } else {
            return None;
        };
        let frame = parse_frame(data, reversed, self.position)?;
        self.bit_count = 0;
        Some(frame)
    }
}

/// Reads the BCD fields of the 64 data bits (bit `i` of LTC at bit `i` of `data`).
fn parse_frame(data: u64, reversed: bool, end_sample: u64) -> Option<LtcFrame> {
    let field = |start: u32, len: u32| ((data >> start) & ((1 << len) - 1)) as u32;
    let bcd = |units: u32, tens: u32, tens_len: u32, limit: u32| {
        let (u, t) = (field(units, 4), field(tens, tens_len));
        (u <= 9 && t * 10 + u < limit).then_some(t * 10 + u)
    };
    let mut user_bits = 0;
    for (group, start) in [4u32, 12, 20, 28, 36, 44, 52, 60].into_iter().enumerate() {
        user_bits |= field(start, 4) << (4 * group);
    }
    Some(LtcFrame {
        frames: bcd(0, 8, 2, 30)?,
        seconds: bcd(16, 24, 3, 60)?,
        minutes: bcd(32, 40, 3, 60)?,
        hours: bcd(48, 56, 2, 24)?,
        drop_frame: field(10, 1) == 1,
        user_bits,
        reversed,
        end_sample,
    })
}

/// Decodes every LTC frame in a block of samples.
pub fn decode(samples: &[f32], sample_rate: u32) -> Vec<LtcFrame> {
    LtcDecoder::new(sample_rate).push(samples)
}

/// The LTC frame rate implied by the spacing of consecutive frames, in frames per second.
pub fn measured_rate(frames: &[LtcFrame], sample_rate: u32) -> Option<f64> {
    let first = frames.first()?;
    let last = frames.last()?;
    let span = last.end_sample.checked_sub(first.end_sample)?;
    (frames.len() > 1 && span > 0)
        .then(|| (frames.len() - 1) as f64 * f64::from(sample_rate) / span as f64)
}

#[cfg(test)]
pub(crate) mod encoder;
#[cfg(test)]
mod tests;
