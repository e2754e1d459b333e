//! `.csp`: Rising Sun Research Cinespace LUTs (OpenColorIO's `FileFormatCSP`).
//!
//! ```text
//! CSPLUTV100
//! 3D                          (or 1D)
//! BEGIN METADATA              (optional)
//! END METADATA
//! 2                           per channel R, G, B: pre-LUT point count,
//! 0.0 1.0                     input positions,
//! 0.0 1.0                     output values
//! 17 17 17                    cube size (or N for 1D), then the table, red fastest
//! ```
//! A pre-LUT of two points with outputs 0 and 1 only sets the table's input range and
//! is read exactly as a domain. Any other pre-LUT is a Cinespace cubic spline that is
//! resampled, as OpenColorIO does, into a 65536-entry 1D shaper.

use super::error::{quote, FormatError, Location};
use super::lut_file::LutFile;
use super::text::{first_byte, parse_f32, parse_usize, push_f32, Line, Lines, Precision, Tokens};
use crate::lut::{Domain, Lut1d, Lut3d, LUT1D_SIZE_RANGE, LUT3D_SIZE_RANGE};

/// Samples of a resampled spline pre-LUT (OpenColorIO uses 2^16).
const PRELUT_SAMPLES: usize = 65536;
const MAX_PRELUT_POINTS: usize = 65536;

struct Reader<'a> {
    lines: std::iter::Filter<Lines<'a>, fn(&Line<'a>) -> bool>,
    file: &'a str,
    last: usize,
}

fn not_blank(line: &Line<'_>) -> bool {
    first_byte(line.text).is_some()
}

impl<'a> Reader<'a> {
    fn next(&mut self, expected: &str) -> Result<Line<'a>, FormatError> {
        match self.lines.next() {
            Some(line) => {
                self.last = line.number;
                Ok(line)
            }
            None => Err(FormatError::format(
                Location::new(self.file, self.last + 1, 1),
                "file ends early",
                expected.to_owned(),
            )),
        }
    }

    fn at(&self, line: Line<'_>, col: usize) -> Location {
        Location::new(self.file, line.number, col)
    }

    /// A line of exactly `n` numbers.
    fn floats(&mut self, n: usize, what: &str) -> Result<Vec<f32>, FormatError> {
        let line = self.next(what)?;
        let mut out = Vec::with_capacity(n.min(line.text.len() / 2 + 1));
        let mut tokens = Tokens::new(line.text);
        for (c, t) in tokens.by_ref() {
            if out.len() == n {
                return Err(FormatError::format(
                    self.at(line, c),
                    format!("{what} has more than {n} values"),
                    format!("{n}"),
                ));
            }
            out.push(parse_f32(t, || self.at(line, c))?);
        }
        if out.len() < n {
            return Err(FormatError::format(
                self.at(line, tokens.col()),
                format!("{what} has {} values", out.len()),
                format!("{n}"),
            ));
        }
        Ok(out)
    }
}

/// One channel's pre-LUT points.
#[derive(Clone, Debug, PartialEq)]
struct Prelut {
    input: Vec<f32>,
    output: Vec<f32>,
}

impl Prelut {
    fn unit() -> Self {
        Self {
            input: vec![0.0, 1.0],
            output: vec![0.0, 1.0],
        }
    }

    /// OpenColorIO drops a pre-LUT whose outputs equal its inputs (relative 1e-6).
    fn is_identity(&self) -> bool {
        self.input
            .iter()
            .zip(&self.output)
            .all(|(a, b)| (a - b).abs() <= 1e-6 * a.abs().max(1.0))
    }

    /// Two points mapping onto 0..1: just an input range.
    fn as_range(&self) -> Option<(f32, f32)> {
        (self.output == [0.0, 1.0]).then(|| (self.input[0], self.input[1]))
    }
}

