//! ACES Metadata File v2.0 per clip: clip id, input transform, the CDL in ACEScct as a
//! look transform, output transform. Written only for grades made in ACEScct.

use lookwire_color::formats::f64_text;

use super::text::description;
use super::ExportError;
use crate::post::grades::{ClipMatch, MatchRule};
use crate::post::mhl::{HashFormat, UtcParts};
use crate::post::xml::escape;

pub const AMF_NAMESPACE: &str = "urn:ampas:aces:amf:v2.0";
pub const CDL_NAMESPACE: &str = "urn:ASC:CDL:v1.01";
/// ACEScct's ids as the ACES 2 transforms name them (the same curve as ACES 1's).
pub(crate) const TO_ACESCCT: &str =
    "urn:ampas:aces:transformId:v2.0:CSC.Academy.ACES_to_ACEScct.a2.v1";
pub(crate) const FROM_ACESCCT: &str =
    "urn:ampas:aces:transformId:v2.0:CSC.Academy.ACEScct_to_ACES.a2.v1";

/// ACES transform ids of the show's pipeline, for every clip of one export.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AmfTransforms {
    pub input: Option<String>,
    pub output: Option<String>,
}

/// Whether a working-space name means ACEScct.
pub fn is_acescct(space: &str) -> bool {
    space.to_ascii_lowercase().replace([' ', '_', '-'], "") == "acescct"
}

/// A name-based UUID (SHA-1 of `seed`, version 5 layout) so a re-export keeps its identity.
pub fn uuid_for(seed: &str) -> String {
    let hex = HashFormat::Sha1.hash_bytes(seed.as_bytes());
    let mut b: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap_or(0))
        .collect();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn transform(out: &mut String, tag: &str, id: &str) {
    // applied="false": the camera files hold log pictures, nothing baked in.
    out.push_str(&format!(
        "    <aces:{tag} applied=\"false\">\n      <aces:transformId>{}</aces:transformId>\n    </aces:{tag}>\n",
        escape(id)
    ));
}

fn date_time(indent: &str, stamp: &str) -> String {
    format!(
        "{indent}<aces:dateTime>\n{indent}  <aces:creationDateTime>{stamp}</aces:creationDateTime>\n{indent}  <aces:modificationDateTime>{stamp}</aces:modificationDateTime>\n{indent}</aces:dateTime>\n"
    )
}

fn amf_info(desc: &str, stamp: &str, uuid: &str) -> String {
    format!(
        "  <aces:amfInfo>\n    <aces:description>{desc}</aces:description>\n{}    <aces:uuid>{uuid}</aces:uuid>\n  </aces:amfInfo>\n",
        date_time("    ", stamp)
    )
}

fn clip_id(name: &str, file: &str) -> String {
    format!(
        "  <aces:clipId>\n    <aces:clipName>{}</aces:clipName>\n    <aces:file>{}</aces:file>\n  </aces:clipId>\n",
        escape(name),
        escape(file)
    )
}

fn pipeline_info(desc: &str, stamp: &str, uuid: &str) -> String {
    let v: Vec<String> = env!("CARGO_PKG_VERSION")
        .split('.')
        .map(|p| p.chars().take(1).collect())
        .collect();
    let part = |i: usize| v.get(i).map_or("0", String::as_str).to_owned();
    format!(
        "    <aces:pipelineInfo>\n      <aces:description>{desc}</aces:description>\n{}      <aces:uuid>{uuid}</aces:uuid>\n      <aces:systemVersion>\n        <aces:majorVersion>{}</aces:majorVersion>\n        <aces:minorVersion>{}</aces:minorVersion>\n        <aces:patchVersion>{}</aces:patchVersion>\n      </aces:systemVersion>\n    </aces:pipelineInfo>\n",
        date_time("      ", stamp),
        part(0),
        part(1),
        part(2)
    )
}

fn look_transform(desc: &str, cdl: &lookwire_color::Cdl) -> String {
    // Numbers as the CDL writer prints them, so the .amf and the .cc carry the same text.
    let t = |v: &[f64; 3]| format!("{} {} {}", f64_text(v[0]), f64_text(v[1]), f64_text(v[2]));
    format!(
        "    <aces:lookTransform applied=\"false\">\n      <aces:description>{desc}</aces:description>\n      <aces:cdlWorkingSpace>\n        <aces:toCdlWorkingSpace>\n          <aces:transformId>{TO_ACESCCT}</aces:transformId>\n        </aces:toCdlWorkingSpace>\n        <aces:fromCdlWorkingSpace>\n          <aces:transformId>{FROM_ACESCCT}</aces:transformId>\n        </aces:fromCdlWorkingSpace>\n      </aces:cdlWorkingSpace>\n      <cdl:SOPNode>\n        <cdl:Slope>{}</cdl:Slope>\n        <cdl:Offset>{}</cdl:Offset>\n        <cdl:Power>{}</cdl:Power>\n      </cdl:SOPNode>\n      <cdl:SatNode>\n        <cdl:Saturation>{}</cdl:Saturation>\n      </cdl:SatNode>\n    </aces:lookTransform>\n",
        t(&cdl.slope),
        t(&cdl.offset),
        t(&cdl.power),
        f64_text(cdl.sat)
    )
}

/// The AMF document for one graded clip.
pub fn amf(
    m: &ClipMatch,
    rule: &MatchRule,
    transforms: &AmfTransforms,
    now: &UtcParts,
) -> Result<String, ExportError> {
    let Some(g) = &m.grade else {
        return Err(ExportError::Conflict(format!(
            "clip {}: no grade for an AMF",
            m.clip.name
        )));
    };
    if !is_acescct(&g.grade.working_space) {
        return Err(ExportError::Conflict(format!(
            "clip {}: graded in {}, but AMF carries CDLs in ACEScct",
            m.clip.name, g.grade.working_space
        )));
    }
    let desc = escape(&description(g, rule));
    let stamp = now.iso8601(false);
    let seed = format!("{}|{}|{:?}", m.clip.name, m.clip.source_file, g.grade.cdl);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<aces:acesMetadataFile version=\"2.0\" xmlns:aces=\"{AMF_NAMESPACE}\" xmlns:cdl=\"{CDL_NAMESPACE}\">\n"
    );
    out.push_str(&amf_info(&desc, &stamp, &uuid_for(&format!("amf|{seed}"))));
    out.push_str(&clip_id(&m.clip.name, &m.clip.source_file));
    out.push_str("  <aces:pipeline>\n");
    out.push_str(&pipeline_info(
        &desc,
        &stamp,
        &uuid_for(&format!("pipeline|{seed}")),
    ));
    if let Some(id) = &transforms.input {
        transform(&mut out, "inputTransform", id);
    }
    out.push_str(&look_transform(&desc, &g.grade.cdl));
    if let Some(id) = &transforms.output {
        transform(&mut out, "outputTransform", id);
    }
    out.push_str("  </aces:pipeline>\n</aces:acesMetadataFile>\n");
    Ok(out)
}
