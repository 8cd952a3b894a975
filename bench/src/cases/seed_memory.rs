//! seed-memory (issue 16): the peak RSS of `mailfix seed` over an HR file of one row per user of
//! the enterprise-sized tenant (100,000 rows by default), as a dry run and as a run. A 5 MB file
//! once took 259 MB; seed streams the file now, a chunk of rows at a time, and the bound is 50 MB.
//! Each program runs `--runs` times, in turn, each against a fresh simulator.

use std::fmt::Write as _;

use mailfix_sim::scenario::{self, Scenario, all_users};

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::machine::LoadAvg;
use crate::sim::Setup;

/// The bound on seed's peak RSS, MiB.
const BOUND_MIB: f64 = 50.0;
/// One row in this many gets a new mobile (a write); the others repeat what is registered.
const WRITE_EVERY: usize = 100;

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let rows = ctx.sizes.enterprise_users;
    let scenario = scenario::scale(rows, SEED);
    let (csv, creates) = hr_file(&scenario);
    let file = ctx.dir().join("hr-memory.csv");
    std::fs::write(&file, &csv)?;
    let mut setup = Setup::new(scenario, SEED);
    setup.time_scale = ctx.sizes.seed_time_scale;
    let mut result = CaseResult::new(
        "seed-memory",
        format!("Peak memory of seed over {rows} HR rows"),
        "issue 16",
    );
    let path = file.to_string_lossy().into_owned();
    let window = format!("{:.0}ms", 10_000.0 / setup.time_scale);
    let programs = [("mailfix (dry run)", true), ("mailfix", false)];
    for (run, (program, dry_run)) in (1..=ctx.runs).flat_map(|r| programs.map(|p| (r, p))) {
        let sim = ctx.sim(&setup).await?;
        let mut args = vec![
            "seed",
            &path,
            "--default-region",
            "AU",
            "--yes",
            "-o",
            "json",
            "-q",
        ];
        if dry_run {
            args.push("--dry-run");
        }
        let launch = ctx
            .mailfix(&sim, &format!("mailfix-seed-memory-{run}"), &args)
            .envs([("MAILFIX_REPORTS_WINDOW", window.as_str())]);
        let load = LoadAvg::now().0[0];
        let (done, doc) = ctx.run_ok(&launch).await?;
        let summary = &doc["summary"];
        let outcome = format!(
            "{} rows reported ({} planned, {} unchanged, {} created of {creates} to create)",
            doc["rows"].as_array().map_or(0, Vec::len),
            summary["results"]["planned"],
            summary["unchanged"],
            summary["created"],
        );
        let rss = done.measurement.rss_mib();
        result.checks.push(Check::bound(
            format!("{program}, run {run}: peak RSS below {BOUND_MIB:.0} MiB for {rows} rows"),
            format!("{rss:.1} MiB"),
            rss < BOUND_MIB,
        ));
        result.push(
            Row::new(program, "", &launch),
            Run::new(&done, &sim, outcome, load),
        );
        sim.stop().await;
    }
    result.setup = vec![
        format!(
            "simulator: `scale({rows}, {SEED})`, `{}`, in the harness's process (its memory is not \
             mailfix's), HTTPS on loopback",
            setup.sim_flags()
        ),
        format!(
            "HR file: {} bytes, one row per user: the registered personal email again (unchanged) \
             and, for one user in {WRITE_EVERY} without a mobile, a new one ({creates} creates)",
            csv.len()
        ),
        "measured: the child's own peak RSS (getrusage after it is reaped); -o json writes every \
         row to stdout (the harness reads it)"
            .to_owned(),
    ];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

/// The HR export for `scenario`'s users, and how many methods it creates.
fn hr_file(scenario: &Scenario) -> (String, u64) {
    let mut text = String::from("UPN,Mobile,Personal Email\n");
    let mut creates = 0;
    for (i, user) in all_users(scenario).enumerate() {
        let mobile = match (&user.methods.mobile, i % WRITE_EVERY) {
            (None, 0) => {
                creates += 1;
                format!("0412 {i:06}")
            }
            _ => String::new(),
        };
        let email = user.methods.email.clone().unwrap_or_default();
        let _ = writeln!(text, "\"{}\",{mobile},{email}", user.upn);
    }
    (text, creates)
}
