//! The notice of one cycle: what was found and, with `--mode remediate`, what was fixed, with
//! counts and headline shared by every format.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::finding::{Finding, UserRef};
use crate::guard::Mode;
use crate::run_id::RunId;

/// One user in a fix section, with what happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixLine {
    /// The user.
    #[serde(flatten)]
    pub user: UserRef,
    /// What happened, or why not (stuck, failed).
    pub detail: String,
}

/// What remediation did in the cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NoticeFixes {
    /// The fix run (journal), when one ran.
    pub run: Option<RunId>,
    /// Users whose `mail` was written back and whose temporary alias is gone.
    pub fixed: Vec<FixLine>,
    /// Users Exchange did not write back in time (alerted once).
    pub stuck: Vec<FixLine>,
    /// Users the fix failed for, with the reason.
    pub failed: Vec<FixLine>,
    /// MF001 users left for the next cycle by `--max-changes-per-cycle`.
    pub deferred: usize,
}

impl NoticeFixes {
    /// Whether remediation has anything to tell.
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty()
            && self.stuck.is_empty()
            && self.failed.is_empty()
            && self.deferred == 0
    }

    /// The fixed, stuck and failed users, each list with the title a message gives it.
    pub fn sections(&self) -> [(&'static str, &[FixLine]); 3] {
        [
            (
                "Fixed: `mail` written back, temporary alias removed",
                &self.fixed,
            ),
            (
                "Stuck: Exchange did not write these back (alerted once; check the mailbox, then `mailfix fix --user`)",
                &self.stuck,
            ),
            ("Fix failed", &self.failed),
        ]
    }
}

/// One cycle's notice.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The tenant (id or domain, as configured).
    pub tenant: String,
    /// The scope, described.
    pub scope: String,
    /// The mode guard runs in.
    pub mode: Mode,
    /// The cycle number (1 for the first of this guard's journal).
    pub cycle: u64,
    /// When the cycle ended.
    pub at: DateTime<Utc>,
    /// Users checked in the cycle.
    pub checked: u64,
    /// Whether the cycle read the whole scope (first cycle, or a resync).
    pub full: bool,
    /// Findings to act on, ordered by UPN then rule (in remediate mode: all but the MF001 users
    /// being fixed).
    pub findings: Vec<Finding>,
    /// What remediation did.
    pub fixes: NoticeFixes,
}

impl Notice {
    /// Whether the notice has anything to say (a cycle that found nothing sends nothing).
    pub fn is_worth_sending(&self) -> bool {
        !self.findings.is_empty() || !self.fixes.is_empty()
    }

    /// One line for a title or a fallback text, e.g. `mailfix guard: 3 findings on 2 users, 5 fixed,
    /// 1 stuck`.
    pub fn headline(&self) -> String {
        let mut parts = Vec::new();
        if !self.findings.is_empty() {
            parts.push(format!(
                "{} {} on {} {}",
                self.findings.len(),
                plural(self.findings.len(), "finding", "findings"),
                self.users_with_findings(),
                plural(self.users_with_findings(), "user", "users")
            ));
        }
        let fixes = &self.fixes;
        for (n, what) in [
            (fixes.fixed.len(), "fixed"),
            (fixes.stuck.len(), "stuck"),
            (fixes.failed.len(), "failed"),
            (fixes.deferred, "deferred to the next cycle"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        match parts.is_empty() {
            true => "mailfix guard: nothing found".to_owned(),
            false => format!("mailfix guard: {}", parts.join(", ")),
        }
    }

    /// Tenant, scope, cycle and time in one line.
    pub fn context_line(&self) -> String {
        format!(
            "tenant {} · {} · cycle {}{} · {}",
            self.tenant,
            self.scope,
            self.cycle,
            if self.full { " (full scan)" } else { "" },
            self.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    }

    /// Findings grouped by rule (in rule order), each group in UPN order.
    pub fn by_rule(&self) -> Vec<(&Finding, Vec<&Finding>)> {
        let mut rules: Vec<&str> = self.findings.iter().map(|f| f.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        rules
            .into_iter()
            .filter_map(|rule| {
                let group: Vec<&Finding> =
                    self.findings.iter().filter(|f| f.rule == rule).collect();
                group.first().copied().map(|first| (first, group))
            })
            .collect()
    }

    fn users_with_findings(&self) -> usize {
        let mut ids: Vec<&str> = self.findings.iter().map(|f| f.user.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    }
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}
