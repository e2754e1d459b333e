#![no_main]
//! `.cube` reader: never panics; what it reads writes back and reads the same.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::{cube, Precision};

fuzz_target!(|data: &[u8]| {
    if let Ok(lut) = cube::read(data, "fuzz.cube") {
        let options = cube::WriteOptions { precision: Precision::RoundTrip };
        if let Ok(text) = cube::write(&lut, &options) {
            let back = cube::read(&text, "again.cube").expect("lookwire reads what it wrote");
            assert_eq!(back.lut1d, lut.lut1d);
            assert_eq!(back.lut3d, lut.lut3d);
        }
    }
});
