//! ASC CDL v1.2: slope, offset, power per channel, then saturation.
//!
//! Two styles, because post tools differ: [`CdlStyle::Asc`] clamps as the ASC
//! specification says (and as OpenColorIO's `CDL_ASC` renders it), and
//! [`CdlStyle::NoClamp`] lets negatives pass the power unchanged and keeps values
//! above 1 (OpenColorIO's `CDL_NO_CLAMP`, its default).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Rec.709 luma weights used by the CDL saturation in every working space.
pub const LUMA_REC709: [f64; 3] = [0.2126, 0.7152, 0.0722];

/// How a CDL treats values outside [0, 1].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CdlStyle {
    /// ASC v1.2: clamp to [0, 1] before the power and after the saturation.
    #[default]
    Asc,
    /// No clamp: negatives pass through the power unchanged, values above 1 are kept.
    #[serde(rename = "noclamp")]
    NoClamp,
}

impl CdlStyle {
    /// The command-line and file spelling of the style.
    pub fn as_str(self) -> &'static str {
        match self {
            CdlStyle::Asc => "asc",
            CdlStyle::NoClamp => "noclamp",
        }
    }
}

impl fmt::Display for CdlStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for CdlStyle {
    type Err = CdlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "asc" => Ok(CdlStyle::Asc),
            "noclamp" | "no-clamp" => Ok(CdlStyle::NoClamp),
            other => Err(CdlError::UnknownStyle(other.to_owned())),
        }
    }
}

/// One ASC color decision: slope, offset and power per channel (R, G, B) and saturation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cdl {
    pub slope: [f64; 3],
    pub offset: [f64; 3],
    pub power: [f64; 3],
    pub sat: f64,
}

impl Default for Cdl {
    fn default() -> Self {
        Self::IDENTITY
    }
}

/// A CDL value that the ASC specification does not allow.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CdlError {
    #[error("CDL {field} is {value}: it must be a finite number")]
    NotFinite { field: &'static str, value: f64 },
    #[error("CDL {field} is {}: it must be {rule}", short_number(*value))]
    OutOfRange {
        field: &'static str,
        value: f64,
        rule: &'static str,
    },
    #[error("unknown CDL style {0:?}: expected one of asc, noclamp")]
    UnknownStyle(String),
}

/// A number as a person would type it: plain, or in exponent form when very large or small.
pub fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e6 || (magnitude > 0.0 && magnitude < 1e-4) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

const CHANNEL_FIELDS: [[&str; 3]; 3] = [
    ["slope.r", "slope.g", "slope.b"],
    ["offset.r", "offset.g", "offset.b"],
    ["power.r", "power.g", "power.b"],
];

impl Cdl {
    /// The CDL that changes nothing (in no-clamp style; in ASC style it clamps to [0, 1]).
    pub const IDENTITY: Cdl = Cdl {
        slope: [1.0; 3],
        offset: [0.0; 3],
        power: [1.0; 3],
        sat: 1.0,
    };

    /// Builds a CDL from the ten numbers in ASC order (slope RGB, offset RGB, power RGB, sat)
    /// and validates it.
    pub fn from_sop_sat(sop: [f64; 9], sat: f64) -> Result<Self, CdlError> {
        let cdl = Cdl {
            slope: [sop[0], sop[1], sop[2]],
            offset: [sop[3], sop[4], sop[5]],
            power: [sop[6], sop[7], sop[8]],
            sat,
        };
        cdl.validate()?;
        Ok(cdl)
    }

    /// The largest magnitude lookwire takes for any CDL value. The ASC sets no ceiling;
    /// this one lies far beyond any grade (lookwire's widest fitted CDL spans slope 0–8,
    /// offset ±1, power 0.05–8, saturation 0–4) and turns typos such as `1e308` away
    /// before they reach a bake, a device or a file for post.
    pub const CEILING: f64 = 100.0;

