//! The sending side: lookwire pushing looks to a software LUT box over TCP.

use std::time::{Duration, Instant};

use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use super::message::{CapabilitiesMsg, Message};
use super::wire::{self, ErrorCode, MessageType};
use super::{read_frame, Frame};
use crate::device::{
    BoxFuture, Capabilities, Device, DeviceError, DeviceStatus, Look, PushReport, SampleFormat,
};
use crate::encode::{self, Payload};

/// Largest reply a sender accepts (CAPABILITIES, ACK, ERROR and STATUS are all small).
const MAX_REPLY: u32 = 64 * 1024;

/// Timeouts of one link.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    /// For writing one whole frame: a peer that stops reading trips this.
    pub write: Duration,
    /// For the reply to one frame.
    pub reply: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(2),
            write: Duration::from_secs(2),
            reply: Duration::from_secs(2),
        }
    }
}

/// A connection to one LWLB receiver, pushing into one slot.
#[derive(Debug)]
pub struct LutBoxClient {
    addr: String,
    slot: u8,
    name: String,
    timeouts: Timeouts,
    link: Option<BufReader<TcpStream>>,
    caps: Option<Capabilities>,
    peer_caps: Option<CapabilitiesMsg>,
    seq: u32,
}

impl LutBoxClient {
    pub fn new(addr: impl Into<String>, slot: u8) -> Self {
        Self {
            addr: addr.into(),
            slot,
            name: "lookwire".into(),
            timeouts: Timeouts::default(),
            link: None,
            caps: None,
            peer_caps: None,
            seq: 0,
        }
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The capabilities exactly as the receiver announced them.
    pub fn peer_capabilities(&self) -> Option<&CapabilitiesMsg> {
        self.peer_caps.as_ref()
    }

    fn proto(&self, message: impl Into<String>) -> DeviceError {
        DeviceError::Protocol {
            addr: self.addr.clone(),
            message: message.into(),
        }
    }

    /// Sends one message and waits for the frame that answers it (same sequence number).
    async fn exchange(
        &mut self,
        msg: &Message,
        doing: &'static str,
    ) -> Result<(Message, Frame), DeviceError> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let (kind, payload) = msg.encode();
        let bytes = wire::frame(kind, seq, &payload);
        let addr = self.addr.clone();
        let t = self.timeouts;
        let link = self
            .link
            .as_mut()
            .ok_or(DeviceError::NotConnected { addr: addr.clone() })?;
        let timeout = |timeout, doing| DeviceError::Timeout {
            addr: addr.clone(),
            timeout,
            doing,
        };
        tokio::time::timeout(t.write, link.get_mut().write_all(&bytes))
            .await
            .map_err(|_| timeout(t.write, doing))?
            .map_err(|source| DeviceError::Io {
                addr: addr.clone(),
                source,
            })?;
        let frame = tokio::time::timeout(t.reply, read_frame(link, MAX_REPLY))
            .await
            .map_err(|_| timeout(t.reply, "waiting for the reply"))?
            .map_err(|e| self.proto(format!("bad reply frame: {e}")))?
            .ok_or_else(|| self.proto("the receiver closed the connection"))?;
        if frame.header.seq != seq && frame.header.seq != 0 {
            return Err(self.proto(format!(
                "reply to frame {} while waiting for {seq}",
                frame.header.seq
            )));
        }
        let kind = MessageType::from_byte(frame.header.kind)
            .ok_or_else(|| self.proto(format!("unknown reply type {:#04x}", frame.header.kind)))?;
        let reply = Message::decode(kind, &frame.payload)
            .map_err(|e| self.proto(format!("bad reply: {e}")))?;
        Ok((reply, frame))
    }

    fn refused(&self, code: u16, message: String) -> DeviceError {
        let name = ErrorCode::from_u16(code).map_or("unknown".to_string(), |c| format!("{c:?}"));
        let message = format!("error {code} ({name}): {message}");
        match ErrorCode::from_u16(code) {
            Some(c) if !c.is_fatal() && c != ErrorCode::NoHello => DeviceError::Refused {
                addr: self.addr.clone(),
                message,
            },
            _ => self.proto(message),
        }
    }

