//! lookwire's server: command line, show model, store, HTTP/WebSocket API,
//! device manager, preview and exports.

pub mod cli;
pub mod image;
pub mod post;
