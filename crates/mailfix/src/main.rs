//! The `mailfix` command line: parse, run, map the outcome to an exit code.

mod cli;
mod commands;
mod error;
mod exit;
mod output;
mod printer;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::error::CliError;
use crate::exit::Exit;
use crate::printer::Printer;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.global.quiet);
    match run(cli, &printer) {
        Ok(exit) => exit.into(),
        Err(error) => {
            printer.error(&error);
            error.exit.into()
        }
    }
}

fn run(cli: Cli, printer: &Printer) -> Result<Exit, CliError> {
    let env = |name: &str| std::env::var(name).ok();
    let _settings = settings::Settings::resolve(&cli.global, &env, printer.stdout_is_terminal())?;
    Err(CliError::usage(format!(
        "'{}' is not available in this build yet",
        command_name(&cli.command)
    )))
}

fn command_name(command: &cli::Command) -> &'static str {
    match command {
        cli::Command::Scan(_) => "scan",
        cli::Command::Fix(_) => "fix",
        cli::Command::Cleanup(_) => "cleanup",
        cli::Command::Runs(_) => "runs",
        cli::Command::Seed(_) => "seed",
        cli::Command::Audit(_) => "audit",
        cli::Command::Auth(_) => "auth",
        cli::Command::Sim(_) => "sim",
        cli::Command::Demo(_) => "demo",
    }
}
