//! The original fix script: list the group's members, keep those with an empty `mail`, for each
//! one in turn `Get-Mailbox` then `Set-Mailbox -EmailAddresses @{Add=...}` with
//! `<alias>.forcemailwriteback@<domain>`, re-list the whole group every poll until none is empty,
//! then remove the addresses one by one.
//!
//! Three deviations, so that it does mailfix's job and ends: it reads the group's transitive
//! members (the script read the direct ones; mailfix fixes nested members too), it leaves out
//! disabled members and guests as mailfix's scope does by default, and it waits for the members
//! it added an address to, not for every member with an empty `mail` (the script never ends when
//! a member cannot be fixed, e.g. a synced user or one without a mailbox, which `small` has).

use std::collections::HashSet;
use std::time::Duration;

use mailfix_client::models::User;
use mailfix_client::{Client, Membership, Query};
use serde_json::{Value, json};

/// The properties the script's module returned that the baseline needs: the AzureAD module's
/// member objects carried them all (Graph's default set lacks `accountEnabled` and `userType`).
const MEMBER_FIELDS: [&str; 5] = [
    "id",
    "userPrincipalName",
    "mail",
    "accountEnabled",
    "userType",
];

/// Runs the script on `group`'s members.
pub async fn run(
    client: &Client,
    group: &str,
    domain: &str,
    poll: Duration,
) -> anyhow::Result<Value> {
    let id = super::members::group_id(client, group).await?;
    let listing = Query::new().top(super::scan::PAGE).select(MEMBER_FIELDS);
    let members =
        super::members::user_members(client, &id, Membership::Transitive, &listing).await?;
    let empty: Vec<String> = members
        .iter()
        .filter(|u| in_mailfix_scope(u) && u.mail_is_empty())
        .map(|u| {
            u.user_principal_name
                .clone()
                .unwrap_or_else(|| u.id.clone())
        })
        .collect();
    let mut added: Vec<(String, String)> = Vec::new();
    let mut failed = 0u64;
    for upn in &empty {
        match add_alias(client, upn, domain).await {
            Ok(address) => added.push((upn.clone(), address)),
            Err(_) => failed += 1,
        }
    }
    let waiting: HashSet<&str> = added.iter().map(|(upn, _)| upn.as_str()).collect();
    let mut polls = 0u64;
    loop {
        tokio::time::sleep(poll).await;
        polls += 1;
        let members =
            super::members::user_members(client, &id, Membership::Transitive, &listing).await?;
        let pending = members
            .iter()
            .filter(|u| u.mail_is_empty())
            .filter(|u| {
                u.user_principal_name
                    .as_deref()
                    .is_some_and(|upn| waiting.contains(upn))
            })
            .count();
        if pending == 0 {
            break;
        }
    }
    let mut removed = 0u64;
    for (upn, address) in &added {
        if client.exo().remove_address(upn, address).await.is_ok() {
            removed += 1;
        }
    }
    Ok(json!({
        "members": members.len(),
        "empty_mail": empty.len(),
        "added": added.len(),
        "added_upns": added.iter().map(|(upn, _)| upn).collect::<Vec<_>>(),
        "failed": failed,
        "polls": polls,
        "removed": removed,
    }))
}

/// The members mailfix's scope keeps by default: enabled members, not guests (so that both
/// programs work on the same users; the script itself did not look).
fn in_mailfix_scope(user: &User) -> bool {
    user.account_enabled != Some(false) && user.user_type.as_deref() != Some("Guest")
}

/// `Get-Mailbox` for the alias, then `Set-Mailbox` adding the temporary address; the address.
async fn add_alias(client: &Client, upn: &str, domain: &str) -> anyhow::Result<String> {
    let mailbox = client.exo().get_mailbox(upn).await?;
    let alias = mailbox
        .alias
        .unwrap_or_else(|| upn.split('@').next().unwrap_or(upn).to_owned());
    let address = format!("smtp:{alias}.forcemailwriteback@{domain}");
    client.exo().add_address(upn, &address).await?;
    Ok(address)
}
