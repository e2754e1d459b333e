//! The show clock: free-running from the system clock, jammed by the API, or following LTC.

use super::{FrameRate, Timecode};
use serde::{Deserialize, Serialize};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Where the show clock takes its time from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ClockSource {
    /// Time of day (UTC) from the system clock.
    FreeRun,
    /// Set by an operator, then running on.
    Jammed,
    /// Following a master clock's LTC.
    Ltc,
}

/// A running timecode clock: a label at an instant plus the frames elapsed since.
#[derive(Clone, Debug)]
pub struct ShowClock {
    rate: FrameRate,
    anchor: Instant,
    anchor_frame: i64,
    source: ClockSource,
}

impl ShowClock {
    /// A clock free-running on the UTC time of day.
    pub fn free_run(rate: FrameRate) -> ShowClock {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let nanos_of_day = since_epoch.as_nanos() % (86_400 * 1_000_000_000);
        ShowClock {
            rate,
            anchor: Instant::now(),
            anchor_frame: frames_in(rate, nanos_of_day),
            source: ClockSource::FreeRun,
        }
    }

    /// Jams the clock to `tc` now; it runs on from there.
    pub fn jam(&mut self, tc: Timecode, source: ClockSource) {
        self.rate = tc.rate;
        self.anchor = Instant::now();
        self.anchor_frame = tc.to_frames();
        self.source = source;
    }

    /// Changes the rate, keeping the current time of day as close as the new rate allows.
    pub fn set_rate(&mut self, rate: FrameRate) {
        if rate == self.rate {
            return;
        }
        let (num, den) = self.rate.ratio();
        let nanos = (self.frame_now() as i128 * den as i128 * 1_000_000_000) / num as i128;
        self.anchor = Instant::now();
        self.anchor_frame = frames_in(rate, nanos.max(0) as u128);
        self.rate = rate;
    }

    pub fn rate(&self) -> FrameRate {
        self.rate
    }

    pub fn source(&self) -> ClockSource {
        self.source
    }

    /// The frame count from midnight now.
    pub fn frame_now(&self) -> i64 {
        self.anchor_frame + frames_in(self.rate, self.anchor.elapsed().as_nanos())
    }

    /// The timecode now.
    pub fn now(&self) -> Timecode {
        Timecode::from_frames(self.frame_now(), self.rate)
    }
}

/// Whole frames in `nanos` nanoseconds at `rate`.
fn frames_in(rate: FrameRate, nanos: u128) -> i64 {
    let (num, den) = rate.ratio();
    let frames = nanos * u128::from(num) / (u128::from(den) * 1_000_000_000);
    i64::try_from(frames).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jam_sets_the_label_and_keeps_the_rate() {
        let mut clock = ShowClock::free_run(FrameRate::Fps25);
        assert_eq!(clock.source(), ClockSource::FreeRun);
        let tc = Timecode::parse("10:00:00;00", FrameRate::Fps29_97Df).unwrap();
        clock.jam(tc, ClockSource::Jammed);
        assert_eq!(clock.rate(), FrameRate::Fps29_97Df);
        assert_eq!(clock.source(), ClockSource::Jammed);
        // A test run takes far less than a minute, so the label is within the same minute.
        let now = clock.now();
        assert_eq!((now.hours, now.minutes), (10, 0));
        assert!(clock.frame_now() >= tc.to_frames());
    }

    #[test]
    fn frames_in_counts_fractional_rates() {
        let second = 1_000_000_000u128;
        assert_eq!(frames_in(FrameRate::Fps25, second), 25);
        assert_eq!(frames_in(FrameRate::Fps29_97Df, 1001 * second), 30_000);
        assert_eq!(frames_in(FrameRate::Fps23_976, 1001 * second - 1), 23_999);
    }

    #[test]
    fn set_rate_keeps_time_of_day() {
        let mut clock = ShowClock::free_run(FrameRate::Fps25);
        clock.jam(
            Timecode::parse("01:00:00:00", FrameRate::Fps25).unwrap(),
            ClockSource::Jammed,
        );
        clock.set_rate(FrameRate::Fps50);
        let now = clock.now();
        assert_eq!((now.hours, now.minutes, now.rate), (1, 0, FrameRate::Fps50));
    }
}
