//! `bench run`: the flags (which cases, their sizes), the context every case gets (where mailfix
//! is, where programs leave their output), and the loop that runs the cases and writes the report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use super::CaseResult;
use crate::child::{self, Finished, Launch};
use crate::machine::{LoadAvg, Machine};
use crate::report::{self, Report};
use crate::say;
use crate::sim::{Setup, Sim};

/// Flags of `bench run`.
#[derive(Clone, Debug, clap::Args)]
pub struct RunArgs {
    /// Where to write the report [default: BENCHMARKS.md for a full run,
    /// target/bench/BENCHMARKS.partial.md with --only or --quick].
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// The mailfix binary [default: `mailfix` beside this binary].
    #[arg(long, value_name = "PATH")]
    mailfix: Option<PathBuf>,
    /// Run only these cases: scan-small, scan-enterprise, fix-small, fix-bulk, seed, seed-memory,
    /// audit, guard-enterprise, sim-scale.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    only: Vec<String>,
    /// Small sizes everywhere (overrides the size flags), to try the harness end to end quickly.
    #[arg(long)]
    quick: bool,
    /// Run from a debug build (its figures mean nothing).
    #[arg(long)]
    allow_debug: bool,
    /// Write BENCHMARKS.md although the worktree has changes not committed (the report then
    /// names the commit `-dirty`; a full run refuses otherwise, so that the file names the code
    /// it measured).
    #[arg(long)]
    allow_dirty: bool,
    /// Runs per program in every case, interleaved (A B A B ...) [default: 3; 2 with --quick].
    #[arg(long, value_name = "N")]
    runs: Option<usize>,
    /// Keep each measured fix's request log as JSON in target/bench/logs/ (to study a run).
    #[arg(long)]
    keep_logs: bool,
    /// Sizes and settings of the cases.
    #[command(flatten)]
    pub sizes: Sizes,
}

/// Sizes and settings of the cases (the defaults are what BENCHMARKS.md reports).
#[derive(Clone, Debug, clap::Args)]
pub struct Sizes {
    /// Users of the enterprise scenario (scan-enterprise).
    #[arg(long, default_value_t = 100_000)]
    pub enterprise_users: usize,
    /// Clock compression of fix-small (write-backs of 1–5 min take 1/X of that).
    #[arg(long, default_value_t = 4.0)]
    pub fix_time_scale: f64,
    /// Affected users of fix-bulk.
    #[arg(long, default_value_t = 5_000)]
    pub bulk_users: usize,
    /// Clock compression of fix-bulk.
    #[arg(long, default_value_t = 10.0)]
    pub bulk_time_scale: f64,
    /// Exchange latency of fix-bulk, real milliseconds.
    #[arg(long, default_value_t = 10)]
    pub bulk_exo_latency_ms: u64,
    /// Exchange requests in flight the simulator accepts in fix-bulk, and the `--concurrency` of
    /// its second mailfix row.
    #[arg(long, default_value_t = 20)]
    pub bulk_concurrency: usize,
    /// HR rows of seed.
    #[arg(long, default_value_t = 5_000)]
    pub seed_rows: usize,
    /// Clock compression of seed.
    #[arg(long, default_value_t = 10.0)]
    pub seed_time_scale: f64,
    /// Audit events of audit (at least).
    #[arg(long, default_value_t = 50_000)]
    pub audit_events: usize,
    /// Clock compression of audit.
    #[arg(long, default_value_t = 1.0)]
    pub audit_time_scale: f64,
    /// Users of sim-scale.
    #[arg(long, default_value_t = 1_000_000)]
    pub scale_users: usize,
}

impl Sizes {
    /// The defaults of the flags.
    pub fn defaults() -> Self {
        #[derive(clap::Parser)]
        struct Only {
            #[command(flatten)]
            sizes: Sizes,
        }
        <Only as clap::Parser>::parse_from(["bench"]).sizes
    }

