//! LUT and CDL file formats: one module per format, each with its reader, writer and tests.
//!
//! Every reader takes the file's bytes and a name for error messages, and returns the
//! engine's types; every parse error reads `FILE:LINE:COL: what is wrong, expected what`
//! (XML errors add the element path after the column).

pub mod cdl_xml;
pub mod cube;
mod error;
mod lut_file;
mod text;
mod xml;

pub use error::{FormatError, Location};
pub use lut_file::LutFile;
pub use text::Precision;

use std::path::Path;

/// Reads a whole file, naming it in the error when that fails.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, FormatError> {
    std::fs::read(path).map_err(|source| FormatError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Writes a whole file, naming it in the error when that fails.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), FormatError> {
    std::fs::write(path, bytes).map_err(|source| FormatError::Io {
        file: path.display().to_string(),
        source,
    })
}

/// Reads an ASC CDL document (`.cc`, `.ccc`, `.cdl`) from disk.
pub fn read_cdl(path: &Path) -> Result<cdl_xml::CdlDocument, FormatError> {
    cdl_xml::read(&read_bytes(path)?, &path.display().to_string())
}

/// The LUT file formats lookwire reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LutFormat {
    Cube,
}

impl LutFormat {
    pub const ALL: &'static [LutFormat] = &[LutFormat::Cube];

    /// The format's usual name on the command line (`cube`, `3dl`, …).
    pub fn name(self) -> &'static str {
        match self {
            LutFormat::Cube => "cube",
        }
    }

    /// The format a name or file extension stands for (case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim_start_matches('.').to_ascii_lowercase();
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The format of a file, from its extension.
    pub fn from_path(path: &Path) -> Result<Self, FormatError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        Self::from_name(ext).ok_or_else(|| {
            let known: Vec<_> = Self::ALL.iter().map(|f| f.name()).collect();
            FormatError::unsupported(
                "lookwire",
                format!(
                    "LUT files named {:?}: known extensions are {}",
                    path.display().to_string(),
                    known.join(", ")
                ),
            )
        })
    }

    /// Reads a file of this format; `file` names it in error messages.
    pub fn read(self, src: &[u8], file: &str) -> Result<LutFile, FormatError> {
        match self {
            LutFormat::Cube => cube::read(src, file),
        }
    }

    /// Writes a file of this format with the given value precision.
    pub fn write(self, lut: &LutFile, precision: Precision) -> Result<Vec<u8>, FormatError> {
        match self {
            LutFormat::Cube => cube::write(lut, &cube::WriteOptions { precision }),
        }
    }
}

/// Reads a LUT file from disk, choosing the reader by extension.
pub fn read_lut(path: &Path) -> Result<LutFile, FormatError> {
    let format = LutFormat::from_path(path)?;
    format.read(&read_bytes(path)?, &path.display().to_string())
}

/// Writes a LUT file to disk, choosing the writer by extension.
pub fn write_lut(path: &Path, lut: &LutFile, precision: Precision) -> Result<(), FormatError> {
    let format = LutFormat::from_path(path)?;
    write_bytes(path, &format.write(lut, precision)?)
}
