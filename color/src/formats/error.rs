//! The error every reader and writer returns: it names the fault and where it is.

use std::fmt;

/// Where in a file a fault was found: `FILE:LINE:COL`, plus the element path for XML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// 1-based column (in bytes).
    pub col: usize,
    /// XML only: the element path, e.g. `/ColorCorrectionCollection/ColorCorrection[2]/SOPNode`.
    pub path: Option<String>,
}

impl Location {
    pub fn new(file: &str, line: usize, col: usize) -> Self {
        Self {
            file: file.to_owned(),
            line,
            col,
            path: None,
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)?;
        if let Some(path) = &self.path {
            write!(f, ": {path}")?;
        }
        Ok(())
    }
}

/// A file that cannot be read or a table that cannot be written.
///
/// The kinds follow image-rs: the file breaks the format, goes past a limit, cannot be
/// opened, or asks for something the format cannot express.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The file breaks the format's grammar or rules.
    #[error("{at}: {what}, expected {expected}")]
    Format {
        at: Location,
        what: String,
        expected: String,
    },
    /// A declared size or count lies beyond what lookwire accepts.
    #[error("{at}: {what}, expected {expected}")]
    Limits {
        at: Location,
        what: String,
        expected: String,
    },
    /// The file could not be opened, read or written (the OS error is in the message).
    #[error("{file}: {io}")]
    Io { file: String, io: std::io::Error },
    /// A file name whose extension names no LUT format lookwire knows.
    #[error("{file}: {}, expected one of {known}", unknown_extension(extension))]
    UnknownExtension {
        file: String,
        extension: String,
        known: String,
    },
    /// A writer was asked for something its format cannot hold.
    #[error("{format} cannot hold {what}")]
    Unsupported { format: &'static str, what: String },
}

fn unknown_extension(extension: &str) -> String {
    if extension.is_empty() {
        "the file name has no extension".into()
    } else {
        format!("unknown LUT file extension {extension:?}")
    }
}

impl FormatError {
    pub fn format(at: Location, what: impl Into<String>, expected: impl Into<String>) -> Self {
        Self::Format {
            at,
            what: what.into(),
            expected: expected.into(),
        }
    }

    pub fn limits(at: Location, what: impl Into<String>, expected: impl Into<String>) -> Self {
        Self::Limits {
            at,
            what: what.into(),
            expected: expected.into(),
        }
    }

    pub fn unsupported(format: &'static str, what: impl Into<String>) -> Self {
        Self::Unsupported {
            format,
            what: what.into(),
        }
    }

    /// The location of a parse error (none for I/O and writer errors).
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::Format { at, .. } | Self::Limits { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// Shows at most 40 characters of a token taken from a file, quoted.
pub(crate) fn quote(token: &[u8]) -> String {
    let text = String::from_utf8_lossy(token);
    let mut short: String = text.chars().take(40).collect();
    if text.chars().nth(40).is_some() {
        short.push('…');
    }
    format!("{short:?}")
}
