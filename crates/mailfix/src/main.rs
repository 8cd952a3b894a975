//! The `mailfix` command line: parse, run, map the outcome to an exit code.

mod cli;
mod commands;
mod confirm;
mod connect;
mod error;
mod exit;
mod html;
mod interrupt;
mod output;
mod printer;
mod progress;
mod settings;

use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Arc::new(Printer::new(cli.global.quiet, cli.global.output));
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::runtime("cannot start the async runtime").cause(e))
        .and_then(|runtime| runtime.block_on(run(cli, printer.clone())));
    let outcome = match (outcome, printer.take_stdout_failure()) {
        (outcome, None) => outcome,
        (Ok(_), Some(failure)) => Err(CliError::output_lost(failure)),
        (Err(error), Some(failure)) => {
            printer.error(&CliError::output_lost(failure));
            Err(error)
        }
    };
    match outcome {
        Ok(exit) => exit.into(),
        Err(error) => {
            printer.error(&error);
            error.exit.into()
        }
    }
}

async fn run(cli: Cli, printer: Arc<Printer>) -> Result<Exit, CliError> {
    let Cli { global, command } = cli;
    if let Command::Sim(args) = command {
        if global.trace.is_some() {
            return Err(CliError::usage(
                "--trace records the requests mailfix makes; `mailfix sim` makes none",
            )
            .hint("pass --trace to the mailfix command that talks to the simulator"));
        }
        return commands::sim::run(args)
            .await
            .map(|()| Exit::Success)
            .map_err(sim_error);
    }
    if let Command::Demo(args) = &command {
        // The demo brings its own settings: no config file or MAILFIX_* variable can break it.
        logging(global.verbose);
        let trace = connect::start_trace(global.trace.as_deref(), global.trace_unmasked)?;
        return commands::demo::run(args, global.verbose, printer, trace).await;
    }
    let env = |name: &str| std::env::var(name).ok();
    let settings = settings::Settings::resolve(&global, &env, printer.stdout_is_terminal())?;
    logging(settings.verbose);
    let trace = connect::start_trace(settings.trace.as_deref(), settings.trace_unmasked)?;
    let ctx = Context {
        settings,
        printer,
        trace,
    };
    match &command {
        Command::Scan(args) => commands::scan::run(args, &ctx).await,
        Command::Fix(args) => commands::fix::run(args, &ctx).await,
        Command::Guard(args) => commands::guard::run(args, &ctx).await,
        Command::Cleanup(args) => commands::cleanup::run(args, &ctx).await,
        Command::Runs(args) => commands::runs::run(args, &ctx).await,
        Command::Seed(args) => commands::seed::run(args, &ctx).await,
        Command::Audit(args) => commands::audit::run(args, &ctx).await,
        Command::Auth(args) => commands::auth::run(args, &ctx).await,
        Command::Demo(_) | Command::Sim(_) => dispatched_twice(),
    }
}

fn dispatched_twice() -> Result<Exit, CliError> {
    Err(CliError::runtime(
        "internal error: sim or demo dispatched twice",
    ))
}

fn sim_error(error: commands::sim::SimCommandError) -> CliError {
    let mut out = if error.is_usage() {
        CliError::usage(error.to_string())
    } else {
        CliError::runtime(error.to_string())
    };
    out.hint = error.hint();
    out
}

/// `-v` logs each request at debug level (the client redacts secrets and tokens); `-vv` at trace.
fn logging(verbose: u8) {
    let level = match verbose {
        0 => return,
        1 => "mailfix_client=debug",
        _ => "mailfix_client=trace,mailfix_engine=debug",
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
