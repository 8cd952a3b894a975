//! sim-scale (issue 2): a simulator of 1,000,000 generated users in a process of its own
//! (`bench sim-host`, measured like the programs): how long the tenant takes to load and the peak
//! RSS then and at the end, and how fast the harness lists every user through it in pages of 999
//! over HTTPS on loopback (with the `$select` of mailfix's scan).

use std::time::{Duration, Instant};

use anyhow::Context as _;
use futures::TryStreamExt as _;
use mailfix_client::{Query, Secret};
use mailfix_engine::collect::USER_FIELDS;

use super::run::Ctx;
use super::{CaseResult, Check, Row, Run, SEED};
use crate::child::{self, Launch};
use crate::connect::{self, Connection};
use crate::machine::LoadAvg;
use crate::say;
use crate::sim_host::HostInfo;
use crate::stats::Spread;

/// Issue 2's memory bound.
const RSS_BOUND_GIB: f64 = 2.0;
/// Issue 2's listing rate.
const RATE_BOUND: f64 = 50_000.0;
/// How long the tenant may take to load before the case gives up.
const LOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Runs the case.
pub async fn run(ctx: &Ctx) -> anyhow::Result<CaseResult> {
    let users = ctx.sizes.scale_users;
    let mut result = CaseResult::new(
        "sim-scale",
        format!("Simulator at scale: {users} users"),
        "issue 2",
    );
    let mut hosts = Vec::new();
    for run in 1..=ctx.runs {
        let host = host_run(ctx, users, run).await?;
        result.push(host.row.clone(), host.run.clone());
        hosts.push(host);
    }
    let load_gib: Vec<Option<f64>> = hosts
        .iter()
        .map(|h| h.info.rss_after_load_kib.map(gib))
        .collect();
    let readable: Vec<f64> = load_gib.iter().flatten().copied().collect();
    let load_s = Spread::of(hosts.iter().map(|h| h.info.load_s));
    result.checks.push(Check::bound(
        format!(
            "the tenant loads in under {RSS_BOUND_GIB} GiB RSS (the simulator's peak once serving, `VmHWM`; fails if it cannot be read)"
        ),
        if readable.len() == load_gib.len() {
            format!(
                "{} GiB after {} s",
                Spread::of(readable.iter().copied()).show(2),
                load_s.show(1)
            )
        } else {
            format!(
                "not read in {} of {} runs (`/proc/self/status` unreadable)",
                load_gib.len() - readable.len(),
                load_gib.len()
            )
        },
        readable.len() == load_gib.len() && readable.iter().all(|g| *g < RSS_BOUND_GIB),
    ));
    let peak = Spread::of(hosts.iter().map(|h| gib(h.run.measurement.max_rss_kib)));
    result.checks.push(Check::bound(
        format!("the simulator's peak RSS over the whole run < {RSS_BOUND_GIB} GiB"),
        format!("{} GiB", peak.show(2)),
        peak.count > 0 && peak.max < RSS_BOUND_GIB,
    ));
    let rate = Spread::of(hosts.iter().map(|h| h.listed as f64 / h.list_s));
    let complete = hosts.iter().all(|h| h.listed == h.info.users);
    result.checks.push(Check::bound(
        format!("listing all users in pages of 999 at ≥ {RATE_BOUND:.0} users/s (the slowest run)"),
        format!(
            "{} users/s ({} users, {} pages)",
            rate.show(0),
            users,
            users.div_ceil(999)
        ),
        complete && rate.min >= RATE_BOUND,
    ));
    result.setup = vec![
        format!(
            "simulator: `scenario::scale({users}, {SEED})` (the `enterprise` generator) served by `bench sim-host` in its own process (the same `mailfix_sim::start` as `mailfix sim`; a scenario file would be built twice, once to check it), HTTPS on loopback"
        ),
        format!(
            "listing: the harness's mailfix client, `GET /users?$select={}&$top=999`, following every nextLink, one page after the other",
            USER_FIELDS.join(",")
        ),
        "the harness (client) and the simulator share the machine's cores".to_owned(),
    ];
    result.reproduce = ctx.reproduce(result.id);
    Ok(result)
}

/// One measured sim-host.
struct Host {
    row: Row,
    run: Run,
    info: HostInfo,
    listed: usize,
    list_s: f64,
}

fn gib(kib: u64) -> f64 {
    kib as f64 / 1024.0 / 1024.0
}

/// Starts a sim-host of `users`, lists every user through it, and stops it.
async fn host_run(ctx: &Ctx, users: usize, run: usize) -> anyhow::Result<Host> {
    let info_name = format!("sim-host-{run}.json");
    let info_file = ctx.dir().join(&info_name);
    let me = std::env::current_exe()?;
    let users_arg = users.to_string();
    let seed_arg = SEED.to_string();
    let launch = Launch::new(
        &format!("sim-host-{run}"),
        &me,
        &[
            "sim-host",
            "--users",
            &users_arg,
            "--seed",
            &seed_arg,
            "--info-file",
            &info_name,
        ],
    )
    .cwd(ctx.dir());
    say::line(&format!("  running {}", launch.display()));
    let load = LoadAvg::now().0[0];
    let mut running = child::start(&launch, ctx.dir(), true)?;
    let info = wait_for_info(&info_file).await?;
    say::line(&format!("    loaded in {:.1} s; listing", info.load_s));
    let listing = list_all(&info).await;
    running.close_stdin();
    let done = running.wait().await?;
    let (listed, list_s) = listing?;
    let run = Run {
        measurement: done.measurement.clone(),
        requests: None,
        outcome: format!(
            "{} users loaded in {:.1} s; {listed} listed in {list_s:.1} s",
            info.users, info.load_s
        ),
        load,
    };
    Ok(Host {
        row: Row::new("simulator", "", &launch),
        run,
        info,
        listed,
        list_s,
    })
}

async fn wait_for_info(path: &std::path::Path) -> anyhow::Result<HostInfo> {
    let started = Instant::now();
    while started.elapsed() < LOAD_TIMEOUT {
        if let Ok(bytes) = std::fs::read(path) {
            return serde_json::from_slice(&bytes).context("the sim-host's info file");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the simulator did not load within {LOAD_TIMEOUT:?}")
}

/// Lists every user; how many and how long it took, seconds.
async fn list_all(info: &HostInfo) -> anyhow::Result<(usize, f64)> {
    let client = connect::client(&Connection {
        login_url: info.base_url.clone(),
        graph_url: info.base_url.clone(),
        exo_url: info.base_url.clone(),
        tenant: info.tenant_id.clone(),
        client_id: info.client_id.clone(),
        secret: Secret::new(info.client_secret.clone()),
        ca_file: info.ca_file.clone(),
    })?;
    // Sign in first, so that the timing is the listing's.
    client.token_claims(mailfix_client::Resource::Graph).await?;
    let query = Query::new().select(USER_FIELDS).top(999);
    let started = Instant::now();
    let listed = client
        .graph()
        .list_users(&query)
        .try_fold(0usize, |n, _| async move { Ok(n + 1) })
        .await?;
    Ok((listed, started.elapsed().as_secs_f64()))
}
