//! `mailfix runs`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix runs`.
pub async fn run(args: &crate::cli::RunsArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'runs' is not available in this build yet"))
}
