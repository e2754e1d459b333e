//! A device as the API adds it: which driver, where it is, what it carries. Checked field by
//! field so a bad configuration is refused with what is wrong and where (a JSON pointer).

use std::net::SocketAddr;

use lookwire_color::formats::{LutFile, LutFormat, Precision};
use lookwire_protocol::bmd::rest::BmdRestCamera;
use lookwire_protocol::bmd::shield::SdiShieldCamera;
use lookwire_protocol::filesink::{FileSink, FileSinkConfig, SinkFormat};
use lookwire_protocol::lwlb::sender::LutBoxClient;
use lookwire_protocol::serial::SerialConfig;
use lookwire_protocol::Device;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::show::{is_valid_id, Id, Show, SignalRange};

/// One device: its id, the camera and output whose look it carries (look devices only) and
/// its driver's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// URL-safe id: 1–64 of `a-z 0-9 - _ .`.
    pub id: Id,
    /// The camera whose look the device receives (look devices: lwlb, file-sink, bmd-rest,
    /// bmd-sdi-serial).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub camera: Option<Id>,
    /// The show output (display transform and range) the look is baked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<Id>,
    /// A monitor-calibration LUT from the show's files (.cube/.3dl, 1D or 3D), applied last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Id>,
    pub driver: Driver,
}

/// The driver and its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Driver {
    /// A LUT box speaking lookwire's open protocol (protocol/SPEC.md) over TCP.
    Lwlb {
        /// `host:port` of the box.
        address: String,
        /// The box slot the look is written to.
        #[serde(default)]
        slot: u8,
    },
    /// A folder that receives each look as a file, written atomically.
    FileSink {
        /// An absolute path to an existing, writable folder on the server.
        dir: String,
        /// `cube`, `3dl`, `clf`, `spi3d`, `csp` or `cc` (the look's CDL only).
        format: String,
        /// Lattice size written (2–129; 33 is the common box size).
        #[serde(default = "default_size")]
        size: usize,
        /// The range the box expects on the wire; the calibration LUT comes after it.
        #[serde(default = "default_range")]
        #[schema(value_type = crate::api::schema::SignalRangeDoc)]
        range: SignalRange,
    },
    /// A Blackmagic camera's primary corrector over its REST API.
    BmdRest {
        /// `host:port` of the camera's web server.
        address: String,
    },
    /// A Blackmagic camera through the 3G-SDI shield, over a serial line.
    BmdSdiSerial {
        /// The serial port, e.g. `/dev/serial/by-id/usb-Arduino…`.
        port: String,
        #[serde(default = "default_baud")]
        baud: u32,
        /// The camera number on the SDI loop (0–254; 255 would hit every camera).
        camera_number: u8,
    },
    /// A Blackmagic Videohub router (Ethernet protocol, TCP 9990).
    Videohub {
        /// `host:port` of the router.
        address: String,
    },
    /// Tangent panels through the Tangent Hub (TIPC over TCP): they grade one selected
    /// camera's trim (protocol/README.md: binding the panel's controls to lookwire's ids).
    Tangent {
        /// `host:port` of the Tangent Hub (default `127.0.0.1:64246`).
        #[serde(default = "default_tangent")]
        address: String,
        /// Absolute folder holding the Controls and Default Map XML made for lookwire's
        /// ids, sent to the Hub in the ApplicationDefinition (empty: none).
        #[serde(default)]
        system_dir: String,
        /// Absolute folder of the user's maps (empty: none).
        #[serde(default)]
        user_dir: String,
    },
    /// TSL UMD tally from the vision mixer (v3.1 and v5.0 over UDP, one of them over TCP).
    Tsl {
        /// Where to listen for UDP datagrams, e.g. `0.0.0.0:8900`.
        udp: String,
        /// Where to listen for TCP connections.
        tcp: String,
        /// What the TCP connections speak: `v31` or `v5`.
        #[serde(default = "default_flavour")]
        tcp_flavour: TslFlavour,
        /// Tally index → camera id. Indices not listed match a camera by its id or label.
        #[serde(default)]
        sources: std::collections::BTreeMap<String, Id>,
        /// What a look change does while its camera is on air.
        #[serde(default)]
        protection: Protection,
        /// A source silent for this long (ms, 500–3600000; default 10000) no longer keeps
        /// its cameras on air: they are marked `expired`, off air, until it speaks again.
        #[serde(default = "default_tally_timeout")]
        timeout_ms: u64,
    },
}

/// TSL over TCP: back-to-back v3.1 packets or DLE/STX-wrapped v5.0 packets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TslFlavour {
    V31,
    V5,
}

