//! `.spi3d`: Sony Pictures Imageworks 3D LUT (OpenColorIO's `FileFormatSpi3D`).
//!
//! ```text
//! SPILUT 1.0
//! 3 3
//! 17 17 17
//! 0 0 0 0.0 0.0 0.0       r g b indices, then R G B
//! ```
//! Each line names its node, so lines may come in any order; every node must
//! appear exactly once. lookwire writes blue fastest, as OpenColorIO does.

use super::error::{quote, FormatError, Location};
use super::lut_file::LutFile;
use super::text::{first_byte, parse_f32, parse_usize, push_f32, Line, Lines, Precision, Tokens};
use crate::lut::{Domain, Lut3d, LUT3D_SIZE_RANGE};

/// The shortest node line ("0 0 0 0 0 0\n").
const MIN_LINE_BYTES: usize = 12;

/// Reads a `.spi3d` file; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<LutFile, FormatError> {
    let mut lines = Lines::new(src).filter(|l| first_byte(l.text).is_some());
    let at = |line: usize, col: usize| Location::new(file, line, col);
    let magic = lines.next();
    if !magic.is_some_and(|l| l.text.trim_ascii().starts_with(b"SPILUT 1.0")) {
        let line = magic.map_or(1, |l| l.number);
        return Err(FormatError::format(
            at(line, 1),
            "first line is not SPILUT 1.0",
            "SPILUT 1.0",
        ));
    }
    // The "3 3" line (input and output dimensions) is not checked, as in OpenColorIO.
    if lines.next().is_none() {
        return Err(FormatError::format(
            at(2, 1),
            "file ends after SPILUT 1.0",
            "the 3 3 line",
        ));
    }
    let sizes = lines
        .next()
        .ok_or_else(|| FormatError::format(at(3, 1), "file ends before the sizes", "N N N"))?;
    let n = size(sizes, file)?;
    let total = n * n * n;
    if total * MIN_LINE_BYTES > src.len() {
        let what = format!("file of {} bytes is too short for {n}³ nodes", src.len());
        return Err(FormatError::format(
            at(sizes.number, 1),
            what,
            format!("{total} node lines"),
        ));
    }
    let mut data = vec![[0.0f32; 3]; total];
    let mut seen = vec![false; total];
    let mut count = 0;
    let mut last_line = sizes.number;
    for line in lines {
        last_line = line.number;
        if count == total {
            let what = format!("extra node line (entry {})", total + 1);
            return Err(FormatError::format(
                at(line.number, 1),
                what,
                format!("{total} lines for size {n}"),
            ));
        }
        let (index, rgb) = node(line, file, n)?;
        if seen[index] {
            return Err(FormatError::format(
                at(line.number, 1),
                "node listed twice",
                "each node once",
            ));
        }
        seen[index] = true;
        data[index] = rgb;
        count += 1;
    }
    if count < total {
        let missing = seen.iter().position(|s| !s).unwrap_or(0);
        let (r, g, b) = (missing % n, missing / n % n, missing / (n * n));
        let what = format!("file ends after {count} of {total} nodes (first missing: {r} {g} {b})");
        return Err(FormatError::format(
            at(last_line + 1, 1),
            what,
            "every node once",
        ));
    }
    let lut = Lut3d::new(n, data, Domain::UNIT)
        .map_err(|e| FormatError::unsupported(".spi3d", e.to_string()))?;
    Ok(LutFile::from_3d(lut))
}

fn size(line: Line<'_>, file: &str) -> Result<usize, FormatError> {
    let at = |c: usize| Location::new(file, line.number, c);
    let mut tokens = Tokens::new(line.text);
    let mut n = [0usize; 3];
    for slot in &mut n {
        let (c, t) = tokens
            .next()
            .ok_or_else(|| FormatError::format(at(tokens.col()), "fewer than 3 sizes", "N N N"))?;
        *slot = parse_usize(t, "size", || at(c))?;
    }
    if n[0] != n[1] || n[1] != n[2] {
        return Err(FormatError::format(
            at(1),
            format!("sizes {} {} {} differ", n[0], n[1], n[2]),
            "equal sizes N N N",
        ));
    }
    if !LUT3D_SIZE_RANGE.contains(&n[0]) {
        let r = LUT3D_SIZE_RANGE;
        return Err(FormatError::limits(
            at(1),
            format!("size {} is out of range", n[0]),
            format!("{} to {}", r.start(), r.end()),
        ));
    }
    Ok(n[0])
}

/// One node line: the red-fastest index of its node and its value.
#[inline]
fn node(line: Line<'_>, file: &str, n: usize) -> Result<(usize, [f32; 3]), FormatError> {
    let at = |c: usize| Location::new(file, line.number, c);
    let mut tokens = Tokens::new(line.text);
    let mut index = [0usize; 3];
    for (i, slot) in index.iter_mut().enumerate() {
        let (c, t) = tokens.next().ok_or_else(|| {
            FormatError::format(
                at(tokens.col()),
                format!("node line has {i} values"),
                "6 (r g b R G B)",
            )
        })?;
        let v = parse_usize(t, "index", || at(c))?;
        if v >= n {
            return Err(FormatError::format(
                at(c),
                format!("index {v} is outside the lattice"),
                format!("0 to {}", n - 1),
            ));
        }
        *slot = v;
    }
    let mut rgb = [0.0f32; 3];
    for (i, slot) in rgb.iter_mut().enumerate() {
        let (c, t) = tokens.next().ok_or_else(|| {
            FormatError::format(
                at(tokens.col()),
                format!("node line has {} values", i + 3),
                "6 (r g b R G B)",
            )
        })?;
        *slot = parse_f32(t, || at(c))?;
    }
    if let Some((c, t)) = tokens.next() {
        return Err(FormatError::format(
            at(c),
            format!("unexpected {} after the node value", quote(t)),
            "6 values (r g b R G B)",
        ));
    }
    Ok((index[0] + n * (index[1] + n * index[2]), rgb))
}

