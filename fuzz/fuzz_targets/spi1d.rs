#![no_main]
//! `.spi1d` reader: never panics; what it reads writes back and reads the same.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::{spi1d, Precision};

fuzz_target!(|data: &[u8]| {
    if let Ok(lut) = spi1d::read(data, "fuzz.spi1d") {
        let text = spi1d::write(&lut, Precision::RoundTrip).expect("a read table writes");
        let back = spi1d::read(&text, "again.spi1d").expect("lookwire reads what it wrote");
        assert_eq!(back.lut1d, lut.lut1d);
    }
});
