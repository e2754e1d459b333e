//! Each camera's full look as a CLF of separate process nodes, as issue 11 asks: the input
//! transform, every CDL of the grade (match, trims, show look) as its own `ASC_CDL` node, and
//! the output transform, rather than one baked table.
//!
//! Nodes, in order (camera working space: the CDLs come first, on the camera's log):
//! 1. input transform: `LUT1D` (4096) decoding the camera's log, `Matrix` camera gamut →
//!    ACES2065-1, a `Range` clamping negatives where the space does, `Matrix` AP0 → AP1;
//! 2. `LUT1D` over the half-float domain: scene-linear AP1 → ACEScct (exact per half code);
//! 3. the grade's CDLs and curves (ACEScct working space) as `ASC_CDL` / `LUT1D` nodes;
//! 4. output transform: `LUT3D` from ACEScct to the output's display code values, its
//!    signal range included (ACES output transforms have no CLF v3 node of their own).

use lookwire_color::formats::clf::{
    self, CdlDirection, ClfOp, HalfDomainLut, ProcessList, RangeOp,
};
use lookwire_color::formats::Precision;
use lookwire_color::lut::{Domain, Interpolation, Lut1d};
use lookwire_color::pipeline::{Op, Pipeline, WorkingSpace};
use lookwire_color::spaces::{self, Adaptation, AP0, AP1};
use nalgebra::Matrix3;

use super::ExportError;
use crate::show::{self, LookNode, Show};

/// Entries of the log-decoding table.
pub const DECODE_SIZE: usize = 4096;

fn rows(m: &Matrix3<f64>) -> [[f64; 3]; 3] {
    std::array::from_fn(|r| std::array::from_fn(|c| m[(r, c)]))
}

fn matrix(m: &Matrix3<f64>) -> ClfOp {
    ClfOp::Matrix {
        m: rows(m),
        offset: [0.0; 3],
    }
}

fn fail(camera: &str, what: impl std::fmt::Display) -> ExportError {
    ExportError::Conflict(format!("camera {camera}: {what}"))
}

/// Camera code values → scene-linear AP1, then ACEScct.
fn input_nodes(input: &spaces::InputSpace) -> Result<Vec<ClfOp>, String> {
    let decode = Op::decode(input.curve);
    let lut = Lut1d::from_fn(DECODE_SIZE, Domain::UNIT, |c, x| decode.apply([x; 3])[c])
        .map_err(|e| e.to_string())?;
    let mut nodes = vec![ClfOp::Lut1d(lut), matrix(&input.to_aces())];
    if input.clamps_negative_aces() {
        nodes.push(ClfOp::Range(RangeOp {
            min: Some((0.0, 0.0)),
            max: None,
            clamp: true,
        }));
    }
    nodes.push(matrix(&spaces::conversion_matrix(
        &AP0,
        &AP1,
        Adaptation::None,
    )));
    let encode = Op::encode(spaces::acescct_curve());
    let shaper = HalfDomainLut::from_fn(|h| encode.apply([f64::from(h); 3]).map(|v| v as f32))
        .map_err(|e| e.to_string())?;
    nodes.push(ClfOp::Lut1dHalf(shaper));
    Ok(nodes)
}

/// The ACEScct span the output table covers: below 0 holds the slightly negative
/// scene-linear values of saturated colours from wide camera gamuts (−0.125 is linear
/// −0.019), above 1 the highlights up to linear 1300.
pub const OUTPUT_DOMAIN: (f32, f32) = (-0.125, 1.125);

/// ACEScct → the output's display code values, baked over [`OUTPUT_DOMAIN`] (a `Range`
/// node maps it onto the table).
fn output_nodes(output_ops: &[Op], size: usize) -> Result<Vec<ClfOp>, String> {
    let (lo, hi) = OUTPUT_DOMAIN;
    let domain = Domain::new([lo; 3], [hi; 3]).map_err(|e| e.to_string())?;
    let cct = spaces::acescct_curve();
    let span = f64::from(hi - lo);
    let mut ops = vec![
        // Table coordinates 0..1 → ACEScct lo..hi (a CDL with no clamp is x·slope + offset).
        Op::Cdl {
            cdl: lookwire_color::Cdl {
                slope: [span; 3],
                offset: [f64::from(lo); 3],
                ..lookwire_color::Cdl::IDENTITY
            },
            style: lookwire_color::CdlStyle::NoClamp,
        },
        Op::decode(cct),
        Op::Matrix(spaces::conversion_matrix(&AP1, &AP0, Adaptation::None)),
    ];
    ops.extend(output_ops.iter().cloned());
    let baked = Pipeline::new(ops).bake(size).map_err(|e| e.to_string())?;
    let mut nodes: Vec<ClfOp> = ClfOp::domain(domain).into_iter().collect();
    nodes.push(ClfOp::Lut3d(baked.lut, Interpolation::Tetrahedral));
    Ok(nodes)
}

