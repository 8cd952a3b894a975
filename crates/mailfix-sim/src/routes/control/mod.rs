//! The `/_sim/` control plane (ARCHITECTURE.md lists its routes; COVERAGE.md its JSON shapes).

pub mod hiring;
pub mod plane;
pub mod registration;
pub mod users;
pub mod webhooks;

pub use plane::router;
