//! SMPTE timecode: frame rates, drop-frame arithmetic, the show clock and an LTC decoder.
//!
//! Drop-frame rules follow SMPTE ST 12-1 (../shared/specs/formats.md §10): at 29.97 DF the
//! frame numbers 00 and 01 are skipped at every minute except minutes 00, 10, 20, 30, 40, 50;
//! at 59.94 DF the numbers 00–03.

pub mod clock;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

pub mod follow;
pub mod ltc;
pub mod wav;

pub use clock::{ClockSource, ShowClock};

/// A show's frame rate. Fractional rates count frames at the nominal integer rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum FrameRate {
    #[serde(rename = "23.976")]
    Fps23_976,
    #[serde(rename = "24")]
    Fps24,
    #[serde(rename = "25")]
    Fps25,
    #[serde(rename = "29.97")]
    Fps29_97,
    #[serde(rename = "29.97df")]
    Fps29_97Df,
    #[serde(rename = "30")]
    Fps30,
    #[serde(rename = "48")]
    Fps48,
    #[serde(rename = "50")]
    Fps50,
    #[serde(rename = "59.94")]
    Fps59_94,
    #[serde(rename = "59.94df")]
    Fps59_94Df,
    #[serde(rename = "60")]
    Fps60,
}

impl FrameRate {
    /// Every rate a show can run at.
    pub const ALL: [FrameRate; 11] = [
        FrameRate::Fps23_976,
        FrameRate::Fps24,
        FrameRate::Fps25,
        FrameRate::Fps29_97,
        FrameRate::Fps29_97Df,
        FrameRate::Fps30,
        FrameRate::Fps48,
        FrameRate::Fps50,
        FrameRate::Fps59_94,
        FrameRate::Fps59_94Df,
        FrameRate::Fps60,
    ];

    /// The integer rate the frame digits count at (23.976 → 24, 59.94 → 60).
    pub fn nominal(self) -> u32 {
        match self {
            FrameRate::Fps23_976 | FrameRate::Fps24 => 24,
            FrameRate::Fps25 => 25,
            FrameRate::Fps29_97 | FrameRate::Fps29_97Df | FrameRate::Fps30 => 30,
            FrameRate::Fps48 => 48,
            FrameRate::Fps50 => 50,
            FrameRate::Fps59_94 | FrameRate::Fps59_94Df | FrameRate::Fps60 => 60,
        }
    }

    /// True for the drop-frame counts.
    pub fn is_drop_frame(self) -> bool {
        matches!(self, FrameRate::Fps29_97Df | FrameRate::Fps59_94Df)
    }

    /// Frames per second as a ratio (numerator, denominator).
    pub fn ratio(self) -> (u64, u64) {
        match self {
            FrameRate::Fps23_976 => (24000, 1001),
            FrameRate::Fps29_97 | FrameRate::Fps29_97Df => (30000, 1001),
            FrameRate::Fps59_94 | FrameRate::Fps59_94Df => (60000, 1001),
            other => (u64::from(other.nominal()), 1),
        }
    }

    /// Frame numbers skipped at each dropping minute (0 for non-drop rates).
    fn dropped_per_minute(self) -> i64 {
        match self {
            FrameRate::Fps29_97Df => 2,
            FrameRate::Fps59_94Df => 4,
            _ => 0,
        }
    }

    /// Frames in 24 hours of timecode labels.
    pub fn frames_per_day(self) -> i64 {
        let n = i64::from(self.nominal());
        let d = self.dropped_per_minute();
        // 24 h × 6 ten-minute blocks, each dropping on 9 of its 10 minutes.
        24 * 6 * (600 * n - 9 * d)
    }

    /// The spelling used in JSON and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            FrameRate::Fps23_976 => "23.976",
            FrameRate::Fps24 => "24",
            FrameRate::Fps25 => "25",
            FrameRate::Fps29_97 => "29.97",
            FrameRate::Fps29_97Df => "29.97df",
            FrameRate::Fps30 => "30",
            FrameRate::Fps48 => "48",
            FrameRate::Fps50 => "50",
            FrameRate::Fps59_94 => "59.94",
            FrameRate::Fps59_94Df => "59.94df",
            FrameRate::Fps60 => "60",
        }
    }
}

impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FrameRate {
    type Err = TimecodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FrameRate::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| TimecodeError::UnknownRate(s.to_owned()))
    }
}

