//! Byte layouts of the lookwire LUT-box protocol (protocol/SPEC.md), as pure functions:
//! no I/O here, so both sides and the simulator share one strict codec.

use lookwire_color::{Cdl, CdlStyle};

/// `"LWLB"`, the first four bytes of every frame.
pub const MAGIC: [u8; 4] = *b"LWLB";
/// The major version this crate speaks; a peer with another major is refused.
pub const MAJOR: u8 = 1;
/// The minor version this crate speaks; peers agree on the lower of the two.
pub const MINOR: u16 = 0;
/// Bytes in a frame header.
pub const HEADER_LEN: usize = 20;
/// Bytes before the samples in a PUSH_LUT3D payload.
pub const LUT_HEADER_LEN: usize = 32;
/// Bytes in a PUSH_CDL payload.
pub const CDL_LEN: usize = 84;
/// Longest string field in bytes.
pub const MAX_STRING: usize = 1024;

/// Message type byte (header offset 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum MessageType {
    Hello = 0x01,
    Capabilities = 0x02,
    PushLut3d = 0x10,
    PushCdl = 0x11,
    Activate = 0x12,
    Ack = 0x20,
    Error = 0x21,
    StatusRequest = 0x30,
    Status = 0x31,
}

impl MessageType {
    pub fn from_byte(b: u8) -> Option<Self> {
        use MessageType::*;
        [
            Hello,
            Capabilities,
            PushLut3d,
            PushCdl,
            Activate,
            Ack,
            Error,
            StatusRequest,
            Status,
        ]
        .into_iter()
        .find(|t| *t as u8 == b)
    }
}

/// Error codes carried by an ERROR message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum ErrorCode {
    Framing = 1,
    Version = 2,
    UnknownType = 3,
    Checksum = 4,
    BadPayload = 5,
    Unsupported = 6,
    BadSlot = 7,
    TooLarge = 8,
    NoHello = 9,
}

impl ErrorCode {
    pub fn from_u16(v: u16) -> Option<Self> {
        use ErrorCode::*;
        [
            Framing,
            Version,
            UnknownType,
            Checksum,
            BadPayload,
            Unsupported,
            BadSlot,
            TooLarge,
            NoHello,
        ]
        .into_iter()
        .find(|c| *c as u16 == v)
    }

    /// Whether the receiver closes the connection after sending this error.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            ErrorCode::Framing | ErrorCode::Version | ErrorCode::TooLarge
        )
    }
}

/// A frame header, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub major: u8,
    pub kind: u8,
    pub seq: u32,
    pub len: u32,
    pub crc: u32,
}

/// What is wrong with a frame or payload: the field and the rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} (byte {offset}): {problem}")]
pub struct WireError {
    pub code: ErrorCode,
    pub field: &'static str,
    pub offset: usize,
    pub problem: String,
}

fn wire_err(code: ErrorCode, field: &'static str, offset: usize, problem: String) -> WireError {
    WireError {
        code,
        field,
        offset,
        problem,
    }
}

/// Decodes and checks a frame header (magic, reserved bytes, length bound).
pub fn decode_header(b: &[u8; HEADER_LEN], max_payload: u32) -> Result<Header, WireError> {
    if b[0..4] != MAGIC {
        let got = format!("expected 4C 57 4C 42 (\"LWLB\"), got {:02X?}", &b[0..4]);
        return Err(wire_err(ErrorCode::Framing, "magic", 0, got));
    }
    if b[4] != MAJOR {
        let got = format!(
            "major version {} is not supported (this side speaks {MAJOR})",
            b[4]
        );
        return Err(wire_err(ErrorCode::Version, "version", 4, got));
    }
    if b[6] != 0 || b[7] != 0 {
        let got = format!("reserved bytes must be 0, got {:02X} {:02X}", b[6], b[7]);
        return Err(wire_err(ErrorCode::Framing, "reserved", 6, got));
    }
    let len = u32_at(b, 12);
    if len > max_payload {
        let got = format!("payload of {len} bytes exceeds the limit of {max_payload}");
        return Err(wire_err(ErrorCode::TooLarge, "length", 12, got));
    }
    Ok(Header {
        major: b[4],
        kind: b[5],
        seq: u32_at(b, 8),
        len,
        crc: u32_at(b, 16),
    })
}