    /// Each setting as its flag name and value.
    fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("enterprise-users", self.enterprise_users.to_string()),
            ("fix-time-scale", self.fix_time_scale.to_string()),
            ("bulk-users", self.bulk_users.to_string()),
            ("bulk-time-scale", self.bulk_time_scale.to_string()),
            ("bulk-exo-latency-ms", self.bulk_exo_latency_ms.to_string()),
            ("bulk-concurrency", self.bulk_concurrency.to_string()),
            ("seed-rows", self.seed_rows.to_string()),
            ("seed-time-scale", self.seed_time_scale.to_string()),
            ("audit-events", self.audit_events.to_string()),
            ("audit-time-scale", self.audit_time_scale.to_string()),
            ("scale-users", self.scale_users.to_string()),
        ]
    }

    fn quick(&mut self) {
        self.enterprise_users = 10_000;
        self.fix_time_scale = 30.0;
        self.bulk_users = 300;
        self.bulk_time_scale = 30.0;
        self.seed_rows = 300;
        self.audit_events = 5_000;
        self.audit_time_scale = 10.0;
        self.scale_users = 100_000;
    }
}

/// What every case gets.
pub struct Ctx {
    /// The mailfix binary.
    pub mailfix: PathBuf,
    /// Sizes and settings.
    pub sizes: Sizes,
    /// The flags to add to `bench/run` to reproduce with these sizes.
    pub size_flags: String,
    /// Runs per program.
    pub runs: usize,
    /// Where to keep request logs, if anywhere.
    pub logs: Option<PathBuf>,
    dir: tempfile::TempDir,
}

impl Ctx {
    /// Where programs leave their output, and under which each run's simulator keeps its scratch
    /// directory (the journal): `target/bench/scratch`, on the worktree's disk.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Starts a fresh simulator for `setup`.
    pub async fn sim(&self, setup: &Setup) -> anyhow::Result<Sim> {
        Sim::start(setup, self.dir()).await
    }

    /// The reproduce command of case `id`.
    pub fn reproduce(&self, id: &str) -> String {
        format!("bench/run --only {id}{}", self.size_flags)
    }

    /// `mailfix ARGS` against `sim`.
    pub fn mailfix(&self, sim: &Sim, name: &str, args: &[&str]) -> Launch {
        Launch::new(name, &self.mailfix, args).envs(sim.env())
    }

    /// `bench baseline ARGS` against `sim`.
    pub fn baseline(&self, sim: &Sim, name: &str, args: &[&str]) -> anyhow::Result<Launch> {
        let me = std::env::current_exe()?;
        let mut all = vec!["baseline"];
        all.extend_from_slice(args);
        Ok(Launch::new(name, &me, &all).envs(sim.env()))
    }

    /// Runs `launch` to its end and says so.
    pub async fn run(&self, launch: &Launch) -> anyhow::Result<Finished> {
        say::line(&format!(
            "  running {} (load {})",
            launch.display(),
            LoadAvg::now()
        ));
        let done = child::run(launch, self.dir()).await?;
        say::line(&format!(
            "    {:.1} s, peak RSS {:.0} MiB, exit {:?}",
            done.measurement.wall_s,
            done.measurement.rss_mib(),
            done.measurement.exit_code
        ));
        Ok(done)
    }

    /// Runs `launch`, which must exit 0 and print one JSON document; what it left and the document.
    pub async fn run_ok(&self, launch: &Launch) -> anyhow::Result<(Finished, serde_json::Value)> {
        let done = self.run(launch).await?;
        anyhow::ensure!(
            done.exited_with(0),
            "`{}` exited with {:?}:\n{}",
            launch.display(),
            done.measurement.exit_code,
            child::tail(&done.stderr)
        );
        let doc = done.json()?;
        Ok((done, doc))
    }
}

/// Every case id, in the order they run.
pub const CASES: [&str; 9] = [
    "scan-small",
    "scan-enterprise",
    "fix-small",
    "fix-bulk",
    "seed",
    "seed-memory",
    "audit",
    "guard-enterprise",
    "sim-scale",
];

