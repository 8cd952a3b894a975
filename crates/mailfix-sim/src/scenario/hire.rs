//! New starters over time: `POST /_sim/users/hire` creates users now, the way an HR feed or an
//! admin onboards them (some with the empty-`mail` defect, some synchronised from on-premises,
//! some without a mailbox licence), and adds them to groups; a hire rate (`mailfix sim
//! --hire-rate N/h`, `POST /_sim/users/hire-rate`) keeps hiring on the simulated clock.
//!
//! A new user gets the next change sequence number, so the next `users/delta` round returns it;
//! joining a group changes the group, not the user (as in Entra ID, where a user's delta does not
//! track `memberOf`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::build::{self, BuildError};
use super::generate::{self, Kind, Names};
use super::plans::PlanCache;
use super::spec::UserSpec;
use crate::model::{ObjectRef, Tenant};
use crate::state::{AppState, SimState};

/// The defect mix of hires when a request names none: 30% with the empty-`mail` defect, 10%
/// synchronised from on-premises, 10% without a mailbox licence; the rest healthy.
pub const DEFAULT_MIX: &[(Kind, f64)] = &[
    (Kind::EmptyMail, 0.3),
    (Kind::Synced, 0.1),
    (Kind::NoMailbox, 0.1),
];

/// The most users one request may hire.
pub const MAX_HIRES: usize = 10_000;

/// `POST /_sim/users/hire`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HireRequest {
    /// How many users to hire.
    pub count: usize,
    /// Share of hires per defect label (`empty-mail`, `stuck`, `synced`, `no-mailbox`, ...);
    /// exactly `round(share * count)` of each, the rest healthy. Default: [`DEFAULT_MIX`].
    #[serde(default)]
    pub defects: Option<BTreeMap<String, f64>>,
    /// Groups (display names) every hire joins. Default: the group generated users join in
    /// turn (`enterprise`: the teams), else `All Staff` when the tenant has one.
    #[serde(default)]
    pub groups: Option<Vec<String>>,
}

/// One hired user, for the caller's records (a test's oracle).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hired {
    /// Object id.
    pub id: Uuid,
    /// User principal name.
    pub upn: String,
    /// The defect label (`healthy`, `empty-mail`, ...).
    pub label: String,
    /// The groups joined.
    pub groups: Vec<String>,
}

