//! Registration attempts per day (UTC) over the audit's period, failures and successes apart: the
//! shape of the problem over time (a defect fails every day; an outage fails on one).

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::classify::attempt_outcome;
use super::events::RegistrationEvent;
use super::report::AuditUser;
use super::window::AuditWindow;

/// One day's attempts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DayAttempts {
    /// The day (UTC), `2026-11-25`.
    pub day: NaiveDate,
    /// Attempts that failed (or timed out).
    pub failures: u64,
    /// Attempts that succeeded.
    pub successes: u64,
}

/// The attempts of the report's `users` per day, every day from the window's start (or the first
/// attempt) to the later of its end and the last attempt, days without attempts included.
pub fn attempts_per_day(
    events: &[RegistrationEvent],
    users: &[AuditUser],
    window: &AuditWindow,
) -> Vec<DayAttempts> {
    let ids: HashSet<&str> = users
        .iter()
        .map(|u| u.id.as_str())
        .filter(|i| !i.is_empty())
        .collect();
    let upns: HashSet<String> = users.iter().map(|u| u.upn.to_ascii_lowercase()).collect();
    let reported = |e: &RegistrationEvent| {
        e.user_id.as_deref().is_some_and(|i| ids.contains(i))
            || e.upn
                .as_ref()
                .is_some_and(|u| upns.contains(&u.to_ascii_lowercase()))
    };
    let mut per_day: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
    for event in events.iter().filter(|e| reported(e)) {
        if let Some(success) = attempt_outcome(event) {
            let day = per_day.entry(event.time.date_naive()).or_default();
            match success {
                true => day.1 += 1,
                false => day.0 += 1,
            }
        }
    }
    let first = window.from.map(|t| t.date_naive());
    let last = window.to.map(|t| t.date_naive());
    let (Some(start), Some(end)) = (
        first.or(per_day.keys().next().copied()),
        [last, per_day.keys().next_back().copied()]
            .into_iter()
            .flatten()
            .max()
            .or(first),
    ) else {
        return Vec::new();
    };
    start
        .iter_days()
        .take_while(|d| *d <= end)
        .map(|day| {
            let (failures, successes) = per_day.get(&day).copied().unwrap_or_default();
            DayAttempts {
                day,
                failures,
                successes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::audit::{AuditClass, AuditResult};

    fn event(day: u32, upn: &str, result: AuditResult) -> RegistrationEvent {
        RegistrationEvent {
            time: Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap(),
            service: "Authentication Methods".into(),
            activity: "User registered all required security info".into(),
            result,
            reason: None,
            user_id: None,
            upn: Some(upn.into()),
        }
    }

    fn user(upn: &str) -> AuditUser {
        AuditUser {
            id: String::new(),
            upn: upn.into(),
            class: AuditClass::Failing,
            mail_empty: Some(true),
            synced: Some(false),
            mailbox_plan: None,
            attempts: 0,
            failures: 0,
            successes: 0,
            reasons: Vec::new(),
            related_events: 0,
            first: None,
            last: None,
            cause: None,
            remedy: None,
        }
    }

    #[test]
    fn every_day_of_the_window_is_counted_and_other_users_are_not() {
        let events = [
            event(20, "Anna@contoso.com", AuditResult::Failure),
            event(20, "anna@contoso.com", AuditResult::Success),
            event(22, "anna@contoso.com", AuditResult::Timeout),
            event(22, "out.of.scope@contoso.com", AuditResult::Failure),
        ];
        let window = AuditWindow {
            from: Some(Utc.with_ymd_and_hms(2026, 11, 19, 0, 0, 0).unwrap()),
            to: None,
        };
        let days = attempts_per_day(&events, &[user("anna@contoso.com")], &window);
        let counts: Vec<(u32, u64, u64)> = days
            .iter()
            .map(|d| (chrono::Datelike::day(&d.day), d.failures, d.successes))
            .collect();
        assert_eq!(counts, vec![(19, 0, 0), (20, 1, 1), (21, 0, 0), (22, 1, 0)]);
    }

    #[test]
    fn no_attempt_and_no_window_is_no_day() {
        assert!(attempts_per_day(&[], &[], &AuditWindow::all()).is_empty());
    }
}
