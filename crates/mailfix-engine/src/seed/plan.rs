//! The seed plan: for every input row, who it names, whether it can be applied at all, and per
//! method what to do (create / skip / update / conflict / blocked / invalid). Built purely from the
//! checked rows, the directory lookups and the methods read.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;

use super::csv::{CsvOptions, RowProblem};
use super::decide::{Decision, decide_email, decide_phones};
use super::input::SeedEntry;
use super::methods::{MethodKind, UserMethods};
use super::phone::{Region, is_masked};
use super::resolve::{Lookup, Resolved};
use crate::finding::UserRef;

/// What to seed from where: the file and how to read it, and whether differing values are updated.
#[derive(Clone, Debug, Default)]
pub struct SeedInput {
    /// The HR export.
    pub file: PathBuf,
    /// Delimiter and `--map`.
    pub csv: CsvOptions,
    /// `--default-region`.
    pub default_region: Option<Region>,
    /// `--update`: replace values that differ instead of reporting conflicts.
    pub update: bool,
}

/// One method of a row and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MethodPlan {
    /// Which slot.
    pub kind: MethodKind,
    /// The normalised value (empty when the input was unusable; the reason says what it was).
    pub value: String,
    /// What to do.
    #[serde(flatten)]
    pub decision: Decision,
    /// Graph showed the registered number masked: it was compared by the digits it shows.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
}

/// Whether a row can be applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum RowStatus {
    /// The user is known and its methods were read (when it has values to apply).
    Ready,
    /// The row names no user.
    NoUser {
        /// Why.
        reason: String,
    },
    /// An earlier row names the same user; this one is not applied.
    Duplicate {
        /// The earlier row's line.
        of: u64,
    },
    /// No such user in the directory.
    UnknownUser,
    /// Looking the user up failed.
    LookupFailed {
        /// Why.
        reason: String,
    },
    /// Reading the user's methods failed.
    ReadFailed {
        /// Why.
        reason: String,
    },
}

/// One input row, planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowPlan {
    /// 1-based line of the file.
    pub line: u64,
    /// The user as the file gives it.
    pub upn: String,
    /// The user, once resolved.
    pub user: Option<UserRef>,
    /// Whether the row can be applied.
    #[serde(flatten)]
    pub status: RowStatus,
    /// Per method, in the order they are applied (only for [`RowStatus::Ready`] rows).
    pub methods: Vec<MethodPlan>,
    /// The row's unusable values, for rows that are not ready.
    pub problems: Vec<String>,
}

impl RowPlan {
    /// The planned remote writes of the row.
    pub fn writes(&self) -> impl Iterator<Item = &MethodPlan> {
        self.methods.iter().filter(|m| m.decision.is_write())
    }
}

/// A whole plan.
#[derive(Clone, Debug)]
pub struct SeedPlan {
    /// What it was made from.
    pub input: SeedInput,
    /// SHA-256 of the file (hex), so that a resume reads the same file.
    pub sha256: String,
    /// Every input row, in file order.
    pub rows: Vec<RowPlan>,
}

impl SeedPlan {
    /// How many remote writes the plan makes.
    pub fn writes(&self) -> usize {
        self.rows.iter().map(|r| r.writes().count()).sum()
    }

    /// How long the writes take at least under Graph's reports limit of `per_window` requests per
    /// `window`, which Microsoft's throttling table lists for `authenticationMethod`
    /// (microsoft-graph-docs-contrib `includes/throttling-entra-logs-reports.md`).
    pub fn time_at_reports_limit(
        &self,
        per_window: usize,
        window: std::time::Duration,
    ) -> std::time::Duration {
        let windows = self.writes().div_ceil(per_window.max(1));
        window.saturating_mul(u32::try_from(windows).unwrap_or(u32::MAX))
    }
}

/// The users whose methods must be read: ready (resolved, not duplicate) rows with a valid value.
pub fn users_to_read<'a>(entries: &'a [SeedEntry], resolved: &'a Resolved) -> Vec<&'a UserRef> {
    let mut users: Vec<&UserRef> = entries
        .iter()
        .filter(|e| has_valid_value(e))
        .filter_map(|e| resolved.user(&e.upn))
        .collect();
    users.sort_by(|a, b| a.id.cmp(&b.id));
    users.dedup_by(|a, b| a.id == b.id);
    users
}

