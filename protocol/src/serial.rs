//! Serial transport: line settings per device, opening a port, and COBS framing with a
//! CRC-8 so a reader can resynchronise after noise or a mid-frame connect (protocols.md §8).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

pub use serialport::{DataBits, Parity, StopBits};

/// Line settings of one serial device; nothing is assumed, every device says its own.
#[derive(Clone, Debug, PartialEq)]
pub struct SerialConfig {
    /// Port path, e.g. `/dev/serial/by-id/usb-Arduino…` (stable across replugging).
    pub path: String,
    pub baud: u32,
    pub parity: Parity,
    pub data_bits: DataBits,
    pub stop_bits: StopBits,
    /// How long one read waits for bytes.
    pub timeout: Duration,
}

impl SerialConfig {
    /// 8-N-1 at `baud`.
    pub fn new(path: impl Into<String>, baud: u32) -> Self {
        Self {
            path: path.into(),
            baud,
            parity: Parity::None,
            data_bits: DataBits::Eight,
            stop_bits: StopBits::One,
            timeout: Duration::from_millis(100),
        }
    }

    /// Opens the port with these settings.
    pub fn open(&self) -> Result<Box<dyn serialport::SerialPort>, serialport::Error> {
        serialport::new(&self.path, self.baud)
            .parity(self.parity)
            .data_bits(self.data_bits)
            .stop_bits(self.stop_bits)
            .timeout(self.timeout)
            .open()
    }
}

/// CRC-8 with polynomial 0x07, initial value 0 (CRC-8/SMBUS).
pub fn crc8(bytes: &[u8]) -> u8 {
    let mut crc = 0u8;
    for &b in bytes {
        crc ^= b;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 {
                (crc << 1) ^ 0x07
            } else {
                crc << 1
            };
        }
    }
    crc
}

/// COBS-encodes `data` (no zero byte in the output); the caller appends the 0x00 delimiter.
pub fn cobs_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 254 + 2);
    let mut code_at = 0;
    out.push(0);
    let mut code = 1u8;
    for &b in data {
        if b == 0 {
            out[code_at] = code;
            code_at = out.len();
            out.push(0);
            code = 1;
            continue;
        }
        out.push(b);
        code += 1;
        if code == 0xFF {
            out[code_at] = code;
            code_at = out.len();
            out.push(0);
            code = 1;
        }
    }
    out[code_at] = code;
    out
}

/// Why a received frame was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("COBS: a zero byte inside the frame at {0}")]
    ZeroInFrame(usize),
    #[error("COBS: code at {at} runs past the end of the {len}-byte frame")]
    Overrun { at: usize, len: usize },
    #[error("frame of {0} bytes is too short (type, sequence and CRC take 3)")]
    Short(usize),
    #[error("CRC-8 mismatch: frame says {got:#04x}, content hashes to {want:#04x}")]
    Crc { got: u8, want: u8 },
}

/// Decodes one COBS frame (without its delimiter).
pub fn cobs_decode(frame: &[u8]) -> Result<Vec<u8>, FramingError> {
    let mut out = Vec::with_capacity(frame.len());
    let mut at = 0;
    while at < frame.len() {
        let code = usize::from(frame[at]);
        if code == 0 {
            return Err(FramingError::ZeroInFrame(at));
        }
        let end = at + code;
        if end > frame.len() {
            return Err(FramingError::Overrun {
                at,
                len: frame.len(),
            });
        }
        if let Some(z) = frame[at + 1..end].iter().position(|&b| b == 0) {
            return Err(FramingError::ZeroInFrame(at + 1 + z));
        }
        out.extend_from_slice(&frame[at + 1..end]);
        at = end;
        if code < 0xFF && at < frame.len() {
            out.push(0);
        }
    }
    Ok(out)
}

/// A frame's content: type, sequence number and payload, protected by a CRC-8.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packet {
    pub kind: u8,
    pub seq: u8,
    pub payload: Vec<u8>,
}