/// The grade's nodes: CDLs with ids saying which they are, curves as 1D tables.
fn grade_nodes(
    show: &Show,
    camera: &str,
    nodes: &[LookNode],
    style: lookwire_color::CdlStyle,
) -> Result<Vec<ClfOp>, String> {
    let cam = &show.cameras[camera];
    let look_cdl = cam
        .grade
        .look
        .as_ref()
        .and_then(|l| show.looks.get(l))
        .and_then(|l| l.cdl);
    let mut out = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        match node {
            LookNode::Cdl(cdl) => {
                let role = if *cdl == cam.grade.match_cdl {
                    "match".to_owned()
                } else if *cdl == cam.grade.trim {
                    "trim".to_owned()
                } else if Some(*cdl) == look_cdl {
                    "look".to_owned()
                } else {
                    format!("node{}", i + 1)
                };
                out.push(ClfOp::Cdl {
                    cdl: *cdl,
                    style,
                    direction: CdlDirection::Forward,
                    id: Some(format!("{camera}_{role}")),
                });
            }
            LookNode::Curves(c) => {
                if let Some(Op::Lut1d(lut)) = c.to_op().map_err(|e| e.to_string())? {
                    out.push(ClfOp::Lut1d((*lut).clone()));
                }
            }
            // A show look's LUT file: its tables, each after its domain mapping.
            LookNode::Lut(t) => out.extend(ProcessList::from_lut_file(&t.file).ops),
        }
    }
    Ok(out)
}

/// The process list of `camera`'s look through `output` (a show LUT output's tables, with
/// the way back to the camera's log, are baked into the output node); `None` under the
/// identity bypass.
pub fn look_process_list(
    show: &Show,
    camera: &str,
    output: &str,
    size: usize,
) -> Result<Option<ProcessList>, ExportError> {
    let look = show::export_look_for(show, camera, output).map_err(|e| fail(camera, e))?;
    let Some(p) = &look.pipeline else {
        return Ok(None);
    };
    let grade = grade_nodes(show, camera, &look.nodes, look.style).map_err(|e| fail(camera, e))?;
    let input = input_nodes(&p.input).map_err(|e| fail(camera, e))?;
    let n_grade = grade.len();
    let mut ops = Vec::new();
    let order = match p.working {
        WorkingSpace::Camera => {
            ops.extend(grade);
            ops.extend(input);
            format!(
                "{n_grade} grade node(s) on the camera's log, then the input transform to ACEScct"
            )
        }
        WorkingSpace::AcesCct => {
            ops.extend(input);
            ops.extend(grade);
            format!("the input transform to ACEScct, then {n_grade} grade node(s) in ACEScct")
        }
    };
    ops.extend(output_nodes(&p.output.ops, size).map_err(|e| fail(camera, e))?);
    let mut list = ProcessList::new(ops);
    list.id = Some(super::uuid_for(&format!("{camera}/{output}")));
    list.descriptions = vec![
        format!("lookwire look of camera {camera} through output {output}: {order}, then the output transform {} as a {size}^3 LUT from ACEScct", look.display),
        "input transform: LUT1D log decode, Matrix camera gamut to ACES2065-1, Matrix AP0 to AP1, half-domain LUT1D to ACEScct".to_owned(),
    ];
    list.input_descriptor = Some(p.input.id.to_owned());
    list.output_descriptor = Some(format!("{} ({} range)", look.display, look.range));
    Ok(Some(list))
}

