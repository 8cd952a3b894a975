//! `mailfix auth`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix auth`.
pub async fn run(args: &crate::cli::AuthCommand, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'auth' is not available in this build yet"))
}
