//! An LTC encoder for the tests, written from the SMPTE 12-1 bit layout (formats.md §10).

use crate::timecode::Timecode;

/// Writes mono 16-bit PCM WAV bytes.
pub fn wav_bytes(samples: &[f32], sample_rate: u32) -> Vec<u8> {
    let data: Vec<u8> = samples
        .iter()
        .flat_map(|x| ((x * 30_000.0) as i16).to_le_bytes())
        .collect();
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&sample_rate.to_le_bytes());
    wav.extend_from_slice(&(sample_rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}

/// The 80 bits of one LTC frame, bit 0 first, with the polarity bit set so the count of
/// zeros is even (bit 27 at 24/30 fps, bit 59 at 25 fps).
pub fn frame_bits(tc: &Timecode, user_bits: u32) -> [bool; 80] {
    let mut bits = [false; 80];
    let mut put = |start: usize, len: usize, value: u32| {
        for i in 0..len {
            bits[start + i] = (value >> i) & 1 == 1;
        }
    };
    let frames = if tc.rate.nominal() >= 48 {
        tc.frames / 2
    } else {
        tc.frames
    };
    put(0, 4, frames % 10);
    put(8, 2, frames / 10);
    put(10, 1, u32::from(tc.rate.is_drop_frame()));
    put(16, 4, tc.seconds % 10);
    put(24, 3, tc.seconds / 10);
    put(32, 4, tc.minutes % 10);
    put(40, 3, tc.minutes / 10);
    put(48, 4, tc.hours % 10);
    put(56, 2, tc.hours / 10);
    for (group, start) in [4, 12, 20, 28, 36, 44, 52, 60].into_iter().enumerate() {
        put(start, 4, (user_bits >> (4 * group)) & 0xF);
    }
    for (i, b) in [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1]
        .into_iter()
        .enumerate()
    {
        bits[64 + i] = b == 1;
    }
    let polarity = if tc.rate.nominal() == 25 || tc.rate.nominal() == 50 {
        59
    } else {
        27
    };
    let zeros = bits.iter().filter(|b| !**b).count();
    bits[polarity] = zeros % 2 == 1;
    bits
}

/// Biphase-mark audio of consecutive frames starting at `start`, at `fps` (real rate).
pub fn encode(start: Timecode, count: usize, fps: f64, sample_rate: u32) -> Vec<f32> {
    let half = f64::from(sample_rate) / (80.0 * fps) / 2.0;
    let mut out = Vec::new();
    let mut level = 0.5f32;
    let mut t = 0.0f64;
    let emit = |t_end: f64, level: f32, out: &mut Vec<f32>| {
        while (out.len() as f64) < t_end {
            out.push(level);
        }
    };
    // Some silence first, as a real reader sees before the tape rolls, then one bit cell
    // of signal so the first frame's first bit starts with an edge (as it does mid-stream).
    emit(f64::from(sample_rate) * 0.01, 0.0, &mut out);
    t += out.len() as f64 + 2.0 * half;
    emit(t, level, &mut out);
    for i in 0..count {
        let tc = start.add_frames(i as i64);
        for bit in frame_bits(&tc, 0x8765_4321) {
            level = -level;
            t += half;
            emit(t, level, &mut out);
            if bit {
                level = -level;
            }
            t += half;
            emit(t, level, &mut out);
        }
    }
    // One more edge and bit cell, so the last frame's last bit ends as it would mid-stream.
    t += 2.0 * half;
    emit(t, -level, &mut out);
    emit(t + f64::from(sample_rate) * 0.01, 0.0, &mut out);
    out
}

/// A repeatable noise source (xorshift), uniform in [-1, 1].
pub fn noise(seed: &mut u64) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}
