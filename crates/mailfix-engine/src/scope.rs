//! Whom to look at (SPEC §2): groups resolved transitively, every user, named users, or a users
//! file, streamed as users with the requested `$select`, non-user members and excluded accounts
//! counted by reason instead of returned.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use futures::stream::{self, BoxStream, StreamExt};
use mailfix_client::models::{DirectoryObject, Group, User};
use mailfix_client::{Client, GroupId, Membership, Query, UserId};

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct ScopeSpec {
    /// Groups by display name or object id (transitive membership).
    pub groups: Vec<String>,
    /// Every user of the tenant.
    pub all_users: bool,
    /// Users by UPN or object id.
    pub users: Vec<String>,
    /// A file with one UPN or object id per line (`#` comments and blank lines ignored).
    pub users_file: Option<PathBuf>,
    /// Keep disabled accounts.
    pub include_disabled: bool,
    /// Keep guests.
    pub include_guests: bool,
}

impl ScopeSpec {
    /// Whether nothing was chosen.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && !self.all_users
            && self.users.is_empty()
            && self.users_file.is_none()
    }
}

/// Why the scope could not be resolved.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    /// Nothing chosen.
    #[error("no scope given")]
    Empty,
    /// No group has that name or id.
    #[error("no group named or with id '{0}'")]
    UnknownGroup(String),
    /// Several groups share the name.
    #[error("the group name '{name}' matches {} groups", candidates.len())]
    AmbiguousGroup {
        /// The name given.
        name: String,
        /// Each matching group (id, display name).
        candidates: Vec<(String, String)>,
    },
    /// The users file could not be read.
    #[error("cannot read users file {path}")]
    UsersFile {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The users file names nobody (empty, or only blank lines and comments).
    #[error("the users file {0} names no users")]
    EmptyUsersFile(PathBuf),
    /// A service call failed.
    #[error(transparent)]
    Client(#[from] mailfix_client::Error),
}

impl ScopeError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            ScopeError::Empty => Some("choose whom to look at: --group, --all-users, --user or --users-file".into()),
            ScopeError::UnknownGroup(_) => Some("check the name (an exact, case-insensitive match of the display name) or pass the group's object id".into()),
            ScopeError::AmbiguousGroup { candidates, .. } => Some(format!(
                "pass one of these ids with --group: {}",
                candidates.iter().map(|(id, name)| format!("{id} ({name})")).collect::<Vec<_>>().join(", ")
            )),
            ScopeError::UsersFile { .. } => Some("check the path and that the file is readable; it holds one UPN or object id per line".into()),
            ScopeError::EmptyUsersFile(_) => Some("put one UPN or object id per line in it (blank lines and lines starting with # are skipped), or choose another scope: --group, --all-users, --user".into()),
            ScopeError::Client(e) => e.hint().map(str::to_owned),
        }
    }
}

/// One element of the scope stream.
#[derive(Clone, Debug)]
pub enum ScopeItem {
    /// A user in scope.
    User(User),
    /// A member or account left out, with the reason (`group`, `device`, `contact`,
    /// `servicePrincipal`, `disabled`, `guest`, `not-found`).
    Skipped(String),
}

/// A resolved scope: the groups found and how to stream its users.
#[derive(Clone, Debug)]
pub struct Scope {
    spec: ScopeSpec,
    /// Groups the names and ids resolved to.
    pub groups: Vec<Group>,
    listed_users: Vec<String>,
}

/// Counts of skipped members by reason.
pub type SkipCounts = BTreeMap<String, u64>;

/// The properties every scope read selects besides the caller's: needed to apply the
/// disabled/guest rules.
pub const SCOPE_FIELDS: [&str; 4] = ["id", "userPrincipalName", "accountEnabled", "userType"];

impl Scope {
    /// Resolves group names and reads the users file, so that errors surface before any work.
    pub async fn resolve(client: &Client, spec: ScopeSpec) -> Result<Self, ScopeError> {
        if spec.is_empty() {
            return Err(ScopeError::Empty);
        }
        let mut groups = Vec::new();
        for key in &spec.groups {
            groups.push(resolve_group(client, key).await?);
        }
        let mut listed_users = spec.users.clone();
        if let Some(path) = &spec.users_file {
            listed_users.extend(read_users_file(path)?);
        }
        Ok(Self {
            spec,
            groups,
            listed_users,
        })
    }

    /// The spec this scope was resolved from.
    pub fn spec(&self) -> &ScopeSpec {
        &self.spec
    }

    /// The users named by `--user` and `--users-file` (UPNs or object ids, as given).
    pub fn listed(&self) -> &[String] {
        &self.listed_users
    }

