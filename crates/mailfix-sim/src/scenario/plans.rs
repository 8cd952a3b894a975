//! Licences and service plans: every user with the same licence and plans shares one
//! `assignedPlans` slice, which keeps a million users small.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::build::BuildError;
use super::spec::{PlanSpec, Scenario, UserSpec};
use crate::model::AssignedPlan;

/// A user's own plans (with its licence) as a cache key.
type PlanKey = Vec<(Option<String>, Uuid, String, String)>;

/// Shares one `assignedPlans` slice between all users with the same licence and plans.
pub struct PlanCache<'a> {
    scenario: &'a Scenario,
    assigned: DateTime<Utc>,
    by_licence: HashMap<Option<&'a str>, Arc<[AssignedPlan]>>,
    by_plans: HashMap<PlanKey, Arc<[AssignedPlan]>>,
}

impl<'a> PlanCache<'a> {
    /// A cache for `scenario`'s users, whose plans were assigned at `assigned`.
    pub fn new(scenario: &'a Scenario, assigned: DateTime<Utc>) -> Self {
        Self {
            scenario,
            assigned,
            by_licence: HashMap::new(),
            by_plans: HashMap::new(),
        }
    }

    /// The plans of `spec`: its licence's, then its own.
    pub fn get(&mut self, spec: &UserSpec) -> Result<Arc<[AssignedPlan]>, BuildError> {
        let (licence, licence_plans): (Option<&'a str>, &'a [PlanSpec]) = match &spec.licence {
            Some(name) => {
                let (key, plans) = self.scenario.licences.get_key_value(name).ok_or_else(|| {
                    BuildError::UnknownLicence {
                        user: spec.upn.clone(),
                        licence: name.clone(),
                    }
                })?;
                (Some(key.as_str()), plans.as_slice())
            }
            None => (None, &[]),
        };
        let assigned = self.assigned;
        let make = || -> Arc<[AssignedPlan]> {
            licence_plans
                .iter()
                .chain(&spec.plans)
                .map(|p| AssignedPlan {
                    assigned,
                    capability_status: p.capability_status.clone(),
                    service: p.service.clone(),
                    service_plan_id: p.service_plan_id,
                })
                .collect()
        };
        if spec.plans.is_empty() {
            return Ok(self.by_licence.entry(licence).or_insert_with(make).clone());
        }
        let key = spec
            .plans
            .iter()
            .map(|p| {
                let owned = (p.service.clone(), p.capability_status.clone());
                (
                    licence.map(str::to_owned),
                    p.service_plan_id,
                    owned.0,
                    owned.1,
                )
            })
            .collect();
        Ok(self.by_plans.entry(key).or_insert_with(make).clone())
    }
}
