//! The CLF/CTF reader: element tree → normalised nodes, with located errors.

use super::ops::{CdlDirection, ClfOp, ExponentStyle, HalfDomainLut, LogParams, LogStyle, RangeOp};
use super::ProcessList;
use crate::cdl::CdlStyle;
use crate::formats::error::{quote, FormatError};
use crate::formats::text::{parse_f32, parse_f64, parse_usize};
use crate::formats::xml::{self, Element};
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d, LUT1D_SIZE_RANGE, LUT3D_SIZE_RANGE};

const NODES: &str = "LUT1D, LUT3D, Matrix, Range, ASC_CDL, Log or Exponent";
/// Most process nodes in one list (bounds the cost of applying or baking it).
const MAX_NODES: usize = 1024;

/// Reads a `.clf` or `.ctf` document; `file` names it in error messages.
pub fn read(src: &[u8], file: &str) -> Result<ProcessList, FormatError> {
    let root = xml::parse(src, file)?;
    if root.name != "ProcessList" {
        return Err(FormatError::format(
            root.at(file),
            format!("root element <{}>", root.name),
            "ProcessList",
        ));
    }
    let clf = root.attr("compCLFversion");
    let ctf = root.attr("version");
    if clf.is_some() && ctf.is_some() {
        return Err(FormatError::format(
            root.at(file),
            "both compCLFversion and version",
            "one of them",
        ));
    }
    let mut list = ProcessList::new(Vec::new());
    list.id = root.attr("id").map(str::to_owned);
    list.name = root.attr("name").map(str::to_owned);
    list.version = clf.or(ctf).map(str::to_owned);
    list.namespace = root.attr("xmlns").map(str::to_owned);
    let mut previous_out: Option<(&str, &Element)> = None;
    for el in &root.children {
        match el.name.as_str() {
            "Description" => list.descriptions.push(el.trimmed().to_owned()),
            "InputDescriptor" => list.input_descriptor = Some(el.trimmed().to_owned()),
            "OutputDescriptor" => list.output_descriptor = Some(el.trimmed().to_owned()),
            "Info" | "Id" => {}
            _ => {
                if list.ops.len() == MAX_NODES {
                    return Err(FormatError::limits(
                        el.at(file),
                        format!("more than {MAX_NODES} process nodes"),
                        format!("at most {MAX_NODES}"),
                    ));
                }
                let (op, in_depth, out_depth) = node(el, file)?;
                if let Some((prev, prev_el)) = previous_out {
                    if prev != in_depth {
                        let what = format!(
                            "inBitDepth {in_depth} differs from outBitDepth {prev} of <{}>",
                            prev_el.name
                        );
                        return Err(FormatError::format(
                            el.at(file),
                            what,
                            format!("inBitDepth=\"{prev}\""),
                        ));
                    }
                }
                previous_out = Some((out_depth, el));
                list.ops.push(op);
            }
        }
    }
    if list.ops.is_empty() {
        return Err(FormatError::format(
            root.at(file),
            "no process nodes",
            format!("at least one of {NODES}"),
        ));
    }
    Ok(list)
}

/// Scale of a bit depth label: `2^n − 1` for integers, 1 for floats.
fn depth_scale(el: &Element, attr: &str, file: &str) -> Result<(f64, &'static str), FormatError> {
    let Some(value) = el.attr(attr) else {
        return Err(FormatError::format(
            el.at(file),
            format!("no {attr}"),
            format!("{attr}=\"32f\" (or 8i, 10i, 12i, 16i, 16f)"),
        ));
    };
    Ok(match value {
        "8i" => (255.0, "8i"),
        "10i" => (1023.0, "10i"),
        "12i" => (4095.0, "12i"),
        "16i" => (65535.0, "16i"),
        "16f" => (1.0, "16f"),
        "32f" => (1.0, "32f"),
        other => {
            return Err(FormatError::format(
                el.at(file),
                format!("{attr} {}", quote(other.as_bytes())),
                "8i, 10i, 12i, 16i, 16f or 32f",
            ));
        }
    })
}

