//! `scan` (SPEC §3): streams the users of a [`Scope`] with only the properties the rules read,
//! joins the authentication methods (`$batch`, with `--methods`) and the registration report (read
//! in bulk, with `--registration`), applies every rule, and keeps only the findings and counters:
//! memory follows the number of findings, not the size of the tenant.

use std::collections::BTreeMap;
use std::time::Instant;

use futures::StreamExt as _;
use mailfix_client::models::User;
use mailfix_client::{Client, Error};
use serde::Serialize;

use crate::collect::{self, MethodsRead, Registrations, USER_FIELDS};
use crate::events::{Command, Event, Phase, Reporter};
use crate::facts::{MailboxPlans, UserFacts};
use crate::finding::{Finding, Severity, UserRef};
use crate::rules::{self, Input};
use crate::scope::{Scope, ScopeError, ScopeItem, SkipCounts};

/// Users whose methods are read together: ten `$batch` requests of 20, sent within Graph's
/// concurrency cap.
const METHODS_CHUNK: usize = 200;
/// A `Scanned` progress event every this many members.
const PROGRESS_EVERY: u64 = 250;

/// What to read besides the directory properties.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Read authentication methods (MF006).
    pub methods: bool,
    /// Read the registration report (MF007).
    pub registration: bool,
    /// Which service plans count as a mailbox.
    pub plans: MailboxPlans,
}

/// Counts of findings, for the summary of every output format.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Findings per rule id (only rules that found something).
    pub by_rule: BTreeMap<String, u64>,
    /// Findings per severity (only severities that occur).
    pub by_severity: BTreeMap<Severity, u64>,
    /// Users with at least one finding.
    pub users_with_findings: u64,
}

impl Summary {
    fn of(findings: &[Finding]) -> Self {
        let mut summary = Summary::default();
        let mut last_user: Option<&str> = None;
        for f in findings {
            *summary.by_rule.entry(f.rule.clone()).or_default() += 1;
            *summary.by_severity.entry(f.severity).or_default() += 1;
            if last_user != Some(f.user.id.as_str()) {
                summary.users_with_findings += 1;
                last_user = Some(&f.user.id);
            }
        }
        summary
    }

    /// The worst severity found, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.by_severity.keys().max().copied()
    }
}

/// The result of a scan. Field names are part of mailfix's output contract (SPEC §3).
#[derive(Clone, Debug, Serialize)]
pub struct ScanReport {
    /// What was scanned, e.g. `group 'All Staff'`.
    pub scope: String,
    /// Users the rules were applied to.
    pub scanned: u64,
    /// Members left out, by reason (`group`, `device`, `contact`, `servicePrincipal`, `disabled`,
    /// `guest`, `not-found`).
    pub skipped: SkipCounts,
    /// Every finding, ordered by UPN (case-insensitive), then rule id.
    pub findings: Vec<Finding>,
    /// Counts of the findings.
    pub summary: Summary,
    /// Rules that could not be applied, and why (e.g. MF007 without Entra ID P1/P2).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules_skipped: Vec<SkippedRule>,
}

/// A rule left out of a scan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SkippedRule {
    /// The rule id.
    pub rule: String,
    /// Why, and what would make it possible.
    pub reason: String,
}

/// Why MF007 is skipped in a tenant without Entra ID P1/P2.
pub const MF007_NO_LICENCE: &str = "the registration report needs Microsoft Entra ID P1 or P2, \
    which this tenant does not have (Graph answered Authentication_RequestFromNonPremiumTenantOrB2CTenant); \
    every other rule was applied";

impl ScanReport {
    /// Whether a finding of `threshold` or worse exists.
    pub fn has_findings_at(&self, threshold: Severity) -> bool {
        self.summary.worst().is_some_and(|w| w >= threshold)
    }
}

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// Listing the scope failed.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// Reading methods or the registration report failed.
    #[error(transparent)]
    Client(#[from] Error),
}

impl ScanError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            ScanError::Scope(e) => e.hint(),
            ScanError::Client(e) => e.hint().map(str::to_owned),
        }
    }
}

/// Counters and findings kept while the members stream by, and the users being worked on.
struct Scanner<'a> {
    client: &'a Client,
    options: &'a ScanOptions,
    reporter: &'a dyn Reporter,
    /// With `--registration`: the scanned users, joined with the report once it is read.
    awaiting_report: Vec<UserRef>,
    /// Users waiting for their methods to be read in one go.
    waiting: Vec<UserFacts>,
    scanned: u64,
    skipped: SkipCounts,
    seen: u64,
    findings: Vec<Finding>,
    rules_skipped: Vec<SkippedRule>,
}

impl<'a> Scanner<'a> {
    fn new(client: &'a Client, options: &'a ScanOptions, reporter: &'a dyn Reporter) -> Self {
        Scanner {
            client,
            options,
            reporter,
            awaiting_report: Vec::new(),
            waiting: Vec::new(),
            scanned: 0,
            skipped: SkipCounts::new(),
            seen: 0,
            findings: Vec::new(),
            rules_skipped: Vec::new(),
        }
    }

