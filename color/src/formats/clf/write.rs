//! The CLF v3 writer: every node at 32f (but a half-domain LUT1D's input and the output of
//! the node before it, 16f), LUT3D blue fastest, LF line ends.

use super::ops::{CdlDirection, ClfOp, ExponentStyle, LogStyle, RangeOp};
use super::ProcessList;
use crate::cdl::CdlStyle;
use crate::formats::text::{f64_text, push_f32, Precision};
use crate::formats::xml::escape;
use crate::formats::FormatError;

/// Writes a CLF v3 document. Without an id, one is derived from the content
/// (`urn:uuid:…`, so equal lists give equal files).
pub fn write(list: &ProcessList, precision: Precision) -> Result<Vec<u8>, FormatError> {
    let mut body = Vec::new();
    for (i, op) in list.ops.iter().enumerate() {
        // Each node's inBitDepth must equal the previous node's outBitDepth, and a
        // half-domain LUT1D takes 16f: the node before it says so (a label only, float
        // nodes scale by 1 either way).
        let next_is_half = matches!(list.ops.get(i + 1), Some(ClfOp::Lut1dHalf(_)));
        let depth = if next_is_half { "16f" } else { "32f" };
        node(&mut body, op, precision, depth);
    }
    let mut out = Vec::with_capacity(body.len() + 512);
    out.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ProcessList");
    let id = list.id.clone().unwrap_or_else(|| content_uuid(&body));
    let version = list.version.as_deref().unwrap_or("3");
    let mut attrs = vec![("id", id), ("compCLFversion", version.to_owned())];
    if let Some(name) = &list.name {
        attrs.push(("name", name.clone()));
    }
    if let Some(ns) = &list.namespace {
        attrs.push(("xmlns", ns.clone()));
    }
    for (k, v) in attrs {
        out.extend_from_slice(format!(" {k}=\"{}\"", escape(&v)).as_bytes());
    }
    out.extend_from_slice(b">\n");
    for d in &list.descriptions {
        out.extend_from_slice(format!("    <Description>{}</Description>\n", escape(d)).as_bytes());
    }
    for (tag, v) in [
        ("InputDescriptor", &list.input_descriptor),
        ("OutputDescriptor", &list.output_descriptor),
    ] {
        if let Some(v) = v {
            out.extend_from_slice(format!("    <{tag}>{}</{tag}>\n", escape(v)).as_bytes());
        }
    }
    out.extend_from_slice(&body);
    out.extend_from_slice(b"</ProcessList>\n");
    Ok(out)
}

