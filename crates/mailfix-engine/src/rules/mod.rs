//! The rules MF001–MF008 (SPEC §3), one per file, and the registry that lists them.
//!
//! MF001, MF002 and MF003 are mutually exclusive by construction (synced → MF003, else mailbox
//! plan → MF001, else MF002); any other combination of findings may occur on one user.

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

pub use rule::{Input, Rule, markdown_table};

use crate::facts::UserFacts;
use crate::finding::Finding;

/// Every rule, in id order.
pub static RULES: [&Rule; 8] = [
    &mf001_empty_mail::EMPTY_MAIL,
    &mf002_empty_mail_no_mailbox::EMPTY_MAIL_NO_MAILBOX,
    &mf003_empty_mail_synced::EMPTY_MAIL_SYNCED,
    &mf004_mail_not_primary::MAIL_NOT_PRIMARY,
    &mf005_leftover_temp_alias::LEFTOVER_TEMP_ALIAS,
    &mf006_sspr_methods_missing::SSPR_METHODS_MISSING,
    &mf007_not_registered::NOT_REGISTERED,
    &mf008_exchange_provisioning_error::EXCHANGE_PROVISIONING_ERROR,
];

/// The rule with this id (`MF001`) or name (`empty-mail`), ignoring case.
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.id.eq_ignore_ascii_case(key) || r.name.eq_ignore_ascii_case(key))
}

/// Applies every rule to one user, in id order.
pub fn check_all(facts: &UserFacts) -> Vec<Finding> {
    RULES.iter().filter_map(|rule| rule.check(facts)).collect()
}
