//! `auth check` for people (sections of tables, then what to grant and how) or as one JSON
//! document.

use super::check::{CheckReport, SettingRow, TokenReport};
use super::needs::CanRun;
use crate::cli::OutputFormat;
use crate::error::CliError;
use crate::output;

/// The report as `format` prints it (`ndjson` and `csv` print the JSON document: it is not a list).
pub fn render(report: &CheckReport, format: OutputFormat) -> Result<String, CliError> {
    match format {
        OutputFormat::Table => Ok(text(report)),
        OutputFormat::Json | OutputFormat::Ndjson | OutputFormat::Csv => output::json(report),
    }
}

/// The settings section alone.
pub fn settings(rows: &[SettingRow]) -> String {
    let rows = rows
        .iter()
        .map(|r| vec![r.name.clone(), r.value.clone(), r.source.clone()]);
    format!(
        "Settings\n{}",
        output::table(&["setting", "value", "source"], rows)
    )
}

fn text(report: &CheckReport) -> String {
    let mut out = settings(&report.settings);
    out.push_str("\nTokens\n");
    out.push_str(&output::table(
        &[
            "resource",
            "identity",
            "permissions",
            "directory roles",
            "expires",
        ],
        report.tokens.iter().map(token_row),
    ));
    out.push_str("\nService checks (read-only)\n");
    out.push_str(&output::table(
        &["check", "ok", "result"],
        report.checks.iter().map(|c| {
            let result = match &c.hint {
                Some(hint) => format!("{} (hint: {hint})", c.result),
                None => c.result.clone(),
            };
            let ok = if c.ok { "yes" } else { "no" };
            vec![c.check.to_owned(), ok.to_owned(), result]
        }),
    ));
    out.push_str("\nCommands\n");
    out.push_str(&output::table(
        &["command", "can run", "what to grant"],
        report.commands.iter().map(|v| {
            let can = match v.can_run {
                CanRun::Yes => "yes",
                CanRun::Partly => "partly",
                CanRun::No => "no",
            };
            vec![v.command.to_owned(), can.to_owned(), v.note.clone()]
        }),
    ));
    let missing: Vec<_> = report.permissions.iter().filter(|p| !p.granted).collect();
    if missing.is_empty() {
        out.push_str("\nEvery permission mailfix uses is granted.\n");
        return out;
    }
    out.push_str("\nMissing permissions\n");
    for p in missing {
        out.push_str(&format!("  {} ({})\n", p.permission, p.api));
        if let Some(hint) = &p.hint {
            out.push_str(&format!("    hint: {hint}\n"));
        }
    }
    out
}

fn token_row(t: &TokenReport) -> Vec<String> {
    if !t.ok {
        let why = t.error.clone().unwrap_or_default();
        let hint = t
            .hint
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        return vec![
            t.resource.to_owned(),
            format!("no token: {why}{hint}"),
            String::new(),
            String::new(),
            String::new(),
        ];
    }
    let mut identity = format!("app {}", t.app.as_deref().unwrap_or("?"));
    if let Some(user) = &t.user {
        identity = format!("user {user} via {identity}");
    }
    identity.push_str(&format!(", tenant {}", t.tenant.as_deref().unwrap_or("?")));
    let held: Vec<&str> = t
        .roles
        .iter()
        .chain(&t.scopes)
        .map(String::as_str)
        .collect();
    let list = |items: &[&str]| match items {
        [] => "(none)".to_owned(),
        _ => items.join(", "),
    };
    let roles: Vec<&str> = t.directory_roles.iter().map(String::as_str).collect();
    vec![
        t.resource.to_owned(),
        identity,
        list(&held),
        list(&roles),
        t.expires.clone().unwrap_or_default(),
    ]
}