/// On-air protection: what a look change does to a device whose camera is on air.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "mode", rename_all = "lowercase", deny_unknown_fields)]
pub enum Protection {
    /// The change goes out at once.
    #[default]
    Off,
    /// The change is held until the camera is off air, then sent.
    Hold,
    /// The change fades from the look on air to the new one over `frames` show frames.
    Fade { frames: u32 },
}

fn default_size() -> usize {
    33
}
fn default_range() -> SignalRange {
    SignalRange::Full
}
fn default_baud() -> u32 {
    115_200
}
fn default_tangent() -> String {
    lookwire_protocol::tangent::DEFAULT_ADDRESS.into()
}
fn default_tally_timeout() -> u64 {
    10_000
}
fn default_flavour() -> TslFlavour {
    TslFlavour::V5
}

/// A configuration refused: what is wrong and where (a JSON pointer into the body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    pub path: String,
    pub message: String,
}

fn bad(path: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        path: path.into(),
        message: message.into(),
    }
}

/// Frames a fade may last (10 s at 60 fps).
pub const MAX_FADE_FRAMES: u32 = 600;

impl Driver {
    /// The driver's name as `kind` spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            Driver::Lwlb { .. } => "lwlb",
            Driver::FileSink { .. } => "file-sink",
            Driver::BmdRest { .. } => "bmd-rest",
            Driver::BmdSdiSerial { .. } => "bmd-sdi-serial",
            Driver::Videohub { .. } => "videohub",
            Driver::Tsl { .. } => "tsl",
            Driver::Tangent { .. } => "tangent",
        }
    }

    /// Whether the device receives looks (and so needs a camera and an output).
    pub fn takes_looks(&self) -> bool {
        !matches!(
            self,
            Driver::Videohub { .. } | Driver::Tsl { .. } | Driver::Tangent { .. }
        )
    }
}

impl DeviceConfig {
    /// Checks every field against itself and the show.
    pub fn validate(&self, show: &Show) -> Result<(), ConfigError> {
        if !is_valid_id(&self.id) {
            return Err(bad(
                "/id",
                format!(
                    "{:?} is not an id: 1–64 of a-z 0-9 - _ . starting with a letter or digit",
                    self.id
                ),
            ));
        }
        self.validate_routing(show)?;
        if let Some(cal) = &self.calibration {
            if !show.files.contains_key(cal) {
                return Err(bad(
                    "/calibration",
                    format!("no file {cal:?} in the show (upload it first)"),
                ));
            }
        }
        validate_driver(&self.driver, show)
    }

    fn validate_routing(&self, show: &Show) -> Result<(), ConfigError> {
        let kind = self.driver.kind();
        if !self.driver.takes_looks() {
            for (field, v) in [
                ("camera", &self.camera),
                ("output", &self.output),
                ("calibration", &self.calibration),
            ] {
                if v.is_some() {
                    return Err(bad(
                        &format!("/{field}"),
                        format!("a {kind} device takes no look: leave {field} out"),
                    ));
                }
            }
            return Ok(());
        }
        let camera = self.camera.as_ref().ok_or_else(|| {
            bad(
                "/camera",
                format!("a {kind} device needs the camera it carries"),
            )
        })?;
        if !show.cameras.contains_key(camera) {
            return Err(bad("/camera", format!("no camera {camera:?} in the show")));
        }
        let output = self
            .output
            .as_ref()
            .ok_or_else(|| bad("/output", format!("a {kind} device needs a show output")))?;
        if !show.outputs.contains_key(output) {
            return Err(bad("/output", format!("no output {output:?} in the show")));
        }
        Ok(())
    }

    /// The look driver for this configuration (`None` for routers and tally sources).
    pub fn look_device(&self) -> Option<Box<dyn Device>> {
        Some(match &self.driver {
            Driver::Lwlb { address, slot } => Box::new(LutBoxClient::new(address.clone(), *slot)),
            Driver::FileSink {
                dir, format, size, ..
            } => Box::new(FileSink::new(FileSinkConfig {
                dir: dir.into(),
                format: SinkFormat::from_name(format)?,
                size: *size,
                precision: Precision::Fixed(6),
            })),
            Driver::BmdRest { address } => Box::new(BmdRestCamera::new(address.clone())),
            Driver::BmdSdiSerial {
                port,
                baud,
                camera_number,
            } => Box::new(SdiShieldCamera::new(
                SerialConfig::new(port.clone(), *baud),
                *camera_number,
            )),
            Driver::Videohub { .. } | Driver::Tsl { .. } | Driver::Tangent { .. } => return None,
        })
    }

