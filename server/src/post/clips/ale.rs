//! ALE (Avid Log Exchange) as a table kept verbatim: heading lines, column names and data
//! rows are written back exactly as read, with columns only ever added or filled in.

use std::path::Path;

use super::{ClipError, ClipErrorKind};

/// Columns an ALE must have (Avid Log Specifications).
pub const REQUIRED_COLUMNS: [&str; 4] = ["Name", "Tracks", "Start", "End"];
/// Avid's limit on the number of columns.
pub const MAX_COLUMNS: usize = 64;

/// One data row: its fields in column order and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct AleRow {
    pub line: usize,
    pub fields: Vec<String>,
    /// The source row ended with a tab (written back the same way).
    pub trailing_tab: bool,
}

/// A whole ALE file.
#[derive(Clone, Debug, PartialEq)]
pub struct AleTable {
    /// `Heading` section lines as `(key, value)`, in order.
    pub heading: Vec<(String, String)>,
    pub columns: Vec<String>,
    pub columns_trailing_tab: bool,
    pub rows: Vec<AleRow>,
    /// `\r\n` when the source used it, else `\n`.
    pub line_ending: &'static str,
}

enum Section {
    Start,
    Heading,
    Column,
    AfterColumn,
    Data,
}

struct Reader<'a> {
    file: &'a Path,
    table: AleTable,
    section: Section,
    column_line: usize,
}

