//! Camera and ACES encodings: transfer curves, gamuts and the registry of input spaces.
