//! `small-gov`: the `small` scenario in a US Government (GCC) tenant, whose licences carry the
//! government Exchange plans instead of the commercial ones. Ids from Microsoft's "Product names
//! and service plan identifiers for licensing" (MicrosoftDocs/entra-docs
//! `docs/identity/users/licensing-service-plan-reference.md` and its CSV): Exchange Online (Plan 1)
//! for Government `EXCHANGE_S_STANDARD_GOV`, (Plan 2) `EXCHANGE_S_ENTERPRISE_GOV`, (Kiosk)
//! `EXCHANGE_S_DESKLESS_GOV`, and Exchange Foundation for Government `EXCHANGE_S_FOUNDATION_GOV`
//! (no mailbox).

use uuid::{Uuid, uuid};

use super::generate::{
    EXCHANGE_S_DESKLESS, EXCHANGE_S_ENTERPRISE, EXCHANGE_S_FOUNDATION, EXCHANGE_S_STANDARD,
};
use super::small::small;
use super::spec::{PlanSpec, Scenario};

/// EXCHANGE_S_STANDARD_GOV, Exchange Online (Plan 1) for Government: a mailbox plan.
pub const EXCHANGE_S_STANDARD_GOV: Uuid = uuid!("e9b4930a-925f-45e2-ac2a-3f7788ca6fdd");
/// EXCHANGE_S_ENTERPRISE_GOV, Exchange Online (Plan 2) for Government: a mailbox plan.
pub const EXCHANGE_S_ENTERPRISE_GOV: Uuid = uuid!("8c3069c0-ccdb-44be-ab77-986203a67df2");
/// EXCHANGE_S_DESKLESS_GOV, Exchange Online (Kiosk) for Government: a mailbox plan.
pub const EXCHANGE_S_DESKLESS_GOV: Uuid = uuid!("88f4d7ef-a73b-4246-8047-516022144c9f");
/// EXCHANGE_S_FOUNDATION_GOV, Exchange Foundation for Government: no mailbox.
pub const EXCHANGE_S_FOUNDATION_GOV: Uuid = uuid!("922ba911-5694-4e99-a794-73aed9bfeec8");

/// The government plan that replaces a commercial one.
fn gov(plan: Uuid) -> Uuid {
    match plan {
        p if p == EXCHANGE_S_STANDARD => EXCHANGE_S_STANDARD_GOV,
        p if p == EXCHANGE_S_ENTERPRISE => EXCHANGE_S_ENTERPRISE_GOV,
        p if p == EXCHANGE_S_DESKLESS => EXCHANGE_S_DESKLESS_GOV,
        p if p == EXCHANGE_S_FOUNDATION => EXCHANGE_S_FOUNDATION_GOV,
        other => other,
    }
}

fn to_gov(plans: &mut [PlanSpec]) {
    for p in plans {
        p.service_plan_id = gov(p.service_plan_id);
    }
}

/// `small(seed)` with every Exchange plan replaced by its government counterpart.
pub fn small_gov(seed: u64) -> Scenario {
    let mut scenario = small(seed);
    scenario.name = "small-gov".to_owned();
    for plans in scenario.licences.values_mut() {
        to_gov(plans);
    }
    for user in &mut scenario.users {
        to_gov(&mut user.plans);
    }
    scenario
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_commercial_exchange_plan_is_left() {
        let s = small_gov(1);
        let commercial = [
            EXCHANGE_S_STANDARD,
            EXCHANGE_S_ENTERPRISE,
            EXCHANGE_S_DESKLESS,
            EXCHANGE_S_FOUNDATION,
        ];
        let all = s
            .licences
            .values()
            .flatten()
            .chain(s.users.iter().flat_map(|u| &u.plans));
        let mut gov_plans = 0;
        for p in all {
            assert!(!commercial.contains(&p.service_plan_id));
            gov_plans += usize::from(p.service_plan_id == EXCHANGE_S_ENTERPRISE_GOV);
        }
        assert!(gov_plans > 0);
        assert_eq!(s.users.len(), small(1).users.len());
    }
}
