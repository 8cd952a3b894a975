//! Journaled address changes on mailboxes, the only remote writes `fix` and `cleanup` make: add a
//! temporary alias, remove it, and read back whether it is there.
//!
//! Every write is journaled as an intent before the call and a result after it (README "Runs and the journal"). The journal work
//! goes through [`Journal::submit`] (off the async runtime; what several writes journal at the
//! same moment shares one commit). Writes run under a semaphore of [`PIPELINE`] × `--concurrency`
//! permits: the client's Exchange lane lets `--concurrency` calls out at once, and the others
//! meanwhile wait for their intent or result to be committed, so that commits and calls overlap.
//! Once Ctrl-C cancels the run's token, or a failure shows that every further call would fail
//! too (sign-in, permission), no new write starts, and the ones in flight finish and are
//! journaled.

use std::sync::Mutex;
use std::time::Duration;

use mailfix_client::{Client, ErrorKind, MailboxIdentity};
use tokio_util::sync::CancellationToken;

use super::write_permits::{WritePermit, WritePermits};
use crate::events::{Action, Event, Outcome, Reporter};
use crate::finding::UserRef;
use crate::journal::{ItemId, ItemRecord, Journal, JournalError, Op, OpOutcome};

/// An alias item being worked on: the journal item, its user, and the address (bare, lowercase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AliasItem {
    /// The journal item.
    pub id: ItemId,
    /// The mailbox's user (its object id is the Exchange identity used).
    pub user: UserRef,
    /// The temporary address. A `cleanup --sweep` item that found several temporary aliases on
    /// one mailbox holds them all, separated by spaces (one item per user and run).
    pub address: String,
}

impl AliasItem {
    /// The item's addresses (one, except for swept items).
    pub fn addresses(&self) -> impl Iterator<Item = &str> {
        self.address.split_whitespace()
    }
}

impl From<&ItemRecord> for AliasItem {
    fn from(item: &ItemRecord) -> Self {
        AliasItem {
            id: item.id,
            user: item.user.clone(),
            address: item.planned.clone(),
        }
    }
}

/// How an add ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// The alias is on the mailbox (added now, or found there).
    Added,
    /// Another recipient holds the address; the caller may plan a new one.
    InUse(String),
    /// Exchange's write to Entra ID found another object with the address (dual-write
    /// `ObjectConflict`), which Microsoft says may pass: the caller may try again a few minutes
    /// later (journaled as `add-failed`, which a new intent may follow).
    DualWrite(String),
    /// Failed for good, with why (journaled as `add-failed`).
    Failed(String),
    /// The call failed and a re-read could not tell whether it landed: the item stays in
    /// `add-intent` for `fix --resume` or `cleanup`.
    Unknown(String),
    /// Not sent: the run is stopping.
    NotStarted,
}

/// What a read-back found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// The mailbox has the address.
    Present,
    /// The mailbox does not have it.
    Absent,
    /// There is no mailbox (any more).
    NoMailbox,
}

/// Items worked on at once per Exchange request allowed in flight: while some wait for the journal
/// to commit their intent or result, the others keep the Exchange lane busy.
pub const PIPELINE: usize = 4;

/// How long to wait before adding an address again after a dual-write conflict: Exchange's text
/// says "retry a couple of minutes later" (vilega/O365Troubleshooters issue #215).
pub const DUAL_WRITE_RETRY: Duration = Duration::from_secs(120);

/// How Exchange is asked for a user's mailbox: its object id, and its UPN once when Exchange does
/// not resolve the id.
pub fn mailbox_identity(user: &UserRef) -> MailboxIdentity {
    MailboxIdentity::object_id(&user.id, Some(&user.upn))
}

/// Makes journaled writes for one run.
pub struct Writer<'a> {
    pub(super) client: &'a Client,
    pub(super) journal: &'a Journal,
    reporter: &'a dyn Reporter,
    permits: WritePermits,
    cancel: CancellationToken,
    halt: CancellationToken,
    stopped_by: Mutex<Option<mailfix_client::Error>>,
    dual_write_retry: Duration,
}

