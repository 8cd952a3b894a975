//! Remediation: MF001 users are fixed through the same journaled path as `fix` (a fix run of the
//! users by object id: alias, watch, remove), at most `--max-changes-per-cycle` a cycle, oldest
//! first. Guard's own table says where each user stands, so that a user is never planned twice:
//! queued users wait, users in a fix run are resumed after a crash (or put back in the queue when
//! the crash came before the run was journaled), and stuck or failed users are alerted once and
//! left alone.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::events::GuardEvent;
use super::notify::{FixLine, NoticeFixes};
use super::{GuardContext, GuardError, GuardOptions};
use crate::finding::UserRef;
use crate::fix::{FixOutcome, PreparedFix, execute, prepare};
use crate::fix::{ResumeOptions, resume};
use crate::journal::{GuardUserState, RunStatus};
use crate::run_id::RunId;
use crate::scope::{Scope, ScopeSpec};

/// What a cycle's plan decided.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Users whose fix starts now.
    pub fixing: Vec<UserRef>,
    /// Users left queued.
    pub deferred: usize,
}

/// Takes up the fix runs a crash or a stop left behind: resumes the ones the journal has, and puts
/// the users of a run it does not have back in the queue.
pub async fn recover(ctx: &GuardContext<'_>, scope: &str) -> Result<NoticeFixes, GuardError> {
    let mut runs: BTreeMap<RunId, Vec<UserRef>> = BTreeMap::new();
    let mut unstarted = Vec::new();
    for user in ctx.journal.guard_users(scope)? {
        match (user.state, user.run) {
            (GuardUserState::Fixing, Some(run)) => runs.entry(run).or_default().push(user.user),
            // Planned, but stopped before their fix run began: back in the queue.
            (GuardUserState::Fixing, None) => unstarted.push(user.user),
            _ => {}
        }
    }
    ctx.journal
        .set_guard_users(scope, &unstarted, GuardUserState::Queued, None, None)?;
    let mut fixes = NoticeFixes::default();
    for (run, users) in runs {
        if ctx.shutdown.is_cancelled() {
            break;
        }
        let Some(record) = ctx.journal.run(&run)? else {
            ctx.journal
                .set_guard_users(scope, &users, GuardUserState::Queued, None, None)?;
            continue;
        };
        let report = match record.status {
            // Ended with nothing left to resume (`partial`: some targets not fixed).
            RunStatus::Finished | RunStatus::Partial => {
                record.summary.clone().unwrap_or(Value::Null)
            }
            _ => {
                let outcome = resume(ctx.fix(), &record, &ResumeOptions::default()).await?;
                report_of(&outcome)?
            }
        };
        let absent = Absent::BackToQueue;
        merge(
            &mut fixes,
            settle(ctx, scope, &run, &users, &report, absent)?,
        );
    }
    Ok(fixes)
}

/// Picks this cycle's users from the queue (oldest first, at most `max`).
pub fn plan(ctx: &GuardContext<'_>, scope: &str, max: usize) -> Result<Plan, GuardError> {
    let queued: Vec<UserRef> = ctx
        .journal
        .guard_users(scope)?
        .into_iter()
        .filter(|u| u.state == GuardUserState::Queued)
        .map(|u| u.user)
        .collect();
    let deferred = queued.len().saturating_sub(max);
    let fixing: Vec<UserRef> = queued.into_iter().take(max).collect();
    // Taken out of the queue before anything is awaited: a cycle planned while this fix is still
    // on its way never picks them again.
    ctx.journal
        .set_guard_users(scope, &fixing, GuardUserState::Fixing, None, None)?;
    Ok(Plan { fixing, deferred })
}

/// Fixes the planned users in one fix run (the users are read again by id, so a user whose `mail`
/// was filled meanwhile is not touched).
pub async fn fix(
    ctx: &GuardContext<'_>,
    scope: &str,
    options: &GuardOptions,
    users: &[UserRef],
) -> Result<NoticeFixes, GuardError> {
    if users.is_empty() {
        return Ok(NoticeFixes::default());
    }
    let prepared = match start_run(ctx, options, users).await {
        Ok(Some(prepared)) => prepared,
        other => {
            // No run holds them: back in the queue for the next cycle (or the next start).
            ctx.journal
                .set_guard_users(scope, users, GuardUserState::Queued, None, None)?;
            return other.map(|_| NoticeFixes::default());
        }
    };
    let run = prepared.run.clone();
    ctx.journal.assign_guard_run(scope, users, &run)?;
    let outcome = execute(ctx.fix(), prepared).await?;
    let report = report_of(&outcome)?;
    settle(ctx, scope, &run, users, &report, Absent::NotNeeded)
}

