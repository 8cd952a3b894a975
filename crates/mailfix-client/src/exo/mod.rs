//! Typed Exchange Online admin operations over `InvokeCommand`: [`Exchange`] and one file per
//! cmdlet family.

pub mod domains;
pub mod endpoint;
pub mod error;
pub mod invoke;
pub mod mailboxes;
pub mod users;

pub use endpoint::ExchangeEndpoint;
pub use invoke::ExoPage;
pub use mailboxes::{AddressChange, AddressOutcome, MailboxIdentity, secondary_address};

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
