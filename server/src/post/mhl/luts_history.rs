//! The shipped LUTs' ASC MHL history (`luts/ascmhl`, written by `scripts/gen-luts.sh`)
//! verifies: every shipped LUT is recorded and unchanged, none is missing or unrecorded.

use std::path::Path;

use super::{verify, NoProgress, VerifyOptions};

#[test]
fn the_shipped_luts_verify_against_their_asc_mhl_history() {
    let luts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../luts");
    let report = verify(&luts, &VerifyOptions::default(), &NoProgress).unwrap_or_else(|e| {
        panic!("luts/: {e} (run scripts/gen-luts.sh, which writes luts/ascmhl)")
    });
    let manifest = std::fs::read_to_string(luts.join("manifest.txt")).unwrap();
    let shipped = manifest
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .count();
    assert!(
        report.mismatches.is_empty() && report.missing.is_empty() && report.new_files.is_empty(),
        "luts/ differs from its ASC MHL history: changed {:?}, missing {:?}, unrecorded {:?}. \
         Run scripts/gen-luts.sh; if a LUT changed on purpose (the math changed), remove \
         luts/ascmhl first to start a fresh history (ASC MHL records files that never change).",
        report
            .mismatches
            .iter()
            .map(|m| &m.path)
            .collect::<Vec<_>>(),
        report.missing,
        report.new_files
    );
    assert_eq!(
        report.verified, shipped,
        "one verified file per manifest line"
    );
}