/// Builds a whole frame: header (with the payload's CRC-32) followed by the payload.
pub fn frame(kind: MessageType, seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.push(MAJOR);
    out.push(kind as u8);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

/// A little-endian reader over a payload that names the field on every error.
#[derive(Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Self { buf, pos: 0 }
    }
    pub fn pos(&self) -> usize {
        self.pos
    }
    pub fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], WireError> {
        if self.buf.len() - self.pos < n {
            let problem = format!(
                "needs {n} bytes, only {} left of {}",
                self.buf.len() - self.pos,
                self.buf.len()
            );
            return Err(wire_err(ErrorCode::BadPayload, field, self.pos, problem));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    pub fn u8(&mut self, field: &'static str) -> Result<u8, WireError> {
        Ok(self.take(1, field)?[0])
    }
    pub fn u16(&mut self, field: &'static str) -> Result<u16, WireError> {
        Ok(u16_at(self.take(2, field)?, 0))
    }
    pub fn u32(&mut self, field: &'static str) -> Result<u32, WireError> {
        Ok(u32_at(self.take(4, field)?, 0))
    }
    pub fn f32(&mut self, field: &'static str) -> Result<f32, WireError> {
        Ok(f32::from_bits(self.u32(field)?))
    }
    pub fn f64(&mut self, field: &'static str) -> Result<f64, WireError> {
        let b = self.take(8, field)?;
        Ok(f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    /// Reserved bytes: must all be zero.
    pub fn zeros(&mut self, n: usize, field: &'static str) -> Result<(), WireError> {
        let at = self.pos;
        let b = self.take(n, field)?;
        if b.iter().any(|&x| x != 0) {
            let problem = format!("reserved bytes must be 0, got {b:02X?}");
            return Err(wire_err(ErrorCode::BadPayload, field, at, problem));
        }
        Ok(())
    }
    /// A string: u16 byte count then UTF-8.
    pub fn string(&mut self, field: &'static str) -> Result<String, WireError> {
        let at = self.pos;
        let n = usize::from(self.u16(field)?);
        if n > MAX_STRING {
            let problem = format!("string of {n} bytes exceeds {MAX_STRING}");
            return Err(wire_err(ErrorCode::BadPayload, field, at, problem));
        }
        let b = self.take(n, field)?;
        String::from_utf8(b.to_vec()).map_err(|e| {
            wire_err(
                ErrorCode::BadPayload,
                field,
                at + 2,
                format!("not UTF-8: {e}"),
            )
        })
    }
    /// Fails unless every byte has been read.
    pub fn finish(&self, what: &'static str) -> Result<(), WireError> {
        if self.pos != self.buf.len() {
            let problem = format!(
                "{} trailing bytes after the last field",
                self.buf.len() - self.pos
            );
            return Err(wire_err(ErrorCode::BadPayload, what, self.pos, problem));
        }
        Ok(())
    }
    pub fn err(&self, field: &'static str, problem: String) -> WireError {
        wire_err(ErrorCode::BadPayload, field, self.pos, problem)
    }
}

/// Appends a string field (u16 length + UTF-8), truncated to [`MAX_STRING`] on a char boundary.
pub fn put_string(out: &mut Vec<u8>, s: &str) {
    let mut end = s.len().min(MAX_STRING);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&(end as u16).to_le_bytes());
    out.extend_from_slice(&s.as_bytes()[..end]);
}

/// CDL payload (PUSH_CDL): slot, style, 2 reserved, then ten f64 (slope RGB, offset RGB,
/// power RGB, saturation).
pub fn cdl_payload(slot: u8, cdl: &Cdl, style: CdlStyle) -> Vec<u8> {
    let mut out = Vec::with_capacity(CDL_LEN);
    out.push(slot);
    out.push(match style {
        CdlStyle::Asc => 0,
        CdlStyle::NoClamp => 1,
    });
    out.extend_from_slice(&[0, 0]);
    let (sop, sat) = cdl.to_sop_sat();
    for v in sop.iter().chain(std::iter::once(&sat)) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Decodes a PUSH_CDL payload and validates the CDL.
pub fn decode_cdl(payload: &[u8]) -> Result<(u8, Cdl, CdlStyle), WireError> {
    let mut r = Reader::new(payload);
    let slot = r.u8("slot")?;
    let style = match r.u8("style")? {
        0 => CdlStyle::Asc,
        1 => CdlStyle::NoClamp,
        other => return Err(r.err("style", format!("{other} is not 0 (asc) or 1 (noclamp)"))),
    };
    r.zeros(2, "reserved")?;
    let mut sop = [0.0; 9];
    for v in sop.iter_mut() {
        *v = r.f64("sop")?;
    }
    let sat = r.f64("saturation")?;
    r.finish("PUSH_CDL")?;
    let cdl = Cdl::from_sop_sat(sop, sat)
        .map_err(|e| wire_err(ErrorCode::BadPayload, "cdl", 4, e.to_string()))?;
    Ok((slot, cdl, style))
}
