//! The [`Device`] trait every driver implements, what a device can take ([`Capabilities`]),
//! what it reports ([`DeviceStatus`], [`PushReport`]) and the look it is given ([`Look`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use lookwire_color::{Cdl, CdlStyle, Lut3d};

use crate::encode::{ColorError, EncodeError};

/// A boxed future, so that drivers can sit behind `dyn Device` in the device manager.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One camera's look for one output, as the show bakes it.
#[derive(Clone, Debug)]
pub struct Look {
    /// The whole look baked into one lattice (input transform → grade → output transform).
    pub lut: Arc<Lut3d>,
    /// The camera-side CDL, for devices that apply a CDL natively (and for `.cc` sinks).
    pub cdl: Option<Cdl>,
    /// The clamp style of `cdl`.
    pub cdl_style: CdlStyle,
    /// When `cdl` is a fit standing for a grade no single CDL expresses: its error on the
    /// output against the real grade (`None` when `cdl` is exact).
    pub cdl_fit: Option<ColorError>,
    /// A human label (camera and output), written into files and status.
    pub label: String,
    /// How closely `lut` follows the exact transform of the grade it stands for.
    pub quality: LookQuality,
}

/// How closely a look's lattice follows the exact transform of its grade.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LookQuality {
    /// The fast live bake, made while a grade changes: a fraction of a 10-bit code at the
    /// median, but up to hundreds of codes on saturated and bright nodes.
    Live,
    /// Within one 10-bit code of the exact transform at every node (the certified bake,
    /// an exact bake, or a lattice that is itself the look).
    #[default]
    Certified,
}

impl LookQuality {
    pub fn as_str(self) -> &'static str {
        match self {
            LookQuality::Live => "live",
            LookQuality::Certified => "certified",
        }
    }
}

impl Look {
    /// A look that is only a baked lattice.
    pub fn from_lut(lut: Lut3d, label: impl Into<String>) -> Self {
        Self {
            lut: Arc::new(lut),
            cdl: None,
            cdl_style: CdlStyle::Asc,
            cdl_fit: None,
            label: label.into(),
            quality: LookQuality::default(),
        }
    }
}

/// How a device stores LUT samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    /// IEEE 754 single precision, no quantisation.
    F32,
    /// Unsigned integers of `bits` significant bits (1..=16), full range 0..=2^bits − 1 for 0..1.
    UInt { bits: u8 },
}

impl fmt::Display for SampleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleFormat::F32 => f.write_str("f32"),
            SampleFormat::UInt { bits } => write!(f, "{bits}-bit integer"),
        }
    }
}

/// What a device can take; a look is encoded to fit these limits.
#[derive(Clone, Debug, PartialEq)]
pub struct Capabilities {
    /// The device's model or software name.
    pub model: String,
    /// 3D LUT lattice sizes it accepts (empty: it takes no 3D LUT).
    pub lut3d_sizes: Vec<usize>,
    /// Length of its 1D shaper table, if it has one.
    pub lut1d_size: Option<usize>,
    /// Whether it applies an ASC CDL itself.
    pub cdl_native: bool,
    /// How LUT samples are stored.
    pub sample_format: SampleFormat,
    /// Number of look memories (at least 1).
    pub slots: u8,
    /// Whether it carries SDR and/or HDR signals.
    pub sdr: bool,
    pub hdr: bool,
}

impl Capabilities {
    /// Whether the device takes any 3D LUT.
    pub fn takes_lut3d(&self) -> bool {
        !self.lut3d_sizes.is_empty()
    }
}

/// The connection state of one device, as the device manager reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    Connecting,
    Connected,
    /// Lost or refused; the manager retries with backoff.
    Disconnected,
}

impl ConnectionState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionState::Connecting => "connecting",
            ConnectionState::Connected => "connected",
            ConnectionState::Disconnected => "disconnected",
        }
    }
}

/// What a device says about itself when asked.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceStatus {
    /// The slot whose look is on the output, if the device has slots.
    pub active_slot: Option<u8>,
    /// A checksum of the look the device holds in its active slot, if it reports one.
    pub active_checksum: Option<u32>,
    /// Free text from the device (model, firmware, temperature, …).
    pub detail: String,
}

/// The outcome of one successful push.
#[derive(Clone, Debug, PartialEq)]
pub struct PushReport {
    /// Bytes written to the wire or the file system.
    pub bytes: usize,
    /// From the start of encoding to the device's acknowledgement.
    pub latency: Duration,
    /// The color error the device's limits cost against the exact look.
    pub error: ColorError,
}

/// Why talking to a device failed. Every variant names the device's address.
#[derive(Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("{addr}: cannot connect: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("{addr}: I/O error: {source}")]
    Io {
        addr: String,
        source: std::io::Error,
    },
    #[error("{addr}: no answer within {timeout:?} while {doing}")]
    Timeout {
        addr: String,
        timeout: Duration,
        doing: &'static str,
    },
    #[error("{addr}: protocol error: {message}")]
    Protocol { addr: String, message: String },
    #[error("{addr}: the device refused: {message}")]
    Refused { addr: String, message: String },
    #[error("{addr}: not connected")]
    NotConnected { addr: String },
    #[error("{addr}: cannot encode the look: {source}")]
    Encode { addr: String, source: EncodeError },
}

impl DeviceError {
    /// Whether the link should be dropped and reopened after this error.
    pub fn needs_reconnect(&self) -> bool {
        !matches!(
            self,
            DeviceError::Encode { .. } | DeviceError::Refused { .. }
        )
    }
}

/// A device that receives looks: a LUT box, a camera's corrector, a software peer, a folder.
pub trait Device: Send + fmt::Debug {
    /// The device family, e.g. `"lwlb"`, `"file-sink"`, `"bmd-rest"`.
    fn kind(&self) -> &'static str;
    /// Where the device is (address, path or port), for status and errors.
    fn address(&self) -> String;
    /// Opens the link and learns the device's capabilities.
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>>;
    /// The capabilities learned by the last successful `connect`.
    fn capabilities(&self) -> Option<&Capabilities>;
    /// Encodes `look` for the device and sends it, waiting for the device to take it.
    fn push<'a>(&'a mut self, look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>>;
    /// Asks the device for its status.
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>>;
    /// Drops the link; the next `connect` opens it again.
    fn disconnect(&mut self);
}
