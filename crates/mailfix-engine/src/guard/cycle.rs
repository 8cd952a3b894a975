//! One guard cycle in two stages: detect what changed, apply the rules to the changed users in
//! scope and record the delta link with the users to fix (one journal transaction); then remediate,
//! notify, and count.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::Utc;
use mailfix_client::{CountersSnapshot, Service};

use super::detect::{Detection, detect};
use super::events::{CycleSummary, GuardEvent};
use super::notify::{Notice, NoticeFixes};
use super::{GuardContext, GuardError, GuardOptions, Mode, remedy};
use crate::facts::{MailboxPlans, UserFacts};
use crate::finding::{Finding, UserRef};
use crate::journal::{CycleRecord, GuardState, GuardUserState};
use crate::rules;
use crate::rules::mf001_empty_mail::EMPTY_MAIL;
use crate::scope::Scope;

/// A watched scope: resolved, with the key its state is kept under.
pub struct Watched<'a> {
    /// The scope.
    pub scope: &'a Scope,
    /// Its key in the journal.
    pub key: String,
}

/// How a cycle ended.
#[derive(Clone, Debug)]
pub struct CycleOutcome {
    /// Its counts.
    pub summary: CycleSummary,
    /// Findings still open at its end (the MF001 findings of users it fixed are not).
    pub open: Vec<Finding>,
}

/// A cycle whose changes are read, checked and recorded; what is left is its remediation, its
/// notice and its counts ([`finish_stage`]).
pub struct Detected {
    started: Instant,
    before: CountersSnapshot,
    detection: Detection,
    findings: Vec<Finding>,
    notice: Notice,
    targets: Vec<UserRef>,
    known: HashMap<String, GuardUserState>,
}

/// The first part of a cycle: detect, check, tell the findings, record the delta link with the
/// users to fix (and, in `alert` mode, send the notice).
pub async fn detect_stage(
    ctx: &GuardContext<'_>,
    watched: &Watched<'_>,
    options: &GuardOptions,
    recovered: NoticeFixes,
) -> Result<Detected, GuardError> {
    let started = Instant::now();
    let before = ctx.client.counters();
    let state = ctx.journal.guard_state(&watched.key)?.unwrap_or_default();
    let detection = changes(ctx, watched, options, &state).await?;
    let findings = check(&detection, &options.fix.plans);
    let known = known_users(ctx, &watched.key)?;
    // Findings are told before the link moves on: a crash in between shows them again at the
    // next start rather than never.
    for finding in &findings {
        ctx.observer.event(&GuardEvent::Finding {
            finding: finding.clone(),
        });
    }
    let mut notice = Notice {
        tenant: options.tenant.clone(),
        scope: watched.scope.describe(),
        mode: options.mode,
        cycle: state.cycles + 1,
        at: Utc::now(),
        checked: detection.users.len() as u64,
        full: detection.full,
        findings: to_alert(&findings, &known, options.mode),
        fixes: recovered,
    };
    if options.mode == Mode::Alert {
        // Without remediation the notice is complete now: sent before the link moves on, so a
        // crash repeats it at worst, and never loses it.
        notify(ctx, &notice).await;
    }
    let targets = mf001_users(&findings);
    notice.cycle = record(ctx, watched, options, &detection, &targets, &known)?;
    Ok(Detected {
        started,
        before,
        detection,
        findings,
        notice,
        targets,
        known,
    })
}

