//! Signal range of an output: full (0–1023) or legal/narrow (64–940 on 10 bit).

use std::fmt;
use std::str::FromStr;

use super::OutputError;

/// How the output signal's [0, 1] sits in the code values on the wire. Serialized as
/// `"full"` or `"legal"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignalRange {
    /// 0–1 → 0–1023 (10 bit).
    #[default]
    Full,
    /// 0–1 → 64–940 (10 bit), i.e. 64/1023–940/1023 normalised; values outside are kept.
    Legal,
}

const LEGAL_BLACK: f64 = 64.0 / 1023.0;
const LEGAL_SPAN: f64 = (940.0 - 64.0) / 1023.0;

impl SignalRange {
    /// Maps a full-range signal value into this range (no clipping).
    pub fn apply(self, v: f64) -> f64 {
        match self {
            SignalRange::Full => v,
            SignalRange::Legal => LEGAL_BLACK + v * LEGAL_SPAN,
        }
    }

    /// The inverse of [`SignalRange::apply`].
    pub fn to_full(self, v: f64) -> f64 {
        match self {
            SignalRange::Full => v,
            SignalRange::Legal => (v - LEGAL_BLACK) / LEGAL_SPAN,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SignalRange::Full => "full",
            SignalRange::Legal => "legal",
        }
    }
}

impl fmt::Display for SignalRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SignalRange {
    type Err = OutputError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "full" => Ok(SignalRange::Full),
            "legal" | "narrow" | "video" => Ok(SignalRange::Legal),
            _ => Err(OutputError::UnknownRange(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_maps_unit_range_onto_64_940_without_clipping() {
        let r = SignalRange::Legal;
        assert!((r.apply(0.0) * 1023.0 - 64.0).abs() < 1e-9);
        assert!((r.apply(1.0) * 1023.0 - 940.0).abs() < 1e-9);
        assert!(r.apply(1.1) * 1023.0 > 940.0);
        assert!(r.apply(-0.05) * 1023.0 < 64.0);
        assert!((r.to_full(r.apply(0.37)) - 0.37).abs() < 1e-12);
        assert_eq!(SignalRange::Full.apply(0.37), 0.37);
    }

    #[test]
    fn parses_names_and_rejects_others() {
        assert_eq!("legal".parse::<SignalRange>(), Ok(SignalRange::Legal));
        assert_eq!("Full".parse::<SignalRange>(), Ok(SignalRange::Full));
        assert_eq!(
            "smpte".parse::<SignalRange>(),
            Err(OutputError::UnknownRange("smpte".into()))
        );
    }
}
