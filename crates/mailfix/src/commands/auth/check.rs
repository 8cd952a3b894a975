//! `mailfix auth check`: the resolved settings (secrets redacted), a token for Graph and one for
//! Exchange, the permissions and roles each carries, the read-only service checks of `probes.rs`
//! (Exchange endpoint and role, the registration report's licence), and per command whether it can
//! run and what to grant if not.

use chrono::{DateTime, Utc};
use mailfix_client::{Client, Permission, Resource, TokenClaims};
use serde::Serialize;

use super::needs::{CanRun, NEEDS, Verdict};
use super::probes::{self, Findings, ServiceCheck};
use crate::connect::Context;
use crate::error::CliError;

/// Everything `auth check` found out. Field names are stable (`-o json`).
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// Resolved settings with where each came from.
    pub settings: Vec<SettingRow>,
    /// One entry per resource: `graph`, `exchange`.
    pub tokens: Vec<TokenReport>,
    /// Each permission mailfix uses and whether the tokens carry it.
    pub permissions: Vec<PermissionRow>,
    /// What the services answered to read-only checks.
    pub checks: Vec<ServiceCheck>,
    /// Per command: can it run, and what is missing.
    pub commands: Vec<Verdict>,
    /// Why the check could not finish (sign-in failed), when it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<CheckError>,
}

/// Why `auth check` could not finish.
#[derive(Debug, Serialize)]
pub struct CheckError {
    /// The error's headline, as on stderr.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl CheckReport {
    /// The report of a check that failed before any token: the settings and the error.
    pub fn failed(settings: Vec<SettingRow>, error: &CliError) -> Self {
        Self {
            settings,
            tokens: Vec::new(),
            permissions: Vec::new(),
            checks: Vec::new(),
            commands: Vec::new(),
            error: Some(CheckError {
                message: error.headline.clone(),
                hint: error.hint.clone(),
            }),
        }
    }
}

/// One resolved setting.
#[derive(Debug, Serialize)]
pub struct SettingRow {
    /// Setting name (`tenant`, `client_id`, ...).
    pub name: String,
    /// The value (secrets redacted).
    pub value: String,
    /// `flag`, `env`, `config`, `default`, or `-`.
    pub source: String,
}

/// What a token for one resource says, or why there is none.
#[derive(Debug, Default, Serialize)]
pub struct TokenReport {
    /// `graph` or `exchange`.
    pub resource: &'static str,
    /// Whether a token was acquired.
    pub ok: bool,
    /// Audience.
    pub audience: Option<String>,
    /// Tenant id.
    pub tenant: Option<String>,
    /// Calling app id.
    pub app: Option<String>,
    /// Signed-in user (delegated tokens).
    pub user: Option<String>,
    /// Application permissions.
    pub roles: Vec<String>,
    /// Delegated permissions.
    pub scopes: Vec<String>,
    /// Directory roles (template ids, or names in the simulator).
    pub directory_roles: Vec<String>,
    /// Expiry, UTC ISO 8601.
    pub expires: Option<String>,
    /// Why no token, when `ok` is false.
    pub error: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// One permission and whether it is granted.
#[derive(Debug, Serialize)]
pub struct PermissionRow {
    /// Its name as the portal shows it.
    pub permission: &'static str,
    /// The API it belongs to.
    pub api: &'static str,
    /// Whether the token for its API carries it (for Exchange: with the Exchange Administrator role).
    pub granted: bool,
    /// How to grant it, when it is missing.
    pub hint: Option<String>,
}

/// Signs in for both resources and builds the report. A Graph sign-in failure (wrong secret,
/// unknown app or tenant, unreachable endpoint) is the command's error; an Exchange one is reported.
pub async fn check(ctx: &Context) -> Result<CheckReport, CliError> {
    let settings = settings_rows(ctx);
    let client = ctx.client()?;
    let graph = client
        .token_claims(Resource::Graph)
        .await
        .map_err(CliError::from)?;
    let exchange = client.token_claims(Resource::Exchange).await;
    let granted = |p: Permission| match p {
        Permission::ExchangeManageAsApp => exchange.as_ref().is_ok_and(|c| p.granted_by(c)),
        _ => p.granted_by(&graph),
    };
    let permissions = Permission::ALL
        .iter()
        .map(|&p| PermissionRow {
            permission: p.name(),
            api: p.api(),
            granted: granted(p),
            hint: (!granted(p)).then(|| p.hint()),
        })
        .collect();
    let (checks, findings) = probes::run(&client, exchange.is_ok()).await;
    let commands = NEEDS
        .iter()
        .map(|n| with_findings(n.verdict(granted), findings))
        .collect();
    Ok(CheckReport {
        settings,
        tokens: vec![
            token_report("graph", Ok(&graph)),
            token_report("exchange", exchange.as_ref()),
        ],
        permissions,
        checks,
        commands,
        error: None,
    })
}

/// A verdict corrected by what the services answered: Exchange refusing a cmdlet stops `fix` and
/// `cleanup`; a tenant without Entra ID P1/P2 leaves MF007 out of `scan --registration`.
fn with_findings(mut verdict: Verdict, findings: Findings) -> Verdict {
    let exchange = matches!(verdict.command, "fix" | "cleanup");
    if exchange && findings.exchange_refused && verdict.can_run != CanRun::No {
        verdict.can_run = CanRun::No;
        verdict.note =
            "Exchange refused Get-AcceptedDomain (see the exchange role check)".to_owned();
    }
    if verdict.command == "scan --registration" && findings.no_premium {
        if verdict.can_run == CanRun::Yes {
            verdict.can_run = CanRun::Partly;
        }
        verdict.note = "every rule but MF007: the registration report needs Microsoft Entra ID \
            P1 or P2, which the tenant lacks"
            .to_owned();
    }
    verdict
}

/// The settings rows, also printed on their own when sign-in fails.
pub fn settings_rows(ctx: &Context) -> Vec<SettingRow> {
    ctx.settings
        .describe()
        .into_iter()
        .map(|(name, value, source)| SettingRow {
            name,
            value,
            source,
        })
        .collect()
}

fn token_report(
    resource: &'static str,
    claims: Result<&TokenClaims, &mailfix_client::Error>,
) -> TokenReport {
    match claims {
        Ok(c) => TokenReport {
            resource,
            ok: true,
            audience: Some(c.aud.clone()),
            tenant: c.tid.clone(),
            app: c.appid.clone(),
            user: c.upn.clone(),
            roles: c.roles.clone(),
            scopes: c.scp.clone(),
            directory_roles: c
                .wids
                .iter()
                .map(|id| {
                    mailfix_client::permission::directory_role_name(id)
                        .map_or_else(|| id.clone(), str::to_owned)
                })
                .collect(),
            expires: c.exp.and_then(expiry),
            ..TokenReport::default()
        },
        Err(e) => TokenReport {
            resource,
            error: Some(e.to_string()),
            hint: e.hint().map(str::to_owned),
            ..TokenReport::default()
        },
    }
}

fn expiry(unix: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp(unix, 0).map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// Who the client signed in as, in one line (for `auth login`).
pub async fn whoami(client: &Client) -> Result<String, CliError> {
    let claims = client.token_claims(Resource::Graph).await?;
    let who = claims.upn.as_deref().unwrap_or("(no user: app-only token)");
    let tenant = claims.tid.as_deref().unwrap_or("?");
    Ok(format!("{who} in tenant {tenant}"))
}
