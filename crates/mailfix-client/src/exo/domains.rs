//! `Get-AcceptedDomain`: the domains an address may use.

use futures::TryStreamExt as _;
use serde_json::json;

use super::Exchange;
use crate::error::Error;
use crate::models::AcceptedDomain;

impl Exchange {
    /// Every accepted domain of the organisation.
    pub async fn accepted_domains(&self) -> Result<Vec<AcceptedDomain>, Error> {
        self.invoke_all::<AcceptedDomain>("Get-AcceptedDomain", json!({}), &[])
            .try_collect()
            .await
    }
}
