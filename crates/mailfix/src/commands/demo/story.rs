//! The story `mailfix demo` tells, step by step: a heading and a few lines in an administrator's
//! words, the real command (the same code `mailfix audit`, `scan`, `fix` and `runs show` run),
//! what it showed, and the check that the step ended as expected.

use std::collections::BTreeSet;
use std::time::Duration;

use mailfix_engine::RunId;
use mailfix_engine::journal::RunDetail;

use super::check::{self, Failing, Unexpected};
use super::narrate::{Narrator, plural};
use super::setup::{Stage, TIME_SCALE};
use crate::cli::{
    AuditArgs, FailOn, FixArgs, HtmlArgs, OnTimeout, RunsArgs, RunsCommand, ScanArgs, ScopeArgs,
    WriteArgs,
};
use crate::commands::{audit, fix, runs, scan};
use crate::error::CliError;
use crate::exit::Exit;

/// How often `fix` polls the pending users (30 s in the tenant, `fix`'s default).
pub(super) const POLL_INTERVAL: &str = "500ms";
/// How long `fix` watches before it calls the users still pending stuck (10 minutes in the tenant).
pub(super) const TIMEOUT: &str = "10s";

/// Simulated time let pass before the second scan: longer than the longest write-back of `small`
/// (300 s), so that the removals of the temporary addresses have reached Entra ID.
const SETTLE: Duration = Duration::from_secs(6 * 60);

/// How the story ended, for the closing lines.
#[derive(Debug)]
pub struct Ending {
    /// Failing users with an empty `mail` the first audit showed.
    pub failing_mail_empty: usize,
    /// MF001 users the first scan found (all fixed).
    pub fixed: usize,
    /// The fix run.
    pub run: RunId,
    /// Users who registered after the fix.
    pub recovered: usize,
    /// New starters with the defect that guard fixed.
    pub starters_fixed: usize,
}

/// Whether the story ran to its end or Ctrl-C stopped `fix`.
#[derive(Debug)]
pub enum Told {
    /// Every step ran and every check held.
    Ended(Ending),
    /// `fix` was interrupted.
    Interrupted,
}

/// Tells the story against the stage's simulator.
pub async fn tell(stage: &Stage, story: &Narrator<'_>) -> Result<Told, CliError> {
    intro(stage, story);
    let before = first_audit(stage, story).await?;
    let targets = first_scan(stage, story).await?;
    let Some(detail) = repair(stage, story, &targets).await? else {
        return Ok(Told::Interrupted);
    };
    let facts = checked(story, check::all_fixed(&detail, &targets))?;
    second_scan(stage, story, &detail.run.id).await?;
    show_run(stage, story, &detail).await?;
    let recovered = retry(stage, story, &before, &facts.fixed).await?;
    let starters = super::starters::arrive(stage, story).await?;
    Ok(Told::Ended(Ending {
        starters_fixed: starters.fixed,
        failing_mail_empty: before.mail_empty,
        fixed: facts.fixed.len(),
        run: detail.run.id,
        recovered,
    }))
}

fn intro(stage: &Stage, story: &Narrator<'_>) {
    let info = &stage.sim.info;
    story.title("mailfix demo");
    story.say(&format!(
        "A simulated Microsoft 365 tenant, {domain}: {users} users of a first onboarding wave \
         (scenario small, seed {seed}), served over HTTPS at {url} with its own certificate \
         authority. Its clock runs {scale} times faster than real time: a second here is a minute \
         in the tenant. Each step below is the real mailfix command: it signs in as an app and \
         calls Microsoft Graph and the Exchange admin API as it would in your tenant. The journal \
         is kept in a temporary directory.",
        domain = info.tenant_domain,
        users = stage.users,
        seed = super::setup::SEED,
        url = stage.sim.base_url,
        scale = TIME_SCALE,
    ));
}

async fn first_audit(stage: &Stage, story: &Narrator<'_>) -> Result<Failing, CliError> {
    story.step(
        "Who cannot finish registering for SSPR and MFA?",
        "mailfix audit",
        "New starters report that setting up their security info fails. audit reads the last 14 \
         days of registration attempts from the directory audit log, sorts the users into \
         failing, recovered and completed, and sets that against whether their `mail` attribute \
         is empty.",
    );
    let report = step(story, audit::audit_and_print(&audit_args(), &stage.ctx)).await?;
    let before = checked(story, check::failing(&report))?;
    let failing = match before.mail_empty {
        n if n == before.users.len() => format!("all {n} have an empty `mail`"),
        n => format!("{n} of them have an empty `mail`"),
    };
    let completed = match before.completed_mail_empty {
        0 => format!(
            "none of the {} who registered without trouble has",
            before.completed
        ),
        n => format!(
            "{n} of the {} who registered without trouble have",
            before.completed
        ),
    };
    story.then(&format!(
        "{} keep failing, and {failing}; {completed}. Not an outage, then: something is wrong \
         with these accounts. Next: find every account with that defect, including users who \
         have not tried yet.",
        plural(before.users.len(), "user"),
    ));
    Ok(before)
}

