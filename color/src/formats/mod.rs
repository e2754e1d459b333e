//! LUT and CDL file formats: one module per format, each with its reader, writer and tests.
//!
//! Every reader takes the file's bytes and a name for error messages, and returns the
//! engine's types; every parse error reads `FILE:LINE:COL: what is wrong, expected what`
//! (XML errors add the element path after the column).

pub mod cdl_xml;
pub mod clf;
pub mod convert;
pub mod csp;
pub mod cube;
mod error;
pub mod inspect;
mod lut_file;
pub mod spi1d;
pub mod spi3d;
mod text;
pub mod threedl;
pub mod xml;

pub use error::{FormatError, Location};
pub use lut_file::LutFile;
pub use text::f64_text;
pub use text::Precision;

use std::path::Path;

/// Reads a whole file, naming it in the error when that fails.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, FormatError> {
    std::fs::read(path).map_err(|io| FormatError::Io {
        file: path.display().to_string(),
        io,
    })
}

/// Writes a whole file, naming it in the error when that fails.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), FormatError> {
    std::fs::write(path, bytes).map_err(|io| FormatError::Io {
        file: path.display().to_string(),
        io,
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
    /// `.3dl` as Flame writes it (the reader takes every `.3dl` variant).
    Flame,
    /// `.3dl` as Lustre writes it.
    Lustre,
    Spi1d,
    Spi3d,
    Csp,
    Clf,
}

impl LutFormat {
    pub const ALL: &'static [LutFormat] = &[
        LutFormat::Cube,
        LutFormat::Flame,
        LutFormat::Lustre,
        LutFormat::Spi1d,
        LutFormat::Spi3d,
        LutFormat::Csp,
        LutFormat::Clf,
    ];

    /// The format's name on the command line (`cube`, `flame`, `lustre`, …).
    pub fn name(self) -> &'static str {
        match self {
            LutFormat::Cube => "cube",
            LutFormat::Flame => "flame",
            LutFormat::Lustre => "lustre",
            LutFormat::Spi1d => "spi1d",
            LutFormat::Spi3d => "spi3d",
            LutFormat::Csp => "csp",
            LutFormat::Clf => "clf",
        }
    }

    /// The file extension the format is written with.
    pub fn extension(self) -> &'static str {
        match self {
            LutFormat::Flame | LutFormat::Lustre => "3dl",
            other => other.name(),
        }
    }

    /// The format a name or file extension stands for (case-insensitive; `3dl` is Flame's).
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim_start_matches('.').to_ascii_lowercase();
        match name.as_str() {
            "3dl" => return Some(LutFormat::Flame),
            "ctf" => return Some(LutFormat::Clf),
            _ => {}
        }
        Self::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The format of a file, from its extension.
    pub fn from_path(path: &Path) -> Result<Self, FormatError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        Self::from_name(ext).ok_or_else(|| {
            let mut known: Vec<_> = Self::ALL.iter().map(|f| f.extension()).collect();
            known.dedup();
            known.push("ctf");
            FormatError::UnknownExtension {
                file: path.display().to_string(),
                extension: ext.to_owned(),
                known: known.join(", "),
            }
        })
    }

    /// Reads a file of this format; `file` names it in error messages.
    pub fn read(self, src: &[u8], file: &str) -> Result<LutFile, FormatError> {
        match self {
            LutFormat::Cube => cube::read(src, file),
            LutFormat::Flame | LutFormat::Lustre => threedl::read(src, file),
            LutFormat::Spi1d => spi1d::read(src, file),
            LutFormat::Spi3d => spi3d::read(src, file),
            LutFormat::Csp => csp::read(src, file),
            LutFormat::Clf => clf::read_lut(src, file),
        }
    }

    /// Writes a file of this format with the given value precision (integer formats ignore it).
    pub fn write(self, lut: &LutFile, precision: Precision) -> Result<Vec<u8>, FormatError> {
        let threedl = |variant| threedl::WriteOptions {
            variant,
            ..threedl::WriteOptions::default()
        };
        match self {
            LutFormat::Cube => cube::write(lut, &cube::WriteOptions { precision }),
            LutFormat::Flame => threedl::write(lut, &threedl(threedl::Variant::Flame)),
            LutFormat::Lustre => threedl::write(lut, &threedl(threedl::Variant::Lustre)),
            LutFormat::Spi1d => spi1d::write(lut, precision),
            LutFormat::Spi3d => spi3d::write(lut, precision),
            LutFormat::Csp => csp::write(lut, precision),
            LutFormat::Clf => clf::write_lut(lut, precision),
        }
    }

    /// What the format can hold, so that converters know what to bake.
    pub fn holds(self) -> Holds {
        match self {
            LutFormat::Cube => Holds {
                lut1d: true,
                lut3d: true,
                shaper: true,
                domain: true,
            },
            LutFormat::Flame | LutFormat::Lustre | LutFormat::Spi3d => Holds {
                lut1d: false,
                lut3d: true,
                shaper: false,
                domain: false,
            },
            LutFormat::Spi1d => Holds {
                lut1d: true,
                lut3d: false,
                shaper: false,
                domain: true,
            },
            LutFormat::Csp | LutFormat::Clf => Holds {
                lut1d: true,
                lut3d: true,
                shaper: true,
                domain: true,
            },
        }
    }
}

/// The table layouts a format can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holds {
    /// A 1D table alone.
    pub lut1d: bool,
    /// A 3D table.
    pub lut3d: bool,
    /// A 1D shaper before the 3D table.
    pub shaper: bool,
    /// An input domain other than 0..1.
    pub domain: bool,
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
