//! The `/_sim/` control plane (ARCHITECTURE.md lists its routes; COVERAGE.md its JSON shapes).

pub mod plane;
pub mod registration;
pub mod users;

pub use plane::router;