async fn first_scan(stage: &Stage, story: &Narrator<'_>) -> Result<BTreeSet<String>, CliError> {
    story.step(
        "Which accounts have the defect?",
        "mailfix scan --all-users",
        "scan reads every user once and checks each against mailfix's rules. MF001 is the \
         defect: `mail` is empty although the user has an Exchange Online mailbox, because \
         Exchange never wrote the user back to Entra ID. That is what `mailfix fix` repairs; the \
         other findings name their own remedies.",
    );
    let report = step(story, scan::scan_and_print(&scan_args(), &stage.ctx)).await?;
    let targets = checked(story, check::defect_found(&report))?;
    story.then(&format!(
        "{} MF001: fix repairs them next.",
        plural(targets.len(), "user has")
    ));
    Ok(targets)
}

/// `fix`, and `fix --resume` for the users whose write-back Exchange held back. `None` when
/// Ctrl-C stopped it.
async fn repair(
    stage: &Stage,
    story: &Narrator<'_>,
    targets: &BTreeSet<String>,
) -> Result<Option<RunDetail>, CliError> {
    story.step(
        "Repair them",
        &format!(
            "mailfix fix --all-users --yes --poll-interval {POLL_INTERVAL} --timeout {TIMEOUT} \
             --on-timeout keep"
        ),
        &format!(
            "fix adds a temporary secondary address to the mailbox of each MF001 user. Changing \
             the mailbox makes Exchange write the user back to Entra ID, which fills `mail`: in a \
             tenant one to five minutes later, here one to five seconds. fix polls only the users \
             still pending, every {POLL_INTERVAL} (30 seconds in the tenant), and removes each \
             temporary address as soon as `mail` is filled. Every change is journaled before it \
             is sent. --timeout {TIMEOUT} (ten minutes in the tenant) keeps the demo short."
        ),
    );
    if step(story, fix::run(&fix_args(), &stage.ctx)).await? == Exit::Interrupted {
        return Ok(None);
    }
    let detail = run_detail(stage, story, None)?;
    let facts = check::run_facts(&detail);
    if facts.not_fixed.is_empty() {
        story.then(&format!("All {} fixed.", plural(targets.len(), "user")));
        return Ok(Some(detail));
    }
    story.then(&format!(
        "{} of {} fixed. For {} Exchange has not written back within the timeout; that happens \
         in real tenants too, sometimes for hours. Their temporary addresses stay in place \
         (--on-timeout keep), so the run can be finished later.",
        facts.fixed.len(),
        targets.len(),
        plural(facts.not_fixed.len(), "user"),
    ));
    resume(stage, story, &detail.run.id).await
}

async fn resume(
    stage: &Stage,
    story: &Narrator<'_>,
    run: &RunId,
) -> Result<Option<RunDetail>, CliError> {
    let released = stage.release_held_writebacks();
    story.step(
        "Finish the late ones",
        &format!("mailfix fix --resume {run}"),
        &format!(
            "In a tenant you would wait, or ask Microsoft support, and resume the run later. \
             Here the simulated Exchange has just released the write-backs it held back for {} \
             (POST /_sim/unstick). fix --resume continues the recorded run: it watches only the \
             users still pending and removes their temporary addresses once `mail` is filled.",
            plural(released, "user")
        ),
    );
    let args = FixArgs {
        resume: Some(run.to_string()),
        ..fix_args_base()
    };
    if step(story, fix::run(&args, &stage.ctx)).await? == Exit::Interrupted {
        return Ok(None);
    }
    let detail = run_detail(stage, story, Some(run))?;
    story.then(&format!(
        "Run {run} is finished: {}.",
        plural(check::run_facts(&detail).fixed.len(), "user fixed")
    ));
    Ok(Some(detail))
}

async fn second_scan(stage: &Stage, story: &Narrator<'_>, run: &RunId) -> Result<(), CliError> {
    story.step(
        "Check: scan again",
        "mailfix scan --all-users",
        "The same scan as before, to see what is left. Removing an address is written back to \
         Entra ID too, a few minutes later, so first the simulator lets six minutes pass in the \
         tenant (POST /_sim/clock/advance).",
    );
    stage.let_time_pass(SETTLE);
    let report = step(story, scan::scan_and_print(&scan_args(), &stage.ctx)).await?;
    let others = checked(story, check::defect_gone(&report, run))?;
    story.then(&format!(
        "No MF001 finding is left. The {} that remain need other remedies (named in the \
         table); fix does not touch them.",
        plural(others, "finding")
    ));
    Ok(())
}

