//! The messages of the lookwire LUT-box protocol and their payload layouts (protocol/SPEC.md §4).

use lookwire_color::{Cdl, CdlStyle, Domain};

use super::wire::{
    cdl_payload, decode_cdl, put_string, ErrorCode, MessageType, Reader, WireError, LUT_HEADER_LEN,
};
use crate::encode::{EncodedLut, Samples};

/// Sample encoding byte of PUSH_LUT3D.
pub const ENCODING_F32: u8 = 1;
pub const ENCODING_U16: u8 = 2;

/// What a receiver announces in CAPABILITIES.
#[derive(Clone, Debug, PartialEq)]
pub struct CapabilitiesMsg {
    pub minor: u16,
    pub slots: u8,
    pub cdl_native: bool,
    pub f32_samples: bool,
    /// Significant bits of u16 samples, or `None` if the receiver takes no integer samples.
    pub uint_bits: Option<u8>,
    pub sdr: bool,
    pub hdr: bool,
    pub max_payload: u32,
    pub sizes: Vec<u16>,
    pub model: String,
}

/// What one slot of a receiver holds, in STATUS.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct SlotState {
    /// 0 empty, 1 3D LUT, 2 CDL.
    pub kind: u8,
    pub size: u16,
    /// CRC-32 of the payload that filled the slot.
    pub crc: u32,
}

/// A receiver's STATUS answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMsg {
    pub active_slot: u8,
    pub applied: u32,
    pub slots: Vec<SlotState>,
}

/// One protocol message, decoded.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    Hello { minor: u16, name: String },
    Capabilities(CapabilitiesMsg),
    PushLut3d { slot: u8, lut: EncodedLut },
    PushCdl { slot: u8, cdl: Cdl, style: CdlStyle },
    Activate { slot: u8 },
    Ack { slot: u8, crc: u32 },
    Error { code: u16, message: String },
    StatusRequest,
    Status(StatusMsg),
}

impl Message {
    /// The type byte and payload bytes of this message.
    pub fn encode(&self) -> (MessageType, Vec<u8>) {
        let mut p = Vec::new();
        let kind = match self {
            Message::Hello { minor, name } => {
                p.extend_from_slice(&minor.to_le_bytes());
                p.extend_from_slice(&[0, 0]);
                put_string(&mut p, name);
                MessageType::Hello
            }
            Message::Capabilities(c) => {
                encode_caps(c, &mut p);
                MessageType::Capabilities
            }
            Message::PushLut3d { slot, lut } => {
                p = lut_payload(*slot, lut);
                MessageType::PushLut3d
            }
            Message::PushCdl { slot, cdl, style } => {
                p = cdl_payload(*slot, cdl, *style);
                MessageType::PushCdl
            }
            Message::Activate { slot } => {
                p.extend_from_slice(&[*slot, 0, 0, 0]);
                MessageType::Activate
            }
            Message::Ack { slot, crc } => {
                p.extend_from_slice(&[*slot, 0, 0, 0]);
                p.extend_from_slice(&crc.to_le_bytes());
                MessageType::Ack
            }
            Message::Error { code, message } => {
                p.extend_from_slice(&code.to_le_bytes());
                p.extend_from_slice(&[0, 0]);
                put_string(&mut p, message);
                MessageType::Error
            }
            Message::StatusRequest => MessageType::StatusRequest,
            Message::Status(s) => {
                encode_status(s, &mut p);
                MessageType::Status
            }
        };
        (kind, p)
    }

    /// Decodes a payload of the given type, checking every byte.
    pub fn decode(kind: MessageType, payload: &[u8]) -> Result<Message, WireError> {
        let mut r = Reader::new(payload);
        let msg = match kind {
            MessageType::Hello => {
                let minor = r.u16("minor")?;
                r.zeros(2, "reserved")?;
                let name = r.string("client name")?;
                Message::Hello { minor, name }
            }
            MessageType::Capabilities => Message::Capabilities(decode_caps(&mut r)?),
            MessageType::PushLut3d => {
                let (slot, lut) = decode_lut(payload)?;
                return Ok(Message::PushLut3d { slot, lut });
            }
            MessageType::PushCdl => {
                let (slot, cdl, style) = decode_cdl(payload)?;
                return Ok(Message::PushCdl { slot, cdl, style });
            }
            MessageType::Activate => {
                let slot = r.u8("slot")?;
                r.zeros(3, "reserved")?;
                Message::Activate { slot }
            }
            MessageType::Ack => {
                let slot = r.u8("slot")?;
                r.zeros(3, "reserved")?;
                let crc = r.u32("crc")?;
                Message::Ack { slot, crc }
            }
            MessageType::Error => {
                let code = r.u16("code")?;
                r.zeros(2, "reserved")?;
                let message = r.string("message")?;
                Message::Error { code, message }
            }
            MessageType::StatusRequest => Message::StatusRequest,
            MessageType::Status => Message::Status(decode_status(&mut r)?),
        };
        r.finish(kind_name(kind))?;
        Ok(msg)
    }
}