    /// Checks one value of a CDL part (`slope`, `offset`, `power` or `sat`) against the ASC
    /// rules and lookwire's ceiling; the error is the rule in words. Every reader of CDL
    /// values (the API, CDL and CLF files, OSC) applies these.
    pub fn check_value(part: &str, value: f64) -> Result<(), &'static str> {
        let (ok, rule) = match part {
            "offset" => (value.abs() <= Self::CEILING, "within ±100"),
            "power" => (
                value > 0.0 && value <= Self::CEILING,
                "greater than 0 and at most 100",
            ),
            // slope and sat
            _ => ((0.0..=Self::CEILING).contains(&value), "from 0 to 100"),
        };
        if ok {
            Ok(())
        } else {
            Err(rule)
        }
    }

    /// Checks the ASC rules: every value finite, slope ≥ 0, power > 0, saturation ≥ 0;
    /// and lookwire's ceiling: no magnitude above [`Cdl::CEILING`].
    /// The error names the first field that breaks them.
    pub fn validate(&self) -> Result<(), CdlError> {
        let groups = [self.slope, self.offset, self.power];
        let fields = groups
            .iter()
            .zip(CHANNEL_FIELDS)
            .flat_map(|(group, names)| group.iter().copied().zip(names))
            .chain([(self.sat, "sat")]);
        for (value, field) in fields.clone() {
            if !value.is_finite() {
                return Err(CdlError::NotFinite { field, value });
            }
        }
        for (value, field) in fields {
            let part = field.split('.').next().unwrap_or(field);
            Self::check_value(part, value).map_err(|rule| CdlError::OutOfRange {
                field,
                value,
                rule,
            })?;
        }
        Ok(())
    }

    /// True when slope, offset, power and saturation are all the identity values.
    pub fn is_identity(&self) -> bool {
        *self == Self::IDENTITY
    }

    /// True when saturation is 1 and every power is 1 (the CDL is then affine per channel).
    pub fn is_affine(&self) -> bool {
        self.sat == 1.0 && self.power == [1.0; 3]
    }

    /// Applies the CDL to one pixel in f64, exactly as OpenColorIO's forward CPU renderer.
    pub fn apply(&self, rgb: [f64; 3], style: CdlStyle) -> [f64; 3] {
        let mut v = [0.0; 3];
        for c in 0..3 {
            let x = rgb[c] * self.slope[c] + self.offset[c];
            v[c] = match style {
                CdlStyle::Asc => clamp01(x).powf(self.power[c]),
                CdlStyle::NoClamp => {
                    if x.is_nan() {
                        0.0
                    } else if x < 0.0 {
                        x
                    } else {
                        x.powf(self.power[c])
                    }
                }
            };
        }
        let v = saturate(v, self.sat);
        match style {
            CdlStyle::Asc => v.map(clamp01),
            CdlStyle::NoClamp => v,
        }
    }

    /// Applies the CDL to one pixel in f32 (the arithmetic the render kernels reproduce).
    pub fn apply_f32(&self, rgb: [f32; 3], style: CdlStyle) -> [f32; 3] {
        let k = CdlF32::new(self);
        k.apply(rgb, style)
    }

    /// The CDLs applied one after the other (`cdls[0]` first) as one CDL, when that is
    /// exact: identities drop out, and (no-clamp style only) a CDL that is only slope and
    /// offset folds into the next. `None` when no single ASC CDL equals the chain, or when
    /// the one that does would break [`Cdl::validate`] (slopes multiplied past the ceiling).
    pub fn merge_exact(cdls: &[Cdl], style: CdlStyle) -> Option<Cdl> {
        cdls.iter()
            .try_fold(Cdl::IDENTITY, |acc, next| merge_pair(&acc, next, style))
    }

    /// The ten numbers in ASC order: slope RGB, offset RGB, power RGB, then sat.
    pub fn to_sop_sat(&self) -> ([f64; 9], f64) {
        let [s, o, p] = [self.slope, self.offset, self.power];
        (
            [s[0], s[1], s[2], o[0], o[1], o[2], p[0], p[1], p[2]],
            self.sat,
        )
    }
}