/// Reads a `.csp` file; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let mut r = Reader {
        lines: Lines::new(src).filter(not_blank as fn(&Line<'_>) -> bool),
        file,
        last: 0,
    };
    let magic = r.next("CSPLUTV100")?;
    if !magic.text.trim_ascii().eq_ignore_ascii_case(b"CSPLUTV100") {
        return Err(FormatError::format(
            r.at(magic, 1),
            "first line is not CSPLUTV100",
            "CSPLUTV100",
        ));
    }
    let kind = r.next("1D or 3D")?;
    let three_d = match kind.text.trim_ascii().to_ascii_uppercase().as_slice() {
        b"3D" => true,
        b"1D" => false,
        other => {
            return Err(FormatError::format(
                r.at(kind, 1),
                format!("table type {}", quote(other)),
                "1D or 3D",
            ))
        }
    };
    let mut comments = Vec::new();
    let mut line = r.next("pre-LUT point count")?;
    if line
        .text
        .trim_ascii()
        .eq_ignore_ascii_case(b"BEGIN METADATA")
    {
        loop {
            let l = r.next("END METADATA")?;
            if l.text.trim_ascii().eq_ignore_ascii_case(b"END METADATA") {
                break;
            }
            if comments.len() < 256 {
                comments.push(String::from_utf8_lossy(l.text).trim().to_owned());
            }
        }
        line = r.next("pre-LUT point count")?;
    }
    let mut preluts = Vec::with_capacity(3);
    for channel in ["red", "green", "blue"] {
        if !preluts.is_empty() {
            line = r.next("pre-LUT point count")?;
        }
        preluts.push(prelut(&mut r, line, channel)?);
    }
    let size_line = r.next("table size")?;
    let mut out = if three_d {
        cube(&mut r, size_line, &preluts)?
    } else {
        table_1d(&mut r, size_line, &preluts)?
    };
    out.comments = comments;
    Ok(out)
}

fn prelut(r: &mut Reader<'_>, line: Line<'_>, channel: &str) -> Result<Prelut, FormatError> {
    let mut tokens = Tokens::new(line.text);
    let (c, t) = tokens.next().unwrap_or((1, b""));
    let n = parse_usize(t, &format!("{channel} pre-LUT point count"), || {
        r.at(line, c)
    })?;
    if n > MAX_PRELUT_POINTS {
        let what = format!("{channel} pre-LUT of {n} points");
        return Err(FormatError::limits(
            r.at(line, c),
            what,
            format!("at most {MAX_PRELUT_POINTS}"),
        ));
    }
    if n < 2 {
        return Ok(Prelut::unit());
    }
    let input = r.floats(n, &format!("{channel} pre-LUT input line"))?;
    let output = r.floats(n, &format!("{channel} pre-LUT output line"))?;
    if let Some(i) = input.windows(2).position(|w| w[0] >= w[1]) {
        let what = format!(
            "{channel} pre-LUT input {} is not above {}",
            input[i + 1],
            input[i]
        );
        return Err(FormatError::format(
            Location::new(r.file, r.last - 1, 1),
            what,
            "increasing inputs",
        ));
    }
    Ok(Prelut { input, output })
}

/// Turns the three pre-LUTs into a table domain, or a resampled shaper when they curve.
fn shaping(preluts: &[Prelut]) -> Result<(Domain, Option<Lut1d>), FormatError> {
    if preluts.iter().all(Prelut::is_identity) {
        return Ok((Domain::UNIT, None));
    }
    if let [Some(r), Some(g), Some(b)] = [0, 1, 2].map(|c| preluts[c].as_range()) {
        let domain = Domain::new([r.0, g.0, b.0], [r.1, g.1, b.1]).map_err(engine)?;
        return Ok((domain, None));
    }
    let splines: Vec<Spline> = preluts.iter().map(Spline::new).collect();
    let min = [0, 1, 2].map(|c| preluts[c].input[0]);
    let max = [0, 1, 2].map(|c| *preluts[c].input.last().unwrap_or(&1.0));
    let data = (0..PRELUT_SAMPLES)
        .map(|i| {
            let t = i as f32 / (PRELUT_SAMPLES - 1) as f32;
            [0, 1, 2].map(|c| splines[c].eval(min[c] + t * (max[c] - min[c])))
        })
        .collect();
    let lut = Lut1d::new(data, Domain::new(min, max).map_err(engine)?).map_err(engine)?;
    Ok((Domain::UNIT, Some(lut)))
}

fn engine(e: crate::lut::LutError) -> FormatError {
    FormatError::unsupported(".csp", e.to_string())
}

