//! `mailfix scan`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix scan`.
pub async fn run(args: &crate::cli::ScanArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'scan' is not available in this build yet"))
}
