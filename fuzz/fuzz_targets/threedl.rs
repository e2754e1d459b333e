#![no_main]
//! `.3dl` reader: never panics; what it reads writes back readably.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::threedl;

fuzz_target!(|data: &[u8]| {
    if let Ok(lut) = threedl::read(data, "fuzz.3dl") {
        if let Ok(text) = threedl::write(&lut, &threedl::WriteOptions::default()) {
            threedl::read(&text, "again.3dl").expect("lookwire reads what it wrote");
        }
    }
});
