//! Simulators of each device family, used by the tests and the demo show. Each one listens
//! on a real socket (or a pseudo-terminal) and checks every byte it is sent.

pub mod bmd_camera;
mod bmd_events;
pub mod lutbox;
pub mod osc_surface;
pub mod shield;
pub mod tangent_hub;
pub mod tsl_mixer;
pub mod videohub;
