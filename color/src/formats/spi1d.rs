//! `.spi1d`: Sony Pictures Imageworks 1D LUT (OpenColorIO's `FileFormatSpi1D`).
//!
//! ```text
//! Version 1
//! From -0.125 1.125
//! Length 4096
//! Components 1        (1: R=G=B, 2: R G with B = 0, 3: R G B)
//! {
//!     0.0315
//! }
//! ```

use super::error::{quote, FormatError, Location};
use super::lut_file::LutFile;
use super::text::{first_byte, parse_f32, parse_usize, push_f32, Line, Lines, Precision, Tokens};
use crate::lut::{Domain, Lut1d, LUT1D_SIZE_RANGE};

#[derive(Debug, Default)]
struct Header {
    version: bool,
    from: Option<[f32; 2]>,
    length: Option<usize>,
    components: Option<usize>,
}

/// Reads a `.spi1d` file; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let mut lines = Lines::new(src);
    let mut header = Header::default();
    let mut open = None;
    for line in lines.by_ref() {
        if first_byte(line.text).is_none() {
            continue;
        }
        let mut tokens = Tokens::new(line.text);
        let Some((col, word)) = tokens.next() else {
            continue;
        };
        if word == b"{" {
            open = Some(line);
            break;
        }
        header.keyword(file, line.number, col, word, tokens)?;
    }
    let at_open = open.map_or(lines.next_number(), |l| l.number);
    let (length, components, domain) = header.check(file, at_open)?;
    if open.is_none() {
        return Err(FormatError::format(
            Location::new(file, at_open, 1),
            "no \"{\" opening the table",
            "{ before the values",
        ));
    }
    let data = body(&mut lines, file, length, components)?;
    let lut =
        Lut1d::new(data, domain).map_err(|e| FormatError::unsupported(".spi1d", e.to_string()))?;
    Ok(LutFile::from_1d(lut))
}

impl Header {
    fn keyword(
        &mut self,
        file: &str,
        line: usize,
        col: usize,
        word: &[u8],
        mut tokens: Tokens<'_>,
    ) -> Result<(), FormatError> {
        let at = |c: usize| Location::new(file, line, c);
        let mut next = |what: &str| {
            tokens.next().ok_or_else(|| {
                FormatError::format(
                    at(tokens.col()),
                    format!("{what} without a value"),
                    format!("{what} and its value"),
                )
            })
        };
        match word {
            b"Version" => {
                let (c, v) = next("Version")?;
                if v != b"1" {
                    return Err(FormatError::format(
                        at(c),
                        format!("Version {}", quote(v)),
                        "Version 1",
                    ));
                }
                self.version = true;
            }
            b"From" => {
                let (c1, lo) = next("From")?;
                let (c2, hi) = next("From")?;
                let (lo, hi) = (parse_f32(lo, || at(c1))?, parse_f32(hi, || at(c2))?);
                if lo >= hi {
                    return Err(FormatError::format(
                        at(c1),
                        format!("From {lo} {hi} is reversed or empty"),
                        "min < max",
                    ));
                }
                self.from = Some([lo, hi]);
            }
            b"Length" => {
                let (c, v) = next("Length")?;
                let n = parse_usize(v, "Length", || at(c))?;
                if !LUT1D_SIZE_RANGE.contains(&n) {
                    let r = LUT1D_SIZE_RANGE;
                    return Err(FormatError::limits(
                        at(c),
                        format!("Length {n} is out of range"),
                        format!("{} to {}", r.start(), r.end()),
                    ));
                }
                self.length = Some(n);
            }
            b"Components" => {
                let (c, v) = next("Components")?;
                match v {
                    b"1" | b"2" | b"3" => self.components = Some(usize::from(v[0] - b'0')),
                    _ => {
                        return Err(FormatError::format(
                            at(c),
                            format!("Components {}", quote(v)),
                            "1, 2 or 3",
                        ))
                    }
                }
            }
            _ => {
                return Err(FormatError::format(
                    at(col),
                    format!("unknown keyword {}", quote(word)),
                    "Version, From, Length, Components or {",
                ));
            }
        }
        Ok(())
    }

