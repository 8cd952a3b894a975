//! The demo's last step: new starters keep arriving. The simulator hires a few (some with the
//! empty-`mail` defect, one synchronised from on-premises, one healthy), and one cycle of
//! `mailfix guard --mode remediate` finds and fixes the defective ones; the check reads the
//! simulated tenant, not guard's output.

use mailfix_sim::scenario::hire::{HireRequest, hire};

use super::narrate::Narrator;
use super::setup::Stage;
use crate::cli::{FailOn, ScopeArgs};
use crate::commands::guard::{self, GuardArgs, ModeArg};
use crate::error::CliError;
use crate::exit::Exit;

/// New starters hired by the step.
const HIRES: usize = 5;

/// What the step showed.
#[derive(Debug)]
pub struct Starters {
    /// Starters hired with the empty-`mail` defect, all fixed by guard.
    pub fixed: usize,
}

/// Hires, runs one guard cycle, and checks that every defective starter has its `mail`.
pub async fn arrive(stage: &Stage, story: &Narrator<'_>) -> Result<Starters, CliError> {
    story.step(
        "New starters keep arriving",
        "mailfix guard --group \"All Staff\" --mode remediate --once --yes",
        "HR onboards people every week, and each new account can have the same defect. guard \
         watches the scope: its first cycle reads it once, and every later one asks Graph only for \
         what changed (one request when nothing did). Here the simulator hires five starters, and \
         one cycle finds the defective ones and fixes them through the journal, as fix does; run \
         it every few minutes as a service (see the README) and a new account is repaired before \
         its first sign-in.",
    );
    let request = HireRequest {
        count: HIRES,
        defects: Some([("empty-mail".to_owned(), 0.6), ("synced".to_owned(), 0.2)].into()),
        groups: None,
    };
    let hired = hire(&stage.sim.state, &request)
        .map_err(|e| CliError::runtime("the simulator could not hire").cause(e))?;
    let exit = guard::run(&guard_args(), &stage.ctx).await?;
    if !matches!(exit, Exit::Success | Exit::Findings) {
        return Err(CliError::runtime(format!(
            "the demo stopped at step {}: guard ended with {exit:?}",
            story.current()
        )));
    }
    let defective: Vec<_> = hired.iter().filter(|h| h.label == "empty-mail").collect();
    let tenant = stage.sim.state.read_tenant();
    let unfixed: Vec<&str> = defective
        .iter()
        .filter(|h| {
            tenant
                .user_by_id(h.id)
                .is_none_or(|idx| tenant.users[idx as usize].mail.is_none())
        })
        .map(|h| h.upn.as_str())
        .collect();
    if !unfixed.is_empty() {
        return Err(CliError::runtime(format!(
            "the demo did not end as expected: step {}: guard left {} with an empty mail",
            story.current(),
            unfixed.join(", ")
        )));
    }
    story.then(&format!(
        "guard found the {HIRES} new starters and fixed {} with the defect in one cycle; the \
         synchronised starter is reported with its remedy (set mail in on-premises AD).",
        defective.len()
    ));
    Ok(Starters {
        fixed: defective.len(),
    })
}

fn guard_args() -> GuardArgs {
    GuardArgs {
        scope: ScopeArgs {
            groups: vec!["All Staff".to_owned()],
            ..ScopeArgs::default()
        },
        mode: ModeArg::Remediate,
        interval: None,
        once: true,
        max_changes_per_cycle: mailfix_engine::guard::DEFAULT_MAX_CHANGES_PER_CYCLE,
        yes: true,
        fail_on: FailOn::Error,
        full_scan_every: None,
        listen: None,
        listen_allow_remote: false,
        webhook_format: None,
        alias_template: None,
        alias_domain: None,
        poll_interval: Some(super::story::POLL_INTERVAL.to_owned()),
        fix_timeout: Some(super::story::TIMEOUT.to_owned()),
        concurrency: None,
        html: None,
    }
}
