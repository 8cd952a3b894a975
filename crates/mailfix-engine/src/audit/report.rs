//! What `audit` returns (README "Audit"): the period, the number of events, the contingency table with its
//! reading, and one row per user (classified, joined with the directory, failing users with their
//! likely cause and remedy). Serialises to the stable JSON of `audit -o json`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Serialize, Serializer};

use super::cause::likely_cause;
use super::classify::{AuditClass, ReasonCount, UserHistory};
use super::days::DayAttempts;
use super::join::Directory;
use super::offline::RecordProblem;
use super::table::{TableRow, contingency};
use crate::scope::SkipCounts;

/// Where the events came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Graph's `auditLogs/directoryAudits`.
    Graph,
    /// The portal's JSON download.
    Json,
    /// The portal's CSV download.
    Csv,
}

/// One user of the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditUser {
    /// Object id (current, from the directory, else from the events; empty if neither had one).
    pub id: String,
    /// UPN (current, from the directory, else from the events).
    pub upn: String,
    /// The class.
    pub class: AuditClass,
    /// Whether `mail` is empty now (`None`: the user is not in the directory).
    pub mail_empty: Option<bool>,
    /// `onPremisesSyncEnabled` (`None`: not in the directory).
    pub synced: Option<bool>,
    /// The enabled Exchange Online mailbox plan, if any.
    pub mailbox_plan: Option<String>,
    /// Registration attempts.
    pub attempts: u32,
    /// Failed attempts.
    pub failures: u32,
    /// Successful attempts.
    pub successes: u32,
    /// Failure reasons, most frequent first.
    pub reasons: Vec<ReasonCount>,
    /// Other events of the two services about the user.
    pub related_events: u32,
    /// First event.
    #[serde(serialize_with = "iso")]
    pub first: Option<DateTime<Utc>>,
    /// Last event.
    #[serde(serialize_with = "iso")]
    pub last: Option<DateTime<Utc>>,
    /// Likely cause (failing users only).
    pub cause: Option<String>,
    /// What to do (failing users only).
    pub remedy: Option<String>,
}

/// The result of `audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Where the events came from.
    pub source: SourceKind,
    /// Start of the period (`None`: a file read whole).
    #[serde(serialize_with = "iso")]
    pub since: Option<DateTime<Utc>>,
    /// End of the period (`None`: up to now).
    #[serde(serialize_with = "iso")]
    pub until: Option<DateTime<Utc>>,
    /// Events of the two services in the period.
    pub events: u64,
    /// The scope, when one was given (`group 'All Staff'`, ...).
    pub scope: Option<String>,
    /// Scope members left out, by reason.
    pub skipped: SkipCounts,
    /// The contingency table, one row per class.
    pub table: Vec<TableRow>,
    /// Its one-line reading.
    pub reading: String,
    /// Every user, failing first, then by UPN within a class.
    pub users: Vec<AuditUser>,
    /// The users' registration attempts per day over the period.
    pub days: Vec<DayAttempts>,
    /// Records of a file that could not be read (left out).
    pub problems: Vec<RecordProblem>,
}

impl AuditReport {
    /// The failing users.
    pub fn failing(&self) -> impl Iterator<Item = &AuditUser> {
        self.users.iter().filter(|u| u.class == AuditClass::Failing)
    }

    /// The row of one class.
    pub fn row(&self, class: AuditClass) -> Option<&TableRow> {
        self.table.iter().find(|r| r.class == class)
    }
}

/// The table, its reading and the user rows for classified users (see [`super::classify()`]),
/// joined with `directory`.
pub fn build_users(
    histories: &[UserHistory],
    directory: &Directory,
) -> (Vec<TableRow>, String, Vec<AuditUser>) {
    let table = contingency(histories, |u| {
        directory.lookup(u).map(|f| f.mail_is_empty())
    });
    let users = histories.iter().map(|h| audit_user(h, directory)).collect();
    (table.table, table.reading, users)
}

fn audit_user(history: &UserHistory, directory: &Directory) -> AuditUser {
    let facts = directory.lookup(&history.user);
    let cause = (history.class == AuditClass::Failing).then(|| likely_cause(history, facts));
    let (id, upn) = match facts {
        Some(f) => (f.user.id.clone(), f.user.upn.clone()),
        None => (history.user.id.clone(), history.user.upn.clone()),
    };
    AuditUser {
        id,
        upn,
        class: history.class,
        mail_empty: facts.map(|f| f.mail_is_empty()),
        synced: facts.map(|f| f.synced),
        mailbox_plan: facts.and_then(|f| f.mailbox_plan.as_ref().map(|p| p.name.clone())),
        attempts: history.attempts,
        failures: history.failures,
        successes: history.successes,
        reasons: history.failure_reasons.clone(),
        related_events: history.related_events,
        first: history.first,
        last: history.last,
        cause: cause.as_ref().map(|c| c.cause.clone()),
        remedy: cause.map(|c| c.remedy),
    }
}

/// A time as `2024-05-01T08:00:00Z` (RFC 3339, UTC), or `null`.
pub fn iso<S: Serializer>(time: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match time {
        Some(t) => s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        None => s.serialize_none(),
    }
}
