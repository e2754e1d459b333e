//! Shared pieces of the text readers and writers: lines with LF, CRLF or CR ends,
//! whitespace tokens with their columns, locale-free numbers, fixed or shortest output.

use super::error::{quote, FormatError, Location};

/// One line of a text file, without its line end.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    pub text: &'a [u8],
    /// 1-based line number.
    pub number: usize,
}

/// Splits a file into lines at LF, CRLF or a bare CR.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    src: &'a [u8],
    pos: usize,
    number: usize,
}

impl<'a> Lines<'a> {
    pub fn new(src: &'a [u8]) -> Self {
        // A UTF-8 byte-order mark is not part of the first line.
        let pos = if src.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Self {
            src,
            pos,
            number: 0,
        }
    }

    /// Bytes not yet split into lines.
    pub fn remaining(&self) -> usize {
        self.src.len().saturating_sub(self.pos)
    }

    /// The number of the line after the last one returned (where a missing line would be).
    pub fn next_number(&self) -> usize {
        self.number + 1
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    #[inline]
    fn next(&mut self) -> Option<Line<'a>> {
        if self.pos >= self.src.len() {
            return None;
        }
        let rest = &self.src[self.pos..];
        self.number += 1;
        let (text, advance) = match memchr::memchr2(b'\n', b'\r', rest) {
            Some(i) if rest[i] == b'\r' && rest.get(i + 1) == Some(&b'\n') => (&rest[..i], i + 2),
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        self.pos += advance;
        Some(Line {
            text,
            number: self.number,
        })
    }
}

#[inline]
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\x0b' | b'\x0c')
}

/// Whitespace-separated tokens of one line, each with its 1-based column.
#[derive(Clone, Debug)]
pub(crate) struct Tokens<'a> {
    text: &'a [u8],
    pos: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a [u8]) -> Self {
        Self { text, pos: 0 }
    }

    /// Column where the next token would start (or one past the end of the line).
    pub fn col(&self) -> usize {
        let mut pos = self.pos;
        while pos < self.text.len() && is_space(self.text[pos]) {
            pos += 1;
        }
        pos + 1
    }

    /// The rest of the line, leading whitespace skipped.
    pub fn rest(&self) -> &'a [u8] {
        &self.text[self.col() - 1..]
    }
}

impl<'a> Iterator for Tokens<'a> {
    /// (column, token)
    type Item = (usize, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let t = self.text;
        let mut i = self.pos;
        while i < t.len() && is_space(t[i]) {
            i += 1;
        }
        if i >= t.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        while i < t.len() && !is_space(t[i]) {
            i += 1;
        }
        self.pos = i;
        Some((start + 1, &t[start..i]))
    }
}

/// The first non-blank byte of a line, or None for a blank line.
pub(crate) fn first_byte(text: &[u8]) -> Option<u8> {
    text.iter().copied().find(|&b| !is_space(b))
}

/// True when a token starts like a number (`+ - .` or a digit).
pub(crate) fn starts_number(token: &[u8]) -> bool {
    matches!(token.first(), Some(b'0'..=b'9' | b'+' | b'-' | b'.'))
}

/// Parses a finite f32 (locale-free, shortest round trip), or names what is wrong.
#[inline]
pub(crate) fn parse_f32(token: &[u8], at: impl FnOnce() -> Location) -> Result<f32, FormatError> {
    if let Some(v) = plain_decimal(token) {
        return Ok(v);
    }
    match fast_float2::parse::<f32, _>(token) {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(not_finite(token, at())),
        Err(_) => Err(FormatError::format(
            at(),
            format!("{} is not a number", quote(token)),
            "a decimal number",
        )),
    }
}

