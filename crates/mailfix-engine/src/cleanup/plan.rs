//! Planning a cleanup: the journal's items whose alias may still be on a mailbox, and with a sweep
//! scope the temporary aliases found there that no journal knows. Reads only.

use super::sweep::{FoundAliases, find as sweep};
use crate::events::Reporter;
use crate::finding::UserRef;
use crate::fix::FixError;
use crate::journal::{ErrorKind, ItemRecord, Journal, JournalError};
use crate::run_id::RunId;
use crate::scope::Scope;

/// What a cleanup would remove.
#[derive(Clone, Debug, Default)]
pub struct CleanupPlan {
    /// The run whose aliases are removed (`None`: every run).
    pub run: Option<RunId>,
    /// Journal items whose alias may still be on a mailbox.
    pub journaled: Vec<ItemRecord>,
    /// Temporary aliases `--sweep` found that the journal does not track.
    pub found: Vec<FoundAliases>,
}

impl CleanupPlan {
    /// Mailbox changes the plan makes (one per item; a swept mailbox counts once).
    pub fn changes(&self) -> usize {
        self.journaled.len() + self.found.len()
    }

    /// Every planned removal as (user, addresses, where it comes from).
    pub fn rows(&self) -> Vec<(UserRef, String, String)> {
        let journaled = self.journaled.iter().map(|i| {
            let from = format!("run {} ({})", i.run, i.state);
            (i.user.clone(), i.planned.clone(), from)
        });
        let found = self
            .found
            .iter()
            .map(|f| (f.user.clone(), f.addresses.join(" "), "sweep".to_owned()));
        journaled.chain(found).collect()
    }
}

/// Reads what is to be removed: the journal's items (when there is a journal) and, with a sweep
/// scope, what the scope's mailboxes hold.
pub async fn plan(
    client: &mailfix_client::Client,
    journal: Option<&Journal>,
    run: Option<&RunId>,
    sweep_scope: Option<&Scope>,
    reporter: &dyn Reporter,
) -> Result<CleanupPlan, FixError> {
    let journaled = match (journal, run) {
        (None, Some(id)) => return Err(unknown_run(id)),
        (None, None) => Vec::new(),
        (Some(journal), run) => {
            let wanted = run.cloned();
            let items = journal
                .submit(move |j| match &wanted {
                    Some(id) if j.run(id)?.is_none() => Ok(None),
                    wanted => j.items_to_clean(wanted.as_ref()).map(Some),
                })
                .await?;
            match (items, run) {
                (Some(items), _) => items,
                (None, Some(id)) => return Err(unknown_run(id)),
                (None, None) => Vec::new(),
            }
        }
    };
    let found = match sweep_scope {
        Some(scope) => sweep(client, scope, &journaled, reporter).await?,
        None => Vec::new(),
    };
    Ok(CleanupPlan {
        run: run.cloned(),
        journaled,
        found,
    })
}

fn unknown_run(id: &RunId) -> FixError {
    FixError::Journal(JournalError::from(ErrorKind::UnknownRun(id.to_string())))
}
