//! The `auth` subcommands: dispatch to `check` and `login`.

use super::check;
use super::render;
use crate::cli::AuthCommand;
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::settings::CredentialSetting;

/// Runs `mailfix auth check` or `mailfix auth login`.
pub async fn run(args: &AuthCommand, ctx: &Context) -> Result<Exit, CliError> {
    match args {
        AuthCommand::Check => run_check(ctx).await,
        AuthCommand::Login => login(ctx).await,
    }
}

async fn run_check(ctx: &Context) -> Result<Exit, CliError> {
    let format = ctx.settings.output;
    match check::check(ctx).await {
        Ok(report) => {
            ctx.printer.data(&render::render(&report, format)?);
            Ok(Exit::Success)
        }
        Err(error) => {
            // What was resolved helps to see why sign-in failed (wrong tenant, app, endpoint).
            if format == crate::cli::OutputFormat::Table {
                ctx.printer
                    .data(&render::settings(&check::settings_rows(ctx)));
            }
            Err(error)
        }
    }
}

/// Signs in with the device code flow whatever credential is configured, and caches the refresh
/// token where later runs with `auth = "device-code"` find it.
async fn login(ctx: &Context) -> Result<Exit, CliError> {
    let client = ctx.client_with(&CredentialSetting::DeviceCode)?;
    let who = check::whoami(&client).await?;
    ctx.printer.status(&format!(
        "Signed in as {who}; the sign-in is cached in {}",
        ctx.settings.token_cache.display()
    ));
    if ctx.settings.credential != CredentialSetting::DeviceCode {
        ctx.printer.status(
            "to use it, set auth = \"device-code\" in the config profile and configure no app \
             secret or certificate",
        );
    }
    Ok(Exit::Success)
}
