//! How each row ended: per method an outcome, per row one result (`done`, `unchanged`, `conflict`,
//! `invalid`, ...) with a reason, and the summary that counts them. Field names are stable: they are
//! the `-o json` output and the `--report` CSV.

use std::collections::BTreeMap;

use serde::Serialize;

use super::decide::Decision;
use super::methods::MethodKind;
use super::plan::{MethodPlan, RowPlan, RowStatus};
use crate::finding::UserRef;
use crate::run_id::RunId;

/// How one method ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum MethodOutcome {
    /// Created.
    Created,
    /// Replaced (`--update`).
    Updated,
    /// The same value was already registered.
    Unchanged,
    /// Dry run: would be created.
    WouldCreate,
    /// Dry run: would be replaced.
    WouldUpdate,
    /// A different value is registered (no `--update`).
    Conflict {
        /// The registered value.
        existing: String,
    },
    /// The value is unusable.
    Invalid {
        /// Why.
        reason: String,
    },
    /// Could not be done (an alternate mobile without a mobile).
    Blocked {
        /// Why.
        reason: String,
    },
    /// The write failed.
    Failed {
        /// Why.
        reason: String,
    },
    /// Not attempted: the run was interrupted first.
    Pending,
}

impl MethodOutcome {
    /// What the plan says before anything is sent (dry run, or not reached).
    pub fn planned(decision: &Decision) -> MethodOutcome {
        match decision {
            Decision::Create => MethodOutcome::WouldCreate,
            Decision::Update { .. } => MethodOutcome::WouldUpdate,
            Decision::Skip => MethodOutcome::Unchanged,
            Decision::Conflict { existing } => MethodOutcome::Conflict {
                existing: existing.clone(),
            },
            Decision::Blocked { reason } => MethodOutcome::Blocked {
                reason: reason.clone(),
            },
            Decision::Invalid { reason } => MethodOutcome::Invalid {
                reason: reason.clone(),
            },
        }
    }

    /// Whether the method is (or, in a dry run, would be) in place.
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            MethodOutcome::Created
                | MethodOutcome::Updated
                | MethodOutcome::Unchanged
                | MethodOutcome::WouldCreate
                | MethodOutcome::WouldUpdate
        )
    }

    fn reason(&self) -> Option<String> {
        match self {
            MethodOutcome::Conflict { existing } => Some(format!(
                "{existing} is registered (pass --update to replace it)"
            )),
            MethodOutcome::Invalid { reason }
            | MethodOutcome::Blocked { reason }
            | MethodOutcome::Failed { reason } => Some(reason.clone()),
            MethodOutcome::Pending => Some("not attempted: the run was interrupted".to_owned()),
            _ => None,
        }
    }
}

/// One method of a row in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MethodReport {
    /// Which slot.
    pub kind: MethodKind,
    /// The normalised value.
    pub value: String,
    /// `create`, `update`, `skip` or `none`.
    pub action: &'static str,
    /// How it ended.
    #[serde(flatten)]
    pub outcome: MethodOutcome,
    /// The registered number was masked and compared by the digits shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
}

/// How a row ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowResult {
    /// Every value is in place and at least one was written.
    Done,
    /// Every value was already in place.
    Unchanged,
    /// Dry run: every value is in place or would be written.
    Planned,
    /// The row has a user but no values.
    Empty,
    /// Some values are in place, others not.
    Partial,
    /// Values differ from the registered ones (no `--update`).
    Conflict,
    /// The row's values (or the row itself) are unusable.
    Invalid,
    /// No such user.
    UnknownUser,
    /// An earlier row names the same user.
    Duplicate,
    /// A lookup, read or write failed.
    Failed,
    /// Not attempted: the run was interrupted.
    Pending,
}

impl RowResult {
    /// Every result, in report order.
    pub const ALL: [RowResult; 11] = [
        RowResult::Done,
        RowResult::Unchanged,
        RowResult::Planned,
        RowResult::Empty,
        RowResult::Partial,
        RowResult::Conflict,
        RowResult::Invalid,
        RowResult::UnknownUser,
        RowResult::Duplicate,
        RowResult::Failed,
        RowResult::Pending,
    ];

