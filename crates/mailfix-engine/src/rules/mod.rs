//! The rules MF001–MF008 (README "Scan"), one per file, and the registry that lists them.
//!
//! MF001, MF002 and MF003 are mutually exclusive by construction (synced → MF003, else mailbox
//! plan → MF001, else MF002); any other combination of findings may occur on one user.

mod registry;
mod rule;

pub mod mf001_empty_mail;
pub mod mf002_empty_mail_no_mailbox;
pub mod mf003_empty_mail_synced;
pub mod mf004_mail_not_primary;
pub mod mf005_leftover_temp_alias;
pub mod mf006_sspr_methods_missing;
pub mod mf007_not_registered;
pub mod mf008_exchange_provisioning_error;

#[cfg(test)]
mod fixtures;

pub use registry::{RULES, check_all, find};
pub use rule::{Input, Rule, markdown_table};
