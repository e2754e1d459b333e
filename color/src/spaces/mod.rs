//! Camera and ACES encodings: transfer curves, gamuts and the registry of spaces.
//!
//! Every space has an id (`arri-logc3-awg3`), a human name, a transfer [`Curve`]
//! (code value ↔ scene linear) and a [`Gamut`]; its matrix to ACES2065-1 is
//! computed from the primaries with the chromatic adaptation its OpenColorIO
//! builtin uses (../shared/specs/color.md §2–§3).

pub mod curve;
pub mod gamut;
pub mod logc3;
pub(crate) mod math;
mod registry;

pub use curve::{Curve, LogAffine, LogCamera};
pub use gamut::{conversion_matrix, Adaptation, Gamut, AP0, AP1};

use nalgebra::Matrix3;
use serde::Serialize;

/// Prefix of LogC3 ids that carry an exposure index (`arri-logc3-awg3-ei1600`).
const LOGC3_EI_PREFIX: &str = "arri-logc3-awg3-ei";

/// A registered color space: a camera encoding, an ACES encoding or a broadcast one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InputSpace {
    pub id: String,
    pub name: String,
    pub curve_name: String,
    #[serde(skip)]
    pub curve: Curve,
    pub gamut: Gamut,
    pub adaptation: Adaptation,
    /// The OpenColorIO 2.6 builtin that converts this space to ACES2065-1, if any.
    pub ocio_builtin: Option<&'static str>,
}

/// A space id that is not registered, or a parameter in an id that is out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpaceError {
    #[error("unknown space {id:?}: expected one of {}, or {LOGC3_EI_PREFIX}N (N = exposure index {}..={})",
        ids().join(", "), logc3::EI_RANGE.start(), logc3::EI_RANGE.end())]
    Unknown { id: String },
    #[error("space {id:?}: exposure index {ei} is outside {}..={}", logc3::EI_RANGE.start(), logc3::EI_RANGE.end())]
    ExposureIndex { id: String, ei: String },
}

impl InputSpace {
    fn from_entry(e: &registry::Entry) -> Self {
        Self {
            id: e.id.to_owned(),
            name: e.name.to_owned(),
            curve_name: e.curve_name.to_owned(),
            curve: (e.curve)(),
            gamut: e.gamut,
            adaptation: e.adaptation,
            ocio_builtin: e.ocio_builtin,
        }
    }

    /// Linear RGB of this gamut → ACES2065-1 (AP0), with this space's adaptation.
    pub fn to_aces(&self) -> Matrix3<f64> {
        conversion_matrix(&self.gamut, &AP0, self.adaptation)
    }

    /// ACES2065-1 → linear RGB of this gamut: the inverse of [`InputSpace::to_aces`].
    pub fn from_aces(&self) -> Matrix3<f64> {
        gamut::invert(&self.to_aces())
    }

    /// ACEScc's OpenColorIO builtin clamps ACES2065-1 at 0 on its way in and out.
    pub fn clamps_negative_aces(&self) -> bool {
        matches!(self.curve, Curve::AcesCc)
    }
}

/// Every registered id in registry order (the LogC3 EI variants are not listed).
pub fn ids() -> Vec<&'static str> {
    registry::ENTRIES.iter().map(|e| e.id).collect()
}

/// Every registered space in registry order.
pub fn all() -> Vec<InputSpace> {
    registry::ENTRIES
        .iter()
        .map(InputSpace::from_entry)
        .collect()
}

/// The space with this id; `arri-logc3-awg3-eiN` gives LogC3 at exposure index N.
pub fn lookup(id: &str) -> Result<InputSpace, SpaceError> {
    if let Some(e) = registry::ENTRIES.iter().find(|e| e.id == id) {
        return Ok(InputSpace::from_entry(e));
    }
    let Some(ei_text) = id.strip_prefix(LOGC3_EI_PREFIX) else {
        return Err(SpaceError::Unknown { id: id.to_owned() });
    };
    let bad_ei = || SpaceError::ExposureIndex {
        id: id.to_owned(),
        ei: ei_text.to_owned(),
    };
    let digits = !ei_text.is_empty() && ei_text.bytes().all(|b| b.is_ascii_digit());
    let ei: u32 = if digits {
        ei_text.parse().map_err(|_| bad_ei())?
    } else {
        return Err(bad_ei());
    };
    if !logc3::EI_RANGE.contains(&ei) {
        return Err(bad_ei());
    }
    let base = registry::ENTRIES
        .iter()
        .find(|e| e.id == "arri-logc3-awg3")
        .map(InputSpace::from_entry)
        .ok_or(SpaceError::Unknown { id: id.to_owned() })?;
    Ok(InputSpace {
        id: id.to_owned(),
        name: format!("ARRI LogC3 (EI {ei}) / ARRI Wide Gamut 3"),
        curve_name: format!("ARRI LogC3 EI {ei}"),
        curve: Curve::LogCamera(logc3::curve(ei)),
        ocio_builtin: (ei == logc3::DEFAULT_EI)
            .then_some(base.ocio_builtin)
            .flatten(),
        ..base
    })
}

/// The ACEScct curve (the `acescct` working space of every pipeline).
pub fn acescct_curve() -> Curve {
    registry::acescct()
}
