//! `mailfix sim` (placeholder until the simulator command lands).

use clap::Args;

use crate::error::CliError;
use crate::exit::Exit;

/// `mailfix sim` arguments.
#[derive(Debug, Args)]
pub struct SimArgs {}

/// Runs the simulator.
pub async fn run(args: &SimArgs) -> Result<Exit, CliError> {
    let _ = args;
    Err(CliError::usage("'sim' is not available in this build yet"))
}