/// A version-4-shaped UUID from two FNV-1a hashes of the content.
fn content_uuid(bytes: &[u8]) -> String {
    let fnv = |seed: u64| {
        bytes.iter().fold(seed, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    };
    let (a, b) = (fnv(0xcbf2_9ce4_8422_2325), fnv(0x6c62_272e_07bb_0142));
    let a = (a & !0xf000) | 0x4000;
    let b = (b & !(0xc << 60)) | (0x8 << 60);
    format!(
        "urn:uuid:{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

/// A node's opening tag; `in_depth` is the previous node's `out_depth`.
fn open(out: &mut Vec<u8>, tag: &str, extra: &str, (in_depth, out_depth): (&str, &str)) {
    out.extend_from_slice(
        format!("    <{tag} inBitDepth=\"{in_depth}\" outBitDepth=\"{out_depth}\"{extra}>\n")
            .as_bytes(),
    );
}

fn close(out: &mut Vec<u8>, tag: &str) {
    out.extend_from_slice(format!("    </{tag}>\n").as_bytes());
}

fn rows(out: &mut Vec<u8>, dim: &str, rows: impl Iterator<Item = [f32; 3]>, precision: Precision) {
    out.extend_from_slice(format!("        <Array dim=\"{dim}\">\n").as_bytes());
    for v in rows {
        push_f32(out, v[0], precision);
        out.push(b' ');
        push_f32(out, v[1], precision);
        out.push(b' ');
        push_f32(out, v[2], precision);
        out.push(b'\n');
    }
    out.extend_from_slice(b"        </Array>\n");
}

/// Writes one node, its output labelled `depth`.
fn node(out: &mut Vec<u8>, op: &ClfOp, precision: Precision, depth: &str) {
    let depths = ("32f", depth);
    match op {
        ClfOp::Lut1d(l) => {
            open(out, "LUT1D", "", depths);
            rows(
                out,
                &format!("{} 3", l.size()),
                l.data().iter().copied(),
                precision,
            );
            close(out, "LUT1D");
        }
        ClfOp::Lut1dHalf(l) => {
            open(out, "LUT1D", " halfDomain=\"true\"", ("16f", depth));
            let n = l.table().len();
            rows(out, &format!("{n} 3"), l.table().iter().copied(), precision);
            close(out, "LUT1D");
        }
        ClfOp::Lut3d(l, interp) => {
            let name = match interp {
                crate::lut::Interpolation::Tetrahedral => "tetrahedral",
                crate::lut::Interpolation::Trilinear => "trilinear",
            };
            open(out, "LUT3D", &format!(" interpolation=\"{name}\""), depths);
            let n = l.size();
            let nodes = (0..n * n * n).map(|k| l.node(k / (n * n), k / n % n, k % n));
            rows(out, &format!("{n} {n} {n} 3"), nodes, precision);
            close(out, "LUT3D");
        }
        ClfOp::Matrix { m, offset } => {
            open(out, "Matrix", "", depths);
            out.extend_from_slice(b"        <Array dim=\"3 4\">\n");
            for r in 0..3 {
                let row = [m[r][0], m[r][1], m[r][2], offset[r]]
                    .map(f64_text)
                    .join(" ");
                out.extend_from_slice(format!("{row}\n").as_bytes());
            }
            out.extend_from_slice(b"        </Array>\n");
            close(out, "Matrix");
        }
        ClfOp::Range(r) => range(out, r, depths),
        ClfOp::Cdl {
            cdl,
            style,
            direction,
            id,
        } => {
            let style = match (style, direction) {
                (CdlStyle::Asc, CdlDirection::Forward) => "Fwd",
                (CdlStyle::Asc, CdlDirection::Reverse) => "Rev",
                (CdlStyle::NoClamp, CdlDirection::Forward) => "FwdNoClamp",
                (CdlStyle::NoClamp, CdlDirection::Reverse) => "RevNoClamp",
            };
            let id = id
                .as_deref()
                .map(|i| format!(" id=\"{}\"", escape(i)))
                .unwrap_or_default();
            open(out, "ASC_CDL", &format!("{id} style=\"{style}\""), depths);
            let t = |v: [f64; 3]| v.map(f64_text).join(" ");
            let sop = format!(
                "        <SOPNode>\n            <Slope>{}</Slope>\n            <Offset>{}</Offset>\n            <Power>{}</Power>\n        </SOPNode>\n",
                t(cdl.slope), t(cdl.offset), t(cdl.power)
            );
            out.extend_from_slice(sop.as_bytes());
            let sat = format!(
                "        <SatNode>\n            <Saturation>{}</Saturation>\n        </SatNode>\n",
                f64_text(cdl.sat)
            );
            out.extend_from_slice(sat.as_bytes());
            close(out, "ASC_CDL");
        }
        ClfOp::Log { style, params } => {
            open(
                out,
                "Log",
                &format!(" style=\"{}\"", log_style(*style)),
                depths,
            );
            for (c, p) in params.iter().enumerate() {
                let mut attrs = format!(
                    " base=\"{}\" logSideSlope=\"{}\" logSideOffset=\"{}\" linSideSlope=\"{}\" linSideOffset=\"{}\"",
                    f64_text(p.base), f64_text(p.log_side_slope), f64_text(p.log_side_offset), f64_text(p.lin_side_slope), f64_text(p.lin_side_offset)
                );
                if let Some(b) = p.lin_side_break {
                    attrs += &format!(" linSideBreak=\"{}\"", f64_text(b));
                }
                if let Some(s) = p.linear_slope {
                    attrs += &format!(" linearSlope=\"{}\"", f64_text(s));
                }
                let ch = ["R", "G", "B"][c];
                out.extend_from_slice(
                    format!("        <LogParams{attrs} channel=\"{ch}\"/>\n").as_bytes(),
                );
            }
            close(out, "Log");
        }
        ClfOp::Exponent {
            style,
            exponent,
            offset,
        } => {
            open(
                out,
                "Exponent",
                &format!(" style=\"{}\"", exponent_style(*style)),
                depths,
            );
            for c in 0..3 {
                let (g, k, ch) = (
                    f64_text(exponent[c]),
                    f64_text(offset[c]),
                    ["R", "G", "B"][c],
                );
                let attrs = match style {
                    ExponentStyle::MonCurveFwd
                    | ExponentStyle::MonCurveRev
                    | ExponentStyle::MonCurveMirrorFwd
                    | ExponentStyle::MonCurveMirrorRev => {
                        format!(" exponent=\"{g}\" offset=\"{k}\"")
                    }
                    _ => format!(" exponent=\"{g}\""),
                };
                out.extend_from_slice(
                    format!("        <ExponentParams{attrs} channel=\"{ch}\"/>\n").as_bytes(),
                );
            }
            close(out, "Exponent");
        }
    }
}

fn range(out: &mut Vec<u8>, r: &RangeOp, depths: (&str, &str)) {
    let style = if r.clamp { "" } else { " style=\"noClamp\"" };
    open(out, "Range", style, depths);
    let mut line = |tag: &str, v: f64| {
        out.extend_from_slice(format!("        <{tag}>{}</{tag}>\n", f64_text(v)).as_bytes())
    };
    if let Some((i, o)) = r.min {
        line("minInValue", i);
        line("minOutValue", o);
    }
    if let Some((i, o)) = r.max {
        line("maxInValue", i);
        line("maxOutValue", o);
    }
    close(out, "Range");
}

fn log_style(s: LogStyle) -> &'static str {
    match s {
        LogStyle::Log10 => "log10",
        LogStyle::AntiLog10 => "antiLog10",
        LogStyle::Log2 => "log2",
        LogStyle::AntiLog2 => "antiLog2",
        LogStyle::LinToLog => "linToLog",
        LogStyle::LogToLin => "logToLin",
        LogStyle::CameraLinToLog => "cameraLinToLog",
        LogStyle::CameraLogToLin => "cameraLogToLin",
    }
}

fn exponent_style(s: ExponentStyle) -> &'static str {
    use ExponentStyle::*;
    match s {
        BasicFwd => "basicFwd",
        BasicRev => "basicRev",
        BasicMirrorFwd => "basicMirrorFwd",
        BasicMirrorRev => "basicMirrorRev",
        BasicPassThruFwd => "basicPassThruFwd",
        BasicPassThruRev => "basicPassThruRev",
        MonCurveFwd => "monCurveFwd",
        MonCurveRev => "monCurveRev",
        MonCurveMirrorFwd => "monCurveMirrorFwd",
        MonCurveMirrorRev => "monCurveMirrorRev",
    }
}
