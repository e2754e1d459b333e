//! Route tests without a socket (`tower::ServiceExt::oneshot`).

mod cameras;
mod devices;
mod devices_certify;
mod devices_live;
mod grade_nodes;
mod openapi;
mod recording;
mod resources;
mod security;
mod ws;

pub use super::testkit::{assert_error, TestApp as TestServer};
