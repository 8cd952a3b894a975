//! What a `fix` run is told: the alias template and domain, how many changes at once, how it
//! watches (poll interval, timeout, what happens at the timeout), and whether aliases stay.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::aliases::{AliasTemplate, DUAL_WRITE_RETRY};
use crate::mailbox_plans::MailboxPlans;

/// Exchange's limits suit three changes at a time (the client's default Exchange concurrency).
pub const DEFAULT_CONCURRENCY: usize = 3;
/// SPEC §4 step 5.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// SPEC §4 step 6.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What `fix` does with the aliases of users still pending when the timeout runs out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnTimeout {
    /// Remove them (the default): nothing is left behind.
    #[default]
    Remove,
    /// Keep them, so that a later `fix --resume` can pick the users up.
    Keep,
}

/// How a run watches for the write-back and what it does afterwards. Journaled with the run, so
/// that `fix --resume` continues the way the run started unless told otherwise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchOptions {
    /// Time between polls of the pending users.
    #[serde(with = "millis")]
    pub poll_interval: Duration,
    /// How long to watch before the pending users count as stuck.
    #[serde(with = "millis")]
    pub timeout: Duration,
    /// What happens to the stuck users' aliases.
    pub on_timeout: OnTimeout,
    /// Leave every alias in place after the write-back (`mailfix cleanup` removes them later).
    pub keep_aliases: bool,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            poll_interval: DEFAULT_POLL_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            on_timeout: OnTimeout::Remove,
            keep_aliases: false,
        }
    }
}

/// Everything a new `fix` run needs besides its scope.
#[derive(Clone, Debug)]
pub struct FixOptions {
    /// The temporary address template.
    pub template: AliasTemplate,
    /// The alias domain; `None` for the tenant's initial `*.onmicrosoft.com` domain.
    pub alias_domain: Option<String>,
    /// Remote writes in flight at once.
    pub concurrency: usize,
    /// Refuse plans with more changes than this.
    pub max_changes: Option<usize>,
    /// How to watch.
    pub watch: WatchOptions,
    /// Which service plans give a mailbox (the table plus the `mailbox_plans` setting).
    pub plans: MailboxPlans,
    /// How long to wait before adding an address again after Exchange's dual-write conflict.
    pub dual_write_retry: Duration,
}

impl Default for FixOptions {
    fn default() -> Self {
        FixOptions {
            template: AliasTemplate::default(),
            alias_domain: None,
            concurrency: DEFAULT_CONCURRENCY,
            max_changes: None,
            watch: WatchOptions::default(),
            plans: MailboxPlans::default(),
            dual_write_retry: DUAL_WRITE_RETRY,
        }
    }
}

/// Durations as whole milliseconds in the journal's options JSON.
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
