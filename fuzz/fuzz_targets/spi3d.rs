#![no_main]
//! `.spi3d` reader: never panics; what it reads writes back and reads the same.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::{spi3d, Precision};

fuzz_target!(|data: &[u8]| {
    if let Ok(lut) = spi3d::read(data, "fuzz.spi3d") {
        let text = spi3d::write(&lut, Precision::RoundTrip).expect("a read table writes");
        let back = spi3d::read(&text, "again.spi3d").expect("lookwire reads what it wrote");
        assert_eq!(back.lut3d, lut.lut3d);
    }
});
