//! lookwire's server: command line, show model, store, HTTP/WebSocket API,
//! device manager, preview and exports.

pub mod api;
pub mod auth;
pub mod cli;
pub mod device_registry;
pub mod devices;
pub mod image;
pub mod looks;
pub mod post;
pub mod preview;
pub mod show;
pub mod store;
pub mod sync;
pub mod timecode;
