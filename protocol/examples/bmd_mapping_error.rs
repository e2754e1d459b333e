//! Measures the error of lookwire's CDL → Blackmagic corrector mapping for typical trims
//! (the table in protocol/README.md).
//! `cargo run -p lookwire-protocol --example bmd_mapping_error`

use lookwire_color::{Cdl, CdlStyle};
use lookwire_protocol::bmd::corrector::mapping_error;

fn main() {
    let cases: [(&str, [f64; 9], f64); 6] = [
        (
            "identity",
            [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
            1.0,
        ),
        (
            "slope/offset/sat only",
            [1.08, 1.0, 0.93, 0.012, -0.004, -0.01, 1.0, 1.0, 1.0],
            1.15,
        ),
        (
            "power 0.95 / 1.0 / 1.05",
            [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.95, 1.0, 1.05],
            1.0,
        ),
        (
            "power 0.9 / 1.1 (mild contrast trim)",
            [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.9, 1.1, 1.0],
            1.0,
        ),
        (
            "typical VC trim",
            [1.05, 1.0, 0.96, 0.005, 0.0, -0.005, 0.98, 1.0, 1.02],
            1.05,
        ),
        (
            "demo show look",
            [1.06, 1.0, 0.95, 0.005, 0.0, -0.01, 1.1, 1.1, 1.12],
            1.1,
        ),
    ];
    println!("| CDL | max (10-bit codes) | mean |");
    println!("|---|---|---|");
    for (name, sop, sat) in cases {
        let cdl = Cdl::from_sop_sat(sop, sat).expect("valid CDL");
        let e = mapping_error(&cdl, CdlStyle::Asc);
        println!("| {name} | {:.2} | {:.2} |", e.max_10bit, e.mean_10bit);
    }
}