fn node(el: &Element, file: &str) -> Result<(ClfOp, &'static str, &'static str), FormatError> {
    let known = [
        "LUT1D", "LUT3D", "Matrix", "Range", "ASC_CDL", "Log", "Exponent",
    ];
    if !known.contains(&el.name.as_str()) {
        return Err(FormatError::format(
            el.at(file),
            format!("unsupported element <{}>", el.name),
            NODES,
        ));
    }
    let (in_scale, in_depth) = depth_scale(el, "inBitDepth", file)?;
    let (out_scale, out_depth) = depth_scale(el, "outBitDepth", file)?;
    let op = match el.name.as_str() {
        "LUT1D" => lut1d(el, file, out_scale)?,
        "LUT3D" => lut3d(el, file, out_scale)?,
        "Matrix" => matrix(el, file, in_scale, out_scale)?,
        "Range" => range(el, file, in_scale, out_scale)?,
        "ASC_CDL" => asc_cdl(el, file)?,
        "Log" => log(el, file)?,
        _ => exponent(el, file)?,
    };
    Ok((op, in_depth, out_depth))
}

/// The `Array` child: its dimensions and the element holding the values.
fn array<'a>(el: &'a Element, file: &str) -> Result<(Vec<usize>, &'a Element), FormatError> {
    let Some(a) = el.child(&["Array"]) else {
        return Err(FormatError::format(
            el.at(file),
            format!("<{}> without an Array", el.name),
            "<Array dim=\"…\">",
        ));
    };
    let Some(dim) = a.attr("dim") else {
        return Err(FormatError::format(
            a.at(file),
            "Array without dim",
            "dim=\"…\"",
        ));
    };
    let dims = dim
        .split_ascii_whitespace()
        .take(6)
        .map(|d| parse_usize(d.as_bytes(), "dim", || a.at(file)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((dims, a))
}

/// Exactly `count` numbers of an `Array` (any whitespace between them).
fn values<T>(
    a: &Element,
    file: &str,
    count: usize,
    parse: impl Fn(&[u8]) -> Result<T, FormatError>,
) -> Result<Vec<T>, FormatError> {
    let mut out = Vec::with_capacity(count.min(a.text.len() / 2 + 1));
    for token in a.text.split_ascii_whitespace() {
        if out.len() == count {
            return Err(FormatError::format(
                a.at(file),
                format!("Array has more than {count} values"),
                format!("{count} for its dim"),
            ));
        }
        out.push(parse(token.as_bytes())?);
    }
    if out.len() < count {
        return Err(FormatError::format(
            a.at(file),
            format!("Array has {} values", out.len()),
            format!("{count} for its dim"),
        ));
    }
    Ok(out)
}

fn engine(el: &Element, file: &str, e: crate::lut::LutError) -> FormatError {
    FormatError::format(el.at(file), e.to_string(), "a table lookwire can hold")
}

fn lut1d(el: &Element, file: &str, out_scale: f64) -> Result<ClfOp, FormatError> {
    let half_domain = el.attr("halfDomain") == Some("true");
    if let Some(i) = el
        .attr("interpolation")
        .filter(|i| !matches!(*i, "linear" | "default"))
    {
        return Err(FormatError::format(
            el.at(file),
            format!("interpolation {}", quote(i.as_bytes())),
            "linear",
        ));
    }
    let (dims, a) = array(el, file)?;
    let (n, channels) = match dims[..] {
        [n, c @ (1 | 3)] => (n, c),
        _ => {
            return Err(FormatError::format(
                a.at(file),
                format!("dim {dims:?}"),
                "\"N 1\" or \"N 3\"",
            ))
        }
    };
    if half_domain && n != HalfDomainLut::ENTRIES {
        return Err(FormatError::format(
            a.at(file),
            format!("halfDomain LUT1D of {n} entries"),
            "65536 (one per half-float code)",
        ));
    }
    if !half_domain && !LUT1D_SIZE_RANGE.contains(&n) {
        let r = LUT1D_SIZE_RANGE;
        return Err(FormatError::limits(
            a.at(file),
            format!("LUT1D of {n} entries"),
            format!("{} to {}", r.start(), r.end()),
        ));
    }
    let raw_halfs = el.attr("rawHalfs") == Some("true");
    let scale = out_scale as f32;
    let flat = values(a, file, n * channels, |t| {
        if raw_halfs {
            let bits = parse_usize(t, "raw half", || a.at(file))?;
            let bits = u16::try_from(bits).map_err(|_| {
                FormatError::format(a.at(file), format!("raw half {bits}"), "0 to 65535")
            })?;
            let v = half_to_f32(bits);
            if !v.is_finite() {
                return Err(FormatError::format(
                    a.at(file),
                    format!("raw half {bits} is not finite"),
                    "a finite half",
                ));
            }
            Ok(v)
        } else {
            parse_f32(t, || a.at(file))
        }
    })?;
    let data = flat
        .chunks_exact(channels)
        .map(|v| {
            if channels == 1 {
                [v[0] / scale; 3]
            } else {
                [v[0] / scale, v[1] / scale, v[2] / scale]
            }
        })
        .collect();
    if half_domain {
        return HalfDomainLut::new(data)
            .map(ClfOp::Lut1dHalf)
            .map_err(|e| FormatError::format(a.at(file), e.to_string(), "finite values"));
    }
    Lut1d::new(data, Domain::UNIT)
        .map(ClfOp::Lut1d)
        .map_err(|e| engine(el, file, e))
}

fn lut3d(el: &Element, file: &str, out_scale: f64) -> Result<ClfOp, FormatError> {
    let interpolation = match el.attr("interpolation") {
        None | Some("trilinear") | Some("default") => Interpolation::Trilinear,
        Some("tetrahedral") => Interpolation::Tetrahedral,
        Some(other) => {
            return Err(FormatError::format(
                el.at(file),
                format!("interpolation {}", quote(other.as_bytes())),
                "trilinear or tetrahedral",
            ))
        }
    };
    let (dims, a) = array(el, file)?;
    let n = match dims[..] {
        [r, g, b, 3] if r == g && g == b => r,
        _ => {
            return Err(FormatError::format(
                a.at(file),
                format!("dim {dims:?}"),
                "\"n n n 3\"",
            ))
        }
    };
    if !LUT3D_SIZE_RANGE.contains(&n) {
        let r = LUT3D_SIZE_RANGE;
        return Err(FormatError::limits(
            a.at(file),
            format!("LUT3D of size {n}"),
            format!("{} to {}", r.start(), r.end()),
        ));
    }
    let flat = values(a, file, n * n * n * 3, |t| parse_f32(t, || a.at(file)))?;
    let scale = out_scale as f32;
    let mut data = vec![[0.0f32; 3]; n * n * n];
    // The file is blue fastest: entry k = b + n·(g + n·r).
    for (k, v) in flat.chunks_exact(3).enumerate() {
        let (b, g, r) = (k % n, k / n % n, k / (n * n));
        data[r + n * (g + n * b)] = [v[0] / scale, v[1] / scale, v[2] / scale];
    }
    Lut3d::new(n, data, Domain::UNIT)
        .map(|l| ClfOp::Lut3d(l, interpolation))
        .map_err(|e| engine(el, file, e))
}

fn matrix(el: &Element, file: &str, in_scale: f64, out_scale: f64) -> Result<ClfOp, FormatError> {
    let (dims, a) = array(el, file)?;
    // 3×3, 3×4 (offsets), CLF v2's "3 3 3", CTF's 4×4 and 4×5 (alpha row and column).
    let (rows, cols) = match dims[..] {
        [3, 3] | [3, 3, 3] => (3, 3),
        [3, 4] => (3, 4),
        [4, 4] => (4, 4),
        [4, 5] => (4, 5),
        _ => {
            return Err(FormatError::format(
                a.at(file),
                format!("dim {dims:?}"),
                "\"3 3\" or \"3 4\"",
            ))
        }
    };
    let v = values(a, file, rows * cols, |t| parse_f64(t, || a.at(file)))?;
    let k = in_scale / out_scale;
    let m = [0, 1, 2].map(|r| [0, 1, 2].map(|c| v[r * cols + c] * k));
    let offset = [0, 1, 2].map(|r| match cols {
        4 if rows == 3 => v[r * cols + 3] / out_scale,
        5 => v[r * cols + 4] / out_scale,
        _ => 0.0,
    });
    Ok(ClfOp::Matrix { m, offset })
}

fn number(el: &Element, name: &str, file: &str) -> Result<Option<f64>, FormatError> {
    match el.child(&[name]) {
        Some(c) => parse_f64(c.trimmed().as_bytes(), || c.at(file)).map(Some),
        None => Ok(None),
    }
}

fn range(el: &Element, file: &str, in_scale: f64, out_scale: f64) -> Result<ClfOp, FormatError> {
    let clamp = match el.attr("style") {
        None | Some("Clamp") | Some("clamp") => true,
        Some("noClamp") | Some("noclamp") => false,
        Some(other) => {
            return Err(FormatError::format(
                el.at(file),
                format!("style {}", quote(other.as_bytes())),
                "Clamp or noClamp",
            ))
        }
    };
    let pair = |a: &str, b: &str| -> Result<Option<(f64, f64)>, FormatError> {
        match (number(el, a, file)?, number(el, b, file)?) {
            (Some(x), Some(y)) => Ok(Some((x / in_scale, y / out_scale))),
            (None, None) => Ok(None),
            _ => Err(FormatError::format(
                el.at(file),
                format!("only one of {a} and {b}"),
                "both or neither",
            )),
        }
    };
    let min = pair("minInValue", "minOutValue")?;
    let max = pair("maxInValue", "maxOutValue")?;
    match (min, max) {
        (None, None) => {
            return Err(FormatError::format(
                el.at(file),
                "Range without values",
                "minInValue/minOutValue and/or maxInValue/maxOutValue",
            ))
        }
        (Some((a, _)), Some((b, _))) if a >= b => {
            return Err(FormatError::format(
                el.at(file),
                format!("minInValue {a} is not below maxInValue {b}"),
                "min < max",
            ));
        }
        (Some(_), Some(_)) => {}
        _ if !clamp => {
            return Err(FormatError::format(
                el.at(file),
                "noClamp Range with one pair of values",
                "both pairs for noClamp",
            ))
        }
        _ => {}
    }
    Ok(ClfOp::Range(RangeOp { min, max, clamp }))
}

fn asc_cdl(el: &Element, file: &str) -> Result<ClfOp, FormatError> {
    let (style, direction) = match el.attr("style").unwrap_or("Fwd") {
        "Fwd" | "v1.2_Fwd" => (CdlStyle::Asc, CdlDirection::Forward),
        "Rev" | "v1.2_Rev" => (CdlStyle::Asc, CdlDirection::Reverse),
        "FwdNoClamp" | "noClampFwd" => (CdlStyle::NoClamp, CdlDirection::Forward),
        "RevNoClamp" | "noClampRev" => (CdlStyle::NoClamp, CdlDirection::Reverse),
        other => {
            return Err(FormatError::format(
                el.at(file),
                format!("style {}", quote(other.as_bytes())),
                "Fwd, Rev, FwdNoClamp or RevNoClamp",
            ))
        }
    };
    let (cdl, _, _) = crate::formats::cdl_xml::sop_sat(el, file)?;
    cdl.validate()
        .map_err(|e| FormatError::format(el.at(file), e.to_string(), "ASC CDL values"))?;
    Ok(ClfOp::Cdl {
        cdl,
        style,
        direction,
        id: el.attr("id").map(str::to_owned),
    })
}

/// Channels a `…Params` element applies to (all three without `channel`).
fn channels(p: &Element, file: &str) -> Result<Vec<usize>, FormatError> {
    match p.attr("channel") {
        None => Ok(vec![0, 1, 2]),
        Some("R") => Ok(vec![0]),
        Some("G") => Ok(vec![1]),
        Some("B") => Ok(vec![2]),
        Some(other) => Err(FormatError::format(
            p.at(file),
            format!("channel {}", quote(other.as_bytes())),
            "R, G or B",
        )),
    }
}

fn attr_f64(p: &Element, name: &str, file: &str) -> Result<Option<f64>, FormatError> {
    p.attr(name)
        .map(|v| parse_f64(v.trim().as_bytes(), || p.at(file)))
        .transpose()
}

fn log(el: &Element, file: &str) -> Result<ClfOp, FormatError> {
    let style = match el.attr("style").unwrap_or("") {
        "log10" => LogStyle::Log10,
        "antiLog10" => LogStyle::AntiLog10,
        "log2" => LogStyle::Log2,
        "antiLog2" => LogStyle::AntiLog2,
        "linToLog" => LogStyle::LinToLog,
        "logToLin" => LogStyle::LogToLin,
        "cameraLinToLog" => LogStyle::CameraLinToLog,
        "cameraLogToLin" => LogStyle::CameraLogToLin,
        other => {
            let expected = "log10, antiLog10, log2, antiLog2, linToLog, logToLin, cameraLinToLog or cameraLogToLin";
            return Err(FormatError::format(
                el.at(file),
                format!("Log style {}", quote(other.as_bytes())),
                expected,
            ));
        }
    };
    let mut params = [LogParams::default(); 3];
    for p in el.children_named(&["LogParams"]) {
        for c in channels(p, file)? {
            let q = &mut params[c];
            let fields: [(&str, &mut f64); 5] = [
                ("base", &mut q.base),
                ("logSideSlope", &mut q.log_side_slope),
                ("logSideOffset", &mut q.log_side_offset),
                ("linSideSlope", &mut q.lin_side_slope),
                ("linSideOffset", &mut q.lin_side_offset),
            ];
            for (name, slot) in fields {
                if let Some(v) = attr_f64(p, name, file)? {
                    *slot = v;
                }
            }
            q.lin_side_break = attr_f64(p, "linSideBreak", file)?.or(q.lin_side_break);
            q.linear_slope = attr_f64(p, "linearSlope", file)?.or(q.linear_slope);
            let bad = q.base <= 0.0
                || q.base == 1.0
                || q.log_side_slope == 0.0
                || q.lin_side_slope == 0.0;
            if bad {
                return Err(FormatError::format(
                    p.at(file),
                    "LogParams with base ≤ 0 or 1, or a zero slope",
                    "a usable log curve",
                ));
            }
        }
    }
    let camera = matches!(style, LogStyle::CameraLinToLog | LogStyle::CameraLogToLin);
    if camera && params.iter().any(|p| p.lin_side_break.is_none()) {
        return Err(FormatError::format(
            el.at(file),
            "camera Log style without linSideBreak",
            "linSideBreak in LogParams",
        ));
    }
    Ok(ClfOp::Log { style, params })
}

fn exponent(el: &Element, file: &str) -> Result<ClfOp, FormatError> {
    use ExponentStyle::*;
    let style = match el.attr("style").unwrap_or("") {
        "basicFwd" => BasicFwd,
        "basicRev" => BasicRev,
        "basicMirrorFwd" => BasicMirrorFwd,
        "basicMirrorRev" => BasicMirrorRev,
        "basicPassThruFwd" => BasicPassThruFwd,
        "basicPassThruRev" => BasicPassThruRev,
        "monCurveFwd" => MonCurveFwd,
        "monCurveRev" => MonCurveRev,
        "monCurveMirrorFwd" => MonCurveMirrorFwd,
        "monCurveMirrorRev" => MonCurveMirrorRev,
        other => {
            return Err(FormatError::format(
                el.at(file),
                format!("Exponent style {}", quote(other.as_bytes())),
                "basicFwd, basicRev, …, monCurveMirrorRev",
            ))
        }
    };
    let moncurve = matches!(
        style,
        MonCurveFwd | MonCurveRev | MonCurveMirrorFwd | MonCurveMirrorRev
    );
    let mut exponent = [1.0; 3];
    let mut offset = [0.0; 3];
    let params: Vec<_> = el.children_named(&["ExponentParams"]).collect();
    if params.is_empty() {
        return Err(FormatError::format(
            el.at(file),
            "Exponent without ExponentParams",
            "<ExponentParams exponent=\"…\"/>",
        ));
    }
    for p in params {
        let g = attr_f64(p, "exponent", file)?
            .ok_or_else(|| FormatError::format(p.at(file), "no exponent", "exponent=\"…\""))?;
        let k = attr_f64(p, "offset", file)?.unwrap_or(0.0);
        let ok = if moncurve {
            (1.0..=10.0).contains(&g) && (0.0..=0.9).contains(&k)
        } else {
            g > 0.0
        };
        if !ok {
            let expected = if moncurve {
                "exponent 1 to 10 and offset 0 to 0.9"
            } else {
                "an exponent above 0"
            };
            return Err(FormatError::format(
                p.at(file),
                format!("exponent {g}, offset {k}"),
                expected,
            ));
        }
        for c in channels(p, file)? {
            exponent[c] = g;
            offset[c] = k;
        }
    }
    Ok(ClfOp::Exponent {
        style,
        exponent,
        offset,
    })
}

/// IEEE 754 half bits to f32.
pub(crate) fn half_to_f32(h: u16) -> f32 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((h >> 10) & 0x1f);
    let frac = f32::from(h & 0x3ff);
    sign * match exp {
        0 => frac * 2f32.powi(-24),
        31 if frac == 0.0 => f32::INFINITY,
        31 => f32::NAN,
        e => (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}
