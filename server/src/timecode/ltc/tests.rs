//! The decoder against an LTC encoder written here from the SMPTE 12-1 bit layout.

use super::encoder::{encode, noise};
use super::*;
use crate::timecode::wav::read_wav;

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