/// Why a hire request is refused.
#[derive(Debug, thiserror::Error)]
pub enum HireError {
    /// `count` is 0 or above [`MAX_HIRES`].
    #[error("count must be between 1 and {MAX_HIRES}")]
    Count,
    /// A defect label that no user kind has.
    #[error("unknown defect '{0}'; known: {known}", known = known_labels())]
    UnknownDefect(String),
    /// A share outside 0..1, or shares adding up to more than 1.
    #[error("defect shares must be between 0 and 1 and add up to at most 1 (got {0})")]
    Share(String),
    /// A group name the tenant does not have.
    #[error("no group named '{0}' in the tenant")]
    UnknownGroup(String),
    /// A licence the scenario does not define (cannot happen with the built-in generator).
    #[error(transparent)]
    Build(#[from] BuildError),
}

fn known_labels() -> String {
    Kind::ALL
        .iter()
        .filter(|k| **k != Kind::Healthy)
        .map(|k| k.label())
        .collect::<Vec<_>>()
        .join(", ")
}

impl HireRequest {
    /// The defect mix, checked.
    fn mix(&self) -> Result<Vec<(Kind, f64)>, HireError> {
        let Some(defects) = &self.defects else {
            return Ok(DEFAULT_MIX.to_vec());
        };
        let mut mix = Vec::new();
        for (label, &share) in defects {
            let kind =
                Kind::from_label(label).ok_or_else(|| HireError::UnknownDefect(label.clone()))?;
            if !(0.0..=1.0).contains(&share) {
                return Err(HireError::Share(format!("{label}: {share}")));
            }
            mix.push((kind, share));
        }
        let total: f64 = mix.iter().map(|(_, s)| s).sum();
        if total > 1.0 + 1e-9 {
            return Err(HireError::Share(format!("a total of {total}")));
        }
        Ok(mix)
    }
}

/// Hires `request.count` users now; returns them in creation order.
pub fn hire(state: &SimState, request: &HireRequest) -> Result<Vec<Hired>, HireError> {
    if request.count == 0 || request.count > MAX_HIRES {
        return Err(HireError::Count);
    }
    let mix = request.mix()?;
    let scenario = state
        .scenario
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    let now = state.clock.now();
    let mut tenant = state.write_tenant();
    let groups = Placement::new(&tenant, request, scenario.generated.as_ref())?;
    let mut rng = state.lock_rng();
    let names = names_of(&tenant);
    let mut plans = PlanCache::new(&scenario, now);
    let mut hired = Vec::with_capacity(request.count);
    for kind in generate::kinds(request.count, &mix, &mut rng) {
        let spec = new_user(&tenant, &names, kind, &mut rng);
        let assigned = plans.get(&spec)?;
        let idx = build::add_user(&mut tenant, &spec, &mut rng, assigned, now);
        started_now(&mut tenant, idx, now);
        let joined = groups.place(&mut tenant, idx);
        let user = &tenant.users[idx as usize];
        hired.push(Hired {
            id: user.id,
            upn: user.user_principal_name.clone(),
            label: user.label.clone(),
            groups: joined,
        });
    }
    Ok(hired)
}

/// The tenant's domains as the generator names users in them.
fn names_of(tenant: &Tenant) -> Names {
    let domain = tenant
        .domains
        .iter()
        .find(|d| d.is_default)
        .unwrap_or(&tenant.domains[0])
        .name
        .clone();
    Names {
        initial: tenant.initial_domain.clone(),
        domain,
        external: "example.org".to_owned(),
        legacy: String::new(),
        initial_alias: true,
    }
}

/// The user of `kind` under the first number from `tenant.users.len() + 1` whose UPN is free (the
/// generator puts the number in the local part; a scenario's own users take 1..=n).
fn new_user(tenant: &Tenant, names: &Names, kind: Kind, rng: &mut ChaCha8Rng) -> UserSpec {
    let mut number = tenant.users.len() + 1;
    loop {
        let spec = generate::user(kind, number, names, rng);
        if tenant.user_by_upn(&spec.upn).is_none() {
            return spec;
        }
        number += 1;
    }
}

/// A new starter's account and mailbox were created now, not a month ago.
fn started_now(tenant: &mut Tenant, idx: u32, now: DateTime<Utc>) {
    tenant.users[idx as usize].created = now;
    if let Some(mailbox) = tenant.mailboxes.get_mut(&idx) {
        mailbox.when_created = now;
        mailbox.when_changed = now;
    }
}

/// Where hires go: the named groups, or the generated users' groups in turn.
struct Placement {
    fixed: Vec<(u32, String)>,
    turns: Vec<(u32, String)>,
}

impl Placement {
    fn new(
        tenant: &Tenant,
        request: &HireRequest,
        generated: Option<&super::spec::GeneratedSpec>,
    ) -> Result<Self, HireError> {
        let find = |name: &str| {
            tenant
                .groups_named(name)
                .first()
                .map(|&g| (g, tenant.groups[g as usize].display_name.clone()))
        };
        if let Some(names) = &request.groups {
            let fixed = names
                .iter()
                .map(|n| find(n).ok_or_else(|| HireError::UnknownGroup(n.clone())))
                .collect::<Result<_, _>>()?;
            return Ok(Self {
                fixed,
                turns: Vec::new(),
            });
        }
        let turns: Vec<(u32, String)> = generated
            .map(|g| g.member_of.iter().filter_map(|n| find(n)).collect())
            .unwrap_or_default();
        let fixed = match turns.is_empty() {
            true => find("All Staff").into_iter().collect(),
            false => Vec::new(),
        };
        Ok(Self { fixed, turns })
    }