fn cube(r: &mut Reader<'_>, line: Line<'_>, preluts: &[Prelut]) -> Result<LutFile, FormatError> {
    let mut tokens = Tokens::new(line.text);
    let mut n = [0usize; 3];
    for slot in &mut n {
        let (c, t) = tokens.next().ok_or_else(|| {
            FormatError::format(r.at(line, tokens.col()), "fewer than 3 cube sizes", "N N N")
        })?;
        *slot = parse_usize(t, "cube size", || r.at(line, c))?;
    }
    if n[0] != n[1] || n[1] != n[2] {
        return Err(FormatError::format(
            r.at(line, 1),
            format!("cube sizes {} {} {} differ", n[0], n[1], n[2]),
            "equal sizes N N N",
        ));
    }
    let n = n[0];
    if !LUT3D_SIZE_RANGE.contains(&n) {
        let (lo, hi) = (LUT3D_SIZE_RANGE.start(), LUT3D_SIZE_RANGE.end());
        return Err(FormatError::limits(
            r.at(line, 1),
            format!("cube size {n} is out of range"),
            format!("{lo} to {hi}"),
        ));
    }
    let data = rows(r, n * n * n)?;
    let (domain, shaper) = shaping(preluts)?;
    let mut out = LutFile::from_3d(Lut3d::new(n, data, domain).map_err(engine)?);
    out.lut1d = shaper;
    Ok(out)
}

fn table_1d(
    r: &mut Reader<'_>,
    line: Line<'_>,
    preluts: &[Prelut],
) -> Result<LutFile, FormatError> {
    let (c, t) = Tokens::new(line.text).next().unwrap_or((1, b""));
    let n = parse_usize(t, "1D size", || r.at(line, c))?;
    if !LUT1D_SIZE_RANGE.contains(&n) {
        let (lo, hi) = (LUT1D_SIZE_RANGE.start(), LUT1D_SIZE_RANGE.end());
        return Err(FormatError::limits(
            r.at(line, c),
            format!("1D size {n} is out of range"),
            format!("{lo} to {hi}"),
        ));
    }
    let data = rows(r, n)?;
    let (domain, shaper) = shaping(preluts)?;
    let table = Lut1d::new(data, domain).map_err(engine)?;
    let lut = match shaper {
        None => table,
        // Two 1D tables in a row: fold them into one on the shaper's sampling.
        Some(s) => {
            let folded = s.data().iter().map(|v| table.lookup(*v)).collect();
            Lut1d::new(folded, s.domain()).map_err(engine)?
        }
    };
    Ok(LutFile::from_1d(lut))
}

/// `count` lines of R G B.
fn rows(r: &mut Reader<'_>, count: usize) -> Result<Vec<[f32; 3]>, FormatError> {
    let mut data = Vec::with_capacity(
        count
            .min(r.lines.size_hint().1.unwrap_or(0) + 1)
            .min(1 << 16),
    );
    for i in 0..count {
        let line = r.next(&format!("{count} table lines (found {i})"))?;
        let mut tokens = Tokens::new(line.text);
        let mut rgb = [0.0f32; 3];
        for (k, slot) in rgb.iter_mut().enumerate() {
            let (c, t) = tokens.next().ok_or_else(|| {
                FormatError::format(
                    r.at(line, tokens.col()),
                    format!("table line has {k} values"),
                    "3 (R G B)",
                )
            })?;
            *slot = parse_f32(t, || r.at(line, c))?;
        }
        if let Some((c, _)) = tokens.next() {
            return Err(FormatError::format(
                r.at(line, c),
                "table line has more than 3 values",
                "3 (R G B)",
            ));
        }
        data.push(rgb);
    }
    Ok(data)
}

/// Cinespace's piecewise cubic through the pre-LUT points, in f32 as OpenColorIO computes it.
struct Spline {
    stims: Vec<f32>,
    /// Per segment: 1/delta, a, b, c, d of `a + z(b + z(c + d z))`.
    params: Vec<[f32; 5]>,
    min_value: f32,
    max_value: f32,
}

impl Spline {
    fn new(p: &Prelut) -> Self {
        let (x, f) = (&p.input, &p.output);
        let n = x.len();
        let mut params = Vec::with_capacity(n - 1);
        for i in 0..n - 1 {
            let inv = 1.0 / (x[i + 1] - x[i]);
            let (f0, f1) = (f[i], f[i + 1]);
            let seg = if n == 2 {
                [inv, f0, f1 - f0, 0.0, 0.0]
            } else if i == 0 {
                let delta2 = (x[2] - x[1]) / (x[1] - x[0]);
                let d1 = (f[2] - f0) / (1.0 + delta2);
                [inv, f0, -2.0 * f0 + 2.0 * f1 - d1, f0 - f1 + d1, 0.0]
            } else if i == n - 2 {
                let delta1 = (x[i] - x[i - 1]) / (x[i + 1] - x[i]);
                let d0 = (f1 - f[i - 1]) / (1.0 + delta1);
                [inv, f0, d0, -f0 + f1 - d0, 0.0]
            } else {
                let delta = x[i + 1] - x[i];
                let delta1 = (x[i] - x[i - 1]) / delta;
                let delta2 = (x[i + 2] - x[i + 1]) / delta;
                let d0 = (f1 - f[i - 1]) / (1.0 + delta1);
                let d1 = (f[i + 2] - f0) / (1.0 + delta2);
                [
                    inv,
                    f0,
                    d0,
                    -3.0 * f0 - 2.0 * d0 + 3.0 * f1 - d1,
                    2.0 * f0 + d0 - 2.0 * f1 + d1,
                ]
            };
            params.push(seg);
        }
        Self {
            stims: x.clone(),
            params,
            min_value: f[0],
            max_value: f[n - 1],
        }
    }