    /// Reads the scope once and applies the rules to every user in it. With `--registration` the
    /// report is read while the members stream by (reports have their own, much slower, limit) and
    /// joined at the end; only the scanned users' ids and UPNs are kept for that.
    async fn run(&mut self, scope: &Scope) -> Result<(), ScanError> {
        self.progress();
        if !self.options.registration {
            return self.walk(scope).await;
        }
        let client = self.client;
        // Without Entra ID P1/P2 the report is refused: MF007 is skipped, the rest goes on.
        let report = async {
            match collect::registrations(client).await {
                Ok(report) => Ok(Some(report)),
                Err(e) if e.is_no_premium_licence() => Ok(None),
                Err(e) => Err(ScanError::from(e)),
            }
        };
        let (report, ()) = tokio::try_join!(report, self.walk(scope))?;
        match report {
            Some(report) => self.join_registrations(&report),
            None => {
                self.awaiting_report.clear();
                self.rules_skipped.push(SkippedRule {
                    rule: "MF007".to_owned(),
                    reason: MF007_NO_LICENCE.to_owned(),
                });
            }
        }
        Ok(())
    }

    async fn walk(&mut self, scope: &Scope) -> Result<(), ScanError> {
        let mut users = scope.users(self.client, &USER_FIELDS);
        while let Some(item) = users.next().await {
            match item? {
                ScopeItem::User(user) => self.user(&user).await?,
                ScopeItem::Skipped(reason) => self.skip(reason),
            }
            self.seen += 1;
            if self.seen.is_multiple_of(PROGRESS_EVERY) {
                self.progress();
            }
        }
        self.flush().await?;
        self.progress();
        Ok(())
    }

    /// Applies the registration rules (MF007) to the scanned users the report has a row for.
    fn join_registrations(&mut self, report: &Registrations) {
        let registration_rules: Vec<_> = rules::RULES
            .iter()
            .filter(|r| r.input == Input::Registration)
            .collect();
        for user in std::mem::take(&mut self.awaiting_report) {
            let Some(row) = report.get(&user.id) else {
                continue;
            };
            let facts = UserFacts {
                user,
                registration: Some(row.clone()),
                ..UserFacts::default()
            };
            self.findings
                .extend(registration_rules.iter().filter_map(|r| r.check(&facts)));
        }
    }

    async fn user(&mut self, user: &User) -> Result<(), Error> {
        let facts = UserFacts::from_user_with(user, &self.options.plans);
        if !self.options.methods {
            self.check(facts);
        } else {
            self.waiting.push(facts);
            if self.waiting.len() >= METHODS_CHUNK {
                self.flush().await?;
            }
        }
        Ok(())
    }

    /// Reads the methods of the waiting users in `$batch`es and applies the rules to them.
    async fn flush(&mut self) -> Result<(), Error> {
        if self.waiting.is_empty() {
            return Ok(());
        }
        let users: Vec<_> = self.waiting.iter().map(|f| f.user.clone()).collect();
        let reads = collect::methods(self.client, &users).await?;
        let waiting = std::mem::take(&mut self.waiting);
        for (facts, read) in waiting.into_iter().zip(reads) {
            match read {
                MethodsRead::Read(methods) => self.check(facts.with_methods(methods)),
                MethodsRead::Gone => self.skip("not-found".to_owned()),
            }
        }
        Ok(())
    }

    fn check(&mut self, facts: UserFacts) {
        self.scanned += 1;
        if self.options.registration {
            self.awaiting_report.push(facts.user.clone());
        }
        self.findings.extend(rules::check_all(&facts));
    }

    fn skip(&mut self, reason: String) {
        *self.skipped.entry(reason).or_default() += 1;
    }

    fn progress(&self) {
        self.reporter.report(&Event::Scanned {
            read: self.scanned,
            skipped: self.skipped.values().sum(),
        });
    }

    fn report(self, scope: &Scope) -> ScanReport {
        let mut findings = self.findings;
        findings.sort_by(|a, b| {
            let key = |f: &Finding| (f.user.upn.to_ascii_lowercase(), f.user.id.clone());
            key(a).cmp(&key(b)).then_with(|| a.rule.cmp(&b.rule))
        });
        ScanReport {
            scope: scope.describe(),
            scanned: self.scanned,
            skipped: self.skipped,
            summary: Summary::of(&findings),
            findings,
            rules_skipped: self.rules_skipped,
        }
    }
}

/// Scans `scope`: reads each user in it once, applies every rule, and reports progress as
/// [`Event::Scanned`]. Findings come back ordered by UPN, then rule.
pub async fn scan(
    client: &Client,
    scope: &Scope,
    options: &ScanOptions,
    reporter: &dyn Reporter,
) -> Result<ScanReport, ScanError> {
    let started = Instant::now();
    reporter.report(&Event::RunStarted {
        command: Command::Scan,
        run: None,
        targets: None,
    });
    reporter.report(&Event::Phase { phase: Phase::Scan });
    let mut scanner = Scanner::new(client, options, reporter);
    scanner.run(scope).await?;
    let report = scanner.report(scope);
    reporter.report(&Event::RunFinished {
        run: None,
        elapsed: started.elapsed(),
        done: report.scanned,
        not_done: 0,
    });
    Ok(report)
}
