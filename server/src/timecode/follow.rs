//! Locks the show clock to LTC audio: a WAV file (played in real time) or raw PCM on stdin.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::ltc::{LtcDecoder, LtcFrame};
use super::wav::{read_raw_s16le, read_wav, AudioError};
use super::ClockSource;
use crate::show::ShowHandle;

/// Where LTC audio comes from.
#[derive(Debug, Clone)]
pub enum LtcSource {
    /// A WAV file, channel `channel` (0 = first).
    Wav { path: PathBuf, channel: usize },
    /// Raw signed 16-bit little-endian PCM on stdin (e.g. piped from `arecord`).
    RawStdin {
        sample_rate: u32,
        channels: usize,
        channel: usize,
    },
}

/// Reads the next block of samples (empty at the end of the input).
type BlockReader = Box<dyn FnMut() -> Result<Vec<f32>, AudioError> + Send>;

/// Jams the clock to a decoded frame: when its sync word ends, the next frame begins.
/// Reversed frames (tape running backwards) are not a master clock and are skipped.
fn jam(show: &ShowHandle, frame: &LtcFrame) -> Result<(), String> {
    if frame.reversed {
        return Ok(());
    }
    let rate = show.view().show.frame_rate;
    let tc = frame
        .timecode(rate)
        .map_err(|e| format!("LTC frame does not fit the show rate {rate}: {e}"))?;
    let step = if rate.nominal() >= 48 { 2 } else { 1 };
    show.with_clock(|clock| clock.jam(tc.add_frames(step), ClockSource::Ltc));
    Ok(())
}

/// Decodes LTC from `source` on a thread and keeps the show clock on it. Returns at once.
pub fn follow(source: LtcSource, show: ShowHandle) -> Result<(), AudioError> {
    let (sample_rate, next_block): (u32, BlockReader) = match source {
        LtcSource::Wav { path, channel } => {
            let audio = read_wav(&std::fs::read(&path)?, channel)?;
            let block = (audio.sample_rate / 100).max(1) as usize;
            let mut samples = audio.samples.into_iter();
            let rate = audio.sample_rate;
            (
                rate,
                Box::new(move || Ok(samples.by_ref().take(block).collect())),
            )
        }
        LtcSource::RawStdin {
            sample_rate,
            channels,
            channel,
        } => (
            sample_rate,
            raw_blocks(std::io::stdin(), sample_rate, channels, channel),
        ),
    };
    follow_blocks(sample_rate, next_block, show)
}

/// Blocks of 10 ms of channel `channel` from raw signed 16-bit little-endian PCM.
fn raw_blocks(
    mut input: impl Read + Send + 'static,
    sample_rate: u32,
    channels: usize,
    channel: usize,
) -> BlockReader {
    let block = (sample_rate / 100).max(1) as usize;
    let mut buf = vec![0u8; block * 2 * channels.max(1)];
    Box::new(move || match input.read_exact(&mut buf) {
        Ok(()) => read_raw_s16le(&buf[..], channels, channel, block),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    })
}

/// Decodes the blocks on a thread, paced in real time, and jams the show clock.
fn follow_blocks(
    sample_rate: u32,
    mut next_block: BlockReader,
    show: ShowHandle,
) -> Result<(), AudioError> {
    let paced = sample_rate;
    std::thread::Builder::new()
        .name("ltc".into())
        .spawn(move || {
            let mut decoder = LtcDecoder::new(paced);
            let start = Instant::now();
            let mut consumed = 0u64;
            let mut warned = false;
            loop {
                let block = match next_block() {
                    Ok(b) if !b.is_empty() => b,
                    Ok(_) => return,
                    Err(e) => return eprintln!("lookwire: LTC input stopped: {e}"),
                };
                consumed += block.len() as u64;
                for frame in decoder.push(&block) {
                    if let Err(e) = jam(&show, &frame) {
                        if !warned {
                            eprintln!("lookwire: {e}");
                            warned = true;
                        }
                    }
                }
                // A file plays in real time, as a live feed would arrive.
                let due = start + Duration::from_secs_f64(consumed as f64 / f64::from(paced));
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
            }
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SqliteStore;
    use crate::timecode::ltc::encoder::{encode, wav_bytes};
    use crate::timecode::{FrameRate, Timecode};

    #[test]
    fn the_clock_follows_ltc_from_a_wav_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        let show = ShowHandle::start(Box::new(store), crate::show::demo::demo_show).unwrap();
        let start = Timecode::parse("10:00:00:00", FrameRate::Fps25).unwrap();
        let path = dir.path().join("ltc.wav");
        std::fs::write(&path, wav_bytes(&encode(start, 13, 25.0, 48_000), 48_000)).unwrap();
        follow(LtcSource::Wav { path, channel: 0 }, show.clone()).unwrap();
        // The file plays in real time (half a second of frames), then the clock runs on.
        let deadline = Instant::now() + Duration::from_secs(10);
        let (source, now) = loop {
            let (source, now) = show.with_clock(|c| (c.source(), c.now()));
            let past_last = now.seconds > 0 || now.frames >= 13;
            if (source == ClockSource::Ltc && now.hours == 10 && past_last)
                || Instant::now() > deadline
            {
                break (source, now);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(source, ClockSource::Ltc);
        assert_eq!((now.hours, now.minutes), (10, 0), "{now}");
        assert!(now.seconds < 10, "{now}");
        let missing = dir.path().join("missing.wav");
        assert!(follow(
            LtcSource::Wav {
                path: missing,
                channel: 0
            },
            show
        )
        .is_err());
    }

    /// Raw PCM as `arecord -f S16_LE -c 2` sends it, LTC on the second channel and a
    /// loud tone on the first: the clock follows the chosen channel.
    #[test]
    fn the_clock_follows_ltc_from_raw_pcm_on_the_chosen_channel() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("s.sqlite")).unwrap();
        let show = ShowHandle::start(Box::new(store), crate::show::demo::demo_show).unwrap();
        assert_eq!(show.view().show.frame_rate, FrameRate::Fps25);
        let start = Timecode::parse("07:30:00:00", FrameRate::Fps25).unwrap();
        let ltc = encode(start, 13, 25.0, 48_000);
        let mut pcm = Vec::with_capacity(ltc.len() * 4);
        for (i, s) in ltc.iter().enumerate() {
            let tone = (i as f32 * 0.3).sin() * 0.9;
            pcm.extend_from_slice(&((tone * 32767.0) as i16).to_le_bytes());
            pcm.extend_from_slice(&((s * 32767.0) as i16).to_le_bytes());
        }
        let blocks = raw_blocks(std::io::Cursor::new(pcm), 48_000, 2, 1);
        follow_blocks(48_000, blocks, show.clone()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        let (source, now) = loop {
            let (source, now) = show.with_clock(|c| (c.source(), c.now()));
            if (source == ClockSource::Ltc && now.hours == 7) || Instant::now() > deadline {
                break (source, now);
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(source, ClockSource::Ltc);
        assert_eq!((now.hours, now.minutes), (7, 30), "{now}");
    }
}
