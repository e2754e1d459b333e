//! From a look's description (input, working space, CDL, look LUTs, output) to ops.

use super::op::Op;
use super::output::{resolve_output, Output};
use super::{Pipeline, PipelineError};
use crate::cdl::{Cdl, CdlStyle};
use crate::spaces::{self, InputSpace, AP0, AP1};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The space the CDL and look LUTs work in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkingSpace {
    /// The camera's own log encoding.
    #[default]
    Camera,
    /// ACEScct (AP1 primaries, ACEScct curve).
    AcesCct,
}

impl WorkingSpace {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkingSpace::Camera => "camera",
            WorkingSpace::AcesCct => "acescct",
        }
    }
}

impl fmt::Display for WorkingSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for WorkingSpace {
    type Err = PipelineError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "camera" => Ok(WorkingSpace::Camera),
            "acescct" => Ok(WorkingSpace::AcesCct),
            other => Err(PipelineError::UnknownWorking(other.to_owned())),
        }
    }
}

/// A look described by its parts; [`Look::pipeline`] turns it into ops.
#[derive(Clone, Debug)]
pub struct Look {
    pub input: InputSpace,
    pub working: WorkingSpace,
    pub cdl: Cdl,
    pub cdl_style: CdlStyle,
    /// Look LUTs (and any other ops) applied in the working space after the CDL.
    pub looks: Vec<Op>,
    pub output: Output,
}

impl Look {
    /// A look from ids: `input` must be a registered space, `output` any output id.
    pub fn from_ids(
        input: &str,
        working: WorkingSpace,
        output: &str,
    ) -> Result<Self, PipelineError> {
        Ok(Self {
            input: spaces::lookup(input)?,
            working,
            cdl: Cdl::IDENTITY,
            cdl_style: CdlStyle::Asc,
            looks: Vec::new(),
            output: resolve_output(output)?,
        })
    }

    pub fn with_cdl(mut self, cdl: Cdl, style: CdlStyle) -> Self {
        self.cdl = cdl;
        self.cdl_style = style;
        self
    }

    pub fn with_look(mut self, op: Op) -> Self {
        self.looks.push(op);
        self
    }

    /// The ops of the look, not yet optimised: input → working → CDL → looks → output.
    pub fn pipeline(&self) -> Result<Pipeline, PipelineError> {
        self.cdl.validate()?;
        let mut ops = Vec::new();
        let grade = Op::Cdl {
            cdl: self.cdl,
            style: self.cdl_style,
        };
        match self.working {
            WorkingSpace::Camera => {
                ops.push(grade);
                ops.extend(self.looks.iter().cloned());
                ops.extend(to_aces(&self.input));
            }
            WorkingSpace::AcesCct => {
                let cct = spaces::acescct_curve();
                ops.extend(to_aces(&self.input));
                ops.push(Op::Matrix(spaces::conversion_matrix(
                    &AP0,
                    &AP1,
                    spaces::Adaptation::None,
                )));
                ops.push(Op::encode(cct));
                ops.push(grade);
                ops.extend(self.looks.iter().cloned());
                ops.push(Op::decode(cct));
                ops.push(Op::Matrix(spaces::conversion_matrix(
                    &AP1,
                    &AP0,
                    spaces::Adaptation::None,
                )));
            }
        }
        ops.extend(self.output.ops.iter().cloned());
        Ok(Pipeline::new(ops))
    }
}

/// The ops that take a space's code values to ACES2065-1.
pub fn to_aces(space: &InputSpace) -> Vec<Op> {
    let mut ops = vec![Op::decode(space.curve), Op::Matrix(space.to_aces())];
    if space.clamps_negative_aces() {
        ops.push(Op::Range {
            min: 0.0,
            max: f64::INFINITY,
        });
    }
    ops
}
