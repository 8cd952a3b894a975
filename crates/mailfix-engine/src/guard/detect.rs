//! Change detection: which users in scope changed since the last cycle, at a cost proportional to
//! the change.
//!
//! The first cycle (and any cycle after the service refused the delta link) asks Graph for a delta
//! link "from now" (`$deltatoken=latest`: one request, no users) and then reads the whole scope as
//! `scan` does; every later cycle follows the link (`/users/delta` with the rules' `$select`): one
//! request when nothing changed, one per page of changes otherwise. Taking the link before the full
//! read means nothing that changes during the read is missed (it comes back in the next round).
//!
//! Group scopes: user delta does not follow group membership, so each changed user is checked
//! against the scope's groups with `checkMemberGroups` (transitive, 20 users per `$batch`) — only
//! the changed users, never the group's whole membership. A user added to a scope group without any
//! change of its own is seen at the next full read (see `GuardOptions::full_every`).

use std::collections::{HashMap, HashSet};

use futures::StreamExt as _;
use mailfix_client::models::User;
use mailfix_client::{Client, DeltaItem, DeltaStart, GroupId, UserId, needs_resync};

use super::GuardError;
use crate::collect::USER_FIELDS;
use crate::scope::{Scope, ScopeItem};

/// What one detection found.
#[derive(Debug, Default)]
pub struct Detection {
    /// Whether the whole scope was read.
    pub full: bool,
    /// The reason a delta link was refused, when it was (the cycle then reads everything).
    pub resync: Option<String>,
    /// Users in scope to check, each once.
    pub users: Vec<User>,
    /// Entries the round returned (a full read: members listed).
    pub changes: u64,
    /// Members and changed users left out (not in scope, disabled, guests, removed), by reason.
    pub skipped: HashMap<String, u64>,
    /// Where the next round starts.
    pub link: String,
}

/// The properties a delta round tracks and returns: what the rules and the scope need.
pub fn tracked_fields() -> Vec<String> {
    USER_FIELDS.iter().map(|f| (*f).to_owned()).collect()
}

/// Reads what changed since `link`, or the whole scope when there is no link or the service
/// refuses it.
pub async fn detect(
    client: &Client,
    scope: &Scope,
    link: Option<&str>,
) -> Result<Detection, GuardError> {
    if let Some(link) = link {
        match changes(client, link).await {
            Ok((users, removed, next)) => {
                return in_scope(client, scope, users, removed, next).await;
            }
            Err(e) if needs_resync(&e) => {
                let mut detection = full(client, scope).await?;
                detection.resync = Some(e.to_string());
                return Ok(detection);
            }
            Err(e) => return Err(e.into()),
        }
    }
    full(client, scope).await
}

/// A link from now, then every user of the scope.
async fn full(client: &Client, scope: &Scope) -> Result<Detection, GuardError> {
    let (_, _, link) = round(
        client,
        DeltaStart::Latest {
            select: tracked_fields(),
        },
    )
    .await?;
    let mut detection = Detection {
        full: true,
        link,
        ..Detection::default()
    };
    let mut members = scope.users(client, &USER_FIELDS);
    while let Some(item) = members.next().await {
        detection.changes += 1;
        match item? {
            ScopeItem::User(user) => detection.users.push(user),
            ScopeItem::Skipped(reason) => *detection.skipped.entry(reason).or_default() += 1,
        }
    }
    Ok(detection)
}

/// The users a delta round returned (the last entry of each user wins), the ids removed, and the
/// next link.
async fn changes(
    client: &Client,
    link: &str,
) -> Result<(Vec<User>, u64, String), mailfix_client::Error> {
    round(client, DeltaStart::Link(link.to_owned())).await
}

async fn round(
    client: &Client,
    start: DeltaStart,
) -> Result<(Vec<User>, u64, String), mailfix_client::Error> {
    let mut items = client.graph().users_delta(start);
    let mut users: HashMap<String, User> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut removed = 0;
    let mut link = None;
    while let Some(item) = items.next().await {
        match item? {
            DeltaItem::Changed(user) => {
                // A replay or a second change of the same user: the last entry wins.
                if users.insert(user.id.clone(), user.clone()).is_none() {
                    order.push(user.id);
                }
            }
            DeltaItem::Removed { id, .. } => {
                removed += 1;
                users.remove(&id);
            }
            DeltaItem::DeltaLink(next) => link = Some(next),
        }
    }
    let link = link.ok_or_else(|| {
        mailfix_client::Error::new(
            mailfix_client::ErrorKind::Decode,
            "the delta round ended without an @odata.deltaLink",
        )
    })?;
    let users = order
        .into_iter()
        .filter_map(|id| users.remove(&id))
        .collect();
    Ok((users, removed, link))
}

/// Keeps the changed users that are in scope (and not disabled or guests, unless asked for).
async fn in_scope(
    client: &Client,
    scope: &Scope,
    users: Vec<User>,
    removed: u64,
    link: String,
) -> Result<Detection, GuardError> {
    let mut detection = Detection {
        changes: users.len() as u64 + removed,
        link,
        ..Detection::default()
    };
    if removed > 0 {
        detection.skipped.insert("removed".to_owned(), removed);
    }
    let spec = scope.spec();
    let (chosen, rest): (Vec<User>, Vec<User>) = match spec.all_users {
        true => (users, Vec::new()),
        false => users.into_iter().partition(|u| is_listed(scope, u)),
    };
    let members = members_of_groups(client, scope, rest).await?;
    for user in chosen.into_iter().chain(members.0) {
        match excluded(scope, &user) {
            Some(reason) => *detection.skipped.entry(reason.to_owned()).or_default() += 1,
            None => detection.users.push(user),
        }
    }
    if members.1 > 0 {
        detection
            .skipped
            .insert("not-in-scope".to_owned(), members.1);
    }
    Ok(detection)
}

/// Whether the user is named by `--user` or `--users-file` (by id or UPN, case-insensitive).
fn is_listed(scope: &Scope, user: &User) -> bool {
    scope.listed().iter().any(|key| {
        key.eq_ignore_ascii_case(&user.id)
            || user
                .user_principal_name
                .as_deref()
                .is_some_and(|upn| key.eq_ignore_ascii_case(upn))
    })
}

/// The users among `users` that belong to a scope group, transitively (`checkMemberGroups` in
/// `$batch`), and how many do not.
async fn members_of_groups(
    client: &Client,
    scope: &Scope,
    users: Vec<User>,
) -> Result<(Vec<User>, u64), GuardError> {
    if scope.groups.is_empty() || users.is_empty() {
        return Ok((Vec::new(), users.len() as u64));
    }
    let groups: Vec<GroupId> = scope.groups.iter().map(|g| GroupId(g.id.clone())).collect();
    let ids: Vec<UserId> = users.iter().map(|u| UserId(u.id.clone())).collect();
    let answers = client.graph().member_groups(&ids, &groups).await?;
    let mut inside: HashSet<String> = HashSet::new();
    for (id, answer) in answers {
        match answer {
            Ok(found) if !found.is_empty() => {
                inside.insert(id.0);
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (kept, left): (Vec<User>, Vec<User>) =
        users.into_iter().partition(|u| inside.contains(&u.id));
    Ok((kept, left.len() as u64))
}

/// Why a changed user in scope is left out, as the scope would have left it out.
fn excluded(scope: &Scope, user: &User) -> Option<&'static str> {
    let spec = scope.spec();
    if !spec.include_disabled && user.account_enabled == Some(false) {
        return Some("disabled");
    }
    let guest = user
        .user_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("guest"));
    (!spec.include_guests && guest).then_some("guest")
}
