//! Applying a seed plan: every write journaled (intent before, result after), users worked on
//! concurrently (`--concurrency`), one user's methods in order (mobile before alternate mobile),
//! throttling left to the client. A write that fails is settled by re-reading the user's methods:
//! the value may have landed (a POST whose answer was lost) or been registered meanwhile. Ctrl-C
//! stops new writes; those not sent stay `pending` (and `planned` in the journal).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use futures::stream::{self, StreamExt as _};
use mailfix_client::{Client, Error, Permission, UserId};

use super::decide::Decision;
use super::error::{PER_USER_403, SeedError, refusals_are_per_user};
use super::methods::{EMAIL_METHOD_ID, MethodKind, read_user_methods};
use super::outcome::MethodOutcome;
use super::phone::same_number;
use super::plan::{MethodPlan, SeedPlan};
use super::resume::{Next, RunItems, reconcile};
use crate::events::{Action, Event, Outcome, Phase, Reporter};
use crate::finding::UserRef;
use crate::journal::{ItemId, Journal, NewItem, Op, OpOutcome};
use crate::run_id::RunId;

/// How to apply.
#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Users worked on at once.
    pub concurrency: usize,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        // Graph's concurrency cap in the client is 8; more would only queue.
        ApplyOptions { concurrency: 8 }
    }
}

/// One planned write of a user.
struct Step {
    method: usize,
    item: ItemId,
}

/// One user's writes (one row: duplicates were left out when planning).
struct Work {
    row: usize,
    user: UserRef,
    steps: Vec<Step>,
}

/// What every task shares.
struct Shared<'a> {
    client: &'a Client,
    journal: &'a Journal,
    plan: &'a SeedPlan,
    reporter: &'a dyn Reporter,
    stop: &'a AtomicBool,
    halt: AtomicBool,
    noticed: AtomicBool,
    fatal: Mutex<Option<SeedError>>,
    done: AtomicU64,
    failed: AtomicU64,
    total: u64,
    /// A 403 fails its row only: the sign-in holds the permission, so it is about that user.
    per_user_403: bool,
}

impl Shared<'_> {
    /// Whether new writes must not start; the first time Ctrl-C is seen, says so.
    fn stopped(&self) -> bool {
        let interrupted = self.stop.load(Ordering::Relaxed);
        if interrupted && !self.noticed.swap(true, Ordering::Relaxed) {
            self.reporter.report(&Event::Interrupted);
        }
        interrupted || self.halt.load(Ordering::Relaxed)
    }

    fn fail_run(&self, error: SeedError) {
        self.halt.store(true, Ordering::Relaxed);
        let mut slot = self.fatal.lock().unwrap_or_else(|p| p.into_inner());
        slot.get_or_insert(error);
    }

    fn progress(&self, ok: bool) {
        let counter = if ok { &self.done } else { &self.failed };
        counter.fetch_add(1, Ordering::Relaxed);
        let (done, failed) = (
            self.done.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        );
        let step = (self.total / 100).max(1);
        if (done + failed) % step == 0 || done + failed == self.total {
            self.reporter.report(&Event::Progress {
                done,
                pending: self.total.saturating_sub(done + failed),
                failed,
            });
        }
    }
}

/// Applies `plan` under `run`, whose journaled items (of an earlier, interrupted attempt) are
/// settled first. Returns every row's method outcomes (same order as the plan) and whether `stop`
/// interrupted the run.
pub async fn apply_plan(
    client: &Client,
    journal: &Journal,
    run: &RunId,
    plan: &SeedPlan,
    options: &ApplyOptions,
    reporter: &dyn Reporter,
    stop: &AtomicBool,
) -> Result<(Vec<Vec<MethodOutcome>>, bool), SeedError> {
    let mut outcomes: Vec<Vec<MethodOutcome>> = plan
        .rows
        .iter()
        .map(|r| {
            r.methods
                .iter()
                .map(|m| MethodOutcome::planned(&m.decision))
                .collect()
        })
        .collect();
    let work = prepare_work(journal, run, plan, &mut outcomes)?;
    let shared = Shared {
        client,
        journal,
        plan,
        reporter,
        stop,
        halt: AtomicBool::new(false),
        noticed: AtomicBool::new(false),
        fatal: Mutex::new(None),
        done: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        total: work.iter().map(|w| w.steps.len() as u64).sum(),
        per_user_403: refusals_are_per_user(client, Permission::AuthMethodReadWriteAll).await,
    };
    reporter.report(&Event::Phase {
        phase: Phase::Apply,
    });
    let shared = &shared;
    let results: Vec<(usize, Vec<(usize, MethodOutcome)>)> = stream::iter(work)
        .map(|w| async move { (w.row, apply_user(shared, w).await) })
        .buffer_unordered(options.concurrency.max(1))
        .collect()
        .await;
    for (row, done) in results {
        for (method, outcome) in done {
            outcomes[row][method] = outcome;
        }
    }
    if let Some(error) = shared
        .fatal
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
    {
        return Err(error);
    }
    Ok((outcomes, stop.load(Ordering::Relaxed)))
}

