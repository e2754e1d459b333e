//! The live-vs-exact error of a look, measured without a third bake.
//!
//! A certified bake is the exact bake to within its bound: nodes it computed exactly are
//! the exact values (f64 rounded to f32), every other node lies within `max_codes` of
//! the exact value. So comparing the fast bake with the certified bake of the same grade
//! gives the fast bake's error against the exact bake at every node, each figure within
//! `max_codes` (exact at the exactly computed nodes). A maximum or a quantile of values
//! each known within ±δ is itself known within ±δ, so [`LiveError::max_codes`] and
//! [`LiveError::p999_codes`] are within [`LiveError::within_codes`] of the true figures.

use crate::cdl::{Cdl, CdlStyle};
use crate::lut::{Domain, Lut3d, LutError};

use super::{Certified, LiveBake};

/// 10-bit code values per unit of normalised signal.
const CODES: f32 = 1023.0;

/// How far a look's fast (live) bake strays from its exact bake, in 10-bit code values,
/// over every channel of every node of the lattice.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiveError {
    /// Largest |fast − exact|.
    pub max_codes: f32,
    /// 99.9th percentile of |fast − exact| (the value at index ⌊0.999·count⌋ of the
    /// sorted errors, count = 3·nodes).
    pub p999_codes: f32,
    /// How far each figure above may be from the true one: the certified bake's bound
    /// (0 when every node was computed exactly).
    pub within_codes: f32,
    /// Nodes of the lattice.
    pub nodes: usize,
    /// Nodes the certified bake computed exactly (their errors are exact figures).
    pub exact_nodes: usize,
}

/// The error of `fast` (a fast bake) against the exact bake, measured through `certified`
/// (the certified bake of the same grade, `bound_codes` its bound and `report` what it
/// returned). Both lattices hold the same nodes in the same order; extra nodes of the
/// longer one are ignored. Costs one pass and one selection over the nodes (about a
/// millisecond at 33³), no bake.
pub fn live_error(
    fast: &[[f32; 3]],
    certified: &[[f32; 3]],
    bound_codes: f32,
    report: Certified,
) -> LiveError {
    let mut errs: Vec<f32> = fast
        .iter()
        .zip(certified)
        .flat_map(|(a, b)| (0..3).map(move |c| (a[c] - b[c]).abs() * CODES))
        .map(|e| if e.is_nan() { f32::INFINITY } else { e })
        .collect();
    let nodes = errs.len() / 3;
    let (max_codes, p999_codes) = if errs.is_empty() {
        (0.0, 0.0)
    } else {
        let max = errs.iter().copied().fold(0.0, f32::max);
        let k = ((errs.len() as f64 * 0.999) as usize).min(errs.len() - 1);
        let (_, p, _) = errs.select_nth_unstable_by(k, f32::total_cmp);
        (max, *p)
    };
    let exact_nodes = report.exact_nodes.min(nodes);
    LiveError {
        max_codes,
        p999_codes,
        within_codes: if exact_nodes == nodes {
            0.0
        } else {
            bound_codes
        },
        nodes,
        exact_nodes,
    }
}

/// A settled look: the certified lattice to push, and the live bake's error for it.
#[derive(Debug, Clone)]
pub struct Settled {
    /// The certified bake (within `bound_codes` of the exact bake), unit domain.
    pub lut: Lut3d,
    pub certified: Certified,
    /// How far the fast bake of the same grade (what devices showed while the trim
    /// moved) strays from the exact bake.
    pub live_error: LiveError,
}

impl LiveBake {
    /// What the server does when a trim settles, in one call: the certified bake (every
    /// node within `bound_codes` 10-bit codes of the exact bake) and the fast bake's
    /// error against the exact bake, measured through it ([`live_error`]), so the error
    /// can be published per look without a third (exact) bake. The fast bake costs under
    /// a millisecond beside the certified one.
    pub fn bake_settled(
        &self,
        cdl: &Cdl,
        style: CdlStyle,
        bound_codes: f32,
    ) -> Result<Settled, LutError> {
        let n3 = self.size.pow(3);
        let mut fast = Vec::with_capacity(n3);
        self.bake_into(cdl, style, &mut fast);
        let mut data = Vec::with_capacity(n3);
        let certified = self.bake_certified_into(cdl, style, bound_codes, &mut data);
        let live_error = live_error(&fast, &data, bound_codes, certified);
        Ok(Settled {
            lut: Lut3d::new(self.size, data, Domain::UNIT)?,
            certified,
            live_error,
        })
    }
}
