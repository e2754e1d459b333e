//! The lowest mean ΔE 2000 any CDL within the solver's bounds reaches on a match problem,
//! and the lowest value of the solver's own objective, found by a search that does not
//! depend on the solver: Nelder–Mead from many starts spread over the whole parameter box
//! (a Halton sequence; slopes and powers spread evenly in log), each restarted until it
//! stops improving.
//!
//! Shared by `color/tests/matching.rs` (the cases, and a check that the committed floors
//! still hold) and `color/examples/match_floors.rs`, which runs the search and writes
//! `color/tests/reference/matching/floors.json`.

#![allow(dead_code)]

use lookwire_color::cdl::{Cdl, CdlStyle};
use lookwire_color::chart::{self, ChartOptions, ChartSize, Frame, Shot};
use lookwire_color::matching::{self, CdlBounds, MatchRequest, Prepared, Problem};
use lookwire_color::pipeline::WorkingSpace;
use lookwire_color::spaces;

pub const ARRI: &str = "arri-logc3-awg3";

/// The CDL the known-disturbance tests put on a camera.
pub const DISTURBANCE: Cdl = Cdl {
    slope: [1.08, 0.96, 0.92],
    offset: [0.012, -0.006, 0.015],
    power: [1.06, 0.97, 1.03],
    sat: 0.88,
};

pub fn hd(id: &str, shot: Shot, noise: Option<f64>) -> Frame {
    chart::render_chart(
        id,
        &ChartOptions {
            size: ChartSize::Hd,
            shot,
            noise,
            ideal: false,
        },
    )
    .unwrap()
}

pub fn ideal() -> Shot {
    Shot {
        ideal: true,
        ..Default::default()
    }
}

/// `frame` graded by `cdl` on its code values (a CDL in camera log).
pub fn graded(frame: &Frame, cdl: &Cdl) -> Frame {
    let mut out = frame.clone();
    for px in out.data.chunks_exact_mut(3) {
        let v = cdl.apply([0, 1, 2].map(|c| f64::from(px[c])), CdlStyle::Asc);
        for c in 0..3 {
            px[c] = v[c] as f32;
        }
    }
    out
}

/// A disturbance that is no CDL of the working space the match is solved in.
pub struct CrossSpaceCase {
    pub name: &'static str,
    pub working: WorkingSpace,
    pub frame: Frame,
}

/// The two cross-space cases: a CDL made in LogC3 solved in ACEScct, and a 4300 K white
/// balance solved in LogC3.
pub fn cross_space_cases(reference: &Frame) -> Vec<CrossSpaceCase> {
    let warm = Shot {
        white_balance: Some(4300.0),
        ..ideal()
    };
    vec![
        CrossSpaceCase {
            name: "logc3-cdl-in-acescct",
            working: WorkingSpace::AcesCct,
            frame: graded(reference, &DISTURBANCE),
        },
        CrossSpaceCase {
            name: "wb4300-in-logc3",
            working: WorkingSpace::Camera,
            frame: hd(ARRI, warm, None),
        },
    ]
}

/// The ARRI reference chart and the match of `frame` onto it, ready to solve.
pub fn prepare(reference: &Frame, frame: &Frame, working: WorkingSpace) -> Prepared {
    let space = spaces::lookup(ARRI).unwrap();
    let shot = |frame| matching::Shot {
        input: &space,
        frame,
        corners: None,
    };
    Prepared::new(&MatchRequest {
        reference: shot(reference),
        camera: shot(frame),
        working,
        output: matching::DEFAULT_OUTPUT.into(),
        style: CdlStyle::Asc,
        monitoring_matrix: false,
    })
    .unwrap()
}

pub type Point = [f64; 10];

pub fn to_cdl(p: &Point) -> Cdl {
    Cdl {
        slope: [p[0], p[1], p[2]],
        offset: [p[3], p[4], p[5]],
        power: [p[6], p[7], p[8]],
        sat: p[9],
    }
}

pub fn to_point(c: &Cdl) -> Point {
    let (s, o, p) = (c.slope, c.offset, c.power);
    [s[0], s[1], s[2], o[0], o[1], o[2], p[0], p[1], p[2], c.sat]
}

fn range(b: &CdlBounds, i: usize) -> (f64, f64) {
    match i {
        0..=2 => b.slope,
        3..=5 => b.offset,
        6..=8 => b.power,
        _ => b.sat,
    }
}

fn clamp(b: &CdlBounds, p: &Point) -> Point {
    std::array::from_fn(|i| {
        let (lo, hi) = range(b, i);
        p[i].clamp(lo, hi)
    })
}