    /// A short description for reports: `group 'All Staff'`, `all users`, `3 users`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .groups
            .iter()
            .map(|g| format!("group '{}'", g.display_name.as_deref().unwrap_or(&g.id)))
            .collect();
        if self.spec.all_users {
            parts.push("all users".into());
        }
        if !self.listed_users.is_empty() {
            parts.push(format!("{} listed users", self.listed_users.len()));
        }
        parts.join(", ")
    }

    /// Streams the users in scope with `select` (plus [`SCOPE_FIELDS`]), each user once.
    /// Memory stays flat: nothing is kept but, when several sources could name a user twice, the
    /// ids seen so far.
    pub fn users(
        &self,
        client: &Client,
        select: &[&str],
    ) -> BoxStream<'static, Result<ScopeItem, ScopeError>> {
        let mut fields: Vec<String> = SCOPE_FIELDS.iter().map(|s| (*s).to_owned()).collect();
        for field in select {
            if !fields.iter().any(|f| f == field) {
                fields.push((*field).to_owned());
            }
        }
        let query = Query::new().select(fields.iter().map(String::as_str));
        let mut sources: Vec<BoxStream<'static, Result<ScopeItem, ScopeError>>> = Vec::new();
        if self.spec.all_users {
            sources.push(
                client
                    .graph()
                    .list_users(&query)
                    .map(|r| r.map(ScopeItem::User).map_err(ScopeError::from))
                    .boxed(),
            );
        }
        for group in &self.groups {
            let members =
                client
                    .graph()
                    .members(&GroupId(group.id.clone()), Membership::Transitive, &query);
            sources.push(
                members
                    .map(|r| r.map(member_item).map_err(ScopeError::from))
                    .boxed(),
            );
        }
        if !self.listed_users.is_empty() {
            sources.push(listed(client.clone(), self.listed_users.clone(), fields));
        }
        let (include_disabled, include_guests) =
            (self.spec.include_disabled, self.spec.include_guests);
        // One listing of all users, or of one group's transitive members, names each user once;
        // only a mix of sources (or a hand-written list) needs the set of ids seen so far.
        let dedupe = sources.len() > 1 || !self.listed_users.is_empty();
        let mut seen: HashSet<String> = HashSet::new();
        stream::iter(sources)
            .flatten()
            .filter_map(move |item| {
                let out = match item {
                    Ok(ScopeItem::User(user)) => {
                        if dedupe && !seen.insert(user.id.clone()) {
                            None
                        } else if !include_disabled && user.account_enabled == Some(false) {
                            Some(Ok(ScopeItem::Skipped("disabled".into())))
                        } else if !include_guests
                            && user
                                .user_type
                                .as_deref()
                                .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
                        {
                            Some(Ok(ScopeItem::Skipped("guest".into())))
                        } else {
                            Some(Ok(ScopeItem::User(user)))
                        }
                    }
                    other => Some(other),
                };
                futures::future::ready(out)
            })
            .boxed()
    }
}

fn member_item(object: DirectoryObject) -> ScopeItem {
    match object {
        DirectoryObject::User(user) => ScopeItem::User(user),
        other => ScopeItem::Skipped(other.kind().to_owned()),
    }
}

/// Listed users read per slice: ten `$batch` requests of 20.
const LISTED_SLICE: usize = 200;

fn listed(
    client: Client,
    keys: Vec<String>,
    fields: Vec<String>,
) -> BoxStream<'static, Result<ScopeItem, ScopeError>> {
    // Read in slices so that a long users file never holds every user's properties at once.
    let slices: Vec<Vec<String>> = keys.chunks(LISTED_SLICE).map(<[String]>::to_vec).collect();
    stream::iter(slices)
        .then(move |slice| {
            let (client, fields) = (client.clone(), fields.clone());
            async move { fetch_listed(&client, &slice, &fields).await }
        })
        .flat_map(|result| match result {
            Ok(items) => stream::iter(items).boxed(),
            Err(e) => stream::iter(vec![Err(e)]).boxed(),
        })
        .boxed()
}

async fn fetch_listed(
    client: &Client,
    keys: &[String],
    fields: &[String],
) -> Result<Vec<Result<ScopeItem, ScopeError>>, ScopeError> {
    let ids: Vec<UserId> = keys.iter().map(|k| UserId(k.clone())).collect();
    let select: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    let answers = client.graph().get_users(&ids, &select).await?;
    Ok(answers
        .into_iter()
        .map(|(_, answer)| match answer {
            Ok(user) => Ok(ScopeItem::User(user)),
            Err(e) if e.is_not_found() => Ok(ScopeItem::Skipped("not-found".into())),
            Err(e) => Err(ScopeError::from(e)),
        })
        .collect())
}

async fn resolve_group(client: &Client, key: &str) -> Result<Group, ScopeError> {
    if uuid::Uuid::parse_str(key).is_ok() {
        return match client.graph().get_group(&GroupId(key.to_owned())).await {
            Ok(group) => Ok(group),
            Err(e) if e.is_not_found() => Err(ScopeError::UnknownGroup(key.to_owned())),
            Err(e) => Err(e.into()),
        };
    }
    let mut found = client.graph().find_groups(key).await?;
    match found.len() {
        0 => Err(ScopeError::UnknownGroup(key.to_owned())),
        1 => Ok(found.remove(0)),
        _ => Err(ScopeError::AmbiguousGroup {
            name: key.to_owned(),
            candidates: found
                .into_iter()
                .map(|g| (g.id.clone(), g.display_name.unwrap_or_default()))
                .collect(),
        }),
    }
}

fn read_users_file(path: &Path) -> Result<Vec<String>, ScopeError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScopeError::UsersFile {
        path: path.to_owned(),
        source,
    })?;
    let users: Vec<String> = text
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if users.is_empty() {
        return Err(ScopeError::EmptyUsersFile(path.to_owned()));
    }
    Ok(users)
}
