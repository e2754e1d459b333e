#![no_main]
//! `.csp` reader: never panics; what it reads writes back readably.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::{csp, Precision};

fuzz_target!(|data: &[u8]| {
    if let Ok(lut) = csp::read(data, "fuzz.csp") {
        if let Ok(text) = csp::write(&lut, Precision::RoundTrip) {
            csp::read(&text, "again.csp").expect("lookwire reads what it wrote");
        }
    }
});