    /// The stable spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            RowResult::Done => "done",
            RowResult::Unchanged => "unchanged",
            RowResult::Planned => "planned",
            RowResult::Empty => "empty",
            RowResult::Partial => "partial",
            RowResult::Conflict => "conflict",
            RowResult::Invalid => "invalid",
            RowResult::UnknownUser => "unknown-user",
            RowResult::Duplicate => "duplicate",
            RowResult::Failed => "failed",
            RowResult::Pending => "pending",
        }
    }

    /// Whether the row needs no more work (exit 4 when any row does).
    pub fn is_done(self) -> bool {
        matches!(
            self,
            RowResult::Done | RowResult::Unchanged | RowResult::Planned | RowResult::Empty
        )
    }

    /// The result of a ready row from its methods' outcomes.
    pub fn of_methods(outcomes: &[&MethodOutcome]) -> RowResult {
        use MethodOutcome as M;
        let any = |f: fn(&MethodOutcome) -> bool| outcomes.iter().any(|o| f(o));
        if outcomes.is_empty() {
            RowResult::Empty
        } else if any(|o| *o == M::Pending) {
            RowResult::Pending
        } else if outcomes.iter().all(|o| o.is_ok()) {
            if any(|o| matches!(o, M::WouldCreate | M::WouldUpdate)) {
                RowResult::Planned
            } else if any(|o| matches!(o, M::Created | M::Updated)) {
                RowResult::Done
            } else {
                RowResult::Unchanged
            }
        } else if any(MethodOutcome::is_ok) {
            RowResult::Partial
        } else if any(|o| matches!(o, M::Failed { .. })) {
            RowResult::Failed
        } else if any(|o| matches!(o, M::Conflict { .. })) {
            RowResult::Conflict
        } else {
            RowResult::Invalid
        }
    }
}

/// One input row in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowReport {
    /// 1-based line of the file.
    pub line: u64,
    /// The user as the file gives it.
    pub upn: String,
    /// The resolved user.
    pub user: Option<UserRef>,
    /// How the row ended.
    pub result: RowResult,
    /// Per method: `mobile:create; email:skip`.
    pub action: String,
    /// Why the row is not done (or what went wrong with some of its values).
    pub reason: Option<String>,
    /// Per method.
    pub methods: Vec<MethodReport>,
}

impl RowReport {
    /// The report of a planned row whose methods ended with `outcomes` (same order as
    /// `row.methods`).
    pub fn new(row: &RowPlan, outcomes: Vec<MethodOutcome>) -> RowReport {
        let methods: Vec<MethodReport> = row
            .methods
            .iter()
            .zip(outcomes)
            .map(|(m, outcome)| method_report(m, outcome))
            .collect();
        let (result, mut reasons) = match &row.status {
            RowStatus::Ready => {
                let outcomes: Vec<&MethodOutcome> = methods.iter().map(|m| &m.outcome).collect();
                (RowResult::of_methods(&outcomes), Vec::new())
            }
            RowStatus::NoUser { reason } => (RowResult::Invalid, vec![reason.clone()]),
            RowStatus::Duplicate { of } => (
                RowResult::Duplicate,
                vec![format!("duplicate of line {of}; not applied")],
            ),
            RowStatus::UnknownUser => (
                RowResult::UnknownUser,
                vec![format!("no user '{}' in the directory", row.upn)],
            ),
            RowStatus::LookupFailed { reason } => (
                RowResult::Failed,
                vec![format!("cannot look the user up: {reason}")],
            ),
            RowStatus::ReadFailed { reason } => (
                RowResult::Failed,
                vec![format!("cannot read the user's methods: {reason}")],
            ),
        };
        reasons.extend(row.problems.iter().cloned());
        reasons.extend(
            methods
                .iter()
                .filter_map(|m| m.outcome.reason().map(|r| format!("{}: {r}", m.kind))),
        );
        let action = methods
            .iter()
            .map(|m| format!("{}:{}", m.kind, m.action))
            .collect::<Vec<_>>()
            .join("; ");
        RowReport {
            line: row.line,
            upn: row.upn.clone(),
            user: row.user.clone(),
            result,
            action,
            reason: (!reasons.is_empty()).then(|| reasons.join("; ")),
            methods,
        }
    }
}

