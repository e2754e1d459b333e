//! `.cube`: IRIDAS/Adobe Cube 1.0 (one 1D or 3D table, `DOMAIN_MIN/MAX`) and the
//! Resolve variant (`LUT_*_INPUT_RANGE`, a 1D shaper followed by a 3D table).
//!
//! 3D tables are red fastest, the engine's own order. Keywords are matched without
//! regard to case (OpenColorIO lower-cases them) and must come before the table.

use super::error::{quote, FormatError, Location};
use super::lut_file::LutFile;
use super::text::{
    first_byte, parse_f32, parse_usize, push_f32, starts_number, Line, Lines, Precision, Tokens,
};
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d, LUT1D_SIZE_RANGE, LUT3D_SIZE_RANGE};

const KEYWORDS: &str = "TITLE, LUT_1D_SIZE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, \
                        LUT_1D_INPUT_RANGE or LUT_3D_INPUT_RANGE";
/// Comments kept from one file; the rest are skipped.
const MAX_COMMENTS: usize = 256;

/// A keyword's values and the line it was on.
type Seen<T> = Option<(T, usize)>;

#[derive(Debug, Default)]
struct Header {
    title: Seen<String>,
    size1: Seen<usize>,
    size3: Seen<usize>,
    domain_min: Seen<[f32; 3]>,
    domain_max: Seen<[f32; 3]>,
    range1: Seen<[f32; 2]>,
    range3: Seen<[f32; 2]>,
}

/// Reads a `.cube` file; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let mut lines = Lines::new(src);
    let mut header = Header::default();
    let mut comments = Vec::new();
    let mut first_data = None;
    for line in lines.by_ref() {
        let Some(first) = first_byte(line.text) else {
            continue;
        };
        if first == b'#' {
            if comments.len() < MAX_COMMENTS {
                comments.push(comment_text(line.text));
            }
            continue;
        }
        let mut tokens = Tokens::new(line.text);
        let Some((col, word)) = tokens.next() else {
            continue;
        };
        if starts_number(word) {
            first_data = Some(line);
            break;
        }
        header.keyword(file, line, col, word, tokens)?;
    }
    let data_line = first_data.map_or(lines.next_number(), |l| l.number);
    let plan = header.plan(file, data_line)?;
    let total = plan.total();
    // Each entry takes at least 6 bytes ("0 0 0\n"): a short file cannot make a huge allocation.
    let mut data = Vec::with_capacity(total.min(src.len() / 6 + 1));
    let mut table = Table {
        file,
        plan: &plan,
        data: &mut data,
    };
    if let Some(line) = first_data {
        table.entry(line)?;
    }
    for line in lines.by_ref() {
        table.line(line)?;
    }
    if data.len() < total {
        let at = Location::new(file, lines.next_number(), 1);
        return Err(FormatError::format(
            at,
            format!("file ends after {} table entries", data.len()),
            plan.describe(),
        ));
    }
    plan.build(header.title.map(|t| t.0), comments, data)
}

fn comment_text(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let body = text.trim_start().trim_start_matches('#');
    body.strip_prefix(' ').unwrap_or(body).trim_end().to_owned()
}

impl Header {
    fn keyword(
        &mut self,
        file: &str,
        line: Line<'_>,
        col: usize,
        word: &[u8],
        tokens: Tokens<'_>,
    ) -> Result<(), FormatError> {
        let at = |c: usize| Location::new(file, line.number, c);
        let name = String::from_utf8_lossy(word).to_ascii_uppercase();
        let previous = match name.as_str() {
            "TITLE" => set(
                &mut self.title,
                title(tokens.rest(), || at(tokens.col()))?,
                line,
            ),
            "LUT_1D_SIZE" => set(
                &mut self.size1,
                size(&name, tokens, LUT1D_SIZE_RANGE, at)?,
                line,
            ),
            "LUT_3D_SIZE" => set(
                &mut self.size3,
                size(&name, tokens, LUT3D_SIZE_RANGE, at)?,
                line,
            ),
            "DOMAIN_MIN" => set(&mut self.domain_min, floats(&name, tokens, at)?, line),
            "DOMAIN_MAX" => set(&mut self.domain_max, floats(&name, tokens, at)?, line),
            "LUT_1D_INPUT_RANGE" => set(&mut self.range1, floats(&name, tokens, at)?, line),
            "LUT_3D_INPUT_RANGE" => set(&mut self.range3, floats(&name, tokens, at)?, line),
            _ => {
                return Err(FormatError::format(
                    at(col),
                    format!("unknown keyword {}", quote(word)),
                    KEYWORDS,
                ))
            }
        };
        match previous {
            Some(first) => Err(FormatError::format(
                at(col),
                format!("{name} repeated (first on line {first})"),
                "each keyword at most once",
            )),
            None => Ok(()),
        }
    }

