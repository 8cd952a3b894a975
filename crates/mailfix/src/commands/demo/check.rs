//! What the demo checks after each step, from the commands' own reports and the journal: the
//! story ends as expected only if every check holds (`mailfix demo` exits 0 then, 1 otherwise).

use std::collections::BTreeSet;

use mailfix_engine::RunId;
use mailfix_engine::audit::{AuditClass, AuditReport};
use mailfix_engine::journal::{ItemKind, ItemState, RunDetail, RunStatus};
use mailfix_engine::scan::ScanReport;

use super::narrate::plural;

/// The rule `fix` repairs.
pub const MF001: &str = "MF001";
/// The rule that finds temporary addresses left behind.
const MF005: &str = "MF005";

/// A check that failed: what was expected and what happened.
#[derive(Debug, PartialEq, Eq)]
pub struct Unexpected(pub String);

fn fail<T>(text: String) -> Result<T, Unexpected> {
    Err(Unexpected(text))
}

/// What the first audit found.
#[derive(Debug, Default)]
pub struct Failing {
    /// Every failing user (UPNs in lowercase).
    pub users: BTreeSet<String>,
    /// How many of them have an empty `mail`.
    pub mail_empty: usize,
    /// Users who registered without failing.
    pub completed: u64,
    /// How many of those have an empty `mail`.
    pub completed_mail_empty: u64,
}

/// The audit found users whose registration keeps failing, with an empty `mail`.
pub fn failing(report: &AuditReport) -> Result<Failing, Unexpected> {
    let users: BTreeSet<String> = report.failing().map(|u| u.upn.to_lowercase()).collect();
    let mail_empty = report
        .failing()
        .filter(|u| u.mail_empty == Some(true))
        .count();
    if mail_empty == 0 {
        return fail(format!(
            "audit found no failing user with an empty `mail` ({} failing users)",
            users.len()
        ));
    }
    let completed = report.row(AuditClass::Completed);
    Ok(Failing {
        users,
        mail_empty,
        completed: completed.map_or(0, |r| r.mail_empty + r.mail_set + r.mail_unknown),
        completed_mail_empty: completed.map_or(0, |r| r.mail_empty),
    })
}

/// The users a scan found with `rule` (UPNs in lowercase).
pub fn with_rule(report: &ScanReport, rule: &str) -> BTreeSet<String> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.user.upn.to_lowercase())
        .collect()
}

/// The first scan found MF001 users.
pub fn defect_found(report: &ScanReport) -> Result<BTreeSet<String>, Unexpected> {
    let users = with_rule(report, MF001);
    if users.is_empty() {
        return fail("scan found no user with MF001".to_owned());
    }
    Ok(users)
}

/// The second scan has no MF001 finding, and no temporary address of `run` is left (MF005 names
/// it); returns how many other findings it has.
pub fn defect_gone(report: &ScanReport, run: &RunId) -> Result<usize, Unexpected> {
    let left = with_rule(report, MF001);
    if !left.is_empty() {
        return fail(format!(
            "scan still finds MF001 after the fix on {}: {}",
            plural(left.len(), "user"),
            list(&left)
        ));
    }
    let marker = format!(".mailfix-{run}@");
    let aliases: BTreeSet<String> = report
        .findings
        .iter()
        .filter(|f| f.rule == MF005 && f.detail.contains(&marker))
        .map(|f| f.user.upn.to_lowercase())
        .collect();
    if !aliases.is_empty() {
        return fail(format!(
            "scan finds temporary addresses of run {run} left on {}: {}",
            plural(aliases.len(), "user"),
            list(&aliases)
        ));
    }
    Ok(report.findings.len())
}

/// A fix run as the journal records it.
#[derive(Debug, Default)]
pub struct RunFacts {
    /// Users whose alias went the whole way: written back, removed, checked gone.
    pub fixed: BTreeSet<String>,
    /// Users whose alias is somewhere else (stuck, failed, pending).
    pub not_fixed: BTreeSet<String>,
    /// Users skipped with a reason (other rules).
    pub skipped: usize,
}

