//! The script's way of scanning: list the population in pages of 100 (as the AzureAD module's
//! `Get-AzureADGroupMember -All $true` / `Get-AzureADUser -All $true` read them), with the default
//! properties, everything kept in memory, and keep the users whose `mail` is empty. It makes no
//! per-user reads and evaluates no other check.

use futures::TryStreamExt as _;
use mailfix_client::models::User;
use mailfix_client::{Client, Membership, Query};
use serde_json::{Value, json};

/// The AzureAD module's page size.
pub const PAGE: u32 = 100;

/// Scans the transitive members of `group` (mailfix's population), or every user when `group` is
/// `None`.
pub async fn run(client: &Client, group: Option<&str>) -> anyhow::Result<Value> {
    let query = Query::new().top(PAGE);
    let listed: Vec<User> = match group {
        Some(name) => {
            let id = super::members::group_id(client, name).await?;
            super::members::user_members(client, &id, Membership::Transitive, &query).await?
        }
        None => client.graph().list_users(&query).try_collect().await?,
    };
    let empty_mail = listed.iter().filter(|u| u.mail_is_empty()).count();
    Ok(json!({
        "listed": listed.len(),
        "empty_mail": empty_mail,
    }))
}