    /// Checks that the keywords fit together and works out each table's domain.
    fn plan(&self, file: &str, data_line: usize) -> Result<Plan, FormatError> {
        let at = |line: usize| Location::new(file, line, 1);
        if self.size1.is_none() && self.size3.is_none() {
            return Err(FormatError::format(
                at(data_line),
                "no LUT_1D_SIZE or LUT_3D_SIZE before the table",
                "one of them",
            ));
        }
        for (range, size, name) in [
            (&self.range1, &self.size1, "LUT_1D"),
            (&self.range3, &self.size3, "LUT_3D"),
        ] {
            if let (Some((_, line)), None) = (range, size) {
                return Err(FormatError::format(
                    at(*line),
                    format!("{name}_INPUT_RANGE without {name}_SIZE"),
                    format!("{name}_SIZE for the table it describes"),
                ));
            }
        }
        let domain = self.domain(file)?;
        // DOMAIN_* describes the first table applied: the 1D one when there is one.
        let (dom1, dom3) = match (self.size1, self.size3) {
            (Some(_), _) => (
                pick(domain, &self.range1, file, "LUT_1D")?,
                range_domain(&self.range3, file)?,
            ),
            (None, _) => (None, pick(domain, &self.range3, file, "LUT_3D")?),
        };
        Ok(Plan {
            size1: self.size1.map(|s| s.0),
            size3: self.size3.map(|s| s.0),
            domain1: dom1.unwrap_or(Domain::UNIT),
            domain3: dom3.unwrap_or(Domain::UNIT),
        })
    }

    /// `DOMAIN_MIN/MAX` when either is given, with the line of the later one.
    fn domain(&self, file: &str) -> Result<Option<(Domain, usize)>, FormatError> {
        if self.domain_min.is_none() && self.domain_max.is_none() {
            return Ok(None);
        }
        let (min, l1) = self.domain_min.unwrap_or(([0.0; 3], 0));
        let (max, l2) = self.domain_max.unwrap_or(([1.0; 3], 0));
        let line = l1.max(l2);
        match Domain::new(min, max) {
            Ok(d) => Ok(Some((d, line))),
            Err(_) => {
                let c = (0..3).find(|&c| min[c] >= max[c]).unwrap_or(0);
                Err(FormatError::format(
                    Location::new(file, line, 1),
                    format!(
                        "DOMAIN_MIN {} is not below DOMAIN_MAX {} in the {} channel",
                        min[c],
                        max[c],
                        ["red", "green", "blue"][c]
                    ),
                    "min < max",
                ))
            }
        }
    }
}

/// Chooses between `DOMAIN_*` and an input range for one table (both is an error).
fn pick(
    domain: Option<(Domain, usize)>,
    range: &Seen<[f32; 2]>,
    file: &str,
    name: &str,
) -> Result<Option<Domain>, FormatError> {
    match (domain, range) {
        (Some(_), Some((_, line))) => Err(FormatError::format(
            Location::new(file, *line, 1),
            format!("both DOMAIN_MIN/MAX and {name}_INPUT_RANGE"),
            "one of them",
        )),
        (Some((d, _)), None) => Ok(Some(d)),
        (None, _) => range_domain(range, file),
    }
}

fn range_domain(range: &Seen<[f32; 2]>, file: &str) -> Result<Option<Domain>, FormatError> {
    let Some(([lo, hi], line)) = range else {
        return Ok(None);
    };
    Domain::new([*lo; 3], [*hi; 3]).map(Some).map_err(|_| {
        FormatError::format(
            Location::new(file, *line, 1),
            format!("input range {lo} {hi} is reversed or empty"),
            "min < max",
        )
    })
}

/// Stores a keyword's value; returns the line of an earlier occurrence.
fn set<T>(slot: &mut Seen<T>, value: T, line: Line<'_>) -> Option<usize> {
    match slot {
        Some((_, first)) => Some(*first),
        None => {
            *slot = Some((value, line.number));
            None
        }
    }
}

fn title(rest: &[u8], at: impl FnOnce() -> Location) -> Result<String, FormatError> {
    let text = String::from_utf8_lossy(rest);
    let text = text.trim_end();
    let Some(quoted) = text.strip_prefix('"') else {
        return Ok(text.to_owned());
    };
    match quoted.find('"') {
        Some(end) => Ok(quoted[..end].to_owned()),
        None => Err(FormatError::format(
            at(),
            "TITLE has no closing quote",
            "TITLE \"text\"",
        )),
    }
}

