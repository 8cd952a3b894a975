//! MF002 `empty-mail-no-mailbox`: `mail` is empty and the user has no mailbox plan.

use super::rule::{Input, declare_rule};
use crate::facts::UserFacts;
use crate::finding::Severity;

declare_rule! {
    /// ## What it checks
    /// The user's `mail` is empty, the user is cloud-only, and none of the user's enabled service
    /// plans is an Exchange Online mailbox plan. Plans of the `exchange` service that give no
    /// mailbox (EXCHANGE_S_FOUNDATION) do not count.
    ///
    /// ## Why it matters
    /// Without a mailbox nothing writes `mail`, so registration may fail the same way as MF001, and
    /// `mailfix fix` cannot help: there is no mailbox to add an address to.
    ///
    /// ## Remedy
    /// Assign a licence that includes Exchange Online; once the mailbox exists, scan again.
    pub static EMPTY_MAIL_NO_MAILBOX = Rule {
        id: "MF002",
        name: "empty-mail-no-mailbox",
        severity: Severity::Warning,
        fixable: false,
        remedy: "assign a licence that includes Exchange Online",
        input: Input::Directory,
        detect: detect,
    };
}

fn detect(facts: &UserFacts) -> Option<String> {
    (facts.mail_is_empty() && !facts.synced && facts.mailbox_plan.is_none()).then(|| {
        "`mail` is empty and the user has no enabled Exchange Online mailbox plan".to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;

    #[test]
    fn fires_without_any_plan_and_with_only_the_foundation_plan() {
        assert!(
            EMPTY_MAIL_NO_MAILBOX
                .check(&facts(with_plans(empty_mail(), &[])))
                .is_some()
        );
        let foundation_only = with_plans(empty_mail(), &[FOUNDATION]);
        let finding = EMPTY_MAIL_NO_MAILBOX
            .check(&facts(foundation_only))
            .expect("finding");
        assert_eq!(finding.severity, Severity::Warning);
    }

    #[test]
    fn suspended_mailbox_plan_is_no_mailbox() {
        let mut user = empty_mail();
        if let Some(plans) = user.assigned_plans.as_mut() {
            plans[0].capability_status = Some("Suspended".to_owned());
        }
        assert!(EMPTY_MAIL_NO_MAILBOX.check(&facts(user)).is_some());
    }

    #[test]
    fn silent_with_mailbox_or_mail() {
        assert!(EMPTY_MAIL_NO_MAILBOX.check(&facts(empty_mail())).is_none());
        assert!(
            EMPTY_MAIL_NO_MAILBOX
                .check(&facts(with_plans(healthy(), &[])))
                .is_none()
        );
    }
}
