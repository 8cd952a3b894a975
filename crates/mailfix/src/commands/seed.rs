//! `mailfix seed`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix seed`.
pub async fn run(args: &crate::cli::SeedArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'seed' is not available in this build yet"))
}