    /// The range the device expects on the wire, applied before its calibration LUT.
    pub fn wire_range(&self) -> SignalRange {
        match &self.driver {
            Driver::FileSink { range, .. } => *range,
            _ => SignalRange::Full,
        }
    }
}

/// A calibration LUT from a show file's name and bytes: any LUT format lookwire reads,
/// holding a 1D or 3D table.
pub fn read_calibration(name: &str, bytes: &[u8]) -> Result<LutFile, String> {
    let format = LutFormat::from_path(std::path::Path::new(name)).map_err(|e| e.to_string())?;
    let lut = format.read(bytes, name).map_err(|e| e.to_string())?;
    if lut.lut1d.is_none() && lut.lut3d.is_none() {
        return Err(format!("{name} holds no 1D or 3D LUT"));
    }
    Ok(lut)
}

fn check_addr(path: &str, addr: &str) -> Result<(), ConfigError> {
    let (host, port) = addr.rsplit_once(':').ok_or_else(|| {
        bad(
            path,
            format!("{addr:?} is not host:port (e.g. 192.0.2.7:9000)"),
        )
    })?;
    if addr.parse::<SocketAddr>().is_ok() {
        return Ok(());
    }
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    match port.parse::<u16>() {
        Ok(p) if p > 0 && host_ok => Ok(()),
        Ok(_) | Err(_) if !host_ok => Err(bad(path, format!("{host:?} is not a host name"))),
        _ => Err(bad(path, format!("{port:?} is not a port (1–65535)"))),
    }
}

fn check_bind(path: &str, addr: &str) -> Result<(), ConfigError> {
    addr.parse::<SocketAddr>().map(|_| ()).map_err(|_| {
        bad(
            path,
            format!("{addr:?} is not an IP address and port to listen on (e.g. 0.0.0.0:8900)"),
        )
    })
}

