//! The Exchange Online admin API: `InvokeCommand` with the emulated cmdlets, Exchange's envelope,
//! annotations, paging and errors.

pub mod cmdlets;
pub mod discovery;
pub mod error;
pub mod invoke;
pub mod opath;
pub mod paging;
pub mod record;
mod router;
pub mod tenant_rules;

pub use router::router;
