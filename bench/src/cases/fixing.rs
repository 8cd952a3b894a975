//! One measured fix (mailfix or the script) against a fresh simulator: stuck users un-stuck first
//! (neither program could finish otherwise), write-back delays watched while it runs, and what it
//! did checked in the tenant afterwards (whose `mail` is now the primary address, which temporary
//! addresses are left).

use serde_json::{Value, json};

use super::Row;
use super::run::Ctx;
use super::watch::{self, Delays, WritebackWatch};
use crate::sim::{Setup, Sim};

/// The group both programs fix.
pub const GROUP: &str = "All Staff";
/// mailfix's default poll interval, simulated seconds.
pub const MAILFIX_POLL_S: f64 = 30.0;
/// The script's poll interval, simulated seconds.
pub const SCRIPT_POLL_S: f64 = 60.0;

/// Which program fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixer {
    /// `mailfix fix`, polling every [`MAILFIX_POLL_S`] simulated seconds.
    Mailfix,
    /// `bench baseline fix`, polling every [`SCRIPT_POLL_S`] simulated seconds.
    Script,
}

/// A measured fix.
pub struct FixRun {
    /// Its row.
    pub row: Row,
    /// The write-back delays the simulator drew during it (simulated seconds).
    pub delays: Delays,
    /// Users whose temporary address it added (and so should be fixed).
    pub targets: usize,
}

/// Runs `fixer` against a fresh simulator of `setup`.
pub async fn measure(ctx: &Ctx, setup: &Setup, fixer: Fixer, case: &str) -> anyhow::Result<FixRun> {
    let sim = Sim::start(setup).await?;
    sim.control_post("/_sim/unstick", json!({})).await?;
    let addresses_before = watch::temp_addresses(&sim);
    let scale = setup.time_scale;
    let launch = match fixer {
        Fixer::Mailfix => {
            let poll = format!("{:.0}ms", MAILFIX_POLL_S / scale * 1000.0);
            let args = [
                "fix",
                "--group",
                GROUP,
                "--yes",
                "--poll-interval",
                &poll,
                "-o",
                "json",
                "-q",
            ];
            // The poll floor (5 s of the services' time) scales with the reports window.
            let window = format!("{:.0}ms", (10_000.0 / scale).ceil());
            ctx.mailfix(&sim, &format!("mailfix-{case}"), &args)
                .envs([("MAILFIX_REPORTS_WINDOW", window.as_str())])
        }
        Fixer::Script => {
            let poll = format!("{:.0}", SCRIPT_POLL_S / scale * 1000.0);
            let domain = sim.domain().to_owned();
            let args = [
                "fix",
                "--group",
                GROUP,
                "--domain",
                &domain,
                "--poll-interval-ms",
                &poll,
            ];
            ctx.baseline(&sim, &format!("baseline-{case}"), &args)?
        }
    };
    let watching = WritebackWatch::start(&sim);
    let finished = ctx.run_ok(&launch).await;
    let delays = watching.finish().await?;
    let (done, doc) = finished?;
    let (program, targets, outcome) = match fixer {
        Fixer::Mailfix => {
            let fixed = watch::upns(&doc, "fixed");
            let outcome = format!(
                "{} of {} targets fixed ({} of them not fixed in the tenant)",
                fixed.len(),
                doc["targets"],
                watch::not_fixed(&sim, &fixed)
            );
            ("mailfix", fixed.len(), outcome)
        }
        Fixer::Script => {
            let added = string_list(&doc["added_upns"]);
            let outcome = format!(
                "{} of {} direct members with an empty `mail` fixed ({} failed at Get-/Set-Mailbox; {} not fixed in the tenant); {} polls",
                added.len(),
                doc["empty_mail"],
                doc["failed"],
                watch::not_fixed(&sim, &added),
                doc["polls"]
            );
            ("baseline", added.len(), outcome)
        }
    };
    let left = watch::temp_addresses(&sim).abs_diff(addresses_before);
    let outcome = format!("{outcome}; temporary addresses left behind: {left}");
    let row = Row::new(program, &launch, &done, &sim, outcome);
    sim.stop().await;
    Ok(FixRun {
        row,
        delays,
        targets,
    })
}

fn string_list(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
