//! Test fixtures for the rule unit tests: Graph users as a scan would read them.

use mailfix_client::models::{AssignedPlan, User};

use crate::facts::UserFacts;

/// EXCHANGE_S_STANDARD, a mailbox plan.
pub const STANDARD: &str = "9aaf7827-d63c-4b61-89c3-182f06f82e5c";
/// EXCHANGE_S_FOUNDATION: `service == "exchange"` but no mailbox.
pub const FOUNDATION: &str = "113feb6c-3fe4-4440-bddc-54d774bf0318";

/// A cloud-only licensed user whose `mail` equals the primary address.
pub fn healthy() -> User {
    User {
        id: "00000000-0000-0000-0000-00000000a001".into(),
        user_principal_name: Some("anna@contoso.com".into()),
        mail: Some("anna@contoso.com".into()),
        mail_nickname: Some("anna".into()),
        proxy_addresses: Some(vec![
            "SMTP:anna@contoso.com".into(),
            "smtp:anna@contoso.onmicrosoft.com".into(),
        ]),
        account_enabled: Some(true),
        user_type: Some("Member".into()),
        on_premises_sync_enabled: None,
        ..with_plans(User::default(), &[STANDARD, FOUNDATION])
    }
}

/// The defect: like [`healthy`] but `mail` is empty.
pub fn empty_mail() -> User {
    User {
        mail: None,
        ..healthy()
    }
}

/// `user` with exactly these enabled exchange plans.
pub fn with_plans(user: User, ids: &[&str]) -> User {
    let plans = ids
        .iter()
        .map(|id| AssignedPlan {
            assigned_date_time: Some("2024-01-01T00:00:00Z".into()),
            capability_status: Some("Enabled".into()),
            service: Some("exchange".into()),
            service_plan_id: Some((*id).into()),
        })
        .collect();
    User {
        assigned_plans: Some(plans),
        ..user
    }
}

/// Facts with the default mailbox plans.
pub fn facts(user: User) -> UserFacts {
    UserFacts::from_user(&user)
}
