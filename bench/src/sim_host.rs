//! `bench sim-host`: the simulator of a generated tenant (`scenario::scale(N, seed)`) in a process
//! of its own, so that its peak RSS is its own (`mailfix sim --scenario FILE` would build the
//! tenant twice: once to check the file, once to serve it). It writes its connection details and
//! how long the tenant took to load to `--info-file`, serves HTTPS on loopback, and stops when
//! its stdin closes.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use mailfix_sim::SimOptions;
use serde::{Deserialize, Serialize};

/// Flags of `bench sim-host`.
#[derive(Debug, clap::Args)]
pub struct SimHostArgs {
    /// Users to generate.
    #[arg(long)]
    users: usize,
    /// Scenario seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write [`HostInfo`] once serving.
    #[arg(long)]
    info_file: PathBuf,
}

/// What the host tells the harness once it serves.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct HostInfo {
    /// Base URL of sign-in, Graph and Exchange.
    pub base_url: String,
    /// The CA to trust.
    pub ca_file: Option<PathBuf>,
    /// Tenant id.
    pub tenant_id: String,
    /// Main app's client id.
    pub client_id: String,
    /// Main app's secret (a simulator's, generated at start).
    pub client_secret: String,
    /// Users in the tenant.
    pub users: usize,
    /// Seconds from process start to serving (generate and build the tenant, keys, TLS).
    pub load_s: f64,
    /// The process's peak RSS once serving (`VmHWM`, read by the process itself), KiB; `None`
    /// when `/proc/self/status` could not be read.
    pub rss_after_load_kib: Option<u64>,
}

/// Runs the host until stdin closes.
pub async fn run(args: SimHostArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let options = SimOptions {
        seed: args.seed,
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        http: false,
        time_scale: 1.0,
        state_dir: None,
        ..SimOptions::new(mailfix_sim::scenario::scale(args.users, args.seed))
    };
    let sim = mailfix_sim::start(options)
        .await
        .context("the simulator did not start")?;
    let users = sim.state.read_tenant().users.len();
    let info = HostInfo {
        base_url: sim.base_url.clone(),
        ca_file: sim.info.ca_file.clone(),
        tenant_id: sim.info.tenant_id.clone(),
        client_id: sim.info.client_id.clone(),
        client_secret: sim.info.client_secret.clone(),
        users,
        load_s: started.elapsed().as_secs_f64(),
        rss_after_load_kib: vm_hwm_kib(),
    };
    // It holds the app's secret: a private file, replaced atomically.
    mailfix_client::private_file::replace(&args.info_file, &serde_json::to_vec(&info)?)?;
    // Blocks a thread of its own until the harness closes the pipe.
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink)
    })
    .await??;
    sim.shutdown().await;
    Ok(())
}

/// This process's peak RSS so far (`VmHWM`: the kernel's high-water mark, not a sample).
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