/// Bad timecode text or a value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimecodeError {
    #[error("timecode {0:?} is not HH:MM:SS:FF (or HH:MM:SS;FF for drop-frame)")]
    Syntax(String),
    #[error("timecode {text:?}: {field} is {value}, it must be below {limit}")]
    OutOfRange {
        text: String,
        field: &'static str,
        value: u32,
        limit: u32,
    },
    #[error("timecode {text:?} names frame {frame}, which drop-frame {rate} skips")]
    DroppedFrame {
        text: String,
        frame: u32,
        rate: FrameRate,
    },
    #[error("unknown frame rate {0:?}: expected one of 23.976, 24, 25, 29.97, 29.97df, 30, 48, 50, 59.94, 59.94df, 60")]
    UnknownRate(String),
}

/// A timecode label at a frame rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timecode {
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
    pub frames: u32,
    pub rate: FrameRate,
}

impl Timecode {
    /// The label of frame `frame` counted from midnight (wraps at 24 hours, negatives too).
    pub fn from_frames(frame: i64, rate: FrameRate) -> Timecode {
        let n = i64::from(rate.nominal());
        let d = rate.dropped_per_minute();
        let mut f = frame.rem_euclid(rate.frames_per_day());
        if d > 0 {
            let per_ten = 600 * n - 9 * d;
            let (b, r) = (f / per_ten, f % per_ten);
            let extra = if r > d {
                d * ((r - d) / (60 * n - d))
            } else {
                0
            };
            f += 9 * d * b + extra;
        }
        // Every value below fits u32: f < 24 h of labels.
        let part = |x: i64| u32::try_from(x).unwrap_or(0);
        Timecode {
            hours: part(f / (3600 * n)),
            minutes: part(f / (60 * n) % 60),
            seconds: part(f / n % 60),
            frames: part(f % n),
            rate,
        }
    }

    /// The frame count from midnight of this label.
    pub fn to_frames(&self) -> i64 {
        let n = i64::from(self.rate.nominal());
        let d = self.rate.dropped_per_minute();
        let (h, m, s) = (
            i64::from(self.hours),
            i64::from(self.minutes),
            i64::from(self.seconds),
        );
        let total_minutes = 60 * h + m;
        n * (3600 * h + 60 * m + s) + i64::from(self.frames)
            - d * (total_minutes - total_minutes / 10)
    }

    /// Parses `HH:MM:SS:FF`, `HH:MM:SS;FF` or `HH;MM;SS;FF` at `rate`, checking every field.
    pub fn parse(text: &str, rate: FrameRate) -> Result<Timecode, TimecodeError> {
        let syntax = || TimecodeError::Syntax(text.to_owned());
        let fields: Vec<&str> = text.split([':', ';']).collect();
        let well_formed = fields.len() == 4
            && fields
                .iter()
                .all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()));
        if !well_formed {
            return Err(syntax());
        }
        let num = |i: usize| fields[i].parse::<u32>().map_err(|_| syntax());
        let tc = Timecode {
            hours: num(0)?,
            minutes: num(1)?,
            seconds: num(2)?,
            frames: num(3)?,
            rate,
        };
        tc.check(text)?;
        Ok(tc)
    }

    fn check(&self, text: &str) -> Result<(), TimecodeError> {
        let limits = [
            ("hours", self.hours, 24),
            ("minutes", self.minutes, 60),
            ("seconds", self.seconds, 60),
            ("frames", self.frames, self.rate.nominal()),
        ];
        for (field, value, limit) in limits {
            if value >= limit {
                let text = text.to_owned();
                return Err(TimecodeError::OutOfRange {
                    text,
                    field,
                    value,
                    limit,
                });
            }
        }
        let d = self.rate.dropped_per_minute() as u32;
        if d > 0 && self.seconds == 0 && self.minutes % 10 != 0 && self.frames < d {
            return Err(TimecodeError::DroppedFrame {
                text: text.to_owned(),
                frame: self.frames,
                rate: self.rate,
            });
        }
        Ok(())
    }

    /// This label moved by `frames` (wrapping at 24 hours).
    pub fn add_frames(&self, frames: i64) -> Timecode {
        Timecode::from_frames(self.to_frames() + frames, self.rate)
    }
}

impl fmt::Display for Timecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.rate.is_drop_frame() { ';' } else { ':' };
        write!(
            f,
            "{:02}:{:02}:{:02}{sep}{:02}",
            self.hours, self.minutes, self.seconds, self.frames
        )
    }
}

#[cfg(test)]
mod tests;
