//! Typed Exchange Online admin operations over `InvokeCommand`: [`Exchange`] and one file per
//! cmdlet family.

pub mod domains;
pub mod endpoint;
pub mod error;
pub mod invoke;
pub mod mailboxes;
mod service;
pub mod users;

pub use endpoint::ExchangeEndpoint;
pub use invoke::ExoPage;
pub use mailboxes::{
    AddressChange, AddressOutcome, MAILBOXES_PER_FILTER, MailboxIdentity, secondary_address,
};
pub use service::Exchange;
