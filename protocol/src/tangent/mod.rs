//! Tangent control surfaces (Element, Wave, Ripple, Arc) through the Tangent Hub's TIPC
//! protocol (protocols.md §5; partly public): the codec of every command §5 lists, both
//! ways ([`wire`]), a Hub client over TCP ([`client`]) and lookwire's own parameter and
//! action ids ([`ids`]). The Controls / Default Map XML schema is not established: lookwire
//! ships none (protocol/README.md says what the user must do).

mod app;
pub mod client;
mod hub;
pub mod ids;
pub mod wire;

pub use client::{AppDefinition, HubClient, HubEvent, DEFAULT_ADDRESS};
pub use wire::{AppCommand, DisplayLine, HubCommand, Panel, TipcError};
