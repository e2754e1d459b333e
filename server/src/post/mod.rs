//! Post handoff: everything that leaves the set for post production.
//!
//! - [`mhl`]: ASC MHL v2 histories (create, verify, diff) for packages and card copies.

pub mod api;
pub mod clips;
pub mod export;
pub mod exports;
pub mod frames;
pub mod grades;
pub mod matching;
pub mod media;
pub mod mhl;
pub mod pdf;
pub mod report;
pub mod show_log;
pub(crate) mod xml;
