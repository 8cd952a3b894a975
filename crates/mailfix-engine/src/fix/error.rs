//! Why a `fix`, `fix --resume` or `cleanup` could not run (per-user failures are not errors: they
//! are reported items).

use super::plan::PlanError;
use crate::journal::JournalError;
use crate::run_id::RunId;
use crate::scope::ScopeError;

/// A failure that stops a write command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixError {
    /// The scope could not be resolved or read.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A service call failed for good (after the client's retries), outside any one user's item.
    #[error(transparent)]
    Client(#[from] mailfix_client::Error),
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// The plan cannot be made or is refused (`--max-changes`).
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// `--alias-domain` names a domain Exchange does not accept.
    #[error("'{domain}' is not an accepted domain of the organisation")]
    DomainNotAccepted {
        /// The domain asked for.
        domain: String,
        /// The accepted domains.
        accepted: Vec<String>,
    },
    /// Exchange lists no initial `*.onmicrosoft.com` domain.
    #[error("Exchange lists no initial *.onmicrosoft.com domain")]
    NoInitialDomain,
    /// `--resume` without a run id, and no run is unfinished.
    #[error("no unfinished {command} run in the journal to resume")]
    NothingToResume {
        /// The command whose runs were looked at.
        command: &'static str,
    },
    /// The run to resume belongs to another command.
    #[error("run {run} is a {command} run, not a fix run")]
    NotAFixRun {
        /// The run.
        run: RunId,
        /// Its command.
        command: String,
    },
    /// A call failed in a way that will fail for every user (sign-in, permission), so the run
    /// stopped starting new work.
    #[error("stopped: {0}")]
    Stopped(mailfix_client::Error),
}

impl FixError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            FixError::Scope(e) => e.hint(),
            FixError::Client(e) | FixError::Stopped(e) => e.hint().map(str::to_owned),
            FixError::DomainNotAccepted { accepted, .. } => Some(format!(
                "pass one of the accepted domains with --alias-domain: {}",
                accepted.join(", ")
            )),
            FixError::NoInitialDomain => {
                Some("pass an accepted domain with --alias-domain".to_owned())
            }
            FixError::NothingToResume { .. } => {
                Some("`mailfix runs` lists the runs; start a new one without --resume".to_owned())
            }
            FixError::NotAFixRun { .. } => {
                Some("`mailfix runs` lists the runs and their commands".to_owned())
            }
            FixError::Plan(PlanError::TooManyChanges { .. }) => Some(
                "narrow the scope, or raise --max-changes if this many changes are intended \
                 (--dry-run without --max-changes shows them)"
                    .to_owned(),
            ),
            FixError::Journal(_) | FixError::Plan(_) => None,
        }
    }

    /// Whether the command was used wrongly (exit 2) rather than failing at run time (exit 1).
    pub fn is_usage(&self) -> bool {
        match self {
            FixError::Scope(e) => !matches!(e, ScopeError::Client(_)),
            FixError::Plan(_)
            | FixError::DomainNotAccepted { .. }
            | FixError::NothingToResume { .. }
            | FixError::NotAFixRun { .. } => true,
            FixError::Client(_)
            | FixError::Journal(_)
            | FixError::NoInitialDomain
            | FixError::Stopped(_) => false,
        }
    }
}