impl Packet {
    /// The bytes on the wire: COBS(type, seq, payload, crc8) then 0x00.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut raw = vec![self.kind, self.seq];
        raw.extend_from_slice(&self.payload);
        raw.push(crc8(&raw));
        let mut out = cobs_encode(&raw);
        out.push(0);
        out
    }

    /// Decodes a frame read up to (not including) its 0x00 delimiter.
    pub fn from_frame(frame: &[u8]) -> Result<Self, FramingError> {
        let raw = cobs_decode(frame)?;
        if raw.len() < 3 {
            return Err(FramingError::Short(raw.len()));
        }
        let (body, crc) = raw.split_at(raw.len() - 1);
        let want = crc8(body);
        if crc[0] != want {
            return Err(FramingError::Crc { got: crc[0], want });
        }
        Ok(Packet {
            kind: body[0],
            seq: body[1],
            payload: body[2..].to_vec(),
        })
    }
}

/// Reads bytes up to the next 0x00 delimiter, giving up after `deadline`. Bytes before the
/// first delimiter of a fresh connection may be a partial frame; callers decode and skip.
pub fn read_frame(port: &mut dyn Read, deadline: Duration, max: usize) -> std::io::Result<Vec<u8>> {
    let start = Instant::now();
    let mut frame = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if start.elapsed() > deadline {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "no complete frame",
            ));
        }
        match port.read(&mut byte) {
            Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(_) if byte[0] == 0 && frame.is_empty() => continue,
            Ok(_) if byte[0] == 0 => return Ok(frame),
            Ok(_) if frame.len() >= max => frame.clear(), // runaway noise: resynchronise
            Ok(_) => frame.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => continue,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Writes one packet and flushes.
pub fn write_packet(port: &mut dyn Write, packet: &Packet) -> std::io::Result<()> {
    port.write_all(&packet.to_wire())?;
    port.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cobs_matches_the_published_examples() {
        // Cheshire & Baker, "Consistent Overhead Byte Stuffing", worked examples.
        assert_eq!(cobs_encode(&[0x00]), [0x01, 0x01]);
        assert_eq!(
            cobs_encode(&[0x11, 0x22, 0x00, 0x33]),
            [0x03, 0x11, 0x22, 0x02, 0x33]
        );
        assert_eq!(
            cobs_encode(&[0x11, 0x00, 0x00, 0x00]),
            [0x02, 0x11, 0x01, 0x01, 0x01]
        );
        let long: Vec<u8> = (1..=254).collect();
        let enc = cobs_encode(&long);
        assert_eq!(enc[0], 0xFF);
        assert_eq!(enc.len(), 256);
        assert_eq!(cobs_decode(&enc).unwrap(), long);
    }

    #[test]
    fn cobs_round_trips_every_length_and_zero_pattern() {
        for n in 0..600usize {
            let data: Vec<u8> = (0..n)
                .map(|i| if i % 7 == 3 { 0 } else { (i * 31 % 256) as u8 })
                .collect();
            let enc = cobs_encode(&data);
            assert!(!enc.contains(&0));
            assert_eq!(cobs_decode(&enc).unwrap(), data, "length {n}");
        }
    }

    #[test]
    fn crc8_check_value() {
        assert_eq!(crc8(b"123456789"), 0xF4); // CRC-8/SMBUS check value
    }

    #[test]
    fn corrupted_frames_are_refused() {
        let p = Packet {
            kind: 1,
            seq: 9,
            payload: vec![0, 1, 2, 0],
        };
        let wire = p.to_wire();
        assert_eq!(Packet::from_frame(&wire[..wire.len() - 1]).unwrap(), p);
        let mut bad = wire[..wire.len() - 1].to_vec();
        bad[2] ^= 0x40; // the sequence byte
        assert!(matches!(
            Packet::from_frame(&bad),
            Err(FramingError::Crc { .. })
        ));
        assert!(matches!(
            Packet::from_frame(&[0x05, 1]),
            Err(FramingError::Overrun { .. })
        ));
        assert!(matches!(
            Packet::from_frame(&[0x02, 1]),
            Err(FramingError::Short(1))
        ));
    }
}