fn validate_driver(driver: &Driver, show: &Show) -> Result<(), ConfigError> {
    match driver {
        Driver::Lwlb { address, .. }
        | Driver::BmdRest { address }
        | Driver::Videohub { address } => check_addr("/driver/address", address),
        Driver::Tangent {
            address,
            system_dir,
            user_dir,
        } => {
            check_addr("/driver/address", address)?;
            for (path, dir) in [
                ("/driver/system_dir", system_dir),
                ("/driver/user_dir", user_dir),
            ] {
                if !dir.is_empty() && !std::path::Path::new(dir).is_absolute() {
                    return Err(bad(path, format!("{dir:?} is not an absolute path")));
                }
            }
            Ok(())
        }
        Driver::FileSink {
            dir, format, size, ..
        } => {
            if !std::path::Path::new(dir).is_absolute() {
                return Err(bad(
                    "/driver/dir",
                    format!("{dir:?} is not an absolute path"),
                ));
            }
            match SinkFormat::from_name(format) {
                Some(SinkFormat::Lut(LutFormat::Spi1d)) => {
                    return Err(bad("/driver/format", "spi1d holds no 3D look"))
                }
                Some(_) => {}
                None => {
                    return Err(bad(
                        "/driver/format",
                        format!("unknown format {format:?}: cube, 3dl, clf, spi3d, csp or cc"),
                    ))
                }
            }
            if !(2..=129).contains(size) {
                return Err(bad(
                    "/driver/size",
                    format!("{size} is not a lattice size from 2 to 129"),
                ));
            }
            Ok(())
        }
        Driver::BmdSdiSerial {
            port,
            baud,
            camera_number,
        } => {
            if port.is_empty() {
                return Err(bad("/driver/port", "name the serial port"));
            }
            if *baud == 0 {
                return Err(bad("/driver/baud", "a baud rate above 0"));
            }
            if *camera_number == 255 {
                return Err(bad(
                    "/driver/camera_number",
                    "255 is the broadcast address and would grade every camera on the loop",
                ));
            }
            Ok(())
        }
        Driver::Tsl {
            udp,
            tcp,
            sources,
            protection,
            timeout_ms,
            ..
        } => {
            if !(500..=3_600_000).contains(timeout_ms) {
                return Err(bad(
                    "/driver/timeout_ms",
                    format!("{timeout_ms} ms: a tally source times out after 500 to 3600000 ms"),
                ));
            }
            check_bind("/driver/udp", udp)?;
            check_bind("/driver/tcp", tcp)?;
            for (index, camera) in sources {
                if index.parse::<u16>().is_err() {
                    return Err(bad(
                        &format!("/driver/sources/{index}"),
                        format!("{index:?} is not a tally index (0–65535)"),
                    ));
                }
                if !show.cameras.contains_key(camera) {
                    return Err(bad(
                        &format!("/driver/sources/{index}"),
                        format!("no camera {camera:?} in the show"),
                    ));
                }
            }
            if let Protection::Fade { frames } = protection {
                if !(1..=MAX_FADE_FRAMES).contains(frames) {
                    return Err(bad(
                        "/driver/protection/frames",
                        format!("{frames} frames: a fade lasts 1 to {MAX_FADE_FRAMES} frames"),
                    ));
                }
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::demo::demo_show;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> DeviceConfig {
        serde_json::from_value(v).unwrap()
    }

    fn refused(v: serde_json::Value) -> ConfigError {
        parse(v).validate(&demo_show()).unwrap_err()
    }

    #[test]
    fn a_good_config_passes_and_round_trips() {
        let c = parse(json!({"id": "box-1", "camera": "a", "output": "sdr",
            "driver": {"kind": "lwlb", "address": "127.0.0.1:9000", "slot": 2}}));
        c.validate(&demo_show()).unwrap();
        assert_eq!(
            c.driver,
            Driver::Lwlb {
                address: "127.0.0.1:9000".into(),
                slot: 2
            }
        );
        let back: DeviceConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(back, c);
        assert!(c.look_device().is_some());
    }

    #[test]
    fn each_bad_field_is_named() {
        let lwlb = |addr: &str| json!({"kind": "lwlb", "address": addr});
        let cases = [
            (
                json!({"id": "Box 1", "camera": "a", "output": "sdr", "driver": lwlb("h:1")}),
                "/id",
            ),
            (
                json!({"id": "b", "output": "sdr", "driver": lwlb("h:1")}),
                "/camera",
            ),
            (
                json!({"id": "b", "camera": "zz", "output": "sdr", "driver": lwlb("h:1")}),
                "/camera",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "nope", "driver": lwlb("h:1")}),
                "/output",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver": lwlb("nohost")}),
                "/driver/address",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver": lwlb("h:99999")}),
                "/driver/address",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "calibration": "f", "driver": lwlb("h:1")}),
                "/calibration",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver":
                {"kind": "file-sink", "dir": "rel/dir", "format": "cube"}}),
                "/driver/dir",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver":
                {"kind": "file-sink", "dir": "/tmp", "format": "tiff"}}),
                "/driver/format",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver":
                {"kind": "file-sink", "dir": "/tmp", "format": "cube", "size": 300}}),
                "/driver/size",
            ),
            (
                json!({"id": "b", "camera": "a", "output": "sdr", "driver":
                {"kind": "bmd-sdi-serial", "port": "/dev/x", "camera_number": 255}}),
                "/driver/camera_number",
            ),
            (
                json!({"id": "r", "camera": "a", "driver": {"kind": "videohub", "address": "h:9990"}}),
                "/camera",
            ),
            (
                json!({"id": "t", "driver": {"kind": "tsl", "udp": "0.0.0.0:1", "tcp": "0.0.0.0:2",
                "timeout_ms": 0}}),
                "/driver/timeout_ms",
            ),
            (
                json!({"id": "p", "driver": {"kind": "tangent", "system_dir": "rel"}}),
                "/driver/system_dir",
            ),
            (
                json!({"id": "p", "camera": "a", "driver": {"kind": "tangent"}}),
                "/camera",
            ),
            (
                json!({"id": "t", "driver": {"kind": "tsl", "udp": "0.0.0.0:1", "tcp": "x"}}),
                "/driver/tcp",
            ),
            (
                json!({"id": "t", "driver": {"kind": "tsl", "udp": "0.0.0.0:1", "tcp": "0.0.0.0:2",
                "sources": {"3": "zz"}}}),
                "/driver/sources/3",
            ),
            (
                json!({"id": "t", "driver": {"kind": "tsl", "udp": "0.0.0.0:1", "tcp": "0.0.0.0:2",
                "protection": {"mode": "fade", "frames": 0}}}),
                "/driver/protection/frames",
            ),
        ];
        for (body, path) in cases {
            let e = refused(body.clone());
            assert_eq!(e.path, path, "{body}: {e}");
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn unknown_fields_and_kinds_do_not_parse() {
        for body in [
            json!({"id": "b", "driver": {"kind": "teradek", "address": "h:1"}}),
            json!({"id": "b", "driver": {"kind": "lwlb", "address": "h:1", "speed": 3}}),
            json!({"id": "b", "colour": 1, "driver": {"kind": "lwlb", "address": "h:1"}}),
        ] {
            assert!(
                serde_json::from_value::<DeviceConfig>(body.clone()).is_err(),
                "{body}"
            );
        }
    }
}