    fn eval(&self, x: f32) -> f32 {
        let last = self.stims.len() - 1;
        if x.is_nan() {
            return x;
        }
        if x < self.stims[0] {
            return self.min_value;
        }
        if x > self.stims[last] {
            return self.max_value;
        }
        // The segment [stims[i], stims[i+1]] holding x (the last one for x at the end).
        let i = self.stims.partition_point(|&s| s <= x).clamp(1, last) - 1;
        let [inv, a, b, c, d] = self.params[i];
        let z = (x - self.stims[i]) * inv;
        a + z * (b + z * (c + d * z))
    }
}

/// Writes a `.csp`: a 3D table with its shaper as pre-LUT points (or its domain as a
/// two-point pre-LUT), or a 1D table.
pub fn write(lut: &LutFile, precision: Precision) -> Result<Vec<u8>, FormatError> {
    let mut out = Vec::with_capacity(256);
    let kind = if lut.lut3d.is_some() { "3D" } else { "1D" };
    out.extend_from_slice(format!("CSPLUTV100\n{kind}\n\nBEGIN METADATA\n").as_bytes());
    for text in lut.title.iter().chain(&lut.comments) {
        out.extend_from_slice(text.replace(['\n', '\r'], " ").as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(b"END METADATA\n\n");
    match (&lut.lut1d, &lut.lut3d) {
        (Some(shaper), Some(cube)) if cube.domain().is_unit() => {
            prelut_points(&mut out, shaper, precision)
        }
        (None, Some(cube)) => prelut_range(&mut out, cube.domain()),
        (Some(table), None) => prelut_range(&mut out, table.domain()),
        (Some(_), Some(_)) => {
            return Err(FormatError::unsupported(
                ".csp",
                "a shaper followed by a 3D table over a domain other than 0..1",
            ))
        }
        (None, None) => return Err(FormatError::unsupported(".csp", "a file without tables")),
    }
    out.push(b'\n');
    let table = match (&lut.lut1d, &lut.lut3d) {
        (_, Some(cube)) => {
            let n = cube.size();
            out.extend_from_slice(format!("{n} {n} {n}\n").as_bytes());
            cube.data()
        }
        (Some(table), None) => {
            out.extend_from_slice(format!("{}\n", table.size()).as_bytes());
            table.data()
        }
        (None, None) => &[],
    };
    for rgb in table {
        push_f32(&mut out, rgb[0], precision);
        out.push(b' ');
        push_f32(&mut out, rgb[1], precision);
        out.push(b' ');
        push_f32(&mut out, rgb[2], precision);
        out.push(b'\n');
    }
    Ok(out)
}

fn prelut_range(out: &mut Vec<u8>, domain: Domain) {
    for c in 0..3 {
        out.extend_from_slice(b"2\n");
        push_f32(out, domain.min[c], Precision::RoundTrip);
        out.push(b' ');
        push_f32(out, domain.max[c], Precision::RoundTrip);
        out.extend_from_slice(b"\n0 1\n");
    }
}

fn prelut_points(out: &mut Vec<u8>, shaper: &Lut1d, precision: Precision) {
    let n = shaper.size();
    let d = shaper.domain();
    for c in 0..3 {
        out.extend_from_slice(format!("{n}\n").as_bytes());
        for i in 0..n {
            let x = d.min[c] + (d.max[c] - d.min[c]) * (i as f32 / (n - 1) as f32);
            if i > 0 {
                out.push(b' ');
            }
            push_f32(out, x, Precision::RoundTrip);
        }
        out.push(b'\n');
        for (i, v) in shaper.data().iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            push_f32(out, v[c], precision);
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
#[path = "csp_tests.rs"]
mod tests;
