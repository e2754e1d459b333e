//! CLF — Academy/ASC Common LUT Format v3 (`.clf`) and the parts of Autodesk's `.ctf`
//! that it shares: a `ProcessList` of nodes applied in order.
//!
//! Nodes read: `LUT1D` (incl. `rawHalfs` and `halfDomain`), `LUT3D`, `Matrix`, `Range`, `ASC_CDL`, `Log`,
//! `Exponent`. Every node is normalised to 32-bit float on read (bit depths are scaling
//! labels only), so [`ProcessList::apply`] works on normalised values throughout.
//! Written: `LUT1D` (also `halfDomain`), `LUT3D`, `Matrix`, `Range` and `ASC_CDL`, all
//! `32f` but a half-domain table's input (`16f`). A list holding a half-domain table is
//! not a plain LUT file: [`read_lut`] bakes it like any other node list.

mod ops;
mod read;
mod write;

pub use ops::{
    CdlDirection, ClfOp, ExponentStyle, HalfDomainError, HalfDomainLut, LogParams, LogStyle,
    RangeOp,
};
pub use read::read;
pub use write::write;

use super::lut_file::LutFile;
use super::FormatError;
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d};

/// The SMPTE ST 2136-1 namespace OpenColorIO 2.6 writes.
pub const NAMESPACE_SMPTE: &str = "http://www.smpte-ra.org/ns/2136-1/2024";

/// A CLF or CTF document.
#[derive(Clone, Debug, PartialEq)]
pub struct ProcessList {
    pub id: Option<String>,
    pub name: Option<String>,
    /// `compCLFversion` (CLF) or `version` (CTF).
    pub version: Option<String>,
    pub namespace: Option<String>,
    pub descriptions: Vec<String>,
    pub input_descriptor: Option<String>,
    pub output_descriptor: Option<String>,
    pub ops: Vec<ClfOp>,
}

impl ProcessList {
    /// A list of nodes with a fresh CLF v3 header.
    pub fn new(ops: Vec<ClfOp>) -> Self {
        Self {
            id: None,
            name: None,
            version: Some("3".to_owned()),
            namespace: None,
            descriptions: Vec::new(),
            input_descriptor: None,
            output_descriptor: None,
            ops,
        }
    }

    /// Applies every node in order to one pixel.
    pub fn apply(&self, rgb: [f32; 3]) -> [f32; 3] {
        let mut v = rgb.map(f64::from);
        for op in &self.ops {
            v = op.apply(v);
        }
        v.map(|x| x as f32)
    }

    /// The list as a LUT file when it is one: optional domain mapping, optional 1D,
    /// optional domain mapping, optional 3D. None for any other list.
    pub fn as_lut_file(&self) -> Option<LutFile> {
        let mut ops = self.ops.iter().peekable();
        let mut lut1d = None;
        let mut lut3d = None;
        let mut interpolation = Interpolation::Trilinear;
        let mut domain = ops
            .next_if(|o| o.as_domain().is_some())
            .and_then(ClfOp::as_domain);
        if let Some(ClfOp::Lut1d(l)) = ops.peek() {
            lut1d =
                Some(Lut1d::new(l.data().to_vec(), domain.take().unwrap_or(Domain::UNIT)).ok()?);
            ops.next();
            domain = ops
                .next_if(|o| o.as_domain().is_some())
                .and_then(ClfOp::as_domain);
        }
        if let Some(ClfOp::Lut3d(l, interp)) = ops.peek() {
            let d = domain.take().unwrap_or(Domain::UNIT);
            lut3d = Some(Lut3d::new(l.size(), l.data().to_vec(), d).ok()?);
            interpolation = *interp;
            ops.next();
        }
        let complete =
            ops.next().is_none() && domain.is_none() && (lut1d.is_some() || lut3d.is_some());
        complete.then(|| LutFile {
            title: self.name.clone(),
            comments: self.descriptions.clone(),
            lut1d,
            lut3d,
            interpolation,
        })
    }

    /// The node list for a LUT file: a domain mapping before each table when needed.
    pub fn from_lut_file(lut: &LutFile) -> Self {
        let mut ops = Vec::new();
        if let Some(l1) = &lut.lut1d {
            ops.extend(ClfOp::domain(l1.domain()));
            let unit =
                Lut1d::new(l1.data().to_vec(), Domain::UNIT).expect("same table, unit domain");
            ops.push(ClfOp::Lut1d(unit));
        }
        if let Some(l3) = &lut.lut3d {
            ops.extend(ClfOp::domain(l3.domain()));
            let unit = Lut3d::new(l3.size(), l3.data().to_vec(), Domain::UNIT)
                .expect("same lattice, unit domain");
            ops.push(ClfOp::Lut3d(unit, lut.interpolation));
        }
        let mut list = Self::new(ops);
        list.name = lut.title.clone();
        list.descriptions = lut.comments.clone();
        list
    }
}

/// Reads a `.clf`/`.ctf` as a LUT file: exactly when it is one (see
/// [`ProcessList::as_lut_file`]), else baked into a 33³ table over 0..1.
pub fn read_lut(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let list = read(src, file)?;
    if let Some(lut) = list.as_lut_file() {
        return Ok(lut);
    }
    let lut3d = Lut3d::from_fn(33, |rgb| list.apply(rgb.map(|x| x as f32)).map(f64::from))
        .map_err(|e| FormatError::unsupported(".clf", e.to_string()))?;
    let mut out = LutFile::from_3d(lut3d);
    out.title = list.name.clone();
    out.comments = list.descriptions.clone();
    Ok(out)
}

/// Writes a LUT file as a CLF v3 document.
pub fn write_lut(lut: &LutFile, precision: super::Precision) -> Result<Vec<u8>, FormatError> {
    if lut.lut1d.is_none() && lut.lut3d.is_none() {
        return Err(FormatError::unsupported(".clf", "a file without tables"));
    }
    write(&ProcessList::from_lut_file(lut), precision)
}

#[cfg(test)]
mod tests;
