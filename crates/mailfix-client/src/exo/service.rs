//! [`Exchange`], the handle the Exchange operations hang off.

use crate::client::Client;

/// Exchange operations of a [`Client`] (cheap to clone).
#[derive(Clone, Debug)]
pub struct Exchange {
    pub(crate) client: Client,
}

impl Exchange {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }
}
