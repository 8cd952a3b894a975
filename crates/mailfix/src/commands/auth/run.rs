//! The `auth` subcommands: dispatch to `check` and `login`.

use super::check::{self, CheckReport};
use super::{needs, render};
use crate::cli::{AuthCheckArgs, AuthCommand, OutputFormat};
use crate::connect::Context;
use crate::error::CliError;
use crate::exit::Exit;
use crate::settings::CredentialSetting;

/// Runs `mailfix auth check` or `mailfix auth login`.
pub async fn run(args: &AuthCommand, ctx: &Context) -> Result<Exit, CliError> {
    match args {
        AuthCommand::Check(check) => run_check(check, ctx).await,
        AuthCommand::Login => login(ctx).await,
    }
}

/// The report, then exit 1 when a command asked about with `--for` cannot run. When sign-in
/// fails, what was resolved still helps to see why (wrong tenant, app, endpoint): the settings
/// on a terminal, the whole document (with the error in it) in JSON.
async fn run_check(args: &AuthCheckArgs, ctx: &Context) -> Result<Exit, CliError> {
    let format = ctx.settings.output;
    let report = match check::check(ctx).await {
        Ok(report) => report,
        Err(error) => {
            let settings = check::settings_rows(ctx);
            let text = match format {
                OutputFormat::Table => render::settings(&settings),
                _ => render::render(&CheckReport::failed(settings, &error), format)?,
            };
            ctx.printer.data(&text);
            return Err(error);
        }
    };
    ctx.printer.data(&render::render(&report, format)?);
    match needs::unmet(&report.commands, &args.commands) {
        Some(error) => Err(error),
        None => Ok(Exit::Success),
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
