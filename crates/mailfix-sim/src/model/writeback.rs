//! Exchange's write-back to the directory: after an address change on a mailbox, Exchange writes the
//! recipient back to Entra ID after a delay, which fills an empty `mail` and refreshes
//! `proxyAddresses`. Pending write-backs are applied lazily whenever the tenant is read.
//!
//! Rules (COVERAGE.md "Write-back"; the real delay is UNCONFIRMED and configurable):
//! - when a write-back lands, an empty `mail` becomes the mailbox's primary SMTP address, and a `mail`
//!   that followed the old primary follows the new one; `mail` is never cleared;
//! - `proxyAddresses` become the mailbox's `SMTP:`/`smtp:` addresses;
//! - a stuck user is never written back: the write-back is held until the control plane un-sticks it;
//! - advanced (eventually consistent) queries keep seeing the old values for the consistency lag.

use chrono::{DateTime, Duration, Utc};

use super::users::StaleView;
use super::{Tenant, UserIdx};

/// A write-back scheduled for a user.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingWriteback {
    /// When it lands (simulated time).
    pub due: DateTime<Utc>,
    /// Whose directory object is written.
    pub user: UserIdx,
    /// How long advanced queries keep seeing the old values after it lands.
    pub lag: Duration,
}

/// What [`Tenant::request_writeback`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WritebackRequest {
    /// A write-back lands at this time.
    Scheduled(DateTime<Utc>),
    /// One was already pending (it will carry this change too), landing at this time.
    AlreadyPending(DateTime<Utc>),
    /// The user is stuck; the write-back is held until un-stuck.
    Held,
}

impl Tenant {
    /// Whether anything (a write-back) is due by `now`. Reservations expire lazily.
    pub fn has_due(&self, now: DateTime<Utc>) -> bool {
        self.writebacks.first().is_some_and(|w| w.due <= now)
    }

    /// Applies every write-back due by `now` and forgets ended reservations.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        let due = self.writebacks.partition_point(|w| w.due <= now);
        let landed: Vec<PendingWriteback> = self.writebacks.drain(..due).collect();
        for writeback in landed {
            self.land_writeback(&writeback);
        }
        self.expire_reservations(now);
    }

    /// Asks for a write-back of `user` after its mailbox changed at `now`: lands after `delay`, or is
    /// held when the user is stuck.
    pub fn request_writeback(
        &mut self,
        user: UserIdx,
        now: DateTime<Utc>,
        delay: Duration,
        lag: Duration,
    ) -> WritebackRequest {
        if self.users[user as usize].stuck {
            if !self.held_writebacks.contains(&user) {
                self.held_writebacks.push(user);
            }
            return WritebackRequest::Held;
        }
        if let Some(pending) = self.pending_writeback(user) {
            return WritebackRequest::AlreadyPending(pending);
        }
        let due = now + delay;
        self.schedule_writeback(PendingWriteback { due, user, lag });
        WritebackRequest::Scheduled(due)
    }

    /// When the pending write-back of `user` lands, if one is pending.
    pub fn pending_writeback(&self, user: UserIdx) -> Option<DateTime<Utc>> {
        self.writebacks
            .iter()
            .find(|w| w.user == user)
            .map(|w| w.due)
    }

    /// Un-sticks every stuck user; held write-backs are scheduled with the delay `delay` gives
    /// each user (by object id). Returns (users un-stuck, write-backs scheduled).
    pub fn unstick_all(
        &mut self,
        now: DateTime<Utc>,
        delay: impl Fn(&str) -> Duration,
        lag: Duration,
    ) -> (usize, usize) {
        let mut unstuck = 0;
        for user in self.users.iter_mut().filter(|u| u.stuck) {
            user.stuck = false;
            unstuck += 1;
        }
        let held = std::mem::take(&mut self.held_writebacks);
        let scheduled = held.len();
        for user in held {
            let id = self.users[user as usize].id.to_string();
            self.request_writeback(user, now, delay(&id), lag);
        }
        (unstuck, scheduled)
    }

    fn schedule_writeback(&mut self, writeback: PendingWriteback) {
        let at = self.writebacks.partition_point(|w| w <= &writeback);
        self.writebacks.insert(at, writeback);
    }

    fn land_writeback(&mut self, writeback: &PendingWriteback) {
        let idx = writeback.user;
        let Some(mailbox) = self.mailboxes.get(&idx) else {
            return;
        };
        let primary = mailbox.primary_smtp().map(str::to_owned);
        let smtp: Vec<String> = mailbox
            .email_addresses
            .iter()
            .filter(|a| a.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("smtp:")))
            .cloned()
            .collect();
        let user = &self.users[idx as usize];
        let followed_primary = match (&user.mail, user.primary_smtp()) {
            (Some(mail), Some(old_primary)) => mail.eq_ignore_ascii_case(old_primary),
            _ => false,
        };
        let empty = user.mail.as_deref().is_none_or(str::is_empty);
        let mail = if empty || followed_primary {
            primary.or_else(|| user.mail.clone())
        } else {
            user.mail.clone()
        };
        self.set_directory_addresses(idx, mail, smtp, writeback.due, writeback.lag);
    }

    /// Sets a user's `mail` and `proxyAddresses` as the directory sees them at `at`: advanced
    /// (eventually consistent) queries keep seeing the previous values until `at + lag`, and the
    /// change is recorded for delta. Returns whether anything changed. (Also for Graph writes.)
    pub fn set_directory_addresses(
        &mut self,
        idx: UserIdx,
        mail: Option<String>,
        proxy_addresses: Vec<String>,
        at: DateTime<Utc>,
        lag: Duration,
    ) -> bool {
        let user = &mut self.users[idx as usize];
        if mail == user.mail && proxy_addresses == user.proxy_addresses {
            return false;
        }
        let until = at + lag;
        let stale = match user.stale.take() {
            // An index that has not caught up with the previous change still shows the older values.
            Some(previous) if previous.until > at => StaleView { until, ..previous },
            _ => StaleView {
                mail: user.mail.clone(),
                proxy_addresses: user.proxy_addresses.clone(),
                until,
            },
        };
        user.stale = Some(stale);
        user.mail = mail;
        user.proxy_addresses = proxy_addresses;
        self.touch_user(idx);
        true
    }
}
