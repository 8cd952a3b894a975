//! `seed` end to end (SPEC §7). [`plan_seed`] reads: the file, the users (batched), the tenant's
//! domains, the users' methods (batched), and plans every row; the caller shows the plan and asks
//! for confirmation; [`dry_run`] reports the plan as it stands, [`execute`] applies it under a new
//! or resumed journal run and reports every row.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use mailfix_client::{Client, Permission, UserId};
use sha2::{Digest, Sha256};

use super::apply::{ApplyOptions, apply_plan};
use super::csv::read_hr_csv;
use super::error::{PER_USER_403, SeedError, refusals_are_per_user};
use super::input::{SeedOptions, mark_duplicates, prepare};
use super::methods::{UserMethods, read_methods};
use super::outcome::{MethodOutcome, RowReport, SeedReport};
use super::plan::{SeedInput, SeedPlan, plan_rows, users_to_read};
use super::resolve::{resolve_users, tenant_domains};
use super::resume::{ResumeTarget, StoredOptions};
use crate::events::{Command, Event, Phase, Reporter};
use crate::journal::{Journal, NewRun, RunStatus};

/// Reads everything the plan needs and plans every row. Only reads.
pub async fn plan_seed(
    client: &Client,
    input: SeedInput,
    reporter: &dyn Reporter,
) -> Result<SeedPlan, SeedError> {
    let bytes = std::fs::read(&input.file).map_err(|source| SeedError::File {
        path: input.file.clone(),
        source,
    })?;
    let sha256 = hex(&Sha256::digest(&bytes));
    let file = read_hr_csv(&bytes[..], &input.csv).map_err(|source| SeedError::Csv {
        path: input.file.clone(),
        source,
    })?;
    reporter.report(&Event::Phase {
        phase: Phase::Scope,
    });
    let resolved = resolve_users(client, file.rows.iter().map(|r| r.upn.as_str())).await?;
    let tenant_domains = if file.rows.iter().any(|r| r.email.is_some()) {
        tenant_domains(client, &resolved.seen_domains, reporter).await
    } else {
        resolved.seen_domains.iter().cloned().collect()
    };
    let options = SeedOptions {
        default_region: input.default_region,
        tenant_domains,
    };
    let mut entries = prepare(&file.rows, &options);
    mark_duplicates(&mut entries, |e| match resolved.user(&e.upn) {
        Some(user) => user.id.clone(),
        None => e.upn.trim().to_lowercase(),
    });
    reporter.report(&Event::Phase { phase: Phase::Scan });
    let users: Vec<UserId> = users_to_read(&entries, &resolved)
        .into_iter()
        .map(|u| UserId(u.id.clone()))
        .collect();
    let mut methods: HashMap<String, Result<UserMethods, String>> = HashMap::new();
    let per_user = refusals_are_per_user(client, Permission::AuthMethodReadAll).await;
    for (user, read) in users.iter().zip(read_methods(client, &users).await?) {
        let read = match read {
            Ok(m) => Ok(m),
            Err(e) if e.is_forbidden() && per_user => Err(format!("{PER_USER_403} ({e})")),
            Err(e) if e.is_forbidden() || e.is_unauthorized() => return Err(e.into()),
            Err(e) => Err(e.to_string()),
        };
        methods.insert(user.0.clone(), read);
    }
    reporter.report(&Event::Phase { phase: Phase::Plan });
    let rows = plan_rows(&entries, &file.problems, &resolved, &methods, input.update);
    Ok(SeedPlan {
        input,
        sha256,
        rows,
    })
}

impl SeedPlan {
    /// Refuses a plan with more writes than `max` (`--max-changes`).
    pub fn check_max_changes(&self, max: Option<usize>) -> Result<(), SeedError> {
        match max {
            Some(max) if self.writes() > max => Err(SeedError::TooManyChanges {
                planned: self.writes(),
                max,
            }),
            _ => Ok(()),
        }
    }
}

/// The report of a plan that is not applied (`--dry-run`): writes show as `would-create` /
/// `would-update`.
pub fn dry_run(plan: &SeedPlan) -> SeedReport {
    SeedReport::new(None, true, false, planned_rows(plan))
}

/// The report of a plan with no writes: every row ends as planned, and no run is journaled.
pub fn without_writes(plan: &SeedPlan) -> SeedReport {
    SeedReport::new(None, false, false, planned_rows(plan))
}

fn planned_rows(plan: &SeedPlan) -> Vec<RowReport> {
    plan.rows
        .iter()
        .map(|r| {
            let outcomes = r
                .methods
                .iter()
                .map(|m| MethodOutcome::planned(&m.decision))
                .collect();
            RowReport::new(r, outcomes)
        })
        .collect()
}

/// Which journal run the writes belong to.
#[derive(Clone, Debug)]
pub enum RunStart {
    /// A new run (only begun when the plan has writes).
    New {
        /// The tenant, recorded with the run.
        tenant: Option<String>,
    },
    /// Take an earlier run up again ([`super::resume::resume_target`]).
    Resume(ResumeTarget),
}

/// Applies `plan` and reports every row. `stop` (Ctrl-C) stops new writes; the report then says
/// `interrupted` and the run can be resumed.
pub async fn execute(
    client: &Client,
    journal: &Journal,
    plan: &SeedPlan,
    start: RunStart,
    options: &ApplyOptions,
    reporter: &dyn Reporter,
    stop: &AtomicBool,
) -> Result<SeedReport, SeedError> {
    let run = match start {
        RunStart::New { .. } if plan.writes() == 0 => return Ok(without_writes(plan)),
        RunStart::New { tenant } => {
            let options = serde_json::to_value(StoredOptions::of(plan))
                .map_err(|e| SeedError::Resume(format!("cannot record the options: {e}")))?;
            let new = NewRun {
                command: Command::Seed,
                options,
                tenant,
            };
            journal.begin_run(&new)?.id
        }
        RunStart::Resume(target) => {
            if target.sha256 != plan.sha256 {
                return Err(SeedError::Resume(format!(
                    "{} changed since run {} started; start a new run with it instead",
                    plan.input.file.display(),
                    target.run
                )));
            }
            reporter.report(&Event::Phase {
                phase: Phase::Resume,
            });
            journal.resume_run(&target.run)?.id
        }
    };
    reporter.report(&Event::RunStarted {
        command: Command::Seed,
        run: Some(run.clone()),
        targets: Some(plan.writes() as u64),
    });
    let started = Instant::now();
    let (outcomes, interrupted) =
        match apply_plan(client, journal, &run, plan, options, reporter, stop).await {
            Ok(done) => done,
            Err(e) => {
                let summary = serde_json::json!({"error": e.to_string()});
                journal.finish_run(&run, RunStatus::Failed, &summary)?;
                return Err(e);
            }
        };
    let rows = plan
        .rows
        .iter()
        .zip(outcomes)
        .map(|(row, outcomes)| RowReport::new(row, outcomes))
        .collect();
    let report = SeedReport::new(Some(run.clone()), false, interrupted, rows);
    let status = if interrupted {
        RunStatus::Interrupted
    } else {
        RunStatus::Finished
    };
    let summary = serde_json::to_value(&report.summary).unwrap_or_default();
    journal.finish_run(&run, status, &summary)?;
    reporter.report(&Event::RunFinished {
        run: Some(run),
        elapsed: started.elapsed(),
        done: report.summary.rows - report.summary.not_done,
        not_done: report.summary.not_done,
    });
    Ok(report)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
