//! `.cc` per clip, `.ccc` and `.cdl` per camera, through the formats module's CDL XML writer.

use lookwire_color::formats::cdl_xml::{
    self, CdlDocument, CdlFileKind, ColorCorrection, ColorDecision, Correction, Descriptions,
};

use super::text::description;
use super::{ExportError, IdBy};
use crate::post::grades::{ClipMatch, MatchRule};

/// The id post relinks a correction by.
pub fn correction_id(m: &ClipMatch, id_by: IdBy) -> String {
    match id_by {
        IdBy::Clip => m.clip.name.clone(),
        IdBy::Reel => m.clip.reel.clone(),
    }
}

fn correction(m: &ClipMatch, rule: &MatchRule, id_by: IdBy) -> Option<ColorCorrection> {
    let matched = m.grade.as_ref()?;
    let mut cc = ColorCorrection::new(correction_id(m, id_by), matched.grade.cdl);
    let clip = &m.clip;
    let mut description = vec![
        description(matched, rule),
        format!(
            "clip {} reel {} source file {}",
            clip.name, clip.reel, clip.source_file
        ),
    ];
    if let Some(cv) = matched.grade.fit_max_cv {
        description.push(format!(
            "fitted CDL: the grade merges into no single CDL; this one is within {cv:.2} \
             10-bit code values of it in the working space"
        ));
    }
    cc.notes = Descriptions {
        description,
        input: Some(format!("working space {}", matched.grade.working_space)),
        viewing: None,
    };
    Some(cc)
}

fn write(doc: &CdlDocument, what: &str) -> Result<Vec<u8>, ExportError> {
    cdl_xml::write(doc).map_err(|e| ExportError::Format(format!("{what}: {e}")))
}

/// One `.cc` for a graded clip (`None` when the clip has no grade).
pub fn cc(m: &ClipMatch, rule: &MatchRule, id_by: IdBy) -> Result<Option<Vec<u8>>, ExportError> {
    let Some(cc) = correction(m, rule, id_by) else {
        return Ok(None);
    };
    let doc = CdlDocument::from_corrections(CdlFileKind::Cc, vec![cc]);
    write(&doc, &m.clip.name).map(Some)
}

/// One `.ccc` for a camera's graded clips.
pub fn ccc(
    camera: &str,
    matches: &[&ClipMatch],
    rule: &MatchRule,
    id_by: IdBy,
) -> Result<Vec<u8>, ExportError> {
    let corrections = unique(matches, rule, id_by, camera)?;
    let mut doc = CdlDocument::from_corrections(CdlFileKind::Ccc, corrections);
    doc.notes
        .description
        .push(format!("lookwire camera {camera}: {rule}"));
    write(&doc, camera)
}

/// One `.cdl` for a camera, each decision pointing at its source file.
pub fn cdl(
    camera: &str,
    matches: &[&ClipMatch],
    rule: &MatchRule,
    id_by: IdBy,
) -> Result<Vec<u8>, ExportError> {
    let mut decisions = Vec::new();
    for m in matches {
        if let Some(cc) = correction(m, rule, id_by) {
            decisions.push(ColorDecision {
                notes: Descriptions::default(),
                media_ref: Some(m.clip.source_file.clone()),
                correction: Correction::Inline(cc),
            });
        }
    }
    let mut doc = CdlDocument::from_corrections(CdlFileKind::Cdl, Vec::new());
    doc.decisions = decisions;
    doc.notes
        .description
        .push(format!("lookwire camera {camera}: {rule}"));
    write(&doc, camera)
}

/// Corrections with unique ids; with ids by reel, clips of one reel must share a grade.
fn unique(
    matches: &[&ClipMatch],
    rule: &MatchRule,
    id_by: IdBy,
    camera: &str,
) -> Result<Vec<ColorCorrection>, ExportError> {
    let mut out: Vec<ColorCorrection> = Vec::new();
    for m in matches {
        let Some(cc) = correction(m, rule, id_by) else {
            continue;
        };
        match out.iter().find(|c| c.id == cc.id) {
            Some(existing) if existing.cdl == cc.cdl => {}
            Some(_) => {
                return Err(ExportError::Conflict(format!(
                    "camera {camera}: two clips share the id {:?} with different grades; use ids by clip name",
                    cc.id.unwrap_or_default()
                )))
            }
            None => out.push(cc),
        }
    }
    Ok(out)
}
