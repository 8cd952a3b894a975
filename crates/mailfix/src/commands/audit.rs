//! `mailfix audit`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix audit`.
pub async fn run(args: &crate::cli::AuditArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage(
        "'audit' is not available in this build yet",
    ))
}
