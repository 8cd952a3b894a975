//! Per-user registration history from audit events (README "Audit"): attempts, failures with reasons,
//! successes, first and last time, and the class `completed`, `failing` (failed and never
//! succeeded since), `recovered` (failed, then succeeded) or `no-attempt`.
//!
//! An attempt is an event that ends a registration: "User registered all required security info"
//! (combined registration, service "Authentication Methods") and "User registered for self-service
//! password reset" (service "Self-service Password Management"), success or failure (a timeout is a
//! failure). Other events of the two services (started, reviewed, single methods, reset flow
//! progress) are counted as related activity only (docs/protocol.md §4.3, §4.4).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::events::{AuditResult, RegistrationEvent};
use crate::finding::UserRef;

/// Activities that end a registration attempt.
pub const ATTEMPT_ACTIVITIES: &[&str] = &[
    "User registered all required security info",
    "User registered for self-service password reset",
];

/// A user's class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditClass {
    /// Failed and never succeeded since.
    Failing,
    /// Failed, then succeeded.
    Recovered,
    /// Succeeded without failing.
    Completed,
    /// In scope, no attempt in the period.
    NoAttempt,
}

impl AuditClass {
    /// All classes, in table order.
    pub const ALL: [AuditClass; 4] = [
        AuditClass::Failing,
        AuditClass::Recovered,
        AuditClass::Completed,
        AuditClass::NoAttempt,
    ];

    /// The output spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditClass::Failing => "failing",
            AuditClass::Recovered => "recovered",
            AuditClass::Completed => "completed",
            AuditClass::NoAttempt => "no-attempt",
        }
    }
}

/// How often one failure reason occurred.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// `resultReason` (or `(no reason given)`).
    pub reason: String,
    /// Occurrences.
    pub count: u32,
}