    fn place(&self, tenant: &mut Tenant, idx: u32) -> Vec<String> {
        let turn = (!self.turns.is_empty()).then(|| &self.turns[idx as usize % self.turns.len()]);
        let mut joined = Vec::new();
        for (group, name) in self.fixed.iter().chain(turn) {
            tenant.add_group_member(*group, ObjectRef::User(idx));
            joined.push(name.clone());
        }
        joined
    }
}

/// Continuous hiring on the simulated clock.
#[derive(Debug, Default)]
pub struct HireRate {
    state: Mutex<Option<Rate>>,
}

#[derive(Clone, Copy, Debug)]
struct Rate {
    per_hour: f64,
    since: DateTime<Utc>,
    hired: u64,
}

impl HireRate {
    /// Hires `per_hour` users per simulated hour from `now` on (0 stops).
    pub fn set(&self, per_hour: f64, now: DateTime<Utc>) {
        *self.lock() = (per_hour > 0.0).then_some(Rate {
            per_hour,
            since: now,
            hired: 0,
        });
    }

    /// The rate, 0 when not hiring.
    pub fn per_hour(&self) -> f64 {
        self.lock().map_or(0.0, |r| r.per_hour)
    }

    /// Counts from `now` again (after a reset).
    pub fn restart(&self, now: DateTime<Utc>) {
        if let Some(rate) = self.lock().as_mut() {
            rate.since = now;
            rate.hired = 0;
        }
    }

    /// How many hires are due by `now`; counts them as hired.
    fn take_due(&self, now: DateTime<Utc>) -> usize {
        let mut guard = self.lock();
        let Some(rate) = guard.as_mut() else {
            return 0;
        };
        let hours = (now - rate.since).num_milliseconds().max(0) as f64 / 3_600_000.0;
        let due = ((rate.per_hour * hours).floor() as u64).saturating_sub(rate.hired);
        let due = due.min(MAX_HIRES as u64);
        rate.hired += due;
        due as usize
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Rate>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// How often the hiring task looks at the clock (real time).
const HIRING_TICK: Duration = Duration::from_millis(200);

/// Hires what the rate says is due, every [`HIRING_TICK`], for as long as the simulator runs.
pub async fn keep_hiring(state: AppState) {
    let mut tick = tokio::time::interval(HIRING_TICK);
    loop {
        tick.tick().await;
        let due = state.hiring.take_due(state.clock.now());
        if due == 0 {
            continue;
        }
        let request = HireRequest {
            count: due,
            ..HireRequest::default()
        };
        if let Err(e) = hire(&state, &request) {
            tracing::warn!(error = %e, "hiring failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_counts_hires_on_the_simulated_clock() {
        let rate = HireRate::default();
        let start = Utc::now();
        assert_eq!(rate.take_due(start), 0, "not hiring");
        rate.set(60.0, start);
        assert_eq!(rate.take_due(start + chrono::Duration::seconds(59)), 0);
        assert_eq!(rate.take_due(start + chrono::Duration::seconds(61)), 1);
        assert_eq!(rate.take_due(start + chrono::Duration::minutes(10)), 9);
        rate.restart(start + chrono::Duration::minutes(10));
        assert_eq!(rate.take_due(start + chrono::Duration::minutes(11)), 1);
        rate.set(0.0, start);
        assert_eq!(rate.per_hour(), 0.0);
    }

    #[test]
    fn a_mix_names_known_defects_with_shares_up_to_one() {
        let request = |pairs: &[(&str, f64)]| HireRequest {
            count: 10,
            defects: Some(pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()),
            groups: None,
        };
        assert!(
            request(&[("empty-mail", 0.5), ("synced", 0.5)])
                .mix()
                .is_ok()
        );
        assert!(matches!(
            request(&[("purple", 0.1)]).mix(),
            Err(HireError::UnknownDefect(_))
        ));
        assert!(matches!(
            request(&[("empty-mail", 0.8), ("synced", 0.3)]).mix(),
            Err(HireError::Share(_))
        ));
        assert_eq!(HireRequest::default().mix().unwrap(), DEFAULT_MIX.to_vec());
    }
}
