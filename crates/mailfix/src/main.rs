//! The `mailfix` command line. (Minimal for now: only `mailfix sim`; the full CLI replaces this.)

mod commands;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Find and fix Microsoft 365 accounts that cannot finish SSPR/MFA registration.
#[derive(Debug, Parser)]
#[command(name = "mailfix", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the local Microsoft 365 simulator (sign-in, Graph v1.0, Exchange admin API).
    Sim(commands::sim::SimArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}"), None, 1),
    };
    let result = match cli.command {
        Command::Sim(args) => runtime.block_on(commands::sim::run(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = if e.is_usage() { 2 } else { 1 };
            fail(&e.to_string(), e.hint(), code)
        }
    }
}

fn fail(message: &str, hint: Option<String>, code: u8) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "error: {message}");
    if let Some(hint) = hint {
        let _ = writeln!(stderr, "  hint: {hint}");
    }
    ExitCode::from(code)
}
