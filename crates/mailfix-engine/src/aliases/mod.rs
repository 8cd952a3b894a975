//! Temporary aliases, the machinery `fix` and `cleanup` share: the address template and its
//! markers, the journaled writes (add, remove and verify, read back), settling items a run left
//! in an intent, and the write-back watch with its latency statistics.

mod remove;
mod settle;
mod template;
mod writeback_latency;
mod writeback_watch;
mod writer;

pub use remove::RemoveOutcome;
pub(crate) use settle::{settle_after_interruption, settle_before_removal};
pub use template::{
    AliasError, AliasTemplate, AliasVars, DEFAULT_TEMPLATE, MAILFIX_MARKER, MAX_LOCAL_PART,
    SCRIPT_MARKER, TempAliasKind, is_valid_local_part, secondary_proxy, strip_smtp,
    temp_alias_kind,
};
pub use writeback_latency::LatencyStats;
pub use writeback_watch::{POLL_FIELDS, watch};
pub use writer::{AddOutcome, AliasItem, DUAL_WRITE_RETRY, Presence, Writer, mailbox_identity};
