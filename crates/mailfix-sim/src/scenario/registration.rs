//! Combined SSPR/MFA registration attempts and the directory audit events they leave: an attempt
//! fails while the user's `mail` is empty (the defect mailfix exists for) and succeeds otherwise
//! (docs/protocol.md §4.3 for the activity names and reasons).

use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::build::uuid_from;
use crate::model::{AuditEvent, Tenant, UserIdx};

/// The activity that ends a combined security-info registration (docs/protocol.md §4.3).
pub const REGISTRATION_ACTIVITY: &str = "User registered all required security info";
/// The activity that starts one.
pub const STARTED_ACTIVITY: &str = "User started security info registration";
/// The service that logs combined registration events.
pub const AUTH_METHODS_SERVICE: &str = "Authentication Methods";
/// `resultReason` of a successful registration.
pub const SUCCESS_REASON: &str = "User registered all required security info.";
/// `resultReason` of a failed one (the interrupt was abandoned after the code check failed).
pub const FAILURE_REASON: &str = "User canceled security info registration.";

/// Records `attempts` past combined-registration attempts for a user, spread over the last 14 days.
/// Events are appended; the caller sorts `tenant.audits` by time once it has recorded everything.
pub fn record_attempts(
    tenant: &mut Tenant,
    user: UserIdx,
    attempts: u32,
    rng: &mut ChaCha8Rng,
    now: DateTime<Utc>,
) {
    for _ in 0..attempts {
        let at = now - Duration::seconds(rng.random_range(3_600..14 * 86_400));
        attempt(tenant, user, at, rng, Vec::push);
    }
}

/// Records one combined-registration attempt that ends at `at` (it started a few minutes earlier),
/// with the outcome the user's current state gives: success when `mail` is set. A success marks the
/// user as registered (for the registration report). Returns whether it succeeded.
pub fn record_attempt(
    tenant: &mut Tenant,
    user: UserIdx,
    at: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> bool {
    attempt(tenant, user, at, rng, insert_in_time_order)
}

/// Records one attempt ending at `at` like [`record_attempt`], but appends its events: the caller
/// sorts `tenant.audits` by time once it has recorded everything (many attempts at past times
/// would otherwise each shift the log).
pub fn append_attempt(
    tenant: &mut Tenant,
    user: UserIdx,
    at: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
) -> bool {
    attempt(tenant, user, at, rng, Vec::push)
}

fn attempt(
    tenant: &mut Tenant,
    user: UserIdx,
    at: DateTime<Utc>,
    rng: &mut ChaCha8Rng,
    store: fn(&mut Vec<AuditEvent>, AuditEvent),
) -> bool {
    let success = tenant.users[user as usize]
        .mail
        .as_deref()
        .is_some_and(|m| !m.is_empty());
    let began = at - Duration::seconds(rng.random_range(30..240));
    let started = audit_event(
        tenant,
        user,
        began,
        Activity {
            service: AUTH_METHODS_SERVICE,
            name: STARTED_ACTIVITY,
            result: "success",
            reason: "User started the registration for security info.",
        },
        rng,
    );
    store(&mut tenant.audits, started);
    let (result, reason) = if success {
        ("success", SUCCESS_REASON)
    } else {
        ("failure", FAILURE_REASON)
    };
    let activity = Activity {
        service: AUTH_METHODS_SERVICE,
        name: REGISTRATION_ACTIVITY,
        result,
        reason,
    };
    let finished = audit_event(tenant, user, at, activity, rng);
    store(&mut tenant.audits, finished);
    if success {
        let methods = tenant.methods.entry(user).or_default();
        methods.registered = Some(at);
    }
    success
}

/// What an audit event records.
#[derive(Clone, Copy, Debug)]
pub struct Activity<'a> {
    /// `loggedByService`.
    pub service: &'a str,
    /// `activityDisplayName`.
    pub name: &'a str,
    /// `success` or `failure`.
    pub result: &'a str,
    /// `resultReason`.
    pub reason: &'a str,
}

/// A directory audit event about `user`, initiated by that user.
pub fn audit_event(
    tenant: &Tenant,
    user: UserIdx,
    at: DateTime<Utc>,
    activity: Activity<'_>,
    rng: &mut ChaCha8Rng,
) -> AuditEvent {
    let u = &tenant.users[user as usize];
    let who = (u.id, u.user_principal_name.clone(), u.display_name.clone());
    AuditEvent {
        id: format!("Directory_{}", uuid_from(rng).simple()),
        category: "UserManagement".to_owned(),
        correlation_id: uuid_from(rng),
        activity_display_name: activity.name.to_owned(),
        activity_date_time: at,
        logged_by_service: activity.service.to_owned(),
        operation_type: "Update".to_owned(),
        result: activity.result.to_owned(),
        result_reason: activity.reason.to_owned(),
        initiated_by: Some(who.clone()),
        target: Some(who),
    }
}

/// Inserts an event keeping `audits` sorted by time (new events usually go last, so this is cheap).
pub fn insert_in_time_order(audits: &mut Vec<AuditEvent>, event: AuditEvent) {
    let at = audits.partition_point(|e| e.activity_date_time <= event.activity_date_time);
    audits.insert(at, event);
}
