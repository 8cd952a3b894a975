//! `mailfix demo`.

use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;

/// Runs `mailfix demo`.
pub async fn run(args: &crate::cli::DemoArgs, ctx: &Context) -> Result<Exit, CliError> {
    let _ = (args, ctx);
    Err(CliError::usage("'demo' is not available in this build yet"))
}
