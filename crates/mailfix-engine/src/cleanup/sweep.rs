//! `cleanup --sweep`: find temporary aliases that no journal tracks, in the scope's mailboxes.
//!
//! The mailbox (`EmailAddresses`, listed once for the tenant and joined on
//! `ExternalDirectoryObjectId`) is the authority on what is there; a stuck user's alias never
//! reaches the directory. The directory's `proxyAddresses` are used only for users whose mailbox
//! the listing did not return. Only secondary (`smtp:`) addresses carrying mailfix's marker or
//! the original script's `.forcemailwriteback@` are taken; an alias that became the primary
//! address is reported and left alone.

use std::collections::{HashMap, HashSet};

use futures::StreamExt as _;

use crate::aliases::{strip_smtp, temp_alias_kind};
use crate::events::{Event, Phase, Reporter};
use crate::finding::UserRef;
use crate::fix::FixError;
use crate::journal::ItemRecord;
use crate::scope::{Scope, ScopeItem};

/// Temporary aliases found on one user's mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundAliases {
    /// The user.
    pub user: UserRef,
    /// The addresses, bare and lowercase.
    pub addresses: Vec<String>,
}

struct Seen {
    user: UserRef,
    directory: Vec<String>,
    mailbox: Option<Vec<String>>,
}

/// Reads the scope's users and the tenant's mailboxes; returns the temporary aliases not among
/// `known` (the journal's items, which cleanup removes anyway).
pub async fn find(
    client: &mailfix_client::Client,
    scope: &Scope,
    known: &[ItemRecord],
    reporter: &dyn Reporter,
) -> Result<Vec<FoundAliases>, FixError> {
    reporter.report(&Event::Phase { phase: Phase::Scan });
    let mut seen = scope_users(client, scope, reporter).await?;
    let mut mailboxes = client.exo().list_mailboxes();
    while let Some(mailbox) = mailboxes.next().await {
        let mailbox = mailbox?;
        let Some(id) = mailbox.external_directory_object_id.as_deref() else {
            continue;
        };
        if let Some(entry) = seen.get_mut(&id.to_ascii_lowercase()) {
            entry.mailbox = Some(temp_aliases(
                &mailbox.email_addresses,
                &entry.user,
                reporter,
            ));
        }
    }
    let known = known_addresses(known);
    let mut found: Vec<FoundAliases> = seen
        .into_iter()
        .filter_map(|(id, entry)| {
            let addresses: Vec<String> = entry
                .mailbox
                .unwrap_or(entry.directory)
                .into_iter()
                .filter(|a| !known.contains(&(id.clone(), a.clone())))
                .collect();
            (!addresses.is_empty()).then_some(FoundAliases {
                user: entry.user,
                addresses,
            })
        })
        .collect();
    found.sort_by(|a, b| a.user.upn.cmp(&b.user.upn));
    Ok(found)
}

/// (user id, address) of every journal item, lowercase.
fn known_addresses(known: &[ItemRecord]) -> HashSet<(String, String)> {
    known
        .iter()
        .flat_map(|i| {
            i.planned
                .split_whitespace()
                .map(|a| (i.user.id.to_ascii_lowercase(), a.to_ascii_lowercase()))
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn scope_users(
    client: &mailfix_client::Client,
    scope: &Scope,
    reporter: &dyn Reporter,
) -> Result<HashMap<String, Seen>, FixError> {
    let mut seen = HashMap::new();
    let (mut read, mut skipped) = (0, 0);
    let mut users = scope.users(client, &["proxyAddresses"]);
    while let Some(item) = users.next().await {
        match item? {
            ScopeItem::User(user) => {
                read += 1;
                let facts = crate::facts::UserFacts::from_user(&user);
                let directory = temp_aliases(&facts.proxy_addresses, &facts.user, reporter);
                let entry = Seen {
                    user: facts.user,
                    directory,
                    mailbox: None,
                };
                seen.insert(user.id.to_ascii_lowercase(), entry);
            }
            ScopeItem::Skipped(_) => skipped += 1,
        }
    }
    reporter.report(&Event::Scanned { read, skipped });
    Ok(seen)
}

/// The secondary temporary aliases among `addresses`, bare and lowercase.
fn temp_aliases(addresses: &[String], user: &UserRef, reporter: &dyn Reporter) -> Vec<String> {
    let mut out = Vec::new();
    for address in addresses {
        if temp_alias_kind(address).is_none() {
            continue;
        }
        if address.starts_with("SMTP:") {
            reporter.report(&Event::Warning {
                message: format!(
                    "{user}: the temporary alias {} is the primary address; left alone",
                    strip_smtp(address)
                ),
            });
            continue;
        }
        let bare = strip_smtp(address).to_ascii_lowercase();
        if !out.contains(&bare) {
            out.push(bare);
        }
    }
    out
}
