#![no_main]
//! CLF/CTF reader: never panics; a read list applies and writes back readably.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::{clf, Precision};

fuzz_target!(|data: &[u8]| {
    if let Ok(list) = clf::read(data, "fuzz.clf") {
        let _ = list.apply([0.18, -0.5, 2.0]);
        let text = clf::write(&list, Precision::RoundTrip).expect("a read list writes");
        let back = clf::read(&text, "again.clf").expect("lookwire reads what it wrote");
        assert_eq!(back.ops.len(), list.ops.len());
    }
});