/// The rest of a cycle: remediate (in `remediate` mode) and send the notice with the fixes' outcome,
/// then count. A running guard lets this go on beside its next cycles, so that a fix waiting for
/// write-backs never holds up the detection of new starters.
pub async fn finish_stage(
    ctx: &GuardContext<'_>,
    watched: &Watched<'_>,
    options: &GuardOptions,
    detected: Detected,
) -> Result<CycleOutcome, GuardError> {
    let Detected {
        started,
        before,
        detection,
        findings,
        mut notice,
        targets,
        known,
    } = detected;
    if options.mode == Mode::Remediate {
        remediate(ctx, watched, options, &mut notice, &targets, &known).await?;
        notify(ctx, &notice).await;
    }
    ctx.journal.record_cycle_end(&watched.key)?;
    let summary = summarize(&notice, &detection, &findings, &before, ctx, started);
    ctx.observer.event(&GuardEvent::CycleFinished {
        summary: summary.clone(),
    });
    Ok(CycleOutcome {
        summary,
        open: still_open(findings, &notice),
    })
}

/// Reads what changed (or the whole scope), saying a resync once.
async fn changes(
    ctx: &GuardContext<'_>,
    watched: &Watched<'_>,
    options: &GuardOptions,
    state: &GuardState,
) -> Result<Detection, GuardError> {
    let full = needs_full(state, options);
    ctx.observer.event(&GuardEvent::CycleStarted {
        cycle: state.cycles + 1,
        full,
    });
    let link = state.delta_link.as_deref().filter(|_| !full);
    let detection = detect(ctx.client, watched.scope, link).await?;
    if let Some(reason) = &detection.resync {
        ctx.observer.event(&GuardEvent::Resync {
            reason: format!("the delta link was refused ({reason}); reading the whole scope again"),
        });
    }
    Ok(detection)
}

