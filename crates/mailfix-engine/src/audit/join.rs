//! The join of `audit`: each user's current `mail`, `onPremisesSyncEnabled` and mailbox plan,
//! read once per user with `$select` of just those (in `$batch`es of 20), or taken from the scope's
//! own reads when a scope was given.

use std::collections::HashMap;

use futures::TryStreamExt as _;
use mailfix_client::models::User;
use mailfix_client::{Client, UserId};

use crate::events::{Event, Reporter};
use crate::facts::UserFacts;
use crate::finding::UserRef;
use crate::scope::{Scope, ScopeError, ScopeItem, SkipCounts};

/// The properties the join reads (the mailbox plan comes from `assignedPlans`).
pub const JOIN_SELECT: [&str; 5] = [
    "id",
    "userPrincipalName",
    "mail",
    "onPremisesSyncEnabled",
    "assignedPlans",
];

/// The directory facts of the users `audit` talks about, found by id or UPN.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    facts: Vec<UserFacts>,
    by_id: HashMap<String, usize>,
    by_upn: HashMap<String, usize>,
}

impl Directory {
    /// Adds a user read from Graph.
    pub fn insert(&mut self, user: &User) {
        let facts = UserFacts::from_user(user);
        let index = self.facts.len();
        self.by_id.insert(facts.user.id.clone(), index);
        self.by_upn
            .insert(facts.user.upn.to_ascii_lowercase(), index);
        self.facts.push(facts);
    }

    /// The facts of a user named by id or UPN (`None`: not in the directory).
    pub fn lookup(&self, user: &UserRef) -> Option<&UserFacts> {
        self.by_id
            .get(&user.id)
            .or_else(|| self.by_upn.get(&user.upn.to_ascii_lowercase()))
            .map(|&i| &self.facts[i])
    }

    /// The users, in the order they were added.
    pub fn users(&self) -> impl Iterator<Item = &UserFacts> {
        self.facts.iter()
    }

    /// How many users are known.
    pub fn len(&self) -> usize {
        self.facts.len()
    }

    /// Whether no user is known.
    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }
}

/// Reads the users named by events (by object id, or by UPN when an event gave no id), each
/// once. Users that no longer exist are left out (their `mail` is unknown).
pub async fn read_directory(
    client: &Client,
    users: &[UserRef],
    reporter: &dyn Reporter,
) -> Result<Directory, mailfix_client::Error> {
    let mut keys: Vec<UserId> = Vec::with_capacity(users.len());
    let mut seen = std::collections::HashSet::new();
    for user in users {
        let key = if user.id.is_empty() {
            &user.upn
        } else {
            &user.id
        };
        if !key.is_empty() && seen.insert(key.to_ascii_lowercase()) {
            keys.push(UserId(key.clone()));
        }
    }
    let answers = client.graph().get_users(&keys, &JOIN_SELECT).await?;
    let mut directory = Directory::default();
    let mut missing = 0u64;
    for (_, answer) in answers {
        match answer {
            Ok(user) => directory.insert(&user),
            Err(e) if e.is_not_found() => missing += 1,
            Err(e) => return Err(e),
        }
    }
    reporter.report(&Event::Scanned {
        read: directory.len() as u64,
        skipped: missing,
    });
    Ok(directory)
}

/// Streams a scope's users with [`JOIN_SELECT`] (so they are read once, by the scope itself);
/// returns them and the members skipped by reason.
pub async fn read_scope(
    client: &Client,
    scope: &Scope,
    reporter: &dyn Reporter,
) -> Result<(Directory, SkipCounts), ScopeError> {
    let mut directory = Directory::default();
    let mut skipped = SkipCounts::new();
    let mut stream = scope.users(client, &JOIN_SELECT);
    while let Some(item) = stream.try_next().await? {
        match item {
            ScopeItem::User(user) => {
                directory.insert(&user);
                if directory.len() % 500 == 0 {
                    reporter.report(&Event::Scanned {
                        read: directory.len() as u64,
                        skipped: skipped.values().sum(),
                    });
                }
            }
            ScopeItem::Skipped(reason) => *skipped.entry(reason).or_default() += 1,
        }
    }
    reporter.report(&Event::Scanned {
        read: directory.len() as u64,
        skipped: skipped.values().sum(),
    });
    Ok((directory, skipped))
}
