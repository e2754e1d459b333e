//! lookwire's device drivers and wire codecs, one module per device family,
//! with a simulator of each device under [`sim`] for tests and the demo show.
//!
//! - [`device`]: the [`Device`] trait, capabilities, status, the look a device is given.
//! - [`encode`]: fitting a look to a device's limits and measuring what that costs.
//! - [`lwlb`]: lookwire's open software-LUT-box protocol (protocol/SPEC.md), both sides.

pub mod bmd;
pub mod device;
pub mod encode;
pub mod filesink;
pub mod lwlb;
pub mod manager;
pub mod osc;
pub mod serial;
pub mod sim;
pub mod tangent;
pub mod tsl;
pub mod videohub;

pub use device::{
    BoxFuture, Capabilities, ConnectionState, Device, DeviceError, DeviceStatus, Look, LookQuality,
    PushReport, SampleFormat,
};
pub use encode::{ColorError, EncodeError};
