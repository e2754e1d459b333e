//! File sink: writes each look into a folder as a LUT or CDL file, atomically (temp file in
//! the same folder, fsync, rename), for boxes, monitors and software that watch folders.
//!
//! The sink writes the look it is given. A box that expects legal range gets it from the
//! device manager ([`crate::manager::DeviceManager::add_with_range`]), which puts the look
//! into the range *before* the box's calibration LUT, as the signal reaches the monitor.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use lookwire_color::formats::cdl_xml::{self, CdlDocument, CdlFileKind, ColorCorrection};
use lookwire_color::formats::{LutFile, LutFormat, Precision};

use crate::device::{
    BoxFuture, Capabilities, Device, DeviceError, DeviceStatus, Look, PushReport, SampleFormat,
};
use crate::encode::{self, ColorError, EncodeError};

/// What the sink writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkFormat {
    /// A LUT file in one of the formats lookwire writes (`.cube`, …).
    Lut(LutFormat),
    /// An ASC CDL `.cc` holding the look's CDL.
    Cc,
}

impl SinkFormat {
    /// The format for a name or extension: `cube`, `cc`, and any LUT format lookwire writes.
    pub fn from_name(name: &str) -> Option<Self> {
        let bare = name.trim_start_matches('.').to_ascii_lowercase();
        if bare == "cc" {
            return Some(SinkFormat::Cc);
        }
        LutFormat::from_name(&bare).map(SinkFormat::Lut)
    }
    pub fn extension(self) -> &'static str {
        match self {
            // The file extension (`3dl` for Flame and Lustre), not the format's name.
            SinkFormat::Lut(f) => f.extension(),
            SinkFormat::Cc => "cc",
        }
    }
}

/// Where and how a sink writes.
#[derive(Clone, Debug, PartialEq)]
pub struct FileSinkConfig {
    pub dir: PathBuf,
    pub format: SinkFormat,
    /// Lattice size written (33 is the common box size, 17 for small ones).
    pub size: usize,
    pub precision: Precision,
}

/// A folder that receives looks.
#[derive(Debug)]
pub struct FileSink {
    config: FileSinkConfig,
    caps: Option<Capabilities>,
    written: u64,
    last: Option<PathBuf>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl FileSink {
    pub fn new(config: FileSinkConfig) -> Self {
        Self {
            config,
            caps: None,
            written: 0,
            last: None,
        }
    }

    /// The file a look with this label is written to.
    pub fn path_for(&self, label: &str) -> PathBuf {
        let stem: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_. ".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let stem = stem.trim_matches(|c| c == '.' || c == ' ');
        let stem = if stem.is_empty() { "look" } else { stem };
        self.config
            .dir
            .join(format!("{stem}.{}", self.config.format.extension()))
    }

    fn io_err(&self, source: std::io::Error) -> DeviceError {
        io_err(&self.config, source)
    }

    fn encode_err(&self, source: EncodeError) -> DeviceError {
        encode_err(&self.config, source)
    }

    async fn do_push(&mut self, look: &Look) -> Result<PushReport, DeviceError> {
        let start = Instant::now();
        let path = self.path_for(&look.label);
        // Resampling, measuring and formatting a large lattice take tens of milliseconds
        // (hundreds at 129³): all of it runs off the async workers, so a big sink cannot
        // stall the other devices or the API.
        let (config, look, target) = (self.config.clone(), look.clone(), path.clone());
        let (len, error) = tokio::task::spawn_blocking(move || {
            let (bytes, error) = render(&config, &look)?;
            write_atomically(&target, &bytes).map_err(|e| io_err(&config, e))?;
            Ok::<_, DeviceError>((bytes.len(), error))
        })
        .await
        .map_err(|e| self.io_err(std::io::Error::other(e)))??;
        self.written += 1;
        self.last = Some(path);
        Ok(PushReport {
            bytes: len,
            latency: start.elapsed(),
            error,
        })
    }

    fn do_connect(&mut self) -> Result<Capabilities, DeviceError> {
        let meta = std::fs::metadata(&self.config.dir).map_err(|e| self.connect_err(e))?;
        if !meta.is_dir() || meta.permissions().readonly() {
            let e = std::io::Error::other("not a writable folder");
            return Err(self.connect_err(e));
        }
        if !lookwire_color::lut::LUT3D_SIZE_RANGE.contains(&self.config.size) {
            return Err(
                self.encode_err(EncodeError::Lut(lookwire_color::LutError::Size {
                    kind: "3D",
                    size: self.config.size,
                    min: 2,
                    max: 256,
                })),
            );
        }
        let is_cc = self.config.format == SinkFormat::Cc;
        let caps = Capabilities {
            model: format!("folder of .{} files", self.config.format.extension()),
            lut3d_sizes: if is_cc {
                vec![]
            } else {
                vec![self.config.size]
            },
            lut1d_size: None,
            cdl_native: is_cc,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: true,
        };
        self.caps = Some(caps.clone());
        Ok(caps)
    }

    fn connect_err(&self, source: std::io::Error) -> DeviceError {
        DeviceError::Connect {
            addr: self.address(),
            source,
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, flushes it to disk and renames it
/// over `path`, so a watcher sees the old file or the new one, never a partial one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("look");
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn io_err(config: &FileSinkConfig, source: std::io::Error) -> DeviceError {
    DeviceError::Io {
        addr: config.dir.display().to_string(),
        source,
    }
}

fn encode_err(config: &FileSinkConfig, source: EncodeError) -> DeviceError {
    DeviceError::Encode {
        addr: config.dir.display().to_string(),
        source,
    }
}

/// The file's bytes for a look, and the error the sink's size costs.
fn render(config: &FileSinkConfig, look: &Look) -> Result<(Vec<u8>, ColorError), DeviceError> {
    let write_err =
        |e: &dyn std::fmt::Display| io_err(config, std::io::Error::other(e.to_string()));
    match config.format {
        SinkFormat::Cc => {
            let cdl = look
                .cdl
                .ok_or_else(|| encode_err(config, EncodeError::NoCdl))?;
            let doc = CdlDocument::from_corrections(
                CdlFileKind::Cc,
                vec![ColorCorrection::new(&look.label, cdl)],
            );
            let bytes = cdl_xml::write(&doc).map_err(|e| write_err(&e))?;
            Ok((bytes, ColorError::default()))
        }
        SinkFormat::Lut(format) => {
            let resampled = encode::resample(&look.lut, config.size)
                .map_err(|e| encode_err(config, e.into()))?;
            let error = encode::measure_error(&look.lut, &resampled);
            let mut file = LutFile::from_3d(resampled);
            file.title = Some(look.label.clone());
            file.comments.push("written by lookwire".into());
            let bytes = format
                .write(&file, config.precision)
                .map_err(|e| write_err(&e))?;
            Ok((bytes, error))
        }
    }
}

impl Device for FileSink {
    fn kind(&self) -> &'static str {
        "file-sink"
    }
    fn address(&self) -> String {
        self.config.dir.display().to_string()
    }
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>> {
        Box::pin(std::future::ready(self.do_connect()))
    }
    fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }
    fn push<'a>(&'a mut self, look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>> {
        Box::pin(self.do_push(look))
    }
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>> {
        let detail = match &self.last {
            Some(p) => format!("{} files written, last {}", self.written, p.display()),
            None => "no file written yet".to_string(),
        };
        Box::pin(std::future::ready(Ok(DeviceStatus {
            active_slot: None,
            active_checksum: None,
            detail,
        })))
    }
    fn disconnect(&mut self) {
        self.caps = None;
    }
}