    fn check(&self, file: &str, line: usize) -> Result<(usize, usize, Domain), FormatError> {
        let at = Location::new(file, line, 1);
        if !self.version {
            return Err(FormatError::format(at, "no Version line", "Version 1"));
        }
        let Some(length) = self.length else {
            return Err(FormatError::format(at, "no Length line", "Length N"));
        };
        let Some(components) = self.components else {
            return Err(FormatError::format(
                at,
                "no Components line",
                "Components 1, 2 or 3",
            ));
        };
        let [lo, hi] = self.from.unwrap_or([0.0, 1.0]);
        Ok((
            length,
            components,
            Domain {
                min: [lo; 3],
                max: [hi; 3],
            },
        ))
    }
}

fn body(
    lines: &mut Lines<'_>,
    file: &str,
    length: usize,
    components: usize,
) -> Result<Vec<[f32; 3]>, FormatError> {
    // Each value line takes at least 2 bytes, so a short file cannot ask for a big table.
    let mut data = Vec::with_capacity(length.min(lines.remaining() / 2 + 1));
    for line in lines.by_ref() {
        match first_byte(line.text) {
            None => continue,
            Some(b'}') => {
                if data.len() < length {
                    let at = Location::new(file, line.number, 1);
                    return Err(FormatError::format(
                        at,
                        format!("table ends after {} entries", data.len()),
                        format!("{length} entries (Length {length})"),
                    ));
                }
                return Ok(data);
            }
            Some(_) => {}
        }
        if data.len() == length {
            let at = Location::new(file, line.number, 1);
            return Err(FormatError::format(
                at,
                format!("extra table line (entry {})", length + 1),
                format!("{length} entries (Length {length})"),
            ));
        }
        data.push(entry(line, file, components)?);
    }
    let at = Location::new(file, lines.next_number(), 1);
    Err(FormatError::format(
        at,
        format!("file ends after {} entries without \"}}\"", data.len()),
        format!("{length} entries and }}"),
    ))
}

fn entry(line: Line<'_>, file: &str, components: usize) -> Result<[f32; 3], FormatError> {
    let at = |c: usize| Location::new(file, line.number, c);
    let mut tokens = Tokens::new(line.text);
    let mut v = [0.0f32; 3];
    for (i, slot) in v.iter_mut().take(components).enumerate() {
        let Some((c, t)) = tokens.next() else {
            return Err(FormatError::format(
                at(tokens.col()),
                format!("table line has {i} values"),
                format!("{components} (Components {components})"),
            ));
        };
        *slot = parse_f32(t, || at(c))?;
    }
    if let Some((c, _)) = tokens.next() {
        return Err(FormatError::format(
            at(c),
            format!("table line has more than {components} values"),
            format!("{components} (Components {components})"),
        ));
    }
    Ok(match components {
        1 => [v[0]; 3],
        _ => v,
    })
}

