//! SDI camera control through Blackmagic's 3G-SDI Shield for Arduino: lookwire sends each
//! grade as one SDI group over USB serial to the forwarding sketch in `protocol/arduino/`,
//! which hands it to the shield over I2C. The framing between lookwire and the sketch is
//! lookwire's own (COBS + CRC-8, see [`crate::serial`] and `protocol/arduino/README.md`).

use std::time::{Duration, Instant};

use crate::bmd::corrector::{mapping_error, PrimaryCorrection};
use crate::bmd::sdi::{self, MAX_GROUP};
use crate::device::{
    BoxFuture, Capabilities, Device, DeviceError, DeviceStatus, Look, PushReport, SampleFormat,
};
use crate::encode::EncodeError;
use crate::serial::{self, Packet, SerialConfig};

/// Packet types between lookwire and the forwarding sketch.
pub mod kind {
    /// Host → sketch: one SDI camera-control group (1..=255 bytes).
    pub const GROUP: u8 = 0x01;
    /// Host → sketch: answer with READY.
    pub const PING: u8 = 0x02;
    /// Sketch → host: payload `[shield ok (0/1), sketch protocol version]`.
    pub const READY: u8 = 0x80;
    /// Sketch → host: the group with this sequence number is armed for the next frame.
    pub const ACK: u8 = 0x81;
    /// Sketch → host: payload `[reason]`, see [`super::nak`].
    pub const NAK: u8 = 0x82;
}

/// NAK reasons.
pub mod nak {
    pub const CRC: u8 = 1;
    pub const BAD_GROUP: u8 = 2;
    pub const SHIELD_BUSY: u8 = 3;
    pub const UNKNOWN_TYPE: u8 = 4;

    pub fn describe(reason: u8) -> &'static str {
        match reason {
            CRC => "frame CRC mismatch",
            BAD_GROUP => "the group's lengths or padding do not add up",
            SHIELD_BUSY => "the shield did not take the group within a frame",
            UNKNOWN_TYPE => "unknown packet type",
            _ => "unknown reason",
        }
    }
}

/// Version of the host ↔ sketch framing this crate speaks.
pub const SKETCH_PROTOCOL: u8 = 1;

/// One Blackmagic camera driven through the shield.
#[derive(Debug)]
pub struct SdiShieldCamera {
    config: SerialConfig,
    camera: u8,
    /// How long the sketch may take to answer (an Uno resets when the port opens: ~2 s).
    pub reply_timeout: Duration,
    port: Option<Box<dyn serialport::SerialPort>>,
    caps: Option<Capabilities>,
    seq: u8,
}

impl SdiShieldCamera {
    /// Camera `camera` (0–254; 255 would hit every camera and is refused at push time).
    pub fn new(config: SerialConfig, camera: u8) -> Self {
        Self {
            config,
            camera,
            reply_timeout: Duration::from_secs(3),
            port: None,
            caps: None,
            seq: 0,
        }
    }

    fn err_io(&self, source: std::io::Error) -> DeviceError {
        DeviceError::Io {
            addr: self.address(),
            source,
        }
    }

    fn proto(&self, message: String) -> DeviceError {
        DeviceError::Protocol {
            addr: self.address(),
            message,
        }
    }

    /// Sends a packet and waits for the answer with the same sequence number.
    async fn exchange(&mut self, kind: u8, payload: Vec<u8>) -> Result<Packet, DeviceError> {
        self.seq = self.seq.wrapping_add(1);
        let out = Packet {
            kind,
            seq: self.seq,
            payload,
        };
        let mut port = self.port.take().ok_or(DeviceError::NotConnected {
            addr: self.address(),
        })?;
        let deadline = self.reply_timeout;
        let (port, result) = tokio::task::spawn_blocking(move || {
            let r = talk(port.as_mut(), &out, deadline);
            (port, r)
        })
        .await
        .map_err(|e| self.err_io(std::io::Error::other(e)))?;
        match result {
            Ok(p) => {
                self.port = Some(port);
                Ok(p)
            }
            Err(TalkError::Io(e)) => Err(self.err_io(e)),
            Err(TalkError::Timeout) => Err(DeviceError::Timeout {
                addr: self.address(),
                timeout: deadline,
                doing: "waiting for the sketch",
            }),
        }
    }

