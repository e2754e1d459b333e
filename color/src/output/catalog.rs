//! The output ids: a contract scripts rely on (issue 6), each naming an OpenColorIO builtin pair.

use super::aces1::Aces1Kind;
use super::display::Encoding;
use super::matrix::Primaries;

/// A display gamut used for limiting or encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gamut {
    Rec709,
    P3D65,
    Rec2020,
}

impl Gamut {
    pub fn primaries(self) -> Primaries {
        match self {
            Gamut::Rec709 => Primaries::REC709,
            Gamut::P3D65 => Primaries::P3_D65,
            Gamut::Rec2020 => Primaries::REC2020,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Gamut::Rec709 => "Rec.709",
            Gamut::P3D65 => "P3-D65",
            Gamut::Rec2020 => "Rec.2020",
        }
    }
}

/// Which rendering produces the display light.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RenderingKind {
    /// ACES 2.0 output transform at a peak luminance (cd/m²), limited to a gamut.
    Aces2 { peak: f64, limiting: Gamut },
    /// ACES 1.3 RRT + ODT.
    Aces1(Aces1Kind),
}

/// What an output id stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputInfo {
    pub id: &'static str,
    /// Human-readable name.
    pub name: &'static str,
    /// OpenColorIO `ACES-OUTPUT - ACES2065-1_to_CIE-XYZ-D65 - …` builtin suffix.
    pub ocio_output: &'static str,
    /// OpenColorIO `DISPLAY - CIE-XYZ-D65_to_…` builtin suffix.
    pub ocio_display: &'static str,
    /// Peak luminance in cd/m².
    pub peak_nits: f64,
    pub encoding: Encoding,
    /// The gamut the rendering limits colours to.
    pub limiting: Gamut,
    /// The primaries of the encoded signal.
    pub encoding_primaries: Gamut,
    pub rendering: RenderingKind,
}

#[allow(clippy::too_many_arguments)] // one row of the id table
const fn aces2(
    id: &'static str,
    name: &'static str,
    ocio_output: &'static str,
    ocio_display: &'static str,
    peak: f64,
    encoding: Encoding,
    limiting: Gamut,
    encoding_primaries: Gamut,
) -> OutputInfo {
    OutputInfo {
        id,
        name,
        ocio_output,
        ocio_display,
        peak_nits: peak,
        encoding,
        limiting,
        encoding_primaries,
        rendering: RenderingKind::Aces2 { peak, limiting },
    }
}

use Encoding::{Bt1886, Gamma26, Hlg1000, Pq};
use Gamut::{Rec2020, Rec709, P3D65};

static OUTPUTS: [OutputInfo; 13] = [
    aces2(
        "aces2-sdr-rec709",
        "ACES 2.0 SDR 100 nit Rec.709 (BT.1886)",
        "SDR-100nit-REC709_2.0",
        "REC.1886-REC.709",
        100.0,
        Bt1886,
        Rec709,
        Rec709,
    ),
    aces2(
        "aces2-sdr-p3d65",
        "ACES 2.0 SDR 100 nit P3-D65 (gamma 2.6)",
        "SDR-100nit-P3-D65_2.0",
        "G2.6-P3-D65",
        100.0,
        Gamma26,
        P3D65,
        P3D65,
    ),
    aces2(
        "aces2-hdr-rec2100-pq500",
        "ACES 2.0 HDR 500 nit Rec.2100 PQ (P3-D65 limited)",
        "HDR-500nit-P3-D65_2.0",
        "REC.2100-PQ",
        500.0,
        Pq,
        P3D65,
        Rec2020,
    ),
    aces2(
        "aces2-hdr-rec2100-pq1000",
        "ACES 2.0 HDR 1000 nit Rec.2100 PQ (P3-D65 limited)",
        "HDR-1000nit-P3-D65_2.0",
        "REC.2100-PQ",
        1000.0,
        Pq,
        P3D65,
        Rec2020,
    ),
    aces2(
        "aces2-hdr-rec2100-pq2000",
        "ACES 2.0 HDR 2000 nit Rec.2100 PQ (P3-D65 limited)",
        "HDR-2000nit-P3-D65_2.0",
        "REC.2100-PQ",
        2000.0,
        Pq,
        P3D65,
        Rec2020,
    ),
    aces2(
        "aces2-hdr-rec2100-pq4000",
        "ACES 2.0 HDR 4000 nit Rec.2100 PQ (P3-D65 limited)",
        "HDR-4000nit-P3-D65_2.0",
        "REC.2100-PQ",
        4000.0,
        Pq,
        P3D65,
        Rec2020,
    ),
    aces2(
        "aces2-hdr-p3d65-pq500",
        "ACES 2.0 HDR 500 nit P3-D65 PQ",
        "HDR-500nit-P3-D65_2.0",
        "ST2084-P3-D65",
        500.0,
        Pq,
        P3D65,
        P3D65,
    ),
    aces2(
        "aces2-hdr-p3d65-pq1000",
        "ACES 2.0 HDR 1000 nit P3-D65 PQ",
        "HDR-1000nit-P3-D65_2.0",
        "ST2084-P3-D65",
        1000.0,
        Pq,
        P3D65,
        P3D65,
    ),
    aces2(
        "aces2-hdr-p3d65-pq2000",
        "ACES 2.0 HDR 2000 nit P3-D65 PQ",
        "HDR-2000nit-P3-D65_2.0",
        "ST2084-P3-D65",
        2000.0,
        Pq,
        P3D65,
        P3D65,
    ),
    aces2(
        "aces2-hdr-p3d65-pq4000",
        "ACES 2.0 HDR 4000 nit P3-D65 PQ",
        "HDR-4000nit-P3-D65_2.0",
        "ST2084-P3-D65",
        4000.0,
        Pq,
        P3D65,
        P3D65,
    ),
    aces2(
        "aces2-hdr-rec2100-hlg1000",
        "ACES 2.0 HDR 1000 nit Rec.2100 HLG (P3-D65 limited)",
        "HDR-1000nit-P3-D65_2.0",
        "REC.2100-HLG-1000nit",
        1000.0,
        Hlg1000,
        P3D65,
        Rec2020,
    ),
    OutputInfo {
        id: "aces1-sdr-rec709",
        name: "ACES 1.3 SDR video Rec.709 (BT.1886)",
        ocio_output: "SDR-VIDEO_1.0",
        ocio_display: "REC.1886-REC.709",
        peak_nits: 100.0,
        encoding: Bt1886,
        limiting: Rec709,
        encoding_primaries: Rec709,
        rendering: RenderingKind::Aces1(Aces1Kind::SdrVideo),
    },
    OutputInfo {
        id: "aces1-hdr-rec2100-pq1000",
        name: "ACES 1.3 HDR 1000 nit Rec.2100 PQ (Rec.2020 limited)",
        ocio_output: "HDR-VIDEO-1000nit-15nit-REC2020lim_1.1",
        ocio_display: "REC.2100-PQ",
        peak_nits: 1000.0,
        encoding: Pq,
        limiting: Rec2020,
        encoding_primaries: Rec2020,
        rendering: RenderingKind::Aces1(Aces1Kind::Hdr1000Rec2020),
    },
];

/// Every output lookwire knows, in a stable order.
pub fn list() -> &'static [OutputInfo] {
    &OUTPUTS
}
