//! Where a pipeline ends: any registered space, or a display transform.

use super::op::Op;
use super::PipelineError;
use crate::spaces::{self, InputSpace};

/// The tail of a pipeline: ops that take ACES2065-1 to the output's code values.
#[derive(Clone, Debug)]
pub struct Output {
    pub id: String,
    pub name: String,
    /// Ops from ACES2065-1 to the output encoding.
    pub ops: Vec<Op>,
    /// True when the output is scene- or display-linear (compare relative above 1).
    pub linear: bool,
}

impl Output {
    /// A registered space as an output: ACES2065-1 → its gamut → its curve.
    pub fn from_space(space: &InputSpace) -> Self {
        let mut ops = Vec::with_capacity(3);
        if space.clamps_negative_aces() {
            ops.push(Op::Range {
                min: 0.0,
                max: f64::INFINITY,
            });
        }
        ops.push(Op::Matrix(space.from_aces()));
        ops.push(Op::encode(space.curve));
        Self {
            id: space.id.clone(),
            name: space.name.clone(),
            ops,
            linear: space.curve.is_linear(),
        }
    }
}

/// Resolves an output id: registered spaces first, then display transforms.
/// Display outputs (crate::output) plug in here.
pub fn resolve_output(id: &str) -> Result<Output, PipelineError> {
    match spaces::lookup(id) {
        Ok(space) => Ok(Output::from_space(&space)),
        Err(spaces::SpaceError::Unknown { .. }) => {
            crate::output::display_output(id).ok_or_else(|| PipelineError::UnknownOutput {
                id: id.to_owned(),
                valid: output_ids().join(", "),
            })
        }
        Err(e) => Err(PipelineError::Space(e)),
    }
}

/// Every output id [`resolve_output`] accepts (LogC3 EI variants aside).
pub fn output_ids() -> Vec<String> {
    let spaces = spaces::ids().into_iter();
    spaces
        .chain(crate::output::display_output_ids())
        .map(str::to_owned)
        .collect()
}