async fn show_run(stage: &Stage, story: &Narrator<'_>, detail: &RunDetail) -> Result<(), CliError> {
    let run = detail.run.id.to_string();
    story.step(
        "What was done",
        &format!("mailfix runs show {run}"),
        "The journal records each user's temporary address: when it was added, when Exchange \
         wrote `mail` back, when the address was removed and checked gone. It is what a resume \
         or a cleanup starts from, and the record to show whoever asks what was changed.",
    );
    let args = RunsArgs {
        show: Some(RunsCommand::Show {
            run,
            html: HtmlArgs::default(),
        }),
    };
    step(story, runs::run(&args, &stage.ctx)).await?;
    Ok(())
}

async fn retry(
    stage: &Stage,
    story: &Narrator<'_>,
    before: &Failing,
    fixed: &BTreeSet<String>,
) -> Result<usize, CliError> {
    story.step(
        "The users try again",
        "mailfix audit",
        &format!(
            "The {} who could not register try again now (the simulator plays them: \
             POST /_sim/registration/attempts), and audit reads the log once more.",
            plural(before.users.len(), "user")
        ),
    );
    let upns = before.users.iter().cloned().collect();
    stage
        .registration_attempts(upns)
        .map_err(|e| in_step(story, e))?;
    let report = step(story, audit::audit_and_print(&audit_args(), &stage.ctx)).await?;
    let (recovered, failing) = checked(story, check::recovered(&report, before, fixed))?;
    story.then(&format!(
        "{} recovered: they registered once `mail` was filled. {} still failing: their accounts \
         need the other remedies the scan named (a mailbox licence, or `mail` set in on-premises \
         AD).",
        plural(recovered, "user"),
        failing
    ));
    Ok(recovered)
}

/// The fix run: `run`, or the journal's only one.
fn run_detail(
    stage: &Stage,
    story: &Narrator<'_>,
    run: Option<&RunId>,
) -> Result<RunDetail, CliError> {
    let journal = stage.ctx.journal_read()?;
    let id = match run {
        Some(id) => id.clone(),
        None => match journal.list_runs()?.into_iter().next() {
            Some(record) => record.id,
            None => {
                return Err(unexpected(
                    story,
                    "fix recorded no run in the journal".to_owned(),
                ));
            }
        },
    };
    Ok(journal.show_run(&id)?)
}

fn scope() -> ScopeArgs {
    ScopeArgs {
        all_users: true,
        ..ScopeArgs::default()
    }
}

fn audit_args() -> AuditArgs {
    AuditArgs {
        scope: ScopeArgs::default(),
        since: None,
        from: None,
        to: None,
        from_file: None,
        failing_users_file: None,
        html: HtmlArgs::default(),
    }
}

fn scan_args() -> ScanArgs {
    ScanArgs {
        scope: scope(),
        methods: false,
        registration: false,
        fail_on: FailOn::Never,
        html: HtmlArgs::default(),
    }
}

fn fix_args_base() -> FixArgs {
    FixArgs {
        scope: ScopeArgs::default(),
        write: WriteArgs::default(),
        alias_template: None,
        alias_domain: None,
        poll_interval: None,
        timeout: None,
        on_timeout: None,
        keep_aliases: false,
        resume: None,
        html: HtmlArgs::default(),
    }
}

fn fix_args() -> FixArgs {
    FixArgs {
        scope: scope(),
        write: WriteArgs {
            yes: true,
            ..WriteArgs::default()
        },
        poll_interval: Some(POLL_INTERVAL.to_owned()),
        timeout: Some(TIMEOUT.to_owned()),
        on_timeout: Some(OnTimeout::Keep),
        ..fix_args_base()
    }
}

/// Runs the current step's command; its error becomes the demo's (exit 1), naming the step.
async fn step<T>(
    story: &Narrator<'_>,
    command: impl Future<Output = Result<T, CliError>>,
) -> Result<T, CliError> {
    command.await.map_err(|e| in_step(story, e))
}

fn in_step(story: &Narrator<'_>, mut error: CliError) -> CliError {
    error.headline = format!(
        "the demo stopped at step {}: {}",
        story.current(),
        error.headline
    );
    error.exit = Exit::Runtime;
    error
}

fn checked<T>(story: &Narrator<'_>, outcome: Result<T, Unexpected>) -> Result<T, CliError> {
    outcome.map_err(|Unexpected(what)| unexpected(story, what))
}

fn unexpected(story: &Narrator<'_>, what: String) -> CliError {
    CliError::runtime(format!(
        "the demo did not end as expected: step {}: {what}",
        story.current()
    ))
    .hint("this is a bug in mailfix or its simulator; please report it with the output above")
}
