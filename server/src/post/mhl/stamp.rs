//! UTC date-time text as ASC MHL writes it (no time-zone database needed: always `+00:00`).

use std::time::{SystemTime, UNIX_EPOCH};

/// Civil date-time parts of a point in time, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UtcParts {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl UtcParts {
    pub fn of(time: SystemTime) -> Self {
        let (secs, micros) = match time.duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_micros()),
            Err(e) => (-(e.duration().as_secs() as i64) - 1, 0),
        };
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        UtcParts {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            second: (rem % 60) as u32,
            micros,
        }
    }

    /// `2024-05-01T10:15:00+00:00`, or with `.123456` before the offset.
    pub fn iso8601(&self, with_micros: bool) -> String {
        let frac = if with_micros && self.micros != 0 {
            format!(".{:06}", self.micros)
        } else {
            String::new()
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{frac}+00:00",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2024-05-01_101500Z`, the date part of a generation file name.
    pub fn file_stamp(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}_{:02}{:02}{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    /// `2024-05-01`.
    pub fn date(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn known_instants_format_as_utc() {
        // 2024-02-29T23:59:58.5Z = 1709251198.5 s since the epoch.
        let t = UNIX_EPOCH + Duration::from_millis(1_709_251_198_500);
        let p = UtcParts::of(t);
        assert_eq!(p.iso8601(false), "2024-02-29T23:59:58+00:00");
        assert_eq!(p.iso8601(true), "2024-02-29T23:59:58.500000+00:00");
        assert_eq!(p.file_stamp(), "2024-02-29_235958Z");
        assert_eq!(
            UtcParts::of(UNIX_EPOCH).iso8601(true),
            "1970-01-01T00:00:00+00:00"
        );
        let y2k = UNIX_EPOCH + Duration::from_secs(946_684_800);
        assert_eq!(UtcParts::of(y2k).date(), "2000-01-01");
    }
}
