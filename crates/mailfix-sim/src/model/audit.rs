//! Directory audit events (`auditLogs/directoryAudits`), as the registration simulation records them.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One directory audit record.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    /// Event id.
    pub id: String,
    /// `category`, e.g. `UserManagement`.
    pub category: String,
    /// `correlationId`.
    pub correlation_id: Uuid,
    /// `activityDisplayName`, e.g. `User registered all required security info`.
    pub activity_display_name: String,
    /// `activityDateTime`.
    pub activity_date_time: DateTime<Utc>,
    /// `loggedByService`: `Authentication Methods` or `Self-service Password Management`.
    pub logged_by_service: String,
    /// `operationType`, e.g. `Add`, `Update`.
    pub operation_type: String,
    /// `success` or `failure`.
    pub result: String,
    /// `resultReason`.
    pub result_reason: String,
    /// The user who acted (`initiatedBy.user`): id, UPN, display name.
    pub initiated_by: Option<(Uuid, String, String)>,
    /// The target user (`targetResources[0]`): id, UPN, display name.
    pub target: Option<(Uuid, String, String)>,
}
