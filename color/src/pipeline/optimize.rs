//! Peephole optimiser: drops identities, cancels inverse curve pairs, merges matrices
//! and ranges. It never changes a result beyond rounding: a curve pair whose decode
//! or encode clamps becomes that clamp.

use super::op::{CurveDirection, Op};
use crate::cdl::CdlStyle;
use nalgebra::Matrix3;

/// Largest deviation from the identity for a matrix to count as one (products of a
/// matrix and its inverse land within ~1e-15).
const IDENTITY_TOLERANCE: f64 = 1e-12;

pub(super) fn optimize(ops: Vec<Op>) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        push(&mut out, op);
    }
    out
}

/// Pushes `op`, first simplifying it alone, then against the top of the stack, repeatedly.
fn push(out: &mut Vec<Op>, op: Op) {
    let Some(op) = simplify(op) else {
        return;
    };
    let Some(top) = out.pop() else {
        out.push(op);
        return;
    };
    match combine(&top, &op) {
        Combined::Keep => {
            out.push(top);
            out.push(op);
        }
        Combined::Nothing => {}
        Combined::One(merged) => push(out, merged),
    }
}

/// An op on its own: `None` if it does nothing, else maybe a simpler op.
fn simplify(op: Op) -> Option<Op> {
    match op {
        Op::Curve { curve, .. } if curve.is_linear() => None,
        Op::Matrix(m) if is_identity(&m) => None,
        Op::Range { min, max } if min == f64::NEG_INFINITY && max == f64::INFINITY => None,
        Op::Cdl { cdl, style } if cdl.is_identity() => match style {
            CdlStyle::NoClamp => None,
            CdlStyle::Asc => Some(Op::Range { min: 0.0, max: 1.0 }),
        },
        other => Some(other),
    }
}

enum Combined {
    /// The pair stays as it is.
    Keep,
    /// The pair cancels out.
    Nothing,
    /// The pair is one op.
    One(Op),
}

fn combine(first: &Op, second: &Op) -> Combined {
    match (first, second) {
        (
            Op::Curve {
                curve: a,
                direction: da,
            },
            Op::Curve {
                curve: b,
                direction: db,
            },
        ) if a == b && *db == da.inverse() => {
            let (min, max) = match da {
                CurveDirection::Decode => a.code_domain(),
                CurveDirection::Encode => a.linear_domain(),
            };
            Combined::One(Op::Range { min, max })
        }
        (Op::Matrix(a), Op::Matrix(b)) => Combined::One(Op::Matrix(b * a)),
        (Op::Range { min: a0, max: a1 }, Op::Range { min: b0, max: b1 }) => {
            let (min, max) = (a0.max(*b0), a1.min(*b1));
            if min <= max {
                Combined::One(Op::Range { min, max })
            } else {
                Combined::Keep
            }
        }
        _ => Combined::Keep,
    }
    .or_nothing()
}

impl Combined {
    /// A merged op that is itself an identity is no op at all.
    fn or_nothing(self) -> Self {
        match self {
            Combined::One(op) => match simplify(op) {
                Some(op) => Combined::One(op),
                None => Combined::Nothing,
            },
            other => other,
        }
    }
}

fn is_identity(m: &Matrix3<f64>) -> bool {
    (m - Matrix3::identity()).amax() <= IDENTITY_TOLERANCE
}
