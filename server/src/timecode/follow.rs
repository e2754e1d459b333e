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
    let (sample_rate, mut next_block): (u32, BlockReader) = match source {
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
        } => {
            let block = (sample_rate / 100).max(1) as usize;
            let mut stdin = std::io::stdin();
            let mut buf = vec![0u8; block * 2 * channels.max(1)];
            let read = move || match stdin.read_exact(&mut buf) {
                Ok(()) => read_raw_s16le(&buf[..], channels, channel, block),
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(Vec::new()),
                Err(e) => Err(e.into()),
            };
            (sample_rate, Box::new(read))
        }
    };
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
}
