//! Watching for the write-back (README "Fix" steps 5 and 6): every poll interval, read only the users
//! still pending (`$batch` of `GET /users/{id}?$select=id,mail,proxyAddresses`, 20 per batch; the
//! group is never listed again); as soon as a user's `mail` is filled, journal it and remove that
//! user's alias while the polls go on. When the timeout runs out the users still pending are
//! `stuck`; their aliases are removed or kept (`--on-timeout`).
//!
//! Removals run concurrently with the polls (bounded by the writer's permits). On Ctrl-C no poll
//! or removal starts any more; removals in flight finish.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;

use futures::StreamExt as _;
use futures::stream::FuturesUnordered;
use mailfix_client::UserId;
use tokio::time::Instant;

use super::remove::RemoveOutcome;
use super::writer::{AliasItem, Writer};
use crate::duration::format_duration;
use crate::events::{Action, Event, Outcome};
use crate::fix::{FixError, OnTimeout, WatchOptions};
use crate::journal::{ItemState, JournalError};

/// What each poll reads of a pending user.
pub const POLL_FIELDS: [&str; 3] = ["id", "mail", "proxyAddresses"];

type Removal<'a> = Pin<Box<dyn Future<Output = Result<RemoveOutcome, JournalError>> + Send + 'a>>;

/// Watches `pending` users (alias added, `mail` not yet seen) and removes the aliases of
/// `written` users (already written back) and of those that get written back. Final states are in
/// the journal.
pub async fn watch(
    writer: &Writer<'_>,
    options: &WatchOptions,
    pending: Vec<AliasItem>,
    written: Vec<AliasItem>,
) -> Result<(), FixError> {
    let mut watch = Watch {
        writer,
        options,
        pending,
        removals: FuturesUnordered::new(),
        tally: Tally::default(),
    };
    for item in written {
        watch.written_back(item);
    }
    watch.run().await
}

#[derive(Default)]
struct Tally {
    written: u64,
    failed: u64,
}

struct Watch<'w, 'a> {
    writer: &'w Writer<'a>,
    options: &'w WatchOptions,
    pending: Vec<AliasItem>,
    removals: FuturesUnordered<Removal<'w>>,
    tally: Tally,
}

impl<'w, 'a> Watch<'w, 'a> {
    async fn run(&mut self) -> Result<(), FixError> {
        let deadline = Instant::now() + self.options.timeout;
        let mut next_poll = self.schedule(deadline);
        loop {
            let polling = !self.pending.is_empty() && !self.writer.halted();
            if !polling && self.removals.is_empty() {
                return Ok(());
            }
            tokio::select! {
                Some(done) = self.removals.next(), if !self.removals.is_empty() => {
                    if !matches!(done?, RemoveOutcome::Verified | RemoveOutcome::NotStarted) {
                        self.tally.failed += 1;
                    }
                    self.progress();
                }
                () = tokio::time::sleep_until(next_poll), if polling => {
                    self.poll().await?;
                    if Instant::now() >= deadline {
                        self.time_out()?;
                    } else {
                        next_poll = self.schedule(deadline);
                    }
                    self.progress();
                }
                () = self.writer.halting(), if polling => {}
            }
        }
    }

    /// The next poll: one interval from now, or at the deadline if that comes first.
    fn schedule(&self, deadline: Instant) -> Instant {
        let at = (Instant::now() + self.options.poll_interval).min(deadline);
        if !self.pending.is_empty() {
            let wait = at.saturating_duration_since(Instant::now());
            let when = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
            self.writer.reporter().report(&Event::PollScheduled {
                at: when,
                pending: self.pending.len() as u64,
            });
        }
        at
    }

    /// Reads the pending users; those with `mail` filled are written back.
    async fn poll(&mut self) -> Result<(), FixError> {
        let Some(filled) = self.read_filled().await else {
            return Ok(());
        };
        let (written, still): (Vec<AliasItem>, Vec<AliasItem>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|item| filled.contains(&item.user.id));
        self.pending = still;
        for item in written {
            let journal = self.writer.journal();
            journal.mark(item.id, ItemState::WrittenBack, None)?;
            let latency = journal.item(item.id)?.latency;
            self.writer.reporter().report(&Event::ItemDone {
                user: item.user.clone(),
                action: Action::WriteBack,
                outcome: Outcome::Done,
                latency,
            });
            self.written_back(item);
        }
        Ok(())
    }

    /// The ids of the pending users whose `mail` is filled; `None` when the read failed (the next
    /// poll tries again; a failure every call would share stops the run).
    async fn read_filled(&self) -> Option<HashSet<String>> {
        let ids: Vec<UserId> = self
            .pending
            .iter()
            .map(|item| UserId(item.user.id.clone()))
            .collect();
        let answers = match self
            .writer
            .client()
            .graph()
            .get_users(&ids, &POLL_FIELDS)
            .await
        {
            Ok(answers) => answers,
            Err(e) if e.is_forbidden() || e.is_unauthorized() => {
                self.writer.stop(&e);
                return None;
            }
            Err(e) => {
                self.warn(format!(
                    "reading the pending users failed ({e}); trying again at the next poll"
                ));
                return None;
            }
        };
        let filled = answers.into_iter().filter_map(|(id, answer)| {
            let user = answer.ok()?;
            let mail = user.mail.as_deref().map(str::trim).unwrap_or_default();
            (!mail.is_empty()).then_some(id.0)
        });
        Some(filled.collect())
    }

    /// Queues the removal of a written-back user's alias (unless aliases are kept).
    fn written_back(&mut self, item: AliasItem) {
        self.tally.written += 1;
        if !self.options.keep_aliases {
            self.queue_removal(item);
        }
    }

    fn queue_removal(&mut self, item: AliasItem) {
        let writer = self.writer;
        self.removals
            .push(Box::pin(async move { writer.remove(&item).await }));
    }

    /// The users still pending are stuck; their aliases go or stay as `--on-timeout` says.
    fn time_out(&mut self) -> Result<(), FixError> {
        let reason = format!(
            "no write-back within {}",
            format_duration(self.options.timeout)
        );
        for item in std::mem::take(&mut self.pending) {
            self.writer
                .journal()
                .mark(item.id, ItemState::Stuck, Some(&reason))?;
            self.writer.reporter().report(&Event::ItemDone {
                user: item.user.clone(),
                action: Action::WriteBack,
                outcome: Outcome::Stuck,
                latency: None,
            });
            if self.options.on_timeout == OnTimeout::Remove {
                self.queue_removal(item);
            }
        }
        Ok(())
    }

    fn progress(&self) {
        self.writer.reporter().report(&Event::Progress {
            done: self.tally.written,
            pending: self.pending.len() as u64,
            failed: self.tally.failed,
        });
    }

    fn warn(&self, message: String) {
        self.writer.reporter().report(&Event::Warning { message });
    }
}
