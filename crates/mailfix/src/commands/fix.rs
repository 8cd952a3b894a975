//! `mailfix fix`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix fix`.
pub async fn run(args: &crate::cli::FixArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'fix' is not available in this build yet"))
}