fn method_report(plan: &MethodPlan, outcome: MethodOutcome) -> MethodReport {
    MethodReport {
        kind: plan.kind,
        value: plan.value.clone(),
        action: plan.decision.verb(),
        outcome,
        masked: plan.masked,
    }
}

/// Counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SeedSummary {
    /// Input rows (problem rows included).
    pub rows: u64,
    /// Rows by result (every result present, zero included).
    pub results: BTreeMap<&'static str, u64>,
    /// Methods created.
    pub created: u64,
    /// Methods updated.
    pub updated: u64,
    /// Methods already in place.
    pub unchanged: u64,
    /// Writes that failed.
    pub failed_writes: u64,
    /// Rows not done (exit 4 when above zero).
    pub not_done: u64,
    /// Registered phone numbers Graph showed masked (delegated Authentication Administrator),
    /// compared by the digits shown.
    #[serde(skip_serializing_if = "is_zero")]
    pub masked_compared: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What the report says about masked numbers.
pub const MASKED_NOTE: &str = "Graph showed these registered phone numbers masked (a delegated \
    Authentication Administrator sees only masked numbers): they were compared by the digits \
    shown, country code and last digits; sign in as a Privileged Authentication Administrator, or \
    with an app, to compare whole numbers";

impl SeedSummary {
    /// Counts the rows of a report.
    pub fn of(rows: &[RowReport]) -> SeedSummary {
        let mut summary = SeedSummary {
            rows: rows.len() as u64,
            results: RowResult::ALL.iter().map(|r| (r.as_str(), 0)).collect(),
            ..SeedSummary::default()
        };
        for row in rows {
            *summary.results.entry(row.result.as_str()).or_default() += 1;
            summary.not_done += u64::from(!row.result.is_done());
            for m in &row.methods {
                summary.masked_compared += u64::from(m.masked);
                match m.outcome {
                    MethodOutcome::Created => summary.created += 1,
                    MethodOutcome::Updated => summary.updated += 1,
                    MethodOutcome::Unchanged => summary.unchanged += 1,
                    MethodOutcome::Failed { .. } => summary.failed_writes += 1,
                    _ => {}
                }
            }
        }
        summary
    }
}

/// What a seed run (or a dry run) produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeedReport {
    /// The journal run, when anything was written.
    pub run: Option<RunId>,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Whether Ctrl-C stopped it before the end.
    pub interrupted: bool,
    /// One entry per input row, in file order.
    pub rows: Vec<RowReport>,
    /// Counts.
    pub summary: SeedSummary,
    /// What the reader must know to read the rows right (e.g. masked numbers).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl SeedReport {
    /// A report from rows.
    pub fn new(run: Option<RunId>, dry_run: bool, interrupted: bool, rows: Vec<RowReport>) -> Self {
        let summary = SeedSummary::of(&rows);
        let mut notes = Vec::new();
        if summary.masked_compared > 0 {
            notes.push(format!("{} {MASKED_NOTE}", summary.masked_compared));
        }
        SeedReport {
            run,
            dry_run,
            interrupted,
            rows,
            summary,
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_results_from_method_outcomes() {
        use MethodOutcome as M;
        let of = |o: &[MethodOutcome]| RowResult::of_methods(&o.iter().collect::<Vec<_>>());
        assert_eq!(of(&[]), RowResult::Empty);
        assert_eq!(of(&[M::Created, M::Unchanged]), RowResult::Done);
        assert_eq!(of(&[M::Unchanged]), RowResult::Unchanged);
        assert_eq!(of(&[M::WouldCreate, M::Unchanged]), RowResult::Planned);
        let conflict = M::Conflict {
            existing: "+1 2065550100".into(),
        };
        assert_eq!(of(&[M::Created, conflict.clone()]), RowResult::Partial);
        assert_eq!(of(std::slice::from_ref(&conflict)), RowResult::Conflict);
        let failed = M::Failed { reason: "x".into() };
        assert_eq!(of(&[conflict, failed]), RowResult::Failed);
        assert_eq!(of(&[M::Created, M::Pending]), RowResult::Pending);
        assert!(!RowResult::Partial.is_done() && RowResult::Empty.is_done());
    }
}
