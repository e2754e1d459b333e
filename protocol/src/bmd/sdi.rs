//! Blackmagic SDI Camera Control Protocol (v1.6.2, ../shared/specs/protocols.md §2): the
//! message codec, fixed16 numbers, and the colour-correction group (category 8).
//!
//! A message is a 4-byte header (destination, length, command, reserved), 0–60 bytes of
//! command data, then zero padding to a multiple of 4 that the length does not count. A
//! group is messages back to back, at most 255 bytes (one video frame).

/// Largest command data in one message.
pub const MAX_DATA: usize = 60;
/// Largest group carried in one frame.
pub const MAX_GROUP: usize = 255;
/// Destination that reaches every camera on the loop: never used for grades.
pub const BROADCAST: u8 = 255;
/// Category of the colour-correction parameters.
pub const COLOR_CORRECTION: u8 = 8;

/// Largest fixed16 value: 32767 / 2048.
pub const FIXED16_MAX: f64 = 32767.0 / 2048.0;

/// Encodes a value as signed 5.11 fixed point: clamped to −16 … 15.9995, rounded to nearest.
pub fn to_fixed16(v: f64) -> i16 {
    let v = if v.is_nan() {
        0.0
    } else {
        v.clamp(-16.0, FIXED16_MAX)
    };
    (v * 2048.0).round() as i16
}

pub fn from_fixed16(raw: i16) -> f64 {
    f64::from(raw) / 2048.0
}

/// Operation byte of a change-configuration command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Set to the value (lookwire always assigns: offsets drift when a packet is lost).
    Assign,
    /// Add the value (toggle for a bool).
    Offset,
}

/// The elements of a change-configuration command, by data type.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// Type 0 with no elements: triggers the parameter.
    Void,
    /// Type 0 with elements.
    Bool(Vec<bool>),
    Int8(Vec<i8>),
    Int16(Vec<i16>),
    Int32(Vec<i32>),
    Int64(Vec<i64>),
    Utf8(String),
    /// Type 128: signed 5.11 fixed point, raw.
    Fixed16(Vec<i16>),
}

impl Data {
    fn type_byte(&self) -> u8 {
        match self {
            Data::Void | Data::Bool(_) => 0,
            Data::Int8(_) => 1,
            Data::Int16(_) => 2,
            Data::Int32(_) => 3,
            Data::Int64(_) => 4,
            Data::Utf8(_) => 5,
            Data::Fixed16(_) => 128,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        match self {
            Data::Void => vec![],
            Data::Bool(v) => v.iter().map(|&b| u8::from(b)).collect(),
            Data::Int8(v) => v.iter().map(|&x| x as u8).collect(),
            Data::Int16(v) | Data::Fixed16(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Data::Int32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Data::Int64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
            Data::Utf8(s) => s.as_bytes().to_vec(),
        }
    }

    fn decode(kind: u8, b: &[u8]) -> Result<Data, SdiError> {
        let whole = |size: usize| {
            if b.len() % size == 0 {
                Ok(b.chunks_exact(size))
            } else {
                Err(SdiError::Elements {
                    kind,
                    len: b.len(),
                    size,
                })
            }
        };
        Ok(match kind {
            0 if b.is_empty() => Data::Void,
            0 => Data::Bool(b.iter().map(|&x| x != 0).collect()),
            1 => Data::Int8(b.iter().map(|&x| x as i8).collect()),
            2 => Data::Int16(
                whole(2)?
                    .map(|c| i16::from_le_bytes([c[0], c[1]]))
                    .collect(),
            ),
            3 => Data::Int32(
                whole(4)?
                    .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ),
            4 => Data::Int64(
                whole(8)?
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                    .collect(),
            ),
            5 => Data::Utf8(String::from_utf8(b.to_vec()).map_err(|_| SdiError::Utf8)?),
            128 => Data::Fixed16(
                whole(2)?
                    .map(|c| i16::from_le_bytes([c[0], c[1]]))
                    .collect(),
            ),
            other => return Err(SdiError::DataType(other)),
        })
    }
}

/// One change-configuration message (command 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub destination: u8,
    pub category: u8,
    pub parameter: u8,
    pub operation: Operation,
    pub data: Data,
}

/// What is wrong with an SDI camera-control message or group.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SdiError {
    #[error("command data of {0} bytes exceeds {MAX_DATA}")]
    TooLong(usize),
    #[error("group of {0} bytes exceeds {MAX_GROUP}")]
    GroupTooLong(usize),
    #[error("message at byte {at}: {problem}")]
    Malformed { at: usize, problem: String },
    #[error("data type {kind}: {len} bytes is not a whole number of {size}-byte elements")]
    Elements { kind: u8, len: usize, size: usize },
    #[error("data type {0} is reserved or device specific")]
    DataType(u8),
    #[error("string data is not UTF-8")]
    Utf8,
}

