//! Each camera's full look (input transform → CDL → show look → output transform) per
//! output: baked by the engine into a 3D LUT as `.cube` for dailies systems, and as CLF of
//! separate process nodes ([`super::clf_nodes`]). The grade
//! is the one the camera ended the log with; show look LUT files and show LUT outputs are
//! baked from their tables, read from the store.

use lookwire_color::formats::{LutFile, LutFormat, Precision};

use super::text::{file_stem, style_text};
use super::ExportError;
use crate::post::show_log::post_grade;
use crate::show::{self, Show};

fn fail(camera: &str, what: impl std::fmt::Display) -> ExportError {
    ExportError::Conflict(format!("camera {camera}: {what}"))
}

/// One baked look per camera and output (display transform or show LUT): `(path, bytes)`.
pub fn look_luts(
    show: &Show,
    day: &str,
    size: usize,
    formats: &[LutFormat],
) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
    let mut files = Vec::new();
    for (id, camera) in &show.cameras {
        let grade = post_grade(show, id, &camera.grade).map_err(|e| fail(id, e))?;
        for output_id in &camera.outputs {
            let Some(output) = show.outputs.get(output_id) else {
                continue;
            };
            // The one look description devices and previews bake, range included.
            let look = show::export_look_for(show, id, output_id).map_err(|e| fail(id, e))?;
            let display = look.display;
            let Some(look) = look.pipeline else {
                continue;
            };
            let baked = look
                .pipeline()
                .and_then(|p| p.bake(size))
                .map_err(|e| fail(id, e))?;
            let mut file = LutFile::from_3d(baked.lut);
            file.title = Some(format!("lookwire {} {} {day}", camera.label, output.name));
            file.comments = vec![format!(
                "input {}; working space {}; CDL style {}; look {}; output {display}, {} range; grade at the end of the log",
                camera.input_space,
                grade.working_space,
                style_text(grade.style),
                grade.look.as_deref().unwrap_or("none"),
                output.range
            )];
            let stem = format!(
                "{}_{}_{}",
                file_stem(id),
                file_stem(output_id),
                file_stem(day)
            );
            for format in formats {
                let bytes = if *format == LutFormat::Clf {
                    // Separate process nodes, not the baked table.
                    let Some(mut list) =
                        super::clf_nodes::look_process_list(show, id, output_id, size)?
                    else {
                        continue;
                    };
                    list.name = file.title.clone();
                    list.descriptions.extend(file.comments.iter().cloned());
                    super::clf_nodes::write(&list)?
                } else {
                    format
                        .write(&file, Precision::Fixed(6))
                        .map_err(|e| fail(id, e))?
                };
                let (folder, ext) = if *format == LutFormat::Clf {
                    ("clf", "clf")
                } else {
                    ("cube", "cube")
                };
                files.push((format!("{folder}/{stem}.{ext}"), bytes));
            }
        }
    }
    Ok(files)
}