/// The writes to send, with their journal items: items of the run are reused (and settled when no
/// write is needed any more); new writes get new items, journaled as planned in one transaction.
fn prepare_work(
    journal: &Journal,
    run: &RunId,
    plan: &SeedPlan,
    outcomes: &mut [Vec<MethodOutcome>],
) -> Result<Vec<Work>, SeedError> {
    let items = RunItems::load(journal, run)?;
    let mut work = Vec::new();
    let mut new_items = Vec::new();
    let mut new_steps = Vec::new();
    for (row_index, row) in plan.rows.iter().enumerate() {
        let Some(user) = &row.user else { continue };
        let mut steps = Vec::new();
        for (method, m) in row.methods.iter().enumerate() {
            match items.get(&user.id, m.kind.item_kind()) {
                Some(item) => match reconcile(journal, item, m)? {
                    Next::Write(id) => steps.push(Step { method, item: id }),
                    Next::Settled(outcome) => outcomes[row_index][method] = outcome,
                },
                None if m.decision.is_write() => {
                    new_steps.push((work.len(), method));
                    new_items.push(NewItem {
                        user: user.clone(),
                        kind: m.kind.item_kind(),
                        planned: m.value.clone(),
                    });
                }
                None => {}
            }
        }
        work.push(Work {
            row: row_index,
            user: user.clone(),
            steps,
        });
    }
    let ids = journal.add_items(run, &new_items)?;
    for ((w, method), item) in new_steps.into_iter().zip(ids) {
        work[w].steps.push(Step { method, item });
    }
    for w in &mut work {
        w.steps.sort_by_key(|s| s.method);
    }
    work.retain(|w| !w.steps.is_empty());
    Ok(work)
}

/// One user's writes in order. An alternate mobile is not sent when the mobile it needs was to be
/// created in this row and was not.
async fn apply_user(shared: &Shared<'_>, work: Work) -> Vec<(usize, MethodOutcome)> {
    let row = &shared.plan.rows[work.row];
    let mut out = Vec::new();
    let mut mobile_missing = false;
    for step in &work.steps {
        let method = &row.methods[step.method];
        let outcome = if shared.stopped() {
            MethodOutcome::Pending
        } else if method.kind == MethodKind::AlternateMobile && mobile_missing {
            let reason = "not sent: the mobile it needs was not added".to_owned();
            skip_blocked(shared, step.item, &reason);
            MethodOutcome::Blocked { reason }
        } else {
            write_one(shared, &work.user, step.item, method).await
        };
        if method.kind == MethodKind::Mobile && method.decision == Decision::Create {
            mobile_missing = !outcome.is_ok();
        }
        out.push((step.method, outcome));
    }
    out
}

fn skip_blocked(shared: &Shared<'_>, item: ItemId, reason: &str) {
    if let Err(e) = shared
        .journal
        .mark(item, crate::journal::ItemState::Skipped, Some(reason))
    {
        shared.fail_run(e.into());
    }
    shared.progress(false);
}

