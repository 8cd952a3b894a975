//! Which Exchange Online service plans give a user a mailbox: one table, from Microsoft's "Product
//! names and service plan identifiers for licensing" (MicrosoftDocs/entra-docs
//! `docs/identity/users/licensing-service-plan-reference.md`, and the CSV it links, of
//! 2025-10-29), plus the ids an admin adds with the `mailbox_plans` setting for plans this table
//! does not know yet.
//!
//! Not in the table: `EXCHANGE_S_FOUNDATION` (and `_GOV`), which licences carry without a mailbox;
//! archiving add-ons; and `EXCHANGE_LITE`, which some tools count as a mailbox plan but Microsoft's
//! list does not name (add its id with `mailbox_plans` if a tenant has it). A plan counts only
//! while its `capabilityStatus` is `Enabled`.

use mailfix_client::models::AssignedPlan;

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KnownPlan {
    /// The plan's string id, e.g. `EXCHANGE_S_STANDARD`.
    pub name: &'static str,
    /// The `servicePlanId`.
    pub id: &'static str,
    /// Microsoft's friendly name of the plan.
    pub friendly: &'static str,
}

/// The Exchange Online plans that give a mailbox.
pub const KNOWN_MAILBOX_PLANS: &[KnownPlan] = &[
    KnownPlan {
        name: "EXCHANGE_S_STANDARD",
        id: "9aaf7827-d63c-4b61-89c3-182f06f82e5c",
        friendly: "Exchange Online (Plan 1)",
    },
    KnownPlan {
        name: "EXCHANGE_S_ENTERPRISE",
        id: "efb87545-963c-4e0d-99df-69c6916d9eb0",
        friendly: "Exchange Online (Plan 2)",
    },
    KnownPlan {
        name: "EXCHANGE_S_ESSENTIALS",
        id: "1126bef5-da20-4f07-b45e-ad25d2581aa8",
        friendly: "Exchange Essentials",
    },
    KnownPlan {
        name: "EXCHANGE_S_DESKLESS",
        id: "4a82b400-a79f-41a4-b4e2-e94f5787b113",
        friendly: "Exchange Online Kiosk",
    },
    KnownPlan {
        name: "EXCHANGE_S_STANDARD_GOV",
        id: "e9b4930a-925f-45e2-ac2a-3f7788ca6fdd",
        friendly: "Exchange Online (Plan 1) for Government",
    },
    KnownPlan {
        name: "EXCHANGE_S_ENTERPRISE_GOV",
        id: "8c3069c0-ccdb-44be-ab77-986203a67df2",
        friendly: "Exchange Online (Plan 2) for Government",
    },
    KnownPlan {
        name: "EXCHANGE_S_DESKLESS_GOV",
        id: "88f4d7ef-a73b-4246-8047-516022144c9f",
        friendly: "Exchange Online (Kiosk) for Government",
    },
    KnownPlan {
        name: "EXCHANGE_S_STANDARD_MIDMARKET",
        id: "fc52cc4b-ed7d-472d-bbe7-b081c23ecc56",
        friendly: "Exchange Online Plan (Office 365 Midsize Business)",
    },
    KnownPlan {
        name: "EXCHANGE_L_STANDARD",
        id: "d42bdbd6-c335-4231-ab3d-c8f348d5aff5",
        friendly: "Exchange Online (P1) (Office 365 Small Business)",
    },
    KnownPlan {
        name: "EXCHANGE_B_STANDARD",
        id: "90927877-dcff-4af6-b346-2332c0b15bb7",
        friendly: "Exchange Online POP",
    },
];

/// An Exchange Online service plan that gives the user a mailbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxPlan {
    /// The plan's string id, e.g. `EXCHANGE_S_STANDARD` (`configured` for an added id).
    pub name: String,
    /// The `servicePlanId` (lowercase GUID).
    pub id: String,
}

/// A `mailbox_plans` entry that is not a service plan id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a service plan id (a GUID such as 9aaf7827-d63c-4b61-89c3-182f06f82e5c)")]
pub struct NotAPlanId(pub String);

/// The set of service plan ids that count as a mailbox plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxPlans {
    plans: Vec<MailboxPlan>,
}

