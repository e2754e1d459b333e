//! ALE with the grade added: the ingested table untouched but for `ASC_SOP`, `ASC_SAT`,
//! `Look Name`, `CDL Style` and `CDL Working Space` (added, or filled in when present).
//! Lists read from CSV or OTIO get a fresh ALE with the standard columns.

use super::text::{asc_sop, number};
use super::ExportError;
use crate::post::clips::ale::{AleRow, AleTable, MAX_COLUMNS};
use crate::post::clips::{Clip, ClipList};
use crate::post::grades::ClipMatch;

pub const GRADE_COLUMNS: [&str; 5] = [
    "ASC_SOP",
    "ASC_SAT",
    "Look Name",
    "CDL Style",
    "CDL Working Space",
];

fn fps_text(clip: &Clip) -> &'static str {
    match clip.rate().as_str() {
        "29.97df" => "29.97",
        "59.94df" => "59.94",
        other => other,
    }
}

fn fresh_table(clips: &[Clip]) -> AleTable {
    let fps = clips.first().map_or("24", fps_text);
    let heading = [
        ("FIELD_DELIM", "TABS"),
        ("VIDEO_FORMAT", "1080"),
        ("AUDIO_FORMAT", "48kHz"),
        ("FPS", fps),
    ];
    let columns = [
        "Name",
        "Tracks",
        "Start",
        "End",
        "Tape",
        "Source File",
        "Camera",
    ];
    AleTable {
        heading: heading
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        columns: columns.iter().map(|c| c.to_string()).collect(),
        columns_trailing_tab: false,
        rows: clips
            .iter()
            .enumerate()
            .map(|(i, c)| AleRow {
                line: i + 1,
                fields: vec![
                    c.name.clone(),
                    "V".into(),
                    c.start.to_string(),
                    c.end.to_string(),
                    c.reel.clone(),
                    c.source_file.clone(),
                    c.camera.clone(),
                ],
                trailing_tab: false,
            })
            .collect(),
        line_ending: "\n",
    }
}

/// The ALE text for a clip list and its matches (`matches[i]` is `list.clips[i]`).
pub fn ale(list: &ClipList, matches: &[ClipMatch]) -> Result<String, ExportError> {
    let mut table = list.ale.clone().unwrap_or_else(|| fresh_table(&list.clips));
    let rates: std::collections::BTreeSet<&str> = list.clips.iter().map(fps_text).collect();
    if rates.len() > 1 {
        return Err(ExportError::Conflict(format!(
            "an ALE has one FPS; the clips run at {rates:?}"
        )));
    }
    let added = GRADE_COLUMNS
        .iter()
        .filter(|c| table.column(c).is_none())
        .count();
    if table.columns.len() + added > MAX_COLUMNS {
        return Err(ExportError::Conflict(format!(
            "{}: {} columns plus {added} grade columns exceed the ALE limit of {MAX_COLUMNS}",
            list.file.display(),
            table.columns.len()
        )));
    }
    let column = |f: &dyn Fn(&ClipMatch) -> Option<String>| -> Vec<String> {
        matches.iter().map(|m| f(m).unwrap_or_default()).collect()
    };
    table.set_column(
        "ASC_SOP",
        &column(&|m| m.grade.as_ref().map(|g| asc_sop(&g.grade.cdl))),
    );
    table.set_column(
        "ASC_SAT",
        &column(&|m| m.grade.as_ref().map(|g| number(g.grade.cdl.sat))),
    );
    table.set_column(
        "Look Name",
        &column(&|m| m.grade.as_ref().and_then(|g| g.grade.look.clone())),
    );
    table.set_column(
        "CDL Style",
        &column(&|m| m.grade.as_ref().map(|g| g.grade.style.to_string())),
    );
    table.set_column(
        "CDL Working Space",
        &column(&|m| m.grade.as_ref().map(|g| g.grade.working_space.clone())),
    );
    Ok(table.to_text())
}
