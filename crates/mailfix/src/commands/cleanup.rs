//! `mailfix cleanup`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix cleanup`.
pub async fn run(args: &crate::cli::CleanupArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage(
        "'cleanup' is not available in this build yet",
    ))
}
