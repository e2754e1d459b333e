//! Blackmagic Design cameras: the SDI camera-control codec and its serial path through the
//! 3G-SDI Arduino shield, the camera REST API, and the corrector both drive.
//!
//! The ATEM switchers' network camera-control path is not published by Blackmagic (only
//! reverse-engineered), so lookwire leaves it out (protocols.md §2.7).

pub mod corrector;
pub mod events;
pub mod rest;
pub mod sdi;
pub mod shield;
