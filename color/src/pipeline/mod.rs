//! A look as a list of ops held as data, optimised and baked into a 3D LUT.
