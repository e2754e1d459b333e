//! lookwire's device drivers and wire codecs, one module per device family,
//! with a simulator of each device under [`sim`] for tests and the demo show.

pub mod sim;
