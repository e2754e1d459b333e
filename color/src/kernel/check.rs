//! Check mode: a row rendered by a level is compared with the scalar reference.

use super::frame::Sample;
use super::rows::{RowMut, RowRef};
use super::{CpuLevel, KernelError};

/// A private copy of one row, rendered by the scalar reference.
pub(crate) enum OwnedRow<T> {
    Packed(Vec<T>, usize),
    Planar([Vec<T>; 3]),
}

impl<T: Sample> OwnedRow<T> {
    pub fn copy(row: &RowRef<'_, T>, width: usize) -> Self {
        match row {
            RowRef::Packed(d, spp) => OwnedRow::Packed(d[..width * spp].to_vec(), *spp),
            RowRef::Planar(p) => OwnedRow::Planar(p.map(|d| d[..width].to_vec())),
        }
    }

    pub fn as_mut(&mut self) -> RowMut<'_, T> {
        match self {
            OwnedRow::Packed(d, spp) => RowMut::Packed(d, *spp),
            OwnedRow::Planar([r, g, b]) => RowMut::Planar([r, g, b]),
        }
    }

    fn samples(&self) -> Vec<T> {
        match self {
            OwnedRow::Packed(d, _) => d.clone(),
            OwnedRow::Planar(p) => p.concat(),
        }
    }
}

fn samples<T: Sample>(row: &RowRef<'_, T>, width: usize) -> Vec<T> {
    match row {
        RowRef::Packed(d, spp) => d[..width * spp].to_vec(),
        RowRef::Planar(p) => p.map(|d| &d[..width]).concat(),
    }
}

/// Fails with the first sample where `got` leaves the tolerance around `reference`.
pub(crate) fn compare<T: Sample>(
    level: CpuLevel,
    y: usize,
    got: &RowRef<'_, T>,
    reference: &OwnedRow<T>,
    width: usize,
    magnitude: f32,
) -> Result<(), KernelError> {
    let got = samples(got, width);
    let expected = reference.samples();
    for (i, (a, b)) in got.iter().zip(&expected).enumerate() {
        let (a, b) = (a.to_f64(), b.to_f64());
        if !T::TOLERANCE.accepts(a, b, magnitude as f64) {
            return Err(KernelError::Mismatch {
                level,
                row: y,
                sample: i,
                got: a,
                expected: b,
            });
        }
    }
    Ok(())
}
