//! Renderers of baked looks over pixel buffers: a scalar reference and one module per CPU level.