fn size(
    name: &str,
    mut tokens: Tokens<'_>,
    range: std::ops::RangeInclusive<usize>,
    at: impl Fn(usize) -> Location,
) -> Result<usize, FormatError> {
    let [(col, token)] = values::<1>(name, &mut tokens, &at)?;
    let n = parse_usize(token, name, || at(col))?;
    if !range.contains(&n) {
        return Err(FormatError::limits(
            at(col),
            format!("{name} {n} is out of range"),
            format!("{} to {}", range.start(), range.end()),
        ));
    }
    Ok(n)
}

fn floats<const N: usize>(
    name: &str,
    mut tokens: Tokens<'_>,
    at: impl Fn(usize) -> Location,
) -> Result<[f32; N], FormatError> {
    let found = values::<N>(name, &mut tokens, &at)?;
    let mut out = [0.0; N];
    for (slot, (col, token)) in out.iter_mut().zip(found) {
        *slot = parse_f32(token, || at(col))?;
    }
    Ok(out)
}

/// Exactly `N` values after a keyword.
fn values<'a, const N: usize>(
    name: &str,
    tokens: &mut Tokens<'a>,
    at: &impl Fn(usize) -> Location,
) -> Result<[(usize, &'a [u8]); N], FormatError> {
    let mut out = [(0, &b""[..]); N];
    let mut count = 0;
    let mut first_extra = 0;
    for (col, token) in tokens.by_ref() {
        if count < N {
            out[count] = (col, token);
        } else if count == N {
            first_extra = col;
        }
        count += 1;
    }
    if count != N {
        let col = if count > N { first_extra } else { tokens.col() };
        let noun = if N == 1 { "value" } else { "values" };
        return Err(FormatError::format(
            at(col),
            format!("{name} has {count} values"),
            format!("{N} {noun}"),
        ));
    }
    Ok(out)
}

/// Sizes and domains of the tables the header declares.
#[derive(Debug)]
struct Plan {
    size1: Option<usize>,
    size3: Option<usize>,
    domain1: Domain,
    domain3: Domain,
}

impl Plan {
    fn len1(&self) -> usize {
        self.size1.unwrap_or(0)
    }
    fn total(&self) -> usize {
        self.len1() + self.size3.map_or(0, |n| n * n * n)
    }

    /// "N entries for LUT_…_SIZE …", the expectation in count errors.
    fn describe(&self) -> String {
        match (self.size1, self.size3) {
            (Some(a), Some(b)) => format!(
                "{} entries for LUT_1D_SIZE {a} and LUT_3D_SIZE {b}",
                self.total()
            ),
            (Some(a), None) => format!("{a} entries for LUT_1D_SIZE {a}"),
            (_, Some(b)) => format!("{} entries for LUT_3D_SIZE {b}", self.total()),
            (None, None) => String::new(),
        }
    }

    fn build(
        &self,
        title: Option<String>,
        comments: Vec<String>,
        mut cube: Vec<[f32; 3]>,
    ) -> Result<LutFile, FormatError> {
        let data: Vec<_> = cube.drain(..self.len1()).collect();
        // Sizes and values were checked while reading, so the engine accepts them.
        let lut1d = match self.size1 {
            Some(_) => Some(Lut1d::new(data, self.domain1).map_err(engine)?),
            None => None,
        };
        let lut3d = match self.size3 {
            Some(n) => Some(Lut3d::new(n, cube, self.domain3).map_err(engine)?),
            None => None,
        };
        Ok(LutFile {
            title,
            comments,
            lut1d,
            lut3d,
            interpolation: Interpolation::Tetrahedral,
        })
    }
}

fn engine(e: crate::lut::LutError) -> FormatError {
    FormatError::unsupported(".cube", e.to_string())
}

/// The table body being read.
struct Table<'a> {
    file: &'a str,
    plan: &'a Plan,
    data: &'a mut Vec<[f32; 3]>,
}

impl Table<'_> {
    fn line(&mut self, line: Line<'_>) -> Result<(), FormatError> {
        match first_byte(line.text) {
            None | Some(b'#') => Ok(()),
            Some(_) => self.entry(line),
        }
    }

    #[inline]
    fn entry(&mut self, line: Line<'_>) -> Result<(), FormatError> {
        let at = |col: usize| Location::new(self.file, line.number, col);
        let mut tokens = Tokens::new(line.text);
        let mut rgb = [0.0f32; 3];
        for (c, slot) in rgb.iter_mut().enumerate() {
            let Some((col, token)) = tokens.next() else {
                return Err(FormatError::format(
                    at(tokens.col()),
                    format!("table line has {c} values"),
                    "3 (R G B)",
                ));
            };
            if c == 0 && !starts_number(token) {
                return Err(FormatError::format(
                    at(col),
                    format!("keyword {} after the table data", quote(token)),
                    "numbers (keywords go before the table)",
                ));
            }
            *slot = parse_f32(token, || at(col))?;
        }
        if let Some((col, token)) = tokens.next() {
            if !token.starts_with(b"#") {
                return Err(FormatError::format(
                    at(col),
                    "table line has more than 3 values",
                    "3 (R G B)",
                ));
            }
        }
        if self.data.len() == self.plan.total() {
            return Err(FormatError::format(
                at(1),
                format!("extra table line (entry {})", self.data.len() + 1),
                self.plan.describe(),
            ));
        }
        self.data.push(rgb);
        Ok(())
    }
}

