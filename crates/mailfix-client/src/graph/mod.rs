//! Typed Graph v1.0 operations: [`Graph`] and one file per operation family.

pub mod audit;
pub mod delta;
pub(crate) mod error;
pub mod groups;
pub mod members;
pub mod membership;
pub mod methods;
pub mod reports;
mod requests;
mod service;
pub mod users;

pub use delta::{DeltaItem, DeltaStart, needs_resync};
pub use members::Membership;
pub use service::Graph;
