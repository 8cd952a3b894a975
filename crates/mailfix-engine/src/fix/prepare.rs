//! Steps 1 to 3 of `fix` (README "Fix"): scan the scope for targets, pick the alias domain, draw the
//! run id and plan one alias per target. Nothing is written; the binary shows the plan, applies
//! `--max-changes`, asks for confirmation, and then calls [`super::execute`].

use mailfix_client::Client;
use serde::{Deserialize, Serialize};

use super::plan::{AliasPlanner, FixPlan, check_max_changes};
use super::{FixError, FixOptions, Targets, WatchOptions, alias_domain, find_targets};
use crate::events::{Event, Phase, Reporter};
use crate::journal::{Journal, JournalError, RunRecord};
use crate::run_id::RunId;
use crate::scope::Scope;

/// A planned fix run, not yet journaled.
#[derive(Clone, Debug)]
pub struct PreparedFix {
    /// The run id the aliases carry (unused in the journal when one was given).
    pub run: RunId,
    /// What the scan found.
    pub targets: Targets,
    /// One alias per target (and the targets no alias could be rendered for).
    pub plan: FixPlan,
    /// The options.
    pub options: FixOptions,
    pub(crate) planner: Option<AliasPlanner>,
}

impl PreparedFix {
    /// Number of remote changes the plan makes (aliases to add).
    pub fn changes(&self) -> usize {
        self.plan.items.len()
    }

    /// Refuses the plan when it is larger than `--max-changes`.
    pub fn check_max_changes(&self) -> Result<(), FixError> {
        check_max_changes(self.changes(), self.options.max_changes).map_err(FixError::from)
    }

    /// The options journaled with the run, read back by `fix --resume`.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            scope: self.targets.scope.clone(),
            targets: self.targets.users.len(),
            domain: self.plan.domain.clone(),
            template: self.options.template.to_string(),
            concurrency: self.options.concurrency,
            watch: self.options.watch.clone(),
        }
    }
}

/// The options a fix run journals (never credentials).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOptions {
    /// The scope, described.
    pub scope: String,
    /// Number of targets (MF001 users) found.
    pub targets: usize,
    /// The alias domain.
    pub domain: String,
    /// The alias template.
    pub template: String,
    /// Writes at once.
    pub concurrency: usize,
    /// How the run watches.
    pub watch: WatchOptions,
}

impl RunOptions {
    /// The options a fix run was journaled with.
    pub fn of_run(record: &RunRecord) -> Result<RunOptions, FixError> {
        serde_json::from_value(record.options.clone()).map_err(|e| {
            FixError::Journal(JournalError::corrupt(format!(
                "options of run {}: {e}",
                record.id
            )))
        })
    }
}

/// Scans `scope`, then plans. `journal` (when given) is asked for a run id it does not use yet.
pub async fn prepare(
    client: &Client,
    journal: Option<&Journal>,
    scope: &Scope,
    options: FixOptions,
    reporter: &dyn Reporter,
) -> Result<PreparedFix, FixError> {
    reporter.report(&Event::Phase {
        phase: Phase::Scope,
    });
    // Exchange's accepted domains are read while Graph is scanned (they are needed only when
    // there are targets, and a refused --alias-domain only matters then).
    let (targets, domain) = tokio::join!(
        find_targets(client, scope, &options.plans, reporter),
        alias_domain(client, options.alias_domain.as_deref())
    );
    let targets = targets?;
    reporter.report(&Event::Phase { phase: Phase::Plan });
    let run = match journal {
        Some(journal) => journal.submit(|j| j.unused_run_id()).await?,
        None => RunId::random(),
    };
    if targets.users.is_empty() {
        let plan = FixPlan {
            run: run.clone(),
            domain: String::new(),
            items: Vec::new(),
            rejected: Vec::new(),
        };
        return Ok(PreparedFix {
            run,
            targets,
            plan,
            options,
            planner: None,
        });
    }
    let domain = domain?;
    let planner = AliasPlanner::new(options.template.clone(), run.clone(), &domain)?;
    let plan = planner.plan(&targets.users);
    Ok(PreparedFix {
        run,
        targets,
        plan,
        options,
        planner: Some(planner),
    })
}