/// One journaled write: intent, send (settled by a re-read when it fails), result.
async fn write_one(
    shared: &Shared<'_>,
    user: &UserRef,
    item: ItemId,
    method: &MethodPlan,
) -> MethodOutcome {
    let action = match method.decision {
        Decision::Update { .. } => Action::UpdateMethod,
        _ => Action::CreateMethod,
    };
    let detail = match &method.decision {
        Decision::Update { from, .. } => format!("update from {from}"),
        _ => "create".to_owned(),
    };
    if let Err(e) = off_runtime(|| shared.journal.record_intent(item, Op::Add, Some(&detail))) {
        shared.fail_run(e.into());
        return MethodOutcome::Pending;
    }
    shared.reporter.report(&Event::ItemStarted {
        user: user.clone(),
        action,
    });
    let result = send_settled(shared.client, user, method).await;
    let (journaled, outcome) = match &result {
        Ok(()) => (
            OpOutcome::Succeeded,
            match action {
                Action::UpdateMethod => MethodOutcome::Updated,
                _ => MethodOutcome::Created,
            },
        ),
        Err(e) => {
            let reason = if e.is_forbidden() && shared.per_user_403 {
                format!("{PER_USER_403} ({e})")
            } else {
                e.to_string()
            };
            (
                OpOutcome::Failed(reason.clone()),
                MethodOutcome::Failed { reason },
            )
        }
    };
    if let Err(e) = off_runtime(|| shared.journal.record_result(item, Op::Add, &journaled)) {
        shared.fail_run(e.into());
    }
    if let Err(e) = &result
        && ((e.is_forbidden() && !shared.per_user_403) || e.is_unauthorized())
    {
        shared.fail_run(SeedError::Client(e.clone()));
    }
    report_done(shared, user, action, &outcome);
    outcome
}

/// Runs a journal call (a committed transaction: an fsync) without holding up the runtime's other
/// tasks: on a multi-threaded runtime the worker hands its tasks over while it waits.
fn off_runtime<T>(call: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(call)
        }
        _ => call(),
    }
}

fn report_done(shared: &Shared<'_>, user: &UserRef, action: Action, outcome: &MethodOutcome) {
    let event_outcome = match outcome {
        MethodOutcome::Failed { reason } => Outcome::Failed {
            reason: reason.clone(),
        },
        _ => Outcome::Done,
    };
    shared.reporter.report(&Event::ItemDone {
        user: user.clone(),
        action,
        outcome: event_outcome,
        latency: None,
    });
    shared.progress(outcome.is_ok());
}

/// Client retry cycles a write may spend on 429s before it counts as failed: a 429 means the
/// write was not processed, so sending it again is safe; when many writers share Graph's write
/// budget one of them can lose a whole cycle of retries.
const THROTTLED_CYCLES: u32 = 5;

/// Sends the write. Still throttled after the client's retries: sent again (a few cycles). Failed
/// otherwise (but for permissions): the user's methods are read back, and the value in place
/// means it landed; a transient failure whose write did not land is sent once more.
async fn send_settled(client: &Client, user: &UserRef, method: &MethodPlan) -> Result<(), Error> {
    let (mut throttled, mut resent) = (1, false);
    loop {
        let error = match send(client, user, method).await {
            Ok(()) => return Ok(()),
            Err(e) if e.is_forbidden() || e.is_unauthorized() => return Err(e),
            Err(e) => e,
        };
        if error.status() == Some(429) && throttled < THROTTLED_CYCLES {
            throttled += 1;
            continue;
        }
        match read_user_methods(client, &UserId(user.id.clone())).await {
            Ok(have) if in_place(have.value(method.kind), method) => return Ok(()),
            Ok(_) if error.is_transient() && !resent => resent = true,
            _ => return Err(error),
        }
    }
}

fn in_place(registered: Option<&str>, method: &MethodPlan) -> bool {
    registered.is_some_and(|v| match method.kind {
        MethodKind::Email => super::email::same_email(v, &method.value),
        _ => same_number(v, &method.value),
    })
}

async fn send(client: &Client, user: &UserRef, method: &MethodPlan) -> Result<(), Error> {
    let graph = client.graph();
    let who = mailfix_client::UserKey::Id(UserId(user.id.clone()));
    let value = method.value.as_str();
    match (method.kind.phone_type(), &method.decision) {
        (Some(t), Decision::Create) => graph.add_phone_method(&who, value, t).await.map(drop),
        (Some(t), Decision::Update { .. }) => graph.update_phone_method(&who, t, value).await,
        (None, Decision::Create) => graph.add_email_method(&who, value).await.map(drop),
        (None, Decision::Update { method_id, .. }) => {
            let id = method_id.as_deref().unwrap_or(EMAIL_METHOD_ID);
            graph.update_email_method(&who, id, value).await
        }
        _ => Ok(()),
    }
}