fn has_valid_value(entry: &SeedEntry) -> bool {
    entry.valid_mobile().is_some()
        || entry.valid_alternate_mobile().is_some()
        || entry.valid_email().is_some()
}

/// Plans every row. `methods` holds, by user id, what was read (or why reading failed).
pub fn plan_rows(
    entries: &[SeedEntry],
    problems: &[RowProblem],
    resolved: &Resolved,
    methods: &HashMap<String, Result<UserMethods, String>>,
    update: bool,
) -> Vec<RowPlan> {
    let mut rows: Vec<RowPlan> = entries
        .iter()
        .map(|e| plan_entry(e, resolved, methods, update))
        .collect();
    rows.extend(problems.iter().map(|p| RowPlan {
        line: p.line,
        upn: String::new(),
        user: None,
        status: RowStatus::NoUser {
            reason: p.reason.clone(),
        },
        methods: Vec::new(),
        problems: Vec::new(),
    }));
    rows.sort_by_key(|r| r.line);
    rows
}

fn plan_entry(
    entry: &SeedEntry,
    resolved: &Resolved,
    methods: &HashMap<String, Result<UserMethods, String>>,
    update: bool,
) -> RowPlan {
    let user = resolved.user(&entry.upn).cloned();
    let mut row = RowPlan {
        line: entry.line,
        upn: entry.upn.clone(),
        user: user.clone(),
        status: RowStatus::Ready,
        methods: Vec::new(),
        problems: Vec::new(),
    };
    let existing = user.as_ref().and_then(|u| methods.get(&u.id));
    row.status = match (entry.duplicate_of, resolved.get(&entry.upn), existing) {
        (Some(of), _, _) => RowStatus::Duplicate { of },
        (None, None | Some(Lookup::Missing), _) => RowStatus::UnknownUser,
        (None, Some(Lookup::Failed(reason)), _) => RowStatus::LookupFailed {
            reason: reason.clone(),
        },
        (None, Some(Lookup::Found(_)), Some(Err(reason))) => RowStatus::ReadFailed {
            reason: reason.clone(),
        },
        (None, Some(Lookup::Found(_)), read) => {
            let empty = UserMethods::default();
            let have = read.and_then(|r| r.as_ref().ok()).unwrap_or(&empty);
            row.methods = plan_methods(entry, have, update);
            return row;
        }
    };
    row.problems = entry
        .problems()
        .into_iter()
        .filter(|p| !p.starts_with("duplicate of"))
        .collect();
    row
}

/// The row's methods: phones (mobile first) then email; unusable values as `Invalid`.
fn plan_methods(entry: &SeedEntry, have: &UserMethods, update: bool) -> Vec<MethodPlan> {
    let mut out = Vec::new();
    let phones = decide_phones(
        &have.phones,
        entry.valid_mobile(),
        entry.valid_alternate_mobile(),
        update,
    );
    let mut phones = phones.into_iter();
    let slots = [
        (MethodKind::Mobile, &entry.mobile),
        (MethodKind::AlternateMobile, &entry.alternate_mobile),
    ];
    for (kind, value) in slots {
        match value {
            Some(Ok(_)) => {
                if let Some(d) = phones.next() {
                    let masked = have
                        .phones
                        .iter()
                        .any(|p| p.phone_type == d.phone_type && is_masked(&p.phone_number));
                    out.push(MethodPlan {
                        kind,
                        value: d.number,
                        decision: d.decision,
                        masked,
                    });
                }
            }
            Some(Err(reason)) => out.push(invalid(kind, reason)),
            None => {}
        }
    }
    match &entry.email {
        Some(Ok(address)) => out.push(MethodPlan {
            kind: MethodKind::Email,
            value: address.clone(),
            decision: decide_email(&have.emails, address, update),
            masked: false,
        }),
        Some(Err(reason)) => out.push(invalid(MethodKind::Email, reason)),
        None => {}
    }
    out
}

fn invalid(kind: MethodKind, reason: &str) -> MethodPlan {
    MethodPlan {
        kind,
        value: String::new(),
        decision: Decision::Invalid {
            reason: reason.to_owned(),
        },
        masked: false,
    }
}
