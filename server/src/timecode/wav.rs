//! Audio input for the LTC reader: RIFF/WAVE files and raw little-endian PCM.

use std::io::Read;

/// Audio that cannot be read as PCM.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("WAV: {0}")]
    Format(String),
    #[error("WAV: {what} is not supported (PCM 8/16/24/32-bit integer or 32/64-bit float only)")]
    Unsupported { what: String },
    #[error("audio read failed: {0}")]
    Io(#[from] std::io::Error),
}

/// One channel of audio as samples in [-1, 1].
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub sample_rate: u32,
    pub samples: Vec<f32>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[derive(Debug, Clone, Copy)]
struct Format {
    float: bool,
    channels: usize,
    sample_rate: u32,
    bits: usize,
}

fn parse_fmt(chunk: &[u8], at: usize) -> Result<Format, AudioError> {
    if chunk.len() < 16 {
        return Err(AudioError::Format(format!(
            "fmt chunk at byte {at} is {} bytes, needs 16",
            chunk.len()
        )));
    }
    let mut tag = u16_at(chunk, 0);
    if tag == 0xFFFE && chunk.len() >= 26 {
        // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real tag.
        tag = u16_at(chunk, 24);
    }
    let format = Format {
        float: tag == 3,
        channels: usize::from(u16_at(chunk, 2)),
        sample_rate: u32_at(chunk, 4),
        bits: usize::from(u16_at(chunk, 14)),
    };
    let supported = match tag {
        1 => matches!(format.bits, 8 | 16 | 24 | 32),
        3 => matches!(format.bits, 32 | 64),
        _ => false,
    };
    if !supported {
        return Err(AudioError::Unsupported {
            what: format!("format tag {tag} with {} bits", format.bits),
        });
    }
    if format.channels == 0 || format.sample_rate == 0 {
        return Err(AudioError::Format(format!(
            "fmt chunk at byte {at}: zero channels or sample rate"
        )));
    }
    Ok(format)
}

/// Reads channel `channel` (0 = left) of a WAV file's bytes.
pub fn read_wav(bytes: &[u8], channel: usize) -> Result<Audio, AudioError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(AudioError::Format(
            "not a RIFF/WAVE file (bytes 0–11)".into(),
        ));
    }
    let mut at = 12;
    let mut format = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32_at(bytes, at + 4) as usize;
        let body = at + 8;
        let end = body.checked_add(size).filter(|&e| e <= bytes.len());
        let Some(end) = end else {
            // Streamed WAVs often carry a data size of 0 or too large: read to the end.
            if id == b"data" {
                return decode_pcm(&bytes[body..], format, channel, body);
            }
            return Err(AudioError::Format(format!(
                "chunk at byte {at} runs past the end of the file"
            )));
        };
        match id {
            b"fmt " => format = Some(parse_fmt(&bytes[body..end], at)?),
            b"data" => return decode_pcm(&bytes[body..end], format, channel, body),
            _ => {}
        }
        at = end + (size & 1);
    }
    Err(AudioError::Format("no data chunk".into()))
}

fn decode_pcm(
    data: &[u8],
    format: Option<Format>,
    channel: usize,
    at: usize,
) -> Result<Audio, AudioError> {
    let format = format.ok_or_else(|| {
        AudioError::Format(format!(
            "data chunk at byte {at} comes before any fmt chunk"
        ))
    })?;
    if channel >= format.channels {
        return Err(AudioError::Format(format!(
            "channel {channel} asked for, the file has {}",
            format.channels
        )));
    }
    let width = format.bits / 8;
    let frame = width * format.channels;
    let samples = data
        .chunks_exact(frame)
        .map(|f| sample(&f[channel * width..(channel + 1) * width], format.float))
        .collect();
    Ok(Audio {
        sample_rate: format.sample_rate,
        samples,
    })
}

fn sample(b: &[u8], float: bool) -> f32 {
    match (b.len(), float) {
        (1, _) => (f32::from(b[0]) - 128.0) / 128.0,
        (2, _) => f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0,
        (3, _) => (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0,
        (4, false) => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32 / 2_147_483_648.0,
        (4, true) => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
        (8, _) => f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32,
        _ => 0.0,
    }
}

/// Reads raw signed 16-bit little-endian PCM (as `arecord -f S16_LE` writes), taking
/// `channel` of `channels`, until `max_samples` or the end of the stream.
pub fn read_raw_s16le(
    mut input: impl Read,
    channels: usize,
    channel: usize,
    max_samples: usize,
) -> Result<Vec<f32>, AudioError> {
    if channel >= channels.max(1) {
        return Err(AudioError::Format(format!(
            "channel {channel} asked for, the stream has {channels}"
        )));
    }
    let frame = 2 * channels;
    let mut buf = vec![0u8; frame * max_samples.min(1 << 16)];
    let mut out = Vec::new();
    let mut pending = Vec::new();
    while out.len() < max_samples {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        pending.extend_from_slice(&buf[..n]);
        let whole = pending.len() / frame * frame;
        out.extend(
            pending[..whole]
                .chunks_exact(frame)
                .map(|f| sample(&f[channel * 2..channel * 2 + 2], false)),
        );
        pending.drain(..whole);
    }
    out.truncate(max_samples);
    Ok(out)
}
