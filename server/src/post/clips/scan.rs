//! A folder of camera files as a clip list, through `ffprobe` (Debian's `ffmpeg` package):
//! clip name (file stem), reel (the `reel_name`/`reel` tag, else the file stem), start
//! timecode (the `timecode` tag of the container or any stream), frame rate (the video
//! stream's), duration in frames, and the camera from the reel's leading letters.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::{
    camera_from_reel, rate_from_text, Clip, ClipError, ClipErrorKind, ClipList, IngestOptions,
    Location,
};
use crate::timecode::Timecode;

/// File extensions scanned (camera originals and common wrappers ffprobe reads).
pub const EXTENSIONS: [&str; 7] = ["mov", "mxf", "mp4", "m4v", "avi", "mkv", "mts"];

/// The ffprobe program: `LOOKWIRE_FFPROBE` or `ffprobe` on the PATH.
fn ffprobe() -> String {
    std::env::var("LOOKWIRE_FFPROBE").unwrap_or_else(|_| "ffprobe".into())
}

fn fail(path: &Path, why: impl Into<String>) -> ClipError {
    ClipError::at(path, 0, ClipErrorKind::Syntax(why.into()))
}

/// Camera files under `folder` (recursively; hidden folders, `ascmhl/` and links skipped),
/// sorted.
fn camera_files(folder: &Path) -> Result<Vec<PathBuf>, ClipError> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| ClipError::at(&dir, 0, ClipErrorKind::Io(e.to_string())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            // Links are not followed: a scan stays inside the folder it was given.
            let kind = entry.file_type();
            if name.starts_with('.')
                || name == "ascmhl"
                || kind.as_ref().map_or(true, |k| k.is_symlink())
            {
                continue;
            }
            if kind.is_ok_and(|k| k.is_dir()) {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| EXTENSIONS.contains(&e.to_string_lossy().to_lowercase().as_str()))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// ffprobe's JSON for one file.
fn probe(path: &Path) -> Result<Value, ClipError> {
    let output = Command::new(ffprobe())
        .args(["-v", "error", "-print_format", "json", "-show_format", "-show_streams"])
        .arg(path)
        .output()
        .map_err(|e| {
            fail(
                path,
                format!("cannot run {} ({e}): install ffmpeg (Debian: apt-get install ffmpeg) or set LOOKWIRE_FFPROBE", ffprobe()),
            )
        })?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        return Err(fail(
            path,
            format!("ffprobe cannot read it: {}", err.trim()),
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| fail(path, format!("ffprobe output: {e}")))
}

/// A tag of the container or of any stream (tags are matched without regard to case).
fn tag(probe: &Value, names: &[&str]) -> Option<String> {
    let tags = std::iter::once(&probe["format"]["tags"]).chain(
        probe["streams"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|s| &s["tags"]),
    );
    for t in tags {
        let Some(map) = t.as_object() else { continue };
        for (k, v) in map {
            if names.iter().any(|n| k.eq_ignore_ascii_case(n)) {
                if let Some(s) = v.as_str().filter(|s| !s.trim().is_empty()) {
                    return Some(s.trim().to_owned());
                }
            }
        }
    }
    None
}

/// `"24000/1001"` → 23.976…
fn ratio(text: &str) -> Option<f64> {
    let (n, d) = text.split_once('/').unwrap_or((text, "1"));
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (d != 0.0 && n > 0.0).then(|| n / d)
}

/// One clip from ffprobe's JSON for `path`.
pub fn clip_from_probe(
    probe: &Value,
    path: &Path,
    options: &IngestOptions,
) -> Result<Clip, ClipError> {
    let video = probe["streams"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["codec_type"] == "video")
        .ok_or_else(|| fail(path, "no video stream"))?;
    let timecode = tag(probe, &["timecode"])
        .ok_or_else(|| fail(path, "no timecode tag in the file (ffprobe found none)"))?;
    let fps = video["r_frame_rate"]
        .as_str()
        .and_then(ratio)
        .or_else(|| video["avg_frame_rate"].as_str().and_then(ratio));
    let drop = timecode.contains(';');
    let rate = match options.rate {
        Some(r) => r,
        None => fps
            .and_then(|f| rate_from_text(&format!("{f:.3}"), drop))
            .ok_or_else(|| {
                ClipError::at(
                    path,
                    0,
                    ClipErrorKind::Rate(format!(
                        "video frame rate {fps:?} is not a timecode rate; give it (--fps)"
                    )),
                )
            })?,
    };
    let start = Timecode::parse(&timecode, rate).map_err(|source| {
        ClipError::at(
            path,
            0,
            ClipErrorKind::Timecode {
                column: "timecode tag".into(),
                source,
            },
        )
    })?;
    let frames = video["nb_frames"]
        .as_str()
        .and_then(|n| n.parse::<i64>().ok())
        .or_else(|| {
            let seconds: f64 = video["duration"]
                .as_str()
                .or(probe["format"]["duration"].as_str())?
                .parse()
                .ok()?;
            Some((seconds * fps?).round() as i64)
        })
        .filter(|&n| n > 0)
        .ok_or_else(|| fail(path, "no duration (no frame count or duration in the file)"))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reel = tag(probe, &["reel_name", "reel", "com.apple.proapps.reel"])
        .unwrap_or_else(|| name.clone());
    Ok(Clip {
        camera: camera_from_reel(&reel),
        end: start.add_frames(frames),
        start,
        reel,
        source_file: path
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        name,
        origin: Location::JsonPath(path.display().to_string()),
    })
}

/// Every camera file under `folder` as a clip.
pub fn scan_folder(folder: &Path, options: &IngestOptions) -> Result<ClipList, ClipError> {
    let files = camera_files(folder)?;
    if files.is_empty() {
        return Err(fail(
            folder,
            format!("no camera files ({}) in the folder", EXTENSIONS.join(", ")),
        ));
    }
    let clips = files
        .iter()
        .map(|f| clip_from_probe(&probe(f)?, f, options))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ClipList {
        file: folder.to_path_buf(),
        clips,
        ale: None,
    })
}

#[cfg(test)]
mod tests {
    //! ffprobe's JSON captured from files made by Debian's ffmpeg 5.1
    //! (`ffmpeg -f lavfi -i testsrc … -timecode 14:02:10:00 -metadata:s:v:0 reel_name=A001`);
    //! scripts/test.d/post-interop.sh runs the real ffprobe on fresh files.

    use super::*;
    use crate::timecode::FrameRate;

    fn fixture(name: &str) -> Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/post/scan")
            .join(name);
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn clips_come_from_the_timecode_reel_rate_and_frame_count() {
        let opts = IngestOptions::default();
        let a = clip_from_probe(
            &fixture("A001C003_240501_R1AB.json"),
            Path::new("cards/A001/A001C003_240501_R1AB.mov"),
            &opts,
        )
        .unwrap();
        assert_eq!(
            (
                a.name.as_str(),
                a.reel.as_str(),
                a.camera.as_str(),
                a.source_file.as_str()
            ),
            (
                "A001C003_240501_R1AB",
                "A001",
                "A",
                "A001C003_240501_R1AB.mov"
            )
        );
        assert_eq!(
            (a.start.to_string(), a.end.to_string()),
            ("14:02:10:00".into(), "14:02:12:00".into())
        );
        assert_eq!(a.rate(), FrameRate::Fps25);
        // No reel tag: the reel is the file name; 30 frames at 23.976.
        let b = clip_from_probe(
            &fixture("B012C004.json"),
            Path::new("cards/B012C004.mov"),
            &opts,
        )
        .unwrap();
        assert_eq!((b.reel.as_str(), b.camera.as_str()), ("B012C004", "B"));
        assert_eq!(
            (b.rate(), b.end.to_string()),
            (FrameRate::Fps23_976, "09:00:01:06".into())
        );
    }

    #[test]
    fn a_file_without_timecode_or_ffprobe_is_a_located_error() {
        let e = clip_from_probe(
            &fixture("notc.json"),
            Path::new("cards/notc.mov"),
            &IngestOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("cards/notc.mov") && e.contains("no timecode"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let e = scan_folder(dir.path(), &IngestOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("no camera files"), "{e}");
        std::fs::write(dir.path().join("x.mov"), b"not a movie").unwrap();
        let e = scan_folder(dir.path(), &IngestOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.mov"), "{e}");
    }
}
