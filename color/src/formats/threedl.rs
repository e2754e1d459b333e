//! `.3dl`: Autodesk Lustre/Flame and Nuke 3D LUTs of integer code values, blue fastest.
//!
//! Read loosely, like OpenColorIO: `#` lines are comments; the first line of more than
//! three integers is the input-sample (shaper) line; every three-integer line is a node.
//! Lustre's `3DMESH`, `Mesh a b`, `LUT8` and `gamma` lines are understood; `Mesh`'s `b`
//! gives the output bit depth, otherwise it is inferred from the largest value
//! (OpenColorIO's rule: 8, 10, 12 or 16 bits, allowing 2× overshoot).

use super::error::{quote, FormatError, Location};
use super::lut_file::LutFile;
use super::text::{first_byte, Line, Lines, Tokens};
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d, LUT3D_SIZE_RANGE};

/// Which application's layout [`write()`] produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Input-sample line (10-bit) and the nodes (OpenColorIO's `flame` baker).
    #[default]
    Flame,
    /// Flame's layout inside `3DMESH`/`Mesh a b` … `LUT8`/`gamma 1.0` (OpenColorIO's `lustre`).
    Lustre,
}

/// Below this largest code value a file is not taken for a `.3dl` (as in OpenColorIO).
const LOWEST_PLAUSIBLE_MAX: i64 = 128;
const MAX_NODES: usize = 256 * 256 * 256;

#[derive(Debug, Default)]
struct Raw {
    shaper: Option<(Vec<i64>, usize)>,
    nodes: Vec<[i64; 3]>,
    mesh_bits: Option<u32>,
    last_line: usize,
}

/// Reads a `.3dl` file; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let mut raw = Raw::default();
    for line in Lines::new(src) {
        raw.last_line = line.number;
        raw.line(line, file)?;
    }
    let end = Location::new(file, raw.last_line + 1, 1);
    if raw.nodes.is_empty() && raw.shaper.is_none() {
        return Err(FormatError::format(
            end,
            "no table",
            "lines of R G B code values",
        ));
    }
    let lut1d = match &raw.shaper {
        Some((shaper, line)) => shaper_lut(shaper, Location::new(file, *line, 1))?,
        None => None,
    };
    let lut3d = match raw.nodes.is_empty() {
        true => None,
        false => Some(raw.lattice(end.clone())?),
    };
    if lut1d.is_none() && lut3d.is_none() {
        return Err(FormatError::format(
            end,
            "only an identity input-sample line",
            "lines of R G B code values",
        ));
    }
    Ok(LutFile {
        title: None,
        comments: Vec::new(),
        lut1d,
        lut3d,
        interpolation: Interpolation::Tetrahedral,
    })
}

fn engine(e: crate::lut::LutError) -> FormatError {
    FormatError::unsupported(".3dl", e.to_string())
}

impl Raw {
    fn line(&mut self, line: Line<'_>, file: &str) -> Result<(), FormatError> {
        let at = |c: usize| Location::new(file, line.number, c);
        let Some(first) = first_byte(line.text) else {
            return Ok(());
        };
        match first {
            b'#' => return Ok(()),
            b'<' => {
                return Err(FormatError::format(
                    at(1),
                    "line starts with \"<\" (XML?)",
                    "a .3dl table",
                ))
            }
            _ => {}
        }
        let word = Tokens::new(line.text).next().map_or(&b""[..], |t| t.1);
        if !word
            .iter()
            .all(|b| b.is_ascii_digit() || b"+-.".contains(b))
        {
            return self.keyword(line, file);
        }
        let mut values = Vec::with_capacity(4);
        for (c, t) in Tokens::new(line.text) {
            values.push(integer(t, || at(c))?);
            if values.len() > 65536 {
                return Err(FormatError::limits(
                    at(c),
                    "input-sample line longer than 65536 values",
                    "at most 65536",
                ));
            }
        }
        match values.len() {
            3 => {
                if self.nodes.len() == MAX_NODES {
                    return Err(FormatError::limits(
                        at(1),
                        "more than 256³ nodes",
                        "at most 16777216 node lines",
                    ));
                }
                self.nodes.push([values[0], values[1], values[2]]);
            }
            n if n > 3 => {
                if let Some((_, first)) = &self.shaper {
                    let what = format!("second input-sample line (first on line {first})");
                    return Err(FormatError::format(at(1), what, "one"));
                }
                self.shaper = Some((values, line.number));
            }
            n => {
                let what = format!("line has {n} values");
                return Err(FormatError::format(
                    at(1),
                    what,
                    "3 (R G B) or an input-sample line",
                ));
            }
        }
        Ok(())
    }

    fn keyword(&mut self, line: Line<'_>, file: &str) -> Result<(), FormatError> {
        let mut tokens = Tokens::new(line.text);
        let Some((col, word)) = tokens.next() else {
            return Ok(());
        };
        let at = |c: usize| Location::new(file, line.number, c);
        match word.to_ascii_lowercase().as_slice() {
            b"3dmesh" | b"gamma" | b"lut8" | b"lut10" | b"lut12" | b"lut16" => Ok(()),
            b"mesh" => {
                let bits = tokens.nth(1).ok_or_else(|| {
                    FormatError::format(
                        at(tokens.col()),
                        "Mesh without an output depth",
                        "Mesh a b",
                    )
                })?;
                let b = integer(bits.1, || at(bits.0))?;
                if !(8..=16).contains(&b) {
                    return Err(FormatError::format(
                        at(bits.0),
                        format!("output depth {b}"),
                        "8 to 16 bits",
                    ));
                }
                self.mesh_bits = Some(b as u32);
                Ok(())
            }
            _ => Err(FormatError::format(
                at(col),
                format!("unknown keyword {}", quote(word)),
                "3DMESH, Mesh, LUT8, gamma or integer code values",
            )),
        }
    }

