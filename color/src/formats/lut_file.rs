//! What a LUT file holds once read: an optional 1D table (a shaper when a 3D
//! table follows), an optional 3D table, and the file's title and comments.

use crate::lut::{Interpolation, Lut1d, Lut3d};

/// A LUT file's content in the engine's types.
#[derive(Clone, Debug, PartialEq)]
pub struct LutFile {
    pub title: Option<String>,
    /// Comment lines, without their comment marker.
    pub comments: Vec<String>,
    /// Applied first; a shaper when `lut3d` is present.
    pub lut1d: Option<Lut1d>,
    pub lut3d: Option<Lut3d>,
    /// How the 3D table interpolates (tetrahedral unless the file says otherwise, as CLF can).
    pub interpolation: Interpolation,
}

impl LutFile {
    /// A file holding one 3D table.
    pub fn from_3d(lut3d: Lut3d) -> Self {
        Self {
            title: None,
            comments: Vec::new(),
            lut1d: None,
            lut3d: Some(lut3d),
            interpolation: Interpolation::Tetrahedral,
        }
    }

    /// A file holding one 1D table.
    pub fn from_1d(lut1d: Lut1d) -> Self {
        Self {
            title: None,
            comments: Vec::new(),
            lut1d: Some(lut1d),
            lut3d: None,
            interpolation: Interpolation::Tetrahedral,
        }
    }

    /// Applies the file's tables to one pixel: 1D (linear) then 3D (tetrahedral).
    pub fn apply(&self, rgb: [f32; 3]) -> [f32; 3] {
        self.apply_with(rgb, self.interpolation)
    }

    /// Applies the file's tables with the chosen 3D interpolation.
    pub fn apply_with(&self, rgb: [f32; 3], interpolation: Interpolation) -> [f32; 3] {
        let mut v = rgb;
        if let Some(lut) = &self.lut1d {
            v = lut.lookup(v);
        }
        if let Some(lut) = &self.lut3d {
            v = lut.lookup(v, interpolation);
        }
        v
    }

    /// Same as [`LutFile::apply`] in f64 arithmetic over the f32 tables (for resampling).
    pub fn apply_f64(&self, rgb: [f64; 3]) -> [f64; 3] {
        let mut v = rgb;
        if let Some(lut) = &self.lut1d {
            v = lut.lookup_f64(v);
        }
        if let Some(lut) = &self.lut3d {
            v = lut.lookup_f64(v, self.interpolation);
        }
        v
    }
}
