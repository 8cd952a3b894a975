//! `Get-User`: the Exchange view of a directory user (tells a user without a mailbox, whose
//! `RecipientType` is `User`, from a mailbox user).

use super::Exchange;
use crate::error::Error;
use crate::models::Recipient;

impl Exchange {
    /// One user by identity (UPN, GUID, ...).
    pub async fn get_user(&self, identity: &str) -> Result<Recipient, Error> {
        self.invoke_one("Get-User", identity, &[]).await
    }
}