/// Reads the planned users again and prepares their fix run (none once guard is stopping).
async fn start_run(
    ctx: &GuardContext<'_>,
    options: &GuardOptions,
    users: &[UserRef],
) -> Result<Option<PreparedFix>, GuardError> {
    if ctx.shutdown.is_cancelled() {
        return Ok(None);
    }
    let spec = ScopeSpec {
        users: users.iter().map(|u| u.id.clone()).collect(),
        ..ScopeSpec::default()
    };
    let resolved = Scope::resolve(ctx.client, spec).await?;
    let prepared = prepare(
        ctx.client,
        Some(ctx.journal),
        &resolved,
        options.fix.clone(),
        ctx.reporter,
    )
    .await?;
    Ok(Some(prepared))
}

fn report_of(outcome: &FixOutcome) -> Result<Value, GuardError> {
    if let Some(error) = &outcome.stopped_by {
        return Err(GuardError::Client(error.clone()));
    }
    Ok(serde_json::to_value(&outcome.report).unwrap_or(Value::Null))
}

/// What a user the run's report does not name means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Absent {
    /// The run read the user and did not need to fix it (its `mail` is filled now): forget it.
    NotNeeded,
    /// A resumed run: the crash may have come before the user was journaled: queue it again (the
    /// next fix run reads it afresh and leaves it alone if it needs nothing).
    BackToQueue,
}

/// Records where each of a run's users ended, from the run's report (`fix -o json`'s fields):
/// fixed users are forgotten, stuck and failed ones kept (alerted once), unfinished ones stay in
/// the run (resumed at the next start), and users the report does not name are handled as
/// `absent` says.
fn settle(
    ctx: &GuardContext<'_>,
    scope: &str,
    run: &RunId,
    users: &[UserRef],
    report: &Value,
    absent: Absent,
) -> Result<NoticeFixes, GuardError> {
    let list = |name: &str| -> Vec<FixLine> {
        report[name]
            .as_array()
            .map(|items| items.iter().filter_map(line).collect())
            .unwrap_or_default()
    };
    let fixes = NoticeFixes {
        run: Some(run.clone()),
        fixed: list("fixed"),
        stuck: list("stuck"),
        failed: list("failed"),
        deferred: 0,
    };
    let interrupted = report["status"] == "interrupted" || report["status"] == "failed";
    let unfinished: HashSet<String> = list("pending").into_iter().map(|l| l.user.id).collect();
    let ended: HashSet<&str> = [&fixes.fixed, &fixes.stuck, &fixes.failed]
        .into_iter()
        .flatten()
        .map(|l| l.user.id.as_str())
        .collect();
    let journal = ctx.journal;
    journal.drop_guard_users(scope, &refs(&fixes.fixed))?;
    for line in &fixes.stuck {
        let user = [line.user.clone()];
        journal.set_guard_users(
            scope,
            &user,
            GuardUserState::Stuck,
            None,
            Some(&line.detail),
        )?;
    }
    for line in &fixes.failed {
        let user = [line.user.clone()];
        journal.set_guard_users(
            scope,
            &user,
            GuardUserState::Failed,
            None,
            Some(&line.detail),
        )?;
    }
    let skipped: HashSet<String> = list("skipped").into_iter().map(|l| l.user.id).collect();
    let rest: Vec<UserRef> = users
        .iter()
        .filter(|u| !ended.contains(u.id.as_str()))
        .filter(|u| !interrupted && !unfinished.contains(&u.id))
        .cloned()
        .collect();
    let (named, unnamed): (Vec<UserRef>, Vec<UserRef>) =
        rest.into_iter().partition(|u| skipped.contains(&u.id));
    journal.drop_guard_users(scope, &named)?;
    match absent {
        Absent::NotNeeded => journal.drop_guard_users(scope, &unnamed)?,
        Absent::BackToQueue => {
            journal.set_guard_users(scope, &unnamed, GuardUserState::Queued, None, None)?
        }
    }
    ctx.observer.event(&GuardEvent::FixFinished {
        run: run.clone(),
        fixed: refs(&fixes.fixed),
        stuck: refs(&fixes.stuck),
        failed: refs(&fixes.failed),
        interrupted,
    });
    Ok(fixes)
}

fn line(item: &Value) -> Option<FixLine> {
    let id = item["id"].as_str()?;
    let upn = item["upn"].as_str().unwrap_or(id);
    let detail = match item["latency_s"].as_f64() {
        Some(s) => format!(
            "mail written back after {}",
            crate::duration::format_duration(std::time::Duration::from_secs_f64(s))
        ),
        None => item["reason"].as_str().unwrap_or("").to_owned(),
    };
    Some(FixLine {
        user: UserRef::new(id, upn),
        detail: if detail.is_empty() {
            "done".to_owned()
        } else {
            detail
        },
    })
}

fn refs(lines: &[FixLine]) -> Vec<UserRef> {
    lines.iter().map(|l| l.user.clone()).collect()
}

fn merge(into: &mut NoticeFixes, from: NoticeFixes) {
    into.fixed.extend(from.fixed);
    into.stuck.extend(from.stuck);
    into.failed.extend(from.failed);
    if into.run.is_none() {
        into.run = from.run;
    }
}
