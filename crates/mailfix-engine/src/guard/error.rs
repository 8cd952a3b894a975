//! Why a guard could not go on.

use crate::fix::FixError;
use crate::journal::JournalError;
use crate::scope::ScopeError;

/// A failure that stops a guard (a failed notification never does).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The scope could not be resolved or read.
    #[error(transparent)]
    Scope(#[from] ScopeError),
    /// A service call failed for good.
    #[error(transparent)]
    Client(#[from] mailfix_client::Error),
    /// The journal could not be read or written.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// Remediation could not plan or run a fix.
    #[error(transparent)]
    Fix(#[from] FixError),
}

impl GuardError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        match self {
            GuardError::Scope(e) => e.hint(),
            GuardError::Client(e) => e.hint().map(str::to_owned),
            GuardError::Fix(e) => e.hint(),
            GuardError::Journal(_) => None,
        }
    }

    /// Whether the command was used wrongly (exit 2) rather than failing at run time (exit 1).
    pub fn is_usage(&self) -> bool {
        match self {
            GuardError::Scope(e) => !matches!(e, ScopeError::Client(_)),
            GuardError::Fix(e) => e.is_usage(),
            GuardError::Client(_) | GuardError::Journal(_) => false,
        }
    }

    /// Whether every later cycle would fail the same way (sign-in, permission, configuration,
    /// journal), so a running guard stops instead of trying again at the next interval.
    pub fn is_lasting(&self) -> bool {
        let lasting = |e: &mailfix_client::Error| {
            e.is_forbidden()
                || e.is_unauthorized()
                || matches!(
                    e.kind(),
                    mailfix_client::ErrorKind::Config | mailfix_client::ErrorKind::SignIn(_)
                )
        };
        match self {
            GuardError::Client(e) | GuardError::Scope(ScopeError::Client(e)) => lasting(e),
            GuardError::Fix(FixError::Client(e) | FixError::Stopped(e)) => lasting(e),
            GuardError::Fix(FixError::Scope(ScopeError::Client(e))) => lasting(e),
            _ => true,
        }
    }
}