    async fn do_connect(&mut self) -> Result<Capabilities, DeviceError> {
        self.disconnect();
        let addr = self.addr.clone();
        let stream = tokio::time::timeout(self.timeouts.connect, TcpStream::connect(&addr))
            .await
            .map_err(|_| DeviceError::Timeout {
                addr: addr.clone(),
                timeout: self.timeouts.connect,
                doing: "connecting",
            })?
            .map_err(|source| DeviceError::Connect {
                addr: addr.clone(),
                source,
            })?;
        let _ = stream.set_nodelay(true);
        self.link = Some(BufReader::new(stream));
        let hello = Message::Hello {
            minor: wire::MINOR,
            name: self.name.clone(),
        };
        let result = self.exchange(&hello, "sending HELLO").await;
        let caps = match result {
            Ok((Message::Capabilities(c), _)) => c,
            Ok((Message::Error { code, message }, _)) => {
                return Err(self.fail(self.refused(code, message)))
            }
            Ok((other, _)) => {
                return Err(self.fail(self.proto(format!("expected CAPABILITIES, got {other:?}"))))
            }
            Err(e) => return Err(self.fail(e)),
        };
        let ours = to_capabilities(&caps)
            .ok_or_else(|| self.proto("the receiver takes neither LUTs nor CDLs"));
        let ours = ours.map_err(|e| self.fail(e))?;
        self.peer_caps = Some(caps);
        self.caps = Some(ours.clone());
        Ok(ours)
    }

    fn fail(&mut self, e: DeviceError) -> DeviceError {
        if e.needs_reconnect() {
            self.disconnect();
        }
        e
    }

    async fn do_push(&mut self, look: &Look) -> Result<PushReport, DeviceError> {
        let start = Instant::now();
        let caps = self.caps.clone().ok_or(DeviceError::NotConnected {
            addr: self.addr.clone(),
        })?;
        let encoded = encode::encode(look, &caps).map_err(|source| DeviceError::Encode {
            addr: self.addr.clone(),
            source,
        })?;
        let msg = match encoded.payload {
            Payload::Lut(lut) => Message::PushLut3d {
                slot: self.slot,
                lut,
            },
            Payload::Cdl(cdl, style) => Message::PushCdl {
                slot: self.slot,
                cdl,
                style,
            },
        };
        let (_, payload) = msg.encode();
        let want = crc32fast::hash(&payload);
        let bytes = payload.len() + wire::HEADER_LEN;
        let result = self.exchange(&msg, "sending the look").await;
        match result.map_err(|e| self.fail(e))? {
            (Message::Ack { slot, crc }, _) if slot == self.slot && crc == want => Ok(PushReport {
                bytes,
                latency: start.elapsed(),
                error: encoded.error,
            }),
            (Message::Ack { slot, crc }, _) => Err(self.fail(self.proto(format!(
                "ACK for slot {slot} with CRC {crc:08X}, sent slot {} with CRC {want:08X}",
                self.slot
            )))),
            (Message::Error { code, message }, _) => Err(self.fail(self.refused(code, message))),
            (other, _) => Err(self.fail(self.proto(format!("expected ACK, got {other:?}")))),
        }
    }

    async fn do_status(&mut self) -> Result<DeviceStatus, DeviceError> {
        let result = self
            .exchange(&Message::StatusRequest, "asking for status")
            .await;
        match result.map_err(|e| self.fail(e))? {
            (Message::Status(s), _) => {
                let active = s.slots.get(usize::from(s.active_slot));
                Ok(DeviceStatus {
                    active_slot: Some(s.active_slot),
                    active_checksum: active.filter(|a| a.kind != 0).map(|a| a.crc),
                    detail: format!("{} looks applied", s.applied),
                })
            }
            (Message::Error { code, message }, _) => Err(self.fail(self.refused(code, message))),
            (other, _) => Err(self.fail(self.proto(format!("expected STATUS, got {other:?}")))),
        }
    }
}

/// lookwire's view of a receiver's announcement; f32 samples are preferred when offered.
fn to_capabilities(c: &CapabilitiesMsg) -> Option<Capabilities> {
    let sample_format = match (c.f32_samples, c.uint_bits) {
        (true, _) => SampleFormat::F32,
        (false, Some(bits)) => SampleFormat::UInt { bits },
        (false, None) => SampleFormat::F32,
    };
    let takes_luts = (c.f32_samples || c.uint_bits.is_some()) && !c.sizes.is_empty();
    if !takes_luts && !c.cdl_native {
        return None;
    }
    Some(Capabilities {
        model: c.model.clone(),
        lut3d_sizes: if takes_luts {
            c.sizes.iter().map(|&s| usize::from(s)).collect()
        } else {
            vec![]
        },
        lut1d_size: None,
        cdl_native: c.cdl_native,
        sample_format,
        slots: c.slots,
        sdr: c.sdr,
        hdr: c.hdr,
    })
}

impl Device for LutBoxClient {
    fn kind(&self) -> &'static str {
        "lwlb"
    }
    fn address(&self) -> String {
        self.addr.clone()
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
        Box::pin(self.do_status())
    }
    fn disconnect(&mut self) {
        self.link = None;
        self.caps = None;
    }
}
