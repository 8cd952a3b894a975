//! Registration-related audit events: the one shape `audit` classifies, whether they came from
//! Graph's `auditLogs/directoryAudits` or from a portal download (see `offline`).

use chrono::{DateTime, NaiveDateTime, Utc};
use mailfix_client::models::DirectoryAudit;
use serde::Serialize;

/// `loggedByService` of combined security-info registration (docs/protocol.md §4.3).
pub const AUTH_METHODS_SERVICE: &str = "Authentication Methods";
/// `loggedByService` of SSPR (docs/protocol.md §4.4).
pub const SSPR_SERVICE: &str = "Self-service Password Management";

/// `result` of an audit event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditResult {
    /// `success`.
    Success,
    /// `failure`.
    Failure,
    /// `timeout`.
    Timeout,
    /// Anything else (`unknownFutureValue`, empty).
    Other,
}

impl AuditResult {
    /// Reads `success` / `Success` / `failure` / `timeout` ...
    pub fn parse(text: &str) -> AuditResult {
        match text.trim().to_ascii_lowercase().as_str() {
            "success" => AuditResult::Success,
            "failure" => AuditResult::Failure,
            "timeout" => AuditResult::Timeout,
            _ => AuditResult::Other,
        }
    }
}

/// One audit event, reduced to what classification needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegistrationEvent {
    /// `activityDateTime`.
    pub time: DateTime<Utc>,
    /// `loggedByService`.
    pub service: String,
    /// `activityDisplayName`.
    pub activity: String,
    /// `result`.
    pub result: AuditResult,
    /// `resultReason`, when not empty.
    pub reason: Option<String>,
    /// The user the event is about: object id ...
    pub user_id: Option<String>,
    /// ... and UPN, when known.
    pub upn: Option<String>,
}

/// An audit record whose time cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("audit event {id}: unreadable time '{time}'")]
pub struct AuditTimeError {
    /// The record id.
    pub id: String,
    /// The time text.
    pub time: String,
}

impl RegistrationEvent {
    /// From a Graph `directoryAudit`. The user is the target of type `User` when there is one
    /// (admin actions), else the initiating user (self-service registration targets the method).
    pub fn from_directory_audit(audit: &DirectoryAudit) -> Result<Self, AuditTimeError> {
        let time = parse_audit_time(&audit.activity_date_time).ok_or_else(|| AuditTimeError {
            id: audit.id.clone(),
            time: audit.activity_date_time.clone(),
        })?;
        let target = audit.target_resources.iter().find(|t| {
            t.r#type
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case("user"))
                && (t.id.is_some() || t.user_principal_name.is_some())
        });
        let actor = audit.initiated_by.as_ref().and_then(|i| i.user.as_ref());
        let (user_id, upn) = match (target, actor) {
            (Some(t), _) => (t.id.clone(), t.user_principal_name.clone()),
            (None, Some(a)) => (a.id.clone(), a.user_principal_name.clone()),
            (None, None) => (None, None),
        };
        Ok(RegistrationEvent {
            time,
            service: audit.logged_by_service.clone().unwrap_or_default(),
            activity: audit.activity_display_name.clone(),
            result: AuditResult::parse(audit.result.as_deref().unwrap_or_default()),
            reason: non_empty(audit.result_reason.as_deref()),
            user_id: non_empty(user_id.as_deref()),
            upn: non_empty(upn.as_deref()),
        })
    }

    /// Whether the event was logged by one of the two services `audit` reads.
    pub fn is_registration_service(&self) -> bool {
        [AUTH_METHODS_SERVICE, SSPR_SERVICE]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(self.service.trim()))
    }
}

/// `Some(trimmed)` unless blank.
pub(crate) fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Reads an audit timestamp: RFC 3339 (Graph, up to 7 fraction digits), the same without an
/// offset (read as UTC, as the portal's files are), with a space instead of `T`, or the US
/// display form `M/D/YYYY h:mm:ss AM`.
pub fn parse_audit_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%m/%d/%Y %I:%M:%S %p",
        "%m/%d/%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn reads_the_time_formats_seen_in_exports() {
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 13, 5, 9).unwrap();
        for text in [
            "2024-05-01T13:05:09Z",
            "2024-05-01T13:05:09.0000000Z",
            "2024-05-01T15:05:09+02:00",
            "2024-05-01T13:05:09",
            "2024-05-01 13:05:09.000",
            "5/1/2024 1:05:09 PM",
        ] {
            assert_eq!(parse_audit_time(text), Some(t), "{text}");
        }
        assert_eq!(parse_audit_time("yesterday"), None);
    }
}