/// The plain mean ΔE 2000 over the patches the solve uses (as the report states it).
pub fn mean_delta_e(problem: &Problem<'_>, cdl: &Cdl) -> f64 {
    let used: Vec<_> = problem.patches.iter().filter(|m| m.weight > 0.0).collect();
    let sum: f64 = used
        .iter()
        .map(|m| matching::delta_e2000(m.reference, problem.graded_lab(m.working, cdl)))
        .sum();
    sum / used.len() as f64
}

/// How the search runs.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub starts: usize,
    /// Nelder–Mead iterations per run; a start is restarted until a run gains < 1e-7.
    pub iterations: usize,
    pub max_restarts: usize,
}

/// The best point a search found and what it cost.
#[derive(Clone, Copy, Debug)]
pub struct Found {
    /// The objective's value at `point`.
    pub value: f64,
    pub point: Point,
    pub start: usize,
    pub evaluations: usize,
}

/// Start `k` of the search: the k-th Halton point over the box (slopes and powers spread
/// evenly in log, so 0.25..1 gets as many starts as 1..4).
pub fn start(b: &CdlBounds, k: usize) -> Point {
    const PRIMES: [usize; 10] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29];
    std::array::from_fn(|i| {
        let u = halton(k + 1, PRIMES[i]);
        let (lo, hi) = range(b, i);
        if (3..6).contains(&i) || i == 9 {
            lo + u * (hi - lo)
        } else {
            (lo.ln() + u * (hi.ln() - lo.ln())).exp()
        }
    })
}

fn halton(mut k: usize, base: usize) -> f64 {
    let (mut f, mut r) = (1.0, 0.0);
    while k > 0 {
        f /= base as f64;
        r += f * (k % base) as f64;
        k /= base;
    }
    r
}

/// Nelder–Mead on `objective` from one start, restarted from its best point with a fresh
/// simplex until a run stops improving. The search sees the box by clamping: a point
/// outside it costs what its clamped twin costs.
pub fn search_from(
    bounds: &CdlBounds,
    objective: &dyn Fn(&Cdl) -> f64,
    x0: Point,
    budget: Budget,
) -> (f64, Point, usize) {
    let b = *bounds;
    let mut evaluations = 0;
    let mut f = |p: &Point| {
        evaluations += 1;
        objective(&to_cdl(&clamp(&b, p)))
    };
    let (mut best, mut value) = (x0, f(&x0));
    let mut size = 0.15;
    for _ in 0..budget.max_restarts {
        let (p, v) = nelder_mead(&mut f, best, size, &b, budget.iterations);
        let gain = value - v;
        (best, value) = (clamp(&b, &p), v.min(value));
        if gain < 1e-7 * value.max(1e-3) {
            break;
        }
        size = (size * 0.5).max(0.02);
    }
    (value, best, evaluations)
}

/// One Nelder–Mead run (standard coefficients) from `x0`, its simplex `size` of each range.
fn nelder_mead(
    f: &mut impl FnMut(&Point) -> f64,
    x0: Point,
    size: f64,
    b: &CdlBounds,
    iterations: usize,
) -> (Point, f64) {
    let mut pts = vec![x0];
    for i in 0..10 {
        let (lo, hi) = range(b, i);
        let mut p = x0;
        let step = size * (hi - lo).min(2.0);
        p[i] += if p[i] + step > hi { -step } else { step };
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(&mut *f).collect();
    for _ in 0..iterations {
        let mut order: Vec<usize> = (0..11).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i]).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        if vals[10] - vals[0] < 1e-10 {
            break;
        }
        let mut centre = [0.0; 10];
        for p in &pts[..10] {
            (0..10).for_each(|i| centre[i] += p[i] / 10.0);
        }
        let worst = pts[10];
        let at =
            |t: f64| -> Point { std::array::from_fn(|i| centre[i] + t * (worst[i] - centre[i])) };
        let r = at(-1.0);
        let fr = f(&r);
        if fr < vals[0] {
            let e = at(-2.0);
            let fe = f(&e);
            (pts[10], vals[10]) = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < vals[9] {
            (pts[10], vals[10]) = (r, fr);
        } else {
            let k = if fr < vals[10] { at(-0.5) } else { at(0.5) };
            let fk = f(&k);
            if fk < vals[10].min(fr) {
                (pts[10], vals[10]) = (k, fk);
            } else {
                for j in 1..11 {
                    pts[j] = std::array::from_fn(|i| pts[0][i] + 0.5 * (pts[j][i] - pts[0][i]));
                    vals[j] = f(&pts[j]);
                }
            }
        }
    }
    let k = (0..11)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap();
    (pts[k], vals[k])
}