/// Writes a `.spi3d` (blue fastest); the table must cover the unit cube, with no shaper.
pub fn write(lut: &LutFile, precision: Precision) -> Result<Vec<u8>, FormatError> {
    let Some(l3) = &lut.lut3d else {
        return Err(FormatError::unsupported(".spi3d", "a 1D table alone"));
    };
    if lut.lut1d.is_some() {
        return Err(FormatError::unsupported(
            ".spi3d",
            "a shaper before the 3D table",
        ));
    }
    if !l3.domain().is_unit() {
        return Err(FormatError::unsupported(
            ".spi3d",
            "a domain other than 0..1",
        ));
    }
    let n = l3.size();
    let mut out = Vec::with_capacity(64 + n * n * n * 48);
    out.extend_from_slice(format!("SPILUT 1.0\n3 3\n{n} {n} {n}\n").as_bytes());
    let mut ibuf = itoa::Buffer::new();
    for r in 0..n {
        for g in 0..n {
            for b in 0..n {
                for i in [r, g, b] {
                    out.extend_from_slice(ibuf.format(i).as_bytes());
                    out.push(b' ');
                }
                let v = l3.node(r, g, b);
                push_f32(&mut out, v[0], precision);
                out.push(b' ');
                push_f32(&mut out, v[1], precision);
                out.push(b' ');
                push_f32(&mut out, v[2], precision);
                out.push(b'\n');
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(src: &str) -> String {
        read(src.as_bytes(), "t.spi3d").unwrap_err().to_string()
    }

    fn lines2() -> Vec<String> {
        let mut v = Vec::new();
        for r in 0..2 {
            for g in 0..2 {
                for b in 0..2 {
                    v.push(format!("{r} {g} {b} {r} {}.5 {b}", g));
                }
            }
        }
        v
    }

    #[test]
    fn reads_nodes_in_any_order() {
        let mut l = lines2();
        l.reverse();
        let src = format!("SPILUT 1.0\n3 3\n2 2 2\n{}\n", l.join("\n"));
        let lut = read(src.as_bytes(), "a").unwrap().lut3d.unwrap();
        assert_eq!(lut.node(1, 0, 1), [1.0, 0.5, 1.0]);
        assert_eq!(lut.data()[1], [1.0, 0.5, 0.0]);
    }

    #[test]
    fn errors_are_located() {
        let body = lines2().join("\n");
        let dup = format!(
            "SPILUT 1.0\n3 3\n2 2 2\n{}\n0 0 0 1 1 1\n",
            lines2()[..7].join("\n")
        );
        let cases = [
            ("SPILUT 2\n".to_owned(), "t.spi3d:1:1: first line is not SPILUT 1.0, expected SPILUT 1.0".to_owned()),
            ("SPILUT 1.0\n3 3\n2 2 3\n".to_owned(), "t.spi3d:3:1: sizes 2 2 3 differ, expected equal sizes N N N".to_owned()),
            ("SPILUT 1.0\n3 3\n300 300 300\n".to_owned(), "t.spi3d:3:1: size 300 is out of range, expected 2 to 256".to_owned()),
            ("SPILUT 1.0\n3 3\n200 200 200\n0 0 0 0 0 0\n".to_owned(), "t.spi3d:3:1: file of 39 bytes is too short for 200³ nodes, expected 8000000 node lines".to_owned()),
            (format!("SPILUT 1.0\n3 3\n2 2 2\n0 0 2 0 0 0\n{body}"), "t.spi3d:4:5: index 2 is outside the lattice, expected 0 to 1".to_owned()),
            (dup, "t.spi3d:11:1: node listed twice, expected each node once".to_owned()),
            (format!("SPILUT 1.0\n3 3\n2 2 2\n{}\n", lines2()[..7].join("\n")), "t.spi3d:11:1: file ends after 7 of 8 nodes (first missing: 1 1 1), expected every node once".to_owned()),
            (format!("SPILUT 1.0\n3 3\n2 2 2\n{body}\n1 1 1 0 0 0\n"), "t.spi3d:12:1: extra node line (entry 9), expected 8 lines for size 2".to_owned()),
            (format!("SPILUT 1.0\n3 3\n2 2 2\n0 0 0 0 nan 0\n{body}"), "t.spi3d:4:9: \"nan\" is not finite, expected a finite number".to_owned()),
        ];
        for (src, want) in cases {
            assert_eq!(err(&src), want, "{src:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn roundtrip_is_exact(values in proptest::collection::vec(-3.0f32..3.0, 81)) {
            let data: Vec<[f32; 3]> = values.chunks_exact(3).map(|v| [v[0], v[1], v[2]]).collect();
            let lut = LutFile::from_3d(Lut3d::new(3, data, Domain::UNIT).unwrap());
            let text = write(&lut, Precision::RoundTrip).unwrap();
            proptest::prop_assert_eq!(read(&text, "p").unwrap(), lut);
        }
    }
}
