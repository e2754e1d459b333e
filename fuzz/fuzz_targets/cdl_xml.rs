#![no_main]
//! ASC CDL XML reader: never panics; what it reads writes back and reads the same.
use libfuzzer_sys::fuzz_target;
use lookwire_color::formats::cdl_xml;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = cdl_xml::read(data, "fuzz.ccc") {
        if let Ok(text) = cdl_xml::write(&doc) {
            let back = cdl_xml::read(&text, "again.ccc").expect("lookwire reads what it wrote");
            assert_eq!(back.decisions.len(), doc.decisions.len());
        }
    }
});
