//! ACES transform ids (an AMF's `transformId`) of the engine's input spaces and output
//! transforms, as OpenColorIO's ACES 2.1 studio config names them. The tests check every
//! row against `tests/post/amf/transform-ids.json`, which `scripts/gen-amf-transform-ids.py`
//! writes from OpenColorIO 2.6.
//!
//! Spaces and outputs without a row have no ACES transform id: their AMFs name no input or
//! no output transform (ACES 1.3 outputs among them: OpenColorIO's ACES 1.3 configs carry
//! no AMF ids to check against).

const PREFIX: &str = "urn:ampas:aces:transformId:v2.0:";

/// (engine input space, OpenColorIO studio-config colour space, its `…_to_ACES` id)
pub(crate) const INPUTS: [(&str, &str, &str); 15] = [
    ("acescc", "ACEScc", "CSC.Academy.ACEScc_to_ACES.a2.v1"),
    ("acescct", "ACEScct", "CSC.Academy.ACEScct_to_ACES.a2.v1"),
    ("acescg", "ACEScg", "CSC.Academy.ACEScg_to_ACES.a2.v1"),
    (
        "arri-logc3-awg3",
        "ARRI LogC3 (EI800)",
        "CSC.Arri.LogC3_to_ACES.a2.v1",
    ),
    (
        "arri-logc4-awg4",
        "ARRI LogC4",
        "CSC.Arri.LogC4_to_ACES.a2.v1",
    ),
    (
        "sony-slog3-sgamut3",
        "S-Log3 S-Gamut3",
        "CSC.Sony.SLog3_SGamut3_to_ACES.a2.v1",
    ),
    (
        "sony-slog3-sgamut3cine",
        "S-Log3 S-Gamut3.Cine",
        "CSC.Sony.SLog3_SGamut3Cine_to_ACES.a2.v1",
    ),
    (
        "sony-slog3-venice-sgamut3",
        "S-Log3 Venice S-Gamut3",
        "CSC.Sony.Venice_SLog3_SGamut3_to_ACES.a2.v1",
    ),
    (
        "sony-slog3-venice-sgamut3cine",
        "S-Log3 Venice S-Gamut3.Cine",
        "CSC.Sony.Venice_SLog3_SGamut3Cine_to_ACES.a2.v1",
    ),
    (
        "panasonic-vlog-vgamut",
        "V-Log V-Gamut",
        "CSC.Panasonic.VLog_VGamut_to_ACES.a2.v1",
    ),
    (
        "red-log3g10-rwg",
        "Log3G10 REDWideGamutRGB",
        "CSC.Red.Log3G10_RWG_to_ACES.a2.v1",
    ),
    (
        "canon-clog2-cgamut",
        "CanonLog2 CinemaGamut D55",
        "CSC.Canon.CLog2_CGamut_to_ACES.a1.v1",
    ),
    (
        "canon-clog3-cgamut",
        "CanonLog3 CinemaGamut D55",
        "CSC.Canon.CLog3_CGamut_to_ACES.a1.v1",
    ),
    (
        "bmd-film-gen5",
        "BMDFilm WideGamut Gen5",
        "CSC.Blackmagic.BMDFilm_WideGamut_Gen5_to_ACES.a2.v1",
    ),
    (
        "apple-log-rec2020",
        "Apple Log",
        "CSC.Apple.AppleLog_BT2020_to_ACES.a2.v1",
    ),
];

/// (engine output transform, OpenColorIO studio-config display colour space, its id)
pub(crate) const OUTPUTS: [(&str, &str, &str); 10] = [
    (
        "aces2-sdr-rec709",
        "Rec.1886 Rec.709 - Display",
        "Output.Academy.Rec709-D65_100nit_in_Rec709-D65_BT1886.a2.v1",
    ),
    (
        "aces2-hdr-rec2100-pq500",
        "Rec.2100-PQ - Display",
        "Output.Academy.P3-D65_500nit_in_Rec2100-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-rec2100-pq1000",
        "Rec.2100-PQ - Display",
        "Output.Academy.P3-D65_1000nit_in_Rec2100-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-rec2100-pq2000",
        "Rec.2100-PQ - Display",
        "Output.Academy.P3-D65_2000nit_in_Rec2100-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-rec2100-pq4000",
        "Rec.2100-PQ - Display",
        "Output.Academy.P3-D65_4000nit_in_Rec2100-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-p3d65-pq500",
        "ST2084-P3-D65 - Display",
        "Output.Academy.P3-D65_500nit_in_P3-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-p3d65-pq1000",
        "ST2084-P3-D65 - Display",
        "Output.Academy.P3-D65_1000nit_in_P3-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-p3d65-pq2000",
        "ST2084-P3-D65 - Display",
        "Output.Academy.P3-D65_2000nit_in_P3-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-p3d65-pq4000",
        "ST2084-P3-D65 - Display",
        "Output.Academy.P3-D65_4000nit_in_P3-D65_ST2084.a2.v1",
    ),
    (
        "aces2-hdr-rec2100-hlg1000",
        "Rec.2100-HLG - Display",
        "Output.Academy.P3-D65_1000nit_in_Rec2100-D65_HLG.a2.v1",
    ),
];

