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
pub mod users;

pub use delta::{DeltaItem, DeltaStart, needs_resync};
pub use members::Membership;

use crate::client::Client;

/// Graph operations of a [`Client`] (cheap to clone).
#[derive(Clone, Debug)]
pub struct Graph {
    pub(crate) client: Client,
}

impl Graph {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
