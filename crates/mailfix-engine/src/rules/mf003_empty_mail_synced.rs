//! MF003 `empty-mail-synced`: `mail` is empty on a user synchronised from on-premises AD.

use super::rule::{Input, declare_rule};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// The user's `mail` is empty and `onPremisesSyncEnabled` is true: the object is mastered in
    /// on-premises Active Directory.
    ///
    /// ## Why it matters
    /// Registration fails as for MF001, but a cloud-side fix does not stick: Exchange refuses to
    /// change a synchronised mailbox ("out of the current user's write scope"), and the next sync
    /// would overwrite `mail` anyway.
    ///
    /// ## Remedy
    /// Set `mail` on the user in on-premises AD and let the sync carry it to Entra ID.
    pub static EMPTY_MAIL_SYNCED = Rule {
        id: "MF003",
        name: "empty-mail-synced",
        severity: Severity::Error,
        fixable: false,
        remedy: "set mail in on-premises AD and sync; a cloud-side fix does not stick",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    (facts.mail_is_empty() && facts.synced)
        .then(|| "`mail` is empty on a user synchronised from on-premises AD".to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn fires_for_synced_user_with_or_without_mailbox() {
        for user in [empty_mail(), with_plans(empty_mail(), &[])] {
            let mut user = user;
            user.on_premises_sync_enabled = Some(true);
            assert!(EMPTY_MAIL_SYNCED.check(&facts(user)).is_some());
        }
    }

    #[test]
    fn silent_for_cloud_only_or_filled_mail() {
        assert!(EMPTY_MAIL_SYNCED.check(&facts(empty_mail())).is_none());
        let mut synced = healthy();
        synced.on_premises_sync_enabled = Some(true);
        assert!(EMPTY_MAIL_SYNCED.check(&facts(synced)).is_none());
    }
}
