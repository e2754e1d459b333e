//! ΔE 2000, CIELAB and CCT → xy against colour-science values committed by
//! scripts/gen-chart-data.py (color/tests/reference/matching/).

use lookwire_color::chart::cct;
use lookwire_color::matching::{delta_e2000, xyz_to_lab};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!(
        "{}/tests/reference/matching/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str::<Value>(&text).unwrap()["data"].clone()
}

fn triple(v: &Value) -> [f64; 3] {
    [0, 1, 2].map(|i| v[i].as_f64().unwrap())
}

#[test]
fn delta_e2000_matches_colour_science() {
    let data = load("delta_e2000.json");
    let pairs = data.as_array().unwrap();
    assert!(pairs.len() > 200);
    for p in pairs {
        let (a, b) = (triple(&p["lab1"]), triple(&p["lab2"]));
        let want = p["de2000"].as_f64().unwrap();
        let got = delta_e2000(a, b);
        assert!(
            (got - want).abs() < 1e-9 * want.max(1.0),
            "{a:?} {b:?}: {got} vs {want}"
        );
        let back = delta_e2000(b, a);
        assert!(
            (back - want).abs() < 1e-9 * want.max(1.0),
            "not symmetric for {a:?} {b:?}"
        );
    }
}

#[test]
fn xyz_to_lab_matches_colour_science() {
    let data = load("xyz_to_lab_d65.json");
    let [x, y] = [0, 1].map(|i| data["white_xy"][i].as_f64().unwrap());
    let white = [x / y, 1.0, (1.0 - x - y) / y];
    for s in data["samples"].as_array().unwrap() {
        let (xyz, want) = (triple(&s["xyz"]), triple(&s["lab"]));
        let got = xyz_to_lab(xyz, white);
        for c in 0..3 {
            assert!(
                (got[c] - want[c]).abs() < 1e-9,
                "{xyz:?}: {got:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn cct_to_xy_matches_colour_science() {
    let data = load("cct_to_xy.json");
    let check = |key: &str, f: fn(f64) -> [f64; 2]| {
        for s in data[key].as_array().unwrap() {
            let k = s["kelvin"].as_f64().unwrap();
            let want = [s["xy"][0].as_f64().unwrap(), s["xy"][1].as_f64().unwrap()];
            let got = f(k);
            assert!(
                (got[0] - want[0]).abs() < 1e-9 && (got[1] - want[1]).abs() < 1e-9,
                "{key} {k} K: {got:?} vs {want:?}"
            );
        }
    };
    check("daylight_cie_d", cct::daylight_xy);
    check("planckian_kang2002", cct::planckian_xy);
}
