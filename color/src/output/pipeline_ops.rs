//! The output transforms as pipeline ops: display outputs for
//! [`crate::pipeline::resolve_output`], and the optional stages around an output
//! (reference gamut compression before it, the signal range after it).

use std::sync::Arc;

use super::{list, GamutCompression, OutputTransform, SignalRange};
use crate::pipeline::{FixedFunction, Op, Output};

impl FixedFunction for OutputTransform {
    fn name(&self) -> &str {
        self.info().name
    }

    fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        OutputTransform::apply(self, rgb)
    }
}

impl FixedFunction for GamutCompression {
    fn name(&self) -> &str {
        "ACES 1.3 reference gamut compression"
    }

    fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        GamutCompression::apply(self, rgb)
    }
}

impl FixedFunction for SignalRange {
    fn name(&self) -> &str {
        match self {
            SignalRange::Full => "full range",
            SignalRange::Legal => "legal range (64-940)",
        }
    }

    fn apply(&self, rgb: [f64; 3]) -> [f64; 3] {
        rgb.map(|c| SignalRange::apply(*self, c))
    }
}

/// The pipeline tail of a display output id (ACES2065-1 → code values), if it is one.
pub fn display_output(id: &str) -> Option<Output> {
    let transform = OutputTransform::from_id(id)?;
    Some(Output {
        id: id.to_owned(),
        name: transform.info().name.to_owned(),
        ops: vec![Op::Fixed(Arc::new(transform))],
        linear: false,
    })
}

/// Every display output id, in listing order.
pub fn display_output_ids() -> impl Iterator<Item = &'static str> {
    list().iter().map(|o| o.id)
}

impl Output {
    /// The same output with its signal put in `range` as the last step (no clipping).
    pub fn with_range(mut self, range: SignalRange) -> Self {
        if range != SignalRange::Full {
            self.ops.push(Op::Fixed(Arc::new(range)));
        }
        self
    }

    /// The same output with the ACES 1.3 reference gamut compression in front of it.
    pub fn with_gamut_compression(mut self) -> Self {
        self.ops
            .insert(0, Op::Fixed(Arc::new(GamutCompression::reference())));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::{resolve_output, Pipeline};

    #[test]
    fn display_ids_resolve_to_the_output_transform() {
        let out = resolve_output("aces2-sdr-rec709").unwrap();
        let direct = OutputTransform::from_id("aces2-sdr-rec709").unwrap();
        let x = [0.3, 0.12, 0.05];
        assert_eq!(Pipeline::new(out.ops.clone()).apply(x), direct.apply(x));
        assert!(!out.linear);
    }

    #[test]
    fn legal_range_is_the_last_step_and_gamut_compression_the_first() {
        let out = resolve_output("aces2-hdr-rec2100-pq1000")
            .unwrap()
            .with_gamut_compression()
            .with_range(SignalRange::Legal);
        let p = Pipeline::new(out.ops);
        let black = p.apply([0.0; 3]);
        assert!((black[0] * 1023.0 - 64.0).abs() < 0.01, "{black:?}");
        // A colour far outside AP1 changes when compressed first.
        let blue_led = [0.02, 0.05, 1.2];
        let plain = Pipeline::new(resolve_output("aces2-hdr-rec2100-pq1000").unwrap().ops);
        assert_ne!(
            p.apply(blue_led),
            plain.apply(blue_led).map(|c| SignalRange::Legal.apply(c))
        );
    }
}
