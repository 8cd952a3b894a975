//! The watch stage (README "Fix" steps 5 and 6): takes each alias as soon as it is added, and every poll interval reads only the
//! users still pending (`$batch` of `GET /users/{id}?$select=id,mail,proxyAddresses`, 20 per
//! batch; the group is never listed again) whose alias was added at least half an interval before
//! (a user added just before a poll is read at the next one). A user whose `mail` is filled is journaled
//! `written-back` and its alias handed to the removal stage while the polls go on. A user still
//! pending when its own timeout runs out (counted from when its alias was added, or from the start
//! of the watch for a resumed run) is `stuck`; its alias goes or stays as `--on-timeout` says.
//!
//! A poll runs beside everything else: adds and removals do not wait for it, and it does not wait
//! for them. On Ctrl-C no poll starts any more.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use mailfix_client::UserId;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tokio::time::Instant;

use super::removals::{Removal, RemovalTally};
use super::writer::{AliasItem, Writer};
use crate::duration::format_duration;
use crate::events::{Action, Event, Outcome};
use crate::fix::{FixError, OnTimeout, WatchOptions};
use crate::journal::ItemState;

/// What each poll reads of a pending user.
pub const POLL_FIELDS: [&str; 3] = ["id", "mail", "proxyAddresses"];

type Poll<'a> = Pin<Box<dyn Future<Output = Option<HashSet<String>>> + Send + 'a>>;

/// An added alias whose write-back has not been seen.
struct Pending {
    item: AliasItem,
    added: Instant,
    deadline: Instant,
}

/// What woke the watch.
enum Wake {
    Halted,
    Added(Option<AliasItem>),
    Polled(Option<HashSet<String>>),
    PollDue,
}

/// The stage's channels and counters.
pub(super) struct Stage<'t> {
    /// Aliases as they are added; closes when the adds are done.
    pub added: UnboundedReceiver<AliasItem>,
    /// Where aliases to remove go.
    pub removals: UnboundedSender<Removal>,
    /// Removals that failed (for the progress line).
    pub tally: &'t RemovalTally,
}