/// The ACES input transform id of the engine's input space `space`.
pub fn input_transform_id(space: &str) -> Option<String> {
    INPUTS
        .iter()
        .find(|row| row.0 == space)
        .map(|row| format!("{PREFIX}{}", row.2))
}

/// The ACES output transform id of the engine's output transform `output`.
pub fn output_transform_id(output: &str) -> Option<String> {
    OUTPUTS
        .iter()
        .find(|row| row.0 == output)
        .map(|row| format!("{PREFIX}{}", row.2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The reference: OpenColorIO's studio config colour spaces with their AMF ids and
    /// built-in transforms.
    fn reference() -> serde_json::Map<String, Value> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/post/amf/transform-ids.json"
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let configs = doc["configs"].as_object().unwrap();
        assert_eq!(configs.len(), 1);
        configs
            .values()
            .next()
            .unwrap()
            .as_object()
            .unwrap()
            .clone()
    }

    fn list<'a>(entry: &'a Value, key: &str) -> Vec<&'a str> {
        entry[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect()
    }

    #[test]
    fn every_input_id_is_the_one_opencolorio_gives_that_space() {
        let reference = reference();
        for (space, ocio_name, id) in INPUTS {
            let entry = &reference[ocio_name];
            let full = format!("{PREFIX}{id}");
            assert!(
                list(entry, "ids").contains(&full.as_str()),
                "{space}: {full}"
            );
            assert!(id.ends_with(".a2.v1") || id.ends_with(".a1.v1"));
            assert!(id.contains("_to_ACES."), "{space}: an input transform");
            // Where OpenColorIO builds the space from a built-in, it is the engine's.
            let builtins = list(entry, "builtins");
            let engine = lookwire_color::spaces::lookup(space).unwrap();
            if let (false, Some(builtin)) = (builtins.is_empty(), engine.ocio_builtin) {
                assert!(builtins.contains(&builtin), "{space}: {builtins:?}");
            }
            assert_eq!(input_transform_id(space), Some(full));
        }
        assert_eq!(input_transform_id("dji-dlog-dgamut"), None);
    }

    #[test]
    fn every_output_id_is_one_opencolorio_gives_that_display() {
        let reference = reference();
        for (output, display, id) in OUTPUTS {
            let entry = &reference[display];
            let full = format!("{PREFIX}{id}");
            assert!(
                list(entry, "ids").contains(&full.as_str()),
                "{output}: {full}"
            );
            // The display is the engine's display for that output, and the peak matches.
            let info = lookwire_color::output::list()
                .iter()
                .find(|o| o.id == output)
                .unwrap();
            let builtins = list(entry, "builtins");
            let suffix = format!("_to_{}", info.ocio_display);
            assert!(
                builtins.iter().any(|b| b.contains(&suffix)),
                "{output}: {builtins:?}"
            );
            assert!(id.contains(&format!("_{}nit_", info.peak_nits)), "{output}");
            assert_eq!(output_transform_id(output), Some(full));
        }
        assert_eq!(output_transform_id("aces2-sdr-p3d65"), None);
    }

    #[test]
    fn the_cdl_working_space_ids_are_opencolorio_s_acescct() {
        let reference = reference();
        let ids = list(&reference["ACEScct"], "ids");
        assert!(ids.contains(&super::super::amf::TO_ACESCCT));
        assert!(ids.contains(&super::super::amf::FROM_ACESCCT));
    }
}
