//! MF001 `empty-mail`: a cloud-only user with a mailbox whose `mail` is empty.

use super::rule::{Input, declare_rule};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// The user's `mail` is empty although the user has an enabled Exchange Online mailbox plan
    /// (recognised by its service plan id) and is cloud-only.
    ///
    /// ## Why it matters
    /// Combined SSPR and MFA registration fails for this user: the SMS code they receive is never
    /// accepted. `mail` is written by Exchange, not by the directory, and Exchange only writes it
    /// back when the mailbox changes.
    ///
    /// ## Remedy
    /// `mailfix fix` adds a temporary address to the mailbox so that Exchange writes the user back
    /// and fills `mail`, waits until it lands, and removes the temporary address again.
    pub static EMPTY_MAIL = Rule {
        id: "MF001",
        name: "empty-mail",
        severity: Severity::Error,
        fixable: true,
        remedy: "mailfix fix",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    if !facts.mail_is_empty() || facts.synced {
        return None;
    }
    let plan = facts.mailbox_plan.as_ref()?;
    let primary = facts
        .primary_smtp()
        .map(|p| format!("; the mailbox's primary address is {p}"))
        .unwrap_or_default();
    Some(format!(
        "`mail` is empty although the user has an Exchange Online mailbox ({}){primary}",
        plan.name
    ))
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn fires_for_cloud_user_with_mailbox_and_empty_mail() {
        let finding = EMPTY_MAIL.check(&facts(empty_mail())).expect("finding");
        assert_eq!(finding.rule, "MF001");
        assert!(finding.fixable);
        assert!(
            finding.detail.contains("EXCHANGE_S_STANDARD"),
            "{}",
            finding.detail
        );
        assert!(
            finding.detail.contains("anna@contoso.com"),
            "{}",
            finding.detail
        );
    }

    #[test]
    fn silent_when_mail_set_synced_or_without_mailbox() {
        assert!(EMPTY_MAIL.check(&facts(healthy())).is_none());
        let mut synced = empty_mail();
        synced.on_premises_sync_enabled = Some(true);
        assert!(EMPTY_MAIL.check(&facts(synced)).is_none());
        assert!(
            EMPTY_MAIL
                .check(&facts(with_plans(empty_mail(), &[FOUNDATION])))
                .is_none()
        );
    }

    #[test]
    fn once_synced_user_counts_as_cloud_only() {
        let mut was_synced = empty_mail();
        was_synced.on_premises_sync_enabled = Some(false);
        assert!(EMPTY_MAIL.check(&facts(was_synced)).is_some());
    }
}
