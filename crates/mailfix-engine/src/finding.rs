//! Findings: what a rule reports about one user, with the stable field names of README "Scan".

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Info < Warning < Error` (for `--fail-on`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Context only; nothing to do.
    Info,
    /// Something to look at; the user may still be able to register.
    Warning,
    /// The user cannot complete registration until this is fixed.
    Error,
}

impl Severity {
    /// The spelling used in every output format: `info`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A user as findings, events and reports name it: object id and UPN.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct UserRef {
    /// Entra object id.
    pub id: String,
    /// `userPrincipalName` (the id when the directory did not return one).
    pub upn: String,
}

impl UserRef {
    /// A reference from an id and a UPN.
    pub fn new(id: impl Into<String>, upn: impl Into<String>) -> Self {
        UserRef {
            id: id.into(),
            upn: upn.into(),
        }
    }
}

impl fmt::Display for UserRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.upn)
    }
}

/// One rule's verdict on one user. Field names are part of mailfix's output contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule id, e.g. `MF001`.
    pub rule: String,
    /// Rule name, e.g. `empty-mail`.
    pub name: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The user concerned.
    pub user: UserRef,
    /// What exactly is wrong with this user, in one line.
    pub detail: String,
    /// Whether a mailfix command repairs it.
    pub fixable: bool,
    /// What to do about it.
    pub remedy: String,
}
