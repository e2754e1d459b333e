//! CSV clip lists: a header row naming the columns (case, spaces and underscores ignored),
//! RFC 4180 quoting. Columns: `Name` (or `Clip`), `Start`, `End` or `Duration`, and
//! optionally `Camera`, `Reel`/`Tape`, `Source File`, `FPS`.

use std::path::Path;

use super::{
    clip_from_row, rate_from_text, ClipError, ClipErrorKind, ClipList, IngestOptions, RowFields,
};

/// Splits one CSV record; `None` when a quote is left open.
fn split_record(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    if quoted {
        return None;
    }
    fields.push(field);
    Some(fields)
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

pub fn read(text: &str, file: &Path, options: &IngestOptions) -> Result<ClipList, ClipError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty());
    let (header_line, header) = lines
        .next()
        .ok_or_else(|| ClipError::at(file, 0, ClipErrorKind::Syntax("empty clip list".into())))?;
    let header = split_record(header).ok_or_else(|| {
        ClipError::at(
            file,
            header_line,
            ClipErrorKind::Syntax("unclosed quote".into()),
        )
    })?;
    let find = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| norm(h) == *n))
    };
    let name = find(&["name", "clip", "clipname"]);
    let start = find(&["start", "tcin", "starttc", "sourcein"]);
    let end = find(&["end", "tcout", "endtc", "sourceout"]);
    let duration = find(&["duration"]);
    let mut missing = Vec::new();
    if name.is_none() {
        missing.push("Name".to_string());
    }
    if start.is_none() {
        missing.push("Start".to_string());
    }
    if end.is_none() && duration.is_none() {
        missing.push("End (or Duration)".to_string());
    }
    let (Some(name), Some(start)) = (name, start) else {
        return Err(ClipError::at(
            file,
            header_line,
            ClipErrorKind::MissingColumns(missing),
        ));
    };
    if !missing.is_empty() {
        return Err(ClipError::at(
            file,
            header_line,
            ClipErrorKind::MissingColumns(missing),
        ));
    }
    let camera = match &options.camera_column {
        Some(c) => header.iter().position(|h| norm(h) == norm(c)),
        None => find(&["camera", "cam"]),
    };
    let reel = find(&["reel", "tape", "camroll", "reelname"]);
    let source = find(&["sourcefile", "filename", "file", "sourcepath"]);
    let fps = find(&["fps", "rate", "framerate"]);
    let mut clips = Vec::new();
    for (n, line) in lines {
        let row = split_record(line).ok_or_else(|| {
            ClipError::at(file, n, ClipErrorKind::Syntax("unclosed quote".into()))
        })?;
        if row.len() != header.len() {
            return Err(ClipError::at(
                file,
                n,
                ClipErrorKind::FieldCount {
                    found: row.len(),
                    expected: header.len(),
                    column_line: header_line,
                    separator: "comma",
                },
            ));
        }
        let f = |i: Option<usize>| i.map(|i| row[i].as_str());
        let drop = row[start].contains(';');
        let rate = match (options.rate, f(fps)) {
            (Some(rate), _) => rate,
            (None, Some(text)) => rate_from_text(text, drop).ok_or_else(|| {
                ClipError::at(
                    file,
                    n,
                    ClipErrorKind::Rate(format!("FPS {text:?} is not a known rate")),
                )
            })?,
            (None, None) => {
                return Err(ClipError::at(
                    file,
                    n,
                    ClipErrorKind::Rate("no FPS column; give the rate".into()),
                ))
            }
        };
        let fields = RowFields {
            name: &row[name],
            camera: f(camera),
            reel: f(reel),
            source_file: f(source),
            start: &row[start],
            end: f(end),
            duration: f(duration),
        };
        clips.push(clip_from_row(&fields, rate, file, n)?);
    }
    Ok(ClipList {
        file: file.to_path_buf(),
        clips,
        ale: None,
    })
}

#[cfg(test)]
mod tests {
    use super::split_record;

    #[test]
    fn quotes_hold_commas_and_doubled_quotes() {
        assert_eq!(
            split_record(r#"A001C001,"a, b","say ""hi""",,x"#).unwrap(),
            ["A001C001", "a, b", "say \"hi\"", "", "x"]
        );
        assert!(split_record(r#"a,"open"#).is_none());
    }
}