    fn lattice(&self, end: Location) -> Result<Lut3d, FormatError> {
        let count = self.nodes.len();
        let n = (1..=256usize).find(|n| n * n * n >= count).unwrap_or(0);
        if n * n * n != count || !LUT3D_SIZE_RANGE.contains(&n) {
            return Err(FormatError::format(
                end,
                format!("{count} nodes is not a cube number"),
                "N³ node lines with N from 2 to 256",
            ));
        }
        let max = self.nodes.iter().flatten().copied().max().unwrap_or(0);
        let bits = match self.mesh_bits {
            Some(b) => b,
            None => likely_bit_depth(max, end.clone(), "node")?,
        };
        let scale = ((1u64 << bits) - 1) as f32;
        let mut data = vec![[0.0f32; 3]; count];
        // The file is blue fastest: entry k = b + N·(g + N·r).
        for (k, v) in self.nodes.iter().enumerate() {
            let (b, g, r) = (k % n, k / n % n, k / (n * n));
            data[r + n * (g + n * b)] = v.map(|x| x as f32 / scale);
        }
        Lut3d::new(n, data, Domain::UNIT).map_err(engine)
    }
}

fn integer(token: &[u8], at: impl FnOnce() -> Location) -> Result<i64, FormatError> {
    let text = std::str::from_utf8(token).unwrap_or("");
    match text.parse::<i64>() {
        Ok(v) if v.abs() < 1 << 40 => Ok(v),
        _ => Err(FormatError::format(
            at(),
            format!("{} is not an integer code value", quote(token)),
            "an integer",
        )),
    }
}

/// OpenColorIO's `GetLikelyLutBitDepth`: even depths from 8, up to 2× overshoot; 14 → 16.
fn likely_bit_depth(max: i64, at: Location, what: &str) -> Result<u32, FormatError> {
    if max < LOWEST_PLAUSIBLE_MAX {
        let text = format!("largest {what} value is {max}, too low for integer code values");
        return Err(FormatError::format(
            at,
            text,
            "a largest value of at least 128",
        ));
    }
    let depth = (8..=16)
        .step_by(2)
        .find(|&d| max < 1i64 << (d + 1))
        .unwrap_or(16);
    Ok(if depth == 14 { 16 } else { depth })
}

/// The input-sample line as a 1D table, or None when it is an identity (±2 codes).
fn shaper_lut(values: &[i64], at: Location) -> Result<Option<Lut1d>, FormatError> {
    let max = values.iter().copied().max().unwrap_or(0);
    let bits = likely_bit_depth(max, at.clone(), "input-sample")?;
    let scale = ((1u64 << bits) - 1) as f32;
    let step = scale / (values.len() - 1) as f32;
    let identity = values
        .iter()
        .enumerate()
        .all(|(i, &v)| (i as f32 * step - v as f32).abs() < 2.0);
    if identity {
        return Ok(None);
    }
    let data = values.iter().map(|&v| [v as f32 / scale; 3]).collect();
    Lut1d::new(data, Domain::UNIT).map(Some).map_err(engine)
}

/// How [`write()`] lays out and quantises a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    pub variant: Variant,
    /// Output bit depth of the nodes (OpenColorIO writes 12).
    pub bits: u32,
}

impl Default for WriteOptions {
    fn default() -> Self {
        Self {
            variant: Variant::Flame,
            bits: 12,
        }
    }
}

/// Writes a `.3dl` of one 3D table over the unit cube; values are clamped to [0, 1] and rounded.
pub fn write(lut: &LutFile, options: &WriteOptions) -> Result<Vec<u8>, FormatError> {
    let Some(l3) = &lut.lut3d else {
        return Err(FormatError::unsupported(".3dl", "a 1D table alone"));
    };
    if lut.lut1d.is_some() || !l3.domain().is_unit() {
        return Err(FormatError::unsupported(
            ".3dl",
            "a shaper or a domain other than 0..1",
        ));
    }
    if !(8..=16).contains(&options.bits) {
        return Err(FormatError::unsupported(
            ".3dl",
            format!("{}-bit values", options.bits),
        ));
    }
    let n = l3.size();
    let mut out = Vec::with_capacity(128 + n * n * n * 16);
    if options.variant == Variant::Lustre {
        let mesh = (n as f32 - 1.0).log2() as u32;
        out.extend_from_slice(format!("3DMESH\nMesh {mesh} {}\n", options.bits).as_bytes());
    }
    // A sample line of 2 or 3 values would read as a bad line or a node: leave it out.
    if n > 3 {
        let samples: Vec<String> = (0..n)
            .map(|i| code(i as f32 / (n - 1) as f32, 1023.0).to_string())
            .collect();
        out.extend_from_slice(samples.join(" ").as_bytes());
        out.push(b'\n');
    }
    let scale = ((1u32 << options.bits) - 1) as f32;
    let mut ibuf = itoa::Buffer::new();
    for r in 0..n {
        for g in 0..n {
            for b in 0..n {
                let v = l3.node(r, g, b);
                for (i, x) in v.iter().enumerate() {
                    out.extend_from_slice(ibuf.format(code(*x, scale)).as_bytes());
                    out.push(if i == 2 { b'\n' } else { b' ' });
                }
            }
        }
    }
    if options.variant == Variant::Lustre {
        out.extend_from_slice(b"\nLUT8\ngamma 1.0\n");
    }
    Ok(out)
}

/// OpenColorIO's `GetClampedIntFromNormFloat`.
fn code(v: f32, scale: f32) -> u32 {
    (v.clamp(0.0, 1.0) * scale).round() as u32
}

#[cfg(test)]
#[path = "threedl_tests.rs"]
mod tests;
