//! Temporary aliases, the machinery `fix` and `cleanup` share: the address template and its
//! markers, the journaled writes (add, remove, read back), and [`carry_out`], which adds aliases,
//! watches for the write-back, removes them and proves them gone, all at once; settling items a
//! run left in an intent; write-back latency statistics.

mod adds;
mod lifecycle;
mod removals;
mod remove;
mod settle;
mod template;
mod verify;
mod write_permits;
mod writeback_latency;
mod writeback_watch;
mod writer;

pub use adds::{AddTarget, REPLAN_NOTE, was_replanned};
pub use lifecycle::{Work, carry_out, remove_and_check};
pub use removals::Removal;
pub(crate) use settle::{settle_after_interruption, settle_before_removal, without_writeback};
pub use template::{
    AliasError, AliasTemplate, AliasVars, DEFAULT_TEMPLATE, MAILFIX_MARKER, MAX_LOCAL_PART,
    SCRIPT_MARKER, TempAliasKind, is_valid_local_part, secondary_proxy, strip_smtp,
    temp_alias_kind,
};
pub use writeback_latency::LatencyStats;
pub use writeback_watch::POLL_FIELDS;
pub use writer::{
    AddOutcome, AliasItem, DUAL_WRITE_RETRY, PIPELINE, Presence, Writer, mailbox_identity,
};