impl<'a> Writer<'a> {
    /// A writer for `concurrency` Exchange writes at once (at least one; the client's Exchange lane
    /// should allow as many), stopping when `cancel` is cancelled.
    pub fn new(
        client: &'a Client,
        journal: &'a Journal,
        reporter: &'a dyn Reporter,
        concurrency: usize,
        cancel: CancellationToken,
    ) -> Self {
        Writer {
            client,
            journal,
            reporter,
            permits: WritePermits::new(concurrency.max(1) * PIPELINE),
            halt: cancel.child_token(),
            cancel,
            stopped_by: Mutex::new(None),
            dual_write_retry: DUAL_WRITE_RETRY,
        }
    }

    /// This writer waiting `wait` before adding an address again after a dual-write conflict.
    pub fn with_dual_write_retry(mut self, wait: Duration) -> Self {
        self.dual_write_retry = wait;
        self
    }

    /// How long to wait before adding an address again after a dual-write conflict.
    pub fn dual_write_retry(&self) -> Duration {
        self.dual_write_retry
    }

    /// The client.
    pub fn client(&self) -> &'a Client {
        self.client
    }

    /// The journal.
    pub fn journal(&self) -> &'a Journal {
        self.journal
    }

    /// The reporter.
    pub fn reporter(&self) -> &'a dyn Reporter {
        self.reporter
    }

    /// How many items may be worked on at once.
    pub fn depth(&self) -> usize {
        self.permits.depth()
    }

    /// Whether new work must not start (Ctrl-C, or a failure every call would share).
    pub fn halted(&self) -> bool {
        self.halt.is_cancelled()
    }

    /// Resolves once new work must not start.
    pub async fn halting(&self) {
        self.halt.cancelled().await
    }

    /// Whether Ctrl-C stopped the run.
    pub fn interrupted(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The failure that stopped the run, if one did.
    pub fn stopped_by(&self) -> Option<mailfix_client::Error> {
        self.stopped_by
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Stops new work because of `error`, which every further call would hit too.
    pub(crate) fn stop(&self, error: &mailfix_client::Error) {
        let mut slot = self
            .stopped_by
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(error.clone());
            self.reporter.report(&Event::Warning {
                message: format!("stopping: {error}"),
            });
        }
        self.halt.cancel();
    }

    /// A write permit, or `None` when the run is stopping; adds go first (`write_permits.rs`).
    pub(super) async fn permit(&self, op: Op) -> Option<WritePermit<'_>> {
        if self.halted() {
            return None;
        }
        let permit = self.permits.acquire(op, &self.halt).await?;
        (!self.halted()).then_some(permit)
    }

    /// Adds the item's alias: intent, `Set-Mailbox -EmailAddresses @{Add=...}`, result.
    pub async fn add(&self, item: &AliasItem) -> Result<AddOutcome, JournalError> {
        let Some(_permit) = self.permit(Op::Add).await else {
            return Ok(AddOutcome::NotStarted);
        };
        self.started(item, Action::AddAlias);
        self.intent(item, Op::Add).await?;
        let outcome = match self
            .client
            .exo()
            .add_address(mailbox_identity(&item.user), &item.address)
            .await
        {
            Ok(_) => AddOutcome::Added,
            Err(e) => self.add_failure(item, e).await,
        };
        match &outcome {
            AddOutcome::Added => self.result(item, Op::Add, OpOutcome::Succeeded).await?,
            AddOutcome::InUse(reason)
            | AddOutcome::Failed(reason)
            | AddOutcome::DualWrite(reason) => {
                self.result(item, Op::Add, OpOutcome::Failed(reason.clone()))
                    .await?
            }
            AddOutcome::Unknown(_) | AddOutcome::NotStarted => {}
        }
        let done = match &outcome {
            // The caller retries it (and reports that); it is not the item's end.
            AddOutcome::DualWrite(_) => return Ok(outcome),
            AddOutcome::Added => Outcome::Done,
            AddOutcome::InUse(reason)
            | AddOutcome::Failed(reason)
            | AddOutcome::Unknown(reason) => Outcome::Failed {
                reason: reason.clone(),
            },
            AddOutcome::NotStarted => return Ok(outcome),
        };
        self.done(&item.user, Action::AddAlias, done);
        Ok(outcome)
    }

    /// Sorts a failed add: a reason for the permanent failures, a re-read for the others.
    async fn add_failure(&self, item: &AliasItem, error: mailfix_client::Error) -> AddOutcome {
        match error.kind() {
            ErrorKind::ProxyAddressInUse { .. } => AddOutcome::InUse(format!(
                "address {} is already in use: {}",
                item.address,
                error.message()
            )),
            ErrorKind::DualWriteConflict => AddOutcome::DualWrite(format!(
                "Exchange could not write {} to Entra ID (dual-write ObjectConflict): {}",
                item.address,
                error.message()
            )),
            ErrorKind::NotFound => AddOutcome::Failed(
                "no Exchange mailbox found for this user (object not found)".to_owned(),
            ),
            ErrorKind::SyncedObject => AddOutcome::Failed(
                "the user is synchronized from on-premises AD: set the address there; a cloud-side change does not stick"
                    .to_owned(),
            ),
            ErrorKind::DomainNotAccepted => AddOutcome::Failed(format!(
                "the alias domain is not an accepted domain: {}",
                error.message()
            )),
            _ if is_fatal(&error) => {
                self.stop(&error);
                AddOutcome::Failed(error.to_string())
            }
            _ => match self.presence(item).await {
                Ok(Presence::Present) => AddOutcome::Added,
                Ok(_) => AddOutcome::Failed(error.to_string()),
                Err(read) => AddOutcome::Unknown(format!(
                    "{error}; re-reading the mailbox failed too ({read}), so whether the alias was added is unknown"
                )),
            },
        }
    }

    /// Whether the user's mailbox has the item's address (any of them) (`Get-Mailbox`).
    pub async fn presence(&self, item: &AliasItem) -> Result<Presence, mailfix_client::Error> {
        Ok(match self.present_addresses(item).await? {
            None => Presence::NoMailbox,
            Some(present) if present.is_empty() => Presence::Absent,
            Some(_) => Presence::Present,
        })
    }

    /// Which of the item's addresses the user's mailbox has (`Get-Mailbox`); `None` when the
    /// mailbox is gone.
    pub async fn present_addresses(
        &self,
        item: &AliasItem,
    ) -> Result<Option<Vec<String>>, mailfix_client::Error> {
        match self
            .client
            .exo()
            .get_mailbox(mailbox_identity(&item.user))
            .await
        {
            Ok(mailbox) => Ok(Some(
                item.addresses()
                    .filter(|a| mailbox.has_address(a))
                    .map(str::to_owned)
                    .collect(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Journals that `op` on the item is about to be sent; returns once that is on disk.
    pub(super) async fn intent(&self, item: &AliasItem, op: Op) -> Result<(), JournalError> {
        let (id, address) = (item.id, item.address.clone());
        self.journal
            .submit(move |j| j.record_intent(id, op, Some(&address)))
            .await
    }

    /// Journals how `op` on the item ended.
    pub(super) async fn result(
        &self,
        item: &AliasItem,
        op: Op,
        outcome: OpOutcome,
    ) -> Result<(), JournalError> {
        let id = item.id;
        self.journal
            .submit(move |j| j.record_result(id, op, &outcome))
            .await
    }

    pub(super) fn started(&self, item: &AliasItem, action: Action) {
        self.reporter.report(&Event::ItemStarted {
            user: item.user.clone(),
            action,
        });
    }

    /// Reports the end of an item's action.
    pub fn done(&self, user: &UserRef, action: Action, outcome: Outcome) {
        self.reporter.report(&Event::ItemDone {
            user: user.clone(),
            action,
            outcome,
            latency: None,
        });
    }
}

/// Failures every further call would share: sign-in, missing permission, configuration.
pub(super) fn is_fatal(error: &mailfix_client::Error) -> bool {
    error.is_forbidden() || error.is_unauthorized() || matches!(error.kind(), ErrorKind::Config)
}