/// Runs the chosen cases and writes the report.
pub async fn run(mut args: RunArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        !cfg!(debug_assertions) || args.allow_debug,
        "this is a debug build; run bench/run (release) or pass --allow-debug"
    );
    for id in &args.only {
        anyhow::ensure!(
            CASES.contains(&id.as_str()),
            "unknown case '{id}'; the cases: {}",
            CASES.join(", ")
        );
    }
    if args.quick {
        args.sizes.quick();
    }
    let runs = args.runs.unwrap_or(if args.quick { 2 } else { 3 });
    anyhow::ensure!(runs >= 1, "--runs must be at least 1");
    let full = args.only.is_empty() && !args.quick && runs >= 3;
    let machine = Machine::describe();
    if full && !args.allow_dirty {
        let dirty = machine.commit.as_ref().is_none_or(|c| c.dirty);
        anyhow::ensure!(
            !dirty,
            "the worktree has changes not committed (or is not a git worktree): commit them first, \
             so that BENCHMARKS.md names the code it measured, or pass --allow-dirty"
        );
    }
    let out = args.out.clone().unwrap_or_else(|| {
        if full {
            PathBuf::from("BENCHMARKS.md")
        } else {
            PathBuf::from("target/bench/BENCHMARKS.partial.md")
        }
    });
    let scratch = PathBuf::from("target/bench/scratch");
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let ctx = Ctx {
        mailfix: mailfix_binary(args.mailfix.as_deref())?,
        size_flags: size_flags(&args, runs),
        sizes: args.sizes.clone(),
        runs,
        logs: args.keep_logs.then(|| PathBuf::from("target/bench/logs")),
        dir: tempfile::tempdir_in(&scratch)?,
    };
    let load_at_start = LoadAvg::now();
    let started = Instant::now();
    say::line(&format!(
        "bench: load average {load_at_start}; mailfix {}",
        ctx.mailfix.display()
    ));
    let floor = measurement_floor(&ctx).await?;
    let mut results = Vec::new();
    for id in CASES
        .iter()
        .filter(|id| args.only.is_empty() || args.only.iter().any(|o| o == *id))
    {
        say::line(&format!("case {id}"));
        let case_started = Instant::now();
        let mut result = run_case(&ctx, id)
            .await
            .with_context(|| format!("case {id}"))?;
        result.elapsed_s = case_started.elapsed().as_secs_f64();
        results.push(result);
    }
    let report = Report {
        machine,
        scratch: report::Scratch::of(ctx.dir()),
        runs,
        load_at_start,
        load_at_end: LoadAvg::now(),
        elapsed_s: started.elapsed().as_secs_f64(),
        floor_rss_mib: floor,
        full,
        command: format!("bench/run{}", ctx.size_flags),
        cases: results,
    };
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&out, report::render(&report))
        .with_context(|| format!("cannot write {}", out.display()))?;
    say::line(&format!(
        "bench: wrote {} after {:.0} s",
        out.display(),
        report.elapsed_s
    ));
    Ok(())
}

async fn run_case(ctx: &Ctx, id: &str) -> anyhow::Result<CaseResult> {
    match id {
        "scan-small" => super::scan::small(ctx).await,
        "scan-enterprise" => super::scan::enterprise(ctx).await,
        "fix-small" => super::fix_small::run(ctx).await,
        "fix-bulk" => super::fix_bulk::run(ctx).await,
        "seed" => super::seed::run(ctx).await,
        "seed-memory" => super::seed_memory::run(ctx).await,
        "audit" => super::audit::run(ctx).await,
        "guard-enterprise" => super::guard::run(ctx).await,
        "sim-scale" => super::scale::run(ctx).await,
        other => anyhow::bail!("unknown case '{other}'"),
    }
}

/// The peak RSS `bench measure` reports for `true`: the floor under every figure.
async fn measurement_floor(ctx: &Ctx) -> anyhow::Result<f64> {
    let launch = Launch::new("floor", Path::new("true"), &[]);
    let done = child::run(&launch, ctx.dir()).await?;
    Ok(done.measurement.rss_mib())
}

fn mailfix_binary(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_owned(),
        None => std::env::current_exe()?
            .parent()
            .context("the bench binary's directory")?
            .join("mailfix"),
    };
    anyhow::ensure!(
        path.is_file(),
        "no mailfix binary at {} (build it with cargo build --release -p mailfix, or pass --mailfix)",
        path.display()
    );
    Ok(path)
}

/// The size flags that differ from the defaults, for reproduce commands.
fn size_flags(args: &RunArgs, runs: usize) -> String {
    let runs_flag = args
        .runs
        .map_or_else(String::new, |_| format!(" --runs {runs}"));
    if args.quick {
        return format!(" --quick{runs_flag}");
    }
    let defaults = Sizes::defaults().pairs();
    let sizes: String = args
        .sizes
        .pairs()
        .into_iter()
        .zip(defaults)
        .filter(|(given, default)| given != default)
        .map(|((name, value), _)| format!(" --{name} {value}"))
        .collect();
    format!("{sizes}{runs_flag}")
}
