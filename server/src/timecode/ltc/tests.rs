//! The decoder against an LTC encoder written here from the SMPTE 12-1 bit layout.

use super::*;
use crate::timecode::wav::read_wav;

/// The 80 bits of one LTC frame, bit 0 first, with the polarity bit set so the count of
/// zeros is even (bit 27 at 24/30 fps, bit 59 at 25 fps).
fn frame_bits(tc: &Timecode, user_bits: u32) -> [bool; 80] {
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
fn encode(start: Timecode, count: usize, fps: f64, sample_rate: u32) -> Vec<f32> {
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
fn noise(seed: &mut u64) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

fn labels(frames: &[LtcFrame], rate: FrameRate) -> Vec<String> {
    frames
        .iter()
        .map(|f| f.timecode(rate).unwrap().to_string())
        .collect()
}

fn expected(start: Timecode, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| start.add_frames(i as i64).to_string())
        .collect()
}

#[test]
fn decodes_drop_frame_across_a_minute() {
    let rate = FrameRate::Fps29_97Df;
    let start = Timecode::parse("09:59:59;20", rate).unwrap();
    let audio = encode(start, 40, 30000.0 / 1001.0, 48_000);
    let frames = decode(&audio, 48_000);
    assert_eq!(labels(&frames, rate), expected(start, 40));
    assert!(labels(&frames, rate).contains(&"10:00:00;00".to_owned()));
    let start = Timecode::parse("10:00:59;25", rate).unwrap();
    let frames = decode(&encode(start, 10, 30000.0 / 1001.0, 48_000), 48_000);
    assert_eq!(
        labels(&frames, rate)[5],
        "10:01:00;02",
        "00 and 01 are skipped"
    );
    assert!(frames
        .iter()
        .all(|f| f.drop_frame && !f.reversed && f.user_bits == 0x8765_4321));
    let fps = measured_rate(&frames, 48_000).unwrap();
    assert!((fps - 29.97).abs() < 0.05, "{fps}");
}

#[test]
fn decodes_reversed_audio() {
    let rate = FrameRate::Fps25;
    let start = Timecode::parse("01:02:03:04", rate).unwrap();
    let mut audio = encode(start, 30, 25.0, 44_100);
    audio.reverse();
    let frames = decode(&audio, 44_100);
    let mut want = expected(start, 30);
    want.reverse();
    assert_eq!(labels(&frames, rate), want);
    assert!(frames.iter().all(|f| f.reversed && !f.drop_frame));
}

#[test]
fn decodes_a_noisy_filtered_signal_without_wrong_frames() {
    let rate = FrameRate::Fps30;
    let start = Timecode::parse("23:59:58:00", rate).unwrap();
    let clean = encode(start, 90, 30.0, 48_000);
    let mut seed = 0x1234_5678_9abc_def1;
    let mut lowpassed = 0.0f32;
    let noisy: Vec<f32> = clean
        .iter()
        .map(|&x| {
            // Slow edges (a one-pole low-pass), a DC offset and noise at about 15 dB SNR.
            lowpassed += 0.35 * (x - lowpassed);
            lowpassed * 0.8 + 0.05 + 0.08 * noise(&mut seed)
        })
        .collect();
    let frames = decode(&noisy, 48_000);
    let want = expected(start, 90);
    let got = labels(&frames, rate);
    assert!(got.len() >= 85, "only {} of 90 frames read", got.len());
    assert!(
        got.iter().all(|l| want.contains(l)),
        "a frame read wrong: {got:?}"
    );
    assert!(got.contains(&"00:00:00:00".to_owned()), "wraps at midnight");
}

#[test]
fn a_50p_show_follows_25_fps_ltc() {
    let start = Timecode::parse("10:00:00:12", FrameRate::Fps25).unwrap();
    let frames = decode(&encode(start, 3, 25.0, 48_000), 48_000);
    assert_eq!(
        frames[0].timecode(FrameRate::Fps50).unwrap().to_string(),
        "10:00:00:24"
    );
}

#[test]
fn decodes_from_a_wav_file() {
    let rate = FrameRate::Fps24;
    let start = Timecode::parse("12:00:00:00", rate).unwrap();
    let audio = encode(start, 24, 24.0, 48_000);
    let mut wav = Vec::new();
    let data: Vec<u8> = audio
        .iter()
        .flat_map(|x| {
            let s = (x * 30_000.0) as i16;
            // Stereo: LTC on the right channel, silence on the left.
            [0i16.to_le_bytes(), s.to_le_bytes()].concat()
        })
        .collect();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 2] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    wav.extend_from_slice(&48_000u32.to_le_bytes());
    wav.extend_from_slice(&(48_000u32 * 4).to_le_bytes());
    for v in [4u16, 16] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    let right = read_wav(&wav, 1).unwrap();
    assert_eq!(right.sample_rate, 48_000);
    assert_eq!(
        labels(&decode(&right.samples, 48_000), rate),
        expected(start, 24)
    );
    let left = read_wav(&wav, 0).unwrap();
    assert!(decode(&left.samples, 48_000).is_empty());
    assert!(read_wav(&wav, 2)
        .unwrap_err()
        .to_string()
        .contains("channel 2"));
    assert!(read_wav(b"RIFX....WAVE", 0).is_err());
    let mut truncated = wav[..40].to_vec();
    truncated[16] = 99; // fmt chunk size past the end
    assert!(read_wav(&truncated, 0).is_err());
}
