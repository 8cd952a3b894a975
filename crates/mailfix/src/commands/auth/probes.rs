//! What `auth check` asks the services, read-only, beyond the tokens: where this tenant's Exchange
//! admin API is (the front door, or the tenant host it redirects to), whether Exchange runs a
//! cmdlet for the app (one `Get-AcceptedDomain`: the role), and whether the registration report is
//! licensed (Microsoft Entra ID P1/P2; one filtered read that matches no row).

use futures::StreamExt as _;
use mailfix_client::Client;
use mailfix_client::query::Filter;
use serde::Serialize;

/// The result of one check.
#[derive(Clone, Debug, Serialize)]
pub struct ServiceCheck {
    /// `exchange endpoint`, `exchange role`, `registration report`.
    pub check: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub result: String,
    /// What to do, when it did not pass.
    pub hint: Option<String>,
}

/// What the checks say about the commands.
#[derive(Clone, Copy, Debug, Default)]
pub struct Findings {
    /// Exchange refused (or could not run) a cmdlet: fix and cleanup will fail.
    pub exchange_refused: bool,
    /// The tenant has no Entra ID P1/P2: `scan --registration` skips MF007.
    pub no_premium: bool,
}

fn failed(check: &'static str, e: &mailfix_client::Error) -> ServiceCheck {
    ServiceCheck {
        check,
        ok: false,
        result: e.to_string(),
        hint: e.hint().map(str::to_owned),
    }
}

/// Runs the checks; `exchange_token` says whether an Exchange token was had at all.
pub async fn run(client: &Client, exchange_token: bool) -> (Vec<ServiceCheck>, Findings) {
    let mut checks = Vec::new();
    let mut findings = Findings::default();
    if exchange_token {
        checks.push(match client.exo().endpoint().await {
            Ok(e) => ServiceCheck {
                check: "exchange endpoint",
                ok: true,
                result: match &e.redirected_to {
                    Some(prefix) => format!(
                        "{} (the front door redirects this tenant to '{prefix}'), tenant {}",
                        e.base, e.tenant
                    ),
                    None => format!("{} (no redirect), tenant {}", e.base, e.tenant),
                },
                hint: None,
            },
            Err(e) => failed("exchange endpoint", &e),
        });
        let role = client.exo().accepted_domains().await;
        findings.exchange_refused = role.is_err();
        checks.push(match role {
            Ok(domains) => ServiceCheck {
                check: "exchange role",
                ok: true,
                result: format!("Get-AcceptedDomain ran: {} accepted domains", domains.len()),
                hint: None,
            },
            Err(e) => failed("exchange role", &e),
        });
    }
    let none = Filter::eq("id", "00000000-0000-0000-0000-000000000000");
    let mut report = client.graph().registration_details(Some(none));
    let licence = match report.next().await {
        None | Some(Ok(_)) => ServiceCheck {
            check: "registration report",
            ok: true,
            result: "readable: the tenant has Microsoft Entra ID P1 or P2".to_owned(),
            hint: None,
        },
        Some(Err(e)) if e.is_no_premium_licence() => {
            findings.no_premium = true;
            ServiceCheck {
                check: "registration report",
                ok: false,
                result: "no Microsoft Entra ID P1 or P2 licence: the report is refused".to_owned(),
                hint: e.hint().map(str::to_owned),
            }
        }
        Some(Err(e)) => failed("registration report", &e),
    };
    checks.push(licence);
    (checks, findings)
}