    async fn do_connect(&mut self) -> Result<Capabilities, DeviceError> {
        self.disconnect();
        let port = self.config.open().map_err(|e| DeviceError::Connect {
            addr: self.address(),
            source: std::io::Error::other(e.to_string()),
        })?;
        self.port = Some(port);
        let reply = self.exchange(kind::PING, vec![]).await?;
        match (reply.kind, reply.payload.as_slice()) {
            (kind::READY, [1, SKETCH_PROTOCOL]) => {}
            (kind::READY, [0, _]) => {
                return Err(self.fail(self.proto(
                    "the sketch runs but the shield does not answer (IDENTITY is not SDIC)".into(),
                )))
            }
            (kind::READY, [_, v]) => {
                return Err(self.fail(self.proto(format!(
                    "sketch speaks framing version {v}, lookwire {SKETCH_PROTOCOL}"
                ))))
            }
            (k, p) => {
                return Err(self
                    .fail(self.proto(format!("expected READY, got type {k:#04x} with {p:02X?}"))))
            }
        }
        let caps = Capabilities {
            model: "Blackmagic camera via 3G-SDI shield".into(),
            lut3d_sizes: vec![],
            lut1d_size: None,
            cdl_native: true,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: true,
        };
        self.caps = Some(caps.clone());
        Ok(caps)
    }

    fn fail(&mut self, e: DeviceError) -> DeviceError {
        self.disconnect();
        e
    }

    async fn do_push(&mut self, look: &Look) -> Result<PushReport, DeviceError> {
        let start = Instant::now();
        let Some(cdl) = look.cdl else {
            return Err(DeviceError::Encode {
                addr: self.address(),
                source: EncodeError::NoCdl,
            });
        };
        if self.camera == sdi::BROADCAST {
            return Err(self.proto(
                "camera 255 is broadcast: lookwire never sends grades to every camera".into(),
            ));
        }
        let group = PrimaryCorrection::from_cdl(&cdl)
            .sdi_group(self.camera)
            .map_err(|e| self.proto(e.to_string()))?;
        debug_assert!(group.len() <= MAX_GROUP);
        let bytes = group.len();
        let reply = self
            .exchange(kind::GROUP, group)
            .await
            .map_err(|e| self.fail(e))?;
        match reply.kind {
            kind::ACK => Ok(PushReport {
                bytes,
                latency: start.elapsed(),
                error: mapping_error(&cdl, look.cdl_style),
            }),
            kind::NAK => {
                let reason = reply.payload.first().copied().unwrap_or(0);
                Err(DeviceError::Refused {
                    addr: self.address(),
                    message: format!("NAK {reason}: {}", nak::describe(reason)),
                })
            }
            k => Err(self.fail(self.proto(format!("expected ACK or NAK, got type {k:#04x}")))),
        }
    }
}

enum TalkError {
    Io(std::io::Error),
    Timeout,
}

/// Writes a packet and reads frames until the answer to its sequence number arrives; READY
/// frames (an Uno rebooting) and undecodable noise are skipped.
fn talk(
    port: &mut dyn serialport::SerialPort,
    out: &Packet,
    deadline: Duration,
) -> Result<Packet, TalkError> {
    let start = Instant::now();
    serial::write_packet(port, out).map_err(TalkError::Io)?;
    loop {
        let left = deadline
            .checked_sub(start.elapsed())
            .ok_or(TalkError::Timeout)?;
        let frame = match serial::read_frame(port, left, 600) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Err(TalkError::Timeout),
            Err(e) => return Err(TalkError::Io(e)),
        };
        match Packet::from_frame(&frame) {
            Ok(p) if p.seq == out.seq || (p.kind == kind::READY && out.kind == kind::PING) => {
                return Ok(p)
            }
            Ok(p) => tracing::debug!("SDI shield: skipping type {:#04x} seq {}", p.kind, p.seq),
            Err(e) => tracing::warn!("SDI shield: skipping a bad frame: {e}"),
        }
    }
}

impl Device for SdiShieldCamera {
    fn kind(&self) -> &'static str {
        "bmd-sdi-shield"
    }
    fn address(&self) -> String {
        format!("{} camera {}", self.config.path, self.camera)
    }
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>> {
        Box::pin(self.do_connect())
    }
    fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }
    fn push<'a>(&'a mut self, look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>> {
        Box::pin(self.do_push(look))
    }
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>> {
        Box::pin(async move {
            let reply = self
                .exchange(kind::PING, vec![])
                .await
                .map_err(|e| self.fail(e))?;
            let ok = reply.payload.first() == Some(&1);
            Ok(DeviceStatus {
                active_slot: None,
                active_checksum: None,
                detail: if ok {
                    "shield ready (SDI has no read-back)".into()
                } else {
                    "shield not answering".into()
                },
            })
        })
    }
    fn disconnect(&mut self) {
        self.port = None;
        self.caps = None;
    }
}
