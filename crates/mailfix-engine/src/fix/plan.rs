//! Pure parts of fix planning (README "Fix" step 2): one temporary alias per target, unique within the
//! run, rendered from the template; a fresh address for the one retry after "address in use"; the
//! `--max-changes` guard.

use std::collections::HashSet;

use rand::{Rng, RngExt};
use serde::Serialize;

use crate::aliases::{AliasError, AliasTemplate, AliasVars, secondary_proxy};
use crate::facts::UserFacts;
use crate::finding::UserRef;
use crate::run_id::RunId;

/// The alias planned for one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlannedAlias {
    /// The user.
    pub user: UserRef,
    /// The address, lowercase, without prefix.
    pub address: String,
}

impl PlannedAlias {
    /// The value for `Set-Mailbox -EmailAddresses @{Add=...}`: lowercase `smtp:` + address.
    pub fn proxy(&self) -> String {
        secondary_proxy(&self.address)
    }
}

/// A fix plan: the aliases to add, and the targets no valid alias could be made for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixPlan {
    /// The run the aliases belong to.
    pub run: RunId,
    /// The alias domain.
    pub domain: String,
    /// One alias per target, in target order.
    pub items: Vec<PlannedAlias>,
    /// Targets left out, with why.
    pub rejected: Vec<(UserRef, String)>,
}

/// Why a plan cannot be made or carried out.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The template cannot produce a valid address for this run and domain.
    #[error("alias template cannot be used: {0}")]
    Template(#[from] AliasError),
    /// `--max-changes` refuses the plan.
    #[error("the plan has {planned} changes, more than --max-changes {max}")]
    TooManyChanges {
        /// Planned changes.
        planned: usize,
        /// The limit.
        max: usize,
    },
}

/// Renders aliases for one run.
#[derive(Clone, Debug)]
pub struct AliasPlanner {
    template: AliasTemplate,
    run: RunId,
    domain: String,
}

impl AliasPlanner {
    /// A planner; fails at once when the template cannot work with this run and domain.
    pub fn new(template: AliasTemplate, run: RunId, domain: &str) -> Result<Self, PlanError> {
        let planner = AliasPlanner {
            template,
            run,
            domain: domain.to_ascii_lowercase(),
        };
        // A user whose nickname and UPN give nothing to keep: what is left is the template's.
        planner.render("", "", None)?;
        Ok(planner)
    }

    /// The planned aliases for `targets`, unique within the plan (two nicknames that are cut to
    /// the same prefix get `-2`, `-3` ... after the run id).
    pub fn plan(&self, targets: &[UserFacts]) -> FixPlan {
        let mut seen = HashSet::new();
        let mut items = Vec::with_capacity(targets.len());
        let mut rejected = Vec::new();
        for facts in targets {
            match self.unique_address(facts, &mut seen) {
                Ok(address) => items.push(PlannedAlias {
                    user: facts.user.clone(),
                    address,
                }),
                Err(e) => rejected.push((facts.user.clone(), e.to_string())),
            }
        }
        FixPlan {
            run: self.run.clone(),
            domain: self.domain.clone(),
            items,
            rejected,
        }
    }

    fn unique_address(
        &self,
        facts: &UserFacts,
        seen: &mut HashSet<String>,
    ) -> Result<String, AliasError> {
        let mut address = self.address_for(facts, None)?;
        let mut n = 1;
        while !seen.insert(address.clone()) {
            n += 1;
            address = self.address_for(facts, Some(&n.to_string()))?;
        }
        Ok(address)
    }

    /// The address for one user, with an optional suffix after the run id.
    pub fn address_for(
        &self,
        facts: &UserFacts,
        suffix: Option<&str>,
    ) -> Result<String, AliasError> {
        let nickname = facts.mail_nickname.as_deref().unwrap_or_default();
        let upn_local = facts.user.upn.split('@').next().unwrap_or_default();
        self.render(nickname, upn_local, suffix)
    }