const POW10_F64: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Clinger's fast path for the common `-?digits.digits` spelling: with fewer than 2^53
/// as the digits and at most 22 decimals, one f64 division is correctly rounded. Rounding
/// that f64 to f32 is then exact too, unless it sits exactly on an f32 midpoint (a
/// double-rounding risk): those, and everything else, go to the full parser.
#[inline]
fn plain_decimal(token: &[u8]) -> Option<f32> {
    let (negative, body) = match token.first()? {
        b'-' => (true, &token[1..]),
        _ => (false, token),
    };
    if body.len() > 17 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut decimals = 0usize;
    let mut seen_point = false;
    let mut digits = 0;
    for &b in body {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                decimals += usize::from(seen_point);
            }
            b'.' if !seen_point => seen_point = true,
            _ => return None,
        }
    }
    if digits == 0 || mantissa >= 1 << 53 || decimals > 22 {
        return None;
    }
    let v = mantissa as f64 / POW10_F64[decimals];
    // The 29 mantissa bits an f32 drops are 1000…0: exactly halfway between two f32s.
    if v.to_bits() & 0x1FFF_FFFF == 0x1000_0000 {
        return None;
    }
    let v = v as f32;
    Some(if negative { -v } else { v })
}

/// Parses a finite f64, or names what is wrong.
pub(crate) fn parse_f64(token: &[u8], at: impl FnOnce() -> Location) -> Result<f64, FormatError> {
    match fast_float2::parse::<f64, _>(token) {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(not_finite(token, at())),
        Err(_) => Err(FormatError::format(
            at(),
            format!("{} is not a number", quote(token)),
            "a decimal number",
        )),
    }
}

fn not_finite(token: &[u8], at: Location) -> FormatError {
    FormatError::format(
        at,
        format!("{} is not finite", quote(token)),
        "a finite number",
    )
}

/// Parses a non-negative integer token, or names what is wrong.
pub(crate) fn parse_usize(
    token: &[u8],
    what: &str,
    at: impl FnOnce() -> Location,
) -> Result<usize, FormatError> {
    let digits = token.strip_prefix(b"+").unwrap_or(token);
    let ok = !digits.is_empty() && digits.len() <= 12 && digits.iter().all(u8::is_ascii_digit);
    if !ok {
        return Err(FormatError::format(
            at(),
            format!("{what} {} is not a whole number", quote(token)),
            "a positive integer",
        ));
    }
    Ok(digits
        .iter()
        .fold(0usize, |n, d| n * 10 + usize::from(d - b'0')))
}

/// How writers print table values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// The shortest text that reads back as the same f32.
    #[default]
    RoundTrip,
    /// A fixed number of decimals (OpenColorIO's bakers use 6).
    Fixed(u8),
}

/// Appends `v` as text; writers call it for every table value.
#[inline]
pub(crate) fn push_f32(out: &mut Vec<u8>, v: f32, precision: Precision) {
    match precision {
        Precision::RoundTrip => push_shortest(out, v),
        Precision::Fixed(decimals) => push_fixed(out, f64::from(v), decimals),
    }
}

fn push_shortest(out: &mut Vec<u8>, v: f32) {
    if v == 0.0 {
        out.push(b'0');
        return;
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v);
    out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
}

const POW10: [f64; 10] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/// Fixed decimals through one integer rounding; falls back to `format!` for huge values.
pub(crate) fn push_fixed(out: &mut Vec<u8>, v: f64, decimals: u8) {
    let d = usize::from(decimals.min(9));
    let scaled = (v * POW10[d]).round();
    if scaled.abs() >= 9.0e15 || !scaled.is_finite() {
        out.extend_from_slice(format!("{v:.d$}").as_bytes());
        return;
    }
    let n = scaled as i64;
    if n < 0 {
        out.push(b'-');
    }
    let n = n.unsigned_abs();
    let p = POW10[d] as u64;
    let mut ibuf = itoa::Buffer::new();
    out.extend_from_slice(ibuf.format(n / p).as_bytes());
    if d > 0 {
        out.push(b'.');
        let frac = ibuf.format(n % p);
        out.extend(std::iter::repeat_n(b'0', d - frac.len()));
        out.extend_from_slice(frac.as_bytes());
    }
}