/// Writes `list` as CLF (the formats writer labels the node before the half-domain
/// ACEScct table `outBitDepth="16f"`, as CLF asks).
pub fn write(list: &ProcessList) -> Result<Vec<u8>, ExportError> {
    clf::write(list, Precision::Fixed(6)).map_err(|e| ExportError::Format(format!("CLF: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::demo::demo_show;
    use crate::show::WorkingSpace as ShowWorking;
    use lookwire_color::Cdl;

    fn show() -> Show {
        let mut show = demo_show();
        let b = show.cameras.get_mut("b").unwrap();
        b.working_space = ShowWorking::Camera;
        b.grade.trim = Cdl {
            slope: [1.05, 1.0, 0.97],
            offset: [0.01, 0.0, -0.005],
            power: [1.0, 1.02, 1.0],
            sat: 0.95,
        };
        show.cameras.get_mut("a").unwrap().grade.match_cdl = Cdl {
            slope: [0.98, 1.01, 1.03],
            ..Cdl::IDENTITY
        };
        show
    }

    fn codes() -> Vec<[f64; 3]> {
        let mut v: Vec<[f64; 3]> = (1..=19).map(|i| [i as f64 / 20.0; 3]).collect();
        // Skin, foliage, sky: saturated colours far outside the display's gamut are where a
        // 33³ table of an ACES 2.0 output is roughest, baked cube and nodes alike.
        v.extend([
            [0.4, 0.35, 0.3],
            [0.35, 0.42, 0.45],
            [0.5, 0.4, 0.35],
            [0.3, 0.4, 0.32],
        ]);
        v
    }

    #[test]
    fn the_look_is_separate_nodes_that_render_like_the_exact_pipeline() {
        let show = show();
        let cases = [
            ("a", 2, false, "sdr"),
            ("b", 2, true, "sdr"),
            ("d", 1, false, "sdr"),
            ("e", 1, false, "sdr"),
            ("d", 1, false, "hdr"),
        ];
        for (cam, grade_nodes, cdl_first, out) in cases {
            let list = look_process_list(&show, cam, out, 33).unwrap().unwrap();
            let cdls: Vec<_> = list
                .ops
                .iter()
                .filter_map(|o| match o {
                    ClfOp::Cdl { id, .. } => id.clone(),
                    _ => None,
                })
                .collect();
            assert_eq!(cdls.len(), grade_nodes, "{cam}: {cdls:?}");
            assert!(cdls.iter().any(|i| i.ends_with("_look")), "{cdls:?}");
            assert_eq!(matches!(list.ops[0], ClfOp::Cdl { .. }), cdl_first, "{cam}");
            assert!(matches!(list.ops.last(), Some(ClfOp::Lut3d(..))));
            assert!(list.ops.iter().any(|o| matches!(o, ClfOp::Lut1dHalf(_))));
            assert!(
                list.ops
                    .iter()
                    .filter(|o| matches!(o, ClfOp::Matrix { .. }))
                    .count()
                    >= 2
            );

            let exact = show::export_look_for(&show, cam, out).unwrap();
            let exact = exact.ops().unwrap().unwrap();
            // Written and read back, the nodes still render the look.
            let text = write(&list).unwrap();
            let back = clf::read(&text, "look.clf").unwrap();
            let mut worst = 0.0f64;
            for code in codes() {
                let want = exact.apply(code);
                let got = back.apply(code.map(|v| v as f32));
                for c in 0..3 {
                    worst = worst.max((f64::from(got[c]) - want[c]).abs());
                }
            }
            // The same look baked whole into a 33³ table over the camera's log, for scale.
            let cube = exact.bake(33).unwrap().lut;
            let mut cube_worst = 0.0f64;
            for code in codes() {
                let want = exact.apply(code);
                let got = cube.lookup(code.map(|v| v as f32), Interpolation::Tetrahedral);
                for c in 0..3 {
                    cube_worst = cube_worst.max((f64::from(got[c]) - want[c]).abs());
                }
            }
            // 33³ tables of an ACES 2.0 output: within 0.02 (about 20 10-bit codes at the
            // worst point, highlights) and no worse than 2.5 times the baked cube's error.
            assert!(
                worst < 0.02 && worst < 2.5 * cube_worst.max(1e-4),
                "{cam}: max error {worst} against the exact look (cube {cube_worst})"
            );
        }
    }
}
