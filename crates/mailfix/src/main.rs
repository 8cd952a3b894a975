//! The `mailfix` command line: parse, run, map the outcome to an exit code.

mod cli;
mod command_line;
mod commands;
mod confirm;
mod connect;
mod error;
mod exit;
mod html;
mod interrupt;
mod not_found;
mod output;
mod printer;
mod progress;
mod settings;
mod table;

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::sync::Arc;

use clap::FromArgMatches as _;

use crate::cli::{Cli, Command};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

fn main() -> ExitCode {
    let matches = command_line::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let printer = Arc::new(Printer::new(cli.global.quiet, cli.global.output));
    if let Err(error) = command_line::refuse_foreign_globals(&matches) {
        printer.error(&error);
        return error.exit.into();
    }
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
        // Global options sim does not take (--trace among them) were refused by
        // command_line::refuse_foreign_globals.
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

/// `-v` logs each request and retry (the client's debug events; it redacts secrets and tokens);
/// `-vv` adds each connection opened or reused (and the engine's debug events); `-vvv` adds each
/// HTTP/2 frame (h2 leaves header values and bodies out of its frame logs) and the TLS set-up.
/// Colour only on a terminal, never with NO_COLOR.
fn logging(verbose: u8) {
    let Some(filter) = log_filter(verbose) else {
        return;
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && !no_color)
        .without_time()
        .try_init();
}

/// The log filter for a `-v` count (none for 0).
fn log_filter(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 => None,
        1 => Some("mailfix_client=debug"),
        2 => Some("mailfix_client=debug,mailfix_engine=debug,reqwest=debug,hyper_util=debug"),
        _ => Some(
            "mailfix_client=trace,mailfix_engine=trace,reqwest=trace,hyper_util=trace,h2=debug,\
             rustls=debug",
        ),
    }
}
