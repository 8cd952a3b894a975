//! One measured fix (mailfix or the script) against a fresh simulator: stuck users un-stuck first
//! (neither program could finish otherwise), and what it did checked in the tenant afterwards
//! (whose `mail` is now the primary address, how many temporary addresses it left).

use serde_json::{Value, json};

use super::run::Ctx;
use super::tenant;
use super::{Row, Run};
use crate::machine::LoadAvg;
use crate::sim::Setup;

/// The group both programs fix.
pub const GROUP: &str = "All Staff";
/// mailfix's default poll interval (`fix --poll-interval`), simulated seconds.
pub const MAILFIX_POLL_S: f64 = 30.0;
/// The script's poll interval, simulated seconds.
pub const SCRIPT_POLL_S: f64 = 60.0;

/// Which program fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fixer {
    /// `mailfix fix` at its default poll interval, with `--concurrency` when given.
    Mailfix(Option<usize>),
    /// `bench baseline fix` at the script's poll interval.
    Script,
}

impl Fixer {
    /// The program's name in the report.
    pub fn program(self) -> String {
        match self {
            Fixer::Mailfix(None) => "mailfix".to_owned(),
            Fixer::Mailfix(Some(n)) => format!("mailfix --concurrency {n}"),
            Fixer::Script => "baseline".to_owned(),
        }
    }

    /// What the report shows beside the name: the poll interval, and the Exchange concurrency.
    pub fn detail(self) -> String {
        match self {
            Fixer::Mailfix(concurrency) => format!(
                "default poll every {MAILFIX_POLL_S:.0} s, {} Exchange requests at once",
                concurrency.unwrap_or(3)
            ),
            Fixer::Script => format!("polls every {SCRIPT_POLL_S:.0} s, one request at a time"),
        }
    }
}

/// A measured fix.
pub struct FixRun {
    /// The row it belongs to (command line, name).
    pub row: Row,
    /// The run.
    pub run: Run,
    /// The users it fixed by its own account.
    pub fixed: Vec<String>,
    /// The slowest write-back delay among them, simulated seconds.
    pub slowest_s: f64,
}

/// Runs `fixer` against a fresh simulator of `setup`; `run` numbers the files.
pub async fn measure(
    ctx: &Ctx,
    setup: &Setup,
    fixer: Fixer,
    case: &str,
    run: usize,
) -> anyhow::Result<FixRun> {
    let sim = ctx.sim(setup).await?;
    sim.control_post("/_sim/unstick", json!({})).await?;
    let addresses_before = tenant::temp_addresses(&sim);
    let scale = setup.time_scale;
    let name = format!("{}-{case}-{run}", fixer.program().replace([' ', '-'], "_"));
    let launch = match fixer {
        Fixer::Mailfix(concurrency) => {
            let poll = format!("{:.0}ms", MAILFIX_POLL_S / scale * 1000.0);
            let mut args = vec!["fix", "--group", GROUP, "--yes", "--poll-interval", &poll];
            let concurrency = concurrency.map(|n| n.to_string());
            if let Some(n) = &concurrency {
                args.extend(["--concurrency", n.as_str()]);
            }
            args.extend(["-o", "json", "-q"]);
            // The poll floor (5 s of the services' time) scales with the reports window.
            let window = format!("{:.0}ms", (10_000.0 / scale).ceil());
            ctx.mailfix(&sim, &name, &args)
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
            ctx.baseline(&sim, &name, &args)?
        }
    };
    let load = LoadAvg::now().0[0];
    let (done, doc) = ctx.run_ok(&launch).await?;
    let (fixed, outcome) = match fixer {
        Fixer::Mailfix(_) => {
            let fixed = tenant::upns(&doc, "fixed");
            let outcome = format!(
                "{} of {} targets fixed ({} of them not fixed in the tenant)",
                fixed.len(),
                doc["targets"],
                tenant::not_fixed(&sim, &fixed)
            );
            (fixed, outcome)
        }
        Fixer::Script => {
            let added = string_list(&doc["added_upns"]);
            let outcome = format!(
                "{} of {} members with an empty `mail` fixed ({} failed at Get-/Set-Mailbox; {} not fixed in the tenant); {} polls",
                added.len(),
                doc["empty_mail"],
                doc["failed"],
                tenant::not_fixed(&sim, &added),
                doc["polls"]
            );
            (added, outcome)
        }
    };
    let left = tenant::temp_addresses(&sim) as i64 - addresses_before as i64;
    let outcome = format!("{outcome}; temporary addresses left behind: {left:+}");
    let slowest_s = fixed
        .iter()
        .filter_map(|upn| sim.writeback_delay_s(upn))
        .fold(0.0, f64::max);
    if let Some(dir) = &ctx.logs {
        std::fs::create_dir_all(dir)?;
        let log = serde_json::to_vec(&sim.state().log.since(0))?;
        std::fs::write(dir.join(format!("{name}.json")), log)?;
    }
    let row = Row::new(&fixer.program(), fixer.detail(), &launch);
    let run = Run::new(&done, &sim, outcome, load);
    sim.stop().await;
    Ok(FixRun {
        row,
        run,
        fixed,
        slowest_s,
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
