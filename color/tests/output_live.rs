//! Live bakes against the exact f64 bake, 33³, over cameras × outputs × working modes ×
//! CDLs (with a look LUT): the certified bake stays within the bound (max and
//! 99.9th percentile under one 10-bit code value) for every output id; the fast bake's
//! figures are printed (`cargo test --release --test output_live -- --nocapture`).

use std::sync::Arc;

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::lut::{Interpolation, Lut3d};
use lookwire_color::output::live::{exact_bake, LiveBake, OutputTable};
use lookwire_color::output::{OutputTransform, SignalRange};
use lookwire_color::pipeline::{resolve_output, Look, Op, WorkingSpace};
use lookwire_color::spaces;

/// Output table size in these tests (devices use 65; the bound holds at any size, a
/// smaller table only computes more nodes exactly).
const TABLE: usize = 33;

/// A creative look: gentle S-curve around the middle and a warm/teal split.
fn show_look(mid: f64) -> Lut3d {
    Lut3d::from_fn(33, |[r, g, b]| {
        let s = |x: f64| mid + (x - mid) * 1.1 - 0.15 * (x - mid).powi(3);
        let luma = 0.3 * r + 0.6 * g + 0.1 * b;
        let warm = 0.02 * (luma - mid);
        [s(r) + warm, s(g), s(b) - warm]
    })
    .unwrap()
}

fn moderate() -> Cdl {
    Cdl::from_sop_sat(
        [1.08, 1.0, 0.93, 0.012, -0.004, -0.01, 0.95, 1.0, 1.06],
        1.15,
    )
    .unwrap()
}

fn extreme() -> Cdl {
    Cdl::from_sop_sat([2.5, 0.4, 1.7, -0.15, 0.2, -0.3, 0.45, 2.2, 1.6], 1.9).unwrap()
}

/// Sorted |live − exact| over every channel of every node, in 10-bit code values.
fn errors(live: &Lut3d, exact: &Lut3d) -> Vec<f64> {
    let mut errs: Vec<f64> = live
        .data()
        .iter()
        .zip(exact.data())
        .flat_map(|(a, b)| (0..3).map(move |c| (a[c] as f64 - b[c] as f64).abs() * 1023.0))
        .collect();
    errs.sort_by(f64::total_cmp);
    errs
}

fn p999(errs: &[f64]) -> f64 {
    errs[(errs.len() as f64 * 0.999) as usize]
}

struct Case<'a> {
    input: &'a str,
    working: WorkingSpace,
    output: &'a str,
    cdl: Cdl,
    style: CdlStyle,
    range: SignalRange,
}

fn exact_of(case: &Case<'_>, look: &Lut3d) -> Lut3d {
    let mut desc = Look::from_ids(case.input, case.working, case.output)
        .unwrap()
        .with_cdl(case.cdl, case.style)
        .with_look(Op::Lut3d {
            lut: Arc::new(look.clone()),
            interpolation: Interpolation::Tetrahedral,
        });
    desc.output = resolve_output(case.output).unwrap().with_range(case.range);
    exact_bake(&desc, 33).unwrap()
}

fn table_for(case: &Case<'_>) -> Arc<OutputTable> {
    let out = OutputTransform::from_id(case.output)
        .unwrap()
        .with_range(case.range);
    Arc::new(match case.working {
        WorkingSpace::AcesCct => OutputTable::acescct(&out, false, TABLE).unwrap(),
        WorkingSpace::Camera => {
            OutputTable::camera(&spaces::lookup(case.input).unwrap(), &out, false, TABLE).unwrap()
        }
    })
}

/// Bakes one case both ways; returns (fast errors, certified errors, exact nodes).
fn run(case: &Case<'_>, table: Arc<OutputTable>) -> (Vec<f64>, Vec<f64>, usize) {
    let look = match case.working {
        WorkingSpace::AcesCct => show_look(0.4135),
        WorkingSpace::Camera => show_look(0.4),
    };
    let space = spaces::lookup(case.input).unwrap();
    let mut live = LiveBake::new(&space, case.working, table, 33).unwrap();
    live.set_look(Some(&look));
    let exact = exact_of(case, &look);
    let fast = live.bake(&case.cdl, case.style).unwrap();
    let (certified, report) = live.bake_certified(&case.cdl, case.style, 0.5).unwrap();
    (
        errors(&fast, &exact),
        errors(&certified, &exact),
        report.exact_nodes,
    )
}

