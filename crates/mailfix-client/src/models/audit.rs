//! `directoryAudit` records.

use serde::{Deserialize, Serialize};

/// One directory audit record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryAudit {
    /// Record id.
    pub id: String,
    /// `category`.
    #[serde(default)]
    pub category: Option<String>,
    /// `activityDisplayName`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub activity_display_name: String,
    /// `activityDateTime` (ISO 8601).
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub activity_date_time: String,
    /// `loggedByService`.
    #[serde(default)]
    pub logged_by_service: Option<String>,
    /// `result`: `success`, `failure`, `timeout`, or a value added later (`unknownFutureValue`),
    /// kept as text.
    #[serde(default)]
    pub result: Option<String>,
    /// `resultReason`.
    #[serde(default)]
    pub result_reason: Option<String>,
    /// `initiatedBy`.
    #[serde(default)]
    pub initiated_by: Option<AuditIdentity>,
    /// `targetResources` (`null` reads as none).
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub target_resources: Vec<AuditTarget>,
}

/// `initiatedBy`: a user or an app.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditIdentity {
    /// `initiatedBy.user`.
    #[serde(default)]
    pub user: Option<AuditUser>,
}

/// `initiatedBy.user`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditUser {
    /// User object id.
    #[serde(default)]
    pub id: Option<String>,
    /// `userPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `displayName`.
    #[serde(default)]
    pub display_name: Option<String>,
}

/// An entry of `targetResources`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditTarget {
    /// Object id.
    #[serde(default)]
    pub id: Option<String>,
    /// `displayName`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `userPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `type` (Graph docs show both `type` and `Type`).
    #[serde(default, alias = "Type")]
    pub r#type: Option<String>,
}
