//! OpenTimelineIO JSON (`.otio`): every `Clip` in the timeline, with its source range,
//! media reference and the reel/camera metadata OTIO's ALE and CMX adapters keep.

use std::path::Path;

use serde_json::Value;

use super::{camera_from_reel, Clip, ClipError, ClipErrorKind, ClipList, IngestOptions, Location};
use crate::timecode::{FrameRate, Timecode};

fn err(file: &Path, path: &str, kind: ClipErrorKind) -> ClipError {
    ClipError {
        file: file.to_path_buf(),
        location: Location::JsonPath(path.to_owned()),
        kind: Box::new(kind),
    }
}

pub fn read(text: &str, file: &Path, options: &IngestOptions) -> Result<ClipList, ClipError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| ClipError::at(file, e.line(), ClipErrorKind::Syntax(format!("JSON: {e}"))))?;
    let mut clips = Vec::new();
    collect(&root, "$", file, options, &mut clips)?;
    if clips.is_empty() {
        return Err(err(
            file,
            "$",
            ClipErrorKind::Syntax("no Clip in the timeline".into()),
        ));
    }
    Ok(ClipList {
        file: file.to_path_buf(),
        clips,
        ale: None,
    })
}

fn collect(
    v: &Value,
    path: &str,
    file: &Path,
    options: &IngestOptions,
    out: &mut Vec<Clip>,
) -> Result<(), ClipError> {
    match v {
        Value::Object(map) => {
            let schema = map
                .get("OTIO_SCHEMA")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if schema.starts_with("Clip.") {
                out.push(clip(v, path, file, options)?);
                return Ok(());
            }
            for (key, child) in map {
                collect(child, &format!("{path}.{key}"), file, options, out)?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect(child, &format!("{path}[{i}]"), file, options, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// `{value, rate}` of an OTIO `RationalTime`.
fn rational(v: Option<&Value>) -> Option<(f64, f64)> {
    let v = v?;
    Some((v.get("value")?.as_f64()?, v.get("rate")?.as_f64()?))
}

fn rate_of(fps: f64) -> Option<FrameRate> {
    FrameRate::ALL
        .into_iter()
        .filter(|r| !r.is_drop_frame())
        .find(|r| {
            let (num, den) = r.ratio();
            (num as f64 / den as f64 - fps).abs() < 0.01
        })
}

fn metadata_str<'a>(clip: &'a Value, keys: &[(&str, &str)]) -> Option<&'a str> {
    keys.iter()
        .find_map(|(group, key)| clip.get("metadata")?.get(*group)?.get(*key)?.as_str())
        .filter(|s| !s.is_empty())
}

fn clip(v: &Value, path: &str, file: &Path, options: &IngestOptions) -> Result<Clip, ClipError> {
    let bad = |what: &str| err(file, path, ClipErrorKind::Syntax(what.to_owned()));
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| bad("clip without a name"))?;
    let range = v
        .get("source_range")
        .filter(|r| !r.is_null())
        .or_else(|| {
            v.get("media_reference")?
                .get("available_range")
                .filter(|r| !r.is_null())
        })
        .ok_or_else(|| bad("clip without source_range or available_range"))?;
    let (start, fps) = rational(range.get("start_time"))
        .ok_or_else(|| bad("source_range.start_time is not {value, rate}"))?;
    let (duration, dur_fps) = rational(range.get("duration"))
        .ok_or_else(|| bad("source_range.duration is not {value, rate}"))?;
    let rate = options.rate.or_else(|| rate_of(fps)).ok_or_else(|| {
        err(
            file,
            path,
            ClipErrorKind::Rate(format!("rate {fps} is not a known frame rate")),
        )
    })?;
    let (num, den) = rate.ratio();
    let rate_fps = num as f64 / den as f64;
    // OTIO values count frames at their own rate; convert through seconds when rates differ.
    let start_frame = (start / fps * rate_fps).round() as i64;
    let frames = (duration / dur_fps * rate_fps).round() as i64;
    if frames <= 0 {
        return Err(bad("duration is not positive"));
    }
    let start_tc = Timecode::from_frames(start_frame, rate);
    let reel = metadata_str(v, &[("cmx_3600", "reel"), ("ALE", "Tape"), ("ALE", "Reel")])
        .unwrap_or_else(|| name.split('_').next().unwrap_or(name))
        .to_owned();
    let camera_key = options.camera_column.as_deref().unwrap_or("Camera");
    let camera = metadata_str(v, &[("ALE", camera_key), ("lookwire", "camera")])
        .map(str::to_owned)
        .unwrap_or_else(|| camera_from_reel(&reel));
    let target = v
        .get("media_reference")
        .and_then(|m| m.get("target_url"))
        .and_then(Value::as_str)
        .map(|u| u.rsplit(['/', '\\']).next().unwrap_or(u).to_owned());
    let source_file = metadata_str(v, &[("ALE", "Source File")])
        .map(str::to_owned)
        .or(target)
        .unwrap_or_else(|| name.to_owned());
    Ok(Clip {
        camera,
        reel,
        name: name.to_owned(),
        source_file,
        start: start_tc,
        end: start_tc.add_frames(frames),
        origin: Location::JsonPath(path.to_owned()),
    })
}
