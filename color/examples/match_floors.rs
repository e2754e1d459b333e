//! The floors of issue 12's cross-space match cases, by a multi-start Nelder–Mead search
//! that never sees the solver (see `color/tests/match_floor/mod.rs`):
//! - `mean`: the lowest plain mean ΔE 2000 (the measure) any CDL within the
//!   solver's bounds reaches;
//! - `cost`: the lowest value of the solver's own objective (weighted ΔE 2000² plus its
//!   pull towards the identity), which the solver must reach.
//!
//! `cargo run --release -p lookwire-color --example match_floors > color/tests/reference/matching/floors.json`
//! (about ten minutes on two cores). `color/tests/matching.rs` checks that the committed
//! floors still hold and that the solver lands within a small margin of them.

#[path = "../tests/match_floor/mod.rs"]
mod match_floor;

use lookwire_color::cdl::Cdl;
use lookwire_color::matching::cdl_fit::CdlObjective;
use lookwire_color::matching::{CdlBounds, Problem};
use match_floor::{Budget, Found};
use rayon::prelude::*;
use serde_json::{json, Value};

const BUDGET: Budget = Budget {
    starts: 64,
    iterations: 2500,
    max_restarts: 8,
};

fn main() {
    let reference = match_floor::hd(match_floor::ARRI, match_floor::ideal(), None);
    let mut cases = Vec::new();
    for case in match_floor::cross_space_cases(&reference) {
        let prepared = match_floor::prepare(&reference, &case.frame, case.working);
        let problem = prepared.problem();
        let mean = |cdl: &Cdl| match_floor::mean_delta_e(&problem, cdl);
        let cost = |cdl: &Cdl| problem.cost(cdl);
        cases.push(json!({
            "name": case.name,
            "working": case.working.to_string(),
            "mean": floor(case.name, "mean", &problem, &mean),
            "cost": floor(case.name, "cost", &problem, &cost),
        }));
    }
    let doc = json!({
        "generator": "cargo run --release -p lookwire-color --example match_floors",
        "search": {
            "method": "Nelder-Mead, each start restarted with a smaller simplex until a run gains < 1e-7 (relative)",
            "starts": BUDGET.starts,
            "spread": "Halton points over the solver's bounds (slope and power spread in log)",
            "iterations_per_run": BUDGET.iterations,
            "max_restarts": BUDGET.max_restarts,
        },
        "cases": cases,
    });
    println!("{}", serde_json::to_string_pretty(&doc).unwrap());
}

/// Runs every start on `objective` and describes the lowest point found.
fn floor(
    case: &str,
    what: &str,
    problem: &Problem<'_>,
    objective: &(dyn Fn(&Cdl) -> f64 + Sync),
) -> Value {
    let bounds: CdlBounds = problem.bounds;
    let runs: Vec<Found> = (0..BUDGET.starts)
        .into_par_iter()
        .map(|k| {
            let x0 = match_floor::start(&bounds, k);
            let (value, point, evaluations) =
                match_floor::search_from(&bounds, objective, x0, BUDGET);
            Found {
                value,
                point,
                start: k,
                evaluations,
            }
        })
        .collect();
    let best = *runs
        .iter()
        .min_by(|a, b| a.value.total_cmp(&b.value))
        .expect("at least one start");
    let near = runs
        .iter()
        .filter(|r| r.value <= best.value * 1.001 + 1e-9)
        .count();
    let mut values: Vec<f64> = runs.iter().map(|r| r.value).collect();
    values.sort_by(f64::total_cmp);
    let evaluations: usize = runs.iter().map(|r| r.evaluations).sum();
    eprintln!(
        "{case} {what}: floor {:.6} (start {}), {near}/{} starts within 0.1 %, {evaluations} evaluations",
        best.value, best.start, BUDGET.starts
    );
    let cdl = match_floor::to_cdl(&best.point);
    json!({
        "floor": best.value,
        "cdl": { "slope": cdl.slope, "offset": cdl.offset, "power": cdl.power, "sat": cdl.sat },
        "best_start": best.start,
        "starts_within_0_1_percent": near,
        "start_values_sorted": values,
        "evaluations": evaluations,
    })
}
