//! Choosing the CPU level from the environment.

use lookwire_color::kernel::{select, CpuLevel, NodeReads};

#[test]
fn forced_levels_are_taken_when_the_cpu_has_them() {
    let sel = select(Some("avx2"), None, CpuLevel::Avx512);
    assert_eq!(
        (sel.level, sel.check, sel.note),
        (CpuLevel::Avx2, false, None)
    );
    let sel = select(Some(" Scalar "), Some("1"), CpuLevel::Avx2);
    assert_eq!((sel.level, sel.check), (CpuLevel::Scalar, true));
    assert_eq!(select(None, None, CpuLevel::Avx2).level, CpuLevel::Avx2);
}

#[test]
fn impossible_or_unknown_levels_fall_back_with_a_note() {
    let sel = select(Some("avx512"), None, CpuLevel::Avx2);
    assert_eq!(sel.level, CpuLevel::Avx2);
    assert_eq!(
        sel.note.as_deref(),
        Some("LOOKWIRE_CPU=avx512: this CPU does not have avx512; using avx2")
    );
    let sel = select(Some("sse9"), Some("0"), CpuLevel::Avx512);
    assert_eq!((sel.level, sel.check), (CpuLevel::Avx512, false));
    assert!(sel.note.unwrap().contains("unknown CPU level \"sse9\""));
}

#[test]
fn the_best_level_is_available_and_scalar_always_is() {
    let available = CpuLevel::available();
    assert_eq!(available[0], CpuLevel::Scalar);
    assert_eq!(*available.last().unwrap(), CpuLevel::best());
    assert!(CpuLevel::best().is_supported());
}

#[test]
fn node_reads_parse_by_name_and_refuse_others() {
    assert_eq!(" Loads ".parse::<NodeReads>(), Ok(NodeReads::Loads));
    assert_eq!("gathers".parse::<NodeReads>(), Ok(NodeReads::Gathers));
    assert!("scatter".parse::<NodeReads>().is_err());
    assert_eq!(NodeReads::Loads.to_string(), "loads");
}