fn pad(len: usize) -> usize {
    (4 - len % 4) % 4
}

impl Message {
    /// A colour-correction assignment to one camera.
    pub fn color(destination: u8, parameter: u8, data: Data) -> Self {
        Self {
            destination,
            category: COLOR_CORRECTION,
            parameter,
            operation: Operation::Assign,
            data,
        }
    }

    /// The message's bytes, padded to a multiple of 4.
    pub fn encode(&self) -> Result<Vec<u8>, SdiError> {
        let elements = self.data.bytes();
        let len = 4 + elements.len();
        if len > MAX_DATA {
            return Err(SdiError::TooLong(len));
        }
        let op = match self.operation {
            Operation::Assign => 0,
            Operation::Offset => 1,
        };
        let mut out = vec![self.destination, len as u8, 0, 0];
        out.extend_from_slice(&[self.category, self.parameter, self.data.type_byte(), op]);
        out.extend_from_slice(&elements);
        out.resize(out.len() + pad(len), 0);
        Ok(out)
    }
}

/// Concatenates messages into one group (one video frame), refusing more than 255 bytes.
pub fn encode_group(messages: &[Message]) -> Result<Vec<u8>, SdiError> {
    let mut out = Vec::new();
    for m in messages {
        out.extend(m.encode()?);
    }
    if out.len() > MAX_GROUP {
        return Err(SdiError::GroupTooLong(out.len()));
    }
    Ok(out)
}

/// Walks a group and decodes every change-configuration message; other commands are
/// skipped by their length, as the protocol tells receivers to.
pub fn decode_group(group: &[u8]) -> Result<Vec<Message>, SdiError> {
    if group.len() > MAX_GROUP {
        return Err(SdiError::GroupTooLong(group.len()));
    }
    let mut out = Vec::new();
    let mut at = 0;
    while at < group.len() {
        let bad = |problem: String| SdiError::Malformed { at, problem };
        let head = group
            .get(at..at + 4)
            .ok_or_else(|| bad("header cut short".into()))?;
        let (len, command) = (usize::from(head[1]), head[2]);
        if head[3] != 0 {
            return Err(bad(format!("reserved header byte is {}", head[3])));
        }
        if len > MAX_DATA {
            return Err(bad(format!("length {len} exceeds {MAX_DATA}")));
        }
        let end = at + 4 + len;
        let padded = end + pad(len);
        let body = group
            .get(at + 4..end)
            .ok_or_else(|| bad(format!("length {len} runs past the group")))?;
        let padding = group
            .get(end..padded)
            .ok_or_else(|| bad("padding cut short".into()))?;
        if padding.iter().any(|&b| b != 0) {
            return Err(bad(format!("padding must be zero, got {padding:02X?}")));
        }
        if command == 0 {
            out.push(decode_change(head[0], body).map_err(|e| match e {
                SdiError::Malformed { problem, .. } => bad(problem),
                other => bad(other.to_string()),
            })?);
        }
        at = padded;
    }
    Ok(out)
}

fn decode_change(destination: u8, body: &[u8]) -> Result<Message, SdiError> {
    let malformed = |problem: String| SdiError::Malformed { at: 0, problem };
    if body.len() < 4 {
        return Err(malformed(format!(
            "change configuration needs 4 bytes, got {}",
            body.len()
        )));
    }
    let operation = match body[3] {
        0 => Operation::Assign,
        1 => Operation::Offset,
        other => {
            return Err(malformed(format!(
                "operation {other} is reserved or device specific"
            )))
        }
    };
    Ok(Message {
        destination,
        category: body[0],
        parameter: body[1],
        operation,
        data: Data::decode(body[2], &body[4..])?,
    })
}
