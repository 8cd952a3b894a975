//! Serves the simulator with a small hand-written scenario until SIGINT/SIGTERM, for the conformance
//! check with Microsoft's Python clients (`.ci/conformance`) until `mailfix sim` exists.
//!
//! ```text
//! cargo run -p mailfix-sim --example serve -- [--info-file PATH] [--listen ADDR] [--http] [--state-dir DIR]
//! ```
//!
//! With `--info-file` the connection info (`SimInfo`) is written there as JSON once the simulator
//! listens (atomically, so a script may poll for the file).

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use mailfix_sim::{SimOptions, start};

#[path = "support/scenario.rs"]
#[allow(
    dead_code,
    reason = "the tests use more of the shared scenario than the server does"
)]
mod scenario;

#[derive(Debug, Default)]
struct Args {
    info_file: Option<PathBuf>,
    listen: Option<SocketAddr>,
    http: bool,
    state_dir: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--info-file" => args.info_file = Some(value()?.into()),
            "--state-dir" => args.state_dir = Some(value()?.into()),
            "--listen" => {
                let v = value()?;
                args.listen = Some(v.parse().map_err(|e| format!("--listen {v}: {e}"))?);
            }
            "--http" => args.http = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(args)
}

fn write_info(path: &PathBuf, info: &mailfix_sim::SimInfo) -> std::io::Result<()> {
    let json = serde_json::to_vec_pretty(info).map_err(std::io::Error::other)?;
    let partial = path.with_extension("partial");
    std::fs::write(&partial, json)?;
    std::fs::rename(&partial, path)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    let mut options = SimOptions::for_test(scenario::scenario());
    options.http = args.http;
    options.state_dir = args.state_dir;
    if let Some(listen) = args.listen {
        options.listen = listen;
    }
    let sim = start(options).await?;
    if let Some(path) = &args.info_file {
        write_info(path, &sim.info)?;
    }
    writeln!(std::io::stderr(), "simulator listening on {}", sim.base_url)?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    sim.shutdown().await;
    Ok(())
}