/// Reads a fix run's items.
pub fn run_facts(detail: &RunDetail) -> RunFacts {
    let mut facts = RunFacts::default();
    for item in detail.items.iter().filter(|i| i.kind == ItemKind::Alias) {
        let upn = item.user.upn.to_lowercase();
        match item.state {
            ItemState::Verified => facts.fixed.insert(upn),
            ItemState::Skipped => {
                facts.skipped += 1;
                continue;
            }
            _ => facts.not_fixed.insert(upn),
        };
    }
    facts
}

/// The run is recorded as finished, and fixed exactly the users the scan found with MF001.
pub fn all_fixed(detail: &RunDetail, targets: &BTreeSet<String>) -> Result<RunFacts, Unexpected> {
    let facts = run_facts(detail);
    if detail.run.status != RunStatus::Finished {
        return fail(format!(
            "run {} is recorded as {}, not finished",
            detail.run.id, detail.run.status
        ));
    }
    if !facts.not_fixed.is_empty() {
        return fail(format!(
            "fix did not fix {}: {}",
            plural(facts.not_fixed.len(), "user"),
            list(&facts.not_fixed)
        ));
    }
    if &facts.fixed != targets {
        let missing: BTreeSet<String> = targets.difference(&facts.fixed).cloned().collect();
        let extra: BTreeSet<String> = facts.fixed.difference(targets).cloned().collect();
        return fail(format!(
            "fix fixed {} but scan found {} with MF001 (not fixed: {}; not found by scan: {})",
            plural(facts.fixed.len(), "user"),
            targets.len(),
            list(&missing),
            list(&extra)
        ));
    }
    Ok(facts)
}

/// After the users tried again: (recovered, still failing). Every fixed user who was failing
/// has recovered, and no one else.
pub fn recovered(
    report: &AuditReport,
    before: &Failing,
    fixed: &BTreeSet<String>,
) -> Result<(usize, usize), Unexpected> {
    let in_class = |class: AuditClass| -> BTreeSet<String> {
        report
            .users
            .iter()
            .filter(|u| u.class == class)
            .map(|u| u.upn.to_lowercase())
            .collect()
    };
    let recovered = in_class(AuditClass::Recovered);
    let expected: BTreeSet<String> = before.users.intersection(fixed).cloned().collect();
    if recovered != expected {
        let missing: BTreeSet<String> = expected.difference(&recovered).cloned().collect();
        return fail(format!(
            "after trying again {} recovered, expected the {} fixed ones (not recovered: {})",
            plural(recovered.len(), "user"),
            expected.len(),
            list(&missing)
        ));
    }
    Ok((recovered.len(), in_class(AuditClass::Failing).len()))
}