/// Writes a `.spi1d` with 3 components; the domain must be the same in every channel.
pub fn write(lut: &LutFile, precision: Precision) -> Result<Vec<u8>, FormatError> {
    let Some(l1) = &lut.lut1d else {
        return Err(FormatError::unsupported(".spi1d", "a 3D table"));
    };
    if lut.lut3d.is_some() {
        return Err(FormatError::unsupported(
            ".spi1d",
            "a 3D table after the 1D one",
        ));
    }
    let d = l1.domain();
    if d.min.iter().any(|&m| m != d.min[0]) || d.max.iter().any(|&m| m != d.max[0]) {
        return Err(FormatError::unsupported(
            ".spi1d",
            "a domain that differs per channel",
        ));
    }
    let mut out = Vec::with_capacity(64 + l1.size() * 36);
    out.extend_from_slice(b"Version 1\nFrom ");
    push_f32(&mut out, d.min[0], Precision::RoundTrip);
    out.push(b' ');
    push_f32(&mut out, d.max[0], Precision::RoundTrip);
    out.extend_from_slice(format!("\nLength {}\nComponents 3\n{{\n", l1.size()).as_bytes());
    for rgb in l1.data() {
        for &x in rgb {
            out.push(b' ');
            push_f32(&mut out, x, precision);
        }
        out.push(b'\n');
    }
    out.extend_from_slice(b"}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        read(src.as_bytes(), "t.spi1d").unwrap_err().to_string()
    }

    #[test]
    fn reads_one_two_and_three_components() {
        let one = read(
            b"Version 1\nFrom -1 3\nLength 3\nComponents 1\n{\n 0\n 0.5\n 1\n}\n",
            "a",
        )
        .unwrap();
        let l = one.lut1d.unwrap();
        assert_eq!(l.domain().min, [-1.0; 3]);
        assert_eq!(l.data()[1], [0.5; 3]);
        let two = read(
            b"Version 1\r\nLength 2\r\nComponents 2\r\n{\r\n0 0.1\r\n1 0.9\r\n}\r\n",
            "b",
        )
        .unwrap();
        assert_eq!(
            two.lut1d.unwrap().data(),
            &[[0.0, 0.1, 0.0], [1.0, 0.9, 0.0]]
        );
    }

    #[test]
    fn errors_are_located() {
        let cases: &[(&str, &str)] = &[
            ("Version 2\n", "t.spi1d:1:9: Version \"2\", expected Version 1"),
            ("Version 1\nLength 70000\n", "t.spi1d:2:8: Length 70000 is out of range, expected 2 to 65536"),
            ("Version 1\nLength 2\nComponents 4\n", "t.spi1d:3:12: Components \"4\", expected 1, 2 or 3"),
            ("Version 1\nLength 2\n{\n", "t.spi1d:3:1: no Components line, expected Components 1, 2 or 3"),
            ("Version 1\nLength 2\nComponents 1\nFrum 0 1\n", "t.spi1d:4:1: unknown keyword \"Frum\", expected Version, From, Length, Components or {"),
            ("Version 1\nFrom 1 0\n", "t.spi1d:2:6: From 1 0 is reversed or empty, expected min < max"),
            ("Version 1\nLength 3\nComponents 1\n{\n0\n1\n}\n", "t.spi1d:7:1: table ends after 2 entries, expected 3 entries (Length 3)"),
            ("Version 1\nLength 2\nComponents 1\n{\n0\n1\n2\n}\n", "t.spi1d:7:1: extra table line (entry 3), expected 2 entries (Length 2)"),
            ("Version 1\nLength 2\nComponents 3\n{\n0 0\n", "t.spi1d:5:4: table line has 2 values, expected 3 (Components 3)"),
            ("Version 1\nLength 2\nComponents 1\n{\n0\ninf\n}\n", "t.spi1d:6:1: \"inf\" is not finite, expected a finite number"),
            ("Version 1\nLength 2\nComponents 1\n{\n0\n", "t.spi1d:6:1: file ends after 1 entries without \"}\", expected 2 entries and }"),
        ];
        for (src, want) in cases {
            assert_eq!(&err(src), want, "{src:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn roundtrip_is_exact(values in proptest::collection::vec(-10.0f32..10.0, 6..60), lo in -1.0f32..0.0) {
            let data: Vec<[f32; 3]> = values.chunks_exact(3).map(|v| [v[0], v[1], v[2]]).collect();
            let lut = LutFile::from_1d(Lut1d::new(data, Domain { min: [lo; 3], max: [2.0; 3] }).unwrap());
            let text = write(&lut, Precision::RoundTrip).unwrap();
            proptest::prop_assert_eq!(read(&text, "p").unwrap(), lut);
        }
    }
}
