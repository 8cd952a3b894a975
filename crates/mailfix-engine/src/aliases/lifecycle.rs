//! The one entry point of the alias machinery: add the aliases of these targets, watch their
//! users' write-back, remove each alias once its user is written back (or at the timeout), and
//! prove it gone — the three stages at once, joined by channels:
//!
//! ```text
//! adds ──added──▶ watch (polls) ──written back / timed out──▶ removals (+ checks in groups)
//! ```
//!
//! Every state is journaled as it happens; the caller builds its report from the journal
//! afterwards (`fix::finish`). `fix`, `fix --resume` and `cleanup` use it; a command that keeps
//! aliases in place for a while (a guard) can use it the same way with [`Work`] and its own
//! [`WatchOptions`].

use tokio::sync::mpsc;

use super::adds::{AddTarget, add_all};
use super::removals::{Removal, RemovalTally, remove_all};
use super::writeback_watch::{Stage, watch};
use super::writer::{AliasItem, Writer};
use crate::events::{Event, Phase};
use crate::fix::{AliasPlanner, FixError, WatchOptions};

/// What is left to do for a set of aliases.
#[derive(Debug, Default)]
pub struct Work {
    /// Aliases to add.
    pub to_add: Vec<AddTarget>,
    /// Added, waiting for the write-back.
    pub pending: Vec<AliasItem>,
    /// To remove: written back, or kept past their timeout (then with why).
    pub to_remove: Vec<Removal>,
}

/// Carries `work` out with `writer` (its concurrency, journal and cancellation), re-planning an
/// address in use with `planner`, watching as `options` say. Returns once every alias is removed
/// and checked, kept (`--keep-aliases`, `--on-timeout keep`), or the run stopped (Ctrl-C, or a
/// failure every call would share: the writer says which); a journal failure stops everything.
pub async fn carry_out(
    writer: &Writer<'_>,
    planner: &AliasPlanner,
    options: &WatchOptions,
    work: Work,
) -> Result<(), FixError> {
    let Work {
        to_add,
        pending,
        to_remove,
    } = work;
    let reporter = writer.reporter();
    let (added_tx, added) = mpsc::unbounded_channel();
    let (removals, incoming) = mpsc::unbounded_channel();
    for removal in to_remove {
        let _ = removals.send(removal);
    }
    let tally = RemovalTally::default();
    let adding = async move {
        if !to_add.is_empty() {
            reporter.report(&Event::Phase {
                phase: Phase::Apply,
            });
            add_all(writer, to_add, planner, &added_tx).await?;
        }
        if !writer.halted() {
            reporter.report(&Event::Phase {
                phase: Phase::Watch,
            });
        }
        Ok::<_, FixError>(())
    };
    let stage = Stage {
        added,
        removals,
        tally: &tally,
    };
    let watching = watch(writer, options, pending, stage);
    let removing = async { Ok::<_, FixError>(remove_all(writer, incoming, &tally).await?) };
    tokio::try_join!(adding, watching, removing)?;
    Ok(())
}

/// Removes `removals` and proves them gone (`cleanup`): the removal stage alone.
pub async fn remove_and_check(
    writer: &Writer<'_>,
    removals: mpsc::UnboundedReceiver<Removal>,
) -> Result<(), FixError> {
    let tally = RemovalTally::default();
    remove_all(writer, removals, &tally).await?;
    Ok(())
}