/// Up to five UPNs, then a count.
fn list(users: &BTreeSet<String>) -> String {
    let shown: Vec<&str> = users.iter().take(5).map(String::as_str).collect();
    match users.len() {
        0 => "none".to_owned(),
        n if n > shown.len() => format!("{} and {} more", shown.join(", "), n - shown.len()),
        _ => shown.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use mailfix_engine::events::Command;
    use mailfix_engine::journal::{ItemId, ItemRecord, RunRecord};
    use mailfix_engine::{Finding, Severity, UserRef};

    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn finding(upn: &str, rule: &str, detail: &str) -> Finding {
        Finding {
            rule: rule.to_owned(),
            name: String::new(),
            severity: Severity::Error,
            user: UserRef::new(upn, upn),
            detail: detail.to_owned(),
            fixable: false,
            remedy: String::new(),
        }
    }

    fn scan(findings: Vec<Finding>) -> ScanReport {
        ScanReport {
            scope: "all users".to_owned(),
            scanned: 10,
            skipped: Default::default(),
            findings,
            summary: Default::default(),
            rules_skipped: Vec::new(),
        }
    }

    fn run(status: RunStatus, items: &[(&str, ItemState)]) -> RunDetail {
        let id: RunId = "rnfe48".parse().unwrap();
        let now = Utc::now();
        let item = |(n, (upn, state)): (usize, &(&str, ItemState))| ItemRecord {
            id: ItemId(n as i64),
            run: id.clone(),
            user: UserRef::new(*upn, *upn),
            kind: ItemKind::Alias,
            planned: String::new(),
            state: *state,
            reason: None,
            created_at: now,
            updated_at: now,
            added_at: None,
            written_back_at: None,
            removed_at: None,
            latency: None,
        };
        RunDetail {
            run: RunRecord {
                id: id.clone(),
                command: Command::Fix,
                started_at: now,
                finished_at: Some(now),
                status,
                options: serde_json::Value::Null,
                tenant: None,
                summary: None,
            },
            items: items.iter().enumerate().map(item).collect(),
        }
    }

    #[test]
    fn the_scans_must_find_mf001_first_and_none_of_it_or_of_the_runs_aliases_after() {
        assert!(defect_found(&scan(vec![finding("a", "MF003", "")])).is_err());
        let found = defect_found(&scan(vec![finding("A@x", MF001, "")])).unwrap();
        assert_eq!(found, set(&["a@x"]));

        let run_id: RunId = "rnfe48".parse().unwrap();
        let left = defect_gone(&scan(vec![finding("a@x", MF001, "")]), &run_id).unwrap_err();
        assert_eq!(
            left.0,
            "scan still finds MF001 after the fix on 1 user: a@x"
        );
        let ours = finding(
            "b@x",
            MF005,
            "left behind: smtp:b.mailfix-rnfe48@x (mailfix)",
        );
        let theirs = finding(
            "c@x",
            MF005,
            "left behind: smtp:c.mailfix-rhp9cd@x (mailfix)",
        );
        let err = defect_gone(&scan(vec![ours, theirs.clone()]), &run_id).unwrap_err();
        assert!(
            err.0.contains("run rnfe48 left on 1 user: b@x"),
            "{}",
            err.0
        );
        assert_eq!(defect_gone(&scan(vec![theirs]), &run_id), Ok(1));
    }

    #[test]
    fn a_run_counts_as_done_only_when_finished_with_every_target_verified() {
        let targets = set(&["a@x", "b@x"]);
        let done = [("a@x", ItemState::Verified), ("B@x", ItemState::Verified)];
        let skipped = ("c@x", ItemState::Skipped);
        let mut items = done.to_vec();
        items.push(skipped);
        let facts = all_fixed(&run(RunStatus::Finished, &items), &targets).unwrap();
        assert_eq!((facts.fixed, facts.skipped), (targets.clone(), 1));

        let err = all_fixed(&run(RunStatus::Incomplete, &done), &targets).unwrap_err();
        assert_eq!(err.0, "run rnfe48 is recorded as incomplete, not finished");
        let stuck = [("a@x", ItemState::Verified), ("b@x", ItemState::Stuck)];
        let err = all_fixed(&run(RunStatus::Finished, &stuck), &targets).unwrap_err();
        assert_eq!(err.0, "fix did not fix 1 user: b@x");
        let one = [("a@x", ItemState::Verified)];
        let err = all_fixed(&run(RunStatus::Finished, &one), &targets).unwrap_err();
        assert!(
            err.0.contains("(not fixed: b@x; not found by scan: none)"),
            "{}",
            err.0
        );
    }

    #[test]
    fn lists_are_short() {
        assert_eq!(list(&set(&[])), "none");
        assert_eq!(list(&set(&["a", "b"])), "a, b");
        assert_eq!(
            list(&set(&["a", "b", "c", "d", "e", "f", "g"])),
            "a, b, c, d, e and 2 more"
        );
    }
}