/// How [`write()`] prints a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    pub precision: Precision,
}

/// Writes a `.cube`: Adobe 1.0 for a single table, the Resolve layout for a shaper + 3D.
pub fn write(lut: &LutFile, options: &WriteOptions) -> Result<Vec<u8>, FormatError> {
    let n3 = lut.lut3d.as_ref().map_or(0, |l| l.data().len());
    let n1 = lut.lut1d.as_ref().map_or(0, |l| l.size());
    let mut out = Vec::with_capacity(256 + (n1 + n3) * 3 * 11);
    for comment in &lut.comments {
        for line in comment.lines() {
            out.extend_from_slice(format!("# {line}\n").as_bytes());
        }
    }
    match (&lut.lut1d, &lut.lut3d) {
        (Some(shaper), Some(cube)) => resolve_header(&mut out, shaper, cube, lut.title.as_deref())?,
        (Some(l1), None) => adobe_header(
            &mut out,
            "LUT_1D_SIZE",
            l1.size(),
            l1.domain(),
            lut.title.as_deref(),
        ),
        (None, Some(l3)) => adobe_header(
            &mut out,
            "LUT_3D_SIZE",
            l3.size(),
            l3.domain(),
            lut.title.as_deref(),
        ),
        (None, None) => return Err(FormatError::unsupported(".cube", "a file without tables")),
    }
    let tables = lut
        .lut1d
        .iter()
        .map(|l| l.data())
        .chain(lut.lut3d.iter().map(|l| l.data()));
    for table in tables {
        for rgb in table {
            push_triple(&mut out, rgb, options.precision);
        }
    }
    Ok(out)
}

#[inline]
fn push_triple(out: &mut Vec<u8>, rgb: &[f32; 3], precision: Precision) {
    push_f32(out, rgb[0], precision);
    out.push(b' ');
    push_f32(out, rgb[1], precision);
    out.push(b' ');
    push_f32(out, rgb[2], precision);
    out.push(b'\n');
}

fn adobe_header(
    out: &mut Vec<u8>,
    keyword: &str,
    size: usize,
    domain: Domain,
    title: Option<&str>,
) {
    if let Some(title) = title {
        out.extend_from_slice(
            format!("TITLE \"{}\"\n", title.replace(['"', '\n', '\r'], "'")).as_bytes(),
        );
    }
    out.extend_from_slice(format!("{keyword} {size}\n").as_bytes());
    if !domain.is_unit() {
        for (name, v) in [("DOMAIN_MIN", domain.min), ("DOMAIN_MAX", domain.max)] {
            out.extend_from_slice(name.as_bytes());
            for x in v {
                out.push(b' ');
                push_f32(out, x, Precision::RoundTrip);
            }
            out.push(b'\n');
        }
    }
}

/// Resolve's layout; its readers reject `TITLE`, so the title becomes a comment.
fn resolve_header(
    out: &mut Vec<u8>,
    shaper: &Lut1d,
    cube: &Lut3d,
    title: Option<&str>,
) -> Result<(), FormatError> {
    if let Some(title) = title {
        out.extend_from_slice(format!("# {}\n", title.replace(['\n', '\r'], " ")).as_bytes());
    }
    out.extend_from_slice(format!("LUT_1D_SIZE {}\n", shaper.size()).as_bytes());
    push_range(out, "LUT_1D_INPUT_RANGE", shaper.domain(), true)?;
    out.extend_from_slice(format!("LUT_3D_SIZE {}\n", cube.size()).as_bytes());
    push_range(out, "LUT_3D_INPUT_RANGE", cube.domain(), false)
}

fn push_range(
    out: &mut Vec<u8>,
    keyword: &str,
    domain: Domain,
    always: bool,
) -> Result<(), FormatError> {
    let uniform = |v: [f32; 3]| v[0] == v[1] && v[1] == v[2];
    if !uniform(domain.min) || !uniform(domain.max) {
        return Err(FormatError::unsupported(
            ".cube",
            format!("a {keyword} that differs per channel ({domain:?})"),
        ));
    }
    if always || !domain.is_unit() {
        out.extend_from_slice(keyword.as_bytes());
        for x in [domain.min[0], domain.max[0]] {
            out.push(b' ');
            push_f32(out, x, Precision::RoundTrip);
        }
        out.push(b'\n');
    }
    Ok(())
}

#[cfg(test)]
#[path = "cube_tests.rs"]
mod tests;
