//! The Graph `user` resource, limited to the properties mailfix selects.

use serde::{Deserialize, Serialize};

/// A Graph user. Every property is optional because `$select` decides which ones come back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id.
    pub id: String,
    /// `userPrincipalName`.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// `displayName`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `mail`; `None` or empty is the defect mailfix exists for.
    #[serde(default)]
    pub mail: Option<String>,
    /// `mailNickname`.
    #[serde(default)]
    pub mail_nickname: Option<String>,
    /// `proxyAddresses` (`SMTP:` primary, `smtp:` secondary).
    #[serde(default)]
    pub proxy_addresses: Option<Vec<String>>,
    /// `accountEnabled`.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// `userType` (`Member` or `Guest`).
    #[serde(default)]
    pub user_type: Option<String>,
    /// `onPremisesSyncEnabled`.
    #[serde(default)]
    pub on_premises_sync_enabled: Option<bool>,
    /// `assignedPlans`.
    #[serde(default)]
    pub assigned_plans: Option<Vec<AssignedPlan>>,
    /// `serviceProvisioningErrors`.
    #[serde(default)]
    pub service_provisioning_errors: Option<Vec<ProvisioningError>>,
}

impl User {
    /// Whether `mail` is missing or empty.
    pub fn mail_is_empty(&self) -> bool {
        self.mail.as_deref().is_none_or(|m| m.trim().is_empty())
    }

    /// The primary SMTP address from `proxyAddresses` (the `SMTP:` entry), without the prefix.
    pub fn primary_smtp(&self) -> Option<&str> {
        self.proxy_addresses
            .as_deref()?
            .iter()
            .find_map(|a| a.strip_prefix("SMTP:"))
    }
}

/// One entry of `assignedPlans`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedPlan {
    /// `assignedDateTime`.
    #[serde(default)]
    pub assigned_date_time: Option<String>,
    /// `capabilityStatus` (`Enabled`, `Deleted`, `Suspended`, ...).
    #[serde(default)]
    pub capability_status: Option<String>,
    /// `service` (e.g. `exchange`).
    #[serde(default)]
    pub service: Option<String>,
    /// `servicePlanId`.
    #[serde(default)]
    pub service_plan_id: Option<String>,
}

/// One entry of `serviceProvisioningErrors` (a `serviceProvisioningXmlError`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvisioningError {
    /// `createdDateTime`.
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// `isResolved`.
    #[serde(default)]
    pub is_resolved: Option<bool>,
    /// `serviceInstance` (e.g. `exchange/...`).
    #[serde(default)]
    pub service_instance: Option<String>,
    /// `errorDetail` (XML).
    #[serde(default)]
    pub error_detail: Option<String>,
}