/// The message type's name as the spec spells it.
pub fn kind_name(kind: MessageType) -> &'static str {
    match kind {
        MessageType::Hello => "HELLO",
        MessageType::Capabilities => "CAPABILITIES",
        MessageType::PushLut3d => "PUSH_LUT3D",
        MessageType::PushCdl => "PUSH_CDL",
        MessageType::Activate => "ACTIVATE",
        MessageType::Ack => "ACK",
        MessageType::Error => "ERROR",
        MessageType::StatusRequest => "STATUS_REQUEST",
        MessageType::Status => "STATUS",
    }
}

fn encode_caps(c: &CapabilitiesMsg, p: &mut Vec<u8>) {
    let flags = u8::from(c.cdl_native)
        | u8::from(c.f32_samples) << 1
        | u8::from(c.uint_bits.is_some()) << 2
        | u8::from(c.sdr) << 3
        | u8::from(c.hdr) << 4;
    p.extend_from_slice(&c.minor.to_le_bytes());
    p.extend_from_slice(&[
        c.slots,
        flags,
        c.uint_bits.unwrap_or(0),
        c.sizes.len() as u8,
    ]);
    p.extend_from_slice(&[0, 0]);
    p.extend_from_slice(&c.max_payload.to_le_bytes());
    for s in &c.sizes {
        p.extend_from_slice(&s.to_le_bytes());
    }
    put_string(p, &c.model);
}

fn decode_caps(r: &mut Reader<'_>) -> Result<CapabilitiesMsg, WireError> {
    let minor = r.u16("minor")?;
    let slots = r.u8("slots")?;
    if slots == 0 {
        return Err(r.err("slots", "a receiver has at least one slot".into()));
    }
    let flags = r.u8("flags")?;
    if flags & 0xE0 != 0 {
        return Err(r.err("flags", format!("bits 5-7 are reserved, got {flags:#04x}")));
    }
    let bits = r.u8("uint bits")?;
    let uint = flags & 4 != 0;
    if uint != (1..=16).contains(&bits) || (!uint && bits != 0) {
        let problem = format!("uint bits {bits} does not match flag bit 2 ({uint})");
        return Err(r.err("uint bits", problem));
    }
    let n = r.u8("size count")?;
    r.zeros(2, "reserved")?;
    let max_payload = r.u32("max payload")?;
    let mut sizes = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let s = r.u16("size")?;
        if !(2..=256).contains(&s) {
            return Err(r.err("size", format!("lattice size {s} is outside 2..=256")));
        }
        sizes.push(s);
    }
    let model = r.string("model")?;
    Ok(CapabilitiesMsg {
        minor,
        slots,
        cdl_native: flags & 1 != 0,
        f32_samples: flags & 2 != 0,
        uint_bits: uint.then_some(bits),
        sdr: flags & 8 != 0,
        hdr: flags & 16 != 0,
        max_payload,
        sizes,
        model,
    })
}

fn encode_status(s: &StatusMsg, p: &mut Vec<u8>) {
    p.extend_from_slice(&[s.active_slot, s.slots.len() as u8, 0, 0]);
    p.extend_from_slice(&s.applied.to_le_bytes());
    for slot in &s.slots {
        p.extend_from_slice(&[slot.kind, 0]);
        p.extend_from_slice(&slot.size.to_le_bytes());
        p.extend_from_slice(&slot.crc.to_le_bytes());
    }
}

fn decode_status(r: &mut Reader<'_>) -> Result<StatusMsg, WireError> {
    let active_slot = r.u8("active slot")?;
    let n = r.u8("slot count")?;
    r.zeros(2, "reserved")?;
    let applied = r.u32("applied")?;
    let mut slots = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let kind = r.u8("slot kind")?;
        if kind > 2 {
            return Err(r.err("slot kind", format!("{kind} is not 0, 1 or 2")));
        }
        r.zeros(1, "reserved")?;
        let size = r.u16("slot size")?;
        let crc = r.u32("slot crc")?;
        slots.push(SlotState { kind, size, crc });
    }
    Ok(StatusMsg {
        active_slot,
        applied,
        slots,
    })
}

