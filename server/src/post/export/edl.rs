//! CMX3600 EDL per camera: one cut per clip in timecode order, record side laid end to end
//! from 01:00:00:00, with the grade and the clip's identity in comments.

use super::text::{asc_sop_spaced, description, number};
use super::ExportError;
use crate::post::grades::{ClipMatch, MatchRule};
use crate::timecode::Timecode;

/// CMX3600 event numbers run 001–999.
pub const MAX_EVENTS: usize = 999;

/// A reel name as the event line can carry it: ≤ 8 characters, no spaces.
fn reel_field(reel: &str) -> String {
    let clean: String = reel
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    clean.chars().take(8).collect()
}

/// EDL text for one camera's clips (at most [`MAX_EVENTS`], all at one rate).
pub fn edl(title: &str, matches: &[&ClipMatch], rule: &MatchRule) -> Result<String, ExportError> {
    let Some(first) = matches.first() else {
        return Err(ExportError::Conflict(format!("EDL {title}: no clips")));
    };
    let rate = first.clip.rate();
    if let Some(other) = matches.iter().find(|m| m.clip.rate() != rate) {
        return Err(ExportError::Conflict(format!(
            "EDL {title}: clip {} runs at {}, not {rate}",
            other.clip.name,
            other.clip.rate()
        )));
    }
    if matches.len() > MAX_EVENTS {
        return Err(ExportError::Conflict(format!(
            "EDL {title}: {} clips, CMX3600 holds {MAX_EVENTS}",
            matches.len()
        )));
    }
    let fcm = if rate.is_drop_frame() {
        "DROP FRAME"
    } else {
        "NON-DROP FRAME"
    };
    let mut out = format!("TITLE: {title}\nFCM: {fcm}\n");
    let mut record = Timecode::from_frames(i64::from(rate.nominal()) * 3600, rate);
    for (i, m) in matches.iter().enumerate() {
        let (start, end) = m.clip.frame_range();
        let rec_out = record.add_frames(end - start);
        out.push_str(&event_lines(i + 1, m, rule, record, rec_out));
        record = rec_out;
    }
    Ok(out)
}

fn event_lines(
    n: usize,
    m: &ClipMatch,
    rule: &MatchRule,
    rec_in: Timecode,
    rec_out: Timecode,
) -> String {
    let clip = &m.clip;
    let reel = reel_field(&clip.reel);
    let mut out = format!(
        "\n{n:03}  {reel:<8} V     C        {} {} {rec_in} {rec_out}\n",
        clip.start, clip.end
    );
    out.push_str(&format!("* FROM CLIP NAME:  {}\n", clip.name));
    if reel != clip.reel {
        out.push_str(&format!("* REEL NAME: {}\n", clip.reel));
    }
    if let Some(g) = &m.grade {
        out.push_str(&format!(
            "*ASC_SOP {}\n*ASC_SAT {}\n",
            asc_sop_spaced(&g.grade.cdl),
            number(g.grade.cdl.sat)
        ));
    }
    out.push_str(&format!("* SOURCE FILE: {}\n", clip.source_file));
    match &m.grade {
        Some(g) => out.push_str(&format!("* {}\n", description(g, rule))),
        None => out.push_str("* LOOKWIRE: NO GRADE MATCHED THIS CLIP\n"),
    }
    out
}