fn split_lines(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || bytes[i] == b'\r' {
            lines.push(&text[start..i]);
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Splits a tab-separated line; a single trailing tab is reported separately.
fn split_fields(line: &str) -> (Vec<String>, bool) {
    let trailing = line.ends_with('\t');
    let body = if trailing {
        &line[..line.len() - 1]
    } else {
        line
    };
    (body.split('\t').map(str::to_owned).collect(), trailing)
}

impl AleTable {
    /// Reads an ALE; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<AleTable, ClipError> {
        let line_ending = if text.contains("\r\n") { "\r\n" } else { "\n" };
        let mut reader = Reader {
            file,
            table: AleTable {
                heading: Vec::new(),
                columns: Vec::new(),
                columns_trailing_tab: false,
                rows: Vec::new(),
                line_ending,
            },
            section: Section::Start,
            column_line: 0,
        };
        for (i, line) in split_lines(text).into_iter().enumerate() {
            reader.line(i + 1, line)?;
        }
        reader.finish()
    }

    /// The index of a column (exact name).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The index of a column, ignoring case and spaces/underscores (`Source File` = `source_file`).
    pub fn column_loose(&self, name: &str) -> Option<usize> {
        let norm = |s: &str| {
            s.chars()
                .filter(|c| !matches!(c, ' ' | '_'))
                .flat_map(char::to_lowercase)
                .collect::<String>()
        };
        let want = norm(name);
        self.columns.iter().position(|c| norm(c) == want)
    }

    pub fn heading_value(&self, key: &str) -> Option<&str> {
        self.heading
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `column` on every row (adding the column at the end when it is new).
    /// `values[i]` belongs to `rows[i]`.
    pub fn set_column(&mut self, column: &str, values: &[String]) {
        let index = match self.column(column) {
            Some(i) => i,
            None => {
                self.columns.push(column.to_owned());
                self.columns.len() - 1
            }
        };
        for (row, value) in self.rows.iter_mut().zip(values) {
            if row.fields.len() <= index {
                row.fields.resize(index + 1, String::new());
            }
            row.fields[index] = value.replace(['\t', '\r', '\n'], " ");
        }
    }

    /// The file text, identical to the source for everything not set through [`Self::set_column`].
    pub fn to_text(&self) -> String {
        let nl = self.line_ending;
        let mut out = format!("Heading{nl}");
        for (k, v) in &self.heading {
            out.push_str(&format!("{k}\t{v}{nl}"));
        }
        out.push_str(&format!("{nl}Column{nl}"));
        out.push_str(&self.columns.join("\t"));
        if self.columns_trailing_tab {
            out.push('\t');
        }
        out.push_str(&format!("{nl}{nl}Data{nl}"));
        for row in &self.rows {
            out.push_str(&row.fields.join("\t"));
            if row.trailing_tab {
                out.push('\t');
            }
            out.push_str(nl);
        }
        out
    }
}

impl Reader<'_> {
    fn err(&self, line: usize, kind: ClipErrorKind) -> ClipError {
        ClipError::at(self.file, line, kind)
    }

    fn line(&mut self, n: usize, line: &str) -> Result<(), ClipError> {
        let keyword = line.trim();
        match self.section {
            Section::Start | Section::Heading | Section::AfterColumn if keyword == "Heading" => {
                self.section = Section::Heading
            }
            Section::Start | Section::Heading | Section::AfterColumn if keyword == "Column" => {
                if self.column_line != 0 {
                    return Err(
                        self.err(n, ClipErrorKind::Syntax("a second Column section".into()))
                    );
                }
                self.section = Section::Column
            }
            Section::AfterColumn | Section::Heading if keyword == "Data" => {
                if self.column_line == 0 {
                    return Err(self.err(
                        n,
                        ClipErrorKind::Syntax("Data section before any Column section".into()),
                    ));
                }
                self.section = Section::Data
            }
            _ if keyword.is_empty() => {}
            Section::Start => {
                return Err(self.err(
                    n,
                    ClipErrorKind::Syntax(format!("expected Heading, found {keyword:?}")),
                ))
            }
            Section::Heading => self.heading_line(n, line)?,
            Section::Column => self.column_names(n, line)?,
            Section::AfterColumn => {
                return Err(self.err(
                    n,
                    ClipErrorKind::Syntax(format!("expected Data, found {keyword:?}")),
                ))
            }
            Section::Data => self.data_row(n, line)?,
        }
        Ok(())
    }

    fn heading_line(&mut self, n: usize, line: &str) -> Result<(), ClipError> {
        let Some((key, value)) = line.split_once('\t') else {
            return Err(self.err(
                n,
                ClipErrorKind::Syntax(format!("heading line {line:?} is not KEY<tab>VALUE")),
            ));
        };
        if key == "FIELD_DELIM" && value.trim() != "TABS" {
            return Err(self.err(
                n,
                ClipErrorKind::Syntax(format!("FIELD_DELIM is {value:?}; only TABS exists")),
            ));
        }
        self.table.heading.push((key.to_owned(), value.to_owned()));
        Ok(())
    }

    fn column_names(&mut self, n: usize, line: &str) -> Result<(), ClipError> {
        let (columns, trailing) = split_fields(line);
        for (i, c) in columns.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(self.err(
                    n,
                    ClipErrorKind::Syntax(format!("column {} has no name", i + 1)),
                ));
            }
            if columns[..i].contains(c) {
                return Err(self.err(
                    n,
                    ClipErrorKind::Syntax(format!("column {c:?} appears twice")),
                ));
            }
        }
        let missing: Vec<String> = REQUIRED_COLUMNS
            .iter()
            .filter(|r| !columns.iter().any(|c| c == *r))
            .map(|r| r.to_string())
            .collect();
        if !missing.is_empty() {
            return Err(self.err(n, ClipErrorKind::MissingColumns(missing)));
        }
        self.table.columns = columns;
        self.table.columns_trailing_tab = trailing;
        self.column_line = n;
        self.section = Section::AfterColumn;
        Ok(())
    }

    fn data_row(&mut self, n: usize, line: &str) -> Result<(), ClipError> {
        let (mut fields, mut trailing) = split_fields(line);
        let want = self.table.columns.len();
        // A trailing tab may also stand for an empty last field.
        if trailing && fields.len() + 1 == want {
            fields.push(String::new());
            trailing = false;
        }
        if fields.len() != want {
            return Err(self.err(
                n,
                ClipErrorKind::FieldCount {
                    found: fields.len(),
                    expected: want,
                    column_line: self.column_line,
                    separator: "tab",
                },
            ));
        }
        self.table.rows.push(AleRow {
            line: n,
            fields,
            trailing_tab: trailing,
        });
        Ok(())
    }

    fn finish(self) -> Result<AleTable, ClipError> {
        if self.column_line == 0 {
            return Err(ClipError::at(
                self.file,
                0,
                ClipErrorKind::Syntax("no Column section".into()),
            ));
        }
        if !matches!(self.section, Section::Data) {
            return Err(ClipError::at(
                self.file,
                0,
                ClipErrorKind::Syntax("no Data section".into()),
            ));
        }
        Ok(self.table)
    }
}