/// PUSH_LUT3D payload: 32-byte header then the samples, red fastest.
pub fn lut_payload(slot: u8, lut: &EncodedLut) -> Vec<u8> {
    let (encoding, bits, width) = match &lut.samples {
        Samples::F32(_) => (ENCODING_F32, 32, 4),
        Samples::UInt { bits, .. } => (ENCODING_U16, *bits, 2),
    };
    let n3 = lut.size * lut.size * lut.size;
    let mut p = Vec::with_capacity(LUT_HEADER_LEN + n3 * 3 * width);
    p.extend_from_slice(&[slot, encoding, bits, 0]);
    p.extend_from_slice(&(lut.size as u16).to_le_bytes());
    p.extend_from_slice(&[0, 0]);
    for v in lut.domain.min.iter().chain(&lut.domain.max) {
        p.extend_from_slice(&v.to_le_bytes());
    }
    // Sized once and filled in place: pushing sample by sample cost 15 % of the fan-out
    // benchmark's CPU (a capacity check per 4 bytes, no vectorisation).
    let start = p.len();
    p.resize(start + n3 * 3 * width, 0);
    let out = &mut p[start..];
    match &lut.samples {
        Samples::F32(d) => out
            .chunks_exact_mut(4)
            .zip(d.iter().flatten())
            .for_each(|(o, v)| o.copy_from_slice(&v.to_le_bytes())),
        Samples::UInt { data, .. } => out
            .chunks_exact_mut(2)
            .zip(data.iter().flatten())
            .for_each(|(o, v)| o.copy_from_slice(&v.to_le_bytes())),
    }
    p
}

/// Decodes a PUSH_LUT3D payload: checks encoding, bit depth, size, domain, length and samples.
pub fn decode_lut(payload: &[u8]) -> Result<(u8, EncodedLut), WireError> {
    let mut r = Reader::new(payload);
    let slot = r.u8("slot")?;
    let encoding = r.u8("encoding")?;
    let bits = r.u8("bits")?;
    let width = match (encoding, bits) {
        (ENCODING_F32, 32) => 4,
        (ENCODING_U16, 1..=16) => 2,
        _ => {
            let problem =
                format!("encoding {encoding} with {bits} bits (expected 1/32 or 2/1..16)");
            return Err(WireError {
                code: ErrorCode::Unsupported,
                field: "encoding",
                offset: 1,
                problem,
            });
        }
    };
    r.zeros(1, "reserved")?;
    let size = usize::from(r.u16("size")?);
    if !(2..=256).contains(&size) {
        return Err(r.err("size", format!("lattice size {size} is outside 2..=256")));
    }
    r.zeros(2, "reserved")?;
    let domain = decode_domain(&mut r)?;
    let expected = size * size * size * 3 * width;
    let samples = r.take(payload.len() - r.pos(), "samples")?;
    if samples.len() != expected {
        let problem = format!(
            "size {size} with {width}-byte samples needs {expected} bytes, got {}",
            samples.len()
        );
        return Err(r.err("samples", problem));
    }
    let samples = decode_samples(samples, width, bits)?;
    Ok((
        slot,
        EncodedLut {
            size,
            domain,
            samples,
        },
    ))
}

fn decode_domain(r: &mut Reader<'_>) -> Result<Domain, WireError> {
    let mut v = [0.0f32; 6];
    for x in v.iter_mut() {
        *x = r.f32("domain")?;
    }
    Domain::new([v[0], v[1], v[2]], [v[3], v[4], v[5]]).map_err(|e| WireError {
        code: ErrorCode::BadPayload,
        field: "domain",
        offset: 8,
        problem: e.to_string(),
    })
}

fn decode_samples(b: &[u8], width: usize, bits: u8) -> Result<Samples, WireError> {
    let at = |i: usize| LUT_HEADER_LEN + i * width;
    if width == 4 {
        let mut data = Vec::with_capacity(b.len() / 12);
        for (i, node) in b.chunks_exact(12).enumerate() {
            let v: [f32; 3] = std::array::from_fn(|c| {
                f32::from_le_bytes(node[c * 4..c * 4 + 4].try_into().unwrap_or([0; 4]))
            });
            if let Some(c) = v.iter().position(|x| !x.is_finite()) {
                return Err(sample_err(at(i * 3 + c), format!("node {i} is not finite")));
            }
            data.push(v);
        }
        return Ok(Samples::F32(data));
    }
    let top = ((1u32 << bits) - 1) as u16;
    let mut data = Vec::with_capacity(b.len() / 6);
    for (i, node) in b.chunks_exact(6).enumerate() {
        let v: [u16; 3] =
            std::array::from_fn(|c| u16::from_le_bytes([node[c * 2], node[c * 2 + 1]]));
        if let Some(c) = v.iter().position(|&x| x > top) {
            let problem = format!("node {i} value {} exceeds {top} for {bits} bits", v[c]);
            return Err(sample_err(at(i * 3 + c), problem));
        }
        data.push(v);
    }
    Ok(Samples::UInt { bits, data })
}

fn sample_err(offset: usize, problem: String) -> WireError {
    WireError {
        code: ErrorCode::BadPayload,
        field: "samples",
        offset,
        problem,
    }
}
