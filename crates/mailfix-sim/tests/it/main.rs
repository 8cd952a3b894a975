//! Integration tests of the simulator over HTTP on loopback.

mod control;
mod exo;
mod faults;
mod registration;
mod scenario;
mod support;
mod throttle;
mod writeback;