fn check(cases: &[Case<'_>]) {
    let mut failures = Vec::new();
    for case in cases {
        let (fast, certified, exact_nodes) = run(case, table_for(case));
        let (max, tail) = (certified[certified.len() - 1], p999(&certified));
        println!(
            "{:24} {:8} {:28} {:5} {:7} fast: p99.9 {:7.2} max {:7.2} | certified: p99.9 {:.3} max {:.3}, {:5} exact nodes",
            case.input,
            case.working.as_str(),
            case.output,
            case.range.to_string(),
            case.style.as_str(),
            p999(&fast),
            fast[fast.len() - 1],
            tail,
            max,
            exact_nodes
        );
        if max >= 1.0 || tail >= 1.0 {
            failures.push(format!(
                "{} {} {}: max {max}, p99.9 {tail}",
                case.input, case.working, case.output
            ));
        }
    }
    assert!(failures.is_empty(), "over one 10-bit code: {failures:#?}");
}

#[test]
fn certified_live_bake_is_within_one_code_for_every_output() {
    let outputs = lookwire_color::output::display_output_ids().collect::<Vec<_>>();
    assert!(outputs.len() >= 7);
    let cases: Vec<Case<'_>> = outputs
        .iter()
        .enumerate()
        .map(|(i, output)| Case {
            input: [
                "arri-logc3-awg3",
                "sony-slog3-sgamut3cine",
                "red-log3g10-rwg",
            ][i % 3],
            working: WorkingSpace::AcesCct,
            output,
            cdl: if i % 2 == 0 { moderate() } else { extreme() },
            style: if i % 4 < 2 {
                CdlStyle::Asc
            } else {
                CdlStyle::NoClamp
            },
            range: if i % 5 == 0 {
                SignalRange::Legal
            } else {
                SignalRange::Full
            },
        })
        .collect();
    check(&cases);
}

#[test]
fn certified_live_bake_in_camera_log_and_with_extreme_grades() {
    let mut cases = Vec::new();
    for output in [
        "aces2-sdr-rec709",
        "aces2-hdr-rec2100-pq1000",
        "aces1-sdr-rec709",
    ] {
        for (input, cdl, style) in [
            ("arri-logc4-awg4", extreme(), CdlStyle::NoClamp),
            ("canon-clog3-cgamut", moderate(), CdlStyle::Asc),
        ] {
            cases.push(Case {
                input,
                working: WorkingSpace::Camera,
                output,
                cdl,
                style,
                range: SignalRange::Full,
            });
        }
    }
    cases.push(Case {
        input: "arri-logc3-awg3",
        working: WorkingSpace::AcesCct,
        output: "aces2-hdr-rec2100-hlg1000",
        cdl: extreme(),
        style: CdlStyle::NoClamp,
        range: SignalRange::Legal,
    });
    check(&cases);
}

#[test]
fn live_bake_follows_the_grade() {
    let out = OutputTransform::from_id("aces2-sdr-rec709").unwrap();
    let space = spaces::lookup("arri-logc3-awg3").unwrap();
    let tab = Arc::new(OutputTable::acescct(&out, false, 17).unwrap());
    let live = LiveBake::new(&space, WorkingSpace::AcesCct, tab, 33).unwrap();
    let ungraded = live.bake(&Cdl::IDENTITY, CdlStyle::Asc).unwrap();
    let (graded, _) = live
        .bake_certified(&moderate(), CdlStyle::Asc, 0.5)
        .unwrap();
    let fast = live.bake(&moderate(), CdlStyle::Asc).unwrap();
    // The warm grade lifts red over blue at mid grey (node 13,13,13 ≈ LogC3 0.41).
    let i = 13 + 33 * (13 + 33 * 13);
    for g in [graded.data()[i], fast.data()[i]] {
        let u = ungraded.data()[i];
        assert!(
            g[0] - g[2] > u[0] - u[2] + 0.01,
            "graded {g:?} ungraded {u:?}"
        );
    }
}