/// One user's registration history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserHistory {
    /// The user (`id` is empty when no event or scope entry gave one).
    pub user: UserRef,
    /// The class.
    pub class: AuditClass,
    /// Attempts (successes + failures).
    pub attempts: u32,
    /// Failed attempts.
    pub failures: u32,
    /// Successful attempts.
    pub successes: u32,
    /// Failure reasons, most frequent first.
    pub failure_reasons: Vec<ReasonCount>,
    /// Other events of the two services about the user.
    pub related_events: u32,
    /// First event about the user.
    pub first: Option<DateTime<Utc>>,
    /// Last event about the user.
    pub last: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Tally {
    id: Option<String>,
    upn: Option<String>,
    outcomes: Vec<(DateTime<Utc>, bool)>,
    reasons: BTreeMap<String, u32>,
    related: u32,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

/// Users keyed by id and by lowercase UPN, so events naming a user either way meet.
#[derive(Default)]
struct Index {
    tallies: Vec<Tally>,
    by_id: HashMap<String, usize>,
    by_upn: HashMap<String, usize>,
}

impl Index {
    fn slot(&mut self, id: Option<&str>, upn: Option<&str>) -> usize {
        let upn_key = upn.map(str::to_ascii_lowercase);
        let found = id
            .and_then(|i| self.by_id.get(i))
            .or_else(|| upn_key.as_ref().and_then(|u| self.by_upn.get(u)))
            .copied();
        let index = found.unwrap_or_else(|| {
            self.tallies.push(Tally::default());
            self.tallies.len() - 1
        });
        let tally = &mut self.tallies[index];
        if let Some(id) = id {
            tally.id.get_or_insert_with(|| id.to_owned());
            self.by_id.entry(id.to_owned()).or_insert(index);
        }
        if let (Some(upn), Some(key)) = (upn, upn_key) {
            tally.upn.get_or_insert_with(|| upn.to_owned());
            self.by_upn.entry(key).or_insert(index);
        }
        index
    }

    fn find(&self, user: &UserRef) -> Option<usize> {
        self.by_id
            .get(&user.id)
            .or_else(|| self.by_upn.get(&user.upn.to_ascii_lowercase()))
            .copied()
    }
}

/// Whether an event ends an attempt, and if so whether it succeeded.
pub fn attempt_outcome(event: &RegistrationEvent) -> Option<bool> {
    let is_attempt = ATTEMPT_ACTIVITIES
        .iter()
        .any(|a| a.eq_ignore_ascii_case(event.activity.trim()));
    match (is_attempt, event.result) {
        (true, AuditResult::Success) => Some(true),
        (true, AuditResult::Failure | AuditResult::Timeout) => Some(false),
        _ => None,
    }
}

/// Classifies every user the events name; with a `scope`, only users in it, and users of the scope
/// without events as `no-attempt`. Sorted by class (failing first), then UPN.
pub fn classify(events: &[RegistrationEvent], scope: Option<&[UserRef]>) -> Vec<UserHistory> {
    let mut index = Index::default();
    for event in events.iter().filter(|e| e.is_registration_service()) {
        if event.user_id.is_none() && event.upn.is_none() {
            continue;
        }
        let slot = index.slot(event.user_id.as_deref(), event.upn.as_deref());
        record(&mut index.tallies[slot], event);
    }
    let mut users: Vec<UserHistory> = match scope {
        None => index.tallies.iter().map(|t| history(t, None)).collect(),
        Some(scope) => scope
            .iter()
            .map(|u| {
                history(
                    index
                        .find(u)
                        .map_or(&Tally::default(), |i| &index.tallies[i]),
                    Some(u),
                )
            })
            .collect(),
    };
    users.sort_by(|a, b| (a.class, &a.user.upn).cmp(&(b.class, &b.user.upn)));
    users
}

fn record(tally: &mut Tally, event: &RegistrationEvent) {
    tally.first = Some(tally.first.map_or(event.time, |t| t.min(event.time)));
    tally.last = Some(tally.last.map_or(event.time, |t| t.max(event.time)));
    match attempt_outcome(event) {
        Some(success) => {
            tally.outcomes.push((event.time, success));
            if !success {
                let reason = event
                    .reason
                    .clone()
                    .unwrap_or_else(|| "(no reason given)".to_owned());
                *tally.reasons.entry(reason).or_default() += 1;
            }
        }
        None => tally.related += 1,
    }
}

fn history(tally: &Tally, scoped: Option<&UserRef>) -> UserHistory {
    let mut outcomes = tally.outcomes.clone();
    outcomes.sort();
    let successes = outcomes.iter().filter(|(_, ok)| *ok).count() as u32;
    let failures = outcomes.len() as u32 - successes;
    let class = match (successes, failures, outcomes.last()) {
        (0, 0, _) => AuditClass::NoAttempt,
        (_, 0, _) => AuditClass::Completed,
        (_, _, Some((_, true))) => AuditClass::Recovered,
        _ => AuditClass::Failing,
    };
    let mut failure_reasons: Vec<ReasonCount> = tally
        .reasons
        .iter()
        .map(|(reason, count)| ReasonCount {
            reason: reason.clone(),
            count: *count,
        })
        .collect();
    failure_reasons.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    let user = scoped.cloned().unwrap_or_else(|| {
        let id = tally.id.clone().unwrap_or_default();
        let upn = tally.upn.clone().unwrap_or_else(|| id.clone());
        UserRef { id, upn }
    });
    UserHistory {
        user,
        class,
        attempts: successes + failures,
        failures,
        successes,
        failure_reasons,
        related_events: tally.related,
        first: tally.first,
        last: tally.last,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::audit::events::{AUTH_METHODS_SERVICE, SSPR_SERVICE};

    fn event(hour: u32, upn: &str, activity: &str, result: AuditResult) -> RegistrationEvent {
        RegistrationEvent {
            time: Utc.with_ymd_and_hms(2024, 5, 1, hour, 0, 0).unwrap(),
            service: AUTH_METHODS_SERVICE.into(),
            activity: activity.into(),
            result,
            reason: (result == AuditResult::Failure)
                .then(|| "User canceled security info registration.".into()),
            user_id: None,
            upn: Some(upn.into()),
        }
    }

    const ALL: &str = "User registered all required security info";
    use AuditResult::{Failure, Success};

    fn class_of(events: &[RegistrationEvent]) -> AuditClass {
        classify(events, None)[0].class
    }

    #[test]
    fn classes_follow_the_order_of_outcomes() {
        assert_eq!(
            class_of(&[event(1, "a", ALL, Success)]),
            AuditClass::Completed
        );
        assert_eq!(
            class_of(&[event(1, "a", ALL, Failure), event(2, "a", ALL, Failure)]),
            AuditClass::Failing
        );
        assert_eq!(
            class_of(&[event(2, "a", ALL, Success), event(1, "a", ALL, Failure)]),
            AuditClass::Recovered
        );
        assert_eq!(
            class_of(&[event(1, "a", ALL, Success), event(2, "a", ALL, Failure)]),
            AuditClass::Failing,
            "failed and never succeeded since"
        );
        let started = event(1, "a", "User started security info registration", Success);
        assert_eq!(class_of(&[started]), AuditClass::NoAttempt);
    }

    #[test]
    fn counts_reasons_and_times_and_merges_id_and_upn() {
        let mut first = event(1, "Anna@Contoso.com", ALL, Failure);
        first.user_id = Some("id-a".into());
        let mut second = event(3, "anna@contoso.com", ALL, Failure);
        second.reason = None;
        let mut third = event(2, "x", ALL, Failure);
        third.upn = None;
        third.user_id = Some("id-a".into());
        let users = classify(&[first, second, third], None);
        assert_eq!(users.len(), 1);
        let anna = &users[0];
        assert_eq!(anna.user, UserRef::new("id-a", "Anna@Contoso.com"));
        assert_eq!((anna.attempts, anna.failures, anna.successes), (3, 3, 0));
        assert_eq!(anna.failure_reasons[0].count, 2);
        assert_eq!(anna.failure_reasons[1].reason, "(no reason given)");
        assert_eq!(anna.first.unwrap().format("%H").to_string(), "01");
        assert_eq!(anna.last.unwrap().format("%H").to_string(), "03");
    }

    #[test]
    fn scope_filters_and_adds_no_attempt_users() {
        let mut sspr = event(
            1,
            "b@c.com",
            "User registered for self-service password reset",
            Success,
        );
        sspr.service = SSPR_SERVICE.into();
        let mut other_service = event(1, "a@c.com", ALL, Failure);
        other_service.service = "Core Directory".into();
        let events = [
            event(1, "a@c.com", ALL, Failure),
            sspr,
            other_service,
            event(1, "out@c.com", ALL, Failure),
        ];
        let scope = [
            UserRef::new("1", "a@c.com"),
            UserRef::new("2", "B@c.com"),
            UserRef::new("3", "d@c.com"),
        ];
        let users = classify(&events, Some(&scope));
        let summary: Vec<(&str, AuditClass, u32)> = users
            .iter()
            .map(|u| (u.user.upn.as_str(), u.class, u.attempts))
            .collect();
        assert_eq!(
            summary,
            [
                ("a@c.com", AuditClass::Failing, 1),
                ("B@c.com", AuditClass::Completed, 1),
                ("d@c.com", AuditClass::NoAttempt, 0)
            ]
        );
    }
}
