//! The benchmark harness: runs mailfix and a baseline (the original PowerShell script's algorithm
//! over the same HTTP APIs) side by side against the same simulator scenarios, and writes
//! BENCHMARKS.md with wall time, requests by service (from the simulator's request log), throttled
//! answers and peak RSS, as ratios. `bench/run` builds the release binaries and runs `bench run`.
//!
//! The same binary plays the other roles the harness needs as processes of their own: `measure`
//! (the small parent that reads a finished child's peak RSS), `baseline` (the program measured
//! against mailfix) and `sim-host` (a simulator in its own process, for the scale case).

mod baseline;
mod cases;
mod child;
mod connect;
mod counts;
mod machine;
mod measure;
mod report;
mod say;
mod sim;
mod sim_host;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mailfix's benchmark harness.
#[derive(Debug, Parser)]
#[command(name = "bench", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the cases and write BENCHMARKS.md.
    Run(cases::RunArgs),
    /// Internal: run a program as the only child of this small process and write its peak RSS,
    /// CPU time and wall time as JSON.
    #[command(hide = true)]
    Measure {
        /// Where to write the measurement.
        #[arg(long)]
        out: PathBuf,
        /// The program and its arguments.
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Internal: the baseline program (connects with the MAILFIX_* environment, like mailfix).
    #[command(hide = true)]
    Baseline(baseline::BaselineArgs),
    /// Internal: a simulator of a generated tenant in this process, until stdin closes.
    #[command(hide = true)]
    SimHost(sim_host::SimHostArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        // No async runtime here: this process must stay small (its RSS is the floor of the
        // child's figure, see measure.rs).
        Command::Measure { out, command } => measure::run(&out, &command),
        Command::Run(args) => runtime().and_then(|rt| rt.block_on(cases::run(args))),
        Command::Baseline(args) => runtime().and_then(|rt| rt.block_on(baseline::run(args))),
        Command::SimHost(args) => runtime().and_then(|rt| rt.block_on(sim_host::run(args))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say::error(&e);
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
