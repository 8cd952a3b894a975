//! [`Graph`], the handle the Graph operations hang off.

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