/// Records the next delta link and, with remediation, the MF001 users no fix knows yet (one
/// transaction); the cycle's number.
fn record(
    ctx: &GuardContext<'_>,
    watched: &Watched<'_>,
    options: &GuardOptions,
    detection: &Detection,
    targets: &[UserRef],
    known: &HashMap<String, GuardUserState>,
) -> Result<u64, GuardError> {
    let new: Vec<UserRef> = match options.mode {
        Mode::Remediate => targets
            .iter()
            .filter(|u| !known.contains_key(&u.id))
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    Ok(ctx.journal.record_cycle(&CycleRecord {
        scope: &watched.key,
        describe: &watched.scope.describe(),
        delta_link: &detection.link,
        full: detection.full,
        queued: &new,
    })?)
}

/// The plan line, then this cycle's fix run; its outcome goes into the notice.
async fn remediate(
    ctx: &GuardContext<'_>,
    watched: &Watched<'_>,
    options: &GuardOptions,
    notice: &mut Notice,
    targets: &[UserRef],
    known: &HashMap<String, GuardUserState>,
) -> Result<(), GuardError> {
    let planned = remedy::plan(ctx, &watched.key, options.max_changes_per_cycle)?;
    ctx.observer.event(&GuardEvent::Plan {
        cycle: notice.cycle,
        fixing: planned.fixing.len() as u64,
        deferred: planned.deferred as u64,
        already_fixing: count(targets, known, |s| {
            matches!(s, GuardUserState::Queued | GuardUserState::Fixing)
        }),
        known_stuck: count(targets, known, |s| {
            matches!(s, GuardUserState::Stuck | GuardUserState::Failed)
        }),
    });
    let done = remedy::fix(ctx, &watched.key, options, &planned.fixing).await?;
    let fixes = &mut notice.fixes;
    fixes.fixed.extend(done.fixed);
    fixes.stuck.extend(done.stuck);
    fixes.failed.extend(done.failed);
    fixes.run = done.run.or(fixes.run.take());
    fixes.deferred = planned.deferred;
    notice.at = Utc::now();
    Ok(())
}

/// The findings still open at the end of the cycle: all but the MF001 findings of users it fixed.
fn still_open(findings: Vec<Finding>, notice: &Notice) -> Vec<Finding> {
    let fixed: Vec<&str> = notice
        .fixes
        .fixed
        .iter()
        .map(|l| l.user.id.as_str())
        .collect();
    findings
        .into_iter()
        .filter(|f| !(f.rule == EMPTY_MAIL.id && fixed.contains(&f.user.id.as_str())))
        .collect()
}

/// Sends the notice when it has something to say and there is somewhere to send it.
async fn notify(ctx: &GuardContext<'_>, notice: &Notice) {
    if let (Some(notifier), true) = (ctx.notifier, notice.is_worth_sending()) {
        notifier.send(notice).await;
    }
}

/// Whether this cycle reads the whole scope: the first one, and when `full_every` has passed.
fn needs_full(state: &GuardState, options: &GuardOptions) -> bool {
    let Some(_) = state.delta_link else {
        return true;
    };
    match (options.full_every, state.full_at) {
        (Some(every), Some(at)) => {
            let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
            Utc::now() - at >= every
        }
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// The directory rules applied to every user detected (with the configured mailbox plans), ordered
/// by UPN then rule.
fn check(detection: &Detection, plans: &MailboxPlans) -> Vec<Finding> {
    let mut findings: Vec<Finding> = detection
        .users
        .iter()
        .flat_map(|user| rules::check_all(&UserFacts::from_user_with(user, plans)))
        .collect();
    findings.sort_by(|a, b| {
        let key = |f: &Finding| (f.user.upn.to_ascii_lowercase(), f.user.id.clone());
        key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
    });
    findings
}

fn known_users(
    ctx: &GuardContext<'_>,
    key: &str,
) -> Result<HashMap<String, GuardUserState>, GuardError> {
    Ok(ctx
        .journal
        .guard_users(key)?
        .into_iter()
        .map(|u| (u.user.id, u.state))
        .collect())
}

fn mf001_users(findings: &[Finding]) -> Vec<UserRef> {
    findings
        .iter()
        .filter(|f| f.rule == EMPTY_MAIL.id)
        .map(|f| f.user.clone())
        .collect()
}

fn count(
    targets: &[UserRef],
    known: &HashMap<String, GuardUserState>,
    which: impl Fn(GuardUserState) -> bool,
) -> u64 {
    targets
        .iter()
        .filter(|u| known.get(&u.id).is_some_and(|s| which(*s)))
        .count() as u64
}

/// The findings a notice carries: with remediation, every finding but MF001 (fixes are reported
/// as fixes); without, every finding but those of users alerted as stuck or failed before.
fn to_alert(
    findings: &[Finding],
    known: &HashMap<String, GuardUserState>,
    mode: Mode,
) -> Vec<Finding> {
    let alerted_before = |f: &Finding| {
        f.rule == EMPTY_MAIL.id
            && known
                .get(&f.user.id)
                .is_some_and(|s| matches!(s, GuardUserState::Stuck | GuardUserState::Failed))
    };
    findings
        .iter()
        .filter(|f| !(mode == Mode::Remediate && f.rule == EMPTY_MAIL.id))
        .filter(|f| !alerted_before(f))
        .cloned()
        .collect()
}

fn summarize(
    notice: &Notice,
    detection: &Detection,
    findings: &[Finding],
    before: &CountersSnapshot,
    ctx: &GuardContext<'_>,
    started: Instant,
) -> CycleSummary {
    let after = ctx.client.counters();
    let mut by_rule: BTreeMap<String, u64> = BTreeMap::new();
    for f in findings {
        *by_rule.entry(f.rule.clone()).or_default() += 1;
    }
    let delta = |service: Service| after.requests_to(service) - before.requests_to(service);
    CycleSummary {
        cycle: notice.cycle,
        full: detection.full,
        changes: detection.changes,
        checked: notice.checked,
        findings: by_rule,
        fixed: notice.fixes.fixed.len() as u64,
        stuck: notice.fixes.stuck.len() as u64,
        failed: notice.fixes.failed.len() as u64,
        graph_requests: delta(Service::Graph),
        exchange_requests: delta(Service::Exchange),
        throttled: after.throttled - before.throttled,
        at: notice.at,
        elapsed: started.elapsed(),
    }
}
