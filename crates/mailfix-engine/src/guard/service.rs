//! The guard loop: take up what a crash or a stop left, then one cycle per interval (or one cycle
//! with `--once`) until the shutdown token is cancelled. A running guard in `remediate` mode lets a
//! cycle's fix go on beside the next cycles. A cycle that fails for a passing reason
//! (network, throttling) is reported and tried again at the next interval; a lasting one (sign-in,
//! permission, journal) stops the guard.

use sha2::{Digest as _, Sha256};

use futures::stream::{FuturesUnordered, StreamExt as _};

use super::cycle::{CycleOutcome, Watched, detect_stage, finish_stage};
use super::events::GuardEvent;
use super::notify::NoticeFixes;
use super::{GuardContext, GuardError, GuardOptions, Mode, remedy};
use crate::journal::GuardUserState;
use crate::scope::Scope;

/// How a guard ended.
#[derive(Clone, Debug, Default)]
pub struct GuardOutcome {
    /// The last cycle that ended, if one did.
    pub last: Option<CycleOutcome>,
    /// Cycles that ended.
    pub cycles: u64,
    /// Whether the shutdown token stopped it.
    pub stopped: bool,
}

/// Runs a guard over `scope` until `ctx.shutdown` is cancelled, or for one cycle.
pub async fn run(
    ctx: GuardContext<'_>,
    scope: &Scope,
    options: &GuardOptions,
) -> Result<GuardOutcome, GuardError> {
    let watched = Watched {
        scope,
        key: scope_key(scope),
    };
    let mut recovered = NoticeFixes::default();
    match options.mode {
        Mode::Remediate => recovered = remedy::recover(&ctx, &watched.key).await?,
        _ => warn_unfinished(&ctx, &watched.key)?,
    }
    let mut outcome = GuardOutcome::default();
    // Remediations of earlier cycles still waiting for write-backs: a running guard lets them go
    // on beside its next cycles, so that a slow fix never holds up the detection of new starters.
    let mut finishing = FuturesUnordered::new();
    let background = options.interval.is_some() && options.mode == Mode::Remediate;
    loop {
        if ctx.shutdown.is_cancelled() {
            // In-flight work is finished (and journaled) before guard stops.
            while let Some(done) = finishing.next().await {
                ended(&ctx, options, &mut outcome, done)?;
            }
            outcome.stopped = true;
            return Ok(outcome);
        }
        let started = tokio::time::Instant::now();
        let detecting = detect_stage(&ctx, &watched, options, std::mem::take(&mut recovered));
        tokio::pin!(detecting);
        let detected = loop {
            tokio::select! {
                detected = &mut detecting => break detected,
                Some(done) = finishing.next(), if !finishing.is_empty() => {
                    ended(&ctx, options, &mut outcome, done)?;
                }
            }
        };
        match detected {
            Ok(detected) if background => {
                let (ctx, watched) = (&ctx, &watched);
                finishing.push(Box::pin(finish_stage(ctx, watched, options, detected)));
            }
            Ok(detected) => {
                let done = finish_stage(&ctx, &watched, options, detected).await;
                ended(&ctx, options, &mut outcome, done)?;
            }
            Err(e) => ended(&ctx, options, &mut outcome, Err(e))?,
        }
        let Some(interval) = options.interval else {
            return Ok(outcome);
        };
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(started + interval) => break,
                () = ctx.shutdown.cancelled() => break,
                Some(done) = finishing.next(), if !finishing.is_empty() => {
                    ended(&ctx, options, &mut outcome, done)?;
                }
            }
        }
    }
}

/// Counts a cycle that ended; a failed one is reported and tried again at the next interval, unless
/// guard runs once or the failure lasts (sign-in, permission, journal).
fn ended(
    ctx: &GuardContext<'_>,
    options: &GuardOptions,
    outcome: &mut GuardOutcome,
    done: Result<CycleOutcome, GuardError>,
) -> Result<(), GuardError> {
    match done {
        Ok(done) => {
            outcome.cycles += 1;
            outcome.last = Some(done);
            Ok(())
        }
        Err(e) if options.interval.is_none() || e.is_lasting() => Err(e),
        Err(e) => {
            ctx.observer.event(&GuardEvent::Warning {
                message: format!("the cycle failed ({e}); trying again at the next interval"),
            });
            Ok(())
        }
    }
}

/// Says when users are in a fix that only `--mode remediate` (or `fix --resume`) finishes.
fn warn_unfinished(ctx: &GuardContext<'_>, key: &str) -> Result<(), GuardError> {
    let fixing = ctx
        .journal
        .guard_users(key)?
        .into_iter()
        .filter(|u| matches!(u.state, GuardUserState::Queued | GuardUserState::Fixing))
        .count();
    if fixing > 0 {
        ctx.observer.event(&GuardEvent::Warning {
            message: format!(
                "{fixing} users wait for a fix that an earlier `guard --mode remediate` started; run it again in that mode to finish them"
            ),
        });
    }
    Ok(())
}

/// The key a scope's guard state is kept under: its groups (by id), whether it is every user,
/// the listed users and the inclusion flags; hashed when long.
pub fn scope_key(scope: &Scope) -> String {
    let spec = scope.spec();
    let mut groups: Vec<&str> = scope.groups.iter().map(|g| g.id.as_str()).collect();
    groups.sort_unstable();
    let mut listed: Vec<String> = scope
        .listed()
        .iter()
        .map(|u| u.to_ascii_lowercase())
        .collect();
    listed.sort_unstable();
    let key = format!(
        "groups={};all={};users={};disabled={};guests={}",
        groups.join(","),
        spec.all_users,
        listed.join(","),
        spec.include_disabled,
        spec.include_guests
    );
    if key.len() <= 200 {
        return key;
    }
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