/// Appends `v` in shortest round-trip form for f64 (CDL values, matrices).
pub(crate) fn push_f64(out: &mut Vec<u8>, v: f64) {
    if v == 0.0 {
        out.push(b'0');
        return;
    }
    let mut buf = ryu::Buffer::new();
    let s = buf.format_finite(v);
    out.extend_from_slice(s.strip_suffix(".0").unwrap_or(s).as_bytes());
}

/// `f64` text for documents built as `String` (CDL values as the CDL writer prints them).
pub fn f64_text(v: f64) -> String {
    let mut out = Vec::new();
    push_f64(&mut out, v);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(src: &str) -> Vec<(usize, String)> {
        Lines::new(src.as_bytes())
            .map(|l| (l.number, String::from_utf8_lossy(l.text).into_owned()))
            .collect()
    }

    #[test]
    fn line_ends_lf_crlf_cr() {
        let want = vec![
            (1, "a".into()),
            (2, "b".into()),
            (3, "".into()),
            (4, "c".into()),
        ];
        assert_eq!(lines("a\nb\n\nc\n"), want);
        assert_eq!(lines("a\r\nb\r\n\r\nc"), want);
        assert_eq!(lines("a\rb\r\rc\r"), want);
    }

    #[test]
    fn tokens_carry_columns() {
        let t: Vec<_> = Tokens::new(b"  0.5\t-1e-3  x").collect();
        assert_eq!(
            t,
            vec![(3, &b"0.5"[..]), (7, &b"-1e-3"[..]), (14, &b"x"[..])]
        );
    }

    #[test]
    fn numbers_reject_garbage_and_non_finite() {
        let at = || Location::new("f", 2, 5);
        assert_eq!(parse_f32(b"-.25", at).unwrap(), -0.25);
        assert_eq!(
            parse_f32(b"0.5x", at).unwrap_err().to_string(),
            "f:2:5: \"0.5x\" is not a number, expected a decimal number"
        );
        assert_eq!(
            parse_f32(b"nan", at).unwrap_err().to_string(),
            "f:2:5: \"nan\" is not finite, expected a finite number"
        );
        assert_eq!(
            parse_f32(b"1e39", at).unwrap_err().to_string(),
            "f:2:5: \"1e39\" is not finite, expected a finite number"
        );
    }

    #[test]
    fn fast_path_agrees_with_full_parser() {
        let at = || Location::new("f", 1, 1);
        for text in [
            "0.123457",
            "-0.000001",
            "16777215",
            "1677.7216",
            "0.1",
            "3.",
            ".5",
            "-7.0000000001",
        ] {
            let want: f32 = text.parse().unwrap();
            assert_eq!(parse_f32(text.as_bytes(), at).unwrap(), want, "{text}");
        }
        let mut x = 0.000_123_f32;
        while x < 1000.0 {
            let text = format!("{x:.6}");
            assert_eq!(
                parse_f32(text.as_bytes(), at).unwrap(),
                text.parse::<f32>().unwrap(),
                "{text}"
            );
            x *= 1.37;
        }
        assert!(plain_decimal(b"-").is_none() && plain_decimal(b".").is_none());
        // 16777217 = 2^24 + 1 is an f32 midpoint: the fast path must hand it over.
        assert!(plain_decimal(b"16777217").is_none());
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let x = f32::from_bits((seed as u32 & 0x3fff_ffff) | 0x0080_0000);
            for text in [format!("{x}"), format!("{x:.9}"), format!("{x:.3}")] {
                assert_eq!(
                    parse_f32(text.as_bytes(), at).unwrap(),
                    text.parse::<f32>().unwrap(),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn fixed_and_shortest_output() {
        let mut out = Vec::new();
        for v in [0.5f32, -0.0000001, 1.0, -2.25, 0.1234567] {
            push_f32(&mut out, v, Precision::Fixed(6));
            out.push(b' ');
        }
        assert_eq!(out, b"0.500000 0.000000 1.000000 -2.250000 0.123457 ");
        out.clear();
        for v in [0.1f32, 1.0, 0.0, 1e-7] {
            push_f32(&mut out, v, Precision::RoundTrip);
            out.push(b' ');
        }
        assert_eq!(out, b"0.1 1 0 1e-7 ");
    }
}
