//! The likely cause of a failing user's registration failures and its remedy, from the user's
//! directory facts, reusing the rules that describe the empty-`mail` defect (MF003, MF001, MF002).

use serde::Serialize;

use super::classify::UserHistory;
use crate::facts::UserFacts;
use crate::rules::{mf001_empty_mail, mf002_empty_mail_no_mailbox, mf003_empty_mail_synced};

/// Cause and remedy for one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// The likely cause.
    pub cause: String,
    /// What to do.
    pub remedy: String,
}

/// The likely cause of `history`'s failures, given the user's current directory facts (`None`:
/// the user is no longer in the directory).
pub fn likely_cause(history: &UserHistory, facts: Option<&UserFacts>) -> Cause {
    let Some(facts) = facts else {
        return Cause {
            cause: "the user is not in the directory any more".to_owned(),
            remedy: "none".to_owned(),
        };
    };
    let rules = [
        &mf003_empty_mail_synced::EMPTY_MAIL_SYNCED,
        &mf001_empty_mail::EMPTY_MAIL,
        &mf002_empty_mail_no_mailbox::EMPTY_MAIL_NO_MAILBOX,
    ];
    if let Some(finding) = rules.iter().find_map(|rule| rule.check(facts)) {
        let remedy = if finding.fixable {
            format!("{} --user {}", finding.remedy, facts.user.upn)
        } else {
            finding.remedy
        };
        return Cause {
            cause: format!("{} ({})", finding.detail, finding.rule),
            remedy,
        };
    }
    let reason = history
        .failure_reasons
        .first()
        .map(|r| format!(": most often \"{}\"", r.reason))
        .unwrap_or_default();
    Cause {
        cause: format!("not the empty-`mail` defect (`mail` is set){reason}"),
        remedy: "look at the failure reasons in the audit log".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use mailfix_client::models::{AssignedPlan, User};

    use super::*;
    use crate::audit::classify::{AuditClass, ReasonCount};
    use crate::finding::UserRef;

    fn history() -> UserHistory {
        UserHistory {
            user: UserRef::new("id1", "anna@contoso.com"),
            class: AuditClass::Failing,
            attempts: 2,
            failures: 2,
            successes: 0,
            failure_reasons: vec![ReasonCount {
                reason: "User canceled security info registration.".into(),
                count: 2,
            }],
            related_events: 0,
            first: None,
            last: None,
        }
    }

    fn user(mail: Option<&str>, synced: bool) -> UserFacts {
        UserFacts::from_user(&User {
            id: "id1".into(),
            user_principal_name: Some("anna@contoso.com".into()),
            mail: mail.map(str::to_owned),
            on_premises_sync_enabled: Some(synced),
            assigned_plans: Some(vec![AssignedPlan {
                assigned_date_time: None,
                capability_status: Some("Enabled".into()),
                service: Some("exchange".into()),
                service_plan_id: Some("9aaf7827-d63c-4b61-89c3-182f06f82e5c".into()),
            }]),
            ..User::default()
        })
    }

    #[test]
    fn empty_mail_points_at_fix_for_that_user() {
        let cause = likely_cause(&history(), Some(&user(None, false)));
        assert!(cause.cause.contains("(MF001)"), "{}", cause.cause);
        assert_eq!(cause.remedy, "mailfix fix --user anna@contoso.com");
    }

    #[test]
    fn synced_user_and_set_mail_and_missing_user() {
        let synced = likely_cause(&history(), Some(&user(None, true)));
        assert!(synced.cause.contains("(MF003)"));
        assert!(synced.remedy.contains("on-premises"));
        let set = likely_cause(&history(), Some(&user(Some("anna@contoso.com"), false)));
        assert!(
            set.cause
                .contains("User canceled security info registration."),
            "{}",
            set.cause
        );
        assert!(
            likely_cause(&history(), None)
                .cause
                .contains("not in the directory")
        );
    }
}