impl Default for MailboxPlans {
    fn default() -> Self {
        MailboxPlans {
            plans: KNOWN_MAILBOX_PLANS
                .iter()
                .map(|p| MailboxPlan {
                    name: p.name.to_owned(),
                    id: p.id.to_owned(),
                })
                .collect(),
        }
    }
}

impl MailboxPlans {
    /// Adds a plan (e.g. one the table does not know yet) to the known ones.
    pub fn with(mut self, name: &str, id: &str) -> Self {
        let id = id.trim().to_ascii_lowercase();
        if !self.plans.iter().any(|p| p.id == id) {
            self.plans.push(MailboxPlan {
                name: name.to_owned(),
                id,
            });
        }
        self
    }

    /// The table plus `extra` service plan ids (the `mailbox_plans` setting), each checked to be
    /// a GUID.
    pub fn with_ids(extra: &[String]) -> Result<Self, NotAPlanId> {
        let mut plans = Self::default();
        for id in extra {
            let parsed =
                uuid::Uuid::try_parse(id.trim()).map_err(|_| NotAPlanId(id.trim().to_owned()))?;
            plans = plans.with("configured", &parsed.to_string());
        }
        Ok(plans)
    }

    /// The first enabled mailbox plan among `assigned`, if any.
    pub fn find(&self, assigned: &[AssignedPlan]) -> Option<&MailboxPlan> {
        assigned
            .iter()
            .filter(|p| p.capability_status.as_deref() == Some("Enabled"))
            .filter_map(|p| p.service_plan_id.as_deref())
            .find_map(|id| self.plans.iter().find(|m| m.id.eq_ignore_ascii_case(id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str, status: &str) -> AssignedPlan {
        AssignedPlan {
            assigned_date_time: None,
            capability_status: Some(status.to_owned()),
            service: Some("exchange".to_owned()),
            service_plan_id: Some(id.to_owned()),
        }
    }

    #[test]
    fn government_plans_give_a_mailbox_and_foundation_does_not() {
        let plans = MailboxPlans::default();
        let gov = plan("8C3069C0-CCDB-44BE-AB77-986203A67DF2", "Enabled");
        assert_eq!(
            plans.find(&[gov]).map(|p| p.name.as_str()),
            Some("EXCHANGE_S_ENTERPRISE_GOV")
        );
        for foundation in [
            "113feb6c-3fe4-4440-bddc-54d774bf0318",
            "922ba911-5694-4e99-a794-73aed9bfeec8",
        ] {
            assert!(plans.find(&[plan(foundation, "Enabled")]).is_none());
        }
    }

    #[test]
    fn a_plan_must_be_enabled_and_matches_case_insensitively() {
        let plans = MailboxPlans::default();
        let suspended = plan("9aaf7827-d63c-4b61-89c3-182f06f82e5c", "Suspended");
        assert!(plans.find(std::slice::from_ref(&suspended)).is_none());
        let enabled = plan("EFB87545-963C-4E0D-99DF-69C6916D9EB0", "Enabled");
        let found = plans.find(&[suspended, enabled]).map(|p| p.name.as_str());
        assert_eq!(found, Some("EXCHANGE_S_ENTERPRISE"));
    }

    #[test]
    fn configured_ids_are_added_and_must_be_guids() {
        let extra = vec!["ABCDEF00-0000-0000-0000-000000000001".to_owned()];
        let plans = MailboxPlans::with_ids(&extra).unwrap();
        let custom = plan("abcdef00-0000-0000-0000-000000000001", "Enabled");
        assert_eq!(
            plans.find(&[custom]).map(|p| p.name.as_str()),
            Some("configured")
        );
        let err = MailboxPlans::with_ids(&["EXCHANGE_LITE".to_owned()]).unwrap_err();
        assert_eq!(err, NotAPlanId("EXCHANGE_LITE".to_owned()));
    }

    #[test]
    fn the_table_has_one_row_per_id() {
        let mut ids: Vec<&str> = KNOWN_MAILBOX_PLANS.iter().map(|p| p.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), KNOWN_MAILBOX_PLANS.len());
    }
}
