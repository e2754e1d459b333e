//! Simulators of each device family, used by the tests and the demo show.
