//! The registry: every rule in id order, looked up by id or name, applied to one user.

use super::Rule;
use super::{
    mf001_empty_mail, mf002_empty_mail_no_mailbox, mf003_empty_mail_synced, mf004_mail_not_primary,
    mf005_leftover_temp_alias, mf006_sspr_methods_missing, mf007_not_registered,
    mf008_exchange_provisioning_error,
};
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
