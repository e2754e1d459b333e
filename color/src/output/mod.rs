//! Display transforms: ACES 2.0 and ACES 1.3 output transforms and display encodings.