/// `first` then `second` as one CDL, when that is exact.
fn merge_pair(first: &Cdl, second: &Cdl, style: CdlStyle) -> Option<Cdl> {
    if first.is_identity() {
        return Some(*second);
    }
    if second.is_identity() {
        return Some(*first);
    }
    // Under the ASC clamp the first CDL's output is clamped before the second's slope.
    if style != CdlStyle::NoClamp || !first.is_affine() {
        return None;
    }
    let s = |i: usize| first.slope[i] * second.slope[i];
    let o = |i: usize| first.offset[i] * second.slope[i] + second.offset[i];
    let merged = Cdl {
        slope: [s(0), s(1), s(2)],
        offset: [o(0), o(1), o(2)],
        power: second.power,
        sat: second.sat,
    };
    // Two valid CDLs can multiply past the ceiling: then no one CDL holds them.
    merged.validate().ok().map(|()| merged)
}

/// The CDL's parameters in f32, for render loops that apply it per pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CdlF32 {
    pub slope: [f32; 3],
    pub offset: [f32; 3],
    pub power: [f32; 3],
    pub sat: f32,
}

impl CdlF32 {
    pub fn new(cdl: &Cdl) -> Self {
        Self {
            slope: cdl.slope.map(|x| x as f32),
            offset: cdl.offset.map(|x| x as f32),
            power: cdl.power.map(|x| x as f32),
            sat: cdl.sat as f32,
        }
    }

    /// Scalar reference of the CDL in f32, same steps as [`Cdl::apply`].
    pub fn apply(&self, rgb: [f32; 3], style: CdlStyle) -> [f32; 3] {
        let mut v = [0.0f32; 3];
        for c in 0..3 {
            let x = rgb[c] * self.slope[c] + self.offset[c];
            v[c] = match style {
                CdlStyle::Asc => {
                    let x = if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) };
                    pow_f32(x, self.power[c])
                }
                CdlStyle::NoClamp => {
                    if x.is_nan() {
                        0.0
                    } else if x < 0.0 {
                        x
                    } else {
                        pow_f32(x, self.power[c])
                    }
                }
            };
        }
        if self.sat == 1.0 {
            return match style {
                CdlStyle::Asc => v.map(|x| x.clamp(0.0, 1.0)),
                CdlStyle::NoClamp => v,
            };
        }
        let luma = LUMA_REC709[0] as f32 * v[0]
            + LUMA_REC709[1] as f32 * v[1]
            + LUMA_REC709[2] as f32 * v[2];
        let out = v.map(|x| luma + self.sat * (x - luma));
        match style {
            CdlStyle::Asc => out.map(|x| if x.is_nan() { 0.0 } else { x.clamp(0.0, 1.0) }),
            CdlStyle::NoClamp => out,
        }
    }
}

/// `x^p` in f32, computed in f64 and rounded once: the same result on every platform's
/// libm, and what the SIMD kernels reproduce (f32 `powf` is not correctly rounded everywhere).
#[inline]
pub fn pow_f32(x: f32, p: f32) -> f32 {
    (x as f64).powf(p as f64) as f32
}

