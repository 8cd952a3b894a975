//! Whom to look at (README "Scan", whom to look at): groups resolved transitively, every user, named users, or a users
//! file, streamed as users with the requested `$select`, non-user members and excluded accounts
//! counted by reason instead of returned.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use futures::stream::{self, BoxStream, StreamExt};
use mailfix_client::models::{DirectoryObject, Group, User};
use mailfix_client::{Client, GroupId, Membership, Query, UserId};
use serde::Serialize;

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct ScopeSpec {
    /// Groups by display name or object id (transitive membership).
    pub groups: Vec<String>,
    /// Every user of the tenant.
    pub all_users: bool,
    /// Users by UPN or object id.
    pub users: Vec<String>,
    /// A file with one UPN or object id per line (`#` comments and blank lines ignored); `-` is
    /// standard input.
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

/// Where a listed user was named: `--user`, or a line of the users file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The key as given (a UPN or an object id).
    pub user: String,
    /// `--user`, the users file's path, or `stdin` for `--users-file -`.
    pub source: String,
    /// The line of the users file (from 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "'{}' ({} line {line})", self.user, self.source),
            None => write!(f, "'{}' ({})", self.user, self.source),
        }
    }
}

/// A listed user the directory does not have.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotFound {
    /// Where the user was named.
    #[serde(flatten)]
    pub named: Named,
    /// `no-such-user` (the directory answered 404) or `not-a-upn-or-id` (never asked: the text
    /// is neither a UPN nor an object id).
    pub reason: &'static str,
}

impl fmt::Display for NotFound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.reason {
            NOT_A_KEY => "not a UPN or object id",
            _ => "no such user in the directory",
        };
        write!(f, "{}: {why}", self.named)
    }
}

/// [`NotFound::reason`] for a 404.
pub const NO_SUCH_USER: &str = "no-such-user";
/// [`NotFound::reason`] for text that cannot name a user.
pub const NOT_A_KEY: &str = "not-a-upn-or-id";

/// A resolved scope: the groups found and how to stream its users.
#[derive(Clone, Debug)]
pub struct Scope {
    spec: ScopeSpec,
    /// Groups the names and ids resolved to.
    pub groups: Vec<Group>,
    listed_users: Vec<String>,
    /// Where each of `listed_users` was named (same order).
    named: Vec<Named>,
    /// The listed users found missing so far by [`Scope::users`].
    not_found: Arc<Mutex<Vec<NotFound>>>,
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
        let mut named: Vec<Named> = spec
            .users
            .iter()
            .map(|user| Named {
                user: user.clone(),
                source: "--user".to_owned(),
                line: None,
            })
            .collect();
        if let Some(path) = &spec.users_file {
            named.extend(read_users_file(path)?);
        }
        Ok(Self {
            spec,
            groups,
            listed_users: named.iter().map(|n| n.user.clone()).collect(),
            named,
            not_found: Arc::default(),
        })
    }

    /// The listed users (`--user`, `--users-file`) that [`Scope::users`] found missing, in the
    /// order they were named. Complete once that stream has ended.
    pub fn not_found(&self) -> Vec<NotFound> {
        let mut found = self
            .not_found
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let order = |n: &NotFound| self.named.iter().position(|m| *m == n.named);
        found.sort_by_key(order);
        found
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
            self.not_found
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
            let missing = self.not_found.clone();
            sources.push(listed(client.clone(), self.named.clone(), fields, missing));
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
    named: Vec<Named>,
    fields: Vec<String>,
    missing: Arc<Mutex<Vec<NotFound>>>,
) -> BoxStream<'static, Result<ScopeItem, ScopeError>> {
    // Text that cannot name a user is never sent; it is reported with where it came from.
    let (keys, refused): (Vec<Named>, Vec<Named>) =
        named.into_iter().partition(|n| is_user_key(&n.user));
    let refused: Vec<Result<ScopeItem, ScopeError>> = refused
        .into_iter()
        .map(|named| {
            record_missing(&missing, named, NOT_A_KEY);
            Ok(ScopeItem::Skipped("not-found".into()))
        })
        .collect();
    // Read in slices so that a long users file never holds every user's properties at once.
    let slices: Vec<Vec<Named>> = keys.chunks(LISTED_SLICE).map(<[Named]>::to_vec).collect();
    let read = stream::iter(slices)
        .then(move |slice| {
            let (client, fields, missing) = (client.clone(), fields.clone(), missing.clone());
            async move { fetch_listed(&client, slice, &fields, &missing).await }
        })
        .flat_map(|result| match result {
            Ok(items) => stream::iter(items).boxed(),
            Err(e) => stream::iter(vec![Err(e)]).boxed(),
        });
    stream::iter(refused).chain(read).boxed()
}

/// Whether `text` can name a user: an object id (a GUID) or a UPN (`local@domain`, no spaces).
fn is_user_key(text: &str) -> bool {
    if uuid::Uuid::parse_str(text).is_ok() {
        return true;
    }
    match text.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !text.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn record_missing(missing: &Mutex<Vec<NotFound>>, named: Named, reason: &'static str) {
    missing
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(NotFound { named, reason });
}

async fn fetch_listed(
    client: &Client,
    named: Vec<Named>,
    fields: &[String],
    missing: &Mutex<Vec<NotFound>>,
) -> Result<Vec<Result<ScopeItem, ScopeError>>, ScopeError> {
    let ids: Vec<UserId> = named.iter().map(|n| UserId(n.user.clone())).collect();
    let select: Vec<&str> = fields.iter().map(|f| f.as_str()).collect();
    let answers = client.graph().get_users(&ids, &select).await?;
    Ok(answers
        .into_iter()
        .zip(named)
        .map(|((_, answer), named)| match answer {
            Ok(user) => Ok(ScopeItem::User(user)),
            Err(e) if e.is_not_found() => {
                record_missing(missing, named, NO_SUCH_USER);
                Ok(ScopeItem::Skipped("not-found".into()))
            }
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

/// The users file's entries with their line numbers; `-` reads standard input.
fn read_users_file(path: &Path) -> Result<Vec<Named>, ScopeError> {
    let unreadable = |source| ScopeError::UsersFile {
        path: path.to_owned(),
        source,
    };
    let stdin = path == Path::new("-");
    let text = match stdin {
        true => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(unreadable)?;
            text
        }
        false => std::fs::read_to_string(path).map_err(unreadable)?,
    };
    let source = match stdin {
        true => "stdin".to_owned(),
        false => path.display().to_string(),
    };
    let users: Vec<Named> = text
        .lines()
        .enumerate()
        .map(|(at, l)| (at + 1, l.trim().trim_start_matches('\u{feff}')))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .map(|(line, user)| Named {
            user: user.to_owned(),
            source: source.clone(),
            line: Some(line),
        })
        .collect();
    if users.is_empty() {
        return Err(ScopeError::EmptyUsersFile(path.to_owned()));
    }
    Ok(users)
}