    /// A fresh address for the one retry after "address already in use": a random three-character
    /// suffix after the run id, so it differs from every address planned in this run.
    pub fn retry_address<R: Rng + ?Sized>(
        &self,
        facts: &UserFacts,
        rng: &mut R,
    ) -> Result<String, AliasError> {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
        let suffix: String = (0..3)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect();
        self.address_for(facts, Some(&suffix))
    }

    fn render(
        &self,
        alias: &str,
        upn_local: &str,
        suffix: Option<&str>,
    ) -> Result<String, AliasError> {
        let vars = AliasVars {
            alias,
            run: self.run.as_str(),
            domain: &self.domain,
            upn_local,
        };
        self.template.render(&vars, suffix)
    }
}

/// Refuses a plan larger than `--max-changes`.
pub fn check_max_changes(planned: usize, max: Option<usize>) -> Result<(), PlanError> {
    match max {
        Some(max) if planned > max => Err(PlanError::TooManyChanges { planned, max }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn target(id: &str, upn: &str, nickname: &str) -> UserFacts {
        UserFacts {
            user: UserRef::new(id, upn),
            mail_nickname: Some(nickname.to_owned()),
            ..UserFacts::default()
        }
    }

    fn planner() -> AliasPlanner {
        let run: RunId = "r7f3k2".parse().unwrap();
        AliasPlanner::new(AliasTemplate::default(), run, "Contoso.onmicrosoft.com").unwrap()
    }

    #[test]
    fn plans_one_lowercase_smtp_alias_per_target() {
        let plan = planner().plan(&[
            target("1", "anna@contoso.com", "Anna"),
            target("2", "bo@contoso.com", "bo"),
        ]);
        let proxies: Vec<String> = plan.items.iter().map(PlannedAlias::proxy).collect();
        assert_eq!(
            proxies,
            [
                "smtp:anna.mailfix-r7f3k2@contoso.onmicrosoft.com",
                "smtp:bo.mailfix-r7f3k2@contoso.onmicrosoft.com"
            ]
        );
        assert!(plan.rejected.is_empty());
    }

    #[test]
    fn addresses_cut_to_the_same_prefix_are_made_unique() {
        let long = "x".repeat(70);
        let plan = planner().plan(&[
            target("1", "a@c.com", &format!("{long}1")),
            target("2", "b@c.com", &format!("{long}2")),
        ]);
        let addresses: HashSet<&str> = plan.items.iter().map(|i| i.address.as_str()).collect();
        assert_eq!(addresses.len(), 2);
        assert!(
            plan.items[1].address.contains(".mailfix-r7f3k2-2@"),
            "{}",
            plan.items[1].address
        );
        for item in &plan.items {
            assert!(item.address.split('@').next().unwrap().len() <= 64);
        }
    }

    #[test]
    fn retry_address_differs_and_is_reproducible_with_a_seed() {
        let p = planner();
        let t = target("1", "anna@contoso.com", "anna");
        let first = p.address_for(&t, None).unwrap();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let retry = p.retry_address(&t, &mut rng).unwrap();
        assert_ne!(first, retry);
        assert!(retry.starts_with("anna.mailfix-r7f3k2-"));
        let mut again = rand::rngs::StdRng::seed_from_u64(7);
        assert_eq!(p.retry_address(&t, &mut again).unwrap(), retry);
    }

    #[test]
    fn bad_domain_is_refused_up_front_and_max_changes_is_enforced() {
        let run: RunId = "r7f3k2".parse().unwrap();
        let err = AliasPlanner::new(AliasTemplate::default(), run, "bad domain").unwrap_err();
        assert!(matches!(
            err,
            PlanError::Template(AliasError::InvalidDomain(_))
        ));
        assert_eq!(check_max_changes(5, Some(5)), Ok(()));
        assert_eq!(check_max_changes(5, None), Ok(()));
        assert_eq!(
            check_max_changes(6, Some(5)),
            Err(PlanError::TooManyChanges { planned: 6, max: 5 })
        );
    }
}