/// Clamp to [0, 1] with NaN → 0, as OpenColorIO's CDL renderer does.
fn clamp01(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// CDL saturation around Rec.709 luma.
pub fn saturate(v: [f64; 3], sat: f64) -> [f64; 3] {
    // `L + 1·(x − L)` can round away from x: saturation 1 must be exactly a no-op.
    if sat == 1.0 {
        return v;
    }
    let luma = LUMA_REC709[0] * v[0] + LUMA_REC709[1] * v[1] + LUMA_REC709[2] * v[2];
    v.map(|x| luma + sat * (x - luma))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    // Check values measured with OpenColorIO 2.6.0 (../shared/specs/color.md §1).
    #[test]
    fn matches_opencolorio_check_values() {
        let input = [-0.2, 0.5, 1.5];
        let cases = [
            ([2.0; 3], 1.0, [0.0, 0.25, 1.0], [-0.2, 0.25, 2.25]),
            (
                [1.0; 3],
                1.5,
                [0.0, 0.5351, 1.0],
                [-0.51169, 0.53831, 2.03831],
            ),
            (
                [2.0; 3],
                1.5,
                [0.0, 0.2495, 1.0],
                [-0.449365, 0.225635, 3.225635],
            ),
        ];
        for (power, sat, asc, noclamp) in cases {
            let cdl = Cdl {
                power,
                sat,
                ..Cdl::IDENTITY
            };
            assert!(close(cdl.apply(input, CdlStyle::Asc), asc, 1e-4));
            assert!(close(cdl.apply(input, CdlStyle::NoClamp), noclamp, 1e-5));
        }
    }

    #[test]
    fn validation_names_the_field() {
        let mut cdl = Cdl::IDENTITY;
        cdl.power[1] = 0.0;
        assert_eq!(
            cdl.validate().unwrap_err().to_string(),
            "CDL power.g is 0: it must be greater than 0 and at most 100"
        );
        cdl = Cdl::IDENTITY;
        cdl.slope[2] = -0.1;
        assert_eq!(
            cdl.validate().unwrap_err().to_string(),
            "CDL slope.b is -0.1: it must be from 0 to 100"
        );
        cdl = Cdl::IDENTITY;
        cdl.offset[0] = f64::NAN;
        assert!(matches!(
            cdl.validate(),
            Err(CdlError::NotFinite {
                field: "offset.r",
                ..
            })
        ));
        cdl = Cdl {
            sat: -1.0,
            ..Cdl::IDENTITY
        };
        assert!(matches!(
            cdl.validate(),
            Err(CdlError::OutOfRange { field: "sat", .. })
        ));
        // The ceiling: typos far beyond any grade are refused, the largest values kept.
        let at_ceiling = Cdl::from_sop_sat(
            [100.0, 0.0, 1.0, -100.0, 100.0, 0.0, 100.0, 1.0, 1.0],
            100.0,
        );
        assert!(at_ceiling.is_ok(), "{at_ceiling:?}");
        for (i, value, message) in [
            (0, 1e308, "CDL slope.r is 1e308: it must be from 0 to 100"),
            (4, -1e300, "CDL offset.g is -1e300: it must be within ±100"),
            (
                8,
                101.0,
                "CDL power.b is 101: it must be greater than 0 and at most 100",
            ),
            (9, 100.5, "CDL sat is 100.5: it must be from 0 to 100"),
        ] {
            let mut numbers = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
            numbers[i] = value;
            let sop: [f64; 9] = numbers[..9].try_into().unwrap();
            let err = Cdl::from_sop_sat(sop, numbers[9]).unwrap_err();
            assert_eq!(err.to_string(), message);
        }
    }

    #[test]
    fn f32_path_follows_f64_path() {
        let cdl = Cdl::from_sop_sat([1.2, 0.9, 1.1, 0.02, -0.01, 0.0, 0.9, 1.1, 1.3], 1.2).unwrap();
        for style in [CdlStyle::Asc, CdlStyle::NoClamp] {
            for x in [-0.3f32, 0.0, 0.18, 0.5, 0.99, 1.7] {
                let a = cdl.apply_f32([x, x * 0.5, x * 1.5], style);
                let b = cdl.apply([x as f64, x as f64 * 0.5, x as f64 * 1.5], style);
                for c in 0..3 {
                    assert!(
                        (a[c] as f64 - b[c]).abs() < 1e-5,
                        "{style} {x}: {a:?} {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn style_parses_and_rejects() {
        assert_eq!("asc".parse::<CdlStyle>().unwrap(), CdlStyle::Asc);
        assert_eq!("noclamp".parse::<CdlStyle>().unwrap(), CdlStyle::NoClamp);
        assert_eq!(
            "clamp".parse::<CdlStyle>().unwrap_err().to_string(),
            "unknown CDL style \"clamp\": expected one of asc, noclamp"
        );
    }

    fn uniform(slope: f64, offset: f64, power: f64, sat: f64) -> Cdl {
        Cdl {
            slope: [slope; 3],
            offset: [offset; 3],
            power: [power; 3],
            sat,
        }
    }

    #[test]
    fn merging_is_exact_or_refused() {
        let a = uniform(1.2, 0.05, 1.0, 1.0);
        let b = uniform(0.9, -0.01, 1.1, 0.8);
        let id = Cdl::IDENTITY;
        assert_eq!(Cdl::merge_exact(&[], CdlStyle::Asc), Some(id));
        assert_eq!(Cdl::merge_exact(&[id, b, id], CdlStyle::Asc), Some(b));
        assert_eq!(Cdl::merge_exact(&[a, id], CdlStyle::Asc), Some(a));
        // Clamping between the two CDLs makes the ASC merge inexact.
        assert_eq!(Cdl::merge_exact(&[a, b], CdlStyle::Asc), None);
        let m = Cdl::merge_exact(&[a, b], CdlStyle::NoClamp).unwrap();
        // (x·1.2 + 0.05)·0.9 − 0.01 = x·1.08 + 0.035, then b's power and saturation.
        assert!((m.slope[0] - 1.08).abs() < 1e-12 && (m.offset[0] - 0.035).abs() < 1e-12);
        assert_eq!((m.power, m.sat), (b.power, b.sat));
        assert_eq!(
            Cdl::merge_exact(&[b, a], CdlStyle::NoClamp),
            None,
            "a power before a slope does not merge"
        );
        assert_eq!(Cdl::merge_exact(&[a, b, b], CdlStyle::NoClamp), None);
    }

    /// A merged CDL renders what the chain renders, pixel by pixel.
    #[test]
    fn merged_cdl_applies_like_the_chain() {
        let chain = [
            Cdl::from_sop_sat([1.1, 0.95, 1.02, 0.01, -0.02, 0.0, 1.0, 1.0, 1.0], 1.0).unwrap(),
            Cdl::from_sop_sat([0.9, 1.05, 1.0, -0.01, 0.02, 0.03, 1.0, 1.0, 1.0], 1.0).unwrap(),
            Cdl::from_sop_sat([1.06, 1.0, 0.95, 0.005, 0.0, -0.01, 1.1, 1.1, 1.12], 1.1).unwrap(),
        ];
        let m = Cdl::merge_exact(&chain, CdlStyle::NoClamp).unwrap();
        for x in [-0.4, -0.01, 0.0, 0.18, 0.5, 0.9, 1.3, 2.0] {
            let rgb = [x, x * 0.7 + 0.05, x * 1.2 - 0.02];
            let want = chain.iter().fold(rgb, |v, c| c.apply(v, CdlStyle::NoClamp));
            let got = m.apply(rgb, CdlStyle::NoClamp);
            assert!(close(got, want, 1e-12), "{rgb:?}: {got:?} vs {want:?}");
        }
    }

    /// Two valid CDLs whose merge would pass the ceiling have no exact single CDL (the
    /// callers fit one instead), so every merged CDL can be exported and sent.
    #[test]
    fn a_merge_past_the_ceiling_is_none() {
        let gain = |s: f64| Cdl::from_sop_sat([s, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], 1.0);
        let (a, b) = (gain(11.0).unwrap(), gain(10.0).unwrap());
        assert_eq!(Cdl::merge_exact(&[a, b], CdlStyle::NoClamp), None);
        let ok = Cdl::merge_exact(&[a, gain(9.0).unwrap()], CdlStyle::NoClamp).unwrap();
        assert_eq!(ok.slope[0], 99.0);
        assert!(ok.validate().is_ok());
    }
}
