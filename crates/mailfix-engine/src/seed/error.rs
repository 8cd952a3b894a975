//! Why a seed run as a whole cannot go on (a bad row never is: rows carry their own outcome).

use std::path::PathBuf;

use super::csv::HrCsvError;
use crate::journal::JournalError;

/// A failure of the whole run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SeedError {
    /// The HR file cannot be opened or read.
    #[error("cannot read the HR file {path}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The HR file is not a usable CSV (no header, unknown `--map` column, ...).
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: HrCsvError,
    },
    /// A request failed for the run as a whole (sign-in, permissions, network).
    #[error(transparent)]
    Client(#[from] mailfix_client::Error),
    /// The journal failed.
    #[error(transparent)]
    Journal(#[from] JournalError),
    /// `--max-changes` refuses the plan.
    #[error("the plan has {planned} changes, more than --max-changes {max}")]
    TooManyChanges {
        /// Planned writes.
        planned: usize,
        /// The limit.
        max: usize,
    },
    /// `--resume` cannot take the run up.
    #[error("cannot resume: {0}")]
    Resume(String),
}

/// What a row says when the service refused its user although the token holds the permission.
pub const PER_USER_403: &str = "the service refused access to this user's methods (403) although \
    the sign-in holds the permission: an Authentication Administrator cannot manage the methods of \
    users who hold an admin role; a Privileged Authentication Administrator can";

/// Whether a 403 is about one user rather than the run: the token carries `permission`, so the
/// service refused that user (delegated sign-in: the role's reach), not the app.
pub async fn refusals_are_per_user(
    client: &mailfix_client::Client,
    permission: mailfix_client::Permission,
) -> bool {
    client
        .token_claims(mailfix_client::Resource::Graph)
        .await
        .is_ok_and(|claims| permission.granted_by(&claims))
}

impl SeedError {
    /// Whether the user can fix it by changing the command line or the file (exit 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            SeedError::File { .. }
                | SeedError::Csv { .. }
                | SeedError::TooManyChanges { .. }
                | SeedError::Resume(_)
        )
    }
}