/// Watches `pending` (added earlier) and what `stage.added` brings until every alias is written
/// back or stuck (or the run stops). Final states are in the journal.
pub(super) async fn watch(
    writer: &Writer<'_>,
    options: &WatchOptions,
    pending: Vec<AliasItem>,
    mut stage: Stage<'_>,
) -> Result<(), FixError> {
    let started = Instant::now();
    let mut watch = Watch {
        writer,
        options,
        pending: pending
            .into_iter()
            .map(|item| Pending {
                item,
                added: started
                    .checked_sub(options.poll_interval)
                    .unwrap_or(started),
                deadline: started + options.timeout,
            })
            .collect(),
        written: 0,
        next_poll: None,
    };
    watch.schedule(started);
    let mut adding = true;
    let mut poll: Option<(Instant, Poll<'_>)> = None;
    loop {
        if !adding && poll.is_none() && watch.pending.is_empty() {
            return Ok(());
        }
        let due = watch
            .next_poll
            .filter(|_| poll.is_none() && !watch.pending.is_empty());
        let wake = tokio::select! {
            biased;
            () = writer.halting() => Wake::Halted,
            item = stage.added.recv(), if adding => Wake::Added(item),
            answer = answer(&mut poll), if poll.is_some() => Wake::Polled(answer),
            () = sleep_until(due), if due.is_some() => Wake::PollDue,
        };
        match wake {
            Wake::Halted => return Ok(()),
            Wake::Added(Some(item)) => watch.added(item),
            Wake::Added(None) => adding = false,
            Wake::PollDue => {
                let now = Instant::now();
                poll = Some((now, watch.read_pending(now)));
            }
            Wake::Polled(filled) => {
                let Some((at, _)) = poll.take() else { continue };
                watch.polled(filled, at, &stage).await?;
            }
        }
    }
}

async fn answer(poll: &mut Option<(Instant, Poll<'_>)>) -> Option<HashSet<String>> {
    match poll {
        Some((_, read)) => read.await,
        None => std::future::pending().await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

struct Watch<'w, 'a> {
    writer: &'w Writer<'a>,
    options: &'w WatchOptions,
    pending: Vec<Pending>,
    written: u64,
    next_poll: Option<Instant>,
}

impl<'w, 'a> Watch<'w, 'a> {
    fn added(&mut self, item: AliasItem) {
        let now = Instant::now();
        self.pending.push(Pending {
            item,
            added: now,
            deadline: now + self.options.timeout,
        });
        if self.next_poll.is_none() {
            self.schedule(now);
        }
    }

    /// The next poll: one interval after `from`, or at the first deadline if that comes first.
    fn schedule(&mut self, from: Instant) {
        let Some(first_deadline) = self.pending.iter().map(|p| p.deadline).min() else {
            self.next_poll = None;
            return;
        };
        let at = (from + self.options.poll_interval)
            .min(first_deadline)
            .max(Instant::now());
        self.next_poll = Some(at);
        let wait = at.saturating_duration_since(Instant::now());
        let when = chrono::Utc::now() + chrono::Duration::from_std(wait).unwrap_or_default();
        self.writer.reporter().report(&Event::PollScheduled {
            at: when,
            pending: self.pending.len() as u64,
        });
    }

    /// A read of the pending users due at `at` (added half an interval before, or at their
    /// deadline), run beside everything else.
    fn read_pending(&self, at: Instant) -> Poll<'w> {
        let settled = at.checked_sub(self.options.poll_interval / 2).unwrap_or(at);
        let ids: Vec<UserId> = self
            .pending
            .iter()
            .filter(|p| p.added <= settled || p.deadline <= at)
            .map(|p| UserId(p.item.user.id.clone()))
            .collect();
        let writer = self.writer;
        Box::pin(async move {
            if ids.is_empty() {
                return Some(HashSet::new());
            }
            read_filled(writer, ids).await
        })
    }

    /// After a poll that started at `at`: the users with `mail` filled are written back; those
    /// whose deadline had passed when it started are stuck.
    async fn polled(
        &mut self,
        filled: Option<HashSet<String>>,
        at: Instant,
        stage: &Stage<'_>,
    ) -> Result<(), FixError> {
        let filled = filled.unwrap_or_default();
        let (written, still): (Vec<Pending>, Vec<Pending>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|p| filled.contains(&p.item.user.id));
        let (stuck, still): (Vec<Pending>, Vec<Pending>) =
            still.into_iter().partition(|p| p.deadline <= at);
        self.pending = still;
        self.written_back(written, stage).await?;
        self.time_out(stuck, stage).await?;
        self.schedule(at);
        self.writer.reporter().report(&Event::Progress {
            done: self.written,
            pending: self.pending.len() as u64,
            failed: stage.tally.failed(),
        });
        Ok(())
    }

    /// Journals the written-back users in one commit, reports them, and hands their aliases on.
    async fn written_back(
        &mut self,
        written: Vec<Pending>,
        stage: &Stage<'_>,
    ) -> Result<(), FixError> {
        if written.is_empty() {
            return Ok(());
        }
        let ids: Vec<_> = written.iter().map(|p| p.item.id).collect();
        let latencies = self
            .writer
            .journal()
            .submit(move |j| {
                ids.iter()
                    .map(|id| {
                        j.mark(*id, ItemState::WrittenBack, None)?;
                        Ok(j.item(*id)?.latency)
                    })
                    .collect::<Result<Vec<Option<Duration>>, _>>()
            })
            .await?;
        for (pending, latency) in written.into_iter().zip(latencies) {
            self.written += 1;
            self.writer.reporter().report(&Event::ItemDone {
                user: pending.item.user.clone(),
                action: Action::WriteBack,
                outcome: Outcome::Done,
                latency,
            });
            if !self.options.keep_aliases {
                let _ = stage.removals.send(Removal::written_back(pending.item));
            }
        }
        Ok(())
    }

    /// The users past their deadline are stuck; their aliases go or stay as `--on-timeout` says.
    async fn time_out(&mut self, stuck: Vec<Pending>, stage: &Stage<'_>) -> Result<(), FixError> {
        if stuck.is_empty() {
            return Ok(());
        }
        let reason = format!(
            "no write-back within {}",
            format_duration(self.options.timeout)
        );
        let ids: Vec<_> = stuck.iter().map(|p| p.item.id).collect();
        let note = reason.clone();
        self.writer
            .journal()
            .submit(move |j| {
                ids.iter()
                    .try_for_each(|id| j.mark(*id, ItemState::Stuck, Some(&note)))
            })
            .await?;
        for pending in stuck {
            self.writer.reporter().report(&Event::ItemDone {
                user: pending.item.user.clone(),
                action: Action::WriteBack,
                outcome: Outcome::Stuck,
                latency: None,
            });
            if self.options.on_timeout == OnTimeout::Remove {
                let _ = stage.removals.send(Removal {
                    item: pending.item,
                    without_writeback: Some(reason.clone()),
                });
            }
        }
        Ok(())
    }
}

/// The ids of the users whose `mail` is filled; `None` when the read failed (the next poll tries
/// again; a failure every call would share stops the run).
async fn read_filled(writer: &Writer<'_>, ids: Vec<UserId>) -> Option<HashSet<String>> {
    let answers = match writer.client().graph().get_users(&ids, &POLL_FIELDS).await {
        Ok(answers) => answers,
        Err(e) if e.is_forbidden() || e.is_unauthorized() => {
            writer.stop(&e);
            return None;
        }
        Err(e) => {
            writer.reporter().report(&Event::Warning {
                message: format!(
                    "reading the pending users failed ({e}); trying again at the next poll"
                ),
            });
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
