//! What the VC sees: a camera's code values through its working space, the match CDL,
//! ACES and the display output transform, as CIELAB (D65 white at 100 cd/m²).

use super::delta_e::{xyz_to_lab, Lab};
use super::MatchError;
use crate::cdl::{Cdl, CdlStyle};
use crate::output::matrix::{mul_vec, Mat3};
use crate::output::OutputTransform;
use crate::pipeline::{to_aces, Op, WorkingSpace};
use crate::spaces::{self, Adaptation, InputSpace, AP0, AP1};

/// A display output seen as CIELAB: ACES2065-1 → display light, clipped to the display's
/// gamut and peak as a monitor shows it, → XYZ → CIELAB with the D65 white at Y = 1.
#[derive(Debug, Clone)]
pub struct DisplayView {
    output: OutputTransform,
    to_rgb: Mat3,
    to_xyz: Mat3,
    peak: f64,
    white: [f64; 3],
}

impl DisplayView {
    /// The view of output `id` (`aces2-sdr-rec709`, …).
    pub fn new(id: &str) -> Result<Self, MatchError> {
        let output = OutputTransform::by_id(id).map_err(|e| MatchError::Output(e.to_string()))?;
        let primaries = output.info().encoding_primaries.primaries();
        let w = spaces::gamut::white_xyz(spaces::gamut::D65);
        Ok(Self {
            to_rgb: primaries.xyz_to_rgb(),
            to_xyz: primaries.rgb_to_xyz(),
            peak: output.info().peak_nits / 100.0,
            output,
            white: [w.x, w.y, w.z],
        })
    }

    pub fn output_id(&self) -> &'static str {
        self.output.info().id
    }

    /// CIELAB of an ACES2065-1 colour as the display shows it.
    pub fn lab(&self, aces: [f64; 3]) -> Lab {
        let xyz = self.output.to_display_xyz(aces);
        let rgb = mul_vec(&self.to_rgb, xyz).map(|c| c.clamp(0.0, self.peak));
        xyz_to_lab(mul_vec(&self.to_xyz, rgb), self.white)
    }
}

/// A camera's code values to and from the working space the match CDL works in.
#[derive(Debug, Clone)]
pub struct WorkingChain {
    pub working: WorkingSpace,
    into: Vec<Op>,
    out: Vec<Op>,
}

fn run(ops: &[Op], rgb: [f64; 3]) -> [f64; 3] {
    ops.iter().fold(rgb, |v, op| op.apply(v))
}

impl WorkingChain {
    pub fn new(input: &InputSpace, working: WorkingSpace) -> Self {
        let (into, out) = match working {
            WorkingSpace::Camera => (Vec::new(), to_aces(input)),
            WorkingSpace::AcesCct => {
                let cct = spaces::acescct_curve();
                let mut into = to_aces(input);
                into.push(Op::Matrix(spaces::conversion_matrix(
                    &AP0,
                    &AP1,
                    Adaptation::None,
                )));
                into.push(Op::encode(cct));
                let out = vec![
                    Op::decode(cct),
                    Op::Matrix(spaces::conversion_matrix(&AP1, &AP0, Adaptation::None)),
                ];
                (into, out)
            }
        };
        Self { working, into, out }
    }

    /// Camera code values → working-space values (the CDL's input).
    pub fn to_working(&self, code: [f64; 3]) -> [f64; 3] {
        run(&self.into, code)
    }

    /// Working-space values → ACES2065-1.
    pub fn to_aces(&self, working: [f64; 3]) -> [f64; 3] {
        run(&self.out, working)
    }

    /// Working-space values through `cdl` → ACES2065-1.
    pub fn graded_aces(&self, working: [f64; 3], cdl: &Cdl, style: CdlStyle) -> [f64; 3] {
        self.to_aces(cdl.apply(working, style))
    }
}
