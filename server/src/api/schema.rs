//! OpenAPI schemas of engine types that do not derive `ToSchema` themselves.

use utoipa::ToSchema;

/// An ASC CDL: slope, offset, power per channel (R, G, B) and saturation.
#[derive(Debug, ToSchema)]
#[schema(as = Cdl)]
#[allow(dead_code)]
pub struct CdlDoc {
    /// Slope per channel, each from 0 to 100.
    #[schema(min_items = 3, max_items = 3)]
    pub slope: [f64; 3],
    /// Offset per channel, each within ±100.
    #[schema(min_items = 3, max_items = 3)]
    pub offset: [f64; 3],
    /// Power per channel, each greater than 0 and at most 100.
    #[schema(min_items = 3, max_items = 3)]
    pub power: [f64; 3],
    /// Saturation, from 0 to 100.
    #[schema(minimum = 0.0, maximum = 100.0)]
    pub sat: f64,
}

/// How CDLs treat values outside [0, 1]: `asc` clamps, `noclamp` does not.
#[derive(Debug, ToSchema)]
#[schema(as = CdlStyle)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum CdlStyleDoc {
    Asc,
    Noclamp,
}

/// Video signal range of an output: `legal` (64–940 of 1023) or `full` (0–1023).
#[derive(Debug, ToSchema)]
#[schema(as = SignalRange)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
pub enum SignalRangeDoc {
    Legal,
    Full,
}
